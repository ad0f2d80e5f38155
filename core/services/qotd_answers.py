"""Taking a question-of-the-day answer: validated like an interview answer, one per person per
question (a unique key), counted against a daily limit of its own (not the interview quota),
saved before anything else, then handed to the evaluation queue. It never waits for the LLM:
a burst of a thousand answers is taken at once, and the evaluations follow at the rate the
model allows (core.services.qotd_evaluation)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from core.domain.errors import ServiceUnavailable
from core.domain.model import UserRef
from core.domain.qotd import (
    QotdAlreadyAnswered,
    QotdAnswer,
    QotdClosed,
    QotdLimitReached,
    QotdNotFound,
    QotdPost,
)
from core.ports import DuplicateKey, IdentityRecord
from core.services.answers import validated_answer
from core.services.deps import Deps
from core.services.quota import counter_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class QotdAnswerReceived:
    post: QotdPost
    answer: QotdAnswer
    duplicate: bool = False  # this same submission delivered again: say nothing new


def submit_qotd_answer(
    deps: Deps,
    *,
    post_id: int,
    actor: UserRef,
    text: str,
    delivery_id: str,
    display_name: str | None = None,
    reply_handle: str | None = None,
    reply_seconds: float = 0.0,
    on_stored: Callable[[QotdAnswerReceived], None] | None = None,
) -> QotdAnswerReceived:
    """Store the answer and queue its evaluation; the person hears back privately.

    `reply_handle` is the surface's way to answer this person privately for `reply_seconds`
    (a Discord interaction's follow-up); after that the evaluation goes by direct message.
    `on_stored` runs once the answer is saved and before it is queued: the surface says
    "received" there, so that message always comes before the evaluation."""
    answer_text = validated_answer(deps, text)
    now = deps.clock.now()
    with deps.uow() as uow:
        post = uow.qotd.get_post(post_id)
        if post is None:
            raise QotdNotFound()
        if not post.accepts_answers(now):
            raise QotdClosed()
        identity = uow.identities.ensure(actor, display_name=display_name)
        earlier = uow.qotd.answer_by(post.id, identity.id)
        uow.commit()
    if earlier is not None:
        return _replay(post, earlier, delivery_id)
    counted = _count(deps, identity)
    try:
        with deps.uow() as uow:
            answer = uow.qotd.add_answer(
                post_id=post.id,
                identity_id=identity.id,
                delivery_id=delivery_id,
                answer=answer_text,
                at=now,
                reply_handle=reply_handle,
                reply_until=now + timedelta(seconds=reply_seconds) if reply_handle else None,
            )
            uow.commit()
    except DuplicateKey:  # a double submit raced us: theirs was stored
        counted.refund()
        with deps.uow() as uow:
            raced = uow.qotd.answer_by(post.id, identity.id)
        assert raced is not None, "a unique key refused the insert, so a row exists"
        return _replay(post, raced, delivery_id)
    except Exception:
        counted.refund()
        raise
    received = QotdAnswerReceived(post, answer)
    if on_stored is not None:
        try:
            on_stored(received)
        except Exception:  # the answer is saved: a failed courtesy message must not lose it
            log.exception("on_stored hook failed for answer %s", answer.id)
    _queue(deps, answer.id)
    return received


@dataclass(frozen=True, slots=True)
class _Counted:
    deps: Deps
    keys: tuple[str, ...]
    day: str

    def refund(self) -> None:
        try:
            self.deps.quota.refund(self.keys, day=self.day)
        except ServiceUnavailable:
            log.warning("could not refund a question-of-the-day answer count")


def _count(deps: Deps, identity: IdentityRecord) -> _Counted:
    """One more answer today for this person (their identity and linked account alike)."""
    day, resets_at = deps.rules.quota_window(deps.clock.now())
    # One count per person, like the interview quota's (every linked identity shares it).
    keys = (f"qotd:{counter_of(identity.user, identity).name}",)
    limit = deps.rules.qotd_answers_per_day
    decision = deps.quota.try_consume(keys, day=day, limit=limit, expires_at=resets_at)
    if not decision.allowed:
        raise QotdLimitReached(limit, resets_at)
    return _Counted(deps, keys, day)


def _replay(post: QotdPost, earlier: QotdAnswer, delivery_id: str) -> QotdAnswerReceived:
    if earlier.delivery_id != delivery_id:
        raise QotdAlreadyAnswered()
    return QotdAnswerReceived(post, earlier, duplicate=True)


def _queue(deps: Deps, answer_id: int) -> None:
    # The answer is saved: if the queue cannot take it now, maintenance finds it pending.
    if deps.evaluations is None:
        return
    try:
        deps.evaluations.submit(answer_id)
    except Exception:
        log.exception("could not queue the evaluation of answer %s; maintenance will", answer_id)
