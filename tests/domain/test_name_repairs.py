"""Every encoding family is produced and undone; look-alikes and invisible characters fold."""

import re
import unicodedata

import pytest

from popsync.domain.legacy_encodings import _is_valid_word, encode_mojibake
from popsync.domain.name_repairs import (
    INVISIBLE,
    LOOKALIKES,
    SPACES,
    encode_cp1258,
    encode_utf8_misread,
    encode_viqr,
    fold_name,
    is_unclean,
    repair_candidates,
    repair_name,
)
from popsync.generate.names import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from popsync.generate.names import name_key as drawn_name_key


def name_key(text: str) -> str:
    """The rules' name key of any text: look-alikes and invisible characters folded, then keyed."""
    return drawn_name_key(fold_name(text))


NAMES = [
    "Nguyễn Văn Đặng",
    "Lê Thị Lệ",
    "Trần Thị Thuỷ",
    "Phạm Hoàng Long",
    "Huỳnh Ngọc Hà",
    "Võ Minh Khôi",
    "Đỗ Thị Hương",
    "Bùi Quốc Việt",
    *(f"{surname} Văn {given}" for surname, given in zip(SURNAMES, MALE_GIVEN, strict=False)),
    *(f"{surname} Thị {given}" for surname, given in zip(reversed(SURNAMES), FEMALE_GIVEN, strict=False)),
]
CASES = [name for name in NAMES] + [name.upper() for name in NAMES]


def _encodings(name: str) -> dict[str, str]:
    return {
        "tcvn3": encode_mojibake(name, "tcvn3"),
        "tcvn3 lower codes": encode_mojibake(name, "tcvn3", lower_codes=True),
        "vni": encode_mojibake(name, "vni"),
        "viqr": encode_viqr(name),
        "cp1258 composed as cp1252": encode_cp1258(name, decomposed=False),
        "cp1258 decomposed as cp1252": encode_cp1258(name, decomposed=True),
        "cp1258 composed as latin-1": encode_cp1258(name, decomposed=False, latin1=True),
        "cp1258 decomposed as latin-1": encode_cp1258(name, decomposed=True, latin1=True),
        "utf-8 as cp1252": encode_utf8_misread(name),
        "utf-8 as latin-1": encode_utf8_misread(name, latin1=True),
        "utf-8 as cp1252 twice": encode_utf8_misread(name, times=2),
        "utf-8 as latin-1 twice": encode_utf8_misread(name, times=2, latin1=True),
        "utf-8 (NFD) as cp1252": encode_utf8_misread(unicodedata.normalize("NFD", name)),
    }


def _all_vietnamese(text: str) -> bool:
    return all(_is_valid_word(word) for word in re.findall(r"[^\W\d_]+", text))


@pytest.mark.parametrize("name", CASES)
def test_every_family_has_a_candidate_with_the_registers_key(name: str) -> None:
    for family, garbled in _encodings(name).items():
        if name_key(garbled) == name_key(name):
            continue  # nothing to garble (e.g. ASCII-only in that family)
        keys = {name_key(candidate) for candidate in repair_candidates(garbled)}
        assert name_key(name) in keys, (family, garbled)


@pytest.mark.parametrize("name", CASES)
def test_most_plausible_repair_is_the_name(name: str) -> None:
    for family, garbled in _encodings(name).items():
        if garbled == name or family.startswith("tcvn3") or _all_vietnamese(garbled):
            continue  # TCVN3 capitals: case by context; garbling that is itself valid text: undecidable
        assert name_key(repair_name(garbled)) == name_key(name), (family, garbled)
        assert is_unclean(garbled), (family, garbled)


@pytest.mark.parametrize("name", CASES)
def test_genuine_names_are_left_alone(name: str) -> None:
    assert repair_name(name) == name
    assert not is_unclean(name)
    stripped = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    assert repair_name(stripped) == stripped


def test_tcvn3_capital_read_as_vni_is_repaired_both_ways() -> None:
    """ "LÖ" is TCVN3 for "Lệ" (no capital code) and VNI for "LƯ": both are candidates."""
    candidates = {name_key(text) for text in repair_candidates("Lª Thu LÖ")}
    assert "lê thu lệ" in candidates
    assert "lư" in {name_key(text) for text in repair_candidates("LÖ")}
    assert "lệ" in {name_key(text) for text in repair_candidates("LÖ")}


def test_viqr_examples() -> None:
    assert encode_viqr("Nguyễn Văn Đặng") == "Nguye^~n Va(n DDa(.ng"
    assert repair_name("Nguye^~n Va(n DDa(.ng") == "Nguyễn Văn Đặng"
    assert repair_name("Tru+o+`ng") == "Trường"
    assert repair_name("Nguyen Van A.") == "Nguyen Van A."  # a full stop after an initial stays


def test_utf8_examples() -> None:
    assert encode_utf8_misread("Nguyễn") == "Nguyá»…n"
    assert encode_utf8_misread("Nguyễn", times=2) == "NguyÃ¡Â»â€¦n"
    assert repair_name("Nguyá»…n") == "Nguyễn"
    assert repair_name("NguyÃ¡Â»â€¦n") == "Nguyễn"


@pytest.mark.parametrize("char", sorted(LOOKALIKES))
def test_lookalikes_fold_to_their_letter(char: str) -> None:
    assert fold_name(f"a{char}b") == unicodedata.normalize("NFC", f"a{LOOKALIKES[char]}b")
    assert is_unclean(f"a{char}b")


@pytest.mark.parametrize("char", list(SPACES + INVISIBLE))
def test_spaces_and_invisible_characters(char: str) -> None:
    folded = fold_name(f"Lê{char}Văn")
    assert folded == ("Lê Văn" if char in SPACES else "LêVăn")
    assert name_key(f"Lê{char} Văn") == "lê văn"
    assert is_unclean(f"Lê{char}Văn")


def test_eth_for_d_with_stroke() -> None:
    assert name_key("ÐẶNG Văn An") == name_key("Đặng Văn An")
    assert name_key("\ufeffNguyễn\u00a0Văn\u200b An") == "nguyễn văn an"
    # Cyrillic е (U+0435) under a decomposed tone mark composes after folding
    assert name_key("Nguy\u0435\u0302\u0303n") == "nguyễn"
