"""Record the files a run read (``sync.source_files``): which file, its SHA-256, its size and rows."""

from collections.abc import Sequence

from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.pipeline.run import DatasetRun
from popsync.settings import WAREHOUSE_CONN_ID
from popsync.sources.files import ReadFile


def record_source_files(run: DatasetRun, files: Sequence[ReadFile]) -> None:
    """One row per file read by this attempt of the run (nothing for database sources)."""
    if not files:
        return
    with connect(WAREHOUSE_CONN_ID) as conn, conn.cursor() as cursor:
        cursor.executemany(
            read_sql("warehouse/insert_source_file.sql"),
            [
                {
                    "sector": run.sector.sector,
                    "dataset": run.dataset.name,
                    "run_id": run.run_id,
                    "attempt": run.attempt,
                    "logical_date": run.logical_date,
                    "file_name": file.name,
                    "sha256": file.sha256,
                    "size_bytes": file.size_bytes,
                    "row_count": file.rows,
                    "encoding": file.encoding,
                }
                for file in files
            ],
        )
