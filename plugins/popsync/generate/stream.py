"""The generated data as a deterministic stream of chunks of COPY text (no database needed).

A cheap planning pass counts the register's people per ID bucket; after it, every chunk
is a pure function of the options and the bucket counts of the chunks before it, so
chunks can be generated in worker processes and still give identical rows.
"""

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Final

import numpy as np

from popsync.generate.death_registrations import DEATH_REGISTRATIONS, build_death_records
from popsync.generate.formats import Column, bool_texts, copy_text
from popsync.generate.ids import IdScheme
from popsync.generate.options import GenerateOptions, validate_options
from popsync.generate.population import chunk_bucket_counts, chunk_rng, make_persons, register_columns
from popsync.generate.records import ChunkSlots, Records, build_records
from popsync.generate.spec import DatasetSpec, specs_for
from popsync.generate.suggestions import SuggestionProbe
from popsync.generate.tables import RENDERERS

DATASET_STREAM_BASE: Final = 100
MAX_AUTO_WORKERS: Final = 4


@dataclass(frozen=True)
class DatasetChunk:
    """One dataset's rows of one chunk: the sector table and its ground truth."""

    spec: DatasetSpec
    table_columns: list[Column]
    """Columns in ``spec.columns`` order."""
    ground_truth_columns: list[Column]
    """dataset, source_key, expected_reasons, expected_linked_national_id, expected_suggested_national_id,
    expected_suggestion_method, true_national_id, beyond_rules, expected_active (see database.GROUND_TRUTH_COLUMNS)."""
    rows: int
    reasons: Counter[str]
    """Records per text[] literal of expected reasons ("{}" = matched)."""
    name_birth_gender: tuple[SuggestionProbe, ...] = ()
    """Records the rules may suggest a person for by name, birth date and gender: their own
    person's records keep it only when exactly one register person fits, records of people
    outside the register get the one stranger who fits (checked after generation, see
    generate.suggestions)."""
    unregistered_deaths: tuple[str, ...] = ()
    """Death registrations only: register deaths in the digitised scope with no registration."""


@dataclass(frozen=True)
class Chunk:
    """All rows generated from one chunk of register persons."""

    number: int
    persons: int
    register_columns: list[Column]
    datasets: tuple[DatasetChunk, ...]

    def copy_text(self) -> str:
        """Every row of the chunk in COPY text format, table after table (to compare or hash runs)."""
        parts = [copy_text(self.register_columns)]
        for part in self.datasets:
            parts += [copy_text(part.table_columns), copy_text(part.ground_truth_columns)]
        return "".join(parts)


def chunk_bounds(options: GenerateOptions) -> list[tuple[int, int]]:
    """``(start, count)`` of each chunk of people."""
    size = options.chunk_size
    return [(start, min(size, options.persons - start)) for start in range(0, options.persons, size)]


def plan(options: GenerateOptions) -> IdScheme:
    """The ID scheme with the final number of register persons per bucket."""
    scheme = IdScheme(options.seed)
    for number, (_, count) in enumerate(chunk_bounds(options)):
        scheme.final_counts += chunk_bucket_counts(options.seed, number, count, options.as_of)
    return scheme


def _chunk_offsets(options: GenerateOptions) -> Iterator[tuple[int, np.ndarray]]:
    """Each chunk's number and the people per bucket in the chunks before it."""
    offsets = np.zeros_like(IdScheme(options.seed).final_counts)
    for number, (_, count) in enumerate(chunk_bounds(options)):
        yield number, offsets.copy()
        offsets += chunk_bucket_counts(options.seed, number, count, options.as_of)


def _bare_id(text: str | None) -> str | None:
    """The record's ID without separators or spaces (None when missing)."""
    bare = "".join(char for char in text if char.isalnum()) if text else ""
    return bare or None


