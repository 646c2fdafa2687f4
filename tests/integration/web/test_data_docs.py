"""GX's Data Docs under /popsync/data-docs/, behind the Airflow login and popsync's sector access."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from popsync.settings import Settings


def _validation_page(settings: Settings, suite: str) -> str:
    pages = sorted((settings.data_docs_dir / "validations" / suite.replace(".", "/")).rglob("*.html"))
    assert pages, f"no Data Docs validation page of {suite}"
    return str(pages[-1].relative_to(settings.data_docs_dir))


def test_data_docs_are_gx_pages_behind_login_and_sector_access(
    web_client: TestClient, admin: dict[str, str], token_for: Callable[[str, str], dict[str, str]], settings: Settings
) -> None:
    index = web_client.get("/popsync/data-docs/", headers=admin)
    assert index.status_code == 200
    assert "Great Expectations" in index.text and "education.teachers" in index.text
    suite = web_client.get("/popsync/data-docs/expectations/education/teachers.html", headers=admin)
    assert suite.status_code == 200 and "ma_giao_vien" in suite.text and "share_ids_well_formed" in suite.text
    page = _validation_page(settings, "education.teachers")
    assert web_client.get(f"/popsync/data-docs/{page}", headers=admin).status_code == 200

    clerk = token_for("bhyt_clerk", "VIEWER")  # health_insurance only
    assert web_client.get(f"/popsync/data-docs/{page}", headers=clerk).status_code == 403
    assert web_client.get("/popsync/data-docs/expectations/education/teachers.html", headers=clerk).status_code == 403
    own_index = web_client.get("/popsync/data-docs/", headers=clerk)  # GX's index lists every suite: not to them
    assert own_index.status_code == 200 and "health_insurance" in own_index.text and "education" not in own_index.text
    own = _validation_page(settings, "health_insurance.cards")
    assert web_client.get(f"/popsync/data-docs/{own}", headers=clerk).status_code == 200
    assert web_client.get("/popsync/data-docs/", headers={}).status_code in (401, 403)  # no login
    assert web_client.get("/popsync/data-docs/..%2F..%2F..%2Fairflow.cfg", headers=admin).status_code == 404
