"""What the interview buttons do: Next, Go deeper, Hint, Skip, End and Retry.

Each button names its question (`session:position`); the core returns `duplicate` or
`already_finished` for a double click or a replayed delivery, and then nothing new is posted.
A used card loses its buttons, so the thread reads as a clean transcript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.web import WebClient

from bots.slack import ids, messaging
from bots.slack.blocks import (
    Block,
    Rendered,
    closed_card,
    evaluating_card,
    evaluation_card,
    hint_card,
    question_card,
)
from bots.slack.ids import QuestionRef
from bots.slack.interview import post_summary
from bots.slack.messaging import Reply
from bots.slack.runtime import SlackRuntime
from core import services
from core.domain.errors import AlreadyEvaluating, SessionFinished
from core.domain.model import Session, UserRef
from core.domain.results import AnswerStatus, QuestionAsked, SessionSummary
from core.services.claims import first_delivery


@dataclass(frozen=True)
class Click:
    """One button press, reduced to neutral values plus where the clicked card lives."""

    client: WebClient
    reply: Reply
    actor: UserRef
    ref: QuestionRef
    channel: str | None
    message_ts: str | None
    text: str  # the clicked card's fallback text
    blocks: list[Block]
    identity: str  # stable across redeliveries of this click, distinct for a second click

    def close(self, note: str) -> None:
        """Take the buttons off the clicked card, noting what happened."""
        self._update((note, closed_card(self.blocks, note)))

    def restore(self) -> None:
        """Put the clicked card back as it was (after progress shown on it came to nothing)."""
        self._update((self.text, self.blocks))

    def _update(self, rendered: Rendered) -> None:
        if self.channel and self.message_ts and self.blocks:
            messaging.update(self.client, self.channel, self.message_ts, rendered)


def on_next(rt: SlackRuntime, click: Click) -> None:
    result = services.next_question(
        rt.deps,
        session_id=click.ref.session_id,
        after_position=click.ref.position,
        actor=click.actor,
    )
    _show_next_step(rt, click, result, "➡️ Moved on to the next question.")


def on_deeper(rt: SlackRuntime, click: Click) -> None:
    try:
        asked = services.go_deeper(
            rt.deps, session_id=click.ref.session_id, position=click.ref.position, actor=click.actor
        )
    except AlreadyEvaluating:  # a double click: the first one is writing the follow-up
        return
    if not asked.duplicate and _post_in_thread(click, asked.session, question_card(asked)):
        click.close("🔎 A follow-up question is below.")


def on_hint(rt: SlackRuntime, click: Click) -> None:
    # A second click is a request for a second hint; a replayed delivery of one click is not.
    if not first_delivery(rt.deps, f"slack:hint:{click.identity}"):
        return
    hint = services.give_hint(
        rt.deps, session_id=click.ref.session_id, position=click.ref.position, actor=click.actor
    )
    _post_in_thread(click, hint.session, hint_card(hint))


def on_skip(rt: SlackRuntime, click: Click) -> None:
    result = services.skip_question(
        rt.deps,
        session_id=click.ref.session_id,
        position=click.ref.position,
        actor=click.actor,
        delivery_id=f"skip:{click.ref.position}",  # every click on this Skip is the same skip
    )
    _show_next_step(rt, click, result, "⏭️ Skipped.")


def on_end(rt: SlackRuntime, click: Click) -> None:
    summary = services.end_session(rt.deps, session_id=click.ref.session_id, actor=click.actor)
    if summary.already_finished:
        raise SessionFinished()
    _finish(rt, click, summary, "⏹️ Interview ended — the summary is below.")


def on_retry(rt: SlackRuntime, click: Click) -> None:
    """Evaluate a saved answer again, in the card that reported the failure."""
    if not (click.channel and click.message_ts):
        return
    messaging.update(click.client, click.channel, click.message_ts, evaluating_card())
    try:
        outcome = services.retry_evaluation(
            rt.deps, session_id=click.ref.session_id, position=click.ref.position, actor=click.actor
        )
    except Exception:
        # Someone else's click, the service down, a bug: the card goes back as it was, Retry
        # included, and the clicker alone is told why (errors_to).
        click.restore()
        raise
    if outcome.status is not AnswerStatus.IN_PROGRESS:
        # Rendering the stored result is idempotent: a racing second click shows the same card.
        messaging.update(click.client, click.channel, click.message_ts, evaluation_card(outcome))


HANDLERS: dict[str, Callable[[SlackRuntime, Click], None]] = {
    ids.NEXT: on_next,
    ids.DEEPER: on_deeper,
    ids.HINT: on_hint,
    ids.SKIP: on_skip,
    ids.END: on_end,
    ids.RETRY: on_retry,
}


def _show_next_step(
    rt: SlackRuntime, click: Click, result: QuestionAsked | SessionSummary, note: str
) -> None:
    if isinstance(result, SessionSummary):
        if not result.already_finished:
            _finish(rt, click, result, "🏁 Interview complete — the summary is below.")
        return
    if not result.duplicate and _post_in_thread(click, result.session, question_card(result)):
        click.close(note)


def _finish(rt: SlackRuntime, click: Click, summary: SessionSummary, note: str) -> None:
    posted = post_summary(rt, click.client, summary, click.reply)
    if posted and click.message_ts != summary.session.conversation.thread:
        click.close(note)  # (the thread's first card was closed with the summary)


def _post_in_thread(click: Click, session: Session, rendered: Rendered) -> bool:
    """Post in the interview's thread; when Slack refuses, show it to the clicker instead (the
    core has moved on, so a second click would find nothing new to post)."""
    where = session.conversation
    if messaging.post(click.client, where.channel, rendered, thread=where.thread) is None:
        click.reply(*rendered)
        return False
    return True
