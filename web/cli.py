"""`interviewbot web` (serve the companion) and `interviewbot web create-superuser EMAIL`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

MIN_PASSWORD = 8
MAX_PASSWORD = 128  # as web.auth.MAX_PASSWORD_LENGTH (importing it here would load fastapi)


def register(commands: Any) -> None:
    web = commands.add_parser(
        "web", help="serve the web companion: history, analytics and practice in the browser"
    )
    web.add_argument("--host", help="interface to listen on (default WEB_HOST, 127.0.0.1)")
    web.add_argument("--port", type=int, help="port (default WEB_PORT, 8000)")
    web.set_defaults(handler=serve)
    sub = web.add_subparsers(title="web commands", metavar="COMMAND")
    admin = sub.add_parser(
        "create-superuser",
        help="create an administrator account, or make an existing account one",
    )
    admin.add_argument("email")
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    admin.set_defaults(handler=create_superuser)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from core.bootstrap import build_core
    from core.config import load_settings
    from web.app import create_app

    settings = load_settings()
    host, port = args.host or settings.web_host, args.port or settings.web_port
    # A long-running process: on the embedded default it shares its Redis stand-in, so a
    # terminal interview started meanwhile counts against the same quota as the browser.
    core = build_core(settings, serve_embedded_redis=True)
    app = create_app(settings, core=core)
    print(f"Interview companion on http://{host}:{port} — press Ctrl+C to stop.", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    return 0


def create_superuser(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    if password is None:
        return 1
    created = asyncio.run(_create_superuser(args.email.strip(), password))
    what = "Created administrator" if created else "Made administrator:"
    print(f"{what} {args.email.strip()}. Team figures are at /team.")
    return 0


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password (ignored if the account exists): ")
        if password and getpass.getpass("Repeat the password: ") != password:
            print("The passwords do not match.", file=sys.stderr)
            return None
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        print(f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters.", file=sys.stderr)
        return None
    return password


async def _create_superuser(email: str, password: str) -> bool:
    """True when the account was created, False when an existing one was promoted."""
    import secrets

    from fastapi_users.exceptions import UserNotExists
    from fastapi_users_db_sqlalchemy import SQLAlchemyUserDatabase

    from core.bootstrap import WebUser
    from web.auth import UserCreate, UserManager
    from web.resources import WebResources

    resources = WebResources()
    resources.core  # noqa: B018 -- builds the core, which migrates the embedded database
    try:
        async with resources.async_sessions() as session:
            user_db: Any = SQLAlchemyUserDatabase(session, WebUser)
            # No token is issued here, so a throwaway secret is enough for the manager.
            manager = UserManager(
                user_db, secret=secrets.token_urlsafe(32), settings=resources.settings
            )
            try:
                user = await manager.get_by_email(email)
            except UserNotExists:
                new = UserCreate(
                    email=email, password=password, is_superuser=True, is_verified=True
                )
                await manager.create(new)
                return True
            await user_db.update(user, {"is_superuser": True, "is_active": True})
            return False
    finally:
        await resources.aclose()
