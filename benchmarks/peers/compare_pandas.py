"""Benchmark peer: reconcile health-insurance cards with the register in plain pandas.

Two left merges (12-digit ID on ``national_id``, 9-digit CMND through ``former_cmnd``) and
vectorised boolean masks, one per reason code; the mismatched records go back with ``to_sql``.
"""

from __future__ import annotations

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


def classify(sector: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Link every sector record to the register and return the mismatched ones with their reasons."""
    by_cmnd = sector.assign(cmnd_key=sector["national_id"].where(sector["id_kind"] == "cmnd")).merge(
        unique_cmnd_lookup(register), how="left", left_on="cmnd_key", right_on="former_cmnd", validate="many_to_one"
    )
    by_cmnd["join_key"] = by_cmnd["national_id"].where(by_cmnd["id_kind"] == "cccd", by_cmnd["cmnd_national_id"])
    ref = register.drop(columns="former_cmnd").add_prefix("ref_")
    merged = by_cmnd.merge(ref, how="left", left_on="join_key", right_on="ref_national_id", validate="many_to_one")
    linked = merged["ref_national_id"].notna()
    kind = merged["id_kind"]
    has_number = kind.isin(ID_KINDS_WITH_NUMBER)
    resolved = merged["ref_national_id"].fillna(merged["national_id"].where(has_number))

    name_differs = linked & (merged["full_name"] != merged["ref_full_name"])
    diacritics_only = name_differs & (merged["name_plain"] == merged["ref_name_plain"])
    valid_dob = merged["birth_date_valid"]
    dob_agree = dob_agrees(
        merged["birth_date"],
        merged["birth_date_precision"],
        merged["ref_birth_date"],
        merged["ref_birth_date_precision"],
    )
    same_precision = merged["birth_date_precision"] == merged["ref_birth_date_precision"]
    flags = {
        "MISSING_ID": kind == "missing",
        "INVALID_ID": kind == "invalid",
        "LEGACY_ID": kind == "cmnd",
        "NOT_IN_REFERENCE": has_number & ~linked,
        "DUPLICATE_ID": resolved.notna() & resolved.duplicated(keep=False),
        "NAME_DIACRITICS": diacritics_only,
        "NAME_MISMATCH": name_differs & ~diacritics_only,
        "DOB_INVALID": ~valid_dob,
        "DOB_MISMATCH": linked & valid_dob & (~dob_agree | merged["ref_birth_date"].isna()),
        "DOB_PARTIAL": linked & valid_dob & dob_agree & ~same_precision,
        "GENDER_MISMATCH": merged["gender"].isna() | (linked & (merged["gender"] != merged["ref_gender"])),
        "DECEASED": linked & merged["is_active"] & merged["ref_is_deceased"].fillna(False).astype(bool),
    }
    any_reason = pd.DataFrame(flags).any(axis=1)
    mismatched = merged[any_reason]
    return pd.DataFrame(
        {
            "source_key": mismatched["source_key"],
            "national_id": resolved[any_reason].fillna(mismatched["national_id"]),
            "reasons": reasons_text({code: mask[any_reason] for code, mask in flags.items()}, mismatched.index),
        }
    ).reset_index(drop=True)


def main() -> None:
    """Read, normalise, classify, write; print the JSON result."""
    args = parse_args(__doc__ or "")
    watch = Stopwatch()
    with watch.phase("read"):
        register_raw, sector_raw = read_inputs(args)
    log(f"read {len(register_raw)} register rows, {len(sector_raw)} sector rows")
    with watch.phase("normalise"):
        today = pd.Timestamp.today().normalize()
        register = normalise_register(register_raw)
        sector = normalise_sector(sector_raw, today)
    with watch.phase("compare"):
        mismatches = classify(sector, register)
    log(f"{len(mismatches)} mismatched records")
    with watch.phase("write"):
        write_mismatches(mismatches, args.warehouse_url, args.output_table)
    emit("pandas", len(sector_raw), len(register_raw), len(mismatches), watch)


if __name__ == "__main__":
    main()
