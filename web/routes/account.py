"""Account pages: register, log in and out, reset a password, verify, change password, delete."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.security import OAuth2PasswordRequestForm
from fastapi_users import exceptions as user_errors
from pydantic import ValidationError
from starlette.responses import Response

from core import services
from core.bootstrap import WebUser
from core.services.deps import Deps
from web import views
from web.auth import UserCreate, UserManager, UserUpdate, cookie_tokens, get_user_manager
from web.auth_config import SESSION_COOKIE, AuthConfig, auth_config
from web.csrf import require_csrf
from web.dependencies import DepsDep, MaybeUser, PageUser, PageViewer
from web.errors import retry_after
from web.params import CONFIRM_TEXT, EmailForm, PasswordForm
from web.templating import render
from web.throttle import TooManyAttempts
from web.tokens import RevocableTokens

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

Manager = Annotated[UserManager, Depends(get_user_manager)]
Auth = Annotated[AuthConfig, Depends(auth_config)]
CookieTokens = Annotated[RevocableTokens, Depends(cookie_tokens)]
LinkToken = Annotated[str, Form(max_length=2048)]  # a reset token (a signed JWT, ~200 chars)
NextPath = Annotated[str, Form(max_length=2048)]

BAD_LOGIN = "That e-mail and password do not match an account. Check both and try again."
BAD_EMAIL = "Please enter a valid e-mail address, such as ada@example.com."
TAKEN = "An account with this e-mail already exists. Log in instead, or reset your password."
BAD_RESET = "This reset link is invalid or has expired. Ask for a new one below."
CONFIRM_WORD = "DELETE"


def safe_next(target: str | None) -> str:
    """Only same-site paths: never let ?next= send someone to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def _signed_in(
    auth: AuthConfig, tokens: RevocableTokens, user: WebUser, target: str
) -> Response:
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(response, await tokens.write_token(user))
    return response


def _limited(
    request: Request, page: str, context: dict[str, object], exc: TooManyAttempts
) -> Response:
    """A form refused by an attempt limit: 429, the limit's message and Retry-After."""
    response = render(request, page, {**context, "error": exc.message}, status_code=429)
    response.headers.update(retry_after(exc))
    return response


