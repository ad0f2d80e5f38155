"""Starting, locating and ending interviews; the daily quota is enforced here.

One start and one end for every surface: `start_session` counts the quota, creates the
interview and (with `deliver`) hands its first question to the surface, giving everything back
if the surface cannot deliver it; `end_interview` ends the interview of this conversation or
surface, never one elsewhere (`active_session_elsewhere` says where that one is).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from datetime import timedelta

from core.domain.errors import (
    InvalidQuestionCount,
    NoActiveSession,
    QuotaExceeded,
    StartInProgress,
)
from core.domain.model import (
    AskedQuestion,
    ConversationRef,
    PlannedQuestion,
    Question,
    QuestionKind,
    Session,
    SessionKind,
    SessionStatus,
    UserRef,
)
from core.domain.results import QuotaStatus, SessionStarted, SessionSummary
from core.domain.roles import Difficulty, Role
from core.domain.selection import choose_question
from core.ports import UnitOfWork
from core.services import quota
from core.services.banks import bank_pool, planned_bank_question, start_bank
from core.services.claims import Claim, claim
from core.services.common import load_interview, scope_of
from core.services.deps import Deps
from core.services.summary import summary_of

log = logging.getLogger(__name__)

# Hands the first question to the surface; returns the thread it opened for the interview (or
# None when it stays where it started). Raising means it could not deliver: the start is undone.
Deliver = Callable[[SessionStarted], str | None]

DISPLAY_NAME_CHARS = 128  # the column's size


def quota_status(deps: Deps, *, user: UserRef) -> QuotaStatus:
    """Sessions used today and when the count resets, for `/interview quota` and dashboards."""
    with deps.uow(read_only=True) as uow:
        identity = uow.identities.find(user)
    return quota.status(deps, quota.counter_of(user, identity), now=deps.clock.now())


def start_session(
    deps: Deps,
    *,
    conversation: ConversationRef,
    role: str | Role,
    difficulty: str | Difficulty | None = None,
    questions: int | None = None,
    display_name: str | None = None,
    deliver: Deliver | None = None,
    adaptive: bool = False,
    plan: Sequence[PlannedQuestion] = (),
    bank: str | None = None,
) -> SessionStarted:
    """Count one session against today's quota, create it and ask its first question.

    With `deliver`, the surface posts the first question before this returns; if it raises,
    the interview is ended, the quota unit given back and the thread claim released.
    `adaptive`: each next main question's level follows the last answer (Interview.next_difficulty).
    `plan`: a review session's main questions (core.services.review.start_review builds it).
    `bank`: the question bank by name; None: the one the workspace chose, else the built-in."""
    chosen_role = role if isinstance(role, Role) else Role.parse(role)
    if isinstance(difficulty, Difficulty):
        chosen_difficulty = difficulty
    else:  # nothing chosen (a slash command without the option): the default level
        chosen_difficulty = Difficulty.parse(difficulty) if difficulty else Difficulty.DEFAULT
    count = _question_count(deps, len(plan) if plan else questions)
    held: Claim | None = None
    if conversation.thread is not None:  # one start per thread: a double submit is a repeat
        c = conversation
        held = claim(deps, f"start:{c.platform}:{c.tenant}:{c.channel}:{c.thread}")
        if held is None:
            return _repeated_start(deps, conversation)
    try:
        started = _start(
            deps,
            conversation,
            chosen_role,
            chosen_difficulty,
            count,
            display_name,
            adaptive=adaptive and not plan,
            plan=tuple(plan),
            bank=bank,
        )
    except BaseException:
        if held is not None:  # nothing was started: a new attempt in this thread may go ahead
            held.release()
        raise
    if deliver is None:
        return started
    try:
        thread = deliver(started)
    except BaseException:
        _undo_start(deps, started, held)
        raise
    if thread is not None and thread != conversation.thread:
        bind_thread(deps, session_id=started.session.id, thread=thread)
    return started


def _start(
    deps: Deps,
    conversation: ConversationRef,
    chosen_role: Role,
    chosen_difficulty: Difficulty,
    count: int,
    display_name: str | None,
    *,
    adaptive: bool,
    plan: tuple[PlannedQuestion, ...],
    bank: str | None,
) -> SessionStarted:
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        known = uow.identities.find(conversation.user_ref)
        # Refused before the quota counts it: a bank unknown here, or without this role/level.
        chosen_bank = (
            None if plan else start_bank(uow, conversation, bank, chosen_role, chosen_difficulty)
        )
    bank_ref = chosen_bank.ref if chosen_bank else None
    counter = quota.counter_of(conversation.user_ref, known)
    day, resets_at = deps.rules.quota_window(now)
    decision = quota.consume(deps, counter, day=day, resets_at=resets_at)
    if not decision.allowed:
        raise QuotaExceeded(deps.rules.quota_per_day, resets_at)
    try:
        with deps.uow() as uow:
            identity = uow.identities.ensure(
                conversation.user_ref, display_name=clean_display_name(display_name)
            )
            session = uow.sessions.add(
                identity_id=identity.id,
                conversation=conversation,
                role=chosen_role,
                difficulty=chosen_difficulty,
                question_count=count,
                created_at=now,
                kind=SessionKind.REVIEW if plan else SessionKind.INTERVIEW,
                adaptive=adaptive,
                plan=plan,
                bank=bank_ref,
            )
            if plan:
                question = planned_question(deps, uow, plan[0], identity.id, ())
            else:
                question = choose_question(
                    bank_pool(deps, uow, bank_ref, chosen_role, chosen_difficulty),
                    last_seen=uow.questions.last_seen(identity.id, chosen_role, chosen_difficulty),
                    in_this_session=(),
                    rng=deps.random,
                )
            asked = AskedQuestion(session.id, 1, QuestionKind.MAIN, 1, question, now)
            uow.questions.add(asked)
            uow.commit()
    except BaseException:
        quota.refund_quietly(deps, counter, day)
        raise
    status = QuotaStatus(limit=deps.rules.quota_per_day, used=decision.used, resets_at=resets_at)
    return SessionStarted(session=session, question=asked, quota=status)


def planned_question(
    deps: Deps,
    uow: UnitOfWork,
    planned: PlannedQuestion,
    identity_id: int,
    in_this_session: set[str] | tuple[()],
) -> Question:
    """The bank question a review session planned (or, should the bank have lost it since, the
    freshest one of its pool)."""
    found = deps.bank.get(planned.bank_id) or planned_bank_question(uow, planned)
    if found is not None:
        return found
    return choose_question(
        deps.bank.pool(planned.role, planned.difficulty),
        last_seen=uow.questions.last_seen(identity_id, planned.role, planned.difficulty),
        in_this_session=in_this_session,
        rng=deps.random,
    )


def _undo_start(deps: Deps, started: SessionStarted, held: Claim | None) -> None:
    """The surface could not deliver the first question: as if the start never happened."""
    try:
        cancel_start(
            deps, session_id=started.session.id, actor=started.session.conversation.user_ref
        )
    except Exception:  # never mask the delivery failure the surface will explain
        log.exception("could not undo the start of session %s", started.session.id)
    if held is not None:
        held.release()


def _repeated_start(deps: Deps, conversation: ConversationRef) -> SessionStarted:
    """A start already made in this very thread (a double submit): its session, not a new one."""
    with deps.uow(read_only=True) as uow:
        session = uow.sessions.find_active(conversation)
        first = uow.questions.get(session.id, 1) if session else None
    if session is None or first is None:
        raise StartInProgress()
    return SessionStarted(session=session, question=first, duplicate=True)


def _question_count(deps: Deps, requested: int | None) -> int:
    if requested is None:
        return deps.rules.questions_per_session
    highest = deps.rules.max_questions_per_session
    if not 1 <= requested <= highest:
        raise InvalidQuestionCount(requested, highest)
    return requested


def clean_display_name(name: str | None) -> str | None:
    """A display name fit to store: NFC, no control characters or unpaired surrogates (broken
    encodings), at most DISPLAY_NAME_CHARS; None when nothing printable is left."""
    if not name:
        return None
    normal = unicodedata.normalize("NFC", name)
    kept = "".join(ch for ch in normal if unicodedata.category(ch) not in ("Cc", "Cs"))
    return " ".join(kept.split())[:DISPLAY_NAME_CHARS] or None


def bind_thread(deps: Deps, *, session_id: int, thread: str) -> None:
    """Record the thread the adapter opened for the session, so replies there find it."""
    with deps.uow() as uow:
        uow.sessions.bind_thread(session_id, thread)
        uow.commit()


def find_session(deps: Deps, *, conversation: ConversationRef) -> Session | None:
    """The active session of a channel/thread, whoever owns it."""
    with deps.uow(read_only=True) as uow:
        return uow.sessions.find_active(conversation)


def latest_active_session(deps: Deps, *, user: UserRef) -> Session | None:
    """This identity's most recent active session (on its own surface, not a linked one)."""
    with deps.uow(read_only=True) as uow:
        identity = uow.identities.find(user)
        return uow.sessions.latest_active([identity.id]) if identity else None


