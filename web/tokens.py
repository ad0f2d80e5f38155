"""Sign-ins that can be revoked: a random token per sign-in, kept (as its SHA-256) in the database.

fastapi-users' DatabaseStrategy, with the token hashed at rest. Logout deletes the sign-in;
a new password (changed or reset) deletes every sign-in of the account in the same transaction
(web.auth.AccountDatabase); deleting an account deletes its sign-ins (ON DELETE CASCADE).
docs/web.md says why the database and not Redis holds them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi_users import exceptions
from fastapi_users.authentication.strategy import Strategy
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.bootstrap import AccessTokenRow, WebUser

# The longest any sign-in lives (the browser's cookie); older rows are removed as people sign in.
LONGEST_LIFETIME = timedelta(days=7)
MAX_TOKEN_TEXT = 128  # ours are 43 characters; anything far longer is not one of them


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SignIns:
    """The access_tokens table through the request's AsyncSession."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, user_id: uuid.UUID) -> str:
        """A new sign-in for the account; also drops the account's expired ones."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        await self.session.execute(
            delete(AccessTokenRow).where(
                AccessTokenRow.user_id == user_id,
                AccessTokenRow.created_at < now - LONGEST_LIFETIME,
            )
        )
        self.session.add(
            AccessTokenRow(token_hash=token_hash(token), user_id=user_id, created_at=now)
        )
        await self.session.commit()
        return token

    async def user_of(self, token: str, *, newer_than: datetime) -> uuid.UUID | None:
        if len(token) > MAX_TOKEN_TEXT:
            return None
        found = await self.session.scalar(
            select(AccessTokenRow.user_id).where(
                AccessTokenRow.token_hash == token_hash(token),
                AccessTokenRow.created_at >= newer_than,
            )
        )
        return found

    async def remove(self, token: str) -> None:
        await self.session.execute(
            delete(AccessTokenRow).where(AccessTokenRow.token_hash == token_hash(token))
        )
        await self.session.commit()


def revoke_every_sign_in(session: AsyncSession, user_id: Any) -> Any:
    """The statement that ends every sign-in of an account (run in the caller's transaction)."""
    return session.execute(delete(AccessTokenRow).where(AccessTokenRow.user_id == user_id))


class RevocableTokens(Strategy[WebUser, uuid.UUID]):
    """fastapi-users' strategy over SignIns: `lifetime` for the cookie or the bearer token."""

    def __init__(self, sign_ins: SignIns, lifetime_seconds: int) -> None:
        self.sign_ins = sign_ins
        self.lifetime = timedelta(seconds=lifetime_seconds)

    async def read_token(self, token: str | None, user_manager: Any) -> WebUser | None:
        if not token:
            return None
        newer_than = datetime.now(UTC) - self.lifetime
        user_id = await self.sign_ins.user_of(token, newer_than=newer_than)
        if user_id is None:
            return None
        try:
            user: WebUser = await user_manager.get(user_id)
        except exceptions.UserNotExists:
            return None
        return user

    async def write_token(self, user: WebUser) -> str:
        return await self.sign_ins.add(user.id)

    async def destroy_token(self, token: str, user: WebUser) -> None:
        await self.sign_ins.remove(token)
