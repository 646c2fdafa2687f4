"""settings.py owns every POPSYNC_* environment variable, and one helper per naming rule."""

import re
from pathlib import Path

import pytest

from popsync import settings

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "popsync"
_READ = re.compile(r"os\.(environ|getenv)\b[^\n]*")


def test_no_module_but_settings_reads_a_popsync_variable() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "settings.py" and path.parent == PACKAGE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in _READ.finditer(line):
                if "POPSYNC_" in match.group(0) or re.search(r"\b[A-Z_]+_ENV\b", match.group(0)):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not offenders, "read POPSYNC_* variables in settings.py:\n" + "\n".join(offenders)


def test_the_source_naming_rules() -> None:
    assert settings.source_database("tax") == "popsync_src_tax"
    assert settings.source_conn_id("tax") == "popsync_source_tax"
    assert settings.sector_of_source_conn("popsync_source_tax") == "tax"
    assert settings.sector_of_source_conn("popsync_warehouse") is None


@pytest.mark.parametrize(
    ("name", "value", "reader", "message"),
    [
        ("POPSYNC_APPROVAL_TIMEOUT_MINUTES", "soon", settings.approval_timeout_minutes, "not a number of minutes"),
        ("POPSYNC_APPROVAL_TIMEOUT_MINUTES", "-1", settings.approval_timeout_minutes, "must be positive"),
        ("POPSYNC_JANITOR_GRACE_HOURS", "-2", settings.janitor_grace_hours, "zero or more hours"),
        ("POPSYNC_DUCKDB_MEMORY_LIMIT", "lots", settings.duckdb_memory_limit, "expected a size"),
        ("POPSYNC_DUCKDB_THREADS", "0", settings.duckdb_threads, "positive whole number"),
        ("POPSYNC_TASK_MEMORY_MB", "1GB", settings.task_memory_mb, "whole number of MB"),
        ("POPSYNC_TASK_MEMORY_MB", "300", settings.task_memory_mb, "at least 522"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, reader: object, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message) as error:
        reader()  # type: ignore[operator]
    assert name in str(error.value)


def test_values_are_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_TASK_RETRIES", "5")
    assert settings.task_retries() == 5
    monkeypatch.setenv("POPSYNC_TASK_RETRIES", "1")
    assert settings.task_retries() == 1
    monkeypatch.delenv("POPSYNC_JANITOR_GRACE_HOURS", raising=False)
    assert settings.janitor_grace_hours() is None
