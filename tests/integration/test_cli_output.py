"""What ``popsync run`` and ``popsync demo`` print: the sync-rate table, against the warehouse."""

import psycopg

from popsync.cli.output import sync_rate_table
from popsync.settings import WAREHOUSE_DATABASE, Settings


def test_the_table_has_a_line_per_published_dataset_with_its_numbers(first_runs: object, settings: Settings) -> None:
    with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE)) as conn:
        latest = conn.execute(
            "SELECT sector, dataset, total, matched, mismatched, sync_rate FROM sync.latest_sync_rate"
        ).fetchall()
        sectors = conn.execute("SELECT sector, total FROM sync.sector_rollup").fetchall()
    assert latest, "the session's first runs publish every dataset"
    lines = sync_rate_table().splitlines()
    assert lines[0].split()[:3] == ["sector", "dataset", "total"]
    for sector, dataset, total, matched, mismatched, rate in latest:
        [line] = [line for line in lines if line.split()[:2] == [sector, dataset]]
        fields = line.split()
        assert fields[2:5] == [str(total), str(matched), str(mismatched)]
        assert fields[5] == ("n/a" if rate is None else f"{rate:.2%}")
    for sector, total in sectors:
        [line] = [line for line in lines if line.startswith(sector) and "(all datasets)" in line]
        assert line.split()[3] == str(total)  # sector, "(all", "datasets)", total
