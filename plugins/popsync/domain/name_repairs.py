"""Every encoding accident of Vietnamese names, how to produce it and how to undo it.

Families (``docs/reconciliation-rules.md`` shows an example of each):

* ``tcvn3`` / ``vni``: legacy 8-bit bytes read as Windows-1252 (see ``legacy_encodings``);
  TCVN3 also with capitals written with the lower-case codes.
* ``viqr``: the 7-bit VIQR convention (``Nguye^~n``): ``( ^ +`` for the vowel shapes,
  ``' ` ? ~ .`` for the tones, ``dd`` for ``đ``.
* ``cp1258``: Windows-1258 bytes (letters composed where the code page has them, or every
  tone as a combining byte) read as Windows-1252 or Latin-1 (``NguyêÞn``).
* ``utf8``: UTF-8 bytes read as Windows-1252 or Latin-1, once or twice (``Nguyá»…n``).

Look-alike characters (``Ð`` U+00D0 for ``Đ``, Cyrillic and Greek letters that look Latin,
full-width letters) and white space or invisible characters (no-break, zero-width, BOM,
ideographic space, ...) are not encodings: the name key folds them (``fold_name``).

:func:`repair_candidates` gives every way a text could be repaired (the reconcile step keeps
the one equal to the register's name); :func:`repair_name` picks the most plausible one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final, Literal

from popsync.domain.legacy_encodings import (
    _CHAR_TO_BYTE,
    _byte_to_char,
    _is_valid_word,
    decode_each,
    repair_mojibake,
)

__all__ = [
    "INVISIBLE",
    "LOOKALIKES",
    "SPACES",
    "EncodingFamily",
    "encode_cp1258",
    "encode_utf8_misread",
    "encode_viqr",
    "fold_name",
    "is_unclean",
    "repair_candidates",
    "repair_name",
]

EncodingFamily = Literal["tcvn3", "vni", "viqr", "cp1258", "utf8"]

# --- look-alikes, spaces and invisible characters ------------------------------------

_LOOKALIKE_PAIRS: Final = (
    # D with stroke look-alikes: Latin Eth, African D, their small forms
    ("\u00d0", "Đ"),
    ("\u0189", "Đ"),
    ("\u00f0", "đ"),
    ("\u0256", "đ"),
    # Cyrillic capitals and smalls that look Latin
    *zip("АВЕКМНОРСТХІЈЅУ", "ABEKMHOPCTXIJSY", strict=True),
    *zip("аеорсухіјѕԁ", "aeopcyxijsd", strict=True),
    # Greek capitals and smalls that look Latin
    *zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True),
    *zip("ο", "o", strict=True),
    # full-width Latin letters
    *((chr(0xFF21 + i), chr(0x41 + i)) for i in range(26)),
    *((chr(0xFF41 + i), chr(0x61 + i)) for i in range(26)),
)
LOOKALIKES: Final[dict[str, str]] = dict(_LOOKALIKE_PAIRS)
"""Look-alike character -> the Vietnamese/Latin letter it stands for."""

SPACES: Final = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
"""Unicode white space beyond the ASCII one (read as a space)."""

INVISIBLE: Final = (
    "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
"""Invisible characters (zero-width, joiners, BOM, soft hyphen, direction marks): dropped."""

_FOLD_TABLE: Final = str.maketrans({**LOOKALIKES, **dict.fromkeys(SPACES, " "), **dict.fromkeys(INVISIBLE, None)})
_UNCLEAN_RE: Final = re.compile("[" + re.escape("".join(LOOKALIKES) + SPACES + INVISIBLE) + "]")


def fold_name(text: str) -> str:
    """Invisible characters dropped, other spaces made ASCII, look-alikes replaced; NFC."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).translate(_FOLD_TABLE))


# --- VIQR ---------------------------------------------------------------------------

_VIQR_SHAPES: Final = {"\u0306": "(", "\u0302": "^", "\u031b": "+"}
_VIQR_TONES: Final = {"\u0301": "'", "\u0300": "`", "\u0309": "?", "\u0303": "~", "\u0323": "."}
_SHAPE_OF: Final = {"(": "\u0306", "^": "\u0302", "+": "\u031b", "*": "\u031b"}
_TONE_OF: Final = {mark: char for char, mark in _VIQR_TONES.items()}
_VIQR_RE: Final = re.compile(r"([aeiouyAEIOUY])([(^+*]?)(['`?~.]?)|([dD])([dD])")
_VIQR_HINT: Final = re.compile(r"[aeiouyAEIOUY][(^+*'`?~.]|[dD][dD]")


