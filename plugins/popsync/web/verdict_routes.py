"""Verdicts from the web: validated by ``popsync.review.verdicts`` in a transaction under the sector's role."""

from fastapi import HTTPException, status

from popsync.review.verdicts import VerdictRecord, record_verdict, verdict_history
from popsync.web import queries
from popsync.web.deps import RequestEnv
from popsync.web.refs import InvalidRefError


class ReviewUnavailableError(RuntimeError):
    """The review workflow (lifecycle tables, ``popsync.review``) is not installed."""


def _key(env: RequestEnv, ref: str) -> tuple[str, str, str]:
    try:
        sector, dataset, source_key = env.ctx.refs.decode(ref)
    except InvalidRefError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    env.user.require(sector)
    if not env.ctx.has_review_api():
        raise ReviewUnavailableError(env.t("review_unavailable"))
    return sector, dataset, source_key


def save_verdict(env: RequestEnv, ref: str, verdict: str, comment: str | None) -> VerdictRecord:
    """Record a verdict; ``VerdictError`` (a ValueError) explains a refusal.

    The sector's role reads the record first (the database decides that the user's sector holds
    it); sector roles write nothing, so the verdict itself is written with the app's own role,
    through ``popsync.review.verdicts`` (validation, history, lifecycle, audit event).
    """
    sector, dataset, source_key = _key(env, ref)
    with env.ctx.pool.transaction(sector) as conn:
        visible = queries.mismatch_record(conn, sector, dataset, source_key) is not None
    if not visible:
        raise HTTPException(status.HTTP_404_NOT_FOUND, env.t("not_found"))
    with env.ctx.pool.transaction(None, scoped=False) as conn:
        record = record_verdict(
            conn,
            sector=sector,
            dataset=dataset,
            source_key=source_key,
            verdict=verdict,
            actor=env.user.name,
            comment=(comment or "").strip() or None,
        )
    return record


def list_verdicts(env: RequestEnv, ref: str) -> list[VerdictRecord]:
    sector, dataset, source_key = _key(env, ref)
    with env.ctx.pool.transaction(sector) as conn:
        history = verdict_history(conn, sector=sector, dataset=dataset, source_key=source_key)
    return history
