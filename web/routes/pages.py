"""Server-rendered pages: dashboard, session history, session detail, analytics, team figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import Response

from core import services
from core.services.qotd_reads import my_qotd_answers, qotd_workspaces, team_qotd
from web import views
from web.csrf import require_csrf
from web.dependencies import DepsDep, MaybeUser, PageViewer, page_viewer
from web.params import WORKSPACE_TEXT, Page, SessionId, ShortQuery
from web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

PER_PAGE = 20
Days = Annotated[int, Query(ge=7, le=365)]
DAY_CHOICES = (30, 90, 180, 365)


@router.get("/")
def home(request: Request, user: MaybeUser, deps: DepsDep) -> Response:
    """The dashboard for a signed-in user; a short introduction for everyone else."""
    if user is None:
        return render(request, "landing.html")
    viewer = page_viewer(user, deps)
    request.state.user = user
    return render(request, "dashboard.html", {"board": views.build_dashboard(deps, viewer)})


@router.get("/sessions")
def sessions(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    role: ShortQuery = "",
    difficulty: ShortQuery = "",
    platform: ShortQuery = "",
    since: ShortQuery = "",
    until: ShortQuery = "",
    page: Page = 1,
) -> Response:
    chosen = {"role": role, "difficulty": difficulty, "platform": platform}
    days = {"since": views.parse_day(since), "until": views.parse_day(until)}
    filters = views.session_filter(
        role=role,
        difficulty=difficulty,
        platform=platform,
        since=days["since"],
        until=days["until"],
        zone=deps.rules.timezone,
    )
    listing = services.list_sessions(
        deps, scope=viewer.scope, filters=filters, page=page, per_page=PER_PAGE
    )
    query = {k: v for k, v in {**chosen, "since": since, "until": until}.items() if v}
    qotd = my_qotd_answers(deps, scope=viewer.scope) if page == 1 else []
    context = {"listing": listing, "chosen": chosen, "days": days, "query": query, "qotd": qotd}
    return render(request, "sessions.html", context)


@router.get("/sessions/{session_id}")
def session_page(
    request: Request, session_id: SessionId, viewer: PageViewer, deps: DepsDep
) -> Response:
    detail = services.session_detail(deps, scope=viewer.scope, session_id=session_id)
    if detail is None:
        raise HTTPException(404)
    return render(request, "session.html", {"detail": detail})


@router.get("/analytics")
def analytics_page(
    request: Request, viewer: PageViewer, deps: DepsDep, days: Days = 90
) -> Response:
    figures = services.analytics(deps, scope=viewer.scope, days=days)
    recent = views.recent_sessions(deps, viewer, days=days)
    context = {
        "figures": figures,
        "recent": recent,
        "charts": views.chart_data(figures, recent, deps.rules.timezone),
        "days": days,
        "day_choices": DAY_CHOICES,
    }
    return render(request, "analytics.html", context)


@router.get("/team")
def team_page(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    days: Days = 90,
    workspace: Annotated[str, Query(max_length=WORKSPACE_TEXT)] = "",
) -> Response:
    """Team-wide figures for superusers, optionally for one Slack workspace or Discord server."""
    if not viewer.user.is_superuser:
        raise HTTPException(403, "Team figures are for administrators of this deployment.")
    everyone = services.analytics(deps, scope=None, days=days)
    platform, tenant = views.split_workspace(workspace)
    figures = (
        services.analytics(deps, scope=None, days=days, platform=platform, tenant=tenant)
        if platform
        else everyone
    )
    channels = team_qotd(deps, platform=platform, tenant=tenant, days=days)
    context = {
        "figures": figures,
        "charts": views.chart_data(figures) | views.participation_charts(channels),
        "qotd": channels,
        "days": days,
        "day_choices": DAY_CHOICES,
        # Workspaces with interviews, and those with only a question of the day.
        "workspaces": sorted({row.key for row in everyone.by_workspace} | qotd_workspaces(deps)),
        "workspace": workspace if platform else "",
    }
    return render(request, "team.html", context)
