"""The FastAPI app: routers, error pages, the language cookie."""

from collections.abc import Awaitable, Callable
from html import escape

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from popsync.web import api, data_docs_routes, exports, pages
from popsync.web.filters import FilterError
from popsync.web.i18n import LANGUAGE_COOKIE, LANGUAGES

MOUNT_PATH = "/popsync"


def _wants_html(request: Request) -> bool:
    return "/api/" not in request.url.path and "text/html" in request.headers.get("accept", "")


def _login_url(request: Request) -> str:
    try:
        from airflow.api_fastapi.app import get_auth_manager

        return str(get_auth_manager().get_url_login(next_url=str(request.url.path)))
    except Exception:
        return "/auth/login"


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == status.HTTP_401_UNAUTHORIZED and _wants_html(request) and request.method == "GET":
        return RedirectResponse(_login_url(request), status.HTTP_303_SEE_OTHER)
    if _wants_html(request):
        body = (
            '<!doctype html><meta charset="utf-8"><title>popsync</title>'
            '<body style="font-family:sans-serif;margin:2rem">'
            f"<h1>{error.status_code}</h1><p>{escape(str(error.detail))}</p>"
            f'<p><a href="{escape(str(request.scope.get("root_path", "")))}/">popsync</a></p></body>'
        )
        return HTMLResponse(body, error.status_code, headers=getattr(error, "headers", None))
    return JSONResponse({"detail": error.detail}, error.status_code, headers=getattr(error, "headers", None))


async def _filter_error(request: Request, error: Exception) -> Response:
    return await _http_error(request, HTTPException(status.HTTP_400_BAD_REQUEST, str(error)))


async def _language_cookie(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    language = request.query_params.get("lang")
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def create_app() -> FastAPI:
    """The app the plugin mounts; every route depends on the Airflow user (``deps.request_env``)."""
    app = FastAPI(title="popsync", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(exports.router)
    app.include_router(data_docs_routes.router)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(FilterError, _filter_error)
    app.middleware("http")(_language_cookie)
    return app
