"""The pages in a real headless Chromium (Debian's package, driven by Playwright) against a real
``airflow api-server`` with the simple auth manager and the popsync plugin loaded.

Screenshots of each page are written to ``$POPSYNC_HOME/artefacts/`` (``.popsync/test/artefacts``).
"""

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from popsync.local.bootstrap import airflow_command
from popsync.local.dag_runner import DagRunResult
from popsync.settings import Settings
from popsync.web.i18n import EXPORT_COLUMNS, export_header

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERS = {"ui_admin": ("ADMIN", "admin-secret-1"), "bhyt_clerk": ("VIEWER", "clerk-secret-2")}
ACCESS = {"users": {"bhyt_clerk": ["health_insurance"]}, "roles": {"ADMIN": ["*"]}}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="Chromium is not installed (scripts/browser_deps.sh installs it)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def artefacts(settings: Settings) -> Path:
    path = settings.home / "artefacts"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def api_server(first_runs: dict[str, DagRunResult], settings: Settings, artefacts: Path) -> Iterator[str]:
    """``airflow api-server`` on a free port of 127.0.0.1, users with passwords, the access mapping."""
    assert all(result.succeeded for result in first_runs.values())
    passwords = artefacts / "passwords.json"
    passwords.write_text(json.dumps({name: secret for name, (_, secret) in USERS.items()}))
    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{n}:{role}" for n, (role, _) in USERS.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # the access log is on: it must not hold ID numbers
        "POPSYNC_UI_SECTOR_ACCESS": json.dumps(ACCESS),
    }
    log = (artefacts / "api-server.log").open("wb")
    process = subprocess.Popen(
        [*airflow_command(), "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the API server did not start; see {artefacts / 'api-server.log'}") from None
                time.sleep(1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _token(base: str, user: str) -> str:
    request = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": user, "password": USERS[user][1]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _page(browser: Any, base: str, user: str | None) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True, locale="vi-VN")
    if user:
        context.add_cookies([{"name": "_token", "value": _token(base, user), "url": base}])
    return context.new_page()


def test_pages_in_chromium(
    api_server: str, browser: Any, artefacts: Path, settings: Settings, warehouse: psycopg.Connection[Any]
) -> None:
    page = _page(browser, api_server, "ui_admin")

    # Overview, Vietnamese by default, then the language switch.
    page.goto(f"{api_server}/popsync/")
    assert page.locator("h1").inner_text() == "Tổng quan"
    defined = ["education", "health_insurance", "justice", "social_insurance"]
    rollup = warehouse.execute(
        "SELECT sector, sync_rate FROM sync.sector_rollup WHERE sector = ANY(%s)", (defined,)
    ).fetchall()
    cards = page.locator("#rollup .card")
    assert cards.count() == len(rollup)
    for sector, rate in rollup:
        assert f"{rate * 100:.2f}%" in page.locator(f'#rollup .card[data-sector="{sector}"]').inner_text()
    page.screenshot(path=str(artefacts / "01-overview-vi.png"), full_page=True)
    page.click("#switch-language")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Overview"
    page.screenshot(path=str(artefacts / "02-overview-en.png"), full_page=True)

    page.goto(f"{api_server}/popsync/provinces?sector=education")
    assert page.locator("#provinces tbody tr").count() > 10
    page.screenshot(path=str(artefacts / "03-provinces.png"), full_page=True)
    page.goto(f"{api_server}/popsync/reasons")
    assert page.locator('#reasons tr[data-code="DECEASED"]').count() == 1
    page.screenshot(path=str(artefacts / "04-reasons.png"), full_page=True)

    # Workbench: filter by sector and reason.
    page.goto(f"{api_server}/popsync/mismatches")
    page.select_option('#filters select[name="sector"]', "health_insurance")
    page.select_option('#filters select[name="reason"]', ["NAME_DIACRITICS", "DOB_PARTIAL"])
    page.click("#apply-filter")
    page.wait_for_load_state()
    expected = warehouse.execute(
        "SELECT source_key FROM sync.mismatches WHERE sector = 'health_insurance' "
        "AND reasons && ARRAY['NAME_DIACRITICS', 'DOB_PARTIAL'] ORDER BY dataset, source_key"
    ).fetchall()
    assert expected
    keys = page.locator("#mismatches a.record-link").all_inner_texts()
    assert keys == [key for (key,) in expected[:50]]
    page.screenshot(path=str(artefacts / "05-workbench.png"), full_page=False)

    # Download the CSV of the filter (English header: the language cookie is set).
    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    target = artefacts / "export.csv"
    download.save_as(str(target))
    with target.open(encoding="utf-8-sig", newline="") as file:
        lines = list(csv.reader(file))
    assert tuple(lines[0]) == export_header("en")
    assert [line[2] for line in lines[1:]] == [key for (key,) in expected]

    # Open a record: both sides, differing parts marked.
    page.click("#mismatches a.record-link >> nth=0")
    page.wait_for_load_state()
    assert page.locator("#comparison mark").count() >= 1
    page.screenshot(path=str(artefacts / "06-record.png"), full_page=True)

    # Search by an ID number (a POST: the number stays out of the address and the access log).
    row = warehouse.execute(
        "SELECT source_key, linked_national_id FROM sync.mismatches "
        "WHERE sector = 'justice' AND linked_national_id IS NOT NULL ORDER BY source_key LIMIT 1"
    ).fetchone()
    assert row is not None
    page.goto(f"{api_server}/popsync/mismatches")
    page.fill('#search input[name="q"]', row[1])
    page.click("#search button")
    page.wait_for_load_state()
    assert row[0] in page.locator("#mismatches").inner_text()
    assert row[1] not in page.url

    # Airflow's navigation holds the plugin's entry; the page opens inside Airflow's UI.
    page.goto(f"{api_server}/")
    page.get_by_role("link", name="popsync", exact=True).first.wait_for(timeout=60_000)
    page.get_by_role("link", name="popsync", exact=True).first.click()
    frame = page.frame_locator("iframe").first
    frame.locator("h1").wait_for(timeout=60_000)
    assert frame.locator("#rollup .card").count() == len(rollup)
    page.screenshot(path=str(artefacts / "07-airflow-nav.png"), full_page=False)
    page.context.close()

    log = (artefacts / "api-server.log").read_text(errors="replace")
    assert "/popsync/" in log  # the access log is written ...
    assert row[1] not in log  # ... without the ID number searched for


def test_a_sector_user_and_an_anonymous_browser(api_server: str, browser: Any) -> None:
    clerk = _page(browser, api_server, "bhyt_clerk")
    response = clerk.goto(f"{api_server}/popsync/mismatches?sector=justice")
    assert response is not None and response.status == 403
    clerk.goto(f"{api_server}/popsync/")
    assert clerk.locator("#rollup .card").count() == 1
    clerk.context.close()
    anonymous = _page(browser, api_server, None)
    anonymous.goto(f"{api_server}/popsync/")
    assert "/auth/login" in anonymous.url
    anonymous.context.close()


def test_overview_shows_both_rates_with_the_provinces_label(
    api_server: str, browser: Any, artefacts: Path, warehouse: psycopg.Connection[Any]
) -> None:
    """Per dataset: the rate over all records and the rate over records in force, labelled the way
    provinces report it ("thẻ BHYT còn hiệu lực"); a dataset without is_active shows no second rate."""
    page = _page(browser, api_server, "ui_admin")
    page.goto(f"{api_server}/popsync/")
    rows = warehouse.execute(
        "SELECT sector, dataset, sync_rate, active_sync_rate FROM sync.latest_sync_rate "
        "WHERE sector IN ('health_insurance', 'justice') ORDER BY sector, dataset"
    ).fetchall()
    assert rows
    for sector, dataset, rate, active_rate in rows:
        row = page.locator(f'#datasets tr[data-sector="{sector}"][data-dataset="{dataset}"]')
        assert f"{rate * 100:.2f}%" in row.locator("td.rate").inner_text()
        shown = row.locator("td.active-rate").inner_text()
        if active_rate is None:
            assert shown.strip() == "—" and row.locator("td.active-label").inner_text().strip() == ""
        else:
            assert f"{active_rate * 100:.2f}%" in shown
    cards = page.locator('#datasets tr[data-sector="health_insurance"][data-dataset="cards"] td.active-label')
    assert cards.inner_text().strip() == "thẻ BHYT còn hiệu lực"
    assert any(active is None for _, dataset, _, active in rows if dataset == "birth_registrations")
    page.screenshot(path=str(artefacts / "08-overview-active-rates.png"), full_page=True)
    page.context.close()


def test_death_registrations_checked_both_ways(
    api_server: str, browser: Any, artefacts: Path, warehouse: psycopg.Connection[Any]
) -> None:
    """The deaths page: both cross-check codes (linked to the workbench) and the register deaths
    without a registration per commune; the reasons page explains the new codes."""
    unregistered = warehouse.execute(
        "SELECT residence_commune, count(*) FROM sync.unregistered_deaths WHERE sector = 'justice' "
        "GROUP BY residence_commune"
    ).fetchall()
    assert unregistered
    page = _page(browser, api_server, "ui_admin")
    page.goto(f"{api_server}/popsync/deaths")
    assert page.locator("h1").inner_text() == "Khai tử"
    for commune, count in unregistered:
        row = page.locator(f'#unregistered-deaths tr[data-commune="{commune}"]')
        assert row.locator("td.num").inner_text().strip() == f"{count:,}"
    total = sum(count for _, count in unregistered)
    cell = page.locator('#death-checks tr[data-code="UNREGISTERED_DEATH"] td.num')
    assert cell.inner_text().strip() == f"{total:,}"
    for code in ("DEATH_NOT_IN_REGISTER", "DEATH_DATE_MISMATCH"):
        row = warehouse.execute(
            "SELECT count(*) FROM sync.mismatches WHERE sector = 'justice' AND %s = ANY(reasons)", (code,)
        ).fetchone()
        assert row is not None and row[0] > 0
        link = page.locator(f'#death-checks tr[data-code="{code}"] td.num a')
        assert link.inner_text().strip() == f"{row[0]:,}"
    page.screenshot(path=str(artefacts / "09-deaths.png"), full_page=True)
    page.locator('#death-checks tr[data-code="DEATH_NOT_IN_REGISTER"] td.num a').click()
    page.wait_for_load_state()
    keys = page.locator("#mismatches a.record-link").all_inner_texts()
    assert keys and all(key.startswith("KT/") for key in keys)
    page.goto(f"{api_server}/popsync/reasons")
    assert page.locator('#reasons tr[data-code="DEATH_NOT_IN_REGISTER"]').count() == 1
    assert page.locator('#reasons tr[data-code="DEATH_DATE_MISMATCH"]').count() == 1
    page.context.close()


def test_provinces_of_today_with_the_former_ones_as_drill_down(
    api_server: str, browser: Any, artefacts: Path, warehouse: psycopg.Connection[Any]
) -> None:
    """The provinces page reports by the 34 current provinces; a merged one drills down to the former
    provinces its records were reported under, whose counts add up to it."""
    from popsync.domain.provinces_now import CURRENT_OF, CURRENT_PROVINCES

    page = _page(browser, api_server, "ui_admin")
    page.goto(f"{api_server}/popsync/provinces?sector=health_insurance")
    codes = [code for code in page.locator("#provinces tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")]
    assert sorted(code for code in codes if code in CURRENT_PROVINCES) == sorted(CURRENT_PROVINCES)
    assert all(code in CURRENT_PROVINCES or code == "unknown" for code in codes)
    row = page.locator('#provinces tr[data-code="031"]')  # Hải Phòng = Hải Phòng + Hải Dương
    assert "Hải Phòng" in row.inner_text() and "Hải Dương" in row.locator("td.formers").inner_text()
    total = int(row.locator("td.num").nth(3).inner_text().replace(",", ""))
    page.screenshot(path=str(artefacts / "10-provinces-current.png"), full_page=True)
    row.locator("a.drill").click()
    page.wait_for_load_state()
    former = page.locator("#provinces tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert former and all(CURRENT_OF[code] == "031" for code in former)
    cells = page.locator("#provinces tbody tr td:nth-child(6)").all_inner_texts()
    counts = [int(text.replace(",", "")) for text in cells]
    assert sum(counts) == total
    expected = warehouse.execute(
        "SELECT sum(p.total) FROM sync.province_sync_rate AS p JOIN sync.latest_sync_rate AS l "
        "USING (sector, dataset, run_id) WHERE p.sector = 'health_insurance' AND p.province_code IN ('030', '031')"
    ).fetchone()
    assert expected == (total,)
    page.screenshot(path=str(artefacts / "11-provinces-drill-down.png"), full_page=True)
    page.context.close()


def test_workbench_and_reasons_by_current_province(
    api_server: str, browser: Any, artefacts: Path, warehouse: psycopg.Connection[Any]
) -> None:
    """The workbench and the reasons page filter by one of the 34 current provinces (from
    reference.provinces): a former province's records show under its successor, marked with it,
    and the CSV of the filter carries the current province."""
    row = warehouse.execute(
        "SELECT p.current_code FROM sync.mismatches AS m "
        "JOIN reference.provinces AS p ON p.code = m.province_code AND p.code_set = 'former' "
        "WHERE m.sector = 'health_insurance' GROUP BY p.current_code "
        "HAVING count(DISTINCT m.province_code) >= 2 ORDER BY count(*) DESC, p.current_code LIMIT 1"
    ).fetchone()
    assert row is not None
    code = str(row[0])
    members = [
        str(member)
        for (member,) in warehouse.execute(
            "SELECT DISTINCT code FROM reference.provinces WHERE current_code = %s", (code,)
        ).fetchall()
    ]
    name = warehouse.execute(
        "SELECT name FROM reference.provinces WHERE code = %s AND code_set = 'current'", (code,)
    ).fetchone()
    assert name is not None
    expected = warehouse.execute(
        "SELECT source_key, province_code FROM sync.mismatches WHERE sector = 'health_insurance' "
        "AND province_code = ANY(%s) ORDER BY dataset, source_key",
        (members,),
    ).fetchall()
    assert len({recorded for _, recorded in expected}) >= 2

    page = _page(browser, api_server, "ui_admin")
    page.goto(f"{api_server}/popsync/mismatches")
    assert page.locator("#current-province option").count() == 34 + 1
    page.select_option('#filters select[name="sector"]', "health_insurance")
    page.select_option("#current-province", code)
    page.click("#apply-filter")
    page.wait_for_load_state()
    assert f"current_province={code}" in page.url
    keys = page.locator("#mismatches a.record-link").all_inner_texts()
    assert keys == [key for key, _ in expected[:50]]
    former_names = dict(
        warehouse.execute("SELECT code, name FROM reference.provinces WHERE code_set = 'former'").fetchall()
    )
    marked = page.locator("#mismatches td.province .current-province").all_inner_texts()
    # a row recorded under a former province (another name) is marked with its successor
    assert len(marked) == sum(1 for _, recorded in expected[:50] if former_names[recorded] != name[0])
    assert marked and all(text.strip() == f"→ {name[0]}" for text in marked)
    page.screenshot(path=str(artefacts / "12-workbench-current-province.png"), full_page=False)

    with page.expect_download() as download_info:
        page.click("#export-csv")
    target = artefacts / "export-current-province.csv"
    download_info.value.save_as(str(target))
    with target.open(encoding="utf-8-sig", newline="") as file:
        lines = list(csv.reader(file))
    column = [c[0] for c in EXPORT_COLUMNS].index("current_province_code")
    assert [line[2] for line in lines[1:]] == [key for key, _ in expected]
    assert {line[column] for line in lines[1:]} == {code}

    page.goto(f"{api_server}/popsync/reasons?sector=health_insurance")
    page.select_option("#current-province", code)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    counted = dict(
        warehouse.execute(
            "SELECT reason, count(*) FROM sync.mismatches, unnest(reasons) AS reason "
            "WHERE sector = 'health_insurance' AND province_code = ANY(%s) GROUP BY reason",
            (members,),
        ).fetchall()
    )
    assert counted
    for reason, records in counted.items():
        cell = page.locator(f'#reasons tr[data-code="{reason}"] td.num a')
        assert cell.inner_text().strip() == f"{records:,}"
    page.screenshot(path=str(artefacts / "13-reasons-current-province.png"), full_page=True)
    reason = max(counted, key=lambda r: (counted[r], r))
    page.locator(f'#reasons tr[data-code="{reason}"] td.num a').click()
    page.wait_for_load_state()
    assert page.locator("#current-province").input_value() == code
    shown = page.locator("#mismatches a.record-link").all_inner_texts()
    assert len(shown) == min(50, counted[reason])
    page.context.close()
