"""History, analytics and export for one person (all their linked identities) or a whole team."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from core.domain.errors import NoActiveSession
from core.domain.history import Analytics, Page, SessionDetail, SessionFilter, SessionListItem
from core.domain.interview import Interview
from core.domain.model import UserRef
from core.ports import HistoryQueries
from core.services.common import load_interview, scope_of
from core.services.deps import Deps

MAX_PER_PAGE = 100


def _reads(deps: Deps) -> HistoryQueries:
    if deps.history is None:
        raise RuntimeError("history queries are not wired (core.bootstrap does this)")
    return deps.history


def web_user_ref(web_user_id: str) -> UserRef:
    """The identity a web account practises as in the browser."""
    return UserRef("web", "web", web_user_id)


def scope_for_user(deps: Deps, *, user: UserRef) -> list[int]:
    """Identity ids whose history is this chat user's (all linked ones once linked)."""
    with deps.uow(read_only=True) as uow:
        identity = uow.identities.find(user)
        return scope_of(uow, identity) if identity else []


def scope_for_web_user(deps: Deps, *, web_user_id: str) -> list[int]:
    """Identity ids of a web account: its browser identity plus every linked chat identity.

    Every signed-in page asks this: it only reads (never waiting for a writer on SQLite) once
    the browser identity exists and is linked to its account, which the first visit makes so."""
    with deps.uow(read_only=True) as uow:
        web = uow.identities.find(web_user_ref(web_user_id))
        if web is not None and web.web_user_id == web_user_id:
            return [i.id for i in uow.identities.linked_to(web_user_id)]
    with deps.uow() as uow:
        web = uow.identities.ensure(web_user_ref(web_user_id))
        if web.web_user_id != web_user_id:
            uow.identities.set_web_user(web.id, web_user_id)
        scope = [i.id for i in uow.identities.linked_to(web_user_id)]
        uow.commit()
    return scope


def list_sessions(
    deps: Deps,
    *,
    scope: list[int],
    filters: SessionFilter | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[SessionListItem]:
    page, per_page = max(1, page), min(max(1, per_page), MAX_PER_PAGE)
    if not scope:
        return Page(items=[], total=0, page=page, per_page=per_page)
    return _reads(deps).sessions(scope, filters or SessionFilter(), page=page, per_page=per_page)


def session_detail(deps: Deps, *, scope: list[int], session_id: int) -> SessionDetail | None:
    """None when the session does not exist or is not this person's (render both as 404)."""
    return _reads(deps).session_detail(scope, session_id) if scope else None


def interview_for(deps: Deps, *, scope: list[int], session_id: int) -> Interview | None:
    """The Interview of a session in this person's scope, to render or resume it (its step,
    labels and what may happen next); None when it does not exist or is not theirs (404)."""
    if not scope:
        return None
    with deps.uow() as uow:
        try:
            interview = load_interview(uow, session_id, deps.rules)
        except NoActiveSession:  # no such session
            return None
    return interview if interview.session.identity_id in scope else None


def analytics(
    deps: Deps,
    *,
    scope: list[int] | None,
    days: int = 90,
    platform: str | None = None,
    tenant: str | None = None,
) -> Analytics:
    """Figures for a person (scope) or, with scope None, team-wide (superusers only)."""
    since = deps.clock.now() - timedelta(days=days)
    return _reads(deps).analytics(
        scope if scope is None else (scope or [-1]),
        since=since,
        timezone=deps.rules.timezone,
        platform=platform,
        tenant=tenant,
    )


def export_history(deps: Deps, *, scope: list[int]) -> Iterator[dict[str, Any]]:
    return _reads(deps).export_rows(scope) if scope else iter(())


def delete_history(deps: Deps, *, web_user_id: str) -> int:
    """Delete every identity linked to the account, with all their sessions and answers."""
    scope = scope_for_web_user(deps, web_user_id=web_user_id)
    return _reads(deps).delete_identities(scope)
