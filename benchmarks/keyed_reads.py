"""Rows read again by key: the key's index (``few_keys``) against one scan of the table.

    POPSYNC_HOME=<the incremental benchmark's home> python benchmarks/keyed_reads.py \
        [--shares 0.01,0.05,0.1,0.2,0.4]

Reads the health-insurance cards of the home's source database by key, in both forms of the
extract query read by key (``sources/postgres.py``: ``few_keys``), for a share of the keys each;
best of 2 runs each, alternating. Prints one line per share.
"""

import argparse
import json
import time
from datetime import UTC, datetime

import psycopg

from popsync.db.databases import ensure_server
from popsync.pipeline.extract import extract_key_type_query, extract_query
from popsync.pipeline.run import DatasetRun
from popsync.sectors import load_sectors
from popsync.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shares", default="0.01,0.05,0.1,0.2,0.4")
    args = parser.parse_args()
    settings = get_settings()
    ensure_server(settings)
    sector = next(sector for sector in load_sectors() if sector.sector == "health_insurance")
    run = DatasetRun(sector, sector.datasets[0], "keyed_reads", datetime.now(UTC))
    with psycopg.connect(settings.database_url_for("popsync_src_health_insurance")) as conn:
        key_type = str(conn.execute(extract_key_type_query(run)).fetchall()[0][0])
        keys = [str(key) for (key,) in conn.execute("SELECT trim(ma_the) FROM bhyt.the_bhyt ORDER BY md5(ma_the)")]
        forms = {
            form: extract_query(run, row_hash=True, by_key=True, key_type=key_type, few_keys=form == "index")
            .replace("%", "%%")
            .replace("$1", "%(keys)s")
            .replace("$2", "%(nulls)s")
            for form in ("scan", "index")
        }
        for share in (float(value) for value in args.shares.split(",")):
            wanted = json.dumps(keys[: int(len(keys) * share)])
            seconds: dict[str, list[float]] = {form: [] for form in forms}
            rows = 0
            for form in [*forms, *reversed(forms)]:
                started = time.perf_counter()
                rows = len(conn.execute(forms[form], {"keys": wanted, "nulls": "false"}).fetchall())
                seconds[form].append(time.perf_counter() - started)
            timed = ", ".join(f"{form} {min(runs):.3f} s" for form, runs in seconds.items())
            print(f"share {share}: rows {rows:,} of {len(keys):,}; {timed}", flush=True)


if __name__ == "__main__":
    main()
