"""Tests for the TCVN3 / VNI-Windows mojibake helpers."""

import unicodedata

import pytest

from popsync.domain.legacy_encodings import (
    TCVN3_TABLE,
    VNI_TABLE,
    LegacyEncoding,
    _byte_to_char,
    encode_mojibake,
    looks_like_mojibake,
    repair_mojibake,
)

ENCODINGS: tuple[LegacyEncoding, ...] = ("tcvn3", "vni")

# The 134 non-ASCII Vietnamese letters, written out independently of the module.
LOWER = "áàảãạ ăắằẳẵặ âấầẩẫậ đ éèẻẽẹ êếềểễệ íìỉĩị óòỏõọ ôốồổỗộ ơớờởỡợ úùủũụ ưứừửữự ýỳỷỹỵ".replace(" ", "")
LETTERS = LOWER + LOWER.upper()
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"  # the only capitals TCVN3 has codes for

# Reference: XFree86/libiconv tcvn.h (TCVN 5712 VN1), bytes 0xA0-0xFF. TCVN3 (VN3) shares
# every lower-case letter and the 7 capitals above; VN1's extra capitals are not in VN3.
X11_TCVN_A0_FF = [
    0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110,
    0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0,
    0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3,
    0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4,
    0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7,
    0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD,
    0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC,
    0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2,
    0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7,
    0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9,
    0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,
    0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,
]  # fmt: skip

# Reference: Unikey/VnConv data.cpp DoubleByteTables "VNI-WIN" (low byte = base letter,
# high byte = mark); per row: X x X' x' X` x` X? x? X~ x~ X. x.
UNIKEY_VNI_WIN = {
    "a": [0x0041, 0x0061, 0xD941, 0xF961, 0xD841, 0xF861, 0xDB41, 0xFB61, 0xD541, 0xF561, 0xCF41, 0xEF61],
    "â": [0xC241, 0xE261, 0xC141, 0xE161, 0xC041, 0xE061, 0xC541, 0xE561, 0xC341, 0xE361, 0xC441, 0xE461],
    "ă": [0xCA41, 0xEA61, 0xC941, 0xE961, 0xC841, 0xE861, 0xDA41, 0xFA61, 0xDC41, 0xFC61, 0xCB41, 0xEB61],
    "e": [0x0045, 0x0065, 0xD945, 0xF965, 0xD845, 0xF865, 0xDB45, 0xFB65, 0xD545, 0xF565, 0xCF45, 0xEF65],
    "ê": [0xC245, 0xE265, 0xC145, 0xE165, 0xC045, 0xE065, 0xC545, 0xE565, 0xC345, 0xE365, 0xC445, 0xE465],
    "i": [0x0049, 0x0069, 0x00CD, 0x00ED, 0x00CC, 0x00EC, 0x00C6, 0x00E6, 0x00D3, 0x00F3, 0x00D2, 0x00F2],
    "o": [0x004F, 0x006F, 0xD94F, 0xF96F, 0xD84F, 0xF86F, 0xDB4F, 0xFB6F, 0xD54F, 0xF56F, 0xCF4F, 0xEF6F],
    "ô": [0xC24F, 0xE26F, 0xC14F, 0xE16F, 0xC04F, 0xE06F, 0xC54F, 0xE56F, 0xC34F, 0xE36F, 0xC44F, 0xE46F],
    "ơ": [0x00D4, 0x00F4, 0xD9D4, 0xF9F4, 0xD8D4, 0xF8F4, 0xDBD4, 0xFBF4, 0xD5D4, 0xF5F4, 0xCFD4, 0xEFF4],
    "u": [0x0055, 0x0075, 0xD955, 0xF975, 0xD855, 0xF875, 0xDB55, 0xFB75, 0xD555, 0xF575, 0xCF55, 0xEF75],
    "ư": [0x00D6, 0x00F6, 0xD9D6, 0xF9F6, 0xD8D6, 0xF8F6, 0xDBD6, 0xFBF6, 0xD5D6, 0xF5F6, 0xCFD6, 0xEFF6],
    "y": [0x0059, 0x0079, 0xD959, 0xF979, 0xD859, 0xF879, 0xDB59, 0xFB79, 0xD559, 0xF579, 0x00CE, 0x00EE],
}  # fmt: skip
MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")

