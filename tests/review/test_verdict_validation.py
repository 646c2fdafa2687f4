"""Verdict validation without a database: kinds, required reasons, comment length."""

import pytest

from popsync.review.verdicts import MAX_COMMENT_LENGTH, VerdictError, VerdictKind, checked_verdict


def test_every_kind_is_accepted() -> None:
    for kind in VerdictKind:
        assert checked_verdict(kind.value, "because")[0] is kind
    assert checked_verdict("acknowledged", "  ") == (VerdictKind.ACKNOWLEDGED, None)


@pytest.mark.parametrize(
    ("verdict", "comment", "message"),
    [
        ("wontfix", None, "unknown verdict 'wontfix': choose one of acknowledged, fixing_at_source"),
        ("not_fixable", None, "a not_fixable verdict needs a reason"),
        ("not_fixable", " \n ", "a not_fixable verdict needs a reason"),
        ("acknowledged", "x" * (MAX_COMMENT_LENGTH + 1), "longer than"),
    ],
)
def test_bad_verdicts_are_refused_with_a_clear_message(verdict: str, comment: str | None, message: str) -> None:
    with pytest.raises(VerdictError, match=message):
        checked_verdict(verdict, comment)
