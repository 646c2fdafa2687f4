"""ID invariants: well-formed, consistent with the person, unique; outsiders and typos are nobody's."""

import datetime

import numpy as np

from popsync.domain.national_id import decode_national_id
from popsync.domain.provinces import PROVINCES
from popsync.domain.provinces_now import CURRENT_PROVINCES
from popsync.generate import GenerateOptions
from popsync.generate.ids import REGISTER_SERIALS, IdScheme, bucket_of, century_gender, typo_of
from popsync.generate.stream import Chunk, plan
from tests.generate.common import AS_OF


def _register_rows(chunks: list[Chunk]) -> list[tuple[str | None, ...]]:
    return [row for chunk in chunks for row in zip(*chunk.register_columns, strict=True)]


def test_register_ids_are_well_formed_consistent_and_unique(small_run: list[Chunk]) -> None:
    rows = _register_rows(small_run)
    ids = [row[0] for row in rows]
    assert len(set(ids)) == len(ids) == 6_000
    for national_id, _, _, birth_date, _, gender, residence, *_ in rows:
        assert national_id is not None and birth_date is not None
        assert len(national_id) == 12 and national_id.isdigit()
        decoded = decode_national_id(national_id)
        assert decoded is not None and decoded.province_code in PROVINCES
        assert decoded.gender == gender
        assert decoded.birth_year == datetime.date.fromisoformat(birth_date).year
        assert int(national_id[6:]) < REGISTER_SERIALS
        assert residence in PROVINCES


def test_former_cmnds_are_nine_digits_unique_and_only_for_adults(small_run: list[Chunk]) -> None:
    rows = _register_rows(small_run)
    cmnds = [(row[1], row[3]) for row in rows if row[1] is not None]
    assert len({cmnd for cmnd, _ in cmnds}) == len(cmnds) > 0
    for cmnd, birth_date in cmnds:
        assert cmnd is not None and birth_date is not None
        assert len(cmnd) == 9 and 100_000_000 <= int(cmnd) < 550_000_000
        assert datetime.date.fromisoformat(birth_date).year <= AS_OF.year - 25


def test_membership_test_of_the_scheme_matches_the_register(small_run: list[Chunk]) -> None:
    scheme = plan(GenerateOptions(persons=6_000, chunk_size=2_500, as_of=AS_OF))
    ids = {row[0] for row in _register_rows(small_run)}
    assert all(scheme.in_register(national_id) for national_id in ids if national_id)
    outsiders = [
        nid
        for chunk in small_run
        for part in chunk.datasets
        for nid, reasons in zip(
            part.table_columns[part.spec.columns.index(_id_column(part.spec.name))],
            part.ground_truth_columns[2],
            strict=True,
        )
        if reasons == "{NOT_IN_REFERENCE}" and nid and len(nid) == 12
    ]
    assert outsiders
    for national_id in outsiders:
        assert national_id not in ids and not scheme.in_register(national_id)


def _id_column(dataset: str) -> str:
    return {
        "teachers": "so_cccd",
        "participants": "so_cccd",
        "cards": "so_dinh_danh",
        "pensioners": "so_dinh_danh",
        "death_registrations": "so_giay_to",
    }.get(dataset, "ma_dinh_danh")


def test_typo_map_is_an_involution_that_changes_gender_or_year() -> None:
    for national_id in ("001085012345", "079301499999", "038211000007", "001000123456"):
        typo = typo_of(national_id)
        if typo is None:  # year digits equal: swapping changes nothing
            assert national_id[4] == national_id[5]
            continue
        assert typo != national_id and typo_of(typo) == national_id
        assert typo[:3] == national_id[:3] and typo[6:] == national_id[6:]


def test_serial_assignment_is_a_bijection_per_bucket() -> None:
    scheme = IdScheme(seed=1)
    buckets = np.full(5_000, bucket_of(np.array(0), century_gender(np.array(1990), np.array(False)), np.array(1990)))
    serials = scheme.assign_serials(buckets, np.zeros_like(scheme.final_counts))
    assert len(set(serials.tolist())) == 5_000 and serials.max() < REGISTER_SERIALS


def test_residence_is_written_in_the_current_table_for_records_changed_since_the_merger(
    small_run: list[Chunk],
) -> None:
    """The register writes the residence of a record changed since 1 July 2025 in the 34-province
    table (a current province's code, the former code of its seat), an older record's in the 63."""
    changed_since = datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
    old = new = 0
    for row in _register_rows(small_run):
        residence, updated_at = row[6], datetime.datetime.fromisoformat(str(row[9]))
        assert residence is not None
        if updated_at >= changed_since:
            new += 1
            assert residence in CURRENT_PROVINCES
        else:
            old += 1
            assert residence in PROVINCES
    assert new > 0 and old > 0
    former_only = {str(row[6]) for row in _register_rows(small_run)} - set(CURRENT_PROVINCES)
    assert former_only, "older records keep former codes that are no current province's code"