@router.get("/login")
async def login_form(
    request: Request, user: MaybeUser, next: Annotated[str, Query(max_length=2048)] = "/"
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(
    request: Request,
    manager: Manager,
    auth: Auth,
    tokens: CookieTokens,
    email: EmailForm,
    password: PasswordForm,
    next: NextPath = "/",
) -> Response:
    credentials = OAuth2PasswordRequestForm(username=email.strip(), password=password)
    try:
        user = await manager.authenticate(credentials)
    except TooManyAttempts as exc:
        return _limited(request, "auth/login.html", {"next": safe_next(next), "email": email}, exc)
    if user is None or not user.is_active:
        context = {"next": safe_next(next), "email": email, "error": BAD_LOGIN}
        return render(request, "auth/login.html", context, status_code=400)
    response = await _signed_in(auth, tokens, user, safe_next(next))
    await manager.on_after_login(user, request, response)
    return response


@router.get("/register")
async def register_form(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "auth/register.html")


@router.post("/register")
async def register(
    request: Request,
    manager: Manager,
    auth: Auth,
    tokens: CookieTokens,
    email: EmailForm,
    password: PasswordForm,
) -> Response:
    try:
        new_user = UserCreate(email=email.strip(), password=password)
        user = await manager.create(new_user, safe=True, request=request)
    except TooManyAttempts as exc:
        return _limited(request, "auth/register.html", {"email": email}, exc)
    except ValidationError:
        error = BAD_EMAIL
    except user_errors.UserAlreadyExists:
        error = TAKEN
    except user_errors.InvalidPasswordException as exc:
        error = str(exc.reason)
    else:
        return await _signed_in(auth, tokens, user, "/?notice=registered")
    context = {"email": email, "error": error}
    return render(request, "auth/register.html", context, status_code=400)


@router.post("/logout")
async def logout(request: Request, auth: Auth, tokens: CookieTokens, user: MaybeUser) -> Response:
    """Ends this sign-in for good: the cookie is removed and its token revoked."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and user is not None:
        await tokens.destroy_token(token, user)
    response = RedirectResponse("/login?notice=logged-out", status_code=303)
    auth.clear_session_cookie(response)
    return response


@router.get("/forgot-password")
async def forgot_form(request: Request) -> Response:
    return render(request, "auth/forgot.html")


@router.post("/forgot-password")
async def forgot(request: Request, manager: Manager, email: EmailForm) -> Response:
    try:
        user = await manager.get_by_email(email.strip())
        await manager.forgot_password(user, request)
    except (user_errors.UserNotExists, user_errors.UserInactive):
        pass  # same answer either way: the form must not reveal who has an account
    return render(request, "auth/forgot.html", {"sent": True})


@router.get("/reset-password")
async def reset_form(
    request: Request, token: Annotated[str, Query(max_length=2048)] = ""
) -> Response:
    return render(request, "auth/reset.html", {"token": token})


@router.post("/reset-password")
async def reset(
    request: Request, manager: Manager, token: LinkToken, password: PasswordForm
) -> Response:
    """A new password from a reset link; every sign-in of the account ends with the old one."""
    try:
        await manager.reset_password(token, password, request)
    except (user_errors.InvalidResetPasswordToken, user_errors.UserInactive):
        error = BAD_RESET
    except user_errors.InvalidPasswordException as exc:
        error = str(exc.reason)
    else:
        return RedirectResponse("/login?notice=password-reset", status_code=303)
    return render(request, "auth/reset.html", {"token": token, "error": error}, status_code=400)


@router.get("/verify")
async def verify(
    request: Request, manager: Manager, token: Annotated[str, Query(max_length=2048)] = ""
) -> Response:
    try:
        await manager.verify(token, request)
    except user_errors.UserAlreadyVerified:
        pass
    except user_errors.InvalidVerifyToken:
        message = "This verification link is invalid or has expired."
        return render(
            request, "error.html", {"title": "Link expired", "message": message}, status_code=400
        )
    return RedirectResponse("/account?notice=verified", status_code=303)


def _account(request: Request, user: WebUser, deps: Deps, **extra: object) -> Response:
    linked = services.linked_identities(deps, web_user_id=str(user.id))
    status_code = 400 if extra.get("password_error") else 200
    return render(request, "account.html", {"linked": linked, **extra}, status_code=status_code)


@router.get("/account")
def account_page(request: Request, user: PageUser, deps: DepsDep) -> Response:
    return _account(request, user, deps)


@router.post("/account/verify")
async def request_verification(request: Request, user: PageUser, manager: Manager) -> Response:
    with contextlib.suppress(user_errors.UserAlreadyVerified, user_errors.UserInactive):
        await manager.request_verify(user, request)
    return RedirectResponse("/account?notice=verify-sent", status_code=303)


@router.post("/account/password")
async def change_password(
    request: Request,
    user: PageUser,
    deps: DepsDep,
    manager: Manager,
    auth: Auth,
    tokens: CookieTokens,
    current: PasswordForm,
    password: PasswordForm,
) -> Response:
    """A new password ends every sign-in of the account (other browsers, API tokens); this
    browser is signed in again with a fresh cookie."""
    try:
        checked = await manager.authenticate(
            OAuth2PasswordRequestForm(username=user.email, password=current)
        )
        if checked is None:
            error = "Your current password is not right."
        else:
            await manager.update(UserUpdate(password=password), user, safe=True, request=request)
            return await _signed_in(auth, tokens, user, "/account?notice=password-changed")
    except TooManyAttempts as exc:
        page = await run_in_threadpool(_account, request, user, deps, password_error=exc.message)
        page.status_code = 429
        page.headers.update(retry_after(exc))
        return page
    except user_errors.InvalidPasswordException as exc:
        error = str(exc.reason)
    return await run_in_threadpool(_account, request, user, deps, password_error=error)


@router.get("/account/delete")
def delete_form(request: Request, viewer: PageViewer, deps: DepsDep) -> Response:
    """Says exactly what goes: the sessions, and each linked identity that will be unlinked."""
    planned = views.data_to_delete(deps, viewer)
    return render(request, "delete.html", {"word": CONFIRM_WORD, "planned": planned})


@router.post("/account/delete")
async def delete_data(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    manager: Manager,
    auth: Auth,
    confirm: Annotated[str, Form(max_length=CONFIRM_TEXT)] = "",
    delete_account: Annotated[str, Form(max_length=CONFIRM_TEXT)] = "",
) -> Response:
    if confirm.strip().upper() != CONFIRM_WORD:
        planned = await run_in_threadpool(views.data_to_delete, deps, viewer)
        error = f"Type {CONFIRM_WORD} to confirm. Nothing was deleted."
        context = {"word": CONFIRM_WORD, "planned": planned, "error": error}
        return render(request, "delete.html", context, status_code=400)
    deleted = await run_in_threadpool(views.delete_data, deps, viewer)
    context = {"deleted": deleted, "account_deleted": bool(delete_account)}
    if not delete_account:
        return render(request, "deleted.html", context)
    await manager.delete(viewer.user, request)
    request.state.user = None  # the page is shown signed out
    response = render(request, "deleted.html", context)
    auth.clear_session_cookie(response)
    return response
