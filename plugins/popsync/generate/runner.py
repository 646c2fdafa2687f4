"""Generate the register and the sector databases on a PostgreSQL server."""

import logging
import time
from collections import Counter, defaultdict
from functools import partial
from typing import Final

from popsync.generate.database import (
    GROUND_TRUTH_COLUMNS,
    GROUND_TRUTH_TABLE,
    UNREGISTERED_DEATHS_COLUMNS,
    UNREGISTERED_DEATHS_TABLE,
    CopyWriter,
    check_replaceable,
    create_databases,
    database_url,
    drop_databases,
    register_indexes,
    register_schema,
    run_concurrently,
    run_script,
    sector_schema,
)
from popsync.generate.death_registrations import DEATH_REGISTRATIONS, coverage_rows
from popsync.generate.options import GenerateOptions, validate_options
from popsync.generate.population import REGISTER_COLUMNS
from popsync.generate.report import GenerationReport
from popsync.generate.spec import specs_for
from popsync.generate.stream import Chunk, default_workers, generate_chunks
from popsync.generate.suggestions import SuggestionProbe, settle_probes
from popsync.settings import REGISTER_DATABASE, source_database

_log = logging.getLogger(__name__)

REGISTER_TABLE: Final = ("dan_cu", "persons")
_COVERAGE_COLUMNS: Final = ("ma_xa", "tu_ngay", "den_ngay")


def _reason_counts(literals: Counter[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for literal, records in literals.items():
        for code in literal.strip("{}").split(",") if literal != "{}" else ["MATCHED"]:
            counts[code] += records
    return dict(sorted(counts.items()))


def generate(options: GenerateOptions, server_url: str) -> GenerationReport:
    """Create ``popsync_register`` and one ``popsync_src_<sector>`` database per sector and fill them.

    Existing databases are only dropped and recreated when ``options.replace`` is True;
    otherwise DatabaseExistsError is raised before anything is written.
    """
    validate_options(options)
    started = time.perf_counter()
    databases = [REGISTER_DATABASE, *(source_database(sector) for sector in options.sectors)]
    existing = check_replaceable(server_url, databases, options.replace)
    drop_databases(server_url, existing)
    try:
        create_databases(server_url, databases)
        counts, reasons = _load(options, server_url)
    except BaseException:
        _log.error("generation failed; dropping the partly filled databases %s", databases)
        drop_databases(server_url, databases)
        raise
    elapsed = time.perf_counter() - started
    report = GenerationReport(options.persons, options.seed, counts, reasons, elapsed)
    _log.info("%s", report.summary())
    return report


def _load(options: GenerateOptions, server_url: str) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    register_url = database_url(server_url, REGISTER_DATABASE)
    run_script(register_url, register_schema())
    specs = specs_for(options.sectors)
    for sector in options.sectors:
        run_script(database_url(server_url, source_database(sector)), sector_schema(sector))

    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for spec in specs:
        counts[source_database(spec.sector)].update({".".join(spec.table): 0, "ground_truth.expected": 0})
    literals: dict[str, Counter[str]] = defaultdict(Counter)
    probes: dict[str, list[SuggestionProbe]] = defaultdict(list)
    writers: list[CopyWriter] = []

    def writer(database: str, table: tuple[str, str], columns: tuple[str, ...]) -> CopyWriter:
        writers.append(CopyWriter(database_url(server_url, database), table, columns))
        return writers[-1]

    try:
        register = writer(REGISTER_DATABASE, REGISTER_TABLE, REGISTER_COLUMNS)
        tables = {spec.key: writer(source_database(spec.sector), spec.table, spec.columns) for spec in specs}
        truths = {
            sector: writer(source_database(sector), GROUND_TRUTH_TABLE, GROUND_TRUTH_COLUMNS)
            for sector in options.sectors
        }
        unregistered = {
            spec.key: writer(source_database(spec.sector), UNREGISTERED_DEATHS_TABLE, UNREGISTERED_DEATHS_COLUMNS)
            for spec in specs
            if spec.name == DEATH_REGISTRATIONS
        }
        coverage = {
            spec.key: writer(source_database(spec.sector), ("ho_tich", "pham_vi_so_hoa_khai_tu"), _COVERAGE_COLUMNS)
            for spec in specs
            if spec.name == DEATH_REGISTRATIONS
        }
        for key, coverage_writer in coverage.items():
            rows = coverage_rows(options.as_of)
            coverage_writer.write([[str(value) for value in column] for column in zip(*rows, strict=True)])
            counts[source_database(key.split(".")[0])]["ho_tich.pham_vi_so_hoa_khai_tu"] = len(rows)
        for chunk in generate_chunks(options, options.workers or default_workers(options)):
            _write_chunk(chunk, register, tables, truths, counts, literals)
            for part in chunk.datasets:
                if part.spec.key in unregistered:
                    deaths = list(part.unregistered_deaths)
                    unregistered[part.spec.key].write([[part.spec.name] * len(deaths), deaths])
            for part in chunk.datasets:
                probes[part.spec.sector] += part.name_birth_gender
        run_concurrently([item.close for item in writers])  # primary keys are built in parallel
    except BaseException:
        for item in writers:
            item.abort()
        raise
    counts[REGISTER_DATABASE][".".join(REGISTER_TABLE)] = options.persons

    finishing = [(REGISTER_DATABASE, register_indexes() + "\nANALYZE;")]
    finishing += [(source_database(sector), "ANALYZE;") for sector in options.sectors]
    run_concurrently([partial(run_script, database_url(server_url, name), script) for name, script in finishing])
    sector_urls = {sector: database_url(server_url, source_database(sector)) for sector in options.sectors}
    settle_probes(register_url, sector_urls, probes)
    return dict(counts), {key: _reason_counts(value) for key, value in literals.items()}


def _write_chunk(
    chunk: Chunk,
    register: CopyWriter,
    tables: dict[str, CopyWriter],
    truths: dict[str, CopyWriter],
    counts: dict[str, dict[str, int]],
    literals: dict[str, Counter[str]],
) -> None:
    register.write(chunk.register_columns)
    for part in chunk.datasets:
        spec = part.spec
        tables[spec.key].write(part.table_columns)
        truths[spec.sector].write(part.ground_truth_columns)
        database = counts[source_database(spec.sector)]
        table = ".".join(spec.table)
        database[table] += part.rows
        database["ground_truth.expected"] += part.rows
        literals[spec.key].update(part.reasons)
    _log.debug("chunk %d written (%d persons)", chunk.number, chunk.persons)
