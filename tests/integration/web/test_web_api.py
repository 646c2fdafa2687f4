"""The popsync web app through Airflow's API server app: numbers, filters, pagination, exports, access.

Every expectation is computed here by SQL written independently of the app's queries, on the
contract tables the DAG runs published.
"""

import csv
import io
import logging
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from popsync.domain.provinces_now import CURRENT_OF, CURRENT_PROVINCES
from popsync.settings import WAREHOUSE_DATABASE, Settings
from popsync.web.i18n import EXPORT_COLUMNS, export_header

Conn = psycopg.Connection[tuple[Any, ...]]
Params = Sequence[tuple[str, str]]
SECTORS = ("education", "health_insurance", "justice", "social_insurance")


def _all_pages(client: TestClient, headers: dict[str, str], params: Params) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    pages, after = 0, None
    while True:
        query = [*params, *([("after", after)] if after else [])]
        response = client.get("/popsync/api/mismatches", params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["rows"]) <= 50
        rows += body["rows"]
        pages += 1
        after = body["next"]
        if after is None:
            return rows, pages


def _expected(conn: Conn, where: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of the defined sectors (other tests publish results of throw-away sectors too)."""
    return conn.execute(
        "SELECT sector, dataset, source_key, national_id, linked_national_id, province_code, reasons "
        f"FROM sync.mismatches WHERE sector = ANY(%(defined)s) AND ({where}) ORDER BY sector, dataset, source_key",
        {**(params or {}), "defined": list(SECTORS)},
    ).fetchall()


def _keys(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(row["sector"], row["dataset"], row["source_key"]) for row in rows]


# --- authentication -------------------------------------------------------------------------------

GET_ROUTES = [
    "/popsync/",
    "/popsync/provinces",
    "/popsync/reasons",
    "/popsync/mismatches",
    "/popsync/record?ref=x",
    "/popsync/export.csv",
    "/popsync/export.xlsx",
    "/popsync/api/overview",
    "/popsync/api/provinces",
    "/popsync/api/reasons",
    "/popsync/api/mismatches",
    "/popsync/api/verdicts?ref=x",
    "/popsync/api/record?ref=x",
]
POST_ROUTES = [
    "/popsync/mismatches",
    "/popsync/record/verdict",
    "/popsync/export.csv",
    "/popsync/export.xlsx",
    "/popsync/api/mismatches/search",
    "/popsync/api/verdicts",
]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_every_get_route_refuses_an_anonymous_caller(web_client: TestClient, path: str) -> None:
    response = web_client.get(path, headers={"Accept": "application/json"}, follow_redirects=False)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("path", POST_ROUTES)
def test_every_post_route_refuses_an_anonymous_caller(web_client: TestClient, path: str) -> None:
    response = web_client.post(path, json={}, follow_redirects=False)
    assert response.status_code == 401, response.text


def test_a_browser_without_a_session_is_sent_to_airflows_login(web_client: TestClient) -> None:
    response = web_client.get("/popsync/mismatches", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/login")


def test_a_forged_token_is_refused(web_client: TestClient) -> None:
    response = web_client.get("/popsync/api/overview", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 403  # Airflow's own answer to an invalid JWT


def test_the_session_cookie_is_accepted(web_client: TestClient, admin: dict[str, str]) -> None:
    token = admin["Authorization"].removeprefix("Bearer ")
    response = web_client.get("/popsync/api/overview", cookies={"_token": token})
    assert response.status_code == 200
    web_client.cookies.clear()


# --- overview, provinces, reasons -----------------------------------------------------------------


def test_overview_numbers_equal_the_contract_views(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    body = web_client.get("/popsync/api/overview", headers=admin).json()
    rollup = warehouse.execute(
        "SELECT sector, datasets, total, matched, mismatched, sync_rate, active_total, active_matched, "
        "active_sync_rate FROM sync.sector_rollup WHERE sector = ANY(%s) ORDER BY sector",
        (list(SECTORS),),
    ).fetchall()
    assert [tuple(row.values()) for row in body["rollup"]] == [tuple(row) for row in rollup]
    assert len(rollup) == len(SECTORS)
    latest = warehouse.execute(
        "SELECT sector, dataset, run_id, total, matched, mismatched, sync_rate, quality_status, active_total, "
        "active_sync_rate FROM sync.latest_sync_rate WHERE sector = ANY(%s) ORDER BY sector, dataset",
        (list(SECTORS),),
    ).fetchall()
    fields = (
        "sector", "dataset", "run_id", "total", "matched", "mismatched", "sync_rate", "quality_status",
        "active_total", "active_sync_rate",
    )  # fmt: skip
    got = [tuple(d[name] for name in fields) for d in body["datasets"]]
    assert got == [tuple(row) for row in latest]
    page = web_client.get("/popsync/", headers=admin).text
    for _, _, total, _, _, rate, _, _, active_rate in rollup:
        assert f"{rate * 100:.2f}%" in page
        assert active_rate is None or f"{active_rate * 100:.2f}%" in page
        assert f"{total:,}" in page
    for row in latest:
        assert f"/dags/sync_{row[0]}/runs/" in page
    assert "<svg" in page


def test_change_against_the_previous_run_is_in_points(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    previous = warehouse.execute(
        "SELECT sector, dataset, sync_rate FROM ("
        " SELECT *, row_number() OVER (PARTITION BY sector, dataset ORDER BY logical_date DESC, published_at DESC) AS n"
        " FROM sync.sector_sync_rate) AS r WHERE n = 2"
    ).fetchall()
    by_dataset = {(s, d): rate for s, d, rate in previous}
    for row in web_client.get("/popsync/api/overview", headers=admin).json()["datasets"]:
        before = by_dataset.get((row["sector"], row["dataset"]))
        if before is None:
            assert row["change_points"] is None
        else:
            assert row["change_points"] == pytest.approx((row["sync_rate"] - before) * 100)


@pytest.mark.parametrize("sector", SECTORS)
def test_province_rates_add_up_to_the_sector(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, sector: str
) -> None:
    rows = web_client.get("/popsync/api/provinces", params={"sector": sector}, headers=admin).json()
    recorded = warehouse.execute(
        "SELECT p.province_code, sum(p.total), sum(p.matched) FROM sync.province_sync_rate AS p "
        "JOIN sync.latest_sync_rate AS l USING (sector, dataset, run_id) WHERE p.sector = %s "
        "GROUP BY p.province_code",
        (sector,),
    ).fetchall()
    # by current province (default): recorded codes of either table summed under their current province
    expected: dict[str, tuple[int, int]] = {}
    for code, total_rows, matched_rows in recorded:
        key = CURRENT_OF.get(code, code)
        before = expected.get(key, (0, 0))
        expected[key] = (before[0] + int(total_rows), before[1] + int(matched_rows))
    assert {r["code"]: (r["total"], r["matched"]) for r in rows} == expected
    assert all(r["code"] in CURRENT_PROVINCES or r["code"] == "unknown" for r in rows)
    former = web_client.get("/popsync/api/provinces", params={"sector": sector, "former": "1"}, headers=admin).json()
    assert {r["code"]: (r["total"], r["matched"]) for r in former} == {c: (int(t), int(m)) for c, t, m in recorded}
    total = warehouse.execute("SELECT total FROM sync.sector_rollup WHERE sector = %s", (sector,)).fetchone()
    assert total is not None and sum(r["total"] for r in rows) == total[0]
    rates = [r["sync_rate"] for r in rows]
    assert rates == sorted(rates, reverse=True)  # default: best first
    assert sorted(r["rank"] for r in rows) == list(range(1, len(rows) + 1))
    by_name = web_client.get(
        "/popsync/api/provinces", params={"sector": sector, "sort": "name", "order": "asc"}, headers=admin
    ).json()
    assert [r["name"] for r in by_name] == sorted(r["name"] for r in rows)


def test_province_page_names_provinces(web_client: TestClient, admin: dict[str, str]) -> None:
    page = web_client.get("/popsync/provinces", params={"sector": "education", "dataset": "pupils"}, headers=admin)
    assert page.status_code == 200
    assert "Hà Nội" in page.text and "<svg" in page.text


def test_province_groups_follow_reference_provinces(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    """A current province lists the former provinces ``reference.provinces`` puts under it; its
    drill-down shows only those, each with its name there and its current province."""
    reference = warehouse.execute(
        "SELECT current_code, array_agg(code ORDER BY code), array_agg(name ORDER BY code) "
        "FROM reference.provinces WHERE code_set = 'former' GROUP BY current_code"
    ).fetchall()
    formers = {current: list(codes) for current, codes, _ in reference}
    former_names = {code: name for _, codes, names in reference for code, name in zip(codes, names, strict=True)}
    rows = web_client.get("/popsync/api/provinces", headers=admin).json()
    assert rows and all(r["formers"] == formers[r["code"]] for r in rows if r["code"] != "unknown")
    merged = next(r for r in rows if len(r["formers"]) >= 2)
    drill = web_client.get("/popsync/api/provinces", params={"current": merged["code"]}, headers=admin).json()
    assert drill and {r["code"] for r in drill} <= set(merged["formers"])
    assert all(r["current_code"] == merged["code"] and r["name"] == former_names[r["code"]] for r in drill)
    page = web_client.get("/popsync/provinces", params={"current": merged["code"]}, headers=admin)
    assert page.status_code == 200 and f"{merged['name']} ({merged['code']})" in page.text
    assert web_client.get("/popsync/api/provinces", params={"current": "030"}, headers=admin).status_code == 400


@pytest.mark.parametrize("sector", SECTORS)
def test_reason_counts_equal_the_published_mismatches(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn, sector: str
) -> None:
    body = web_client.get("/popsync/api/reasons", params={"sector": sector}, headers=admin).json()
    counted = dict(
        warehouse.execute(
            "SELECT code, count(*) FROM sync.mismatches, unnest(reasons) AS code WHERE sector = %s GROUP BY code",
            (sector,),
        ).fetchall()
    )
    assert {r["code"]: r["records"] for r in body["reasons"] if r["records"]} == counted
    assert all(r["explanation"] and r["explanation"] != r["code"] for r in body["reasons"])
    # the trend: per run day, the last run of each dataset that day, its own reason counts
    trend = warehouse.execute(
        "WITH ranked AS (SELECT reason_counts, (logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, "
        "row_number() OVER (PARTITION BY dataset, (logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        "ORDER BY logical_date DESC, published_at DESC) AS n FROM sync.sector_sync_rate WHERE sector = %s) "
        "SELECT r.day::text, e.key, sum(e.value::bigint) FROM ranked AS r, jsonb_each_text(r.reason_counts) AS e "
        "WHERE r.n = 1 GROUP BY 1, 2",
        (sector,),
    ).fetchall()
    days = sorted({day for day, _, _ in trend})[-30:]
    assert trend and {(d["run_day"], d["reason"]): d["records"] for d in body["trend"]} == {
        (day, reason): int(records) for day, reason, records in trend if day in days
    }


def test_reasons_page_explains_codes_in_both_languages(web_client: TestClient, admin: dict[str, str]) -> None:
    vietnamese = web_client.get("/popsync/reasons", headers=admin).text
    english = web_client.get("/popsync/reasons", params={"lang": "en"}, headers=admin).text
    assert "Người đã mất theo CSDLQG" in vietnamese
    assert "The register records the person as dead" in english
    web_client.cookies.clear()


# --- workbench: filters and keyset pagination -----------------------------------------------------

_REOPENED = (
    "EXISTS (SELECT 1 FROM sync.mismatch_lifecycle AS l WHERE (l.sector, l.dataset, l.source_key) = "
    "(sync.mismatches.sector, sync.mismatches.dataset, sync.mismatches.source_key) AND l.reopened_count > 0)"
)
FILTERS: list[tuple[Params, str, dict[str, Any], bool]] = [
    ((), "true", {}, True),
    ((("sector", "health_insurance"),), "sector = 'health_insurance'", {}, True),
    ((("sector", "education"), ("dataset", "pupils")), "sector = 'education' AND dataset = 'pupils'", {}, True),
    (
        (("reason", "DOB_MISMATCH"), ("reason", "NAME_MISMATCH")),
        "reasons && ARRAY['DOB_MISMATCH', 'NAME_MISMATCH']",
        {},
        True,
    ),
    (
        (("reason", "DUPLICATE_ID"), ("reason", "NAME_MISMATCH"), ("reason_mode", "all")),
        "reasons @> ARRAY['DUPLICATE_ID', 'NAME_MISMATCH']",
        {},
        False,
    ),
    ((("province", "001"),), "province_code = '001'", {}, True),
    ((("status", "new"),), "first_seen >= logical_date", {}, True),
    ((("status", "recurring"),), f"first_seen < logical_date AND NOT {_REOPENED}", {}, True),
    ((("status", "reopened"),), f"first_seen < logical_date AND {_REOPENED}", {}, True),
    ((("min_age_days", "1"),), "first_seen <= now() - interval '1 day'", {}, True),
    (
        (("sector", "social_insurance"), ("reason", "DECEASED"), ("max_age_days", "30")),
        "sector = 'social_insurance' AND 'DECEASED' = ANY(reasons) AND first_seen >= now() - interval '30 days'",
        {},
        True,
    ),
]


AGED = 8  # mismatches made older than the session's runs: half of them recurring, half reopened


@pytest.fixture(scope="module")
def aged_mismatches(web_client: TestClient, settings: Settings) -> Iterator[list[tuple[str, str, str]]]:
    """A few published mismatches first seen ten days before their run, half of them reopened since.

    One session publishes each dataset from fresh data, so every mismatch is "new" and none is a
    day old; these rows give the status and age filters something to find. Ten days before now at
    the latest: other modules publish runs on logical dates days ahead. Restored afterwards.
    """
    with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE), autocommit=True) as conn:
        with conn.transaction():
            keys = conn.execute(
                "SELECT m.sector, m.dataset, m.source_key FROM sync.mismatches AS m "
                "JOIN sync.mismatch_lifecycle AS l USING (sector, dataset, source_key) "
                "WHERE m.sector = 'health_insurance' AND l.reopened_count = 0 "
                "ORDER BY m.source_key LIMIT %s",
                (AGED,),
            ).fetchall()
            assert len(keys) == AGED
            saved = conn.execute(
                "SELECT sector, dataset, source_key, first_seen, reopened_at FROM sync.mismatch_lifecycle "
                "WHERE (sector, dataset, source_key) IN (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]))",
                ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
            ).fetchall()
            for index, (sector, dataset, source_key) in enumerate(keys):
                where = {"sector": sector, "dataset": dataset, "source_key": source_key}
                conn.execute(
                    "UPDATE sync.mismatches SET first_seen = least(logical_date, now()) - interval '10 days' "
                    "WHERE sector = %(sector)s AND dataset = %(dataset)s AND source_key = %(source_key)s",
                    where,
                )
                conn.execute(
                    "UPDATE sync.mismatch_lifecycle SET first_seen = least(first_seen, now()) - interval '10 days', "
                    "reopened_count = %(reopened)s, reopened_at = CASE WHEN %(reopened)s > 0 THEN last_seen END "
                    "WHERE sector = %(sector)s AND dataset = %(dataset)s AND source_key = %(source_key)s",
                    {**where, "reopened": index % 2},
                )
        yield [tuple(key) for key in keys]
        with conn.transaction():
            for sector, dataset, source_key, first_seen, reopened_at in saved:
                where = {"sector": sector, "dataset": dataset, "source_key": source_key, "first_seen": first_seen}
                conn.execute(
                    "UPDATE sync.mismatches SET first_seen = %(first_seen)s "
                    "WHERE sector = %(sector)s AND dataset = %(dataset)s AND source_key = %(source_key)s",
                    where,
                )
                conn.execute(
                    "UPDATE sync.mismatch_lifecycle SET first_seen = %(first_seen)s, reopened_count = 0, "
                    "reopened_at = %(reopened_at)s "
                    "WHERE sector = %(sector)s AND dataset = %(dataset)s AND source_key = %(source_key)s",
                    {**where, "reopened_at": reopened_at},
                )


@pytest.mark.parametrize(("params", "where", "sql_params", "non_empty"), FILTERS)
def test_filters_and_pages_return_exactly_the_filtered_rows(
    aged_mismatches: list[tuple[str, str, str]],
    web_client: TestClient,
    admin: dict[str, str],
    warehouse: Conn,
    params: Params,
    where: str,
    sql_params: dict[str, Any],
    non_empty: bool,
) -> None:
    expected = _expected(warehouse, where, sql_params)
    if non_empty:
        assert expected, "the demo data should hold rows for this filter"
    rows, pages = _all_pages(web_client, admin, params)
    assert _keys(rows) == [tuple(row[:3]) for row in expected]  # same rows, same order, no repeats
    assert pages == max(1, -(-len(expected) // 50))
    assert [(r["national_id"], r["linked_national_id"], r["province_code"], r["reasons"]) for r in rows] == [
        (row[3], row[4], row[5], list(row[6])) for row in expected
    ]


def test_workbench_page_lists_the_first_page_and_links_the_next(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    expected = _expected(warehouse, "sector = 'health_insurance'")
    assert len(expected) > 50
    page = web_client.get("/popsync/mismatches", params={"sector": "health_insurance"}, headers=admin)
    assert page.status_code == 200
    links = re.findall(r'class="record-link" href="[^"]+">([^<]+)</a>', page.text)
    assert links == [row[2] for row in expected[:50]]
    assert 'id="next-page"' in page.text
    next_href = re.search(r'id="next-page" href="([^"]+)"', page.text)
    assert next_href is not None
    second = web_client.get(next_href.group(1).replace("&amp;", "&"), headers=admin)
    links = re.findall(r'class="record-link" href="[^"]+">([^<]+)</a>', second.text)
    assert links == [row[2] for row in expected[50:100]]


def test_search_by_id_number_with_separators_and_by_source_key(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    row = warehouse.execute(
        "SELECT sector, dataset, source_key, linked_national_id FROM sync.mismatches "
        "WHERE sector = 'education' AND linked_national_id IS NOT NULL ORDER BY source_key LIMIT 1"
    ).fetchone()
    assert row is not None
    sector, dataset, source_key, linked = row
    spaced = f"{linked[:3]} {linked[3:6]}.{linked[6:9]}-{linked[9:]}"
    body = web_client.post("/popsync/api/mismatches/search", json={"q": spaced}, headers=admin).json()
    expected = _expected(warehouse, "national_id = %(id)s OR linked_national_id = %(id)s", {"id": linked})
    assert _keys(body["rows"]) == [tuple(r[:3]) for r in expected]
    by_key = web_client.post(
        "/popsync/api/mismatches/search", json={"q": source_key, "filters": {"sector": [sector]}}, headers=admin
    ).json()
    assert (sector, dataset, source_key) in _keys(by_key["rows"])
    page = web_client.post("/popsync/mismatches", data={"q": spaced}, headers=admin)
    assert page.status_code == 200 and source_key in page.text


def test_search_terms_are_refused_in_the_address(web_client: TestClient, admin: dict[str, str]) -> None:
    for path in ("/popsync/mismatches", "/popsync/api/mismatches", "/popsync/export.csv"):
        response = web_client.get(path, params={"q": "001099012345"}, headers=admin)
        assert response.status_code == 400, path


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"reason": "NOT_A_CODE"}, "unknown reason"),
        ({"sector": "tax"}, "unknown sector"),
        ({"province": "999"}, "unknown province"),
        ({"status": "maybe"}, "status"),
        ({"min_age_days": "-3"}, "min_age_days"),
        ({"min_age_days": "9", "max_age_days": "2"}, "larger"),
        ({"after": "garbage"}, "cursor"),
        ({"sector": "education", "dataset": "cards"}, "unknown dataset"),
    ],
)
def test_bad_filters_get_a_clear_400(
    web_client: TestClient, admin: dict[str, str], params: dict[str, str], message: str
) -> None:
    response = web_client.get("/popsync/api/mismatches", params=params, headers=admin)
    assert response.status_code == 400
    assert message in response.json()["detail"]


# --- record view -----------------------------------------------------------------------------------


def _ref(client: TestClient, headers: dict[str, str], params: Params) -> tuple[str, dict[str, Any]]:
    body = client.get("/popsync/api/mismatches", params=params, headers=headers).json()
    assert body["rows"], params
    return body["rows"][0]["ref"], body["rows"][0]


def test_record_view_shows_both_sides_and_marks_the_difference(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    ref, row = _ref(web_client, admin, [("reason", "NAME_MISMATCH"), ("reason", "NAME_DIACRITICS")])
    details = warehouse.execute(
        "SELECT details FROM sync.mismatches WHERE sector = %s AND dataset = %s AND source_key = %s",
        (row["sector"], row["dataset"], row["source_key"]),
    ).fetchone()
    assert details is not None
    page = web_client.get("/popsync/record", params={"ref": ref}, headers=admin)
    assert page.status_code == 200
    text = re.sub(r"</?mark>", "", page.text)
    assert details[0]["full_name"]["sector"] in text and details[0]["full_name"]["register"] in text
    assert "<mark>" in page.text
    assert 'data-field="birth_date"' in page.text and 'data-field="gender"' in page.text


def test_record_view_of_a_deceased_person_and_a_likely_typo(web_client: TestClient, admin: dict[str, str]) -> None:
    ref, _ = _ref(web_client, admin, [("reason", "DECEASED")])
    page = web_client.get("/popsync/record", params={"ref": ref, "lang": "en"}, headers=admin).text
    assert 'data-field="deceased"' in page and "†" in page and "in force" in page
    ref, _ = _ref(web_client, admin, [("reason", "NOT_IN_REFERENCE")])
    assert web_client.get("/popsync/record", params={"ref": ref}, headers=admin).status_code == 200
    web_client.cookies.clear()


def test_record_page_and_json_show_the_candidate_list(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    """The record with the most candidates: its list, the evidence and the rule that decided."""
    row = warehouse.execute(
        "SELECT m.sector, m.dataset, m.source_key, m.suggested_national_id, m.details->'suggestion' "
        "FROM sync.mismatches AS m WHERE m.sector = ANY(%s) AND m.details ? 'suggestion' "
        "ORDER BY (m.details->'suggestion'->>'candidates')::int DESC, m.sector, m.dataset, m.source_key LIMIT 1",
        (list(SECTORS),),
    ).fetchone()
    assert row is not None
    sector, dataset, source_key, suggested, suggestion = row
    stored = warehouse.execute(
        "SELECT candidate_national_id, rank, suggested FROM sync.suggestion_candidates "
        "WHERE sector = %s AND dataset = %s AND source_key = %s ORDER BY rank",
        (sector, dataset, source_key),
    ).fetchall()
    assert stored and [rank for _, rank, _ in stored] == list(range(1, len(stored) + 1))
    found = web_client.post(
        "/popsync/api/mismatches/search",
        json={"q": source_key, "filters": {"sector": [sector], "dataset": [dataset]}},
        headers=admin,
    ).json()
    ref = found["rows"][0]["ref"]
    record = web_client.get("/popsync/api/record", params={"ref": ref}, headers=admin).json()
    assert record["suggested_national_id"] == suggested
    assert record["details"]["suggestion"] == suggestion
    assert [(c["national_id"], c["rank"], c["suggested"]) for c in record["candidates"]] == [tuple(s) for s in stored]
    assert all("method" in c["evidence"] and "linked_elsewhere" in c["evidence"] for c in record["candidates"])
    page = web_client.get("/popsync/record", params={"ref": ref, "lang": "en"}, headers=admin).text
    assert 'id="candidates"' in page and suggestion["rule"] in page
    for national_id, _, _ in stored:
        assert f'data-candidate="{national_id}"' in page
    assert web_client.get("/popsync/api/record", params={"ref": "nope"}, headers=admin).status_code == 404
    web_client.cookies.clear()


def test_an_unknown_record_reference_is_404(web_client: TestClient, admin: dict[str, str]) -> None:
    assert web_client.get("/popsync/record", params={"ref": "nope"}, headers=admin).status_code == 404


# --- exports ---------------------------------------------------------------------------------------


def _export_rows(expected: list[tuple[Any, ...]]) -> list[list[str]]:
    return [[r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "", " ".join(r[6])] for r in expected]


def _pick(rows: list[list[str]]) -> list[list[str]]:
    columns = [c[0] for c in EXPORT_COLUMNS]
    keep = [columns.index(name) for name in ("sector", "dataset", "source_key", "national_id")]
    keep += [columns.index(name) for name in ("linked_national_id", "province_code", "reasons")]
    return [[row[i] for i in keep] for row in rows]


def test_csv_export_equals_the_filter_and_is_audited(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    params = {"sector": "health_insurance", "reason": "NAME_DIACRITICS"}
    response = web_client.get("/popsync/export.csv", params=params, headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(lines[0]) == export_header("vi")
    expected = _expected(warehouse, "sector = 'health_insurance' AND 'NAME_DIACRITICS' = ANY(reasons)")
    assert expected
    assert _pick(lines[1:]) == _export_rows(expected)
    audit = warehouse.execute(
        "SELECT actor, sector, detail FROM sync.audit_log WHERE action = 'export.csv' ORDER BY event_id DESC LIMIT 1"
    ).fetchone()
    assert audit is not None
    actor, sector, detail = audit
    assert (actor, sector) == ("ops_admin", "health_insurance")
    assert detail["rows"] == len(expected) and detail["complete"] is True
    assert detail["filter"]["reasons"] == ["NAME_DIACRITICS"] and detail["filter"]["search"] is False


def _xlsx_rows(content: bytes) -> list[list[str]]:
    namespace = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ET.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{namespace['x']}}}t")) for si in root]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str]] = []
    for row in sheet.iter(f"{{{namespace['x']}}}row"):
        values = [""] * len(EXPORT_COLUMNS)
        for cell in row:
            column = ord(str(cell.get("r"))[0]) - ord("A")  # at most 26 columns
            kind = cell.get("t")
            if kind == "s":
                values[column] = shared[int(cell.findtext("x:v", "", namespace))]
            elif kind == "inlineStr":
                values[column] = "".join(t.text or "" for t in cell.iter(f"{{{namespace['x']}}}t"))
            else:
                values[column] = cell.findtext("x:v", "", namespace)
        rows.append(values)
    return rows


def test_xlsx_export_in_english_equals_the_filter(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    params = {"sector": "justice", "lang": "en"}
    response = web_client.get("/popsync/export.xlsx", params=params, headers=admin)
    assert response.status_code == 200
    rows = _xlsx_rows(response.content)
    assert tuple(rows[0]) == export_header("en")
    expected = _expected(warehouse, "sector = 'justice'")
    assert _pick(rows[1:]) == _export_rows(expected)
    web_client.cookies.clear()


def test_search_export_is_posted_and_audited_without_the_term(
    web_client: TestClient, admin: dict[str, str], warehouse: Conn
) -> None:
    row = warehouse.execute(
        "SELECT source_key, national_id FROM sync.mismatches "
        "WHERE sector = 'justice' AND national_id ~ '^[0-9]{12}$' ORDER BY source_key LIMIT 1"
    ).fetchone()
    assert row is not None
    response = web_client.post("/popsync/export.csv", data={"q": row[1]}, headers=admin)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row[0] in [line[2] for line in lines[1:]]
    audit = warehouse.execute(
        "SELECT detail::text FROM sync.audit_log WHERE action = 'export.csv' ORDER BY event_id DESC LIMIT 1"
    ).fetchone()
    assert audit is not None and row[1] not in audit[0] and '"search": true' in audit[0]


# --- access ----------------------------------------------------------------------------------------


def test_a_sector_user_sees_only_their_sector(
    web_client: TestClient, token_for: Callable[[str, str], dict[str, str]], warehouse: Conn
) -> None:
    clerk = token_for("bhyt_clerk", "VIEWER")
    overview = web_client.get("/popsync/api/overview", headers=clerk).json()
    assert [r["sector"] for r in overview["rollup"]] == ["health_insurance"]
    rows, _ = _all_pages(web_client, clerk, ())
    assert _keys(rows) == [tuple(r[:3]) for r in _expected(warehouse, "sector = 'health_insurance'")]
    reasons = web_client.get("/popsync/api/reasons", headers=clerk).json()["reasons"]
    counted = dict(
        warehouse.execute(
            "SELECT code, count(*) FROM sync.mismatches, unnest(reasons) AS code "
            "WHERE sector = 'health_insurance' GROUP BY code"
        ).fetchall()
    )
    assert {r["code"]: r["records"] for r in reasons if r["records"]} == counted


@pytest.mark.parametrize(
    "path",
    [
        "/popsync/api/mismatches?sector=justice",
        "/popsync/mismatches?sector=justice",
        "/popsync/provinces?sector=justice",
        "/popsync/reasons?sector=justice",
        "/popsync/api/provinces?sector=justice",
        "/popsync/export.csv?sector=justice",
        "/popsync/export.xlsx?sector=justice",
    ],
)
def test_a_health_insurance_user_asking_for_justice_gets_403(
    web_client: TestClient, token_for: Callable[[str, str], dict[str, str]], path: str
) -> None:
    assert web_client.get(path, headers=token_for("bhyt_clerk", "VIEWER")).status_code == 403


def test_a_justice_record_is_403_for_a_health_insurance_user(
    web_client: TestClient, admin: dict[str, str], token_for: Callable[[str, str], dict[str, str]]
) -> None:
    ref, _ = _ref(web_client, admin, [("sector", "justice")])
    clerk = token_for("bhyt_clerk", "VIEWER")
    assert web_client.get("/popsync/record", params={"ref": ref}, headers=clerk).status_code == 403
    assert web_client.get("/popsync/api/verdicts", params={"ref": ref}, headers=clerk).status_code == 403
    response = web_client.post("/popsync/api/verdicts", json={"ref": ref, "verdict": "acknowledged"}, headers=clerk)
    assert response.status_code == 403


def test_a_two_sector_user_and_a_user_without_sectors(
    web_client: TestClient, token_for: Callable[[str, str], dict[str, str]], warehouse: Conn
) -> None:
    both = token_for("edu_justice", "VIEWER")
    rows, _ = _all_pages(web_client, both, ())
    assert _keys(rows) == [tuple(r[:3]) for r in _expected(warehouse, "sector IN ('education', 'justice')")]
    assert web_client.get("/popsync/api/mismatches?sector=social_insurance", headers=both).status_code == 403
    nobody = token_for("visitor", "VIEWER")
    assert web_client.get("/popsync/api/overview", headers=nobody).status_code == 403
    assert web_client.get("/popsync/", headers=nobody).status_code == 403


def test_sector_queries_run_under_the_sector_database_role(web_client: TestClient) -> None:
    from popsync.web.context import get_context

    with get_context().pool.transaction("justice") as conn:
        role = conn.execute("SELECT current_user").fetchone()
        sectors = conn.execute("SELECT DISTINCT sector FROM sync.mismatches").fetchall()
    assert role == ("popsync_sector_justice",)
    assert sectors == [("justice",)]


# --- language and logs -----------------------------------------------------------------------------


def test_vietnamese_by_default_english_on_the_switch(web_client: TestClient, admin: dict[str, str]) -> None:
    web_client.cookies.clear()
    assert "Tổng quan" in web_client.get("/popsync/", headers=admin).text
    english = web_client.get("/popsync/", params={"lang": "en"}, headers=admin)
    assert "Overview" in english.text and english.cookies.get("popsync_lang") == "en"
    assert "Sector roll-up" in web_client.get("/popsync/", headers=admin).text  # the cookie keeps it
    web_client.cookies.clear()


def test_id_numbers_never_reach_the_logs(
    web_client: TestClient,
    admin: dict[str, str],
    warehouse: Conn,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    row = warehouse.execute(
        "SELECT linked_national_id FROM sync.mismatches "
        "WHERE sector = 'justice' AND linked_national_id IS NOT NULL LIMIT 1"
    ).fetchone()
    assert row is not None
    national_id = str(row[0])
    caplog.set_level(logging.DEBUG)
    body = web_client.post("/popsync/api/mismatches/search", json={"q": national_id}, headers=admin).json()
    assert body["rows"]
    web_client.get("/popsync/record", params={"ref": body["rows"][0]["ref"]}, headers=admin)
    web_client.post("/popsync/mismatches", data={"q": national_id}, headers=admin)
    web_client.post("/popsync/export.csv", data={"q": national_id}, headers=admin)
    out, err = capfd.readouterr()
    assert national_id not in caplog.text
    assert national_id not in out and national_id not in err


# --- verdicts (review workflow) --------------------------------------------------------------------


def test_verdicts_through_the_json_api(
    web_client: TestClient, token_for: Callable[[str, str], dict[str, str]], warehouse: Conn
) -> None:
    clerk = token_for("bhyt_clerk", "VIEWER")
    ref, row = _ref(web_client, clerk, [("sector", "health_insurance"), ("reason", "GENDER_MISMATCH")])
    refused = web_client.post("/popsync/api/verdicts", json={"ref": ref, "verdict": "not_fixable"}, headers=clerk)
    assert refused.status_code == 400 and "needs a reason" in refused.json()["detail"]
    unknown = web_client.post("/popsync/api/verdicts", json={"ref": ref, "verdict": "shrug"}, headers=clerk)
    assert unknown.status_code == 400 and "unknown verdict" in unknown.json()["detail"]
    saved = web_client.post(
        "/popsync/api/verdicts",
        json={"ref": ref, "verdict": "fixing_at_source", "comment": "card reissued"},
        headers=clerk,
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["actor"] == "bhyt_clerk" and saved.json()["verdict"] == "fixing_at_source"
    history = web_client.get("/popsync/api/verdicts", params={"ref": ref}, headers=clerk).json()
    assert [(v["verdict"], v["comment"]) for v in history][-1] == ("fixing_at_source", "card reissued")
    stored = warehouse.execute(
        "SELECT verdict, verdict_by FROM sync.mismatch_lifecycle "
        "WHERE sector = %s AND dataset = %s AND source_key = %s",
        (row["sector"], row["dataset"], row["source_key"]),
    ).fetchone()
    assert stored == ("fixing_at_source", "bhyt_clerk")
    audit = warehouse.execute(
        "SELECT actor, detail->>'verdict' FROM sync.audit_log WHERE action = 'verdict.set' "
        "ORDER BY event_id DESC LIMIT 1"
    ).fetchone()
    assert audit == ("bhyt_clerk", "fixing_at_source")


def test_workbench_filters_by_verdict(web_client: TestClient, admin: dict[str, str], warehouse: Conn) -> None:
    ref, row = _ref(web_client, admin, [("sector", "education"), ("reason", "DOB_MISMATCH")])
    response = web_client.post("/popsync/api/verdicts", json={"ref": ref, "verdict": "register_wrong"}, headers=admin)
    assert response.status_code == 201, response.text
    rows, _ = _all_pages(web_client, admin, [("verdict", "register_wrong")])
    expected = warehouse.execute(
        "SELECT m.sector, m.dataset, m.source_key FROM sync.mismatches AS m JOIN sync.mismatch_lifecycle AS l "
        "USING (sector, dataset, source_key) WHERE l.verdict = 'register_wrong' AND l.verdict_closed_at IS NULL "
        "ORDER BY 1, 2, 3"
    ).fetchall()
    assert _keys(rows) == [tuple(r) for r in expected]
    assert (row["sector"], row["dataset"], row["source_key"]) in _keys(rows)
    assert all(r["verdict"] == "register_wrong" for r in rows)
    unjudged, _ = _all_pages(web_client, admin, [("sector", "education"), ("verdict", "none")])
    assert (row["sector"], row["dataset"], row["source_key"]) not in _keys(unjudged)
    no_verdict = _expected(
        warehouse,
        "sector = 'education' AND NOT EXISTS (SELECT 1 FROM sync.mismatch_lifecycle AS l "
        "WHERE (l.sector, l.dataset, l.source_key) = (sync.mismatches.sector, sync.mismatches.dataset, "
        "sync.mismatches.source_key) AND l.verdict IS NOT NULL AND l.verdict_closed_at IS NULL)",
    )
    assert _keys(unjudged) == [tuple(r[:3]) for r in no_verdict]


def test_verdict_form_on_the_record_page(web_client: TestClient, admin: dict[str, str]) -> None:
    ref, _ = _ref(web_client, admin, [("sector", "justice"), ("reason", "NAME_MISMATCH")])
    page = web_client.get("/popsync/record", params={"ref": ref}, headers=admin)
    assert 'id="verdict-form"' in page.text and 'id="lifecycle"' in page.text
    response = web_client.post(
        "/popsync/record/verdict",
        data={"ref": ref, "verdict": "acknowledged", "comment": "seen"},
        headers=admin,
        follow_redirects=False,
    )
    assert response.status_code == 303
    shown = web_client.get(response.headers["location"], headers=admin).text
    assert "Đã lưu kết luận." in shown and "Đã ghi nhận" in shown and "seen" in shown
    bad = web_client.post("/popsync/record/verdict", data={"ref": ref, "verdict": "not_fixable"}, headers=admin)
    assert bad.status_code == 400 and "needs a reason" in bad.text
