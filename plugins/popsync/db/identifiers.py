"""Identifiers that come from configuration: validated, then quoted."""

import re

from psycopg import sql

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def is_identifier(name: str) -> bool:
    """True for a lower-case SQL identifier of at most 63 characters."""
    return bool(_IDENTIFIER.fullmatch(name))


def checked_identifier(name: str) -> str:
    """Return ``name`` if it is a safe identifier, else raise ValueError."""
    if not is_identifier(name):
        raise ValueError(
            f"{name!r} is not a valid identifier: use lower-case letters, digits and underscores, "
            "starting with a letter or underscore, at most 63 characters"
        )
    return name


def quoted(*parts: str) -> sql.Identifier:
    """A validated, quoted (possibly schema-qualified) identifier for psycopg.sql."""
    return sql.Identifier(*(checked_identifier(part) for part in parts))


def quoted_name(*parts: str) -> str:
    """A validated, double-quoted (possibly schema-qualified) name for SQL text."""
    return ".".join(f'"{checked_identifier(part)}"' for part in parts)
