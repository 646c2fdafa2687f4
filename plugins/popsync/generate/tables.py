"""Render each dataset's records as the columns of its sector table (COPY text values)."""

import datetime
from collections.abc import Callable
from typing import Final

import numpy as np

from popsync.generate.death_registrations import render_death_registrations
from popsync.generate.demography import PROVINCE_ARRAY, epoch_days
from popsync.generate.formats import Column, bool_texts, iso_dates, iso_timestamps
from popsync.generate.ids import ten_digit_codes
from popsync.generate.records import Records

Columns = list[Column]
Renderer = Callable[[Records, np.random.Generator, datetime.date], Columns]

# Ten-digit codes are bijections of the record's key index: step coprime with 10, salt.
_SOCIAL_INSURANCE: Final = (2_654_435_761, 1_357_924_680)
_PUPIL: Final = (1_000_003, 2_718_281_828)
_TEACHER: Final = (998_244_353, 3_141_592_653)
_PENSION_FILE: Final = (1_234_567_891, 1_618_033_988)
_DAY: Final = 86_400

_CARD_GROUPS: Final = np.array(["TE", "HS", "SV", "GD", "DN", "CH", "HX"], dtype=object)
_CARD_LEVELS: Final = np.array(["1", "4", "4", "4", "4", "2", "2"], dtype=object)


def _recent_timestamps(rng: np.random.Generator, count: int, as_of: datetime.date, days: int) -> list[str]:
    """Timestamps within the ``days`` before ``as_of``."""
    end = epoch_days(as_of) * _DAY
    return iso_timestamps(end - rng.integers(1, days * _DAY, count))


def _common(records: Records) -> tuple[Column, Column, Column, Column]:
    return records.national_id, records.full_name, records.birth_date, records.gender


def _card_group(records: Records, rng: np.random.Generator) -> np.ndarray:
    """Beneficiary group by age: TE under 6, HS pupils, SV students, DN/GD/CH adults, HX retirees."""
    age, draw = records.age, rng.random(len(records))
    adult = np.where(draw < 0.55, 4, np.where(draw < 0.9, 3, 5))
    senior = np.where(draw < 0.45, 6, np.where(draw < 0.9, 3, 5))
    student = np.where(draw < 0.6, 2, 3)
    return np.where(age < 6, 0, np.where(age < 18, 1, np.where(age < 23, student, np.where(age < 60, adult, senior))))


def render_cards(records: Records, rng: np.random.Generator, as_of: datetime.date) -> Columns:
    """``bhyt.the_bhyt``: card code, validity period by activity, update time."""
    count = len(records)
    group = _card_group(records, rng)
    level = np.where(rng.random(count) < 0.1, rng.integers(1, 6, count).astype(str).astype(object), _CARD_LEVELS[group])
    numbers = ten_digit_codes(records.key_index, *_SOCIAL_INSURANCE)
    province = PROVINCE_ARRAY[records.residence].tolist()
    card = [
        g + lv + p[1:] + n
        for g, lv, p, n in zip(_CARD_GROUPS[group].tolist(), level.tolist(), province, numbers, strict=True)
    ]
    today = epoch_days(as_of)
    start_active = today - rng.integers(2, 201, count)
    end_expired = np.where(
        records.deceased,
        np.minimum(records.death + rng.integers(0, 31, count), today - 10),
        today - rng.integers(10, 701, count),
    )
    end = np.where(records.active, start_active + 365, end_expired)
    start = np.where(records.active, start_active, end_expired - 365)
    national_id, name, birth, gender = _common(records)
    return [
        card,
        national_id,
        name,
        birth,
        gender,
        iso_dates(start),
        iso_dates(end),
        _recent_timestamps(rng, count, as_of, 365),
    ]


def _inactive_status(records: Records, finished: np.ndarray, done: str, left: str) -> np.ndarray:
    """Status of inactive records: ``left`` for the deceased and the unfinished, else ``done``."""
    return np.where(records.deceased | ~finished, left, done)


