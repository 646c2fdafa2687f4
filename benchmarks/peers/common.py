"""Shared code of the benchmark peers: arguments, reading, vectorised normalisation, writing, timing.

The peers do the job the way a data engineer does it today: whole tables into pandas with
``read_sql``, vectorised string/date clean-up, a comparison, ``to_sql`` back. No streaming.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

REGISTER_SQL: Final = (
    "SELECT national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender, "
    "residence_province, is_deceased FROM dan_cu.persons"
)
SECTOR_SQL: Final = (
    "SELECT ma_the AS source_key, so_dinh_danh AS national_id, ho_ten AS full_name, ngay_sinh AS birth_date, "
    "gioi_tinh AS gender, (current_date BETWEEN gt_tu_ngay AND gt_den_ngay) AS is_active FROM bhyt.the_bhyt"
)

# First three digits of a 12-digit personal ID number (Circular 07/2016/TT-BCA, appendix 1).
PROVINCE_CODES: Final = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
    "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
    "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
})  # fmt: skip
# Old-style tone placement -> new style (docs/reconciliation-rules.md).
TONE_RULES: Final = (
    ("òa", "oà"), ("óa", "oá"), ("ỏa", "oả"), ("õa", "oã"), ("ọa", "oạ"),
    ("òe", "oè"), ("óe", "oé"), ("ỏe", "oẻ"), ("õe", "oẽ"), ("ọe", "oẹ"),
    ("ùy", "uỳ"), ("úy", "uý"), ("ủy", "uỷ"), ("ũy", "uỹ"), ("ụy", "uỵ"),
)  # fmt: skip
GENDERS: Final = {"1": "M", "2": "F"}  # health-insurance export: 1 = Nam, 2 = Nữ, 3 = undetermined
PRECISION_RANK: Final = {"year": 1, "month": 2, "day": 3}
ID_KINDS_WITH_NUMBER: Final = ("cccd", "cmnd")

# Patterns valid for both Python's re and pyarrow's RE2 (pandas' "str" dtype may use either).
_ID_NOISE: Final = r"[\s\xa0.\-]"
_CONTROL: Final = r"[\x00-\x1f\x7f]"
_SPACES: Final = r"[\s\xa0]+"
_COMBINING: Final = "[\u0300-\u036f]"
_BIRTH_DATE: Final = r"^(?:(?:([0-9]{1,2})/)?([0-9]{1,2})/)?([0-9]{4})$"  # dd/mm/yyyy | mm/yyyy | yyyy


@dataclass(frozen=True)
class Args:
    """Command-line arguments shared by the peers."""

    register_url: str
    source_url: str
    warehouse_url: str
    output_table: str


def parse_args(description: str) -> Args:
    """Parse the peers' common command line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--register-url", required=True, help="population register database URL")
    parser.add_argument("--source-url", required=True, help="sector (health-insurance) database URL")
    parser.add_argument("--warehouse-url", required=True, help="database the mismatches are written to")
    parser.add_argument("--output-table", required=True, help="schema.table for the mismatches")
    ns = parser.parse_args()
    return Args(ns.register_url, ns.source_url, ns.warehouse_url, ns.output_table)


def make_engine(url: str) -> Engine:
    """SQLAlchemy engine on the psycopg 3 driver for a plain ``postgresql://`` URL."""
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"))


@dataclass
class Stopwatch:
    """Wall-clock seconds per phase, plus the total since creation."""

    seconds: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the enclosed block and add it to ``name``."""
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - begin

    def report(self) -> dict[str, float]:
        """Seconds per phase (read, normalise, compare, write) and the total."""
        phases = {name: round(self.seconds.get(name, 0.0), 3) for name in ("read", "normalise", "compare", "write")}
        return {**phases, "total": round(time.perf_counter() - self.started, 3)}


def log(message: str) -> None:
    """Progress to stderr (stdout carries only the JSON result)."""
    print(message, file=sys.stderr, flush=True)


def read_inputs(args: Args) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the whole register and the whole sector dataset with ``pandas.read_sql``."""
    frames = []
    for url, sql in ((args.register_url, REGISTER_SQL), (args.source_url, SECTOR_SQL)):
        engine = make_engine(url)
        try:
            frames.append(pd.read_sql(sql, engine))
        finally:
            engine.dispose()
    return frames[0], frames[1]


