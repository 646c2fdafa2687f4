"""The same options and seed always give the same rows, whatever the number of workers."""

import hashlib
from dataclasses import replace

from popsync.generate import GenerateOptions
from popsync.generate.formats import copy_text
from popsync.generate.stream import generate_chunks
from tests.generate.common import AS_OF

OPTIONS = GenerateOptions(persons=4_000, chunk_size=1_500, as_of=AS_OF)


def _digest(options: GenerateOptions, workers: int = 1) -> str:
    digest = hashlib.sha256()
    for chunk in generate_chunks(options, workers):
        digest.update(chunk.copy_text().encode())
    return digest.hexdigest()


def test_same_seed_same_rows() -> None:
    assert _digest(OPTIONS) == _digest(OPTIONS)


def test_workers_do_not_change_the_rows() -> None:
    assert _digest(OPTIONS, workers=2) == _digest(OPTIONS)


def test_other_seed_other_rows() -> None:
    assert _digest(replace(OPTIONS, seed=7)) != _digest(OPTIONS)


def test_a_dataset_does_not_depend_on_the_other_sectors() -> None:
    def cards(options: GenerateOptions) -> list[str]:
        return [
            copy_text(part.table_columns) + copy_text(part.ground_truth_columns)
            for chunk in generate_chunks(options)
            for part in chunk.datasets
            if part.spec.name == "cards"
        ]

    assert cards(replace(OPTIONS, sectors=("health_insurance",))) == cards(OPTIONS)
