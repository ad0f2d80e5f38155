"""Short replies, mostly private: ways out of an error, notes about a press or an answer, and
what `/interview history | quota | link | help` and a finished start or end say (the errors
themselves are worded in errors.py)."""

from __future__ import annotations

from dataclasses import replace

from bots.discord.model import Reply
from bots.discord.render import (
    DESCRIPTION,
    LINK,
    NEUTRAL_COLOUR,
    QUESTION_COLOUR,
    Json,
    button,
    clip,
    next_step_label,
    row,
    when,
)
from core.domain.history import Page, SessionListItem
from core.domain.presentation import format_score, session_url
from core.domain.results import AnswerOutcome, AnswerStatus, QuotaStatus
from core.domain.roles import Difficulty, Role
from core.services import LinkCode


def history(page: Page[SessionListItem], *, web_base_url: str) -> Reply:
    if not page.items:
        return Reply(
            content="You have no interviews yet. Start one with `/interview start`.",
            ephemeral=True,
        )
    lines = []
    for item in page.items:
        session = item.session
        link = session_url(web_base_url, session.id)
        lines.append(
            f"{when(session.created_at, 'd')} · [{session.role.label} · "
            f"{session.difficulty.label}]({link}) · {format_score(item.average_score)} · "
            f"{item.answered} answered · {session.status.label}"
        )
    embed = {
        "title": "Your recent interviews",
        "description": clip("\n".join(lines), DESCRIPTION),
        "color": QUESTION_COLOUR,
        "footer": {"text": f"{len(page.items)} of {page.total} · full history on the web"},
    }
    dashboard = row(button("Open the web dashboard", style=LINK, url=web_base_url))
    return Reply(embeds=(embed,), components=(dashboard,), ephemeral=True)


def quota(status: QuotaStatus) -> Reply:
    return Reply(
        content=(
            f"You have used **{status.used} of {status.limit}** interview sessions today "
            f"({status.remaining} left). The count resets {when(status.resets_at, 'R')}."
        ),
        ephemeral=True,
    )


def link_code(code: LinkCode, *, web_base_url: str) -> Reply:
    link_url = f"{web_base_url.rstrip('/')}/link"
    return Reply(
        content=(
            f"Your link code: **{code.code}**\n"
            f"Enter it at {link_url} to see this Discord account's interviews on your web "
            f"dashboard. It works once and expires {when(code.expires_at, 'R')}."
        ),
        ephemeral=True,
    )


def started(thread_id: str | None, status: QuotaStatus | None) -> Reply:
    where = f"in <#{thread_id}>" if thread_id else "below"
    count = f" This is session {status.used} of {status.limit} today." if status else ""
    return Reply(content=f"Your interview is ready {where}.{count} Good luck!", ephemeral=True)


def ended_elsewhere(channel_id: str) -> Reply:
    return Reply(content=f"Interview ended — the summary is in <#{channel_id}>.", ephemeral=True)


def help_text(*, reads_replies: bool, max_questions: int) -> Reply:
    how = (
        "reply in the interview thread, or press **Answer** under a question"
        if reads_replies
        else "press **Answer** under a question"
    )
    roles = ", ".join(r.label for r in Role)
    text = (
        "**Mock interviews, one question at a time**\n"
        f"`/interview start role difficulty [questions]` — open an interview (1–{max_questions} "
        "questions) in a new thread, or right here in a DM.\n"
        f"To answer, {how}. After each answer you get a score, feedback, an ideal answer and "
        "what to work on; then **Next question**, **Go deeper** for a follow-up, or **End**.\n"
        "`/interview history` — your recent interviews · `/interview quota` — sessions left "
        "today · `/interview link` — a code to see your history on the web · "
        "`/interview end` — finish the current interview.\n"
        "Add `adaptive:True` to a start and the level follows your answers. `/interview review` "
        "asks what is due for review (weak answers come back); `/interview remind "
        "when:daily 09:00 Europe/Paris` sends a DM when reviews are due (`when:off` stops it).\n"
        "`/interview bank show` — the question bank in use; server admins pick one with "
        "`/interview bank use`.\n"
        f"Roles: {roles}. Difficulties: {', '.join(d.label for d in Difficulty)}."
    )
    return Reply(content=text, ephemeral=True)


def superseded(outcome: AnswerOutcome) -> Reply:
    """A second answer to a question that already has one: say which was taken, and what next."""
    if outcome.status is AnswerStatus.FAILED:
        then = "Press **Retry** under it to have it evaluated."
    elif outcome.status is AnswerStatus.IN_PROGRESS:
        then = "It is being evaluated; the result will appear above."
    else:
        then = f"Press **{next_step_label(outcome)}** to move on"
        then += " or **Go deeper** for a follow-up." if outcome.can_go_deeper else "."
    return Reply(content=f"Your first answer to this question was taken. {then}", ephemeral=True)


def with_buttons(reply: Reply, *buttons: Json) -> Reply:
    """An error with a way out: Retry a saved answer, or Try again the same press."""
    return replace(reply, components=(row(*buttons),))


def with_answer(reply: Reply, answer: str) -> Reply:
    """A modal submit that failed: give the typed text back, so a long answer need not be
    written again (a modal keeps nothing once it is closed)."""
    if not answer.strip():
        return reply
    embed = {
        "title": "Your answer, in case you need to send it again",
        "description": clip(answer, DESCRIPTION),
        "color": NEUTRAL_COLOUR,
    }
    return replace(reply, embeds=(embed,))


def privately(reply: Reply, note: str) -> Reply:
    """A result already posted (a double click, or a retried press), shown again only to the
    one who asked: if the first post never arrived, nothing is lost."""
    return replace(reply, content=note, ping=None, ephemeral=True)
