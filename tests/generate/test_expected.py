"""Expected reasons: allowed codes only, consistent with an independent reading of the rules."""

import dataclasses
from collections import Counter

import pytest

from popsync.generate import FaultRates, GenerateOptions
from popsync.generate import stream as stream_module
from popsync.generate.spec import DATASET_SPECS, DatasetSpec
from popsync.generate.stream import Chunk, generate_chunks
from tests.generate.common import AS_OF
from tests.generate.stream_oracle import ROLES, Expected, check_chunks

ALLOWED = {
    "MISSING_ID",
    "INVALID_ID",
    "LEGACY_ID",
    "NOT_IN_REFERENCE",
    "DUPLICATE_ID",
    "NAME_ENCODING",
    "NAME_DIACRITICS",
    "NAME_MISMATCH",
    "DOB_INVALID",
    "DOB_PARTIAL",
    "DOB_MISMATCH",
    "GENDER_MISMATCH",
    "DECEASED",
    "DEATH_NOT_IN_REGISTER",
    "DEATH_DATE_MISMATCH",
}
UNLINKED = {"MISSING_ID", "INVALID_ID", "NOT_IN_REFERENCE"}
NEEDS_LINK = {
    "NAME_ENCODING", "NAME_DIACRITICS", "NAME_MISMATCH", "DOB_PARTIAL", "DOB_MISMATCH", "DECEASED",
    "DEATH_NOT_IN_REGISTER", "DEATH_DATE_MISMATCH",
}  # fmt: skip


def _truth(chunks: list[Chunk]) -> dict[str, list[tuple[tuple[str, ...], str | None]]]:
    result: dict[str, list[tuple[tuple[str, ...], str | None]]] = {}
    for chunk in chunks:
        for part in chunk.datasets:
            for _, _, reasons, linked in zip(*part.ground_truth_columns[:4], strict=True):
                assert reasons is not None and reasons.startswith("{") and reasons.endswith("}")
                codes = tuple(code for code in reasons[1:-1].split(",") if code)
                result.setdefault(part.spec.name, []).append((codes, linked))
    return result


def _assert_agree(results: dict[str, tuple[Expected, Expected]]) -> None:
    for dataset, (oracle, truth) in results.items():
        assert oracle.keys() == truth.keys(), dataset
        wrong = {key: (oracle[key], truth[key]) for key in oracle if oracle[key] != truth[key]}
        assert not wrong, f"{dataset}: {len(wrong)} records disagree, e.g. {list(wrong.items())[:3]}"


def test_reasons_are_allowed_sorted_and_consistent_with_linking(small_run: list[Chunk]) -> None:
    truth = _truth(small_run)
    assert set(truth) == {
        "cards", "pupils", "teachers", "participants", "pensioners", "birth_registrations", "death_registrations",
    }  # fmt: skip
    for dataset, records in truth.items():
        for codes, linked in records:
            assert set(codes) <= ALLOWED and list(codes) == sorted(set(codes)), (dataset, codes)
            assert (linked is None) == bool(UNLINKED & set(codes)), (dataset, codes, linked)
            if linked is None:
                assert not NEEDS_LINK & set(codes), (dataset, codes)
            assert sum(code.startswith("NAME_") for code in codes) <= 1
            assert sum(code.startswith("DOB_") for code in codes) <= 1
        if dataset == "birth_registrations":
            assert all("DECEASED" not in codes for codes, _ in records)


def test_default_rates_give_mostly_matched_records(small_run: list[Chunk]) -> None:
    for dataset, records in _truth(small_run).items():
        if dataset == "death_registrations":  # few records, built apart (generate.death_registrations)
            continue
        matched = sum(not codes for codes, _ in records) / len(records)
        assert 0.75 <= matched <= 0.95, dataset


def test_ground_truth_agrees_with_the_rules(small_run: list[Chunk]) -> None:
    _assert_agree(check_chunks(small_run, AS_OF))


def test_ground_truth_agrees_with_the_rules_when_faults_combine() -> None:
    rates = FaultRates(**{item.name: 0.3 for item in dataclasses.fields(FaultRates)})
    chunks = list(generate_chunks(GenerateOptions(persons=8_000, chunk_size=3_000, seed=11, rates=rates, as_of=AS_OF)))
    _assert_agree(check_chunks(chunks, AS_OF))
    counts = Counter(code for records in _truth(chunks).values() for codes, _ in records for code in codes)
    assert set(counts) >= ALLOWED, f"codes never generated: {ALLOWED - set(counts)}"


def test_without_faults_only_outsiders_mismatch() -> None:
    chunks = list(generate_chunks(GenerateOptions(persons=3_000, rates=FaultRates.none(), as_of=AS_OF)))
    truth = _truth(chunks)
    truth.pop("death_registrations")  # register defects and CMNDs (generate.death_registrations)
    for dataset, records in truth.items():
        assert {codes for codes, _ in records} <= {(), ("NOT_IN_REFERENCE",)}, dataset
    reasons = [codes for items in truth.values() for codes, _ in items]
    assert 0.005 <= sum(bool(codes) for codes in reasons) / len(reasons) <= 0.015  # ~1% outside the register


def test_day_only_dataset_with_elderly_people_expects_dob_partial(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dataset that cannot write a year-only birth date writes 01/01/yyyy: DOB_PARTIAL."""
    teachers = next(spec for spec in DATASET_SPECS if spec.name == "teachers")
    elderly = dataclasses.replace(teachers, min_age=60, max_age=100, membership=0.9)

    def specs_for(sectors: tuple[str, ...]) -> list[DatasetSpec]:
        return [elderly]

    monkeypatch.setattr(stream_module, "specs_for", specs_for)
    chunks = list(generate_chunks(GenerateOptions(persons=6_000, sectors=("education",), as_of=AS_OF)))
    _assert_agree(check_chunks(chunks, AS_OF))
    partial = sum("DOB_PARTIAL" in codes for codes, _ in _truth(chunks)["teachers"])
    assert partial > 20


def test_new_families_and_expected_suggestions() -> None:
    """Every encoding family and every suggestion method is generated; ID methods are what the ID text says."""
    from popsync.domain.id_suggestions import SuggestionMethod, id_method
    from popsync.domain.name_repairs import is_unclean

    new = ("name_viqr", "name_cp1258", "name_utf8_misread", "name_lookalike", "name_invisible")
    rates = dataclasses.replace(
        FaultRates(), **dict.fromkeys(new, 0.05), id_leading_zero=0.02, id_letter_digit=0.02, id_typo=0.02
    )
    chunks = list(generate_chunks(GenerateOptions(persons=8_000, chunk_size=3_000, seed=5, rates=rates, as_of=AS_OF)))
    _assert_agree(check_chunks(chunks, AS_OF))
    methods: Counter[str] = Counter()
    unclean = 0
    for chunk in chunks:
        for part in chunk.datasets:
            spec = part.spec
            _, id_role, name_role, _, _ = ROLES[spec.name]
            ids = part.table_columns[spec.columns.index(id_role)]
            names = part.table_columns[spec.columns.index(name_role)]
            unclean += sum(is_unclean(str(name)) for name in names if name)
            _, _, reasons, linked, suggested, method, *_ = part.ground_truth_columns
            for text, codes, link, nid, how in zip(ids, reasons, linked, suggested, method, strict=True):
                if how is None:
                    continue
                methods[str(how)] += 1
                assert link is None and codes != "{}"
                if how != SuggestionMethod.NAME_BIRTH_GENDER:
                    assert id_method(text, str(nid)) == how
    assert set(methods) == {str(method) for method in SuggestionMethod}, methods
    assert unclean > 100
