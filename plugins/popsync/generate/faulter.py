"""Faults of one sector record: inject them and record what they mean.

Each fault family is drawn independently; a record's ID fault decides whether it is linked.
Field faults (name, birth date, gender) are injected into every record, linked or not. The
expected reasons come from the family the generator applied (docs/reconciliation-rules.md
says which code each family gets), never from applying the engine's rules to the output: a
name garbled by an encoding accident is ``NAME_ENCODING`` whether or not the engine can
repair it, so an accident the engine misses shows up as a miss in the evaluation.

Families beyond the rules (``BEYOND_RULES``) are generated too; their records carry the
family's name in the ground truth, and the evaluation scores them apart.
"""

import datetime
import random
import unicodedata
from dataclasses import dataclass, fields
from typing import Final

import numpy as np

from popsync.domain.id_suggestions import SuggestionMethod, id_method
from popsync.domain.legacy_encodings import encode_mojibake
from popsync.domain.name_repairs import encode_cp1258, encode_utf8_misread, encode_viqr
from popsync.generate import faults
from popsync.generate.demography import DAY, MONTH, YEAR
from popsync.generate.formats import format_date
from popsync.generate.ids import IdScheme, typo_of
from popsync.generate.ids import unknown_cmnd as make_unknown_cmnd
from popsync.generate.names import strip_diacritics, toggle_tone_style
from popsync.generate.options import FaultRates
from popsync.generate.spec import DatasetSpec

FAMILIES: Final = tuple(item.name for item in fields(FaultRates) if item.name != "deceased_active")
(
    ID_MISSING,
    ID_INVALID,
    ID_FORMATTING,
    ID_LEGACY,
    ID_LEGACY_UNKNOWN,
    ID_TYPO,
    DUPLICATE,
    NAME_CHANGED,
    NAME_NO_DIACRITICS,
    NAME_MOJIBAKE,
    NAME_TONE_STYLE,
    NAME_SPACING,
    DOB_CHANGED,
    DOB_PARTIAL,
    DOB_INVALID,
    GENDER_FLIPPED,
    GENDER_UNMAPPABLE,
    NAME_VIQR,
    NAME_CP1258,
    NAME_UTF8,
    NAME_LOOKALIKE,
    NAME_INVISIBLE,
    ID_LEADING_ZERO,
    ID_LETTER_DIGIT,
    NAME_LEGACY_UTF8,
    NAME_UTF8_THRICE,
) = range(len(FAMILIES))
BEYOND_RULES: Final = {NAME_LEGACY_UTF8: "name_legacy_utf8", NAME_UTF8_THRICE: "name_utf8_thrice"}
"""Families no rule promises to repair (index -> name); the evaluation scores them apart."""
_NAME_FAMILIES: Final = [
    NAME_CHANGED,
    NAME_NO_DIACRITICS,
    NAME_MOJIBAKE,
    NAME_TONE_STYLE,
    NAME_SPACING,
    NAME_VIQR,
    NAME_CP1258,
    NAME_UTF8,
    NAME_LOOKALIKE,
    NAME_INVISIBLE,
    NAME_LEGACY_UTF8,
    NAME_UTF8_THRICE,
]

_UNKNOWN_CMND_SALT: Final = 77_777


_ETH: Final = str.maketrans("Đđ", "Ðð")


def _same_or_lookalike(garbled: str, name: str) -> bool:
    """True when an accident left the name as it was, or only turned Đ/đ into the look-alike Ð/ð
    (Windows-1258 read as Windows-1252 does exactly that to a name whose other letters the code
    page has as they are: "Đinh Minh" -> "Ðinh Minh"): the look-alike family, not an encoding one."""
    nfc = unicodedata.normalize("NFC", name)
    return unicodedata.normalize("NFC", garbled) in (nfc, nfc.translate(_ETH))


@dataclass(frozen=True)
class PersonView:
    """What a record needs to know about its register person (registered birth date parts)."""

    national_id: str
    cmnd: int
    name: str
    female: bool
    precision: int
    year: int
    month: int
    day: int
    deceased: bool
    cmnd_shared: bool = False
    """Another register person has the same former CMND: a record that uses it cannot be linked."""