NAMES = [
    "Nguyễn Văn Hoà",
    "Trần Thị Thuỷ",
    "Đặng Ngọc Ánh",
    "Huỳnh Đức Khoẻ",
    "Ưng Thị Ơn",
    "Lê Quý Đôn",
    "Phạm Văn Đức",
    "Nguyễn Thị Hòa",
    "Lê Thị Thuý",
    "Hoàng Minh Tuấn",
    "Võ Thị Sáu",
    "Bùi Xuân Phái",
    "Đỗ Mười",
    "Phan Bội Châu",
    "Ngô Bảo Châu",
    "Trịnh Công Sơn",
    "Dương Thu Hương",
    "Hồ Xuân Hương",
    "Lý Thường Kiệt",
    "Tôn Nữ Thị Ninh",
    "Vũ Trọng Phụng",
    "Đoàn Thị Điểm",
    "Nguyễn Ái Quốc",
    "Trương Mỹ Hoa",
    "Lương Thế Vinh",
    "Quách Tuấn Khanh",
    "Giáp Văn Cương",
    "Ỷ Lan",
    "Ông Ích Khiêm",
    "Âu Cơ",
    "Yết Kiêu",
    "Ứng Hoà",
    "Mai Hắc Đế",
    "Huyền Trân",
    "Tạ Quang Bửu",
    "Cao Bá Quát",
    "NGUYỄN THỊ MINH KHAI",
    "TRẦN HƯNG ĐẠO",
    "ĐẶNG NGỌC ÁNH",
    "HUỲNH ĐỨC KHOẺ",
    "ĐINH BỘ LĨNH",
    "nguyễn văn hoà",
    "trần thị thuỷ",
    "lê quý đôn",
]

TEXTS = [
    "Cộng hòa Xã hội Chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Tôi yêu tiếng nước tôi từ khi mới ra đời, người ơi!",
    "Số 12 đường Nguyễn Trãi, phường Bến Thành, quận 1, TP. Hồ Chí Minh",
    "Thôn Đông, xã Quỳnh Lưu, huyện Quỳnh Phụ, tỉnh Thái Bình",
    "Ủy ban nhân dân tỉnh Đắk Lắk",
    "Ngày sinh: 01/02/1985; Nơi sinh: Hà Nội",
    "ĐƠN XIN XÁC NHẬN TẠM TRÚ",
    "Họ và tên: NGUYỄN VĂN A",
    "ánh sáng mặt trời",
]

GENUINE = [
    *NAMES,
    *TEXTS,
    "Lê Hà",  # Latin-1-only Vietnamese: most at risk of being "repaired"
    "Hoàng Yên",
    "Tôn Hoài",
    "Hoà",
    "Bà Rá",
    "Lý",
    "Ý",
    "José Müller",  # foreign Latin-1 text that is not Vietnamese at all
    "Café crème",
    "François Noël",
    "Où est Zoë?",
    "Ñuñoa, São Paulo",
    "25°C ± 2",
    "Nguyễn Văn A ViÖt",  # holds a non-Latin-1 letter, so it cannot be mojibake
]


def legacy_bytes(text: str, encoding: LegacyEncoding) -> bytes:
    """Raw legacy bytes of *text* (ASCII and Vietnamese letters only)."""
    table = TCVN3_TABLE if encoding == "tcvn3" else VNI_TABLE
    return b"".join(table[c] if c in table else c.encode("ascii") for c in unicodedata.normalize("NFC", text))


# --- tables ------------------------------------------------------------------------------