def normalise_ids(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalised ID text (no spaces, dots, dashes) and its kind: missing, cccd, cmnd or invalid."""
    ids = raw.fillna("").astype("str").str.replace(_ID_NOISE, "", regex=True)
    length = ids.str.len()
    digits = ids.str.fullmatch(r"[0-9]+")
    kind = np.select(
        [length == 0, (length == 12) & digits & ids.str[:3].isin(PROVINCE_CODES), (length == 9) & digits],
        ["missing", "cccd", "cmnd"],
        default="invalid",
    )
    return ids, pd.Series(kind, index=raw.index, dtype="str")


def name_key(raw: pd.Series) -> pd.Series:
    """NFC, control characters to spaces, lower case, collapsed spaces, new-style tone placement."""
    key = (
        raw.fillna("")
        .astype("str")
        .str.normalize("NFC")
        .str.replace(_CONTROL, " ", regex=True)
        .str.lower()
        .str.replace(_SPACES, " ", regex=True)
        .str.strip()
    )
    for old, new in TONE_RULES:
        key = key.str.replace(old, new, regex=False)
    return key


def name_plain(key: pd.Series) -> pd.Series:
    """The name key without diacritics (combining marks dropped, đ -> d)."""
    return key.str.replace("đ", "d", regex=False).str.normalize("NFD").str.replace(_COMBINING, "", regex=True)


def parse_birth_dates(raw: pd.Series, today: pd.Timestamp) -> pd.DataFrame:
    """``dd/mm/yyyy`` | ``mm/yyyy`` | ``yyyy`` -> first day of the period, precision, validity."""
    parts = raw.fillna("").astype("str").str.strip().str.extract(_BIRTH_DATE)
    day, month, year = (pd.to_numeric(parts[i]) for i in range(3))
    date = pd.to_datetime(pd.DataFrame({"year": year, "month": month.fillna(1), "day": day.fillna(1)}), errors="coerce")
    valid = date.notna() & (year >= 1900) & (date <= today)
    precision = np.select([parts[0].notna(), parts[1].notna()], ["day", "month"], default="year")
    return pd.DataFrame(
        {
            "birth_date": date.where(valid),
            "birth_date_precision": pd.Series(precision, index=raw.index, dtype="str").where(valid),
            "birth_date_valid": valid.to_numpy(),
        },
        index=raw.index,
    )


def map_genders(raw: pd.Series) -> pd.Series:
    """Mapped gender (M/F); NaN when unmapped."""
    return raw.fillna("").astype("str").str.strip().str.lower().map(GENDERS)


def normalise_register(register: pd.DataFrame) -> pd.DataFrame:
    """Register columns ready for comparison (name key, name without diacritics, datetime birth date)."""
    key = name_key(register["full_name"])
    return pd.DataFrame(
        {
            "national_id": register["national_id"].str.strip(),
            "former_cmnd": register["former_cmnd"].str.strip(),
            "full_name": key,
            "name_plain": name_plain(key),
            "birth_date": pd.to_datetime(register["birth_date"]),
            "birth_date_precision": register["birth_date_precision"],
            "gender": register["gender"],
            "is_deceased": register["is_deceased"].astype(bool),
        }
    )


def normalise_sector(sector: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """Sector records in the standard form: normalised ID and kind, name key, parsed date, mapped gender."""
    ids, kind = normalise_ids(sector["national_id"])
    key = name_key(sector["full_name"])
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "source_key": sector["source_key"].str.strip(),
                    "national_id": ids,
                    "id_kind": kind,
                    "full_name": key,
                    "name_plain": name_plain(key),
                }
            ),
            parse_birth_dates(sector["birth_date"], today),
            pd.DataFrame(
                {"gender": map_genders(sector["gender"]), "is_active": sector["is_active"].fillna(False).astype(bool)}
            ),
        ],
        axis=1,
    )


def unique_cmnd_lookup(register: pd.DataFrame) -> pd.DataFrame:
    """``former_cmnd`` -> ``cmnd_national_id`` for the CMNDs held by exactly one register person."""
    cmnd = register["former_cmnd"]
    held_once = cmnd.notna() & ~cmnd.duplicated(keep=False)
    return register.loc[held_once, ["former_cmnd", "national_id"]].rename(columns={"national_id": "cmnd_national_id"})


def dob_agrees(date: pd.Series, precision: pd.Series, ref_date: pd.Series, ref_precision: pd.Series) -> pd.Series:
    """Whether two dates agree at the coarser of their two precisions."""
    coarse = np.minimum(
        precision.map(PRECISION_RANK).to_numpy(float), ref_precision.map(PRECISION_RANK).to_numpy(float)
    )
    same_year = (date.dt.year == ref_date.dt.year).to_numpy()
    same_month = (date.dt.month == ref_date.dt.month).to_numpy()
    same_day = (date.dt.day == ref_date.dt.day).to_numpy()
    agrees = same_year & ((coarse < 2) | same_month) & ((coarse < 3) | same_day)
    return pd.Series(agrees, index=date.index)


def reasons_text(flags: Mapping[str, Any], index: pd.Index) -> pd.Series:
    """Comma-separated, alphabetically sorted reason codes from one boolean mask per code."""
    text_ = pd.Series("", index=index, dtype="str")
    for code in sorted(flags):
        text_ = text_ + np.where(np.asarray(flags[code], dtype=bool), code + ",", "")
    return text_.str.rstrip(",")


def write_mismatches(frame: pd.DataFrame, url: str, output_table: str) -> None:
    """Replace ``schema.table`` in the warehouse with the mismatches (``to_sql``, multi-row inserts)."""
    schema, _, name = output_table.rpartition(".")
    schema = schema or "bench_peers"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        frame.to_sql(name, engine, schema=schema, if_exists="replace", index=False, method="multi", chunksize=10_000)
    finally:
        engine.dispose()


def vmhwm_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB; ru_maxrss where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(tool: str, rows_sector: int, rows_register: int, mismatches: int, stopwatch: Stopwatch) -> None:
    """Print the one-line JSON result on stdout."""
    result = {
        "tool": tool,
        "rows_sector": rows_sector,
        "rows_register": rows_register,
        "mismatches": mismatches,
        "seconds": stopwatch.report(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "vmhwm_mb": vmhwm_mb(),
        "cpu_seconds": resource.getrusage(resource.RUSAGE_SELF).ru_utime
        + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
    }
    print(json.dumps(result), flush=True)
