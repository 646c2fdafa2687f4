"""JSON endpoints: the pages' numbers, the workbench rows, verdicts."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from popsync.web import queries, views
from popsync.web.deps import RequestEnv, query_lists, request_env, single
from popsync.web.filters import PAGE_SIZE, FilterError, MismatchFilter, parse_filter
from popsync.web.pages import _dataset, current_province_members, decode_cursor, province_reference
from popsync.web.refs import InvalidRefError
from popsync.web.verdict_routes import ReviewUnavailableError, list_verdicts, save_verdict

router = APIRouter(prefix="/api")
Env = Annotated[RequestEnv, Depends(request_env)]


@router.get("/overview")
def overview_json(env: Env) -> Any:
    sectors = env.visible(None)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        data = views.overview(conn, sectors)
    return jsonable_encoder(
        {
            "rollup": [asdict(row) for row in data.rollup],
            "datasets": [{**asdict(row), "change_points": row.change_points} for row in data.datasets],
            "trend": [asdict(point) for point in data.trend],
        }
    )


@router.get("/provinces")
def provinces_json(request: Request, env: Env) -> Any:
    params = query_lists(request)
    sector = single(params, "sector", env.ctx.sectors)
    dataset = _dataset(env, sector, single(params, "dataset"))
    sort = single(params, "sort", views.PROVINCE_SORTS) or "rate"
    order = single(params, "order", views.ORDERS) or "desc"
    reference = province_reference(env)
    current = single(params, "current", reference.current_codes)
    former = single(params, "former", ("1",)) == "1"
    sectors = env.visible(sector)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        rows = views.province_rows(conn, sectors, dataset, sort, order, reference, current=current, former=former)
    return jsonable_encoder([asdict(row) for row in rows])


@router.get("/reasons")
def reasons_json(request: Request, env: Env) -> Any:
    params = query_lists(request)
    sector = single(params, "sector", env.ctx.sectors)
    dataset = _dataset(env, sector, single(params, "dataset"))
    current = single(params, "current_province")
    members = current_province_members(province_reference(env), current)
    sectors = env.visible(sector)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        data = views.reasons(conn, sectors, dataset, env.t, members)
    return jsonable_encoder(
        {
            "current_province": current,
            "provinces": members,
            "reasons": [asdict(row) for row in data.rows],
            "trend": [asdict(d) for d in data.days],
        }
    )


def _page(env: RequestEnv, criteria: MismatchFilter, after_token: str | None) -> Any:
    sectors = env.visible(criteria.sector)
    if criteria.dataset:
        _dataset(env, criteria.sector, criteria.dataset)
    after = decode_cursor(env, after_token)
    reference = province_reference(env)
    with env.ctx.pool.transaction(env.scope(sectors)) as conn:
        rows, cursor = queries.mismatch_page(
            conn,
            criteria,
            sectors,
            after=after,
            page_size=PAGE_SIZE,
            with_lifecycle=env.ctx.has_lifecycle(),
            reference=reference,
        )
    refs = env.ctx.refs
    return jsonable_encoder(
        {
            "rows": [
                {
                    **asdict(row),
                    "current_province_code": reference.current_of(row.province_code),
                    "ref": refs.encode(row.sector, row.dataset, row.source_key),
                }
                for row in rows
            ],
            "next": refs.encode(cursor.sector, cursor.dataset, cursor.source_key) if cursor else None,
        }
    )


@router.get("/mismatches")
def mismatches_json(request: Request, env: Env) -> Any:
    params = query_lists(request)
    if "q" in params:
        raise FilterError("search terms are sent with POST /api/mismatches/search, never in the address")
    criteria = parse_filter(params, known_sectors=env.ctx.sectors)
    return _page(env, criteria, single(params, "after"))


class SearchBody(BaseModel):
    q: str | None = Field(default=None, max_length=64)
    filters: dict[str, list[str]] = Field(default_factory=dict)
    after: str | None = None


@router.post("/mismatches/search")
def mismatches_search(body: SearchBody, env: Env) -> Any:
    criteria = parse_filter(body.filters, known_sectors=env.ctx.sectors, search=body.q)
    return _page(env, criteria, body.after)


@router.get("/record")
def record_json(ref: str, env: Env) -> Any:
    """One mismatched record: reasons, details, suggested ID and candidate list."""
    try:
        sector, dataset, source_key = env.ctx.refs.decode(ref)
    except InvalidRefError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    env.user.require(sector)
    with env.ctx.pool.transaction(sector) as conn:
        record = queries.mismatch_record(conn, sector, dataset, source_key)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, env.t("not_found"))
    return jsonable_encoder(asdict(record))


@router.get("/verdicts")
def verdicts_get(ref: str, env: Env) -> Any:
    try:
        return jsonable_encoder([asdict(v) for v in list_verdicts(env, ref)])
    except ReviewUnavailableError as error:
        raise HTTPException(status.HTTP_501_NOT_IMPLEMENTED, str(error)) from error


class VerdictBody(BaseModel):
    ref: str
    verdict: str = Field(max_length=40)
    comment: str | None = Field(default=None, max_length=2_000)


@router.post("/verdicts", status_code=status.HTTP_201_CREATED)
def verdicts_post(body: VerdictBody, env: Env) -> Any:
    try:
        return jsonable_encoder(asdict(save_verdict(env, body.ref, body.verdict, body.comment)))
    except ReviewUnavailableError as error:
        raise HTTPException(status.HTTP_501_NOT_IMPLEMENTED, str(error)) from error
    except ValueError as error:  # VerdictError: a clear refusal
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error
