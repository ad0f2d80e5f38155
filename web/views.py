"""View models composed from the core's use cases, shared by the HTML pages and the JSON API."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from core import services
from core.domain.history import Analytics, SessionFilter, SessionListItem
from core.domain.model import Platform, Session
from core.domain.presentation import score_band, tag_label
from core.domain.qotd import ChannelRef
from core.domain.results import QuotaStatus
from core.domain.roles import Difficulty, Role
from core.ports import IdentityRecord
from core.services.deps import Deps
from core.services.qotd_reads import ChannelHistory
from web.dependencies import Viewer
from web.params import FIRST_DAY, LAST_DAY

DASHBOARD_DAYS = 90
TOP_TAGS = 8
RECENT_SESSIONS_CHART = 30
DIFFICULTY_ORDER = {d.value: i for i, d in enumerate(Difficulty)}
PLACE_OF = {Platform.SLACK: "workspace", Platform.DISCORD: "server"}  # what a tenant is called
PLATFORM_VALUES = {p.value for p in Platform}

platform_label = Platform.label_of


def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


def difficulty_label(value: str) -> str:
    try:
        return Difficulty(value).label
    except ValueError:
        return value.capitalize()


def identity_label(identity: IdentityRecord) -> str:
    """'Slack · workspace T024 · Ada' — enough to tell two linked accounts apart."""
    user = identity.user
    place = PLACE_OF.get(Platform(user.platform)) if user.platform in PLATFORM_VALUES else None
    parts = [platform_label(user.platform)]
    if place and user.tenant != "dm":
        parts.append(f"{place} {user.tenant}")
    parts.append(identity.display_name or user.user)
    return " · ".join(parts)


def band_name(score: float | None) -> str:
    return "none" if score is None else score_band(score).name


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def session_filter(
    *,
    role: str | None,
    difficulty: str | None,
    platform: str | None,
    since: date | None,
    until: date | None,
    zone: ZoneInfo,
) -> SessionFilter:
    """Filters from a form or query; dates are whole days in the quota zone, `until` inclusive."""
    return SessionFilter(
        role=role if role in {r.value for r in Role} else None,
        difficulty=difficulty if difficulty in {d.value for d in Difficulty} else None,
        platform=platform if platform in PLATFORM_VALUES else None,
        since=local_midnight(since, zone) if since else None,
        until=local_midnight(until + timedelta(days=1), zone) if until else None,
    )


def parse_day(text: str | None) -> date | None:
    """A day typed in a filter, or None when it is not one (or too far off to compute with)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


@dataclass(frozen=True, slots=True)
class Dashboard:
    sessions_this_week: int
    average_score: float | None
    quota: QuotaStatus
    streak_days: int
    recent: list[SessionListItem]
    active_practice: Session | None
    linked: list[IdentityRecord]
    total_sessions: int
    review: services.ReviewStatus | None = None  # due today / this week (the learning loop)


def build_dashboard(deps: Deps, viewer: Viewer) -> Dashboard:
    zone = deps.rules.timezone
    today = deps.clock.now().astimezone(zone).date()
    week_start = local_midnight(today - timedelta(days=today.weekday()), zone)
    this_week = services.list_sessions(
        deps, scope=viewer.scope, filters=SessionFilter(since=week_start), per_page=1
    )
    recent = services.list_sessions(deps, scope=viewer.scope, per_page=5)
    figures = services.analytics(deps, scope=viewer.scope, days=DASHBOARD_DAYS)
    return Dashboard(
        sessions_this_week=this_week.total,
        average_score=figures.average_score,
        quota=services.quota_status(deps, user=viewer.ref),
        streak_days=figures.streak_days(today),
        recent=recent.items,
        active_practice=active_practice(deps, viewer),
        linked=services.linked_identities(deps, web_user_id=viewer.id),
        total_sessions=recent.total,
        review=services.review_status(deps, user=viewer.ref),
    )


def active_practice(deps: Deps, viewer: Viewer) -> Session | None:
    """The browser interview still in progress, if any. The core looks at the browser identity
    only, so a newer interview in a linked chat (which continues there) never hides it."""
    return services.latest_active_session(deps, user=viewer.ref)


def band_of(score: float | None) -> dict[str, str] | None:
    """The core's score band of a bar, for the chart script (it keeps no thresholds)."""
    if score is None:
        return None
    band = score_band(score)
    return {"name": band.name, "label": band.label, "colour": f"#{band.colour:06x}"}


def short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _breakdown(rows: list[Any], label: Any = str) -> dict[str, list[Any]]:
    return {
        "labels": [label(r.key) for r in rows],
        "counts": [r.count for r in rows],
        "averages": [r.average_score for r in rows],
        "bands": [band_of(r.average_score) for r in rows],
    }


