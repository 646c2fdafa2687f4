"""The HTML pages: overview, provinces, reasons, mismatch workbench and record view."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from popsync.domain.provinces import PROVINCES
from popsync.web import queries, views
from popsync.web.deps import RequestEnv, query_lists, request_env, single
from popsync.web.filters import PAGE_SIZE, Cursor, FilterError, MismatchFilter, parse_filter
from popsync.web.i18n import REASONS, STATUSES, VERDICTS
from popsync.web.province_reference import ProvinceReference
from popsync.web.province_reference import province_reference as read_province_reference
from popsync.web.refs import InvalidRefError

router = APIRouter()
Env = Annotated[RequestEnv, Depends(request_env)]


def render(request: Request, env: RequestEnv, template: str, page: str, code: int = 200, **context: Any) -> Response:
    switch_items = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch_items.append(("lang", "en" if env.t.language == "vi" else "vi"))
    return env.ctx.templates.TemplateResponse(
        request,
        template,
        {
            "t": env.t,
            "env": env,
            "page": page,
            "base": env.base,
            "user": env.user,
            "switch_url": f"{env.base}{request.url.path.removeprefix(env.base) or '/'}?{urlencode(switch_items)}",
            **context,
        },
        status_code=code,
    )


def _dataset(env: RequestEnv, sector: str | None, dataset: str | None) -> str | None:
    if dataset is None:
        return None
    candidates = (
        env.ctx.datasets.get(sector, ()) if sector else [d for s in env.user.sectors for d in env.ctx.datasets[s]]
    )
    if dataset not in candidates:
        raise FilterError(f"unknown dataset {dataset!r}")
    return dataset


def province_reference(env: RequestEnv) -> ProvinceReference:
    """``reference.provinces`` for the province filters (read under the app's own role)."""
    with env.ctx.pool.transaction(None, scoped=False) as conn:
        return read_province_reference(conn)


def current_province_members(reference: ProvinceReference, code: str | None) -> list[str] | None:
    """The province codes (as recorded) of a current province chosen in a filter; None without one."""
    return MismatchFilter(current_province=code).province_members(reference)


@router.get("/", response_class=HTMLResponse, name="overview")
def overview_page(request: Request, env: Env) -> Response:
    sectors = env.visible(None)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        data = views.overview(conn, sectors)
    return render(request, env, "overview.html", "overview", data=data, chart=data.chart(env.t))


@router.get("/provinces", response_class=HTMLResponse, name="provinces")
def provinces_page(request: Request, env: Env) -> Response:
    params = query_lists(request)
    sector = single(params, "sector", env.ctx.sectors)
    dataset = _dataset(env, sector, single(params, "dataset"))
    sort = single(params, "sort", views.PROVINCE_SORTS) or "rate"
    order = single(params, "order", views.ORDERS) or ("desc" if sort in ("rate", "total", "mismatched") else "asc")
    reference = province_reference(env)
    current = single(params, "current", reference.current_codes)
    former = single(params, "former", ("1",)) == "1"
    sectors = env.visible(sector)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        rows = views.province_rows(conn, sectors, dataset, sort, order, reference, current=current, former=former)
    return render(
        request,
        env,
        "provinces.html",
        "provinces",
        rows=rows,
        chart=views.province_chart(rows),
        sector=sector,
        dataset=dataset,
        sort=sort,
        order=order,
        current=current,
        current_name=reference.current_name(current) or "",
        former=former,
        former_names=reference.former_names,
    )


@router.get("/reasons", response_class=HTMLResponse, name="reasons")
def reasons_page(request: Request, env: Env) -> Response:
    params = query_lists(request)
    sector = single(params, "sector", env.ctx.sectors)
    dataset = _dataset(env, sector, single(params, "dataset"))
    current = single(params, "current_province")
    reference = province_reference(env)
    members = current_province_members(reference, current)
    sectors = env.visible(sector)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        data = views.reasons(conn, sectors, dataset, env.t, members)
    return render(
        request,
        env,
        "reasons.html",
        "reasons",
        data=data,
        sector=sector,
        dataset=dataset,
        current_province=current,
        current_provinces=reference.current,
    )


DEATH_CODES = ("DEATH_NOT_IN_REGISTER", "DEATH_DATE_MISMATCH")


@router.get("/deaths", response_class=HTMLResponse, name="deaths")
def deaths_page(request: Request, env: Env) -> Response:
    """Death registrations checked both ways: the two reason codes, and register deaths in the
    digitised scope that have no registration (counts per commune, no ID numbers)."""
    sectors = env.visible(None)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        rows = queries.unregistered_deaths(conn, sectors)
        counts = {row.reason: row.records for row in queries.reason_counts(conn, sectors, None)}
    checks = [(code, counts.get(code, 0)) for code in DEATH_CODES]
    checks.append(("UNREGISTERED_DEATH", sum(row.deaths for row in rows)))
    return render(
        request,
        env,
        "deaths.html",
        "deaths",
        rows=rows,
        checks=checks,
        province_name=lambda code: f"{PROVINCES.get(code, code)} ({code})" if code else "—",
    )


def decode_cursor(env: RequestEnv, token: str | None) -> Cursor | None:
    if not token:
        return None
    try:
        return Cursor(*env.ctx.refs.decode(token))
    except InvalidRefError as error:
        raise FilterError("the page cursor is not valid; start from the first page") from error


def workbench_page(
    request: Request, env: RequestEnv, criteria: MismatchFilter, after: Cursor | None, code: int = 200
) -> Response:
    sectors = env.visible(criteria.sector)
    if criteria.dataset:
        _dataset(env, criteria.sector, criteria.dataset)
    lifecycle = env.ctx.has_lifecycle()
    reference = province_reference(env)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        rows, next_cursor = queries.mismatch_page(
            conn, criteria, sectors, after=after, page_size=PAGE_SIZE, with_lifecycle=lifecycle, reference=reference
        )
    refs = [env.ctx.refs.encode(row.sector, row.dataset, row.source_key) for row in rows]
    next_token = (
        env.ctx.refs.encode(next_cursor.sector, next_cursor.dataset, next_cursor.source_key) if next_cursor else None
    )
    query = urlencode(criteria.query_items())
    return render(
        request,
        env,
        "workbench.html",
        "workbench",
        code=code,
        rows=list(zip(rows, refs, strict=True)),
        criteria=criteria,
        query=query,
        next_token=next_token,
        paged=after is not None,
        lifecycle=lifecycle,
        reasons=list(REASONS),
        statuses=STATUSES,
        verdicts=(*VERDICTS, "none"),
        provinces=PROVINCES,
        current_provinces=reference.current,
        current_of=reference.current_of,
        current_name=reference.current_name,
        datasets=[(s, d) for s in env.user.sectors for d in env.ctx.datasets.get(s, ())],
        page_size=PAGE_SIZE,
    )


@router.get("/mismatches", response_class=HTMLResponse, name="workbench")
def workbench_get(request: Request, env: Env) -> Response:
    params = query_lists(request)
    if "q" in params:
        raise FilterError("search terms are sent with the search form (POST), never in the address")
    criteria = parse_filter(params, known_sectors=env.ctx.sectors)
    return workbench_page(request, env, criteria, decode_cursor(env, single(params, "after")))


@router.post("/mismatches", response_class=HTMLResponse, name="workbench_search")
async def workbench_post(request: Request, env: Env) -> Response:
    form = await request.form()
    params: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            params.setdefault(key, []).append(value)
    search = single(params, "q")
    after = single(params, "after")
    criteria = parse_filter(params, known_sectors=env.ctx.sectors, search=search)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(workbench_page, request, env, criteria, decode_cursor(env, after))


def record_page(
    request: Request, env: RequestEnv, ref: str, *, message: str | None = None, code: int = 200
) -> Response:
    try:
        sector, dataset, source_key = env.ctx.refs.decode(ref)
    except InvalidRefError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    env.user.require(sector)
    review = env.ctx.has_review_api()
    with env.ctx.pool.transaction(sector) as conn:
        data = views.record_data(conn, sector, dataset, source_key, review=review)
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, env.t("not_found"))
    person = None
    if data.record is not None and data.record.linked_national_id:
        # Sector roles do not read the register mirror: the app reads the one person the record,
        # which the sector's role could read, links to.
        with env.ctx.pool.transaction(None, scoped=False) as conn:
            person = queries.register_person(conn, data.record.linked_national_id)
    view = data.view(person, env.t)
    return render(
        request,
        env,
        "record.html",
        "workbench",
        code=code,
        view=view,
        ref=ref,
        review=review,
        verdicts=VERDICTS,
        message=message,
        provinces=PROVINCES,
    )


@router.get("/record", response_class=HTMLResponse, name="record")
def record_get(request: Request, env: Env, ref: str) -> Response:
    saved = request.query_params.get("saved") == "1"
    return record_page(request, env, ref, message=env.t("verdict_saved") if saved else None)


@router.post("/record/verdict", name="record_verdict")
def record_verdict_form(
    request: Request,
    env: Env,
    ref: Annotated[str, Form()],
    verdict: Annotated[str, Form()],
    comment: Annotated[str | None, Form()] = None,
) -> Response:
    from popsync.web.verdict_routes import ReviewUnavailableError, save_verdict

    try:
        save_verdict(env, ref, verdict, comment)
    except (ReviewUnavailableError, ValueError) as error:
        return record_page(request, env, ref, message=str(error), code=status.HTTP_400_BAD_REQUEST)
    lang = f"&lang={env.t.language}" if request.query_params.get("lang") else ""
    return RedirectResponse(f"{env.base}/record?{urlencode({'ref': ref})}&saved=1{lang}", status.HTTP_303_SEE_OTHER)
