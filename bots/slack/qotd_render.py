"""Block Kit for the question of the day: the channel's card with its Answer button (and the same
card once closed), the reveal in its thread, the private evaluation, leaderboards and settings.
Registered with the Slack notifier (`@renders`) for the messages the core sends on its own."""

from __future__ import annotations

import json

from bots.slack.blocks import (
    Block,
    Rendered,
    _point,
    _tags,
    _within,
    actions,
    button,
    clip,
    context,
    escape,
    header,
    section,
    slack_date,
)
from bots.slack.ids import (
    QOTD_ANSWER,
    QOTD_ANSWER_BLOCK,
    QOTD_ANSWER_INPUT,
    QOTD_JOIN,
    QOTD_LEAVE,
    QOTD_MODAL,
)
from bots.slack.notifier import renders
from core.domain.presentation import format_score, score_band, score_bar
from core.domain.qotd import QotdPost
from core.domain.qotd_figures import Leaderboard, MyQotd, RevealSummary
from core.domain.qotd_notices import (
    QotdEvaluationNotice,
    QotdLeaderboardNotice,
    QotdQuestionNotice,
    QotdRevealNotice,
)
from core.domain.qotd_parsing import weekdays_label
from core.services.qotd_settings import QotdStatus

MODAL_QUESTION_LIMIT = 2900


@renders(QotdQuestionNotice)
def question_card(notice: QotdQuestionNotice) -> Rendered:
    """The day's question with an Answer button; once closed, the same card without it."""
    post = notice.post
    blocks: list[Block] = [
        header(f"❓ {post.title}"),
        section(escape(post.question.text)),
    ]
    if notice.closed:
        people = "person" if notice.answered == 1 else "people"
        blocks.append(
            context(
                f"🔒 Closed · {notice.answered} {people} answered · the ideal answer is in the thread"
            )
        )
        return f"{post.title} (closed)", blocks
    blocks += [
        context(
            f"Answers close {slack_date(post.closes_at)}. Your answer and its evaluation are "
            "private; the ideal answer is revealed here when it closes."
        ),
        actions(button("✍️ Answer", QOTD_ANSWER, str(post.id), style="primary")),
    ]
    return f"{post.title}: {clip(post.question.text, 200)}", blocks


def answer_modal(post_id: str, question: str, *, channel: str | None, max_chars: int) -> dict:
    """The private answer form the Answer button opens."""
    return {
        "type": "modal",
        "callback_id": QOTD_MODAL,
        "private_metadata": json.dumps({"post": post_id, "channel": channel}),
        "title": {"type": "plain_text", "text": "Question of the day"},
        "submit": {"type": "plain_text", "text": "Send answer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(clip(question, MODAL_QUESTION_LIMIT)),
            {
                "type": "input",
                "block_id": QOTD_ANSWER_BLOCK,
                "label": {"type": "plain_text", "text": "Your answer (only you will see it)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": QOTD_ANSWER_INPUT,
                    "multiline": True,
                    "max_length": max_chars,
                },
            },
        ],
    }


@renders(QotdRevealNotice)
def reveal(notice: QotdRevealNotice) -> Rendered:
    s: RevealSummary = notice.summary
    people = "person" if s.answered == 1 else "people"
    lines = [f"*{s.answered} {people} answered* · average {format_score(s.average_score)}"]
    lines += [f"{b.band.emoji} {b.band.label}: {b.count}" for b in s.distribution]
    blocks: list[Block] = [
        section("🔓 *The answer is in*\n" + "\n".join(lines)),
        section(f"*Ideal answer*\n{escape(s.post.question.reference_answer)}"),
    ]
    if s.post.question.key_points:
        points = "\n".join(f"• {escape(p)}" for p in s.post.question.key_points)
        blocks.append(section(clip(f"*Key points*\n{points}")))
    if s.top:
        medals = ("🥇", "🥈", "🥉")
        top = [
            f"{medals[i]} {escape(a.name or '')} — {format_score(a.score)}"
            for i, a in enumerate(s.top)
        ]
        blocks.append(section("*Top answers* (leaderboard members)\n" + "\n".join(top)))
    if s.pending:
        blocks.append(context(f"{s.pending} answer(s) were still being evaluated."))
    blocks.append(context("Join the leaderboard with `/interview leaderboard join`."))
    return f"Question of the day closed: {s.answered} {people} answered", blocks


