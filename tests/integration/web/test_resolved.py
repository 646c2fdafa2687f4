"""Resolved mismatches in the workbench: listed with the status filter, paged, exported, and
each one's record page telling its story from the lifecycle; one "first seen" per record page.

Resolved rows are written here into the lifecycle (a session publishes each dataset once, so
none would otherwise exist); expectations are independent SQL on the contract tables.
"""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from popsync.settings import WAREHOUSE_DATABASE, Settings

Conn = psycopg.Connection[tuple[Any, ...]]
SECTORS = ("education", "health_insurance", "justice", "social_insurance")
RESOLVED = 60  # more than one page of 50
PREFIX = "RESOLVED-TEST-"


@pytest.fixture(scope="module")
def resolved(web_client: TestClient, settings: Settings) -> Iterator[list[str]]:
    """Sixty health-insurance records a later run no longer found mismatched (half fixed, half removed)."""
    keys = [f"{PREFIX}{index:03d}" for index in range(RESOLVED)]
    with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO sync.mismatch_lifecycle (sector, dataset, source_key, status, first_seen, last_seen, "
            "resolved_at, resolution, current_reasons, verdict, run_id, applied_date) "
            "SELECT 'health_insurance', 'cards', key, 'resolved', now() - interval '20 days', "
            "now() - interval '5 days', now() - interval '4 days', "
            "CASE WHEN n %% 2 = 0 THEN 'fixed' ELSE 'removed' END, "
            "CASE WHEN n %% 3 = 0 THEN ARRAY['NAME_MISMATCH'] ELSE ARRAY['DOB_MISMATCH'] END, "
            "CASE WHEN n %% 4 = 0 THEN 'fixing_at_source' END, 'scheduled__resolved_test', now() - interval '4 days' "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS k (key, n)",
            (keys,),
        )
        yield keys
        conn.execute("DELETE FROM sync.mismatch_lifecycle WHERE source_key LIKE %s", (f"{PREFIX}%",))


def _expected(conn: Conn, where: str = "true") -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT sector, dataset, source_key, current_reasons, verdict FROM sync.mismatch_lifecycle "
        f"WHERE status = 'resolved' AND sector = ANY(%(defined)s) AND ({where}) ORDER BY sector, dataset, source_key",
        {"defined": list(SECTORS)},
    ).fetchall()


def _all_pages(client: TestClient, headers: dict[str, str], params: list[tuple[str, str]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        query = [*params, *([("after", after)] if after else [])]
        response = client.get("/popsync/api/mismatches", params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["rows"]) <= 50
        rows += body["rows"]
        after = body["next"]
        if after is None:
            return rows


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ([("status", "resolved")], "true"),
        ([("status", "resolved"), ("reason", "NAME_MISMATCH")], "'NAME_MISMATCH' = ANY(current_reasons)"),
        ([("status", "resolved"), ("verdict", "fixing_at_source")], "verdict = 'fixing_at_source'"),
        ([("status", "resolved"), ("province", "001")], "false"),  # a resolved record has no province any more
    ],
)
def test_resolved_filter_pages_through_exactly_the_resolved_lifecycle_rows(
    resolved: list[str],
    web_client: TestClient,
    admin: dict[str, str],
    warehouse: Conn,
    params: list[tuple[str, str]],
    where: str,
) -> None:
    expected = _expected(warehouse, where)
    if where != "false":
        assert {row[2] for row in expected} & set(resolved)
    rows = _all_pages(web_client, admin, params)
    assert [(r["sector"], r["dataset"], r["source_key"]) for r in rows] == [tuple(row[:3]) for row in expected]
    assert [(r["reasons"], r["verdict"], r["status"]) for r in rows] == [
        (list(row[3]), row[4], "resolved") for row in expected
    ]


def test_resolved_rows_are_exported_like_the_page(
    resolved: list[str], web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    response = web_client.get(
        "/popsync/export.csv", params={"status": "resolved", "sector": "health_insurance"}, headers=admin
    )
    assert response.status_code == 200
    body = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    keys = [line[2] for line in body[1:]]
    assert keys == [row[2] for row in _expected(warehouse, "sector = 'health_insurance'")]
    assert set(resolved) <= set(keys)


def test_a_resolved_record_page_shows_its_history_without_a_verdict_form(
    resolved: list[str], web_client: TestClient, admin: dict[str, str]
) -> None:
    page = web_client.get(
        "/popsync/mismatches", params={"status": "resolved", "sector": "health_insurance"}, headers=admin
    )
    assert page.status_code == 200
    links = dict(
        (key, href.replace("&amp;", "&"))
        for href, key in re.findall(r'class="record-link" href="([^"]+)">([^<]+)</a>', page.text)
    )
    assert resolved[0] in links
    record = web_client.get(links[resolved[0]], headers=admin)
    assert record.status_code == 200, record.text
    text = record.text
    assert text.count(">First seen<") + text.count(">Lần đầu phát hiện<") == 1
    assert 'id="lifecycle"' in text and "(removed)" in text  # the first key: n = 1, removed
    assert "DOB_MISMATCH" in text  # its reasons when last seen
    assert 'id="verdict-form"' not in text  # a verdict is for an open mismatch
    assert 'id="comparison"' not in text  # the record's values are no longer published


def test_a_current_record_page_shows_first_seen_once(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    page = web_client.get("/popsync/mismatches", params={"sector": "health_insurance"}, headers=admin)
    href = re.search(r'class="record-link" href="([^"]+)"', page.text)
    assert href is not None
    record = web_client.get(href.group(1).replace("&amp;", "&"), headers=admin)
    assert record.status_code == 200
    assert record.text.count(">First seen<") + record.text.count(">Lần đầu phát hiện<") == 1
    assert 'id="verdict-form"' in record.text and 'id="comparison"' in record.text
