"""How a mistyped personal ID relates to the right one: the methods of a suggested ID.

The reconcile step searches the register set-based (``include/sql/duckdb/suggestions.sql``);
this module states the same relations one ID at a time, for the generator's ground truth
and for tests.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

__all__ = [
    "LETTER_DIGITS",
    "SuggestionMethod",
    "id_method",
    "normalise_id_text",
]


class SuggestionMethod(StrEnum):
    """How a suggested ID was found, most specific first (the order breaks ties)."""

    ID_LEADING_ZERO = "id_leading_zero"
    ID_LETTER_DIGIT = "id_letter_digit"
    ID_TRANSPOSITION = "id_transposition"
    ID_TYPO = "id_typo"
    NAME_BIRTH_GENDER = "name_birth_gender"


LETTER_DIGITS: Final[dict[str, str]] = {
    **dict.fromkeys("OoQD", "0"),
    **dict.fromkeys("IlLi|", "1"),
    **dict.fromkeys("Zz", "2"),
    **dict.fromkeys("Ss", "5"),
    "G": "6",
    "T": "7",
    "B": "8",
    **dict.fromkeys("gq", "9"),
}
"""Letters typed for the digit they look like (same table as suggestions.sql)."""

_SEPARATORS: Final = re.compile(r"[\s\u00a0.\-]")


def normalise_id_text(text: str | None) -> str:
    """The ID as the normalise step reads it: white space, dots and dashes removed."""
    return _SEPARATORS.sub("", text or "")


def id_method(text: str | None, true_id: str) -> SuggestionMethod | None:
    """The ID method that leads from the sector's ID text to ``true_id``, else None.

    * ``id_letter_digit``: letters that look like digits (O for 0, l for 1, ...) read as those
      digits give the 12-digit ID;
    * ``id_leading_zero``: a 10- or 11-digit ID padded with zeros on the left;
    * ``id_typo``: a 12-digit ID one digit away;
    * ``id_transposition``: a 12-digit ID with two adjacent digits swapped.
    """
    ident = normalise_id_text(text)
    if not ident or ident == true_id:
        return None
    if not ident.isdigit():
        mapped = "".join(LETTER_DIGITS.get(char, char) for char in ident)
        return SuggestionMethod.ID_LETTER_DIGIT if mapped == true_id else None
    if len(ident) in (10, 11):
        return SuggestionMethod.ID_LEADING_ZERO if ident.rjust(12, "0") == true_id else None
    if len(ident) != 12:
        return None
    diffs = [i for i in range(12) if ident[i] != true_id[i]]
    if len(diffs) == 1:
        return SuggestionMethod.ID_TYPO
    first, second = [*diffs, -1, -1][:2]
    if len(diffs) == 2 and second == first + 1 and (ident[first], ident[second]) == (true_id[second], true_id[first]):
        return SuggestionMethod.ID_TRANSPOSITION
    return None
