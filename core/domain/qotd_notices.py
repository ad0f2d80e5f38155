"""The messages the question of the day sends on its own (core.domain.notices): each surface
registers how it renders them (bots/slack/qotd_render.py, bots/discord/qotd_render.py)."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.notices import Notice
from core.domain.qotd import QotdAnswer, QotdPost
from core.domain.qotd_figures import Leaderboard, RevealSummary


@dataclass(frozen=True, slots=True, kw_only=True)
class QotdQuestionNotice(Notice):
    """The day's question in its channel, with an Answer button (or, with `replaces`, the same
    card edited to say it closed and how many answered)."""

    post: QotdPost
    closed: bool = False
    answered: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class QotdRevealNotice(Notice):
    """In the question's thread once it closed: ideal answer, count, distribution, top authors."""

    summary: RevealSummary


@dataclass(frozen=True, slots=True, kw_only=True)
class QotdEvaluationNotice(Notice):
    """To the person only: their evaluation, or why there is none (`failed`)."""

    post: QotdPost
    answer: QotdAnswer
    reply_handle: str | None = None  # the surface's private reply (e.g. a Discord follow-up)
    failed: str = ""  # the reason, when the answer could not be evaluated


@dataclass(frozen=True, slots=True, kw_only=True)
class QotdLeaderboardNotice(Notice):
    """The weekly leaderboard of a channel (opted-in people only)."""

    board: Leaderboard
    weekly: bool = True
