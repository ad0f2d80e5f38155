"""What the web app needs at run time, built on first use so a Lambda cold start stays cheap."""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from core.bootstrap import Backends, Core, build_core, connect
from core.config import Settings, load_settings
from web.background import BackgroundEvaluations

log = logging.getLogger(__name__)


def async_database_url(database_url: str) -> URL:
    """The same database through an async driver (fastapi-users needs an AsyncSession)."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    if backend == "mysql":
        return url.set(drivername="mysql+aiomysql")
    raise ValueError(f"no async driver for {backend!r} databases")


# PyMySQL reads TLS options from the URL (TiDB Serverless, managed MySQL); aiomysql does not
# know them and wants one SSLContext instead.
_PYMYSQL_TLS_PARAMS = ("ssl_ca", "ssl_verify_cert", "ssl_verify_identity", "ssl_disabled")


def mysql_tls(url: URL) -> tuple[URL, dict[str, Any]]:
    """Move PyMySQL-style TLS query parameters into an aiomysql `ssl` connect argument."""
    params = {k: url.query[k] for k in _PYMYSQL_TLS_PARAMS if k in url.query}
    if not params:
        return url, {}
    url = url.difference_update_query(_PYMYSQL_TLS_PARAMS)
    truthy = lambda name: str(params.get(name, "")).lower() in ("1", "true", "yes")  # noqa: E731
    if truthy("ssl_disabled"):
        return url, {}
    context = ssl.create_default_context(cafile=params.get("ssl_ca") or None)  # type: ignore[arg-type]
    context.check_hostname = truthy("ssl_verify_identity") or "ssl_verify_identity" not in params
    if "ssl_verify_cert" in params and not truthy("ssl_verify_cert"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return url, {"ssl": context}


def make_async_engine(database_url: str) -> AsyncEngine:
    url = async_database_url(database_url)
    if url.get_backend_name() == "sqlite":
        # NullPool: an aiosqlite connection belongs to the event loop that opened it, and test
        # clients or Lambda may run several loops; opening a local file per request is cheap.
        engine = create_async_engine(url, poolclass=NullPool, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    url, tls = mysql_tls(url)
    return create_async_engine(
        url,
        pool_pre_ping=True,  # managed MySQL/TiDB close idle connections
        pool_recycle=280,
        pool_size=5,
        max_overflow=10,
        connect_args={"charset": "utf8mb4", **tls},
    )


class WebResources:
    """Settings, the backends, the wired core and the async engine, each made once, on first use.

    A core handed in by the caller (tests, the CLI) is used as is and not closed here."""

    def __init__(self, settings: Settings | None = None, core: Core | None = None) -> None:
        self._settings = core.settings if core is not None else settings
        self._core = core
        self._backends = None if core is None else Backends(core.settings, core.engine, core.redis)
        self._owns_core = core is None
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._lock = threading.Lock()
        self.evaluations = BackgroundEvaluations()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            with self._lock:
                if self._settings is None:
                    self._settings = load_settings()
        return self._settings

    @property
    def connected(self) -> bool:
        return self._backends is not None

    @property
    def core_ready(self) -> bool:
        return self._core is not None

    @property
    def backends(self) -> Backends:
        """The engine and Redis the core is wired on (connecting migrates embedded SQLite)."""
        if self._backends is None:
            settings = self.settings
            with self._lock:
                if self._backends is None:
                    self._backends = connect(settings)
        return self._backends

    @property
    def core(self) -> Core:
        """The wired core, on `backends`."""
        if self._core is None:
            backends = self.backends
            with self._lock:
                if self._core is None:
                    self._core = build_core(backends=backends)
        return self._core

    @property
    def async_engine(self) -> AsyncEngine:
        if self._engine is None:
            database_url = self.settings.database_url
            with self._lock:
                if self._engine is None:
                    self._engine = make_async_engine(database_url)
        return self._engine

    @property
    def async_sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            self._sessions = async_sessionmaker(self.async_engine, expire_on_commit=False)
        return self._sessions

    @property
    def released(self) -> bool:
        """Nothing of ours is open: no async engine (nor its pool), no evaluation threads, and no
        core of our own (a core handed in is the caller's to close)."""
        own_core = self._owns_core and (self._core is not None or self._backends is not None)
        return self._engine is None and not self.evaluations.running and not own_core

    async def aclose(self) -> None:
        await asyncio.to_thread(self.evaluations.shutdown)  # evaluations use the core
        if self._engine is not None:
            await self._engine.dispose()
            self._engine, self._sessions = None, None
        if self._owns_core and self._core is not None:
            self._core.close()
        elif self._owns_core and self._backends is not None:  # connected, never wired
            self._backends.engine.dispose()
            self._backends.redis.close()
        if self._owns_core:
            self._core, self._backends = None, None
