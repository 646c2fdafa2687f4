"""Which Great Expectations expectations exist and which arguments they take, without importing GX.

Sector YAML is validated when a DAG file is parsed, and that parse must stay cheap; importing
``great_expectations`` costs seconds. So the names and arguments of GX's registered
expectations are kept in ``gx_expectations.json`` beside this module, generated from the
installed GX by ``popsync quality catalog --write``; a unit test fails when the file no longer
matches the installed version (after an upgrade: regenerate and commit).
"""

import difflib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_FILE = Path(__file__).with_name("gx_expectations.json")

# Fields every GX expectation has that popsync sets itself (or that make no sense in YAML).
_RESERVED = frozenset(
    {"id", "meta", "rendered_content", "severity", "batch_id", "result_format", "catch_exceptions", "windows"}
)


@dataclass(frozen=True)
class ExpectationArgs:
    """The keyword arguments of one expectation type."""

    allowed: frozenset[str]
    required: frozenset[str]


@cache
def catalog() -> dict[str, ExpectationArgs]:
    """The checked-in catalog: expectation type -> its arguments."""
    data = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return {
        name: ExpectationArgs(frozenset(entry["allowed"]), frozenset(entry["required"]))
        for name, entry in data["expectations"].items()
    }


def closest(word: str, choices: list[str] | frozenset[str]) -> str | None:
    """The nearest of ``choices`` to ``word`` (for "did you mean"), or None."""
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def installed_catalog() -> dict[str, Any]:
    """The catalog as read from the installed Great Expectations (imports it: seconds)."""
    import great_expectations
    import great_expectations.expectations
    from great_expectations.expectations.registry import _registered_expectations

    expectations: dict[str, Any] = {}
    for name, cls in sorted(_registered_expectations.items()):
        fields = cls.__fields__
        allowed = sorted(field for field in fields if field not in _RESERVED)
        required = sorted(field for field in allowed if fields[field].required)
        expectations[name] = {"allowed": allowed, "required": required}
    return {"great_expectations": great_expectations.__version__, "expectations": expectations}


def write_catalog() -> Path:
    """Regenerate ``gx_expectations.json`` from the installed GX."""
    CATALOG_FILE.write_text(json.dumps(installed_catalog(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    catalog.cache_clear()
    return CATALOG_FILE
