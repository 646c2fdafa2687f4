"""Forced collisions: twins and shared former CMNDs at a small size, with a truth the rules agree with."""

from collections import Counter

from popsync.generate import GenerateOptions
from popsync.generate.stream import generate_chunks
from tests.generate.common import AS_OF
from tests.generate.stream_oracle import check_chunks, register_of


def test_collisions_make_twins_and_shared_cmnds_and_the_truth_follows_the_rules() -> None:
    chunks = list(generate_chunks(GenerateOptions(persons=4_000, chunk_size=2_000, collisions=0.03, as_of=AS_OF)))
    register = register_of(chunks)
    twins = Counter((p.full_name, p.gender, p.birth_date) for p in register.values())
    cmnds = Counter(p.former_cmnd for p in register.values() if p.former_cmnd)
    assert sum(count for count in twins.values() if count > 1) >= 50
    assert sum(count for count in cmnds.values() if count > 1) >= 20
    for dataset, (oracle, truth) in check_chunks(chunks, AS_OF).items():
        assert oracle.keys() == truth.keys(), dataset
        wrong = {key: (oracle[key], truth[key]) for key in oracle if oracle[key] != truth[key]}
        assert not wrong, f"{dataset}: {len(wrong)} records disagree, e.g. {list(wrong.items())[:3]}"
    legacy_unlinked = [
        codes
        for chunk in chunks
        for part in chunk.datasets
        for codes in part.ground_truth_columns[2]
        if codes is not None and "LEGACY_ID" in codes and "NOT_IN_REFERENCE" in codes
    ]
    assert legacy_unlinked  # records that use a shared CMND do not link


def test_without_collisions_the_rows_do_not_change() -> None:
    options = GenerateOptions(persons=1_500, as_of=AS_OF)
    plain = next(generate_chunks(options)).copy_text()
    assert next(generate_chunks(GenerateOptions(persons=1_500, as_of=AS_OF, collisions=0.0))).copy_text() == plain
