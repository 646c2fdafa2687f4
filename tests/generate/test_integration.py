"""Generate 3,000 persons into a real PostgreSQL server and check what landed there."""

import datetime
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from popsync.generate import DatabaseExistsError, GenerateOptions, GenerationReport, generate
from popsync.generate.database import database_url
from popsync.generate.spec import DATASET_SPECS
from tests.generate.oracle_db import check_sector, load_register
from tests.integration.conftest import COLLISIONS as DEMO_COLLISIONS
from tests.integration.conftest import PERSONS as DEMO_PERSONS
from tests.integration.conftest import SEED as DEMO_SEED

OPTIONS = GenerateOptions(persons=3_000, chunk_size=1_200, seed=21, replace=True)
DATABASES = (
    "popsync_register",
    "popsync_src_education",
    "popsync_src_health_insurance",
    "popsync_src_justice",
    "popsync_src_social_insurance",
)


@pytest.fixture(scope="module")
def generated(generate_server_url: str) -> Iterator[GenerationReport]:
    yield generate(OPTIONS, generate_server_url)
    # This module replaces the session's generated databases. Whichever order the test workers
    # hand modules out in, the integration modules of this session find their own data again:
    # the same options and seed give the same rows (and the same ground truth).
    generate(
        GenerateOptions(persons=DEMO_PERSONS, seed=DEMO_SEED, replace=True, collisions=DEMO_COLLISIONS),
        generate_server_url,
    )


def _count(url: str, table: str) -> int:
    schema, name = table.split(".")
    with psycopg.connect(url) as conn:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name))).fetchone()
    assert row is not None
    return int(row[0])


def test_report_counts_match_the_tables(generated: GenerationReport, generate_server_url: str) -> None:
    assert set(generated.row_counts) == set(DATABASES)
    assert generated.row_counts["popsync_register"] == {"dan_cu.persons": 3_000}
    for database, tables in generated.row_counts.items():
        for table, rows in tables.items():
            assert _count(database_url(generate_server_url, database), table) == rows, (database, table)
    cards = generated.row_counts["popsync_src_health_insurance"]["bhyt.the_bhyt"]
    assert 0.80 * 3_000 <= cards <= 0.92 * 3_000
    assert generated.elapsed_seconds > 0
    assert sum(generated.expected_reasons["health_insurance.cards"].values()) >= cards


def test_ground_truth_covers_every_source_row(generated: GenerationReport, generate_server_url: str) -> None:
    for spec in DATASET_SPECS:
        url = database_url(generate_server_url, f"popsync_src_{spec.sector}")
        query = sql.SQL(
            "SELECT count(*) FILTER (WHERE t.k IS NULL), count(*) FILTER (WHERE g.source_key IS NULL), count(*) "
            "FROM (SELECT {key}::text AS k FROM {table}) t "
            "FULL JOIN (SELECT source_key FROM ground_truth.expected WHERE dataset = %s) g ON g.source_key = t.k"
        ).format(key=sql.Identifier(spec.key_column), table=sql.Identifier(*spec.table))
        with psycopg.connect(url) as conn:
            row = conn.execute(query, [spec.name]).fetchone()
        assert row is not None
        assert row[0] == 0 and row[1] == 0 and row[2] > 0, spec.key


def test_ground_truth_agrees_with_the_rules_through_the_extract_sql(
    generated: GenerationReport, generate_server_url: str
) -> None:
    register = load_register(database_url(generate_server_url, "popsync_register"))
    for sector in OPTIONS.sectors:
        url = database_url(generate_server_url, f"popsync_src_{sector}")
        for dataset, (oracle, truth) in check_sector(url, sector, register, datetime.date.today()).items():
            assert oracle.keys() == truth.keys(), dataset
            wrong = [(key, oracle[key], truth[key]) for key in oracle if oracle[key] != truth[key]]
            assert not wrong, f"{dataset}: {wrong[:3]}"


def test_keys_and_indexes_are_in_place(generated: GenerationReport, generate_server_url: str) -> None:
    with psycopg.connect(database_url(generate_server_url, "popsync_register")) as conn:
        indexes = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'dan_cu'")}
    assert {"persons_pkey", "persons_former_cmnd_idx", "persons_updated_at_idx"} <= indexes
    for spec in DATASET_SPECS:
        with psycopg.connect(database_url(generate_server_url, f"popsync_src_{spec.sector}")) as conn:
            keys = conn.execute(
                "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'p' AND connamespace <> "
                "'pg_catalog'::regnamespace"
            ).fetchall()
        assert {".".join(spec.table), "ground_truth.expected"} <= {row[0] for row in keys}


def test_existing_databases_are_only_replaced_on_request(generated: GenerationReport, generate_server_url: str) -> None:
    register_url = database_url(generate_server_url, "popsync_register")
    with pytest.raises(DatabaseExistsError, match="replace") as refused:
        generate(GenerateOptions(persons=500, sectors=("justice",)), generate_server_url)
    assert isinstance(refused.value, FileExistsError)
    assert _count(register_url, "dan_cu.persons") == 3_000  # untouched

    report = generate(GenerateOptions(persons=500, sectors=("justice",), replace=True), generate_server_url)
    assert set(report.row_counts) == {"popsync_register", "popsync_src_justice"}
    assert _count(register_url, "dan_cu.persons") == 500
    justice = database_url(generate_server_url, "popsync_src_justice")
    assert (
        _count(justice, "ho_tich.dang_ky_khai_sinh")
        == report.row_counts["popsync_src_justice"]["ho_tich.dang_ky_khai_sinh"]
    )
