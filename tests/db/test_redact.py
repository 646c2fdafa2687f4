"""Messages about records carry no ID, name or value (no PostgreSQL)."""

import duckdb
import pytest

from popsync.db.redact import describe_error, mask_id, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('invalid input syntax for type date: "31/02/1990"', 'invalid input syntax for type date: "…"'),
        ("Could not convert string 'Nguyễn Văn An' to INT32", "Could not convert string '…' to INT32"),
        ('relation "sync.matches" does not exist', 'relation "sync.matches" does not exist'),
        ("record 001085012345 failed", "record 001*******45 failed"),
        ("legacy 123 456 789 and 001-085-012-345", "legacy 123****89 and 001*******45"),
        ("run 2026-12-01T01:23:45 with 1,234 rows", "run 2026-12-01T01:23:45 with 1,234 rows"),
        ("source key BH-0001", "source key BH-0001"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_mask_id_keeps_the_province_and_two_digits() -> None:
    assert mask_id("001085012345") == "001*******45"
    assert mask_id("123456789") == "123****89"
    assert mask_id("1234") == "****"


def test_duckdb_error_about_a_value_is_described_without_it() -> None:
    with pytest.raises(duckdb.Error) as caught:
        duckdb.sql("SELECT CAST('Nguyễn Văn An 001085012345' AS INTEGER)").fetchall()
    assert "Nguyễn" in str(caught.value)  # DuckDB quotes the value...
    described = describe_error(caught.value)
    assert "Nguyễn" not in described and "001085012345" not in described  # ...the description does not
    assert described.startswith("ConversionException")
