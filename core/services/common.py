"""Small helpers shared by the use cases: whose history counts, and loading an interview."""

from __future__ import annotations

from core.domain.errors import NoActiveSession, NotYourSession
from core.domain.interview import Interview
from core.domain.model import Session, UserRef
from core.ports import IdentityRecord, UnitOfWork
from core.services.deps import Rules


def scope_of(uow: UnitOfWork, identity: IdentityRecord) -> list[int]:
    """Identity ids whose history counts as this person's (all linked identities once linked)."""
    if identity.web_user_id:
        return [i.id for i in uow.identities.linked_to(identity.web_user_id)] or [identity.id]
    return [identity.id]


def load_interview(
    uow: UnitOfWork,
    session_id: int,
    rules: Rules,
    *,
    actor: UserRef | None = None,
    lock: bool = False,
) -> Interview:
    """The interview of a session, with every question and answer (one query per collection).

    `actor` refuses other people's interviews. `lock` takes the session's row lock for the rest
    of the transaction: writers to one interview then run one after another (the unique keys
    stay the guard of last resort)."""
    session = uow.sessions.get(session_id, for_update=lock)
    if session is None:
        raise NoActiveSession()
    if actor is not None and session.conversation.user_ref != actor:
        raise NotYourSession()
    return interview_of_session(uow, session, rules)


def interview_of_session(uow: UnitOfWork, session: Session, rules: Rules) -> Interview:
    """The interview of an already loaded session: its questions and answers, a query each."""
    return Interview(
        session=session,
        questions=tuple(uow.questions.in_session(session.id)),
        attempts={a.position: a for a in uow.attempts.in_session(session.id)},
        max_follow_ups=rules.max_follow_ups_per_question,
    )
