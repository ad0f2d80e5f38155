"""`interviewbot stats`: the analytics as terminal tables."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from core.domain.history import Analytics, Breakdown
from core.domain.presentation import format_score, tag_label
from core.domain.roles import Difficulty, Role
from core.services import ReviewStatus


def render_analytics(
    console: Console, figures: Analytics, *, title: str, quota_line: str, quota_limit: int
) -> None:
    overview = Table(title=title, show_header=False)
    overview.add_column(style="bold")
    overview.add_column()
    rate = figures.cache_hit_rate
    llm = figures.llm
    for label, value in [
        ("Sessions", str(figures.sessions)),
        ("Answers", str(figures.attempts)),
        ("Average score", format_score(figures.average_score)),
        ("Attempts per session", _num(figures.attempts_per_session)),
        ("Quota", quota_line),
        ("Quota use", _quota_use(figures, quota_limit)),
        ("Cache hit rate", "—" if rate is None else f"{rate:.0%} of {figures.evaluations}"),
        ("Evaluator calls", f"{llm.calls} ({llm.failures} failed)"),
        ("Latency avg / p95", f"{_num(llm.average_latency_ms)} / {_num(llm.p95_latency_ms)} ms"),
        ("Tokens in / out", f"{llm.input_tokens:,} / {llm.output_tokens:,}"),
    ]:
        overview.add_row(label, value)
    console.print(overview)
    console.print(_breakdown("By role", figures.by_role, "Sessions", label=_role))
    console.print(_breakdown("By difficulty", figures.by_difficulty, "Sessions", label=_difficulty))
    console.print(_breakdown("Improvement tags", figures.by_tag, "Times", label=tag_label))
    if figures.by_workspace:
        console.print(_breakdown("By workspace", figures.by_workspace, "Sessions"))
    per_day = Table(title="Sessions per day")
    per_day.add_column("Day")
    per_day.add_column("Sessions", justify="right")
    for day, count in figures.sessions_per_day[-14:]:
        per_day.add_row(day.isoformat(), str(count))
    console.print(per_day)


def _role(key: str) -> str:
    return Role(key).label if key in Role._value2member_map_ else key


def _difficulty(key: str) -> str:
    return Difficulty(key).label if key in Difficulty._value2member_map_ else key


def _breakdown(
    title: str, rows: list[Breakdown], count_label: str, label: Callable[[str], str] = str
) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column(count_label, justify="right")
    table.add_column("Avg score", justify="right")
    for row in rows:
        table.add_row(label(row.key), str(row.count), format_score(row.average_score))
    return table


def _quota_use(figures: Analytics, limit: int) -> str:
    share = figures.quota_use(limit)
    if share is None:
        return "—"
    return f"{share:.0%} of the daily {limit} on practice days; {figures.days_at_limit(limit)} at the limit"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def review_line(status: ReviewStatus) -> str:
    """ "Review: 3 due: caching ×2, SQL joins — 5 this week. Start with `interviewbot chat --review`." """
    if status.due_today:
        return (
            f"Review: {status.summary} today, {status.due_this_week} this week. "
            "Start with `interviewbot chat --review`."
        )
    if status.next_due:
        return f"Review: nothing due today; next item {status.next_due:%Y-%m-%d %H:%M %Z}."
    return "Review: nothing to review yet — weak answers come back here when they are due."
