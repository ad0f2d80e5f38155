"""Lambda SnapStart hooks, in process, against the real MariaDB and Redis.

A stand-in for the runtime's `snapshot_restore_py` records what each handler module registers
at import; the test then plays Lambda: run the before-snapshot hooks, build the handler's core
and use its connections (as requests before the snapshot would have), run the after-restore
hooks, and check that the database and Redis connections are new ones and that randomness no
longer follows the snapshot's sequence.
"""

from __future__ import annotations

import importlib
import logging
import random
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import text

from core import snapstart


@dataclass
class FakeRuntime:
    """What `snapshot_restore_py` offers, and how Lambda runs the hooks it collected."""

    before: list[Callable[[], None]] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)

    def module(self) -> types.ModuleType:
        module = types.ModuleType("snapshot_restore_py")

        def register_before_snapshot(func: Any, *args: Any, **kwargs: Any) -> Any:
            self.before.append(lambda: func(*args, **kwargs))
            return func

        def register_after_restore(func: Any, *args: Any, **kwargs: Any) -> Any:
            self.after.append(lambda: func(*args, **kwargs))
            return func

        module.register_before_snapshot = register_before_snapshot  # type: ignore[attr-defined]
        module.register_after_restore = register_after_restore  # type: ignore[attr-defined]
        return module

    def snapshot(self) -> None:
        for hook in reversed(self.before):  # Lambda runs these in reverse order of registration
            hook()

    def restore(self) -> None:
        for hook in self.after:
            hook()


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> FakeRuntime:
    fake = FakeRuntime()
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", fake.module())
    return fake


@pytest.fixture
def services(
    monkeypatch: pytest.MonkeyPatch, mysql_database: str, redis_server_url: str
) -> Iterator[None]:
    """The environment a deployed function has: MariaDB, Redis, the offline evaluator."""
    monkeypatch.setenv("DATABASE_URL", mysql_database)
    monkeypatch.setenv("REDIS_URL", redis_server_url)
    monkeypatch.setenv("REDIS_PREFIX", f"ib-snapstart-test:{uuid.uuid4().hex[:8]}:")
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    yield


def load_entry(name: str) -> types.ModuleType:
    """(Re)import a handler module so its registration line runs against the fake runtime."""
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)


@dataclass
class Connections:
    database_id: int
    redis_id: int
    pool: Any
    rng: random.Random  # a copy of the core's generator as the snapshot froze it


def use_connections(core: Any) -> Connections:
    """Open a pooled database connection and a Redis connection, as a request would."""
    with core.engine.connect() as connection:
        database_id = connection.execute(text("SELECT CONNECTION_ID()")).scalar_one()
    frozen = random.Random()
    frozen.setstate(core.deps.random.getstate())
    return Connections(database_id, core.redis.client_id(), core.engine.pool, frozen)


def restore(runtime: FakeRuntime) -> None:
    """Run the after-restore hooks; the `random` module must come out in a new state."""
    frozen = random.getstate()  # what every copy of the snapshot would share
    runtime.restore()
    assert random.getstate() != frozen, "the random module was not re-seeded"


def assert_refreshed(core: Any, before: Connections) -> None:
    assert core.engine.pool is not before.pool, "the database pool was not replaced"
    with core.engine.connect() as connection:
        database_id = connection.execute(text("SELECT CONNECTION_ID()")).scalar_one()
    assert database_id != before.database_id, "the snapshot's database connection was reused"
    assert core.redis.client_id() != before.redis_id, "the snapshot's Redis connection was reused"
    draws = [core.deps.random.random() for _ in range(3)]
    assert draws != [before.rng.random() for _ in range(3)], "Deps.random was not re-seeded"


