"""Mirror the population register into ``reference.persons``, incrementally by updated_at."""

import logging
from dataclasses import dataclass
from datetime import datetime

from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.settings import REGISTER_CONN_ID, WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)
MIRROR_NAME = "population_register"


@dataclass(frozen=True)
class MirrorResult:
    rows_copied: int
    full_load: bool
    high_watermark: datetime | None
    row_count: int


def sync_reference() -> MirrorResult:
    """Copy register rows changed since the last high watermark (everything on the first run)."""
    ensure_warehouse_schema()
    with connect(WAREHOUSE_CONN_ID) as warehouse, connect(REGISTER_CONN_ID) as register:
        register.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        state = warehouse.execute(
            "SELECT high_watermark FROM reference.sync_state WHERE mirror = %s", (MIRROR_NAME,)
        ).fetchone()
        watermark = None if state is None else state[0]
        full_load = watermark is None
        target = "reference.persons" if full_load else "persons_changes"
        if full_load:
            warehouse.execute("TRUNCATE reference.persons")
        else:
            warehouse.execute("CREATE TEMP TABLE persons_changes (LIKE reference.persons) ON COMMIT DROP")
        select = read_sql("register/extract_persons.sql")
        with register.cursor() as src, warehouse.cursor() as dst:
            with src.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)", {"since": watermark}) as out:
                with dst.copy(f"COPY {target} FROM STDIN (FORMAT binary)") as into:
                    for chunk in out:
                        into.write(chunk)
            copied = max(dst.rowcount, 0)
        if not full_load:
            warehouse.execute(read_sql("warehouse/merge_persons.sql"))
        summary = warehouse.execute(
            "SELECT count(*), max(updated_at) FROM reference.persons"
        ).fetchone()
        assert summary is not None
        row_count, high = int(str(summary[0])), summary[1]
        if high is not None:
            warehouse.execute(
                "INSERT INTO reference.sync_state (mirror, high_watermark, row_count) VALUES (%s, %s, %s) "
                "ON CONFLICT (mirror) DO UPDATE SET high_watermark = excluded.high_watermark, "
                "row_count = excluded.row_count, synced_at = now()",
                (MIRROR_NAME, high, row_count),
            )
        warehouse.commit()
        if full_load:
            warehouse.execute("ANALYZE reference.persons")
    _log.info("register mirror: %d rows copied (%s), %d in total", copied, "full" if full_load else "delta", row_count)
    return MirrorResult(copied, full_load, high, row_count)
