"""Load sector definitions from YAML with errors that name the file and the field."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from popsync.sectors.model import SectorDefinition
from popsync.settings import SECTORS_DIR


class SectorConfigError(ValueError):
    """A sector definition file is invalid; the message names the file and the field."""


def _field_path(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """Dotted field path, naming datasets by their name rather than their position."""
    parts = [str(part) for part in loc]
    datasets = raw.get("datasets")
    if len(loc) >= 2 and loc[0] == "datasets" and isinstance(loc[1], int) and isinstance(datasets, list):
        entry = datasets[loc[1]] if loc[1] < len(datasets) else None
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            parts[1] = entry["name"]
    return ".".join(parts) or "<file>"


def _describe(error: ValidationError, path: Path, raw: dict[str, Any]) -> str:
    lines = [f"{path}: invalid sector definition"]
    errors = error.errors()
    for item in errors:
        nested = any(
            len(other["loc"]) > len(item["loc"]) and other["loc"][: len(item["loc"])] == item["loc"] for other in errors
        )
        if item["type"] == "too_short" and nested:
            continue  # a consequence of the nested errors already listed
        field = _field_path(item["loc"], raw)
        value = item.get("input")
        shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
        lines.append(f"  field {field}: {item['msg']}{shown}")
    return "\n".join(lines)


def load_sector(path: Path) -> SectorDefinition:
    """Parse and validate one sector definition file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SectorConfigError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SectorConfigError(f"{path}: expected a mapping at the top level, got {type(raw).__name__}")
    datasets = raw.get("datasets")
    if isinstance(datasets, dict):  # datasets keyed by name read better in YAML
        raw["datasets"] = [
            {"name": name, **body} if isinstance(body, dict) else body for name, body in datasets.items()
        ]
    try:
        return SectorDefinition.model_validate(raw)
    except ValidationError as exc:
        raise SectorConfigError(_describe(exc, path, raw)) from exc


def load_sectors(directory: Path = SECTORS_DIR) -> list[SectorDefinition]:
    """All sector definitions in ``directory`` (``*.yaml``), sorted by sector name."""
    sectors = [load_sector(path) for path in sorted(directory.glob("*.yaml"))]
    names = [sector.sector for sector in sectors]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise SectorConfigError(f"{directory}: sector names defined twice: {sorted(duplicates)}")
    return sorted(sectors, key=lambda sector: sector.sector)
