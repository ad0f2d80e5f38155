"""Jinja2 rendering: one environment per app, with the shared wording of core.domain.presentation."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from core.config import Settings
from core.domain.interview import question_label
from core.domain.model import Platform
from core.domain.presentation import (
    criterion_label,
    difficulty_path_text,
    format_score,
    score_band,
    tag_label,
)
from core.domain.qotd_parsing import weekdays_label
from core.domain.roles import Difficulty, Role
from web import STATIC_DIR, WEB_DIR, views
from web.csrf import CSRF_FIELD, csrf_token

TEMPLATE_DIR = WEB_DIR / "templates"
_build_lock = threading.Lock()

# Short, fixed messages shown after a redirect (?notice=key): no user text is ever echoed.
NOTICES = {
    "registered": "Welcome! Your account is ready.",
    "logged-out": "You are logged out. See you soon.",
    "reset-sent": "If an account exists for that e-mail, a reset link is on its way.",
    "password-reset": "Your password was changed. Log in with the new one.",
    "linked": "Linked! Your chat history now appears here.",
    "unlinked": "That chat identity is no longer linked to this account.",
    "verified": "Thank you, your e-mail address is verified.",
    "verify-sent": "A verification link is on its way.",
    "password-changed": "Your password was changed.",
}


@cache
def _file_version(path: str) -> str:
    """A content hash for cache busting, so static files can be cached for a long time."""
    try:
        return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def _json_script(data: Any) -> Markup:
    """JSON safe inside <script type="application/json"> (no way to close the element early)."""
    text = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """ "1 session", "2 sessions", "0 identities" (with `many` for irregular plurals)."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def build_templates(settings: Settings) -> Jinja2Templates:
    """The app's environment; the settings it reads are in web.app.FIXED_AT_CREATION."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = templates.env
    zone = settings.timezone
    static_base = settings.web_static_url.rstrip("/")

    def static_url(path: str) -> str:
        return f"{static_base}/{path}?v={_file_version(path)}"

    def when(value: datetime | None, pattern: str = "%d %b %Y, %H:%M") -> str:
        return value.astimezone(zone).strftime(pattern) if value else "—"

    env.globals.update(
        static_url=static_url,
        csrf_field=CSRF_FIELD,
        roles=[(r.value, r.label) for r in Role],
        difficulties=[(d.value, d.label) for d in Difficulty],
        default_difficulty=Difficulty.DEFAULT.value,
        platforms=[(p.value, p.label) for p in Platform],
        zone_name=settings.quota_timezone,
        question_label=question_label,
    )
    env.filters.update(
        score=format_score,
        band=views.band_name,
        band_label=lambda s: "Not scored" if s is None else score_band(s).label,
        when=when,
        day=lambda v: when(v, "%d %b %Y"),
        tag=tag_label,
        criterion=criterion_label,
        role=views.role_label,
        difficulty=views.difficulty_label,
        platform=views.platform_label,
        identity=views.identity_label,
        workspace=views.workspace_label,
        channel=views.channel_label,
        weekdays=weekdays_label,
        json_script=_json_script,
        plural=plural,
        levels=difficulty_path_text,
    )
    return templates


def templates_of(app: FastAPI) -> Jinja2Templates:
    """The app's templates, built by the first page it renders: a health check or a JSON call
    renders none, so it never loads Jinja."""
    templates: Jinja2Templates | None = getattr(app.state, "templates", None)
    if templates is None:
        with _build_lock:
            templates = getattr(app.state, "templates", None)
            if templates is None:
                templates = build_templates(app.state.resources.settings)
                app.state.templates = templates
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> Response:
    """Render a page with what every page needs: the user, the CSRF token and any notice."""
    templates = templates_of(request.app)
    full = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "path": request.url.path,
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, full, status_code=status_code)
