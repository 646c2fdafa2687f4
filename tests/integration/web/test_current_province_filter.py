"""The current-province filter of the workbench, the reasons page, their JSON API and the exports.

A current province covers its own code and the former provinces merged into it (a former
province's records show under its successor); expectations are computed here by SQL on the
contract tables and ``reference.provinces``, written independently of the app's queries.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from popsync.settings import WAREHOUSE_DATABASE, Settings
from popsync.web.i18n import EXPORT_COLUMNS
from tests.integration.web.test_web_api import _all_pages, _xlsx_rows

Conn = psycopg.Connection[tuple[Any, ...]]
SECTORS = ["education", "health_insurance", "justice", "social_insurance"]


@pytest.fixture(scope="module")
def merged(web_client: TestClient, settings: Settings) -> Iterator[tuple[str, list[str]]]:
    """The merged current province with the most mismatches reported under two or more of its codes,
    and every code (either table) that belongs to it in ``reference.provinces``."""
    with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE), autocommit=True) as conn:
        row = conn.execute(
            "SELECT p.current_code FROM sync.mismatches AS m "
            "JOIN reference.provinces AS p ON p.code = m.province_code AND p.code_set = 'former' "
            "WHERE m.sector = ANY(%s) GROUP BY p.current_code HAVING count(DISTINCT m.province_code) >= 2 "
            "ORDER BY count(*) DESC, p.current_code LIMIT 1",
            (SECTORS,),
        ).fetchone()
        assert row is not None, "the demo data should hold a merged province reported under two codes"
        members = conn.execute(
            "SELECT array_agg(DISTINCT code ORDER BY code) FROM reference.provinces WHERE current_code = %s",
            (row[0],),
        ).fetchone()
    assert members is not None
    yield str(row[0]), list(members[0])


def _expected(conn: Conn, members: list[str], where: str = "true") -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT sector, dataset, source_key, province_code FROM sync.mismatches "
        f"WHERE sector = ANY(%s) AND province_code = ANY(%s) AND ({where}) ORDER BY sector, dataset, source_key",
        (SECTORS, members),
    ).fetchall()


def test_the_workbench_api_lists_a_current_province_with_its_former_provinces(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, merged: tuple[str, list[str]]
) -> None:
    code, members = merged
    expected = _expected(warehouse, members)
    assert len({row[3] for row in expected}) >= 2  # recorded under a former and another code
    rows, pages = _all_pages(web_client, admin, [("current_province", code)])
    assert [(r["sector"], r["dataset"], r["source_key"], r["province_code"]) for r in rows] == [
        tuple(row) for row in expected
    ]
    assert pages == max(1, -(-len(expected) // 50))
    assert {r["current_province_code"] for r in rows} == {code}


def test_the_filter_combines_with_the_others(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, merged: tuple[str, list[str]]
) -> None:
    code, members = merged
    params = [("current_province", code), ("sector", "health_insurance")]
    rows, _ = _all_pages(web_client, admin, params)
    assert [r["source_key"] for r in rows] == [
        row[2] for row in _expected(warehouse, members, "sector = 'health_insurance'")
    ]
    former = min(row[3] for row in _expected(warehouse, members) if row[3] != code)  # a code with rows
    rows, _ = _all_pages(web_client, admin, [("current_province", code), ("province", former)])
    assert [r["source_key"] for r in rows] == [
        row[2] for row in _expected(warehouse, [former])
    ]  # the recorded code narrows it


def test_the_workbench_page_offers_the_34_current_provinces(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, merged: tuple[str, list[str]]
) -> None:
    code, members = merged
    page = web_client.get("/popsync/mismatches", params={"current_province": code}, headers=admin)
    assert page.status_code == 200
    select = page.text.split('name="current_province"', 1)[1].split("</select>", 1)[0]
    current = warehouse.execute(
        "SELECT code, name FROM reference.provinces WHERE code_set = 'current' ORDER BY code"
    ).fetchall()
    assert len(current) == 34 and select.count('<option value="') == 34 + 1  # and "all"
    assert all(f'value="{c}"' in select for c, _ in current)
    assert f'value="{code}" selected' in select
    expected = _expected(warehouse, members)
    for _, _, source_key, _ in expected[:50]:
        assert source_key in page.text


def test_the_reasons_api_counts_the_current_provinces_records(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, merged: tuple[str, list[str]]
) -> None:
    code, members = merged
    body = web_client.get("/popsync/api/reasons", params={"current_province": code}, headers=admin).json()
    assert body["current_province"] == code and sorted(body["provinces"]) == members
    counted = dict(
        warehouse.execute(
            "SELECT reason, count(*) FROM sync.mismatches, unnest(reasons) AS reason "
            "WHERE sector = ANY(%s) AND province_code = ANY(%s) GROUP BY reason",
            (SECTORS, members),
        ).fetchall()
    )
    assert counted
    assert {r["code"]: r["records"] for r in body["reasons"] if r["records"]} == counted
    # the trend: per run day, the last run of each dataset that day, its provinces' reason counts
    trend = warehouse.execute(
        "WITH ranked AS (SELECT sector, dataset, run_id, (logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, "
        "row_number() OVER (PARTITION BY sector, dataset, (logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        "ORDER BY logical_date DESC, published_at DESC) AS n FROM sync.sector_sync_rate WHERE sector = ANY(%s)) "
        "SELECT r.day::text, e.key, sum(e.value::bigint) FROM ranked AS r "
        "JOIN sync.province_sync_rate AS p USING (sector, dataset, run_id), jsonb_each_text(p.reason_counts) AS e "
        "WHERE r.n = 1 AND p.province_code = ANY(%s) GROUP BY 1, 2",
        (SECTORS, members),
    ).fetchall()
    days = sorted({day for day, _, _ in trend})[-30:]
    assert trend and {(d["run_day"], d["reason"]): d["records"] for d in body["trend"]} == {
        (day, reason): int(records) for day, reason, records in trend if day in days
    }
    # the sector filter narrows it to the sector's latest run
    body = web_client.get(
        "/popsync/api/reasons", params={"current_province": code, "sector": "justice"}, headers=admin
    ).json()
    justice = dict(
        warehouse.execute(
            "SELECT reason, count(*) FROM sync.mismatches, unnest(reasons) AS reason "
            "WHERE sector = 'justice' AND province_code = ANY(%s) GROUP BY reason",
            (members,),
        ).fetchall()
    )
    assert {r["code"]: r["records"] for r in body["reasons"] if r["records"]} == justice


def test_the_reasons_page_links_its_counts_to_the_filtered_workbench(
    web_client: TestClient, admin: dict[str, str], merged: tuple[str, list[str]]
) -> None:
    code, _ = merged
    page = web_client.get("/popsync/reasons", params={"current_province": code}, headers=admin)
    assert page.status_code == 200
    assert f'value="{code}" selected' in page.text
    assert f"current_province={code}&amp;reason=" in page.text


def _columns(*names: str) -> list[int]:
    columns = [c[0] for c in EXPORT_COLUMNS]
    return [columns.index(name) for name in names]


def test_csv_and_xlsx_exports_of_a_current_province(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, merged: tuple[str, list[str]]
) -> None:
    code, members = merged
    expected = [[row[0], row[1], row[2], row[3], code] for row in _expected(warehouse, members)]
    keep = _columns("sector", "dataset", "source_key", "province_code", "current_province_code")
    response = web_client.get("/popsync/export.csv", params={"current_province": code}, headers=admin)
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [[line[i] for i in keep] for line in lines[1:]] == expected
    audit = warehouse.execute(
        "SELECT detail FROM sync.audit_log WHERE action = 'export.csv' ORDER BY event_id DESC LIMIT 1"
    ).fetchone()
    assert audit is not None and audit[0]["filter"]["current_province"] == code
    assert audit[0]["rows"] == len(expected)
    response = web_client.get("/popsync/export.xlsx", params={"current_province": code}, headers=admin)
    assert response.status_code == 200
    rows = _xlsx_rows(response.content)
    assert [[row[i] for i in keep] for row in rows[1:]] == expected


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("/popsync/api/mismatches", "030", "unknown current province"),  # Hải Dương: a former province only
        ("/popsync/api/mismatches", "31", "three-digit"),
        ("/popsync/api/reasons", "030", "unknown current province"),
        ("/popsync/export.csv", "999", "unknown current province"),
    ],
)
def test_a_code_that_is_no_current_province_gets_a_clear_400(
    web_client: TestClient, admin: dict[str, str], path: str, value: str, message: str
) -> None:
    response = web_client.get(path, params={"current_province": value}, headers=admin)
    assert response.status_code == 400
    assert message in response.text


def test_a_sector_user_filters_within_their_sector(
    web_client: TestClient,
    token_for: Any,
    warehouse: Conn,
    merged: tuple[str, list[str]],
) -> None:
    code, members = merged
    clerk = token_for("bhyt_clerk", "VIEWER")
    rows, _ = _all_pages(web_client, clerk, [("current_province", code)])
    assert [r["source_key"] for r in rows] == [
        row[2] for row in _expected(warehouse, members, "sector = 'health_insurance'")
    ]
