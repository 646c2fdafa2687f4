"""Opaque record references and the server-side SVG charts."""

from datetime import UTC, datetime

import pytest

from popsync.web.charts import Bar, Series, bar_chart, line_chart
from popsync.web.i18n import REASONS, Translator, export_header, language_of
from popsync.web.refs import InvalidRefError, RecordRefs


def test_refs_round_trip_and_hide_the_key() -> None:
    refs = RecordRefs("secret")
    token = refs.encode("justice", "birth_registrations", "30/0020024/2003")
    assert "0020024" not in token
    assert refs.decode(token) == ("justice", "birth_registrations", "30/0020024/2003")
    with pytest.raises(InvalidRefError):
        RecordRefs("another secret").decode(token)
    with pytest.raises(InvalidRefError):
        refs.decode("not-a-token")


def test_charts_escape_labels_and_scale() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    svg = str(line_chart([Series("<b>", ((when, 0.9), (when.replace(day=2), 0.95)))]))
    assert svg.startswith("<svg") and "&lt;b&gt;" in svg and "polyline" in svg
    bars = str(bar_chart([Bar("Hà Nội", 0.95, "95.00%"), Bar("Cà Mau", 0.9, "90.00%")], floor=0.85))
    assert bars.count('class="bar"') == 2 and "85%" in bars
    assert str(line_chart([])) == ""


def test_every_reason_is_explained_in_both_languages() -> None:
    for code in REASONS:
        assert Translator("vi").reason(code) != Translator("en").reason(code)
    assert language_of("en") == "en" and language_of("fr") == "vi" and language_of(None) == "vi"
    assert export_header("vi")[0] == "Lĩnh vực" and export_header("en")[0] == "Sector"