def render_pupils(records: Records, rng: np.random.Generator, as_of: datetime.date) -> Columns:
    """``giao_duc.hoc_sinh``: enrolled (dang_hoc) when active, else graduated or dropped out."""
    count = len(records)
    finished = (records.age >= 17) & (rng.random(count) < 0.7)
    status = np.where(records.active, "dang_hoc", _inactive_status(records, finished, "tot_nghiep", "thoi_hoc"))
    national_id, name, birth, gender = _common(records)
    return [
        ten_digit_codes(records.key_index, *_PUPIL),
        national_id,
        name,
        birth,
        gender,
        status.tolist(),
        _recent_timestamps(rng, count, as_of, 365),
    ]


def render_teachers(records: Records, rng: np.random.Generator, as_of: datetime.date) -> Columns:
    """``giao_duc.giao_vien``: employed while active."""
    codes = ["GV" + code for code in ten_digit_codes(records.key_index, *_TEACHER)]
    national_id, name, birth, gender = _common(records)
    return [
        codes,
        national_id,
        name,
        birth,
        gender,
        bool_texts(records.active),
        _recent_timestamps(rng, len(records), as_of, 365),
    ]


def render_participants(records: Records, rng: np.random.Generator, as_of: datetime.date) -> Columns:
    """``bhxh.nguoi_tham_gia``: contributing (dang_dong) when active, else paused or stopped."""
    count = len(records)
    paused = rng.random(count) < 0.5
    status = np.where(records.active, "dang_dong", _inactive_status(records, paused, "tam_dung", "da_nghi"))
    national_id, name, birth, gender = _common(records)
    return [
        ten_digit_codes(records.key_index, *_SOCIAL_INSURANCE),
        national_id,
        name,
        birth,
        gender,
        status.tolist(),
        _recent_timestamps(rng, count, as_of, 365),
    ]


def render_pensioners(records: Records, rng: np.random.Generator, as_of: datetime.date) -> Columns:
    """``bhxh.huong_luong_huu``: pension file, the person's social-insurance number, paid while active."""
    files = ["LH" + code for code in ten_digit_codes(records.key_index, *_PENSION_FILE)]
    national_id, name, birth, gender = _common(records)
    return [
        files,
        ten_digit_codes(records.person_index, *_SOCIAL_INSURANCE),
        national_id,
        name,
        birth,
        gender,
        bool_texts(records.active),
        _recent_timestamps(rng, len(records), as_of, 365),
    ]


def render_birth_registrations(records: Records, rng: np.random.Generator, as_of: datetime.date) -> Columns:
    """``ho_tich.dang_ky_khai_sinh``: registered shortly after birth, digitised later."""
    count = len(records)
    today = epoch_days(as_of)
    registered = np.minimum(records.birth + rng.integers(1, 61, count), today)
    dates = iso_dates(registered)
    book = rng.integers(1, 31, count).tolist()
    numbers = (records.key_index + 1).tolist()
    keys = [f"{b:02d}/{n:07d}/{d[:4]}" for b, n, d in zip(book, numbers, dates, strict=True)]
    digitised = registered * _DAY + np.floor(rng.random(count) * (today - registered + 1) * _DAY).astype(np.int64)
    national_id, name, birth, gender = _common(records)
    return [
        keys,
        national_id,
        name,
        birth,
        gender,
        PROVINCE_ARRAY[records.province].tolist(),
        dates,
        iso_timestamps(np.minimum(digitised, today * _DAY)),
    ]


RENDERERS: Final[dict[str, Renderer]] = {
    "cards": render_cards,
    "pupils": render_pupils,
    "teachers": render_teachers,
    "participants": render_participants,
    "pensioners": render_pensioners,
    "birth_registrations": render_birth_registrations,
    "death_registrations": render_death_registrations,
}
