"""Small helpers shared by the use cases."""

from __future__ import annotations

from core.domain.errors import NoActiveSession, NotYourSession, SessionFinished
from core.domain.model import Session, UserRef
from core.ports import IdentityRecord, UnitOfWork


def scope_of(uow: UnitOfWork, identity: IdentityRecord) -> list[int]:
    """Identity ids whose history counts as this person's (all linked identities once linked)."""
    if identity.web_user_id:
        return [i.id for i in uow.identities.linked_to(identity.web_user_id)] or [identity.id]
    return [identity.id]


def owned_session(
    uow: UnitOfWork, session_id: int, actor: UserRef, *, active: bool = True, lock: bool = False
) -> Session:
    """Load a session the actor owns; refuse other people's sessions and finished ones.

    `lock` takes the session's row lock for the rest of the transaction: writers to one
    session then run one after another (the unique keys stay the guard of last resort)."""
    session = uow.sessions.get(session_id, for_update=lock)
    if session is None:
        raise NoActiveSession()
    if session.conversation.user_ref != actor:
        raise NotYourSession()
    if active and not session.is_active:
        raise SessionFinished()
    return session
