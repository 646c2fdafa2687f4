"""Vietnamese legacy 8-bit encodings TCVN3 (ABC) and VNI-Windows.

Simulates the mojibake produced when Vietnamese text stored in TCVN3 or VNI
bytes is read as Windows-1252 (or Latin-1), e.g. ``"Xin chào"`` becomes
``"Xin chµo"`` (TCVN3) or ``"Xin chaøo"`` (VNI), and repairs such text.

Tables cross-checked against public references (all agree on every code
listed here; differences noted):

* TCVN3: Unikey/VnConv ``data.cpp`` (``SingleByteTables``, TCVN3, as shipped
  in fcitx/fcitx5-unikey), the XFree86/libiconv ``tcvn.h`` TCVN 5712 (VN1)
  table, and duydev/vietnamese-conversion ``src/charsets.ts``.
* VNI-Windows: Unikey/VnConv ``data.cpp`` (``DoubleByteTables``, VNI-WIN),
  lamdao/xvnkb ``vni.h`` and duydev/vietnamese-conversion ``src/charsets.ts``.

TCVN3 ("VN3", the ABC font encoding) only has separate codes for the capitals
Ă Â Ê Ô Ơ Ư Đ.  Capitals with a tone mark were rendered by switching to an
all-caps font (``.VnTimeH``) using the lower-case byte, so we encode such a
capital as the byte of its lower-case counterpart (the Unikey convention).
The VN1 variant of TCVN 5712 (libiconv ``TCVN``) puts those capitals in the
C0/C1 control ranges instead; legacy ABC data does not use them, so they are
neither produced nor decoded here.  On repair the case of those letters is
inferred from the surrounding letters (see :func:`repair_mojibake`).
"""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = [
    "TCVN3_TABLE",
    "VNI_TABLE",
    "LegacyEncoding",
    "decode_each",
    "encode_mojibake",
    "looks_like_mojibake",
    "repair_mojibake",
]

LegacyEncoding = Literal["tcvn3", "vni"]

# Tone marks in table column order: sắc, huyền, hỏi, ngã, nặng.
_TONE_MARKS: Final = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_VOWELS: Final = "aăâeêioôơuưy"

