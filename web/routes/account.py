"""Account pages: register, log in and out, reset a password, verify, change password, delete."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
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
from web.auth import AuthConfig, UserCreate, UserManager, UserUpdate, auth_config, get_user_manager
from web.csrf import require_csrf
from web.dependencies import DepsDep, MaybeUser, PageUser, PageViewer
from web.templating import render
from web.throttle import TooManyAttempts

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

Manager = Annotated[UserManager, Depends(get_user_manager)]
Auth = Annotated[AuthConfig, Depends(auth_config)]
Text = Annotated[str, Form()]

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


async def _signed_in(auth: AuthConfig, user: WebUser, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(response, await auth.strategy().write_token(user))
    return response


@router.get("/login")
async def login_form(request: Request, user: MaybeUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(
    request: Request, manager: Manager, auth: Auth, email: Text, password: Text, next: Text = "/"
) -> Response:
    credentials = OAuth2PasswordRequestForm(username=email.strip(), password=password)
    try:
        user = await manager.authenticate(credentials)
    except TooManyAttempts as exc:
        context = {"next": safe_next(next), "email": email, "error": exc.message}
        return render(request, "auth/login.html", context, status_code=429)
    if user is None or not user.is_active:
        context = {"next": safe_next(next), "email": email, "error": BAD_LOGIN}
        return render(request, "auth/login.html", context, status_code=400)
    response = await _signed_in(auth, user, safe_next(next))
    await manager.on_after_login(user, request, response)
    return response


@router.get("/register")
async def register_form(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "auth/register.html")


@router.post("/register")
async def register(
    request: Request, manager: Manager, auth: Auth, email: Text, password: Text
) -> Response:
    try:
        new_user = UserCreate(email=email.strip(), password=password)
        user = await manager.create(new_user, safe=True, request=request)
    except ValidationError:
        error = BAD_EMAIL
    except user_errors.UserAlreadyExists:
        error = TAKEN
    except user_errors.InvalidPasswordException as exc:
        error = str(exc.reason)
    else:
        return await _signed_in(auth, user, "/?notice=registered")
    context = {"email": email, "error": error}
    return render(request, "auth/register.html", context, status_code=400)


@router.post("/logout")
async def logout(auth: Auth) -> Response:
    response = RedirectResponse("/login?notice=logged-out", status_code=303)
    auth.clear_session_cookie(response)
    return response


@router.get("/forgot-password")
async def forgot_form(request: Request) -> Response:
    return render(request, "auth/forgot.html")


@router.post("/forgot-password")
async def forgot(request: Request, manager: Manager, email: Text) -> Response:
    try:
        user = await manager.get_by_email(email.strip())
        await manager.forgot_password(user, request)
    except (user_errors.UserNotExists, user_errors.UserInactive):
        pass  # same answer either way: the form must not reveal who has an account
    return render(request, "auth/forgot.html", {"sent": True})


@router.get("/reset-password")
async def reset_form(request: Request, token: str = "") -> Response:
    return render(request, "auth/reset.html", {"token": token})


@router.post("/reset-password")
async def reset(request: Request, manager: Manager, token: Text, password: Text) -> Response:
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
async def verify(request: Request, manager: Manager, token: str = "") -> Response:
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
    current: Text,
    password: Text,
) -> Response:
    try:
        checked = await manager.authenticate(
            OAuth2PasswordRequestForm(username=user.email, password=current)
        )
        if checked is None:
            error = "Your current password is not right."
        else:
            await manager.update(UserUpdate(password=password), user, safe=True, request=request)
            return RedirectResponse("/account?notice=password-changed", status_code=303)
    except TooManyAttempts as exc:
        error = exc.message
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
    confirm: Text = "",
    delete_account: Text = "",
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
