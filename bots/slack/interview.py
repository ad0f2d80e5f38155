"""The Slack side of an interview's life: starting it and taking answers from its thread.

Each function calls the core's use cases and renders their results; the core keeps the
guarantees (quota, one evaluation per answer), this module keeps Slack tidy (one card, one
"Evaluating…", updated in place).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bots.slack import messaging
from bots.slack.blocks import (
    Rendered,
    evaluating_card,
    evaluation_card,
    finished_card,
    question_card,
    retry_card,
    section,
    summary_card,
)
from bots.slack.errors import (
    ANSWER_NOT_RECORDED,
    EDIT_HINT,
    FIRST_QUESTION_FAILED,
    MOVED_TO_DM,
    NOT_AN_ANSWER,
    NOT_IN_CHANNEL,
    UNEXPECTED,
    message_for,
    superseded_hint,
)
from bots.slack.ids import QuestionRef
from bots.slack.messaging import Reply
from bots.slack.runtime import SlackRuntime
from core import services
from core.domain.errors import (
    InterviewError,
    NothingToReview,
    QuotaExceeded,
    ServiceUnavailable,
)
from core.domain.model import Attempt, ConversationRef, Platform, UserRef
from core.domain.results import SessionStarted, SessionSummary
from core.domain.roles import Difficulty, Role
from core.services.claims import first_delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StartRequest:
    tenant: str
    user: str
    channel: str | None  # None: no channel to post in (App Home), so the interview runs in a DM
    role: Role | str
    difficulty: Difficulty | str | None  # None: the core's default level
    questions: int | None
    display_name: str | None
    identity: str  # the delivery's identity (trigger or view id): one session per delivery
    adaptive: bool = False  # the next question's level follows the last answer
    review: bool = False  # a session of the person's due review items (role/difficulty unused)


class FirstQuestionNotShown(Exception):
    """Slack refused to turn the placeholder into the question card."""


def start_interview(
    rt: SlackRuntime, client: WebClient, reply: Reply, request: StartRequest
) -> None:
    """Post a placeholder, start the session on its thread; the core's delivery step turns the
    placeholder into the question card, and the core undoes the start if that fails.

    Posting first proves the bot may post here before any quota is counted, and gives the
    session its thread from the start (no window where replies find no session)."""
    deps = rt.deps
    if not first_delivery(deps, f"slack:start:{request.identity}"):
        return
    user = UserRef(Platform.SLACK, request.tenant, request.user)
    quota = services.quota_status(deps, user=user)
    if quota.remaining == 0:  # said privately, before a placeholder could flash in the channel
        raise QuotaExceeded(quota.limit, quota.resets_at)
    if request.review:  # nothing due: said privately too, with when the next item is
        status = services.review_status(deps, user=user)
        if not status.due_today:
            raise NothingToReview(status.next_due)
    where = _post_placeholder(rt, client, reply, request)
    if where is None:
        return
    channel, thread = where
    conversation = ConversationRef(Platform.SLACK, request.tenant, channel, user.user, thread)
    deliver = lambda started: _show_first_question(client, channel, thread, started)  # noqa: E731
    try:
        if request.review:
            services.start_review(
                deps,
                conversation=conversation,
                questions=request.questions,
                display_name=request.display_name,
                deliver=deliver,
            )
        else:
            services.start_session(
                deps,
                conversation=conversation,
                role=request.role,
                difficulty=request.difficulty,
                questions=request.questions,
                display_name=request.display_name,
                deliver=deliver,
                adaptive=request.adaptive,
            )
    except BaseException as error:
        messaging.delete(client, channel, thread)  # no empty placeholder left behind
        if not isinstance(error, FirstQuestionNotShown):
            raise
        reply(FIRST_QUESTION_FAILED)
        return
    if request.channel and channel != request.channel:
        reply(MOVED_TO_DM)


def _post_placeholder(
    rt: SlackRuntime, client: WebClient, reply: Reply, request: StartRequest
) -> tuple[str, str] | None:
    """The channel and ts of a "Setting up…" message, or None (and why, to the person)."""
    text = f"🎙️ Setting up a mock interview for <@{request.user}>…"
    try:
        in_dm = rt.settings.slack_sessions_in_dm or request.channel is None
        channel = messaging.open_dm(client, request.user) if in_dm else str(request.channel)
        posted = client.chat_postMessage(channel=channel, text=text, blocks=[section(text)])
    except SlackApiError as error:
        refused = messaging.reason(error) in messaging.NO_ACCESS
        reply(NOT_IN_CHANNEL if refused else UNEXPECTED)
        return None
    return channel, str(posted["ts"])


def _show_first_question(
    client: WebClient, channel: str, thread: str, started: SessionStarted
) -> None:
    """The core's delivery step: the placeholder becomes the question card (the thread stays)."""
    remaining = started.quota.remaining if started.quota else None
    if not messaging.update(
        client, channel, thread, question_card(started, remaining_today=remaining)
    ):
        raise FirstQuestionNotShown()


