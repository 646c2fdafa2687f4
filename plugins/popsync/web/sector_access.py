"""Which sectors a web user may see: a mapping from Airflow users and roles to sectors.

Configured by ``POPSYNC_UI_SECTOR_ACCESS``: inline JSON, or the path of a JSON or YAML file::

    users:                      # Airflow user name -> sectors
      bhyt_clerk: [health_insurance]
    roles:                      # Airflow role -> sectors ("*" = every sector)
      ADMIN: ["*"]
      VIEWER: [education]

A user sees the union of the sectors of their name and of their roles. Unset, only the
``ADMIN`` role sees every sector. Role names compare case-insensitively.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from popsync.settings import UI_SECTOR_ACCESS_ENV, ui_sector_access

ACCESS_ENV: Final = UI_SECTOR_ACCESS_ENV
ALL_SECTORS: Final = "*"
DEFAULT_ACCESS: Final[Mapping[str, Any]] = {"roles": {"ADMIN": [ALL_SECTORS]}}


class AccessConfigError(ValueError):
    """The access mapping is malformed or names an unknown sector."""


@dataclass(frozen=True)
class AccessMap:
    users: Mapping[str, frozenset[str]] = field(default_factory=dict)
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def sectors_for(self, user: str, roles: Iterable[str], known_sectors: Sequence[str]) -> tuple[str, ...]:
        """The sectors ``user`` (with ``roles``) may see, in the order of ``known_sectors``."""
        granted: set[str] = set(self.users.get(user, frozenset()))
        for role in roles:
            granted |= self.roles.get(role.upper(), frozenset())
        if ALL_SECTORS in granted:
            return tuple(known_sectors)
        return tuple(sector for sector in known_sectors if sector in granted)


def _sector_sets(raw: object, where: str, known: Sequence[str]) -> dict[str, frozenset[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise AccessConfigError(f"{ACCESS_ENV}: '{where}' must map names to lists of sectors")
    result: dict[str, frozenset[str]] = {}
    for name, sectors in raw.items():
        if isinstance(sectors, str):
            sectors = [sectors]
        if not isinstance(sectors, list) or not all(isinstance(item, str) for item in sectors):
            raise AccessConfigError(f"{ACCESS_ENV}: {where}.{name} must be a list of sector names")
        unknown = sorted(set(sectors) - set(known) - {ALL_SECTORS})
        if unknown:
            raise AccessConfigError(
                f"{ACCESS_ENV}: {where}.{name} names unknown sector(s) {', '.join(unknown)}; "
                f"known: {', '.join(known)} or '*'"
            )
        key = str(name).upper() if where == "roles" else str(name)
        result[key] = frozenset(sectors)
    return result


def parse_access(raw: Mapping[str, Any], known_sectors: Sequence[str]) -> AccessMap:
    """Validate a mapping ``{"users": {...}, "roles": {...}}``."""
    extra = sorted(set(raw) - {"users", "roles"})
    if extra:
        raise AccessConfigError(f"{ACCESS_ENV}: unknown key(s) {', '.join(extra)}; expected 'users' and 'roles'")
    return AccessMap(
        users=_sector_sets(raw.get("users"), "users", known_sectors),
        roles=_sector_sets(raw.get("roles"), "roles", known_sectors),
    )


def load_access(known_sectors: Sequence[str], value: str | None = None) -> AccessMap:
    """Read the mapping from ``value`` or ``$POPSYNC_UI_SECTOR_ACCESS`` (JSON text or a file path)."""
    text = ui_sector_access() if value is None else value
    if not text or not text.strip():
        return parse_access(DEFAULT_ACCESS, known_sectors)
    text = text.strip()
    if not text.startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise AccessConfigError(f"{ACCESS_ENV}: {text} is neither JSON nor an existing file")
        text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text) if not text.lstrip().startswith("{") else json.loads(text)
    except (ValueError, yaml.YAMLError) as error:
        raise AccessConfigError(f"{ACCESS_ENV}: cannot parse the mapping: {error}") from error
    if not isinstance(raw, Mapping):
        raise AccessConfigError(f"{ACCESS_ENV}: the mapping must be an object with 'users' and/or 'roles'")
    return parse_access(raw, known_sectors)