def _by_day(pairs: list[tuple[date, Any]]) -> dict[str, list[Any]]:
    """A per-day series: days are already in the quota zone; labels are formatted here."""
    return {
        "days": [d.isoformat() for d, _ in pairs],
        "labels": [short_day(d) for d, _ in pairs],
        "values": [v for _, v in pairs],
    }


def _per_session(items: list[SessionListItem], zone: ZoneInfo | timezone) -> dict[str, list[Any]]:
    """One bar per session, oldest first, labelled with its own day in the quota zone — and its
    time when another bar shares that day, so no two bars read alike."""
    moments = [item.session.created_at.astimezone(zone) for item in items]
    shared = Counter(m.date() for m in moments)
    return {
        "days": [m.date().isoformat() for m in moments],
        "labels": [
            short_day(m.date()) + (f" {m:%H:%M}" if shared[m.date()] > 1 else "") for m in moments
        ],
        "values": [item.answered for item in items],
        "bands": [band_of(item.average_score) for item in items],
    }


def recent_sessions(deps: Deps, viewer: Viewer, *, days: int) -> list[SessionListItem]:
    """The latest sessions of the period (at most RECENT_SESSIONS_CHART), newest first."""
    since = deps.clock.now() - timedelta(days=days)
    return services.list_sessions(
        deps,
        scope=viewer.scope,
        filters=SessionFilter(since=since),
        per_page=RECENT_SESSIONS_CHART,
    ).items


def chart_data(
    figures: Analytics, recent: list[SessionListItem] | None = None, zone: ZoneInfo | None = None
) -> dict[str, Any]:
    """Everything the charts draw, as plain JSON (the page also shows it as tables)."""
    data: dict[str, Any] = {
        "scoreTrend": _by_day(figures.score_trend),
        "sessionsPerDay": _by_day(figures.sessions_per_day),
        "byRole": _breakdown(figures.by_role, role_label),
        "byDifficulty": _breakdown(
            sorted(figures.by_difficulty, key=lambda r: DIFFICULTY_ORDER.get(r.key, 99)),
            difficulty_label,
        ),
        "byTag": _breakdown(figures.by_tag[:TOP_TAGS], tag_label),
        "byPlatform": _breakdown(figures.by_platform, platform_label),
        "byWorkspace": _breakdown(figures.by_workspace, workspace_label),
    }
    if recent is not None:
        ordered = list(reversed(recent[:RECENT_SESSIONS_CHART]))  # oldest first, like a trend
        data["answersPerSession"] = _per_session(ordered, zone or UTC)
    return data


def participation_charts(channels: list[ChannelHistory]) -> dict[str, Any]:
    """Answers per question day, one chart per question-of-the-day channel."""
    return {
        f"participation{c.schedule.id}": _by_day(c.participation)
        for c in channels
        if c.participation
    }


def channel_label(channel: ChannelRef) -> str:
    """'Slack T024 · #C0GENERAL' — the workspace and the channel a question of the day runs in."""
    return f"{workspace_label(f'{channel.platform}:{channel.tenant}')} · #{channel.channel}"


def workspace_label(key: str) -> str:
    """'slack:T024' -> 'Slack T024' (the team-wide breakdown keys are platform:tenant)."""
    platform, _, tenant = key.partition(":")
    if platform in (Platform.WEB, Platform.TERMINAL):  # one tenant each: the platform says it all
        return platform_label(platform)
    return f"{platform_label(platform)} {tenant}".strip()


def split_workspace(key: str | None) -> tuple[str | None, str | None]:
    if not key or ":" not in key:
        return None, None
    platform, _, tenant = key.partition(":")
    return (platform or None), (tenant or None)


@dataclass(frozen=True, slots=True)
class DataToDelete:
    """What deleting the account's data takes: said before, and again after."""

    sessions: int  # with their questions, answers and evaluations
    identities: list[IdentityRecord]  # linked chat identities: removed, so no longer linked
    removed: int = 0  # identities the delete removed, the browser's own included


def data_to_delete(deps: Deps, viewer: Viewer) -> DataToDelete:
    linked = services.linked_identities(deps, web_user_id=viewer.id)
    sessions = services.list_sessions(deps, scope=viewer.scope, per_page=1).total
    return DataToDelete(sessions=sessions, identities=linked)


def delete_data(deps: Deps, viewer: Viewer) -> DataToDelete:
    """Delete every session and identity of the account (thoroughly: linked chat identities
    go too, so they are unlinked) and return what went."""
    planned = data_to_delete(deps, viewer)
    removed = services.delete_history(deps, web_user_id=viewer.id)
    return replace(planned, removed=removed)
