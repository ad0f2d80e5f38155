"""Platform-neutral wording shared by every surface's renderer (terminal, Slack, Discord, web)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.domain.model import Platform, Session, Verdict
from core.domain.roles import Difficulty
from core.domain.tags import TAXONOMY

if TYPE_CHECKING:  # results imports the Interview, which grades with these bands
    from core.domain.results import SessionSummary


@dataclass(frozen=True, slots=True)
class ScoreBand:
    name: str  # strong | good | fair | weak
    label: str
    emoji: str
    colour: int  # 0xRRGGBB, for embeds and charts


BANDS = (
    (8.0, ScoreBand("strong", "Strong answer", "🟢", 0x2EB67D)),
    (6.0, ScoreBand("good", "Good answer", "🟡", 0xECB22E)),
    (4.0, ScoreBand("fair", "Partial answer", "🟠", 0xF2952F)),
    (0.0, ScoreBand("weak", "Needs work", "🔴", 0xE01E5A)),
)


def score_band(score: float) -> ScoreBand:
    return next(band for floor, band in BANDS if score >= floor)


def score_bar(score: float, *, width: int = 10, full: str = "█", empty: str = "░") -> str:
    """A text bar such as ███████░░░ for 7/10 (Slack and the terminal both show it)."""
    filled = max(0, min(width, round(score / 10 * width)))
    return full * filled + empty * (width - filled)


def format_score(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}/10"


def tag_label(slug: str) -> str:
    tag = TAXONOMY.get(slug)
    return tag.label if tag else slug.replace("-", " ").capitalize()


CRITERIA_LABELS = {"correctness": "Correctness", "depth": "Depth", "communication": "Communication"}


def criterion_label(name: str) -> str:
    return CRITERIA_LABELS.get(name, name.replace("_", " ").capitalize())


def summary_counts(summary: SessionSummary) -> str:
    """ "Answered 2 of 3, skipped 1, plus 1 follow-up": main questions first, follow-ups apart."""
    text = (
        f"Answered {summary.answered} of {summary.session.question_count}, "
        f"skipped {summary.skipped}"
    )
    if summary.follow_ups:
        text += f", plus {summary.follow_ups} follow-up{'s' if summary.follow_ups > 1 else ''}"
    return text


def difficulty_path_text(path: Sequence[Difficulty]) -> str:
    """ "Easy → Medium → Hard": the levels an adaptive interview's main questions took."""
    return " → ".join(d.label for d in path)


def session_url(base_url: str, session_id: int) -> str:
    return f"{base_url.rstrip('/')}/sessions/{session_id}"


def practice_url(base_url: str, session_id: int) -> str:
    """The browser interview's own page (to continue it)."""
    return f"{base_url.rstrip('/')}/practice/{session_id}"


# How each surface marks a key point's verdict before its text ("✅ <point>").
VERDICT_MARKS = {
    Verdict.COVERED: "✅",
    Verdict.PARTIAL: "🔶 Partly:",
    Verdict.MISSING: "❌ Missing:",
    Verdict.CONTRADICTED: "⛔ Contradicted:",
}


def elsewhere_text(session: Session, *, web_base_url: str, link: str = "<{url}>") -> str:
    """Where the person's interview on another linked surface is, and how to reach it.

    `link` formats the practice page's URL the surface's way (Slack and Discord: "<{url}>")."""
    platform = session.conversation.platform
    if platform == Platform.WEB:
        url = link.format(url=practice_url(web_base_url, session.id))
        return f"You have an interview in progress in the browser — continue or end it at {url}."
    where = "a terminal" if platform == Platform.TERMINAL else Platform.label_of(platform)
    return f"You have an interview in progress in {where} — continue or end it there."
