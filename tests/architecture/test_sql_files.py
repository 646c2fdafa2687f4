"""SQL lives in ``include/sql/<area>/``: every file the code names exists, and no statement on a
database table is written inline in the package.

What may stay in Python: the glue of a DuckDB session (``CREATE TABLE x AS {file}``, reading a
Parquet file, a ``COPY`` to a path), session settings, and DDL composed with ``psycopg.sql`` for
identifiers that are only known at run time (``sql.SQL(...)``, not scanned here).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plugins" / "popsync"
SQL_DIR = ROOT / "include" / "sql"

STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|TRUNCATE|COPY|ANALYZE|MERGE)\b", re.I)
DATABASE_TABLE = re.compile(
    r"\b(sync|sync_partitions|staging|reference|ground_truth|dan_cu|pg_catalog|pg_temp)\.\w+|\bpg_(class|database|constraint|attribute)\b"
)


def _texts(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals and f-strings (placeholders as ``{}``) outside ``sql.SQL(...)`` and docstrings."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "SQL":
            skipped |= {id(sub) for sub in ast.walk(node)}
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))
    texts: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped |= {id(value) for value in node.values}
            texts.append((node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append((node.lineno, node.value))
    return texts


def test_no_statement_on_a_database_table_is_inline() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        for line, text in _texts(ast.parse(path.read_text(encoding="utf-8"))):
            if STATEMENT.match(text) and DATABASE_TABLE.search(text):
                found.append(f"{name}:{line}: {' '.join(text.split())[:100]}")
    assert not found, "SQL belongs in include/sql/<area>/ (read with read_sql):\n" + "\n".join(found)


def test_every_sql_file_the_code_names_exists() -> None:
    missing = []
    for folder in ("plugins", "benchmarks", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "read_sql"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and not (SQL_DIR / str(node.args[0].value)).is_file()
                ):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value}")
    assert not missing, "read_sql names a file that is not in include/sql:\n" + "\n".join(missing)
