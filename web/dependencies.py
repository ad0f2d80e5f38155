"""Typed FastAPI dependencies shared by the routes: the core, the signed-in user, their scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from core import services
from core.bootstrap import Core, WebUser
from core.domain.model import UserRef
from core.services.deps import Deps
from web.auth import current_superuser, current_user, optional_user
from web.auth_config import resources_of
from web.errors import LoginRequired


def get_core(request: Request) -> Core:
    # A plain `def`: FastAPI runs it in the thread pool, so the first (blocking) build of the
    # core never stalls the event loop.
    return resources_of(request).core


CoreDep = Annotated[Core, Depends(get_core)]


def get_deps(core: CoreDep) -> Deps:
    return core.deps


DepsDep = Annotated[Deps, Depends(get_deps)]


async def page_user(
    request: Request, user: Annotated[WebUser | None, Depends(optional_user)]
) -> WebUser:
    """The signed-in user of a page; anonymous visitors are sent to the login form."""
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    request.state.user = user  # the layout shows who is signed in
    return user


PageUser = Annotated[WebUser, Depends(page_user)]
ApiUser = Annotated[WebUser, Depends(current_user)]
MaybeUser = Annotated[WebUser | None, Depends(optional_user)]
Superuser = Annotated[WebUser, Depends(current_superuser)]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking, as the core knows them: the account, its practice identity and scope."""

    user: WebUser
    scope: list[int]

    @property
    def id(self) -> str:
        return str(self.user.id)

    @property
    def ref(self) -> UserRef:
        return services.web_user_ref(self.id)


def _viewer(user: WebUser, deps: Deps) -> Viewer:
    return Viewer(user, services.scope_for_web_user(deps, web_user_id=str(user.id)))


def page_viewer(user: PageUser, deps: DepsDep) -> Viewer:
    return _viewer(user, deps)


def api_viewer(user: ApiUser, deps: DepsDep) -> Viewer:
    return _viewer(user, deps)


PageViewer = Annotated[Viewer, Depends(page_viewer)]
ApiViewer = Annotated[Viewer, Depends(api_viewer)]
