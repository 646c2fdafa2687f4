"""Benchmark peer: reconcile health-insurance cards with the register using datacompy.

The cards and the register are normalised in pandas, CMNDs are translated to the 12-digit ID
through the register's ``former_cmnd``, and ``datacompy.PandasCompare`` joins the two frames on
``national_id``. Its outputs give the reasons: ``df1_unq_rows`` (cards with no register person),
``intersect_rows`` with one ``<column>_match`` flag per compared column (field mismatches).
"""

from __future__ import annotations

import datacompy
import pandas as pd
from common import (
    ID_KINDS_WITH_NUMBER,
    Stopwatch,
    dob_agrees,
    emit,
    log,
    normalise_register,
    normalise_sector,
    parse_args,
    read_inputs,
    reasons_text,
    unique_cmnd_lookup,
    write_mismatches,
)

# Columns compared by datacompy (present in both frames); the others ride along from one side.
COMPARED = ("full_name", "name_plain", "birth_date", "birth_date_precision", "gender")
SECTOR_FLAGS = ("birth_date_valid", "is_active", "is_duplicate")


def prepare(sector: pd.DataFrame, register: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sector frame keyed on the resolved ID (CMND -> 12-digit ID) and the register frame to compare with."""
    cmnd_links = unique_cmnd_lookup(register).set_index("former_cmnd")["cmnd_national_id"]
    is_cmnd = sector["id_kind"] == "cmnd"
    key = sector["national_id"].where(~is_cmnd, sector["national_id"].map(cmnd_links).fillna(sector["national_id"]))
    has_number = sector["id_kind"].isin(ID_KINDS_WITH_NUMBER)
    left = sector.assign(national_id=key, is_duplicate=has_number & key.duplicated(keep=False))
    right = register.drop(columns="former_cmnd")
    return left, right


def mismatches_of(compare: datacompy.PandasCompare, register_ids: pd.Series) -> pd.DataFrame:
    """One frame of mismatched cards (source_key, national_id, reasons) from the compare's outputs."""
    # datacompy's outer merge turns boolean columns into ``object``: back to ``bool`` before using ``~``.
    unmatched = compare.df1_unq_rows.astype(dict.fromkeys(SECTOR_FLAGS, bool))
    kind = unmatched["id_kind"]
    unmatched_flags = {
        "MISSING_ID": kind == "missing",
        "INVALID_ID": kind == "invalid",
        "LEGACY_ID": kind == "cmnd",
        "NOT_IN_REFERENCE": kind.isin(ID_KINDS_WITH_NUMBER) & ~unmatched["national_id"].isin(register_ids),
        "DUPLICATE_ID": unmatched["is_duplicate"],
        "DOB_INVALID": ~unmatched["birth_date_valid"],
        "GENDER_MISMATCH": unmatched["gender"].isna(),
    }

    both = compare.intersect_rows.astype(dict.fromkeys((*SECTOR_FLAGS, "is_deceased"), bool))
    name_differs = ~both["full_name_match"]
    dob_differs = both["birth_date_valid"] & ~(both["birth_date_match"] & both["birth_date_precision_match"])
    dob_agree = dob_agrees(
        both["birth_date_sector"],
        both["birth_date_precision_sector"],
        both["birth_date_register"],
        both["birth_date_precision_register"],
    )
    matched_flags = {
        "LEGACY_ID": both["id_kind"] == "cmnd",
        "DUPLICATE_ID": both["is_duplicate"],
        "NAME_DIACRITICS": name_differs & both["name_plain_match"],
        "NAME_MISMATCH": name_differs & ~both["name_plain_match"],
        "DOB_INVALID": ~both["birth_date_valid"],
        "DOB_MISMATCH": dob_differs & ~dob_agree,
        "DOB_PARTIAL": dob_differs & dob_agree,
        "GENDER_MISMATCH": ~both["gender_match"],
        "DECEASED": both["is_active"] & both["is_deceased"],
    }

    frames = []
    for rows, flags in ((unmatched, unmatched_flags), (both, matched_flags)):
        reasons = reasons_text(flags, rows.index)
        keep = reasons != ""
        frames.append(
            pd.DataFrame(
                {
                    "source_key": rows["source_key"][keep],
                    "national_id": rows["national_id"][keep],
                    "reasons": reasons[keep],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    """Read, normalise, compare with datacompy, write; print the JSON result."""
    args = parse_args(__doc__ or "")
    watch = Stopwatch()
    with watch.phase("read"):
        register_raw, sector_raw = read_inputs(args)
    log(f"read {len(register_raw)} register rows, {len(sector_raw)} sector rows; datacompy {datacompy.__version__}")
    with watch.phase("normalise"):
        today = pd.Timestamp.today().normalize()
        register = normalise_register(register_raw)
        sector = normalise_sector(sector_raw, today)
    with watch.phase("compare"):
        left, right = prepare(sector, register)
        compare = datacompy.PandasCompare(
            left, right, join_columns="national_id", df1_name="sector", df2_name="register"
        )
        log(
            f"datacompy: {len(compare.df1_unq_rows)} cards only in sector, {len(compare.intersect_rows)} joined, "
            f"{compare.count_matching_rows()} joined with all of {', '.join(COMPARED)} equal"
        )
        mismatches = mismatches_of(compare, right["national_id"])
    log(f"{len(mismatches)} mismatched records")
    with watch.phase("write"):
        write_mismatches(mismatches, args.warehouse_url, args.output_table)
    emit("datacompy", len(sector_raw), len(register_raw), len(mismatches), watch)


if __name__ == "__main__":
    main()
