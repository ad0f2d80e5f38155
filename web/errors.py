"""One place that maps errors to responses: JSON under /api, a friendly page everywhere else."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from core.domain.errors import (
    AlreadyEvaluating,
    FollowUpLimitReached,
    InterviewError,
    InvalidLinkCode,
    LlmUnavailable,
    NoActiveSession,
    NotYourSession,
    QuestionAlreadyAnswered,
    QuotaExceeded,
    ServiceUnavailable,
    SessionFinished,
)
from web.dependencies import LoginRequired
from web.templating import render

log = logging.getLogger(__name__)

NOT_FOUND = "We could not find that page. It may have moved, or it belongs to another account."
PAGE_MESSAGES = {
    400: "That request did not look right. Please check the form and try again.",
    403: "You do not have access to that page.",
    404: NOT_FOUND,
    405: "That page cannot be used this way.",
    422: "Some of the values sent were not valid. Please check the form and try again.",
    500: "Something went wrong on our side. Your answers are saved; please try again in a moment.",
    503: "The service is briefly unavailable. Please try again in a minute.",
}
TITLES = {403: "No access", 404: "Not found", 500: "Something went wrong", 503: "Unavailable"}


def status_for(exc: InterviewError) -> int:
    """HTTP status of an error the user can cause. Other people's sessions look like no session."""
    if isinstance(exc, NotYourSession | NoActiveSession):
        return 404
    if isinstance(exc, QuotaExceeded):
        return 429
    if isinstance(exc, ServiceUnavailable | LlmUnavailable):
        return 503
    if isinstance(
        exc, SessionFinished | QuestionAlreadyAnswered | AlreadyEvaluating | FollowUpLimitReached
    ):
        return 409
    if isinstance(exc, InvalidLinkCode):
        return 400
    return 422


def error_body(exc: InterviewError) -> dict[str, object]:
    if isinstance(exc, NotYourSession | NoActiveSession):
        return {"error": "not_found", "message": "Not found."}
    body: dict[str, object] = {"error": exc.code, "message": exc.message}
    if isinstance(exc, QuotaExceeded):
        body["resets_at"] = exc.resets_at.isoformat()
    return body


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    return render(
        request,
        "error.html",
        {
            "title": TITLES.get(status_code, "Something is not right"),
            "message": message or PAGE_MESSAGES.get(status_code, PAGE_MESSAGES[400]),
            "status_code": status_code,
        },
        status_code=status_code,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)

    @app.exception_handler(InterviewError)
    async def interview_error(request: Request, exc: InterviewError) -> Response:
        status_code = status_for(exc)
        if is_api(request):
            return JSONResponse(error_body(exc), status_code=status_code)
        message = NOT_FOUND if status_code == 404 else exc.message
        return error_page(request, status_code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        if exc.status_code == 401:
            return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", 303)
        detail = exc.detail if exc.status_code == 403 and isinstance(exc.detail, str) else None
        return error_page(request, exc.status_code, detail if detail != "Forbidden" else None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return JSONResponse({"detail": jsonable(exc)}, status_code=422)
        return error_page(request, 422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_api(request):
            return JSONResponse({"error": "internal", "message": PAGE_MESSAGES[500]}, 500)
        return error_page(request, 500)


def jsonable(exc: RequestValidationError) -> list[dict[str, object]]:
    """Validation errors without the submitted input (it may hold a password)."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
