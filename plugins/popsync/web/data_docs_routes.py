"""GX's Data Docs behind popsync's login and sector access (``/popsync/data-docs/...``).

The pages are GX's own, built after publishing into ``settings.data_docs_dir``
(``quality/data_docs.py``). A suite's pages carry its name, ``<sector>.<dataset>``, in their
path (``expectations/<sector>/<dataset>.html``, ``validations/<sector>/<dataset>/...``): a user sees those of the
sectors granted to them. The index lists every suite, so it is for users who see every sector.
"""

from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse, HTMLResponse

from popsync.settings import get_settings
from popsync.web.deps import RequestEnv, request_env

router = APIRouter()
Env = Annotated[RequestEnv, Depends(request_env)]


def _sector_of(parts: tuple[str, ...]) -> str | None:
    """The sector a page belongs to (None for GX's shared static files and the index)."""
    if len(parts) >= 2 and parts[0] in ("expectations", "validations"):
        return parts[1].split(".", 1)[0]
    return None


def _page(path: str) -> tuple[Path, tuple[str, ...]]:
    if ".." in Path(path).parts:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page")
    root = get_settings().data_docs_dir.resolve()
    target = (root / path).resolve() if path else root / "index.html"
    if target != root and root not in target.parents:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page (they are built after a run publishes)")
    return target, target.relative_to(root).parts


def _own_index(env: RequestEnv) -> HTMLResponse:
    """For a user who does not see every sector: links to GX's pages of the granted sectors only."""
    root = get_settings().data_docs_dir
    links = []
    for sector in env.user.sectors:
        for kind in ("expectations", "validations"):
            folder = root / kind / sector
            if folder.is_dir():
                links += sorted(str(page.relative_to(root)) for page in folder.rglob("*.html"))
    items = "\n".join(
        f'<li><a href="{escape(env.base)}/data-docs/{escape(link)}">{escape(link)}</a></li>' for link in links
    )
    return HTMLResponse(
        "<!doctype html><meta charset='utf-8'><title>Data Docs</title>"
        f"<h1>Great Expectations Data Docs of your sectors</h1><ul>{items}</ul>"
    )


@router.get("/data-docs/", name="data_docs_index", response_model=None)
@router.get("/data-docs/{path:path}", name="data_docs", response_model=None)
def data_docs(env: Env, path: str = "") -> FileResponse | HTMLResponse:
    target, parts = _page(path)
    sector = _sector_of(parts)
    if sector is not None:
        env.user.require(sector)
    elif parts == ("index.html",):
        env.user.require(None)
        if set(env.ctx.sectors) - set(env.user.sectors):  # GX's index lists every suite
            return _own_index(env)
    else:
        env.user.require(None)
    return FileResponse(target)