def active_session_elsewhere(deps: Deps, *, user: UserRef) -> Session | None:
    """The person's active session on another linked surface (to point them to it)."""
    with deps.uow(read_only=True) as uow:
        identity = uow.identities.find(user)
        if identity is None or not identity.web_user_id:
            return None
        others = [i for i in scope_of(uow, identity) if i != identity.id]
        return uow.sessions.latest_active(others) if others else None


def end_interview(
    deps: Deps, *, conversation: ConversationRef, actor: UserRef | None = None
) -> SessionSummary:
    """End the interview of this conversation (its thread), else the person's latest on this
    surface; NoActiveSession when there is none here (see active_session_elsewhere)."""
    actor = actor or conversation.user_ref
    session = find_session(deps, conversation=conversation)
    if session is None or session.conversation.user_ref != actor:
        session = latest_active_session(deps, user=actor)
    if session is None:
        raise NoActiveSession()
    return end_session(deps, session_id=session.id, actor=actor)


def end_session(deps: Deps, *, session_id: int, actor: UserRef) -> SessionSummary:
    """End early (or again: idempotent) and return the summary of what was answered."""
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        now = deps.clock.now()
        ended_now = interview.session.is_active and uow.sessions.finish(
            session_id, status=SessionStatus.ENDED, at=now
        )
        uow.commit()
    if ended_now:
        interview = interview.with_session(interview.session.finished(SessionStatus.ENDED, now))
    return summary_of(interview, already_finished=not ended_now)


