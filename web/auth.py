"""Accounts with fastapi-users: a cookie for the browser, a bearer token for the API.

Both are revocable sign-ins kept in the database (web.tokens). The user table is core's
`WebUser` (created by the core's Alembic migration); fastapi-users reaches it through an
AsyncSession on the same database as the core. That session is where a database outage shows
up on the account routes (login included): it becomes the core's ServiceUnavailable (503,
"Nothing was changed"), as on every other route.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm
from fastapi_users import BaseUserManager, FastAPIUsers, InvalidPasswordException, UUIDIDMixin
from fastapi_users import schemas as user_schemas
from fastapi_users.authentication import (
    AuthenticationBackend,
    BearerTransport,
    CookieTransport,
)
from fastapi_users_db_sqlalchemy import SQLAlchemyUserDatabase
from pydantic import Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from core.bootstrap import WebUser
from core.config import Settings
from core.domain.errors import ServiceUnavailable
from core.services.deps import Deps
from web.auth_config import (
    COOKIE_LIFETIME_SECONDS,
    SESSION_COOKIE,
    auth_config,
    derive_key,
    resources_of,
)
from web.outbox import Outbox
from web.params import PASSWORD_TEXT
from web.throttle import client_address, take_login, take_registration
from web.tokens import RevocableTokens, SignIns, revoke_every_sign_in

log = logging.getLogger(__name__)

BEARER_LIFETIME_SECONDS = 24 * 3600
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # hashing is slow on purpose: a megabyte password must not reach it
# Errors of the async driver that mean the database is not there (refused, lost, timed out).
DATABASE_DOWN = (OperationalError, InterfaceError)


class UserRead(user_schemas.BaseUser[uuid.UUID]):
    """A web account as the API shows it."""


class UserCreate(user_schemas.BaseUserCreate):
    """Registration: e-mail and password (the flags are ignored for self-registration)."""

    password: str = Field(max_length=PASSWORD_TEXT, description="8 to 128 characters")


class UserUpdate(user_schemas.BaseUserUpdate):
    """Changing the e-mail or password (a new password signs out every sign-in)."""

    password: str | None = Field(None, max_length=PASSWORD_TEXT)


class AccountDatabase(SQLAlchemyUserDatabase[WebUser, uuid.UUID]):
    """The users table; a new password also ends every sign-in, in the same transaction."""

    async def update(self, user: WebUser, update_dict: dict[str, Any]) -> WebUser:
        if "hashed_password" in update_dict:
            await revoke_every_sign_in(self.session, user.id)
        return await super().update(user, update_dict)


class UserManager(UUIDIDMixin, BaseUserManager[WebUser, uuid.UUID]):
    """Account rules. No mail is configured: links go to the outbox folder (development only).

    With `deps`, password checks are limited per e-mail address and per client network, and
    registrations per client network (web.throttle): the browser forms, the API's token login
    and the change-password form all come through `authenticate` and `create`."""

    def __init__(
        self,
        user_db: Any,
        *,
        secret: str,
        settings: Settings,
        deps: Deps | None = None,
        client: str = "unknown",
        outbox: Outbox | None = None,
    ) -> None:
        super().__init__(user_db)
        self.reset_password_token_secret = derive_key(secret, "reset-password")
        self.verification_token_secret = derive_key(secret, "verify-email")
        self.settings = settings
        self.deps = deps
        self.client = client
        self.outbox = outbox

    async def authenticate(self, credentials: OAuth2PasswordRequestForm) -> WebUser | None:
        tickets = []
        if self.deps is not None:  # raises TooManyAttempts once a window is used up
            tickets = await run_in_threadpool(
                take_login, self.deps, credentials.username, self.client
            )
        if len(credentials.password) > MAX_PASSWORD_LENGTH:
            return None  # no account has one this long: not worth hashing
        user = await super().authenticate(credentials)
        if user is not None:
            for ticket in tickets:
                with contextlib.suppress(ServiceUnavailable):
                    await run_in_threadpool(ticket.succeeded)
        return user

    async def create(
        self, user_create: Any, safe: bool = False, request: Request | None = None
    ) -> WebUser:
        if self.deps is not None:  # raises TooManyAttempts past the network's registrations
            await run_in_threadpool(take_registration, self.deps, self.client)
        return await super().create(user_create, safe=safe, request=request)

    async def validate_password(self, password: str, user: Any) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidPasswordException(
                reason=f"Use at least {MIN_PASSWORD_LENGTH} characters for your password."
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            raise InvalidPasswordException(
                reason=f"Use at most {MAX_PASSWORD_LENGTH} characters for your password."
            )
        local_part = (getattr(user, "email", "") or "").split("@")[0].lower()
        if len(local_part) >= 4 and local_part in password.lower():
            raise InvalidPasswordException(reason="Your password should not contain your e-mail.")

    async def on_after_register(self, user: WebUser, request: Request | None = None) -> None:
        log.info("web account registered: %s", user.id)

    async def on_after_forgot_password(
        self, user: WebUser, token: str, request: Request | None = None
    ) -> None:
        self._deliver("Password reset link", f"/reset-password?token={token}", user)

    async def on_after_request_verify(
        self, user: WebUser, token: str, request: Request | None = None
    ) -> None:
        self._deliver("E-mail verification link", f"/verify?token={token}", user)

    def _deliver(self, what: str, path: str, user: WebUser) -> None:
        # There is no mail transport yet. The link holds a credential, so it never goes to a
        # log: locally it is written to the outbox folder for the developer to open; in
        # production nothing is written at all.
        if self.settings.environment == "production" or self.outbox is None:
            log.warning("%s requested for %s, but no mail is configured to send it", what, user.id)
            return
        link = self.settings.web_base_url.rstrip("/") + path
        written = self.outbox.write(to=user.email, subject=what, body=link)
        log.warning("%s for %s (no mail configured): written to %s", what, user.id, written)


async def get_async_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's AsyncSession (fastapi-users, sign-ins); a database that is not there
    becomes the core's ServiceUnavailable: 503, and "Nothing was changed" is true, because
    the sync core converts its own errors and only this session raises raw ones."""
    resources = resources_of(request)
    if not resources.core_ready:  # building the core migrates the embedded SQLite database
        await run_in_threadpool(lambda: resources.core)
    session = resources.async_sessions()
    try:
        yield session
    except DATABASE_DOWN as exc:
        log.warning("database unreachable (async driver): %s", exc.__class__.__name__)
        raise ServiceUnavailable("database") from exc
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        raise ServiceUnavailable("database") from exc
    finally:
        with contextlib.suppress(DATABASE_DOWN, DBAPIError):  # closing a lost connection
            await session.close()


