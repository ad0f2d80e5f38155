"""One place that maps errors to responses: JSON under /api, a friendly page everywhere else."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from core.domain.errors import (
    ErrorCategory,
    InterviewError,
    NoActiveSession,
    NotYourSession,
    QuotaExceeded,
)
from web.throttle import TooManyAttempts

log = logging.getLogger(__name__)


class LoginRequired(Exception):
    """An anonymous visitor asked for a page: the app turns this into a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


NOT_UTF8 = (
    "The request is not valid UTF-8 text (perhaps a broken copy-paste or encoding), so nothing "
    "was recorded. Please retype it and send it again."
)
BAD_LOGIN_MESSAGE = "That e-mail and password do not match an account."
NOT_FOUND = "We could not find that page. It may have moved, or it belongs to another account."
PAGE_MESSAGES = {
    400: "That request did not look right. Please check the form and try again.",
    403: "You do not have access to that page.",
    404: NOT_FOUND,
    405: "That page cannot be used this way.",
    422: "Some of the values sent were not valid. Please check the form and try again.",
    # Nothing is known about what an unexpected error left behind: say so, and claim nothing.
    500: "Something went wrong on our side and this request did not finish. Please reload the "
    "page to see what was saved, then try again.",
    503: "The service is briefly unavailable. Please try again in a minute.",
}
TITLES = {403: "No access", 404: "Not found", 500: "Something went wrong", 503: "Unavailable"}


# The one table from an error's category (core.domain.errors) to its HTTP status.
STATUS_OF: Mapping[ErrorCategory, int] = {
    ErrorCategory.INVALID: 422,
    ErrorCategory.CONFLICT: 409,
    ErrorCategory.NOT_FOUND: 404,
    ErrorCategory.FORBIDDEN: 403,
    ErrorCategory.LIMIT: 429,
    ErrorCategory.UNAVAILABLE: 503,
}
# Someone else's interview is answered exactly like a missing one: the web never confirms that
# another account's session id exists.
CONCEALED = (NotYourSession, NoActiveSession)
CONCEALED_BODY = {"error": "not_found", "code": "not_found", "message": "Not found."}


def status_for(exc: InterviewError) -> int:
    """HTTP status of an error the user can cause, from its category."""
    if isinstance(exc, CONCEALED):
        return 404
    return STATUS_OF[exc.category]


def retry_after(exc: InterviewError, now: datetime | None = None) -> dict[str, str]:
    """A Retry-After header (seconds) for a limit that says when it lifts."""
    until = getattr(exc, "retry_at", None) or getattr(exc, "resets_at", None)
    if not isinstance(until, datetime):
        return {}
    seconds = math.ceil((until - (now or datetime.now(UTC))).total_seconds())
    return {"Retry-After": str(max(1, seconds))}


def error_body(exc: InterviewError) -> dict[str, object]:
    """`code` names the error (`error` too, as every API error has it); `message` explains it."""
    if isinstance(exc, CONCEALED):
        return dict(CONCEALED_BODY)
    body: dict[str, object] = {"error": exc.code, "code": exc.code, "message": exc.message}
    if isinstance(exc, QuotaExceeded):
        body["resets_at"] = exc.resets_at.isoformat()
    if isinstance(exc, TooManyAttempts):
        body["retry_at"] = exc.retry_at.isoformat()
    return body


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


API_ERRORS = {
    400: ("bad_request", "That request was not valid."),
    401: ("unauthorized", "Log in first: send a bearer token or the session cookie."),
    403: ("forbidden", "You do not have access to this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This URL does not accept that method."),
    409: ("conflict", "That conflicts with the current state."),
    413: ("too_large", "The request is too large."),
    422: ("invalid_request", "Some values are missing or not valid."),
    429: ("too_many_requests", "Too many requests; try again later."),
}


# fastapi-users' error codes (in `detail`), as sentences for `message`.
ACCOUNT_MESSAGES = {
    "LOGIN_BAD_CREDENTIALS": BAD_LOGIN_MESSAGE,
    "REGISTER_USER_ALREADY_EXISTS": "An account with this e-mail already exists.",
    "UPDATE_USER_EMAIL_ALREADY_EXISTS": "An account with this e-mail already exists.",
    "RESET_PASSWORD_BAD_TOKEN": "This reset link is invalid or has expired.",
    "VERIFY_USER_BAD_TOKEN": "This verification link is invalid or has expired.",
    "VERIFY_USER_ALREADY_VERIFIED": "This e-mail address is already verified.",
    "LOGIN_USER_NOT_VERIFIED": "Verify your e-mail address first.",
}


def api_error(
    status_code: int, detail: object, headers: Mapping[str, str] | None = None
) -> Response:
    """Every API error has `code` (also as `error`) and `message` (a sentence); `detail` stays as
    fastapi-users' clients expect it (their codes, such as LOGIN_BAD_CREDENTIALS, or the list of
    invalid fields)."""
    code, message = API_ERRORS.get(status_code, ("error", "The request failed."))
    if isinstance(detail, dict) and isinstance(detail.get("reason"), str):
        message = detail["reason"]  # an invalid password, with the rule it broke
    elif isinstance(detail, str) and detail in ACCOUNT_MESSAGES:
        message = ACCOUNT_MESSAGES[detail]
    elif isinstance(detail, str) and not detail.isupper() and detail != _phrase(status_code):
        message = detail  # our own sentence; Starlette's stock phrase says no more than `code`
    body = {"error": code, "code": code, "message": message, "detail": detail}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    # Imported here: the app's error handlers are installed when it is built, and a health
    # check or a JSON error must not load fastapi-users and Jinja (web.areas).
    from web.auth import signed_in_user
    from web.templating import render

    if getattr(request.state, "user", None) is None:  # keep the signed-in header on errors
        request.state.user = await signed_in_user(request)
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
        headers = retry_after(exc)
        if is_api(request):
            return JSONResponse(error_body(exc), status_code=status_code, headers=headers)
        message = NOT_FOUND if isinstance(exc, CONCEALED) else exc.message
        page = await error_page(request, status_code, message)
        page.headers.update(headers)
        return page

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI's "error parsing the body": bytes that are not UTF-8. The body never
            # reached a route, so nothing was recorded; a 422 says what to fix.
            if is_api(request):
                detail = [{"loc": ["body"], "msg": NOT_UTF8, "type": "utf8_invalid"}]
                body = {"error": "invalid_text", "code": "invalid_text", "message": NOT_UTF8}
                return JSONResponse({**body, "detail": detail}, status_code=422)
            return await error_page(request, 422, NOT_UTF8)
        if is_api(request):
            return api_error(exc.status_code, exc.detail, exc.headers)
        if exc.status_code == 401:
            return RedirectResponse(f"/login?next={quote(_here(request), safe='/')}", 303)
        detail = exc.detail if exc.status_code == 403 and isinstance(exc.detail, str) else None
        return await error_page(request, exc.status_code, detail if detail != "Forbidden" else None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return api_error(422, jsonable(exc))
        return await error_page(request, 422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_api(request):
            body = {"error": "internal", "code": "internal", "message": PAGE_MESSAGES[500]}
            return JSONResponse(body, 500)
        return await error_page(request, 500)


def jsonable(exc: RequestValidationError) -> list[dict[str, object]]:
    """Validation errors without the submitted input (it may hold a password)."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