def _dataset_chunk(
    spec: DatasetSpec, records: Records, columns: list[Column], unregistered_deaths: tuple[str, ...] = ()
) -> DatasetChunk:
    keys = columns[spec.columns.index(spec.key_column)]
    truth: list[Column] = [
        [spec.name] * len(records),
        keys,
        records.reasons,
        records.linked,
        records.suggested,
        records.suggestion_method,
        records.true_national_id,
        records.beyond_rules,
        bool_texts(records.active) if spec.has_active else [None] * len(records),
    ]
    probes = tuple(
        SuggestionProbe(
            spec.name, str(key), suggested, probe[0], "F" if probe[1] else "M", probe[2], probe[3], _bare_id(text)
        )
        for key, suggested, probe, text in zip(keys, records.suggested, records.probe, records.national_id, strict=True)
        if probe is not None
    )
    return DatasetChunk(spec, columns, truth, len(records), Counter(records.reasons), probes, unregistered_deaths)


def make_chunk(options: GenerateOptions, scheme: IdScheme, number: int, offsets: np.ndarray) -> Chunk:
    """Generate chunk ``number`` (the register rows and every dataset's rows)."""
    bounds = chunk_bounds(options)
    start, count = bounds[number]
    persons = make_persons(scheme, options.seed, number, start, count, options.as_of, offsets, options.collisions)
    slots = ChunkSlots(options.seed, number, options.chunk_size, len(bounds), options.persons)
    datasets = []
    for spec in specs_for(options.sectors):
        rng = chunk_rng(options.seed, number, DATASET_STREAM_BASE + spec.stream)
        if spec.name == DEATH_REGISTRATIONS:
            deaths = build_death_records(spec, persons, rng, options.as_of)
            columns = RENDERERS[spec.name](deaths.records, rng, options.as_of)
            datasets.append(_dataset_chunk(spec, deaths.records, columns, tuple(deaths.unregistered)))
            continue
        records = build_records(
            spec,
            persons,
            rng,
            rates=options.rates,
            coverage=options.coverage.get(spec.key, 1.0),
            scheme=scheme,
            slots=slots,
            as_of=options.as_of,
        )
        datasets.append(_dataset_chunk(spec, records, RENDERERS[spec.name](records, rng, options.as_of)))
    return Chunk(number, count, register_columns(persons), tuple(datasets))


_worker: tuple[GenerateOptions, IdScheme] | None = None


def _init_worker(options: GenerateOptions, scheme: IdScheme) -> None:
    global _worker
    _worker = (options, scheme)


def _worker_chunk(number: int, offsets: np.ndarray) -> Chunk:
    assert _worker is not None, "worker not initialised"
    return make_chunk(_worker[0], _worker[1], number, offsets)


def default_workers(options: GenerateOptions) -> int:
    """Worker processes used when not specified: with 4+ CPUs one per CPU but one (left to the
    database server), at most 4; else 1 (generate in-process: workers only add overhead)."""
    cpus = os.cpu_count() or 1
    if cpus < 4:
        return 1
    return max(1, min(cpus - 1, MAX_AUTO_WORKERS, len(chunk_bounds(options))))


def generate_chunks(options: GenerateOptions, workers: int = 1) -> Iterator[Chunk]:
    """Yield the chunks in order; ``workers`` > 1 generates them in that many processes."""
    validate_options(options)
    scheme = plan(options)
    if workers <= 1 or len(chunk_bounds(options)) <= 1:
        for number, offsets in _chunk_offsets(options):
            yield make_chunk(options, scheme, number, offsets)
        return
    # fork: workers need not re-import the caller's main module (spawn would); they never
    # touch the parent's connections and leave through os._exit.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(options, scheme))
    pending: deque[Future[Chunk]] = deque()
    try:
        for number, offsets in _chunk_offsets(options):
            pending.append(pool.submit(_worker_chunk, number, offsets))
            if len(pending) > workers:  # bounded: at most workers + 1 chunks in flight
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
