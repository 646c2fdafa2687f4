"""Verdicts from the web: validated by ``popsync.review.verdicts`` in a transaction under the sector's role."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import HTTPException, status

from popsync.web import queries
from popsync.web.deps import RequestEnv
from popsync.web.refs import InvalidRefError


class ReviewUnavailableError(RuntimeError):
    """The review workflow (lifecycle tables, ``popsync.review``) is not installed."""


@dataclass(frozen=True)
class VerdictOut:
    sector: str
    dataset: str
    source_key: str
    verdict: str
    actor: str
    comment: str | None
    recorded_at: datetime


def _key(env: RequestEnv, ref: str) -> tuple[str, str, str]:
    try:
        sector, dataset, source_key = env.ctx.refs.decode(ref)
    except InvalidRefError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    env.user.require(sector)
    if not env.ctx.has_review_api():
        raise ReviewUnavailableError(env.t("review_unavailable"))
    return sector, dataset, source_key


def _out(record: Any) -> VerdictOut:
    return VerdictOut(
        record.sector,
        record.dataset,
        record.source_key,
        record.verdict,
        record.actor,
        record.comment,
        record.recorded_at,
    )


def save_verdict(env: RequestEnv, ref: str, verdict: str, comment: str | None) -> VerdictOut:
    """Record a verdict; ``VerdictError`` (a ValueError) explains a refusal.

    The sector's role reads the record first (the database decides that the user's sector holds
    it); sector roles write nothing, so the verdict itself is written with the app's own role,
    through ``popsync.review.verdicts`` (validation, history, lifecycle, audit event).
    """
    sector, dataset, source_key = _key(env, ref)
    from popsync.review.verdicts import record_verdict

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
    return _out(record)


def list_verdicts(env: RequestEnv, ref: str) -> list[VerdictOut]:
    sector, dataset, source_key = _key(env, ref)
    from popsync.review.verdicts import verdict_history

    with env.ctx.pool.transaction(sector) as conn:
        history = verdict_history(conn, sector=sector, dataset=dataset, source_key=source_key)
    return [_out(record) for record in history]