# TCVN3 bytes per lower-case vowel: (untoned or None if ASCII, sắc, huyền,
# hỏi, ngã, nặng).
_TCVN3_ROWS: Final[dict[str, tuple[int | None, int, int, int, int, int]]] = {
    "a": (None, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),
    "e": (None, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),
    "i": (None, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (None, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),
    "u": (None, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),
    "y": (None, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
_TCVN3_OTHERS: Final[dict[str, int]] = {
    "đ": 0xAE,
    "Ă": 0xA1,
    "Â": 0xA2,
    "Ê": 0xA3,
    "Ô": 0xA4,
    "Ơ": 0xA5,
    "Ư": 0xA6,
    "Đ": 0xA7,
}

# VNI-Windows sequences per lower-case vowel, written in their cp1252 view:
# (untoned, sắc, huyền, hỏi, ngã, nặng).  Capitals use the upper-case form of
# every byte (e.g. "Ấ" -> "AÁ"); đ/Đ is "ñ"/"Ñ".
_VNI_ROWS: Final[dict[str, tuple[str, str, str, str, str, str]]] = {
    "a": ("a", "aù", "aø", "aû", "aõ", "aï"),
    "ă": ("aê", "aé", "aè", "aú", "aü", "aë"),
    "â": ("aâ", "aá", "aà", "aå", "aã", "aä"),
    "e": ("e", "eù", "eø", "eû", "eõ", "eï"),
    "ê": ("eâ", "eá", "eà", "eå", "eã", "eä"),
    "i": ("i", "í", "ì", "æ", "ó", "ò"),
    "o": ("o", "où", "oø", "oû", "oõ", "oï"),
    "ô": ("oâ", "oá", "oà", "oå", "oã", "oä"),
    "ơ": ("ô", "ôù", "ôø", "ôû", "ôõ", "ôï"),
    "u": ("u", "uù", "uø", "uû", "uõ", "uï"),
    "ư": ("ö", "öù", "öø", "öû", "öõ", "öï"),
    "y": ("y", "yù", "yø", "yû", "yõ", "î"),
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _byte_to_char(byte: int) -> str:
    """Return the cp1252 view of a byte (Latin-1 where cp1252 is undefined)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D
        return chr(byte)


def _build_tables() -> tuple[dict[str, bytes], dict[str, bytes]]:
    tcvn3: dict[str, bytes] = {}
    vni: dict[str, bytes] = {"đ": b"\xf1", "Đ": b"\xd1"}
    for vowel, codes in _TCVN3_ROWS.items():
        forms = (vowel, *(_nfc(vowel + mark) for mark in _TONE_MARKS))
        for letter, code in zip(forms, codes, strict=True):
            if code is not None:
                tcvn3[letter] = bytes([code])
                if letter.upper() not in _TCVN3_OTHERS:
                    tcvn3[letter.upper()] = bytes([code])  # no capital code
        for letter, seq in zip(forms, _VNI_ROWS[vowel], strict=True):
            if not letter.isascii():
                vni[letter] = seq.encode("cp1252")
                vni[letter.upper()] = seq.upper().encode("cp1252")
    tcvn3.update((k, bytes([v])) for k, v in _TCVN3_OTHERS.items())
    return tcvn3, vni


_TCVN3, _VNI = _build_tables()
TCVN3_TABLE: Final[Mapping[str, bytes]] = MappingProxyType(_TCVN3)
"""Each non-ASCII Vietnamese letter (NFC) -> its TCVN3 byte."""
VNI_TABLE: Final[Mapping[str, bytes]] = MappingProxyType(_VNI)
"""Each non-ASCII Vietnamese letter (NFC) -> its VNI-Windows bytes."""

_ENCODE: Final[dict[str, Mapping[str, bytes]]] = {"tcvn3": _TCVN3, "vni": _VNI}
_ENCODINGS: Final[tuple[LegacyEncoding, ...]] = ("tcvn3", "vni")

# Decoding: TCVN3 byte -> (letter, case is ambiguous); VNI byte sequences.
_TCVN3_DECODE: Final[dict[int, tuple[str, bool]]] = {
    data[0]: (letter, letter.upper() not in _TCVN3_OTHERS)
    for letter, data in _TCVN3.items()
    if letter.islower() or letter in _TCVN3_OTHERS
}
_VNI_SINGLE: Final[dict[int, str]] = {data[0]: letter for letter, data in _VNI.items() if len(data) == 1}
_VNI_PAIR: Final[dict[bytes, str]] = {data: letter for letter, data in _VNI.items() if len(data) == 2}

# Every character a cp1252 or Latin-1 decoder can produce -> its byte.
_CHAR_TO_BYTE: Final[dict[str, int]] = {chr(b): b for b in range(0x100)}
_CHAR_TO_BYTE.update({_byte_to_char(b): b for b in range(0x80, 0xA0)})

# Word characters: ASCII letters and bytes 0xA1-0xFF (all legacy codes lie
# there); everything else separates words and is never modified.
_WORD_RE: Final = re.compile("([A-Za-z\u00a1-\u00ff]+)")

# --- Vietnamese syllable validation ---------------------------------------

_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") | frozenset(_TCVN3)
# letter (lower-case) -> (letter without tone, tone index 1..5 or 0)
_TONE_OF: Final[dict[str, tuple[str, int]]] = {
    _nfc(v + m): (v, i) for v in _VOWELS for i, m in enumerate(_TONE_MARKS, 1)
}
# Word lists below read better as text than as literals (hence SIM905).
_ONSETS: Final = sorted(
    ("", *"b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x kr đr".split()),  # noqa: SIM905
    key=len,
    reverse=True,
)
_RHYMES: Final = frozenset(
    """
    a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu i ia ich im in inh ip it iu
    iêc iêm iên iêng iêp iêt iêu o oc oi om on ong op ot oong ooc
    oa oac oach oai oam oan oang oanh oao oap oat oay
    oăc oăm oăn oăng oăt oe oem oen oeo oet
    ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u uc ui um un ung up ut ua uân uâng uât uây uê uêch uênh uơ
    uôc uôi uôm uôn uông uôt uy uya uych uyên uyêt uynh uyp uyt uyu
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y ych ynh yt yu yêm yên yêng yêt yêu
    ak ăk âk ek êk ik ok ôk ơk uk ưk
    """.split()  # noqa: SIM905  (last row: -k of Central Highlands names, Đắk Lắk)
)
_CODAS: Final = ("ch", "nh", "ng", "c", "k", "m", "n", "p", "t")
_STOP_CODAS: Final = ("c", "ch", "k", "p", "t")


def _tone_placement_ok(rhyme: str, pos: int) -> bool:
    """Check the tone sits where old- or new-style spelling puts it."""
    coda = next((c for c in _CODAS if rhyme.endswith(c) and rhyme != c), "")
    nucleus = rhyme[: len(rhyme) - len(coda)]
    marked = [i for i, vowel in enumerate(nucleus) if vowel in "ăâêôơư"]
    if marked:  # "người", "thuở", "quyết": on the (last) marked vowel
        return pos == marked[-1]
    if coda or len(nucleus) == 1:  # "hoàn", "quýt"
        return pos == len(nucleus) - 1
    if len(nucleus) == 3:  # "ngoài", "khuỷu"
        return pos == 1
    return pos == 0 or (pos == 1 and nucleus in ("oa", "oe", "uy"))


def _is_syllable(word: str) -> bool:
    """Check a lower-case word against Vietnamese syllable structure."""
    bases: list[str] = []
    toned: list[tuple[int, int]] = []
    for i, char in enumerate(word):
        base, tone = _TONE_OF.get(char, (char, 0))
        bases.append(base)
        if tone:
            toned.append((i, tone))
    if len(toned) > 1:
        return False
    plain = "".join(bases)
    for onset in _ONSETS:
        rhyme = plain[len(onset) :]
        if not plain.startswith(onset) or rhyme not in _RHYMES:
            continue
        if rhyme[0] == "y" and len(rhyme) > 1 and not (onset == "qu" or (onset == "" and rhyme.startswith("yê"))):
            continue  # e.g. "quýt", "quỳnh", "yêu" but not "lynh"
        if not toned:
            return True
        pos, tone = toned[0]
        # Stop codas only take sắc (1) or nặng (5).
        if rhyme.endswith(_STOP_CODAS) and tone not in (1, 5):
            return False
        if _tone_placement_ok(rhyme, pos - len(onset)):
            return True
    return False


def _case_ok(word: str) -> bool:
    """True for lower, UPPER and Title case."""
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


def _case_style(word: str) -> str:
    """ "upper", "title", "lower" or "mixed"."""
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    return "title" if word[0].isupper() and word[1:].islower() else "mixed"


def _is_valid_word(word: str) -> bool:
    """True if *word* could occur in genuine text (ASCII or Vietnamese)."""
    if word.isascii():
        return True
    if any(char not in _LETTERS for char in word):
        return False
    if len(word) == 1:
        return True  # initials, interjections, letter names
    return _case_ok(word) and _is_syllable(word.lower())


# --- decoding ------------------------------------------------------------


def _to_bytes(word: str) -> bytes:
    return bytes(_CHAR_TO_BYTE[char] for char in word)


def _decode_vni(word: str) -> str | None:
    data = _to_bytes(word)
    out: list[str] = []
    i = 0
    while i < len(data):
        pair = _VNI_PAIR.get(data[i : i + 2])
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        byte = data[i]
        single = chr(byte) if byte < 0x80 else _VNI_SINGLE.get(byte)
        if single is None:
            return None
        out.append(single)
        i += 1
    return "".join(out)


_Piece = tuple[str, bool]  # (letter, case is ambiguous)


def _decode_tcvn3(word: str) -> list[_Piece] | None:
    pieces: list[_Piece] = []
    for byte in _to_bytes(word):
        piece = (chr(byte), False) if byte < 0x80 else _TCVN3_DECODE.get(byte)
        if piece is None:
            return None
        pieces.append(piece)
    return pieces


def _case_evidence(pieces: list[_Piece]) -> tuple[bool | None, bool | None]:
    """Return (initial is upper, rest is upper) from unambiguous letters."""
    initial = None if pieces[0][1] else pieces[0][0].isupper()
    rest = [char.isupper() for char, amb in pieces[1:] if not amb]
    return initial, (all(rest) if rest else None)


def _vote(votes: list[bool | None]) -> bool | None:
    """Majority of the non-None votes (None on a tie)."""
    up, low = votes.count(True), votes.count(False)
    return None if up == low else up > low


def _restore_case(decoded: list[list[_Piece] | None], phrases: list[int]) -> tuple[list[str | None], int]:
    """Give TCVN3 letters without a capital code the case of their context.

    The rest of a word follows its own unambiguous letters, else the
    majority of its phrase, else of the text.  An ambiguous initial is upper
    in an UPPER word; the first word is capitalised unless the text only has
    lower-case initials; other words follow the phrase, then text, majority.
    Also returns how many words had to be guessed without any evidence.
    """
    evidence = [_case_evidence(p) if p else (None, None) for p in decoded]
    inits = [initial for initial, _ in evidence]
    rests = [rest for _, rest in evidence]
    members: dict[int, list[int]] = {}
    for n, phrase in enumerate(phrases):
        members.setdefault(phrase, []).append(n)

    def votes(values: list[bool | None]) -> list[bool | None]:
        """Phrase majority for each word, else the majority of the text."""
        text_vote = _vote(values)
        by_phrase = {p: _vote([values[k] for k in ks]) for p, ks in members.items()}
        return [text_vote if by_phrase[p] is None else by_phrase[p] for p in phrases]

    init_votes, rest_votes = votes(inits), votes(rests)
    result: list[str | None] = []
    guesses = 0
    for n, pieces in enumerate(decoded):
        if not pieces:
            result.append(None)
            continue
        initial, rest = evidence[n]
        guessed = False
        if rest is None:
            guessed = rest_votes[n] is None and any(amb for _, amb in pieces[1:])
            rest = bool(rest_votes[n]) and initial is not False
        if initial is None:
            if rest:
                initial = True
            elif n == 0:  # sentence or title case
                initial = True in inits or False not in inits
                guessed |= inits.count(None) == len(inits)
            else:
                guessed |= init_votes[n] is None
                initial = bool(init_votes[n])
        result.append(
            "".join(char.upper() if amb and (rest if i else initial) else char for i, (char, amb) in enumerate(pieces))
        )
        guesses += guessed
    return result, guesses


def _decode_words(words: list[str], phrases: list[int], encoding: LegacyEncoding) -> tuple[list[str | None], int]:
    """Decode each word (None if undecodable); also return case guesses."""
    if encoding == "vni":
        return [_decode_vni(word) for word in words], 0
    return _restore_case([_decode_tcvn3(word) for word in words], phrases)


# --- public API ------------------------------------------------------------


def encode_mojibake(text: str, encoding: LegacyEncoding, *, lower_codes: bool = False) -> str:
    """Garble *text* as legacy *encoding* bytes read back as cp1252.

    The text is NFC-normalised; each Vietnamese letter is replaced by its
    TCVN3/VNI bytes decoded as cp1252 (Latin-1 for bytes cp1252 leaves
    undefined).  ASCII and any other character pass through unchanged.
    ``lower_codes`` writes every capital with its lower-case code (TCVN3
    typed in an all-caps font: "LÊ" as "Lª" instead of "L£").
    """
    try:
        table = _ENCODE[encoding]
    except KeyError:
        raise ValueError(f"unknown legacy encoding: {encoding!r}") from None

    def code(char: str) -> str:
        letter = char.lower() if lower_codes and char.lower() in table else char
        return "".join(map(_byte_to_char, table[letter])) if letter in table else char

    return "".join(code(char) for char in _nfc(text))


def decode_each(text: str) -> list[tuple[LegacyEncoding, str]]:
    """The text read as TCVN3 and as VNI, word by word (undecodable words kept), when that changes it.

    No plausibility check: the caller compares the results with a known name.
    """
    nfc = _nfc(text)
    if nfc.isascii() or any(char not in _CHAR_TO_BYTE for char in nfc):
        return []
    parts = _WORD_RE.split(nfc)
    words = parts[1::2]
    phrases = list(itertools.accumulate(int(bool(s.strip())) for s in parts[:-1:2]))
    found: list[tuple[LegacyEncoding, str]] = []
    for encoding in _ENCODINGS:
        decoded, _ = _decode_words(words, phrases, encoding)
        chosen = parts.copy()
        chosen[1::2] = [old if new is None else new for old, new in zip(words, decoded, strict=True)]
        result = _nfc("".join(chosen))
        if result != nfc:
            found.append((encoding, result))
    return found


def repair_mojibake(text: str) -> str:
    """Undo TCVN3 or VNI mojibake (read as cp1252/Latin-1); return NFC.

    Rule, applied to the NFC text:

    1. Text that is pure ASCII, or holds any character a cp1252/Latin-1
       decoder cannot produce (e.g. "ễ", "ă", "đ"), is not such mojibake and
       is returned unchanged; so all genuine text with letters outside
       Latin-1 is safe.
    2. Words (runs of ASCII letters and U+00A1-U+00FF) are checked: a word is
       genuine if it is ASCII, a single Vietnamese letter, or a Vietnamese
       syllable (known onset and rhyme, at most one tone, placed as in old-
       or new-style spelling, stop codas only with sắc/nặng) in lower, UPPER
       or Title case.  If every word is genuine the text is unchanged.
    3. Otherwise each encoding decodes every word.  An encoding is rejected
       if it turns any genuine word into an invalid or undecodable one, or
       if it does not leave strictly fewer invalid words than the input.  Of
       the others, the one leaving the fewest invalid words is applied to all
       words it can decode; ties go to VNI if every word of the input is in
       lower, UPPER or Title case (VNI bytes keep the case of the text,
       TCVN3 bytes look upper or lower case at random, as in "NguyÔn"),
       else to TCVN3, then to fewer TCVN3 case guesses.

    Because TCVN3 has no codes for most toned capitals, their case is
    inferred from context (see ``_restore_case``): a lone lower-case word
    made only of such letters may come back capitalised.  Text whose
    mojibake is itself valid Vietnamese (e.g. VNI "Hoà" for "Hồ") is
    indistinguishable from genuine text and is left unchanged.
    """
    nfc = _nfc(text)
    if nfc.isascii() or any(char not in _CHAR_TO_BYTE for char in nfc):
        return nfc
    parts = _WORD_RE.split(nfc)  # separator, word, separator, ..., separator
    words = parts[1::2]
    genuine = [_is_valid_word(word) for word in words]
    invalid = genuine.count(False)
    if not invalid:
        return nfc
    # Words not separated by punctuation or digits form a phrase.
    phrases = list(itertools.accumulate(int(bool(s.strip())) for s in parts[:-1:2]))
    # VNI keeps the case of the text in every byte; TCVN3 bytes look upper
    # or lower case at random ("NguyÔn"), so case-consistent words favour VNI.
    styles = {_case_style(word) for word in words if len(word) > 1}
    consistent = all(_case_ok(word) for word in words if not word.isascii()) and not {"title", "upper"} <= styles
    best: tuple[tuple[int, int, int, int], list[str]] | None = None
    for rank, encoding in enumerate(_ENCODINGS):
        decoded, guesses = _decode_words(words, phrases, encoding)
        if any(ok and (new is None or not _is_valid_word(new)) for ok, new in zip(genuine, decoded, strict=True)):
            continue  # it would garble a genuine-looking word
        chosen = [old if new is None else new for old, new in zip(words, decoded, strict=True)]
        bad = sum(not _is_valid_word(word) for word in chosen)
        key = (bad, (encoding == "vni") != consistent, guesses, rank)
        if bad < invalid and (best is None or key < best[0]):
            best = (key, chosen)
    if best is None:
        return nfc
    parts[1::2] = best[1]
    return _nfc("".join(parts))


def looks_like_mojibake(text: str) -> bool:
    """True if :func:`repair_mojibake` would change *text* beyond NFC."""
    return repair_mojibake(text) != _nfc(text)


# --- files written in TCVN3 ------------------------------------------------

_UNDEFINED: Final = "\ufffe"  # charmap "undefined": decoding such a byte is an error


def _tcvn3_decoding_table() -> str:
    """Byte -> character of TCVN3 text files (ASCII below 0x80; letters from the table above).

    A capital with a tone mark has no code of its own (see the module's note): its byte
    decodes to the lower-case letter. Bytes TCVN3 does not define are decoding errors.
    """
    chars = [chr(byte) for byte in range(0x80)] + [_UNDEFINED] * 0x80
    for byte, (letter, _ambiguous) in _TCVN3_DECODE.items():
        chars[byte] = letter
    chars[0xA0] = "\u00a0"  # no-break space, as in the fonts' code pages
    return "".join(chars)


TCVN3_DECODING_TABLE: Final[str] = _tcvn3_decoding_table()
"""256 characters: ``TCVN3_DECODING_TABLE[byte]`` is the character of a TCVN3 byte (U+FFFE: undefined)."""


def decode_tcvn3(data: bytes, errors: str = "strict") -> str:
    """TCVN3 (ABC) bytes as text; an undefined byte raises ``UnicodeDecodeError`` with its offset."""
    return codecs.charmap_decode(data, errors, TCVN3_DECODING_TABLE)[0]


class _Tcvn3IncrementalDecoder(codecs.IncrementalDecoder):
    def decode(self, input: Any, final: bool = False) -> str:  # input: a bytes-like object
        return codecs.charmap_decode(bytes(input), self.errors, TCVN3_DECODING_TABLE)[0]


def _tcvn3_encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    encoded = bytearray()
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            encoded.append(ord(char))
        elif char in _TCVN3:
            encoded += _TCVN3[char]
        elif errors == "strict":
            raise UnicodeEncodeError("tcvn3", char, 0, 1, "no TCVN3 code")
        else:
            encoded += b"?"
    return bytes(encoded), len(text)


def _tcvn3_search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "").replace("_", "").lower() != "tcvn3":
        return None
    return codecs.CodecInfo(
        name="tcvn3",
        encode=_tcvn3_encode,
        decode=lambda data, errors="strict": codecs.charmap_decode(data, errors, TCVN3_DECODING_TABLE),
        incrementaldecoder=_Tcvn3IncrementalDecoder,
    )


def register_tcvn3_codec() -> None:
    """Make ``"tcvn3"`` a Python codec (``bytes.decode("tcvn3")``, ``open(..., encoding="tcvn3")``)."""
    try:
        codecs.lookup("tcvn3")
    except LookupError:
        codecs.register(_tcvn3_search)


def vietnamese_word_share(text: str) -> float:
    """Share of the non-ASCII words of ``text`` that are well-formed Vietnamese (0 when there are none)."""
    words = [word for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text)) if not word.isascii()]
    if not words:
        return 0.0
    return sum(1 for word in words if _is_valid_word(word)) / len(words)
