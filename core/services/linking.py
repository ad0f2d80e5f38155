"""Linking a chat identity to a web account with a one-time code (Rules.link_code_minutes, single use)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.domain.errors import InvalidLinkCode, LinkCodeUnavailable
from core.domain.model import UserRef
from core.ports import DuplicateKey, IdentityRecord
from core.services import quota
from core.services.deps import Deps
from core.services.sessions import clean_display_name

# No 0/O, 1/I/L: codes are read off a chat message and typed into a form.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class LinkCode:
    code: str  # shown once; only its hash is stored
    expires_at: datetime


def issue_link_code(deps: Deps, *, user: UserRef, display_name: str | None = None) -> LinkCode:
    """A fresh one-time code that links this chat identity to whichever account redeems it."""
    now = deps.clock.now()
    expires_at = now + timedelta(minutes=deps.rules.link_code_minutes)
    for _ in range(5):  # a collision among live codes is astronomically rare; retry anyway
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        with deps.uow() as uow:
            identity = uow.identities.ensure(user, display_name=clean_display_name(display_name))
            try:
                uow.link_codes.add(
                    code_hash=_hash(raw), identity_id=identity.id, expires_at=expires_at
                )
            except DuplicateKey:
                continue
            uow.commit()
        return LinkCode(code=f"{raw[:4]}-{raw[4:]}", expires_at=expires_at)
    raise LinkCodeUnavailable()


def redeem_link_code(deps: Deps, *, code: str, web_user_id: str) -> IdentityRecord:
    """Consume the code (once, before it expires) and link its identity to the account.

    The quota counters whose identities change are dropped, before the commit (Redis down:
    nothing is linked) and again after it (a start racing the link recounts with the link in
    place): the account's next start counts every linked identity's sessions, once."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(normalised) != CODE_LENGTH:
        raise InvalidLinkCode(deps.rules.link_code_minutes)
    now = deps.clock.now()
    with deps.uow() as uow:
        identity_id = uow.link_codes.consume(code_hash=_hash(normalised), now=now)
        if identity_id is None:
            raise InvalidLinkCode(deps.rules.link_code_minutes)
        before = uow.identities.get(identity_id)
        assert before is not None
        uow.identities.set_web_user(identity_id, web_user_id)
        changed = [quota.counter_of(before.user, before), quota.Counter(before.user, web_user_id)]
        quota.forget(deps, changed, now=now)
        uow.commit()  # nothing may touch the database after this: the link is made
    quota.forget_quietly(deps, changed, now=now)
    return replace(before, web_user_id=web_user_id)


def is_linked(deps: Deps, *, user: UserRef) -> bool:
    """Whether this chat identity already shows up in a web account."""
    with deps.uow(read_only=True) as uow:
        identity = uow.identities.find(user)
    return bool(identity and identity.web_user_id)


def linked_identities(deps: Deps, *, web_user_id: str) -> list[IdentityRecord]:
    """Chat identities linked to the account (the browser identity itself is not listed)."""
    with deps.uow(read_only=True) as uow:
        return [i for i in uow.identities.linked_to(web_user_id) if i.user.platform != "web"]


def unlink_identity(deps: Deps, *, web_user_id: str, identity_id: int) -> bool:
    """Unlink one chat identity; False when it was not linked to this account. Both counters
    are recounted on next use: the account's without it, the identity's on its own."""
    now = deps.clock.now()
    with deps.uow() as uow:
        identity = uow.identities.get(identity_id)
        if (
            identity is None
            or identity.web_user_id != web_user_id
            or identity.user.platform == "web"
        ):
            return False
        uow.identities.set_web_user(identity_id, None)
        changed = [quota.counter_of(identity.user, identity), quota.Counter(identity.user, None)]
        quota.forget(deps, changed, now=now)
        uow.commit()
    quota.forget_quietly(deps, changed, now=now)
    return True


def _hash(normalised_code: str) -> str:
    return hashlib.sha256(normalised_code.encode()).hexdigest()
