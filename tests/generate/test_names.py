"""Name shapes on a 20,000-person register sample and the name transforms."""

import unicodedata

from popsync.generate.names import name_key, strip_diacritics, to_new_style, to_old_style, toggle_tone_style
from popsync.generate.stream import Chunk


def _people(chunks: list[Chunk]) -> list[tuple[str, str]]:
    return [(str(row[2]), str(row[5])) for chunk in chunks for row in zip(*chunk.register_columns, strict=True)]


def test_surname_shares(register_sample: list[Chunk]) -> None:
    people = _people(register_sample)
    assert len(people) == 20_000
    nguyen = sum(name.split()[0] == "Nguyễn" for name, _ in people) / len(people)
    assert abs(nguyen - 0.38) <= 0.03
    tran = sum(name.split()[0] == "Trần" for name, _ in people) / len(people)
    assert 0.09 <= tran <= 0.15


def test_word_counts_by_gender(register_sample: list[Chunk]) -> None:
    people = _people(register_sample)
    men = [len(name.split()) for name, gender in people if gender == "M"]
    women = [len(name.split()) for name, gender in people if gender == "F"]
    assert sum(count == 3 for count in men) / len(men) > 0.75
    assert 0.60 <= sum(count == 4 for count in women) / len(women) <= 0.73


def test_middle_names(register_sample: list[Chunk]) -> None:
    people = _people(register_sample)
    men = [name.split()[1] for name, gender in people if gender == "M" and len(name.split()) >= 3]
    women = [name.split()[1] for name, gender in people if gender == "F" and len(name.split()) >= 3]
    assert men.count("Văn") / len(men) > 0.35
    assert women.count("Thị") / len(women) > 0.45


def test_both_tone_mark_styles_are_present(register_sample: list[Chunk]) -> None:
    words = [word for name, _ in _people(register_sample) for word in name.lower().split()]
    old = sum(word in ("hòa", "thúy", "thủy", "thụy", "khỏe") for word in words)
    new = sum(word in ("hoà", "thuý", "thuỷ", "thuỵ", "khoẻ") for word in words)
    assert old > 0 and new > 0
    assert 0.15 <= new / (old + new) <= 0.45  # about 30% new style


def test_register_names_are_nfc_title_case(register_sample: list[Chunk]) -> None:
    for name, _ in _people(register_sample)[:2_000]:
        assert unicodedata.is_normalized("NFC", name)
        assert all(word[0].isupper() for word in name.split(" "))


def test_tone_style_transforms() -> None:
    assert to_new_style("Nguyễn Thị Thủy Hòa") == "Nguyễn Thị Thuỷ Hoà"
    assert to_old_style("Lê Thuý Khoẻ") == "Lê Thúy Khỏe"
    assert toggle_tone_style("Trần Hòa") == "Trần Hoà" and toggle_tone_style("Trần Hoà") == "Trần Hòa"
    assert toggle_tone_style("Phạm Quỳnh Hoàng") == "Phạm Quỳnh Hoàng"  # closed syllables and qu- keep their form
    assert name_key("  NGUYỄN  Thị THỦY ") == name_key("nguyễn thị thuỷ") == "nguyễn thị thuỷ"
    assert strip_diacritics("Đặng Thị Thủy") == "Dang Thi Thuy"