def test_web_hooks_warm_the_app_then_refresh_its_core(
    runtime: FakeRuntime,
    services: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("WEB_SECRET", "snapstart-test-secret-0123456789-0123456789")
    entry = load_entry("web.aws_lambda")
    try:
        assert len(runtime.before) == 1 and len(runtime.after) == 2
        runtime.snapshot()
        assert "SnapStart hook failed" not in caplog.text  # the warm-up request included
        handler = entry._handler
        assert handler is not None, "the app was not built before the snapshot"
        resources = handler.app.state.resources
        assert not resources.core_ready, "nothing may connect before the snapshot"
        assert "core.adapters.sql.unit_of_work" in sys.modules

        core = resources.core  # what the first requests would have built
        async_pool = resources.async_engine.sync_engine.pool
        before = use_connections(core)
        restore(runtime)

        assert entry._handler is handler and resources.core is core  # refreshed in place
        assert_refreshed(core, before)
        assert resources.async_engine.sync_engine.pool is not async_pool
    finally:
        _close_web(entry)


def test_discord_hooks_warm_the_endpoint_then_refresh_its_core(
    runtime: FakeRuntime, services: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nacl.signing import SigningKey

    monkeypatch.setenv("DISCORD_PUBLIC_KEY", SigningKey.generate().verify_key.encode().hex())
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "42")
    entry = load_entry("bots.discord.aws_lambda")
    try:
        runtime.snapshot()
        assert entry._app is not None, "the endpoint was not built before the snapshot"
        interactions = entry._app.endpoint.handler
        assert interactions._core is None, "nothing may connect before the snapshot"

        interactions.deps  # noqa: B018 - the first deferred interaction builds the core
        core = interactions._core
        before = use_connections(core)
        restore(runtime)

        assert interactions._core is core
        assert_refreshed(core, before)
    finally:
        if entry._app is not None and entry._app.endpoint.handler._core is not None:
            entry._app.endpoint.handler._core.close()
        entry._app = None


def test_slack_hooks_warm_the_bolt_handler_then_refresh_the_lazy_core(
    runtime: FakeRuntime, services: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "snapstart-test-signing-secret")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-snapstart-test")
    entry = load_entry("bots.slack.aws_lambda")
    hooks = sys.modules["bots.slack.snapstart"]
    try:
        runtime.snapshot()
        assert entry._handler is not None, "the Bolt handler was not built before the snapshot"
        assert hooks._cores is not None and hooks._cores.built == []

        core = hooks._cores()  # what the first lazy listener does
        assert entry._get_handler() is entry._handler
        before = use_connections(core)
        restore(runtime)

        assert hooks._cores() is core
        assert_refreshed(core, before)
    finally:
        for core in hooks._cores.built if hooks._cores is not None else []:
            core.close()
        hooks._cores = None
        entry._handler = None


def test_outside_lambda_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local runs and tests have no snapshot_restore_py: importing a handler still works."""
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import raises ImportError
    assert snapstart.register(before_snapshot=lambda: None) is False
    entry = load_entry("web.aws_lambda")
    assert entry._handler is None


def test_a_failing_hook_is_logged_not_raised(
    runtime: FakeRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("no network during the snapshot")

    assert snapstart.register(before_snapshot=broken, after_restore=broken) is True
    state = random.getstate()
    with caplog.at_level(logging.ERROR, logger="core.snapstart"):
        runtime.snapshot()
        runtime.restore()
    assert [r.getMessage() for r in caplog.records] == [
        "SnapStart hook failed before the snapshot",
        "SnapStart hook failed after restore",
    ]
    assert random.getstate() != state  # re-seeding ran before the failing hook


def test_warm_up_imports_every_module_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A renamed adapter module would silently drop out of the warm-up: name them all."""
    from core.config import load_settings

    for provider in ("offline", "gemini"):
        monkeypatch.setenv("LLM_PROVIDER", provider)
        monkeypatch.setenv("GEMINI_API_KEY", "test-key")
        assert snapstart.warm_core_imports(load_settings()) == [], provider
    # The built-in bank, read lazily by the first question, is read into the snapshot too.
    from core.adapters.offline.bank import load_shipped_questions

    assert load_shipped_questions.cache_info().currsize == 1


def _close_web(entry: Any) -> None:
    handler = entry._handler
    entry._handler = None
    if handler is None:
        return
    resources = handler.app.state.resources
    if resources.core_ready:
        resources.core.close()
    engine = getattr(resources, "_engine", None)
    if engine is not None:
        engine.sync_engine.dispose()
