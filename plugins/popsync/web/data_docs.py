"""The quality gate's Data Docs pages (``$POPSYNC_HOME/data_docs``) behind the Airflow login.

Each page belongs to one sector (``<sector>/<dataset>/<date>_<run>.html``) and is served only to
users granted that sector; the index lists only those pages. The files on disk are never served
by path: sector, dataset and page name are checked before the file is opened.
"""

import re
from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse, HTMLResponse

from popsync.settings import get_settings
from popsync.web.deps import RequestEnv, request_env

router = APIRouter()
Env = Annotated[RequestEnv, Depends(request_env)]
PAGE_NAME = re.compile(r"^[0-9]{8}T[0-9]{6}_[A-Za-z0-9_.-]+\.html$")
PREFIX = "/data-docs"


def _docs_dir() -> Path:
    return get_settings().data_docs_dir


def _pages(env: RequestEnv) -> list[tuple[str, str, str]]:
    """(sector, dataset, page) of every page the user may see, newest first."""
    root = _docs_dir()
    found: list[tuple[str, str, str]] = []
    for sector in env.user.sectors:
        for dataset in env.ctx.datasets.get(sector, ()):
            folder = root / sector / dataset
            if folder.is_dir():
                found += [(sector, dataset, p.name) for p in folder.glob("*.html") if PAGE_NAME.match(p.name)]
    return sorted(found, key=lambda item: item[2], reverse=True)


@router.get(f"{PREFIX}/", response_class=HTMLResponse, name="data_docs")
def data_docs_index(env: Env) -> HTMLResponse:
    env.user.require(None)
    links = [escape(f"{s}/{d}/{p}") for s, d, p in _pages(env)]
    items = "\n".join(f'<li><a href="{escape(env.base)}{PREFIX}/{link}">{link}</a></li>' for link in links)
    return HTMLResponse(
        "<!doctype html><meta charset='utf-8'><title>popsync data quality</title>"
        f"<h1>popsync data-quality validations</h1><ul>{items}</ul>"
    )


@router.get(PREFIX + "/{sector}/{dataset}/{page}", name="data_docs_page")
def data_docs_page(sector: str, dataset: str, page: str, env: Env) -> FileResponse:
    env.user.require(sector)  # 403 for a sector the user is not granted (or an unknown one)
    if dataset not in env.ctx.datasets.get(sector, ()) or not PAGE_NAME.match(page):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page")
    path = _docs_dir() / sector / dataset / page
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page")
    return FileResponse(path, media_type="text/html; charset=utf-8")
