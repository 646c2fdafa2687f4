"""The ID relations behind suggested IDs, one ID at a time."""

import pytest

from popsync.domain.id_suggestions import SuggestionMethod, id_method

TRUE_ID = "001085012345"


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("1085012345", SuggestionMethod.ID_LEADING_ZERO),
        ("01085012345", SuggestionMethod.ID_LEADING_ZERO),
        ("1.085.012.345", SuggestionMethod.ID_LEADING_ZERO),
        ("OO1O85O12345", SuggestionMethod.ID_LETTER_DIGIT),
        ("0010850l2345", SuggestionMethod.ID_LETTER_DIGIT),
        ("001O85O1234S", SuggestionMethod.ID_LETTER_DIGIT),
        ("001058012345", SuggestionMethod.ID_TRANSPOSITION),
        ("001085012354", SuggestionMethod.ID_TRANSPOSITION),
        ("001185012345", SuggestionMethod.ID_TYPO),
        ("000085012345", SuggestionMethod.ID_TYPO),
        ("001 085 012 346", SuggestionMethod.ID_TYPO),
        (TRUE_ID, None),
        ("", None),
        (None, None),
        ("00108512345", None),  # a digit dropped inside: not a leading zero
        ("001850012345", None),  # two digits moved
        ("001085012X45", None),
    ],
)
def test_id_method(text: str | None, method: SuggestionMethod | None) -> None:
    assert id_method(text, TRUE_ID) == method
