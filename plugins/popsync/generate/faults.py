"""Single-value faults: how sector data garbles an ID, a name, a birth date."""

import calendar
import datetime
import random
from typing import Final

from popsync.domain.id_suggestions import LETTER_DIGITS
from popsync.generate.formats import format_date
from popsync.generate.names import FEMALE_GIVEN, MALE_GIVEN, strip_key
from popsync.sectors.model import DateFormat

_SEPARATORS: Final = (" ", ".", "-", "\u00a0")
UNKNOWN_PROVINCES: Final = ("000", "003", "097", "099")
GARBAGE_DATES: Final = ("không rõ", "N/A", "??/??/????", "chua ro", "x")


def format_id(text: str, rnd: random.Random) -> str:
    """Insert separators or surrounding spaces (the normalised ID is unchanged)."""
    variant = rnd.randrange(5)
    if variant == 0:
        return f" {text} "
    separator = _SEPARATORS[variant - 1]
    if len(text) == 12 and separator == " ":
        return f"{text[:3]} {text[3:6]} {text[6:]}"  # 001 085 012345
    return separator.join(text[i : i + 3] for i in range(0, len(text), 3))


def invalid_id(national_id: str, rnd: random.Random) -> str:
    """An ID of kind ``invalid``: a dropped digit, a letter for a digit, or an unknown province."""
    variant = rnd.randrange(3)
    if variant == 0:
        position = rnd.randrange(12)
        return national_id[:position] + national_id[position + 1 :]
    if variant == 1:
        positions = [i for i, char in enumerate(national_id) if char in "01"] or list(range(12))
        position = rnd.choice(positions)
        letter = {"0": "O", "1": "l"}.get(national_id[position], rnd.choice("Ol"))
        return national_id[:position] + letter + national_id[position + 1 :]
    return rnd.choice(UNKNOWN_PROVINCES) + national_id[3:]


_DIGIT_LETTERS: Final = {"0": "O", "1": "l", "5": "S", "8": "B"}
# Cyrillic letters that look like Latin ones (the rules' look-alike family; the generator's own list).
_CYRILLIC: Final = dict(zip("aeopcyxABEKMHOPCTX", "аеорсухАВЕКМНОРСТХ", strict=True))
_D_STROKE: Final = {"Đ": ("\u00d0", "\u0189"), "đ": ("\u00f0", "\u0256")}
_INVISIBLE_INSERTS: Final = ("\u200b", "\ufeff", "\u200d", "\u00ad", "\u2060")
_SPACE_SWAPS: Final = ("\u00a0", "\u3000", "\u2009", "\u202f", "\u2002")


def drop_leading_zeros(national_id: str) -> str:
    """The ID as a spreadsheet shows it after reading it as a number."""
    return national_id.lstrip("0") or "0"


def letters_for_digits(national_id: str, rnd: random.Random) -> str | None:
    """One or two digits replaced by letters that look alike (None if no such digit)."""
    positions = [i for i, char in enumerate(national_id) if char in _DIGIT_LETTERS]
    if not positions:
        return None
    chosen = rnd.sample(positions, min(len(positions), rnd.choice((1, 2))))
    text = "".join(_DIGIT_LETTERS[c] if i in chosen else c for i, c in enumerate(national_id))
    assert all(LETTER_DIGITS.get(c, c) == d for c, d in zip(text, national_id, strict=True))
    return text


def lookalike(name: str, rnd: random.Random) -> str:
    """Ð/Ɖ for Đ (or ð/ɖ for đ), else a Cyrillic letter for a Latin one that looks the same."""
    for letter, options in _D_STROKE.items():
        if letter in name:
            return name.replace(letter, rnd.choice(options), 1)
    positions = [i for i, char in enumerate(name) if char in _CYRILLIC]
    if not positions:
        return name
    i = rnd.choice(positions)
    return name[:i] + _CYRILLIC[name[i]] + name[i + 1 :]


def invisible(name: str, rnd: random.Random) -> str:
    """A space made no-break/ideographic/thin, or a zero-width character, BOM or soft hyphen inserted."""
    if " " in name and rnd.random() < 0.5:
        spaces = [i for i, char in enumerate(name) if char == " "]
        i = rnd.choice(spaces)
        return name[:i] + rnd.choice(_SPACE_SWAPS) + name[i + 1 :]
    char = rnd.choice(_INVISIBLE_INSERTS)
    i = 0 if char == "\ufeff" else rnd.randrange(1, max(2, len(name)))
    return name[:i] + char + name[i:]


def change_given_name(name: str, female: bool, rnd: random.Random) -> str:
    """Replace the given name (last word) by another one that differs without diacritics."""
    head, _, given = name.rpartition(" ")
    pool = FEMALE_GIVEN if female else MALE_GIVEN
    plain = strip_key(given)
    while True:
        candidate = rnd.choice(pool)
        if strip_key(candidate) != plain:
            return f"{head} {candidate}" if head else candidate


def garble_spacing(name: str, rnd: random.Random) -> str:
    """Double a space, or add a leading or trailing space."""
    variant = rnd.randrange(3)
    if variant == 0 and " " in name:
        words = name.split(" ")
        cut = rnd.randrange(1, len(words))
        return " ".join(words[:cut]) + "  " + " ".join(words[cut:])
    return " " + name if variant == 1 else name + " "


def years_back(year: int, month: int, day: int, years: int) -> tuple[int, int, int]:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    target = year - years
    if month == 2 and day == 29 and not calendar.isleap(target):
        day = 28
    return target, month, day


def invalid_birth_date(
    day_format: DateFormat, year: int, month: int, day: int, as_of: datetime.date, rnd: random.Random
) -> str:
    """An impossible date, garbage text, or a date after ``as_of`` (all ``DOB_INVALID``)."""
    variant = rnd.randrange(4)
    if variant == 0:
        return format_date(day_format, year, 2, rnd.choice((30, 31)))
    if variant == 1:
        return format_date(day_format, year, 13, day)
    if variant == 2:
        return rnd.choice(GARBAGE_DATES)
    future = as_of + datetime.timedelta(days=rnd.randrange(400, 1100))
    return format_date(day_format, future.year, future.month, future.day)