async def get_user_db(
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> AsyncIterator[AccountDatabase]:
    yield AccountDatabase(session, WebUser)  # type: ignore[arg-type]


def get_sign_ins(session: Annotated[AsyncSession, Depends(get_async_session)]) -> SignIns:
    return SignIns(session)


async def get_user_manager(
    request: Request, user_db: Annotated[AccountDatabase, Depends(get_user_db)]
) -> AsyncIterator[UserManager]:
    config, resources = auth_config(request), resources_of(request)
    # get_async_session has built the core by now: its quota store counts password attempts.
    yield UserManager(
        user_db,
        secret=config.secret,
        settings=resources.settings,
        deps=resources.core.deps,
        client=client_address(request, resources.settings),
        outbox=config.outbox,
    )


async def signed_in_user(request: Request) -> WebUser | None:
    """The browser's user for pages rendered outside a route (error pages), else None.

    Routes get the user through their dependencies; an unknown URL or a failure before them has
    none, and the page would otherwise look logged out."""
    token = request.cookies.get(SESSION_COOKIE)
    resources = resources_of(request)
    if not token or not resources.connected:  # not before the schema is known to be there
        return None
    try:
        async with resources.async_sessions() as session:
            user_db: Any = AccountDatabase(session, WebUser)  # type: ignore[arg-type]
            manager = UserManager(
                user_db, secret=auth_config(request).secret, settings=resources.settings
            )
            tokens = RevocableTokens(SignIns(session), COOKIE_LIFETIME_SECONDS)
            user = await tokens.read_token(token, manager)
    except Exception:  # an error page must render even when the database is the problem
        log.debug("error page: could not resolve the signed-in user", exc_info=True)
        return None
    return user if user is not None and user.is_active else None


def cookie_tokens(sign_ins: Annotated[SignIns, Depends(get_sign_ins)]) -> RevocableTokens:
    return RevocableTokens(sign_ins, COOKIE_LIFETIME_SECONDS)


def bearer_tokens(sign_ins: Annotated[SignIns, Depends(get_sign_ins)]) -> RevocableTokens:
    return RevocableTokens(sign_ins, BEARER_LIFETIME_SECONDS)


# The cookie backend only reads the cookie here: the browser logs in through the server-rendered
# form (web.routes.account), which sets it with the app's Secure flag.
cookie_backend = AuthenticationBackend[WebUser, uuid.UUID](
    name="cookie",
    transport=CookieTransport(cookie_name=SESSION_COOKIE, cookie_max_age=COOKIE_LIFETIME_SECONDS),
    get_strategy=cookie_tokens,
)
bearer_backend = AuthenticationBackend[WebUser, uuid.UUID](
    name="jwt",  # the name in the login URL (/api/auth/jwt/login) clients already use
    transport=BearerTransport(tokenUrl="/api/auth/jwt/login"),
    get_strategy=bearer_tokens,
)
fastapi_users = FastAPIUsers[WebUser, uuid.UUID](get_user_manager, [cookie_backend, bearer_backend])

current_user = fastapi_users.current_user(active=True)
optional_user = fastapi_users.current_user(active=True, optional=True)
current_superuser = fastapi_users.current_user(active=True, superuser=True)
