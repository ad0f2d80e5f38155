"""Export of the whole history as CSV or JSON, streamed so a long history never sits in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from core import services
from web.csrf import require_csrf
from web.dependencies import ApiViewer, DepsDep, PageViewer
from web.schemas import API_ERRORS

router = APIRouter(dependencies=[Depends(require_csrf)])

COLUMNS = [
    "session_id",
    "started_at",
    "platform",
    "role",
    "difficulty",
    "session_status",
    "position",
    "kind",
    "question",
    "answer",
    "status",
    "score",
    "feedback",
    "ideal_answer",
    "tags",
    "criteria",
]
# A cell starting with one of these is a formula to a spreadsheet: prefix it so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"


def export_response(
    rows: Iterable[dict[str, Any]], fmt: Literal["csv", "json"]
) -> StreamingResponse:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    body = csv_lines(rows) if fmt == "csv" else json_lines(rows)
    headers = {"content-disposition": f'attachment; filename="interview-history-{stamp}.{fmt}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


@router.get("/export.{fmt}", include_in_schema=False)
def export_page(
    fmt: Literal["csv", "json"], viewer: PageViewer, deps: DepsDep
) -> StreamingResponse:
    return export_response(services.export_history(deps, scope=viewer.scope), fmt)


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    200: {
        "description": "The history as a file: CSV, or a JSON array of rows",
        "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {}},
    },
}


@router.get(
    "/api/export", tags=["history"], summary="Export my history", responses=EXPORT_RESPONSES
)
def export_api(
    viewer: ApiViewer, deps: DepsDep, format: Literal["csv", "json"] = "json"
) -> StreamingResponse:
    """Every question and answer of the account (all linked identities), as CSV or JSON."""
    return export_response(services.export_history(deps, scope=viewer.scope), format)