@dataclass
class Outcome:
    """A record's values and expected reasons (unsorted); ``linked`` = resolves to its person."""

    national_id: str | None
    name: str
    birth_date: str
    gender: str
    reasons: list[str]
    linked: bool
    suggestion: tuple[str, SuggestionMethod] | None = None
    """Suggested ID and method the rules give a record that does not link (None when a field
    fault keeps its person from fitting; name_birth_gender ones are checked for uniqueness
    against the whole register after generation)."""
    record_birth: tuple[datetime.date, str] | None = None
    """The record's birth date and precision as written (for that uniqueness check)."""
    beyond_rules: str | None = None
    """The family beyond the rules applied to the record, if any."""
    stranger_probe: tuple[str, bool, datetime.date, str] | None = None
    """Name, female, date and precision as written of a record that does not link and whose own
    person a field fault keeps from fitting: a stranger may fit them (checked after generation)."""
    search_name: str | None = None
    """The name the suggested-ID search looks the record up by: as written, or before the encoding
    accident the generator applied (a family the rules repair)."""


class RecordFaulter:
    """Injects the faults of one record and derives its expected reasons."""

    def __init__(
        self, spec: DatasetSpec, scheme: IdScheme, rnd: random.Random, as_of: datetime.date, first_unknown_cmnd: int
    ) -> None:
        self.spec = spec
        self.scheme = scheme
        self.next_unknown_cmnd = first_unknown_cmnd
        self.rnd = rnd
        self.as_of = as_of
        self._precision_format = (spec.day_format, spec.month_format, spec.year_format)

    def style(self, name: str) -> str:
        """The name as the dataset stores it (upper case, NFD or as is)."""
        if self.spec.name_style == "upper":
            return name.upper()
        if self.spec.name_style == "nfd":
            return unicodedata.normalize("NFD", name)
        return name

    def birth_text(self, precision: int, year: int, month: int, day: int) -> tuple[str, bool]:
        """The date at ``precision`` if the dataset can write it, else its first day (True)."""
        fmt = self._precision_format[precision]
        if fmt is not None:
            return format_date(fmt, year, month, day), False
        return format_date(self.spec.day_format, year, month if precision == MONTH else 1, 1), True

    def gender_text(self, female: bool) -> str:
        """The dataset's code for the gender."""
        return self.spec.female if female else self.spec.male

    def record(self, person: PersonView, flags: np.ndarray, active: bool) -> Outcome:
        """A person's record with the faults flagged in ``flags`` (indexed by FAMILIES)."""
        national_id, kind, linked = self._national_id(person, flags)
        reasons = {"missing": ["MISSING_ID"], "invalid": ["INVALID_ID"], "cmnd": ["LEGACY_ID"]}.get(kind, [])
        if kind in ("cccd", "cmnd") and not linked:
            reasons.append("NOT_IN_REFERENCE")
        name, name_code, beyond, search_name = self._name(person, flags)
        birth_date, date_code, written = self._birth_date(person, flags)
        gender, gender_code = self._gender(person, flags)
        if linked:
            reasons += [code for code in (name_code, date_code, gender_code) if code]
            if self.spec.has_active and active and person.deceased:
                reasons.append("DECEASED")
            return Outcome(national_id, name, birth_date, gender, reasons, True, beyond_rules=beyond)
        # Not linked: only the codes that apply to any record; the rules' suggestion only when
        # no field fault keeps the person from fitting (name key, gender, date at the coarser precision).
        # A name written without diacritics, or garbled by an encoding accident the rules repair,
        # is still looked up (docs/reconciliation-rules.md, "Suggested IDs").
        if date_code == "DOB_INVALID":
            reasons.append("DOB_INVALID")
        if flags[GENDER_UNMAPPABLE]:
            reasons.append("GENDER_MISMATCH")
        name_fits = name_code is None or (name_code in ("NAME_DIACRITICS", "NAME_ENCODING") and beyond is None)
        fits = name_fits and gender_code is None and date_code in (None, "DOB_PARTIAL")
        method = id_method(national_id, person.national_id) or SuggestionMethod.NAME_BIRTH_GENDER
        stranger = None
        if not fits and written is not None and not flags[GENDER_UNMAPPABLE]:
            # its own person does not fit, but a stranger may have the name, gender and date as written
            stranger = (search_name, person.female != bool(flags[GENDER_FLIPPED]), *written)
        return Outcome(
            national_id,
            name,
            birth_date,
            gender,
            reasons,
            False,
            (person.national_id, method) if fits else None,
            written if fits else None,
            beyond,
            stranger,
            search_name,
        )

    def copy(self, person: PersonView, active: bool, original_linked: bool) -> Outcome:
        """A second record of the person: the ID (or for about half the former CMND), no faults."""
        use_cmnd = person.cmnd > 0 and self.rnd.random() < 0.5 and not person.cmnd_shared
        reasons = ["LEGACY_ID"] if use_cmnd else []
        if original_linked:
            reasons.append("DUPLICATE_ID")
        birth_date, natural = self.birth_text(person.precision, person.year, person.month, person.day)
        if natural:
            reasons.append("DOB_PARTIAL")
        if self.spec.has_active and active and person.deceased:
            reasons.append("DECEASED")
        national_id = str(person.cmnd) if use_cmnd else person.national_id
        return Outcome(national_id, self.style(person.name), birth_date, self.gender_text(person.female), reasons, True)

    def _national_id(self, person: PersonView, flags: np.ndarray) -> tuple[str | None, str, bool]:
        rnd = self.rnd
        if flags[ID_MISSING]:
            return rnd.choice(("", None)), "missing", False
        if flags[ID_INVALID]:
            return faults.invalid_id(person.national_id, rnd), "invalid", False
        if flags[ID_LEADING_ZERO] and person.national_id.startswith("0"):
            return faults.drop_leading_zeros(person.national_id), "invalid", False
        if flags[ID_LETTER_DIGIT] and (lettered := faults.letters_for_digits(person.national_id, rnd)) is not None:
            return lettered, "invalid", False
        text, kind, linked = person.national_id, "cccd", True
        if flags[ID_LEGACY_UNKNOWN]:
            text, kind, linked = make_unknown_cmnd(self.next_unknown_cmnd, _UNKNOWN_CMND_SALT), "cmnd", False
            self.next_unknown_cmnd += 1
        elif flags[ID_TYPO] and (typo := typo_of(text)) is not None and not self.scheme.in_register(typo):
            text, linked = typo, False
        elif flags[ID_LEGACY] and person.cmnd:
            text, kind, linked = str(person.cmnd), "cmnd", not person.cmnd_shared
        if flags[ID_FORMATTING]:
            text = faults.format_id(text, rnd)
        return text, kind, linked

    def _name(self, person: PersonView, flags: np.ndarray) -> tuple[str, str | None, str | None, str]:
        """The name as written, the code of the family applied, the family beyond the rules, and the
        name the suggested-ID search looks it up by (before an encoding accident the rules repair)."""
        name, code, beyond = person.name, None, None
        if not flags[_NAME_FAMILIES].any():
            styled = self.style(name)
            return styled, None, None, styled
        if flags[NAME_CHANGED]:
            name, code = faults.change_given_name(name, person.female, self.rnd), "NAME_MISMATCH"
        if flags[NAME_TONE_STYLE]:
            name = toggle_tone_style(name)
        if flags[NAME_NO_DIACRITICS]:
            plain = strip_diacritics(name)
            if plain != name:
                name, code = plain, code or "NAME_DIACRITICS"
        search: str | None = None
        if not flags[NAME_NO_DIACRITICS] and flags[NAME_MOJIBAKE] and self.spec.mojibake is not None:
            lower_codes = self.spec.mojibake == "tcvn3" and self.rnd.random() < 0.5
            garbled = encode_mojibake(name, self.spec.mojibake, lower_codes=lower_codes)
            if garbled != name:
                search, name, code = name, garbled, code or "NAME_ENCODING"
        name = self.style(name)
        encoded = code == "NAME_ENCODING"
        if not encoded and not flags[NAME_NO_DIACRITICS]:
            garbled, family = self._encoding_accident(name, flags)
            if not _same_or_lookalike(garbled, name):
                search = name if family is None else garbled
                name, code, encoded = garbled, code or "NAME_ENCODING", True
                beyond = family
        if not encoded and flags[NAME_LOOKALIKE]:
            name = faults.lookalike(name, self.rnd)
        if not encoded and flags[NAME_INVISIBLE]:
            name = faults.invisible(name, self.rnd)
        if flags[NAME_SPACING]:
            name = faults.garble_spacing(name, self.rnd)
        return name, code, beyond, name if search is None else search

    def _encoding_accident(self, name: str, flags: np.ndarray) -> tuple[str, str | None]:
        """VIQR, Windows-1258 or UTF-8 misread (applied to the name as the dataset writes it), or
        an accident beyond the rules (its family name second)."""
        rnd = self.rnd
        if flags[NAME_VIQR]:
            return encode_viqr(name), None
        if flags[NAME_CP1258]:
            return encode_cp1258(name, decomposed=rnd.random() < 0.5, latin1=rnd.random() < 0.3), None
        if flags[NAME_UTF8]:
            return encode_utf8_misread(name, times=1 if rnd.random() < 0.8 else 2, latin1=rnd.random() < 0.3), None
        if flags[NAME_LEGACY_UTF8]:
            legacy = encode_mojibake(name, rnd.choice(("tcvn3", "vni")))
            return encode_utf8_misread(legacy, times=1), BEYOND_RULES[NAME_LEGACY_UTF8]
        if flags[NAME_UTF8_THRICE]:
            return encode_utf8_misread(name, times=3), BEYOND_RULES[NAME_UTF8_THRICE]
        return name, None

    def _birth_date(
        self, person: PersonView, flags: np.ndarray
    ) -> tuple[str, str | None, tuple[datetime.date, str] | None]:
        """The date as written, its code, and its value and precision as the rules read it (None: invalid)."""
        if flags[DOB_INVALID]:
            text = faults.invalid_birth_date(
                self.spec.day_format, person.year, person.month, person.day, self.as_of, self.rnd
            )
            return text, "DOB_INVALID", None
        precision, year, month, day = person.precision, person.year, person.month, person.day
        code = None
        if flags[DOB_PARTIAL] and precision == DAY and self.spec.year_format is not None:
            precision, code = YEAR, "DOB_PARTIAL"
        if flags[DOB_CHANGED]:
            year, month, day = faults.years_back(year, month, day, self.rnd.randint(1, 5))
            code = "DOB_MISMATCH"
        text, natural = self.birth_text(precision, year, month, day)
        if natural and code is None:
            code = "DOB_PARTIAL"
        month = 1 if precision == YEAR else month
        day = day if precision == DAY else 1
        written = (datetime.date(year, month, day), "day" if natural else ("day", "month", "year")[precision])
        return text, code, written

    def _gender(self, person: PersonView, flags: np.ndarray) -> tuple[str, str | None]:
        if flags[GENDER_UNMAPPABLE]:
            return self.rnd.choice(self.spec.unmappable), "GENDER_MISMATCH"
        if flags[GENDER_FLIPPED]:
            return self.gender_text(not person.female), "GENDER_MISMATCH"
        return self.gender_text(person.female), None


def fault_probabilities(spec: DatasetSpec, rates: FaultRates) -> np.ndarray:
    """Per-family probabilities for the dataset (mojibake only where the dataset has a legacy encoding)."""
    values = [getattr(rates, name) for name in FAMILIES]
    if spec.mojibake is None:
        values[NAME_MOJIBAKE] = 0.0
    return np.array(values)
