"""GX's Data Docs behind popsync's login and sector access (``/popsync/data-docs/...``).

The pages are GX's own, built after publishing into ``settings.data_docs_dir``
(``quality/data_docs.py``). A suite's pages carry its name, ``<sector>.<dataset>``, in their
path (``expectations/<sector>/<dataset>.html``, ``validations/<sector>/<dataset>/...``): a user sees those of the
sectors granted to them. The index lists every suite, so it is for users who see every sector.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse

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
    root = get_settings().data_docs_dir.resolve()
    target = (root / path).resolve() if path else root / "index.html"
    if target != root and root not in target.parents:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such Data Docs page (they are built after a run publishes)")
    return target, target.relative_to(root).parts


@router.get("/data-docs/", name="data_docs_index")
@router.get("/data-docs/{path:path}", name="data_docs")
def data_docs(env: Env, path: str = "") -> FileResponse:
    target, parts = _page(path)
    sector = _sector_of(parts)
    if sector is not None:
        env.user.require(sector)
    elif parts == ("index.html",):
        missing = sorted(set(env.ctx.sectors) - set(env.user.sectors))
        if missing:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "the Data Docs index lists every sector; open your datasets' pages: "
                "data-docs/expectations/<sector>/<dataset>.html",
            )
    else:
        env.user.require(None)
    return FileResponse(target)
