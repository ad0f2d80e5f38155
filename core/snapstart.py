"""Lambda SnapStart: warm up before the snapshot, start afresh after each restore.

With SnapStart (template.yaml), Lambda initialises a published version once, snapshots its
memory, and resumes every new execution environment from that one snapshot. What the snapshot
holds is then shared by all of them:

- open sockets: a database or Redis connection opened before the snapshot would be "owned" by
  every restored copy at once. Nothing here connects before the snapshot, and after a restore
  the pools of any core built earlier are replaced anyway (`refresh_core`).
- random generators: the `random` module was seeded once, at import, so every copy would draw
  the same questions in the same order; it is re-seeded from the OS after each restore, and so
  is each core's `Deps.random`. `secrets` and `uuid.uuid4` read `os.urandom` on every call, so
  tokens, CSRF secrets and ids need nothing.

Each handler module registers its surface's hooks through `register` (bots/slack/snapstart.py,
bots/discord/snapstart.py, web/snapstart.py): Lambda ignores hooks in modules the handler never
imports. `snapshot_restore_py` ships with Lambda's Python runtimes only; elsewhere (tests, local
runs, a runtime without SnapStart) `register` does nothing.
"""

from __future__ import annotations

import importlib
import logging
import random
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.bootstrap import Core
    from core.config import Settings

log = logging.getLogger(__name__)

Hook = Callable[[], None]

# What building the core and serving a request import (core.bootstrap.build_core and the
# adapters it wires), loaded before the snapshot so no restored instance pays for them.
CORE_MODULES = (
    "core.bootstrap",
    "core.adapters.offline.bank",
    "core.adapters.redis_client",
    "core.adapters.redis_guards",
    "core.adapters.sql.database",
    "core.adapters.sql.history",
    "core.adapters.sql.unit_of_work",
    "core.adapters.system_clock",
    "core.services",
    "pymysql",  # the driver SQLAlchemy loads for mysql+pymysql:// on first connect
)
# The SDKs are imported on a port's first request (core.adapters.llm_client): name them here.
LLM_MODULES = {
    "gemini": ("core.adapters.gemini", "core.adapters.gemini_call"),
    "openai": ("core.adapters.openai_llm", "core.adapters.openai_call"),
    "offline": ("core.adapters.offline.evaluator",),
}
CHAIN_MODULES = ("core.adapters.llm_chain",)  # with LLM_FALLBACK


def register(*, before_snapshot: Hook | None = None, after_restore: Hook | None = None) -> bool:
    """Register a surface's hooks with the Lambda runtime; False (nothing done) outside it.

    After a restore the `random` module is always re-seeded first, then `after_restore` runs.
    A hook that fails is logged and never raised: a warm-up is only an optimisation, and a
    restore must not fail the invocation that triggered it.
    """
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:  # not on a Lambda Python runtime: nothing is ever snapshotted
        return False
    if before_snapshot is not None:
        register_before_snapshot(_logged(before_snapshot, "before the snapshot"))
    register_after_restore(_logged(reseed_randomness, "re-seeding after restore"))
    if after_restore is not None:
        register_after_restore(_logged(after_restore, "after restore"))
    return True


def reseed_randomness() -> None:
    """Re-seed the `random` module from the OS: the snapshot froze one shared state."""
    random.seed()


def refresh_core(core: Core) -> None:
    """Fresh database and Redis connections, and a fresh random sequence, for a restored core.

    The pools are emptied without closing what they held (`close=False`, `reset`): those
    sockets came from the snapshot, so another restored copy may be using "the same" one, and a
    polite close would talk over it. The next query or command opens a new connection.
    """
    core.engine.dispose(close=False)
    reset_redis(core.redis)
    core.deps.random.seed()


def reset_redis(client: Any) -> None:
    """Forget the client's pooled connections (redis-py's own after-fork reset)."""
    pool = getattr(client, "connection_pool", None)
    if pool is not None:
        pool.reset()


def dispose_engine(engine: Any) -> None:
    """Empty a SQLAlchemy engine's pool (sync or async) without closing the snapshot's sockets."""
    getattr(engine, "sync_engine", engine).dispose(close=False)


def warm_core_imports(settings: Settings, extra: Iterable[str] = ()) -> list[str]:
    """Import what building the core and a request need; return what could not be imported."""
    providers = settings.llm_chain
    llm = [name for provider in providers for name in LLM_MODULES.get(provider, ())]
    if len(providers) > 1:
        llm.extend(CHAIN_MODULES)
    names = [*CORE_MODULES, *llm, *extra]
    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        log.warning("SnapStart warm-up could not import %s", ", ".join(missing))
    else:
        # The built-in bank is read on the first question asked; read it into the snapshot.
        from core.adapters.offline.bank import load_shipped_questions

        load_shipped_questions()
    return missing


def _logged(hook: Hook, when: str) -> Hook:
    def run() -> None:
        try:
            hook()
        except Exception:  # see register: never fail a snapshot or a restore
            log.exception("SnapStart hook failed %s", when)

    run.__name__ = getattr(hook, "__name__", "hook")
    return run