def cancel_start(deps: Deps, *, session_id: int, actor: UserRef) -> None:
    """The adapter could not deliver the first question: as if the start never happened (the
    session is removed, so the database's count of today's sessions agrees with the refunded
    quota). A session someone already answered in is only ended; a removed one is a no-op."""
    with deps.uow() as uow:
        try:
            interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        except NoActiveSession:
            return  # cancelled already
        session = interview.session
        identity = uow.identities.get(session.identity_id)
        undelivered = session.is_active and not interview.attempts
        if undelivered:
            uow.sessions.delete(session_id)
        elif session.is_active:
            uow.sessions.finish(session_id, status=SessionStatus.ENDED, at=deps.clock.now())
        uow.commit()
    if undelivered and identity is not None:
        day, _ = deps.rules.quota_window(session.created_at)
        quota.refund_quietly(deps, quota.counter_of(identity.user, identity), day)


def expire_idle_sessions(deps: Deps, *, limit: int = 500) -> int:
    """Close sessions nobody touched for `session_idle_hours` (the scheduled maintenance job)."""
    idle_since = deps.clock.now() - timedelta(hours=deps.rules.session_idle_hours)
    with deps.uow() as uow:
        expired = 0
        for session in uow.sessions.stale_active(idle_since=idle_since, limit=limit):
            expired += uow.sessions.finish(
                session.id, status=SessionStatus.EXPIRED, at=deps.clock.now()
            )
        uow.commit()
    return expired


__all__ = [
    "Deliver",
    "active_session_elsewhere",
    "bind_thread",
    "cancel_start",
    "clean_display_name",
    "end_interview",
    "end_session",
    "expire_idle_sessions",
    "find_session",
    "latest_active_session",
    "quota_status",
    "start_session",
]
