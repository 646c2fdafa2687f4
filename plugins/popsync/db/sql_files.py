"""SQL lives in ``include/sql`` as readable files; this module loads them."""

from functools import cache

from popsync.settings import SQL_DIR


@cache
def read_sql(relative_path: str) -> str:
    """Text of ``include/sql/<relative_path>``."""
    path = (SQL_DIR / relative_path).resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"SQL file {relative_path!r} is outside {SQL_DIR}")
    return path.read_text(encoding="utf-8")