def test_alphabet_is_complete() -> None:
    assert len(LETTERS) == len(set(LETTERS)) == 134
    assert set(TCVN3_TABLE) == set(VNI_TABLE) == set(LETTERS)
    assert all(unicodedata.is_normalized("NFC", letter) for letter in LETTERS)


@pytest.mark.parametrize("letter", LOWER + TCVN3_CAPITALS)
def test_tcvn3_matches_libiconv_reference(letter: str) -> None:
    byte = X11_TCVN_A0_FF.index(ord(letter)) + 0xA0
    assert TCVN3_TABLE[letter] == bytes([byte])


@pytest.mark.parametrize("letter", [c for c in LOWER.upper() if c not in TCVN3_CAPITALS])
def test_tcvn3_capitals_without_code_use_lower_case_byte(letter: str) -> None:
    assert TCVN3_TABLE[letter] == TCVN3_TABLE[letter.lower()]
    assert encode_mojibake(letter, "tcvn3") == encode_mojibake(letter.lower(), "tcvn3")


@pytest.mark.parametrize(("vowel", "mark"), [(v, m) for v in UNIKEY_VNI_WIN for m in range(6)])
def test_vni_matches_unikey_reference(vowel: str, mark: int) -> None:
    lower = unicodedata.normalize("NFC", vowel + MARKS[mark])
    for letter, word in (
        (lower.upper(), UNIKEY_VNI_WIN[vowel][2 * mark]),
        (lower, UNIKEY_VNI_WIN[vowel][2 * mark + 1]),
    ):
        expected = bytes([word & 0xFF]) + (bytes([word >> 8]) if word >> 8 else b"")
        if letter.isascii():
            assert expected == letter.encode("ascii")
        else:
            assert VNI_TABLE[letter] == expected


def test_vni_d_with_stroke() -> None:
    assert (VNI_TABLE["đ"], VNI_TABLE["Đ"]) == (b"\xf1", b"\xd1")


# --- encode_mojibake -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("Xin chào", "tcvn3", "Xin chµo"),
        ("Xin chào", "vni", "Xin chaøo"),
        ("Việt", "vni", "Vieät"),
        ("ệ", "vni", "eä"),
        ("Nguyễn", "tcvn3", "NguyÔn"),
        ("Nguyễn", "vni", "Nguyeãn"),
        ("Đặng", "tcvn3", "§Æng"),
        ("Đặng", "vni", "Ñaëng"),
        ("ĐƯỜNG", "vni", "ÑÖÔØNG"),
        ("Lưu", "tcvn3", "L\xadu"),  # ư is 0xAD, a soft hyphen in cp1252
        ("Hello, world! 123", "tcvn3", "Hello, world! 123"),
        ("Hello, world! 123", "vni", "Hello, world! 123"),
        ("naïve – ok", "tcvn3", "naïve – ok"),  # non-Vietnamese characters pass through
    ],
)
def test_encode_known_examples(text: str, encoding: LegacyEncoding, expected: str) -> None:
    assert encode_mojibake(text, encoding) == expected


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("text", NAMES + TEXTS)
def test_encode_equals_cp1252_and_latin1_view_of_legacy_bytes(text: str, encoding: LegacyEncoding) -> None:
    raw = legacy_bytes(text, encoding)
    assert encode_mojibake(text, encoding) == raw.decode("cp1252") == raw.decode("latin-1")
    assert repair_mojibake(raw.decode("latin-1")) == text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encode_normalises_to_nfc_first(encoding: LegacyEncoding) -> None:
    decomposed = unicodedata.normalize("NFD", "Việt Nam")
    assert encode_mojibake(decomposed, encoding) == encode_mojibake("Việt Nam", encoding)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    assert [_byte_to_char(b) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)] == ["\x81", "\x8d", "\x8f", "\x90", "\x9d"]
    assert _byte_to_char(0x80) == "€"
    assert _byte_to_char(0xB5) == "µ"


def test_encode_rejects_unknown_encoding() -> None:
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        encode_mojibake("Việt", "viscii")  # type: ignore[arg-type]


