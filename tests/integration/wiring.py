"""Helpers for the data-layer integration tests: wired cores, databases of our own, people."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from core import services
from core.adapters.sql.models import SessionRow, WebUser
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain import ConversationRef
from tests.fakes import ScriptedEvaluator, ScriptedWriter

T = TypeVar("T")


class SlowEvaluator(ScriptedEvaluator):
    """Counts calls, and is slow enough for every racer to arrive while the first evaluates."""

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        return super().evaluate(question, answer)


def wire(
    database_url: str, redis_url: str, *, evaluator: Any = None, writer: Any = None, **settings: Any
) -> Core:
    """A core on these stores, migrated, with a unique Redis key prefix."""
    configured = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=f"ib-test:{uuid.uuid4().hex[:10]}:",
        _env_file=None,  # type: ignore[call-arg]
        **settings,
    )
    llm = (evaluator or ScriptedEvaluator(), writer or ScriptedWriter())
    return build_core(configured, auto_migrate=True, llm=llm)


@contextmanager
def database_of_our_own(admin_url: str, *, charset: str = "utf8mb4") -> Iterator[str]:
    """A database of our own on a MariaDB server, created with `charset`, dropped afterwards."""
    admin = create_engine(admin_url)
    name = f"ib_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as connection:
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET {charset}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def race(n: int, call: Callable[[int], T]) -> list[T | Exception]:
    """Run `call(i)` for i in range(n) on n threads released at the same instant."""
    barrier = threading.Barrier(n)

    def worker(i: int) -> T | Exception:
        barrier.wait()
        try:
            return call(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))


def web_account(core: Core) -> str:
    """A fresh web account (the users row linking needs); returns its id."""
    account = uuid.uuid4()
    with core.session_factory() as db, db.begin():
        db.add(WebUser(id=account, email=f"{account}@example.com", hashed_password="x"))
    return str(account)


def slack(user: str, thread: str) -> ConversationRef:
    return ConversationRef("slack", "T1", "C1", user, thread=thread)


def browser(account: str, thread: str) -> ConversationRef:
    return ConversationRef("web", "web", "practice", account, thread=thread)


def start(core: Core, conversation: ConversationRef, **kw: Any) -> Any:
    return services.start_session(
        core.deps, conversation=conversation, role="backend", difficulty="easy", **kw
    )


def link(core: Core, conversation: ConversationRef, account: str) -> None:
    code = services.issue_link_code(core.deps, user=conversation.user_ref).code
    services.redeem_link_code(core.deps, code=code, web_user_id=account)


def sessions_recorded(core: Core, *users: str) -> int:
    """Sessions in the database started by these external users (all today in these tests)."""
    with core.session_factory() as db:
        query = select(func.count()).where(SessionRow.external_user.in_(users))
        return int(db.scalar(query) or 0)