class EvaluatingMessage:
    """The "Evaluating…" reply: posted once, when the core accepts the answer as new, then
    updated in place with the result."""

    def __init__(self, client: WebClient, channel: str, thread: str | None) -> None:
        self.client, self.channel, self.thread = client, channel, thread
        self.ts: str | None = None
        self.ref: QuestionRef | None = None

    def open(self, attempt: Attempt) -> None:
        """The core's on_accepted hook: only the delivery that stored the answer gets here."""
        self.ref = QuestionRef(attempt.session_id, attempt.position)
        self.ts = messaging.post(self.client, self.channel, evaluating_card(), thread=self.thread)

    def show(self, rendered: Rendered) -> None:
        if self.ts is None or not messaging.update(self.client, self.channel, self.ts, rendered):
            messaging.post(self.client, self.channel, rendered, thread=self.thread)


def take_answer(
    rt: SlackRuntime, client: WebClient, *, conversation: ConversationRef, text: str, delivery: str
) -> None:
    """A reply in a thread: the owner's answer, or chatter we leave alone."""
    pending = EvaluatingMessage(client, conversation.channel, conversation.thread)
    try:
        outcome = services.answer_in_conversation(
            rt.deps,
            conversation=conversation,
            text=text,
            delivery_id=delivery,
            on_accepted=pending.open,
        )
    except NOT_AN_ANSWER:
        return  # someone else's thread, someone else's reply, or a finished interview
    except Exception as error:
        _answer_failed(rt, client, conversation, delivery, pending, error)
        return
    if outcome.duplicate:  # a redelivery or racer: the first delivery renders the result
        if outcome.superseded:
            hint = superseded_hint(outcome)
            _hint_once(rt, client, conversation, f"superseded:{delivery}", hint)
        return
    pending.show(evaluation_card(outcome))


def _answer_failed(
    rt: SlackRuntime,
    client: WebClient,
    conversation: ConversationRef,
    delivery: str,
    pending: EvaluatingMessage,
    error: Exception,
) -> None:
    if not isinstance(error, InterviewError):
        log.exception("answer in %s failed", conversation.channel)
    if pending.ref is not None:  # the answer is saved: offer Retry where "Evaluating…" was
        pending.show(retry_card(pending.ref, message_for(error)))
        return
    # Nothing was stored: say why (too long, empty, ...) to the candidate, and only to them.
    # With the core down we cannot tell whose thread this is; better a note to a bystander
    # than a candidate left waiting for a score that will never come.
    if _is_candidate(rt, conversation, if_unknown=True):
        ours = isinstance(error, ServiceUnavailable) or not isinstance(error, InterviewError)
        text = ANSWER_NOT_RECORDED if ours else message_for(error)
        _hint_once(rt, client, conversation, f"refused:{delivery}", text)


def hint_after_edit(
    rt: SlackRuntime, client: WebClient, *, conversation: ConversationRef, edit: str
) -> None:
    """The owner edited a reply in their interview thread: the first version stands."""
    if _is_candidate(rt, conversation, if_unknown=False):
        _hint_once(rt, client, conversation, f"edit:{edit}", EDIT_HINT)


def post_summary(
    rt: SlackRuntime, client: WebClient, summary: SessionSummary, reply: Reply
) -> bool:
    """Post the summary in the interview's thread and close the thread's first card (the one
    the channel sees); when Slack refuses the post, show the summary to the candidate."""
    where = summary.session.conversation
    card = summary_card(summary, web_base_url=rt.web_base_url)
    if messaging.post(client, where.channel, card, thread=where.thread) is None:
        reply(*card)
        return False
    first = next((e.question for e in summary.transcript if e.question.position == 1), None)
    if where.thread and first is not None:
        messaging.update(client, where.channel, where.thread, finished_card(summary, first))
    return True


def _is_candidate(rt: SlackRuntime, conversation: ConversationRef, *, if_unknown: bool) -> bool:
    """Whether the author of a thread reply runs the interview in that thread."""
    try:
        session = services.find_session(rt.deps, conversation=conversation)
    except Exception as error:  # the database is down: nobody can tell
        log.warning("session lookup in %s failed (%s)", conversation.channel, type(error).__name__)
        return if_unknown
    return session is not None and session.conversation.user == conversation.user


def _hint_once(
    rt: SlackRuntime, client: WebClient, conversation: ConversationRef, identity: str, text: str
) -> None:
    key = f"slack:{conversation.channel}:{identity}"
    if first_delivery(rt.deps, key, required=False):
        messaging.ephemeral(
            client, conversation.channel, conversation.user, text, thread=conversation.thread
        )