# --- repair_mojibake: round trips -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("letter", LETTERS)
def test_round_trip_every_letter_in_context(letter: str, encoding: LegacyEncoding) -> None:
    # In a lower- or upper-case context, even TCVN3 letters without a capital code
    # come back in the right case.
    text = f"việt {letter}" if letter.islower() else f"VIỆT {letter}"
    assert repair_mojibake(encode_mojibake(text, encoding)) == text


# Lone letters whose VNI form is itself a genuine letter or syllable ("ó" is VNI ĩ,
# "oá" is VNI ố): nothing shows they are mojibake, so they are left alone.
VNI_AMBIGUOUS = "ĩĨịỊơƠốỐồỒỗỖ"


@pytest.mark.parametrize("letter", [c for c in LETTERS if c not in VNI_AMBIGUOUS])
def test_round_trip_every_lone_letter_vni(letter: str) -> None:
    assert repair_mojibake(encode_mojibake(letter, "vni")) == letter


@pytest.mark.parametrize("letter", VNI_AMBIGUOUS)
def test_lone_vni_letter_that_looks_genuine_is_left_alone(letter: str) -> None:
    mojibake = encode_mojibake(letter, "vni")
    assert repair_mojibake(mojibake) == mojibake


@pytest.mark.parametrize("letter", "ăâêôơưđ" + TCVN3_CAPITALS)
def test_round_trip_lone_tcvn3_letter_with_own_code(letter: str) -> None:
    assert repair_mojibake(encode_mojibake(letter, "tcvn3")) == letter


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", NAMES)
def test_round_trip_names(name: str, encoding: LegacyEncoding) -> None:
    mojibake = encode_mojibake(name, encoding)
    assert mojibake != name
    assert looks_like_mojibake(mojibake)
    assert repair_mojibake(mojibake) == name


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("text", TEXTS)
def test_round_trip_texts(text: str, encoding: LegacyEncoding) -> None:
    assert repair_mojibake(encode_mojibake(text, encoding)) == text


@pytest.mark.parametrize(
    ("mojibake", "expected"),
    [
        ("Xin chµo", "Xin chào"),
        ("Vieät Nam", "Việt Nam"),
        ("Anh cã ®i kh«ng", "Anh có đi không"),  # "cã" is only decoded alongside the others
        ("NGUYÔN V¡N ¸NH", "NGUYỄN VĂN ÁNH"),
        ("¸nh", "Ánh"),  # no case evidence: the first word is capitalised
        ("¸nh s¸ng", "ánh sáng"),  # lower-case evidence wins
    ],
)
def test_repair_known_examples(mojibake: str, expected: str) -> None:
    assert repair_mojibake(mojibake) == expected


# --- repair_mojibake: safety -----------------------------------------------------------------


@pytest.mark.parametrize("text", GENUINE)
def test_genuine_text_is_unchanged(text: str) -> None:
    assert repair_mojibake(text) == unicodedata.normalize("NFC", text)
    assert not looks_like_mojibake(text)


@pytest.mark.parametrize("text", ["", "Nguyen Van A", "hello world", "123-456/789", "  A.B.C  "])
def test_ascii_is_unchanged(text: str) -> None:
    assert repair_mojibake(text) == text
    assert encode_mojibake(text, "tcvn3") == encode_mojibake(text, "vni") == text
    assert not looks_like_mojibake(text)


def test_repair_returns_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hòa")
    assert repair_mojibake(decomposed) == "Nguyễn Thị Hòa"
    assert not looks_like_mojibake(decomposed)


@pytest.mark.parametrize(
    "text",
    [
        "Hoà",  # VNI of "Hồ", but also a genuine name
        "Khóc Thõa Dô",  # TCVN3 of "Khúc Thừa Dụ", but every word is a valid syllable
        "\x81\x8d €",  # control characters and symbols only
    ],
)
def test_ambiguous_or_symbol_only_text_is_left_alone(text: str) -> None:
    assert repair_mojibake(text) == text
