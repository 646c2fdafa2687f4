"""Identifiers from configuration are validated before they reach SQL."""

import pytest
from psycopg import sql

from popsync.db.identifiers import checked_identifier, quoted, quoted_name


@pytest.mark.parametrize("name", ["cards", "_x", "a1_b2", "x" * 63])
def test_valid_identifiers_pass(name: str) -> None:
    assert checked_identifier(name) == name


@pytest.mark.parametrize(
    "name", ["", "Cards", "1cards", "ca rds", "cards;drop table x", 'a"b', "x" * 64, "thẻ", "a-b", "a.b"]
)
def test_invalid_identifiers_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid identifier"):
        checked_identifier(name)


def test_quoting_validates_every_part() -> None:
    assert isinstance(quoted("staging", "cards"), sql.Identifier)
    assert quoted_name("staging", "cards") == '"staging"."cards"'
    with pytest.raises(ValueError):
        quoted("staging", 'cards"; DROP TABLE sync.matches; --')