@renders(QotdEvaluationNotice)
def evaluation(notice: QotdEvaluationNotice) -> Rendered:
    """The person's own evaluation, by direct message."""
    post, evaluation = notice.post, notice.answer.evaluation
    intro = context(f"Question of the day · {escape(clip(post.question.text, 200))}")
    if notice.failed or evaluation is None:
        return "Your question-of-the-day answer", [intro, section(escape(notice.failed))]
    band = score_band(evaluation.score)
    blocks: list[Block] = [
        intro,
        section(
            f"{band.emoji} *{format_score(evaluation.score)} — {band.label}*\n`{score_bar(evaluation.score)}`"
        ),
        section(f"*Feedback*\n{escape(evaluation.feedback)}"),
    ]
    if evaluation.points:
        blocks.append(section(_within("*Key points*", [_point(p) for p in evaluation.points])))
    if evaluation.tags:
        blocks.append(context("*Work on:* " + " · ".join(_tags(evaluation.tags))))
    blocks.append(
        context(
            f"Graded by: {escape(evaluation.graded_by)} · the ideal answer is revealed in the channel when the question closes."
        )
    )
    return (
        f"Your question-of-the-day answer: {format_score(evaluation.score)} — {band.label}",
        blocks,
    )


@renders(QotdLeaderboardNotice)
def leaderboard_card(notice: QotdLeaderboardNotice) -> Rendered:
    return board_card(notice.board, weekly=notice.weekly)


def board_card(board: Leaderboard, *, weekly: bool = False) -> Rendered:
    title = f"🏆 {'Last week' if weekly else 'This week'}'s leaderboard (week of {board.first_day:%d %b})"
    if not board.entries:
        note = (
            "Nobody on the leaderboard answered that week."
            if board.members
            else "Nobody has joined the leaderboard yet."
        )
        return title, [section(f"*{title}*\n{note} Join with `/interview leaderboard join`.")]
    lines = [
        f"{e.rank}. *{escape(e.name)}* — {e.points:g} points · {e.answered} answered"
        f" · average {format_score(e.average_score)}"
        + (f" · 🔥 {e.streak}-day streak" if e.streak > 1 else "")
        for e in board.entries
    ]
    blocks = [
        section(_within(f"*{title}*", lines)),
        context(
            "Points are the week's scores added up. Only people who joined are shown: `/interview leaderboard join` or `leave`."
        ),
    ]
    return title, blocks


def settings_text(status: QotdStatus) -> str:
    s, schedule = status.schedule.settings, status.schedule
    roles = ", ".join(r.label for r in s.roles)
    when = (
        "⏸️ Paused — `/interview qotd resume` starts it again."
        if schedule.paused
        else f"Next question: {slack_date(status.next_post)}."
        if status.next_post
        else ""
    )
    head = (
        "✅ Question of the day updated."
        if status.changed
        else "*Question of the day in this channel*"
    )
    return (
        f"{head}\n• {weekdays_label(s.weekdays)} at {s.post_at:%H:%M}, answers until "
        f"{s.closes_at:%H:%M} ({s.timezone})\n• {roles} · {s.difficulty.label}\n{when}"
    )


def received_text(post: QotdPost) -> str:
    return (
        "✅ Answer received — your evaluation arrives by direct message shortly. The ideal "
        f"answer is revealed in the channel {slack_date(post.closes_at)}."
    )


def home_blocks(mine: MyQotd | None) -> list[Block]:
    """The App Home section: one's own streak and standing, and joining or leaving the board."""
    if mine is None:
        return []
    standing = f"🔥 Streak: *{mine.streak}* day{'s' * (mine.streak != 1)} · {mine.answered} answered this week"
    if mine.joined:
        rank = f" · rank *{mine.rank}* this week" if mine.rank else ""
        toggle = button("Leave the leaderboard", QOTD_LEAVE)
        note = "You are on the leaderboard: your name and points are shown to the channel."
    else:
        rank, toggle = "", button("🏆 Join the leaderboard", QOTD_JOIN, style="primary")
        note = "You are not on the leaderboard: nobody sees your name or scores."
    return [
        {"type": "divider"},
        section("*Question of the day*\n" + standing + rank),
        context(note),
        actions(toggle),
    ]
