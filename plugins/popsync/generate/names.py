"""Vietnamese personal names: frequency tables, tone-mark styles and name transforms."""

import re
import unicodedata
from typing import Final

import numpy as np


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _table(spec: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Parse ``"Name:weight Name:weight ..."`` into names and normalised probabilities."""
    names: list[str] = []
    weights: list[float] = []
    for item in spec.split():
        name, _, weight = item.partition(":")
        names.append(_nfc(name))
        weights.append(float(weight or 1))
    probabilities = np.asarray(weights, dtype=np.float64)
    return tuple(names), probabilities / probabilities.sum()


# Surname shares: ../shared/DOMAIN.md ("Nguyễn ~38%, Trần ~12%, Lê ~9.5%, Phạm ~7%, Hoàng/Huỳnh
# ~5%, Phan ~4.5%, Vũ/Võ ~4%, then Đặng, Bùi, Đỗ, Hồ, Ngô ~1.3-2% each"); the long tail is an
# assumption (rarer surnames with small weights so that the listed shares hold).
SURNAMES, SURNAME_P = _table(
    """
    Nguyễn:38 Trần:12 Lê:9.5 Phạm:7 Hoàng:2.7 Huỳnh:2.3 Phan:4.5 Vũ:2.1 Võ:1.9
    Đặng:2 Bùi:2 Đỗ:1.6 Hồ:1.5 Ngô:1.4 Dương:1.2 Lý:0.8 Đào:0.8 Đinh:0.8 Mai:0.6
    Trịnh:0.6 Trương:0.8 Lâm:0.5 Lương:0.5 Phùng:0.3 Tô:0.3 Tạ:0.3 Cao:0.4
    Châu:0.3 Quách:0.2 Hà:0.5 La:0.15 Thái:0.2 Lưu:0.3 Kiều:0.15 Chu:0.2 Đoàn:0.5
    Vương:0.2 Triệu:0.2 Doãn:0.08 Tăng:0.1 Khúc:0.05 Lại:0.15 Mạc:0.08 Nông:0.2
    Phí:0.06 Hứa:0.08 Giang:0.08 Thân:0.08 Âu:0.05 Diệp:0.06 Lục:0.06 Ông:0.05
    Từ:0.06 Khổng:0.03 Kim:0.06 Quan:0.06 Tống:0.08 Văn:0.05 Hầu:0.03 Mẫn:0.03
    """
)

# Middle names: DOMAIN.md names Văn (men), Thị and Ngọc (women), Minh, Hoàng, Thanh, Đức as the
# common ones; the weights below are those of people born 1980-1999, and COHORT_MIDDLE scales Văn
# and Thị by birth cohort (an assumption: both fell out of fashion for children born since the
# 1990s, while nearly every woman born before 1960 is "Thị").
MALE_MIDDLE, MALE_MIDDLE_P = _table("Văn:45 Minh:10 Đức:8 Quang:7 Hữu:7 Hoàng:6 Thanh:6 Công:4 Quốc:4 Ngọc:2 Xuân:1")
FEMALE_MIDDLE, FEMALE_MIDDLE_P = _table("Thị:55 Ngọc:12 Thu:8 Thanh:8 Minh:5 Kim:4 Thúy:3 Hồng:3 Phương:2")
# Second middle name of four-word names.
MALE_MIDDLE2, MALE_MIDDLE2_P = _table(
    "Minh:3 Quốc:2 Đức:2 Hoàng:2 Gia:2 Bảo:2 Thành:1 Anh:2 Tuấn:1 Nhật:1 Trọng:1 Thế:1"
)
FEMALE_MIDDLE2, FEMALE_MIDDLE2_P = _table(
    """
    Thu:3 Thanh:3 Minh:2 Ngọc:3 Bảo:2 Phương:2 Hồng:2 Kim:2 Mai:1 Thúy:2 Khánh:1
    Diệu:1 Hoài:1 Mỹ:2 Tuyết:1 Xuân:1 Cẩm:1 Kiều:1 Lan:1 Quỳnh:1 Hải:1 Thủy:1
    """
)

MALE_GIVEN, MALE_GIVEN_P = _table(
    """
    An:2 Anh:4 Bảo:2 Bình:3 Cường:3 Chiến:1 Công:1 Dũng:4 Duy:2 Dương:1 Đạt:3 Đức:3
    Đông:1 Định:1 Giang:1 Hải:4 Hào:1 Hậu:1 Hiếu:2 Hiệp:1 Hòa:3 Hoàng:3 Hùng:4 Huy:3
    Hưng:3 Khang:1 Khánh:2 Khoa:2 Khỏe:0.3 Kiên:1 Lâm:1 Lực:1 Long:3 Lộc:1 Luân:1 Minh:5
    Nam:4 Nghĩa:2 Nhân:1 Phát:1 Phong:2 Phúc:2 Quân:2 Quang:2 Quý:1 Sơn:3 Tài:1 Tâm:1
    Tân:1 Thái:1 Thắng:3 Thành:4 Thiện:1 Thịnh:1 Thông:1 Thụy:0.5 Tiến:2 Toàn:2 Trí:1
    Trọng:1 Trung:3 Tú:1 Tuấn:4 Tùng:2 Việt:2 Vinh:2 Vũ:2 Thủy:0.3 Lợi:1 Nhật:1 Khôi:1
    """
)
FEMALE_GIVEN, FEMALE_GIVEN_P = _table(
    """
    Anh:4 Ánh:1 Châu:1 Chi:2 Diệp:1 Diễm:1 Dung:2 Duyên:2 Giang:2 Hà:4 Hạnh:2 Hằng:3
    Hiền:3 Hoa:3 Hòa:2 Hồng:2 Hương:4 Hường:1 Huyền:3 Khánh:1 Lan:3 Liên:2 Linh:4
    Loan:2 Ly:1 Mai:3 My:2 Nga:3 Ngân:2 Ngọc:3 Nhàn:1 Nhung:2 Nhi:2 Oanh:2 Phương:3
    Phượng:1 Quyên:1 Quỳnh:2 Tâm:2 Thảo:4 Thắm:1 Thanh:2 Thơ:1 Thu:2 Thúy:3 Thủy:3
    Thụy:0.5 Thư:2 Trang:4 Trâm:1 Trinh:1 Tuyết:2 Uyên:2 Vân:2 Vy:2 Xuân:1 Yến:2 Hạ:1
    Khuê:1 Ngà:1 Lệ:1 Nhã:1 Như:1
    """
)

# Old-style (hòa, thúy) and new-style (hoà, thuý) tone placement in open syllables.
_TONES: Final = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_PAIRS: Final = (("o", "a"), ("o", "e"), ("u", "y"))


def _style_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for first, second in _PAIRS:
        for tone in _TONES:
            for capital in (False, True):
                head = first.upper() if capital else first
                old = _nfc(head + tone) + second
                new = head + _nfc(second + tone)
                pairs[old] = new
    return pairs


OLD_TO_NEW: Final[dict[str, str]] = _style_pairs()
NEW_TO_OLD: Final[dict[str, str]] = {new: old for old, new in OLD_TO_NEW.items()}
# Only word-final open syllables and not after "q" (quý, quỳnh keep their form).
_OLD_RE: Final = re.compile(r"(?<![qQ])(" + "|".join(OLD_TO_NEW) + r")(?!\w)")
_NEW_RE: Final = re.compile(r"(?<![qQ])(" + "|".join(NEW_TO_OLD) + r")(?!\w)")
_KEY_RE: Final = re.compile("|".join(OLD_TO_NEW))


def to_new_style(name: str) -> str:
    """Rewrite old-style tone placement (hòa, thúy) to the new style (hoà, thuý)."""
    return _OLD_RE.sub(lambda match: OLD_TO_NEW[match.group(1)], name)


def to_old_style(name: str) -> str:
    """Rewrite new-style tone placement (hoà, thuý) to the old style (hòa, thúy)."""
    return _NEW_RE.sub(lambda match: NEW_TO_OLD[match.group(1)], name)


def toggle_tone_style(name: str) -> str:
    """Switch every affected syllable to the other tone-mark style (no change if none)."""
    new = to_new_style(name)
    return new if new != name else to_old_style(name)


def strip_diacritics(name: str) -> str:
    """Drop every diacritic and map đ/Đ to d/D (NFC result)."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_SPACE_RE: Final = re.compile(r"\s+")
_CONTROL_RE: Final = re.compile("[\x00-\x1f\x7f-\x9f]")


def name_key(name: str) -> str:
    """The rules' name key of a name the generator drew (NFC, control chars to spaces, lower, collapsed
    spaces, new style); the generator's own names carry no look-alikes, so nothing is folded."""
    text = _CONTROL_RE.sub(" ", _nfc(name))
    text = _SPACE_RE.sub(" ", text.lower()).strip()
    return _KEY_RE.sub(lambda match: OLD_TO_NEW[match.group(0)], text)


def strip_key(name: str) -> str:
    """The name key without diacritics (for the NAME_DIACRITICS comparison)."""
    return strip_diacritics(name_key(name))


def styled_tables(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Object arrays of the names in old style and in new style (same order)."""
    old = np.array([to_old_style(name) for name in names], dtype=object)
    new = np.array([to_new_style(name) for name in names], dtype=object)
    return old, new


# --- names by birth cohort -------------------------------------------------------------

COHORT_START_YEARS: Final = (1960, 1980, 2000)
"""Cohorts: born before 1960, 1960-1979, 1980-1999, 2000 and later."""

COHORT_MIDDLE: Final = {"Văn": (2.0, 1.4, 1.0, 0.45), "Thị": (3.0, 1.8, 1.0, 0.35)}
"""Weight multiplier of Văn (men) and Thị (women) per cohort (assumption, see the middle-name table)."""

FOUR_WORDS: Final = ((0.03, 0.05, 0.10, 0.20), (0.30, 0.50, 0.75, 0.85))
"""Share of four-word names per cohort, men then women. DOMAIN.md: "most men's names have 3 words;
about two-thirds of women's names have 4" — over the age pyramid these shares give about 0.65 for
women; that the share grows for younger cohorts is an assumption (four-word names are a fashion)."""

_TRADITIONAL_NAMES: Final = """
    Hùng Dũng Thắng Sơn Hải Bình Cường Chiến Lực Lợi Hòa Thành Trung Tuấn Nam Long Hậu Tân Định Đông Lâm
    Hoa Lan Hương Hạnh Hằng Nga Dung Loan Liên Nhung Oanh Thắm Tuyết Hường Thủy Hồng Xuân Mai Nhàn Hà
"""
_MODERN_NAMES: Final = """
    Khang Khôi Bảo Phát Nhật Quân Khoa Duy Huy Hiếu Phúc Tú Vũ Việt
    Nhi Vy My Ngân Trâm Uyên Khánh Linh Thư Quỳnh Như Hạ Khuê Diệp Châu Chi Thảo Trang
"""
TRADITIONAL: Final = frozenset(_nfc(name) for name in _TRADITIONAL_NAMES.split())
MODERN: Final = frozenset(_nfc(name) for name in _MODERN_NAMES.split())
ERA_WEIGHT: Final = {"traditional": (3.0, 2.0, 1.0, 0.35), "modern": (0.25, 0.5, 1.5, 3.0)}
"""Naming fashions (assumption): given names of the older generation are three times as frequent
among people born before 1960 and rare among children; names in fashion since the 1990s the reverse.
Without them, name, birth date and gender would be independent and twins too rare among the young."""


def cohort_of(birth_year: np.ndarray) -> np.ndarray:
    """Cohort index 0-3 of each birth year."""
    return np.searchsorted(np.asarray(COHORT_START_YEARS), birth_year, side="right")


def cohort_weights(names: tuple[str, ...], p: np.ndarray, cohort: int) -> np.ndarray:
    """The table's probabilities for one cohort (middle-name and given-name fashions applied)."""
    scale = np.array(
        [
            COHORT_MIDDLE[name][cohort]
            if name in COHORT_MIDDLE
            else ERA_WEIGHT["traditional"][cohort]
            if name in TRADITIONAL
            else ERA_WEIGHT["modern"][cohort]
            if name in MODERN
            else 1.0
            for name in names
        ]
    )
    weights = p * scale
    return np.asarray(weights / weights.sum())
