"""CSV and XLSX exports of the workbench filter, streamed in bounded memory and audited."""

import codecs
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from popsync.db.audit import AuditEvent, record_audit_event
from popsync.web import queries
from popsync.web.deps import RequestEnv, query_lists, request_env, single
from popsync.web.filters import FilterError, MismatchFilter, parse_filter
from popsync.web.i18n import export_header
from popsync.web.pages import _dataset, province_reference

router = APIRouter()
Env = Annotated[RequestEnv, Depends(request_env)]
_CHUNK = 64 * 1024


class _Export:
    """Streams the filter's rows and writes one audit event when done (rows sent, complete or not)."""

    def __init__(self, env: RequestEnv, criteria: MismatchFilter, kind: str) -> None:
        self.env, self.criteria, self.kind = env, criteria, kind
        self.sectors = env.visible(criteria.sector)
        if criteria.dataset:
            _dataset(env, criteria.sector, criteria.dataset)
        self.count = queries.CopyCount()
        self.reference = province_reference(env)
        criteria.province_members(self.reference)  # an unknown current province: a clear 400 before streaming

    def csv_data(self) -> Iterator[bytes]:
        """The rows as CSV, formatted by PostgreSQL, in chunks."""
        lifecycle = self.env.ctx.has_lifecycle()
        with self.env.ctx.pool.transaction(self.env.scope(self.sectors)) as conn:
            yield from queries.copy_mismatches_csv(
                conn,
                self.criteria,
                self.sectors,
                with_lifecycle=lifecycle,
                count=self.count,
                reference=self.reference,
            )

    def audit(self, complete: bool) -> None:
        detail = {
            "filter": self.criteria.audit_detail(),
            "rows": self.count.rows,
            "complete": complete,
            "language": self.env.t.language,
        }
        event = AuditEvent(
            actor=self.env.user.name,
            action=f"export.{self.kind}",
            sector=self.criteria.sector,
            dataset=self.criteria.dataset,
            detail=detail,
        )
        with self.env.ctx.pool.transaction(None, scoped=False) as conn:
            record_audit_event(conn, event)

    def csv_chunks(self) -> Iterator[bytes]:
        complete = False
        try:
            header = io.StringIO()
            header.write("\ufeff")  # lets spreadsheet programs read UTF-8
            csv.writer(header, lineterminator="\n").writerow(export_header(self.env.t.language))
            pending = [header.getvalue().encode("utf-8")]
            size = len(pending[0])
            for chunk in self.csv_data():
                pending.append(chunk)
                size += len(chunk)
                if size >= _CHUNK:
                    yield b"".join(pending)
                    pending, size = [], 0
            yield b"".join(pending)
            complete = True
        finally:
            self.audit(complete)

    def xlsx_chunks(self) -> Iterator[bytes]:
        import xlsxwriter

        complete = False
        handle, path = tempfile.mkstemp(prefix="popsync-export-", suffix=".xlsx")
        os.close(handle)
        try:
            workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
            sheet = workbook.add_worksheet("mismatches")
            bold = workbook.add_format({"bold": True})
            sheet.write_row(0, 0, export_header(self.env.t.language), bold)
            lines = codecs.iterdecode(self._lines(), "utf-8")
            for number, values in enumerate(csv.reader(lines), start=1):
                sheet.write_row(number, 0, values)
            workbook.close()
            with open(path, "rb") as file:
                while chunk := file.read(_CHUNK):
                    yield chunk
            complete = True
        finally:
            os.unlink(path)
            self.audit(complete)

    def _lines(self) -> Iterator[bytes]:
        """COPY's chunks cut into lines (a quoted field may hold a line break: csv.reader joins them)."""
        rest = b""
        for chunk in self.csv_data():
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield line + b"\n"
        if rest:
            yield rest


def _filename(kind: str) -> str:
    return f"popsync-mismatches-{datetime.now(UTC):%Y%m%d-%H%M%S}.{kind}"


_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _response(export: _Export) -> StreamingResponse:
    chunks = export.csv_chunks() if export.kind == "csv" else export.xlsx_chunks()
    return StreamingResponse(
        chunks,
        media_type=_MEDIA[export.kind],
        headers={"Content-Disposition": f'attachment; filename="{_filename(export.kind)}"'},
    )


def _get(request: Request, env: RequestEnv, kind: str) -> StreamingResponse:
    params = query_lists(request)
    if "q" in params:
        raise FilterError("search terms are sent with POST, never in the address")
    return _response(_Export(env, parse_filter(params, known_sectors=env.ctx.sectors), kind))


async def _post(request: Request, env: RequestEnv, kind: str) -> StreamingResponse:
    form = await request.form()
    params: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            params.setdefault(key, []).append(value)
    criteria = parse_filter(params, known_sectors=env.ctx.sectors, search=single(params, "q"))
    return _response(_Export(env, criteria, kind))


@router.get("/export.csv", name="export_csv")
def export_csv(request: Request, env: Env) -> Any:
    return _get(request, env, "csv")


@router.post("/export.csv", name="export_csv_search")
async def export_csv_post(request: Request, env: Env) -> Any:
    return await _post(request, env, "csv")


@router.get("/export.xlsx", name="export_xlsx")
def export_xlsx(request: Request, env: Env) -> Any:
    return _get(request, env, "xlsx")


@router.post("/export.xlsx", name="export_xlsx_search")
async def export_xlsx_post(request: Request, env: Env) -> Any:
    return await _post(request, env, "xlsx")
