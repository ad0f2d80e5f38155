"""Starting, locating and ending interview sessions; the daily quota is enforced here."""

from __future__ import annotations

import logging
from datetime import timedelta

from core.domain.errors import InterviewError, QuotaExceeded, ServiceUnavailable
from core.domain.model import (
    AskedQuestion,
    ConversationRef,
    QuestionKind,
    Session,
    SessionStatus,
    UserRef,
)
from core.domain.results import QuotaStatus, SessionStarted, SessionSummary
from core.domain.roles import Difficulty, Role
from core.services.claims import claim
from core.services.common import owned_session, scope_of
from core.services.deps import Deps
from core.services.selection import choose_question
from core.services.summary import summarize

log = logging.getLogger(__name__)


def quota_status(deps: Deps, *, user: UserRef) -> QuotaStatus:
    """Sessions used today and when the count resets, for `/interview quota` and dashboards."""
    with deps.uow() as uow:
        identity = uow.identities.find(user)
    accounts = identity.quota_keys if identity else (user.key,)
    day, resets_at = deps.rules.quota_window(deps.clock.now())
    used = deps.quota.used(accounts, day=day)
    return QuotaStatus(limit=deps.rules.quota_per_day, used=used, resets_at=resets_at)


def start_session(
    deps: Deps,
    *,
    conversation: ConversationRef,
    role: str | Role,
    difficulty: str | Difficulty,
    questions: int | None = None,
    display_name: str | None = None,
) -> SessionStarted:
    """Count one session against today's quota, create it and ask its first question."""
    chosen_role = role if isinstance(role, Role) else Role.parse(role)
    chosen_difficulty = (
        difficulty if isinstance(difficulty, Difficulty) else Difficulty.parse(difficulty)
    )
    count = _question_count(deps, questions)
    held = None
    if conversation.thread is not None:  # one start per thread: a double submit is a repeat
        c = conversation
        held = claim(deps, f"start:{c.platform}:{c.tenant}:{c.channel}:{c.thread}")
        if held is None:
            return _repeated_start(deps, conversation)
    try:
        return _start(deps, conversation, chosen_role, chosen_difficulty, count, display_name)
    except BaseException:
        if held is not None:  # nothing was started: a new attempt in this thread may go ahead
            held.release()
        raise


def _start(
    deps: Deps,
    conversation: ConversationRef,
    chosen_role: Role,
    chosen_difficulty: Difficulty,
    count: int,
    display_name: str | None,
) -> SessionStarted:
    now = deps.clock.now()
    with deps.uow() as uow:
        known = uow.identities.find(conversation.user_ref)
    accounts = known.quota_keys if known else (conversation.user_ref.key,)
    day, resets_at = deps.rules.quota_window(now)
    limit = deps.rules.quota_per_day
    decision = deps.quota.try_consume(accounts, day=day, limit=limit, expires_at=resets_at)
    if not decision.allowed:
        raise QuotaExceeded(limit, resets_at)
    try:
        with deps.uow() as uow:
            identity = uow.identities.ensure(conversation.user_ref, display_name=display_name)
            session = uow.sessions.add(
                identity_id=identity.id,
                conversation=conversation,
                role=chosen_role,
                difficulty=chosen_difficulty,
                question_count=count,
                created_at=now,
            )
            question = choose_question(
                deps.bank.pool(chosen_role, chosen_difficulty),
                asked_before=uow.questions.bank_ids_asked(
                    scope_of(uow, identity), chosen_role, chosen_difficulty
                ),
                in_this_session=(),
                rng=deps.random,
            )
            asked = AskedQuestion(session.id, 1, QuestionKind.MAIN, 1, question, now)
            uow.questions.add(asked)
            uow.commit()
    except BaseException:
        _refund_quietly(deps, accounts, day)
        raise
    quota = QuotaStatus(limit=limit, used=decision.used, resets_at=resets_at)
    return SessionStarted(session=session, question=asked, quota=quota)


def _repeated_start(deps: Deps, conversation: ConversationRef) -> SessionStarted:
    """A start already made in this very thread (a double submit): its session, not a new one."""
    with deps.uow() as uow:
        session = uow.sessions.find_active(conversation)
        first = uow.questions.get(session.id, 1) if session else None
    if session is None or first is None:
        raise InterviewError("This interview is already being set up — one moment.")
    return SessionStarted(session=session, question=first, duplicate=True)


def _question_count(deps: Deps, requested: int | None) -> int:
    if requested is None:
        return deps.rules.questions_per_session
    highest = deps.rules.max_questions_per_session
    if not 1 <= requested <= highest:
        raise InterviewError(
            f"Choose between 1 and {highest} questions (you asked for {requested})."
        )
    return requested


def _refund_quietly(deps: Deps, accounts: tuple[str, ...], day: str) -> None:
    """Give back the session a failed start counted; never mask the original error."""
    try:
        deps.quota.refund(accounts, day=day)
    except ServiceUnavailable:
        log.warning("quota refund failed: Redis unreachable (one session stays counted today)")


def bind_thread(deps: Deps, *, session_id: int, thread: str) -> None:
    """Record the thread the adapter opened for the session, so replies there find it."""
    with deps.uow() as uow:
        uow.sessions.bind_thread(session_id, thread)
        uow.commit()


def find_session(deps: Deps, *, conversation: ConversationRef) -> Session | None:
    """The active session of a channel/thread, whoever owns it."""
    with deps.uow() as uow:
        return uow.sessions.find_active(conversation)


def latest_active_session(deps: Deps, *, user: UserRef) -> Session | None:
    """The person's most recent active session anywhere (for `/interview end` outside a thread)."""
    with deps.uow() as uow:
        identity = uow.identities.find(user)
        if identity is None:
            return None
        return uow.sessions.latest_active(scope_of(uow, identity))


def end_session(deps: Deps, *, session_id: int, actor: UserRef) -> SessionSummary:
    """End early (or again: idempotent) and return the summary of what was answered."""
    with deps.uow() as uow:
        session = owned_session(uow, session_id, actor, active=False, lock=True)
        ended_now = session.is_active and uow.sessions.finish(
            session_id, status=SessionStatus.ENDED, at=deps.clock.now()
        )
        uow.commit()
    return summarize(deps, session_id=session_id, already_finished=not ended_now)


def cancel_start(deps: Deps, *, session_id: int, actor: UserRef) -> None:
    """The adapter could not deliver the first question: close the session, give the quota back.

    Only a session nobody answered in yet can be cancelled; otherwise this just ends it."""
    with deps.uow() as uow:
        session = owned_session(uow, session_id, actor, active=False, lock=True)
        untouched = not uow.attempts.in_session(session_id)
        identity = uow.identities.get(session.identity_id)
        ended = session.is_active and uow.sessions.finish(
            session_id, status=SessionStatus.ENDED, at=deps.clock.now()
        )
        uow.commit()
    if ended and untouched and identity is not None:
        day, _ = deps.rules.quota_window(session.created_at)
        _refund_quietly(deps, identity.quota_keys, day)


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