def encode_viqr(text: str) -> str:
    """Write *text* in VIQR (``"Nguyễn"`` -> ``"Nguye^~n"``, ``"Đặng"`` -> ``"DDa(.ng"``)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
            continue
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        if not marks or base not in "aeiouyAEIOUY":
            out.append(char)
            continue
        shape = "".join(_VIQR_SHAPES.get(mark, "") for mark in marks)
        tone = "".join(_VIQR_TONES.get(mark, "") for mark in marks)
        out.append(base + shape + tone)
    return "".join(out)


def _decode_viqr(text: str) -> str:
    def letter(match: re.Match[str]) -> str:
        if match.group(4):
            return "Đ" if match.group(4) == "D" else "đ"
        base, shape, tone = match.group(1), match.group(2), match.group(3)
        return unicodedata.normalize("NFC", base + _SHAPE_OF.get(shape, "") + _TONE_OF.get(tone, ""))

    return _VIQR_RE.sub(letter, text)


# --- Windows-1258 ---------------------------------------------------------------------

_CP1258_TONES: Final = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str, *, decomposed: bool, latin1: bool = False) -> str:
    """*text* as Windows-1258 bytes read as Windows-1252 (or Latin-1).

    Composed: a letter the code page has is one byte, others are the base plus a
    combining tone byte. Decomposed: every tone is a combining byte.
    """
    data = bytearray()
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in parts[1:] if mark in _CP1258_TONES)
        base = unicodedata.normalize("NFC", "".join(mark for mark in parts if mark not in _CP1258_TONES))
        try:
            if decomposed and tones:
                raise UnicodeEncodeError("cp1258", char, 0, 1, "decomposed")
            data += char.encode("cp1258")
        except UnicodeEncodeError:
            try:
                data += (base + tones).encode("cp1258")
            except UnicodeEncodeError:
                data += b"?"
    return "".join(chr(byte) if latin1 else _byte_to_char(byte) for byte in data)


# --- UTF-8 read as a single-byte code page ---------------------------------------------


def encode_utf8_misread(text: str, *, times: int = 1, latin1: bool = False) -> str:
    """*text* as UTF-8 bytes read as Windows-1252 (or Latin-1), ``times`` times."""
    for _ in range(times):
        text = "".join(chr(byte) if latin1 else _byte_to_char(byte) for byte in text.encode("utf-8"))
    return text


def _to_bytes(text: str) -> bytes | None:
    try:
        return bytes(_CHAR_TO_BYTE[char] for char in text)
    except KeyError:
        return None


def _utf8_repairs(text: str) -> list[str]:
    out: list[str] = []
    for _ in range(3):
        data = _to_bytes(text)
        if data is None or data.isascii():
            break
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            break
        out.append(text)
    return out


def _cp1258_repair(text: str) -> str | None:
    data = _to_bytes(text)
    if data is None or data.isascii():
        return None
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None


# --- public API -----------------------------------------------------------------------


def _candidates(text: str) -> list[tuple[EncodingFamily, str]]:
    found: list[tuple[EncodingFamily, str]] = []
    if text.isascii():
        if _VIQR_HINT.search(text):
            found.append(("viqr", _decode_viqr(text)))
        return found
    if _to_bytes(text) is None:
        return found  # holds a character no single-byte reading produces
    found += [("utf8", repaired) for repaired in _utf8_repairs(text)]
    for encoding, decoded in decode_each(text):
        found.append((encoding, decoded))
    if (cp1258 := _cp1258_repair(text)) is not None:
        found.append(("cp1258", cp1258))
    return found


def repair_candidates(text: str) -> list[str]:
    """Every distinct repair of *text* (NFC) under each family; empty when none applies.

    The caller compares them with the register's name: a name is ``NAME_ENCODING`` when
    one of them has the register name's key.
    """
    return list(_repair_candidates(text))


@functools.lru_cache(maxsize=1 << 16)
def _repair_candidates(text: str) -> tuple[str, ...]:
    nfc = unicodedata.normalize("NFC", text)
    seen: dict[str, None] = {}
    for _, candidate in _candidates(nfc):
        candidate = unicodedata.normalize("NFC", candidate)
        if candidate != nfc:
            seen.setdefault(candidate)
    return tuple(seen)


_LETTER_RUN: Final = re.compile(r"[^\W\d_]+")


def _invalid_words(text: str) -> int:
    return sum(not _is_valid_word(word) for word in _LETTER_RUN.findall(text))


def _plausible_viqr(text: str) -> str | None:
    """The VIQR reading of ASCII *text* when it makes a real Vietnamese syllable, else None."""
    decoded = _decode_viqr(text)
    if decoded == text or _invalid_words(decoded):
        return None
    words = _LETTER_RUN.findall(decoded)
    return decoded if any(len(word) > 1 and not word.isascii() for word in words) else None


@functools.lru_cache(maxsize=1 << 16)  # names repeat a lot; the UDF sees each distinct one rarely
def repair_name(text: str) -> str:
    """The most plausible repair of *text* (NFC), or the text itself when it looks genuine.

    UTF-8 read as a single-byte code page decodes strictly and wins when it does; else the
    TCVN3/VNI rule of ``repair_mojibake`` or Windows-1258, whichever leaves fewer words that
    are not Vietnamese syllables (TCVN3/VNI on a tie; nothing unless it is fewer than before).
    ASCII text is read as VIQR when that gives only valid words, one of them a Vietnamese
    syllable with a diacritic.
    """
    nfc = unicodedata.normalize("NFC", text)
    if nfc.isascii():
        return (_plausible_viqr(nfc) if _VIQR_HINT.search(nfc) else None) or nfc
    utf8 = _utf8_repairs(nfc)
    if utf8:
        return unicodedata.normalize("NFC", utf8[-1])
    before = _invalid_words(nfc)
    options = [(before, 2, nfc)]
    legacy = repair_mojibake(nfc)
    if legacy != nfc:
        options.append((_invalid_words(legacy), 0, legacy))
    cp1258 = _cp1258_repair(nfc)
    if cp1258 is not None and cp1258 != nfc and _invalid_words(cp1258) < before:
        options.append((_invalid_words(cp1258), 1, cp1258))
    return min(options)[2]


def is_unclean(text: str) -> bool:
    """True when the name holds look-alikes, unusual spaces, invisible characters or an encoding accident."""
    return bool(_UNCLEAN_RE.search(text)) or repair_name(text) != unicodedata.normalize("NFC", text)
