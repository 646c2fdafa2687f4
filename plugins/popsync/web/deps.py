"""Per-request state: the app context, the authenticated user, the language, the mount paths."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request, status

from popsync.web.auth import WebUser, airflow_user, web_user
from popsync.web.context import WebContext, get_context
from popsync.web.filters import FilterError
from popsync.web.i18n import LANGUAGE_COOKIE, Translator, language_of
from popsync.web.sector_access import AccessConfigError


@dataclass(frozen=True)
class RequestEnv:
    ctx: WebContext
    user: WebUser
    t: Translator
    base: str
    """Path the app is mounted on (``/popsync``)."""
    airflow_base: str
    """Path of the Airflow UI (for links to DAG runs)."""

    def visible(self, sector: str | None) -> list[str]:
        """The sectors a request covers: the chosen one (403 unless granted) or all the user's."""
        self.user.require(sector)
        return [sector] if sector else list(self.user.sectors)

    def scope(self, sectors: Sequence[str]) -> str | None:
        """Database role of a request: the sector's when it covers one sector, else the auditor's."""
        return sectors[0] if len(sectors) == 1 else None


async def request_env(request: Request) -> RequestEnv:
    user = await airflow_user(request)
    try:
        ctx = get_context()
    except AccessConfigError as error:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from error
    language = language_of(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))
    base = str(request.scope.get("root_path", "")).rstrip("/")
    airflow_base = str(request.scope.get("app_root_path", "")).rstrip("/")
    return RequestEnv(
        ctx=ctx,
        user=web_user(user, ctx.access, ctx.sectors),
        t=Translator(language),
        base=base,
        airflow_base=airflow_base,
    )


def query_lists(request: Request) -> dict[str, list[str]]:
    """Query parameters as lists of values by name."""
    result: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        result.setdefault(key, []).append(value)
    return result


def single(params: Mapping[str, Sequence[str]], name: str, allowed: Sequence[str] | None = None) -> str | None:
    values = [value for value in params.get(name, ()) if value]
    if not values:
        return None
    if len(values) > 1:
        raise FilterError(f"parameter {name!r} given more than once")
    if allowed is not None and values[0] not in allowed:
        raise FilterError(f"parameter {name!r} must be one of {', '.join(allowed)}")
    return values[0]
