"""Every POPSYNC_* variable settings.py reads is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "plugins" / "popsync" / "settings.py"
CONFIGURATION = ROOT / "docs" / "configuration.md"

_NAME = re.compile(r"""["'](POPSYNC_[A-Z0-9_]+)["']""")
"""A variable's name as a string literal: what ``os.environ`` is asked for, or an ``*_ENV`` constant."""


def _read_names() -> set[str]:
    return set(_NAME.findall(SETTINGS.read_text(encoding="utf-8")))


def _documented_names() -> set[str]:
    """Names written as code in a row of the settings table (its first column)."""
    names: set[str] = set()
    for line in CONFIGURATION.read_text(encoding="utf-8").splitlines():
        if line.startswith("| "):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`(POPSYNC_[A-Z0-9_]+)", first_cell))
    return names


def test_settings_reads_the_variables_the_test_looks_for() -> None:
    names = _read_names()
    # the reader finds both spellings in settings.py: os.environ.get("…") and a *_ENV constant
    assert {"POPSYNC_DATABASE_URL", "POPSYNC_JANITOR_GRACE_HOURS", "POPSYNC_PRELOAD_GX"} <= names


def test_every_variable_settings_reads_has_a_row_in_the_configuration_table() -> None:
    missing = sorted(_read_names() - _documented_names())
    assert not missing, f"add a row to docs/configuration.md for: {', '.join(missing)}"


def test_every_documented_variable_is_read_by_settings() -> None:
    stale = sorted(_documented_names() - _read_names())
    assert not stale, f"docs/configuration.md documents variables settings.py no longer reads: {', '.join(stale)}"
