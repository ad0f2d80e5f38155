"""The deferred work of the interview's buttons and of the answer modal's submit.

A press was acknowledged silently (the pressed message can still be edited); a modal submit
with a public "thinking…" that becomes the evaluation. Every action names its question, so a
double click finds its work done in the core (`duplicate`); the result is then shown again
privately instead of being posted twice, which also recovers a post that never arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bots.discord import ids, notices, render
from bots.discord.ids import Action, CustomId
from bots.discord.model import STRIP_BUTTONS, Caller, ModalSubmit, Press, Reply, Responder
from core import services
from core.domain.results import (
    AnswerOutcome,
    AnswerStatus,
    HintGiven,
    QuestionAsked,
    SessionSummary,
)
from core.services.deps import Deps

log = logging.getLogger(__name__)

PressResult = QuestionAsked | SessionSummary | HintGiven | AnswerOutcome

ALREADY_ASKED = "Already asked — here it is again, only for you."
ALREADY_EVALUATED = "Already evaluated — here it is again, only for you."
ALREADY_FINISHED = "This interview has already finished. Here is its summary, only for you."


def submit(submit: ModalSubmit, out: Responder, *, deps: Deps) -> None:
    """An answer typed into the modal: the public "thinking…" becomes the evaluation."""
    cid = _parsed(submit.custom_id)
    outcome = services.submit_answer(
        deps,
        session_id=cid.session_id,
        actor=submit.caller.user,
        text=submit.text,
        delivery_id=submit.caller.interaction_id,
        position=cid.position,
    )
    reply = outcome_reply(outcome, owner=cid.owner, answer_excerpt=True)
    if reply is None:  # this very submit, delivered again: its first run edited the response
        return
    if reply.ephemeral:  # another answer was taken first: say so privately
        quietly(out.delete_original, "delete the thinking message")
        out.follow_up(reply)
        return
    out.edit_original(reply)


def press(
    press: Press, out: Responder, *, deps: Deps, web_base_url: str, reads_replies: bool
) -> None:
    """Run the pressed action, post its result, then take the spent buttons off the message."""
    cid = _parsed(press.custom_id)
    result = run_action(deps, cid, press.caller)
    if isinstance(result, HintGiven):  # the question's buttons stay: answer, or ask again
        out.follow_up(render.hint(result))
        return
    if isinstance(result, AnswerOutcome):
        reply = _retried(result, owner=cid.owner)
        if result.status is AnswerStatus.IN_PROGRESS:  # keep Retry for later
            out.follow_up(reply)
            return
    elif isinstance(result, SessionSummary):
        reply = render.summary(result, web_base_url=web_base_url)
        if result.already_finished:
            reply = notices.privately(reply, ALREADY_FINISHED)
    else:
        reply = render.question(result, owner=cid.owner, reads_replies=reads_replies)
        if result.duplicate:
            reply = notices.privately(reply, ALREADY_ASKED)
    out.follow_up(reply)
    # After the result, and never fatal: a message deleted meanwhile must not cost the result.
    quietly(lambda: out.edit_original(STRIP_BUTTONS), "take the buttons off a used message")


def run_action(deps: Deps, cid: CustomId, caller: Caller) -> PressResult:
    actor, session_id, position = caller.user, cid.session_id, cid.position
    if cid.action is Action.NEXT:
        return services.next_question(
            deps, session_id=session_id, after_position=position, actor=actor
        )
    if cid.action is Action.SKIP:
        return services.skip_question(
            deps,
            session_id=session_id,
            position=position,
            actor=actor,
            delivery_id=caller.interaction_id,
        )
    if cid.action is Action.DEEPER:
        return services.go_deeper(deps, session_id=session_id, position=position, actor=actor)
    if cid.action is Action.HINT:
        return services.give_hint(deps, session_id=session_id, position=position, actor=actor)
    if cid.action is Action.RETRY:
        return services.retry_evaluation(
            deps, session_id=session_id, position=position, actor=actor
        )
    if cid.action is Action.END:
        return services.end_session(deps, session_id=session_id, actor=actor)
    raise AssertionError(f"acknowledge lets no {cid.action} press through")


def _retried(outcome: AnswerOutcome, *, owner: str) -> Reply:
    """The Retry button's result: the evaluation, a new failure notice, or where it stands."""
    if outcome.duplicate and outcome.status is AnswerStatus.EVALUATED:
        # Evaluated meanwhile (a double click, or the maintenance job's retry).
        shown = render.evaluation(outcome, owner=owner, answer_excerpt=True)
        return notices.privately(shown, ALREADY_EVALUATED)
    reply = outcome_reply(outcome, owner=owner, answer_excerpt=True)
    return reply or Reply(content=f"⏳ {outcome.message}", ephemeral=True)


def outcome_reply(
    outcome: AnswerOutcome, *, owner: str, answer_excerpt: bool = False
) -> Reply | None:
    """The evaluation, the saved-but-failed notice with Retry, a short hint, or nothing."""
    if outcome.superseded:
        return notices.superseded(outcome)
    if outcome.duplicate:  # a redelivery or a racer: whoever stored the answer posts
        return None
    if outcome.status is AnswerStatus.EVALUATED:
        return render.evaluation(outcome, owner=owner, answer_excerpt=answer_excerpt)
    if outcome.status is AnswerStatus.FAILED:
        return render.evaluation_failed(outcome, owner=owner)
    return None


def quietly(call: Callable[[], None], what: str) -> None:
    """A cosmetic Discord call whose failure is logged, never shown: the result matters more."""
    try:
        call()
    except Exception as exc:
        log.warning("could not %s: %s", what, exc)


def _parsed(value: str) -> CustomId:
    cid = ids.parse(value)
    assert cid is not None, "acknowledge refused unknown ids"
    return cid
