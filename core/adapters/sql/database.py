"""Engines for MySQL/MariaDB/TiDB (PyMySQL) and SQLite, tuned for the concurrency guards.

SQLite allows one writer at a time. Writers open their transaction with BEGIN IMMEDIATE, so
they queue on the write lock (busy timeout) instead of failing; readers open a deferred
transaction, which in WAL mode reads a consistent snapshot without waiting for any writer.
"""

from __future__ import annotations

import os
import select
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InvalidatePoolError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from core.config import ConfigError

SQLITE_BEGIN = "interviewbot_sqlite_begin"  # execution option: IMMEDIATE (writers) or DEFERRED
BUSY_TIMEOUT_MS = 30_000


# A pooled connection idle longer than this is pinged before use (see _check_on_checkout).
PING_IDLE_AFTER_SECONDS = 10.0


def make_engine(
    url: str, *, echo: bool = False, ping_idle_after: float = PING_IDLE_AFTER_SECONDS
) -> Engine:
    """Create an engine; SQLite gets WAL, and BEGIN IMMEDIATE for writers only (see above).

    `ping_idle_after`: seconds a MySQL connection may sit in the pool before its checkout
    pings it (a connection closed by the server is found without a ping at any age)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"DATABASE_URL: not a valid database URL ({exc})") from None
    if parsed.drivername == "mysql":
        parsed = parsed.set(drivername="mysql+pymysql")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    engine = create_engine(
        parsed,
        echo=echo,
        pool_pre_ping=False,  # a ping only when needed: see _check_on_checkout
        pool_recycle=280,
        pool_size=10,
        max_overflow=40,
        # The connection returned last is handed out first: at light traffic one connection
        # stays busy (no idle ping) instead of each in turn idling past ping_idle_after.
        pool_use_lifo=True,
        pool_reset_on_return=None,  # see _roll_back_only_open_transactions
        # READ COMMITTED: after a duplicate-key error the winner's row must be visible to us.
        isolation_level="READ COMMITTED",
        connect_args={"charset": "utf8mb4"},
    )
    _roll_back_only_open_transactions(engine)
    _check_on_checkout(engine, ping_idle_after)
    if parsed.get_driver_name() == "pymysql":
        _share_tls_contexts(engine)
    return engine


def _share_tls_contexts(engine: Engine) -> None:
    """Build each TLS context once per engine instead of once per connection.

    PyMySQL builds an SSLContext for every connection it opens, loading the system's CA
    certificates each time (tens of ms): with no TLS options it still builds one to offer TLS
    ("preferred"), and with the URL's ssl_ca (TiDB Cloud) it loads that file too. A context
    with the same options is interchangeable, so the engine's connections share it; what is
    asked of the server, and whether TLS is required, stay PyMySQL's decisions."""
    import pymysql.connections

    contexts: dict[str, Any] = {}

    class _Connection(pymysql.connections.Connection):
        def _create_ssl_ctx(self, sslp: Any) -> Any:
            key = repr(sorted(sslp.items())) if isinstance(sslp, dict) else None
            if key is None:  # an SSLContext passed in: PyMySQL uses it as it is
                return super()._create_ssl_ctx(sslp)
            context = contexts.get(key)
            if context is None:  # two threads may both build it: either one will do
                context = contexts[key] = super()._create_ssl_ctx(sslp)
            return context

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        return _Connection(*cargs, **cparams)


RETURNED_AT = "interviewbot_returned_at"  # in a pooled connection's info: monotonic seconds


def _check_on_checkout(engine: Engine, ping_idle_after: float) -> None:
    """Find a dead pooled connection at checkout without a round trip in the common case.

    The pool's pre-ping sent a ping at every checkout: one round trip per unit of work (four
    of an answer with its next question). A connection the server ended (KILL, its restart,
    wait_timeout) has its socket closed by the server, so the socket reads as ready (the FIN,
    or an error packet before it), while a live idle connection never has anything to read:
    that check is a poll of the socket, no traffic. Such a connection, and one idle longer
    than `ping_idle_after` (a middlebox may drop an idle one without a word), is pinged; a
    failed ping invalidates the pool, as the pre-ping did, and the checkout reconnects. The
    window left, a connection ended between this check and its first statement, is the one
    the pre-ping left between its ping and the statement."""

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.pop(RETURNED_AT, None)
        if returned_at is None:  # just connected (or reconnected): nothing to doubt yet
            return
        idle = time.monotonic() - returned_at
        if idle < ping_idle_after and not _may_be_closed(dbapi_connection):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise InvalidatePoolError(f"pooled connection failed its ping: {exc!r}") from exc
        if not alive:
            raise InvalidatePoolError("pooled connection failed its ping")


def _may_be_closed(dbapi_connection: Any) -> bool:
    """True when the driver's socket has something to read while no query is running (the
    server closed it, or said why before closing), or cannot be looked at: ping then."""
    sock = getattr(dbapi_connection, "_sock", None)  # PyMySQL's; other drivers: always ping
    if sock is None:
        return True
    try:
        if sock.fileno() < 0:
            return True
        pending = getattr(sock, "pending", None)  # TLS: bytes already decrypted and buffered
        if pending is not None and pending() > 0:
            return True
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    except (OSError, ValueError):
        return True


OPEN_TRANSACTION = "interviewbot_open_transaction"  # in a pooled connection's info


def _roll_back_only_open_transactions(engine: Engine) -> None:
    """Roll back a connection handed back to the pool only if a transaction may be open on it.

    The pool's default is a ROLLBACK on every return, but a unit of work returns its connection
    right after its COMMIT: a round trip that ends nothing, once per unit of work (3 of an
    answer's ~25). The events below follow each connection's transaction: open from its BEGIN
    (SQLAlchemy's, autobegun with the first statement) until its COMMIT or ROLLBACK, and open
    again after any error (a failed COMMIT may have ended nothing). Whatever is not known to be
    ended is rolled back on return, as before: that includes a connection used through the
    driver alone (`raw_connection`), which no event sees, as it counts open from its checkout."""

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        record.info[OPEN_TRANSACTION] = True

    @event.listens_for(engine, "begin")
    def _began(connection: Any) -> None:
        connection.info[OPEN_TRANSACTION] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(connection: Any) -> None:
        connection.info[OPEN_TRANSACTION] = False

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        # An invalidated connection is not reused as it is (its record reconnects, and the
        # checkout marks it open again); touching its info would try to reconnect here.
        if context.connection is not None and not context.connection.invalidated:
            context.connection.info[OPEN_TRANSACTION] = True

    @event.listens_for(engine, "reset")
    def _on_return(dbapi_connection: Any, record: Any, state: Any) -> None:
        info = record.info if record is not None else {}
        if info.get(OPEN_TRANSACTION, True):
            dbapi_connection.rollback()
        info[OPEN_TRANSACTION] = False


def _sqlite_engine(url: Any, *, echo: bool) -> Engine:
    database = url.database
    on_disk = bool(database) and database != ":memory:"
    if on_disk:
        _ensure_sqlite_folder(Path(database).expanduser())
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=80,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not pysqlite) emit BEGIN, so the kind of BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and later writes fails at once ("database is
        # locked") when another writer committed in between; taking the write lock up front
        # makes writers queue instead. Read-only units of work begin deferred and never wait.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _ensure_sqlite_folder(path: Path) -> None:
    """Create the database's folder, or say in one line why DATABASE_URL cannot be used."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(
            f"DATABASE_URL: cannot create the folder {folder} for the SQLite database ({reason})"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not path.is_file()):
        raise ConfigError(f"DATABASE_URL: cannot write the SQLite database {path}")


class _ReadingSession(Session):
    """A session that only reads unless told otherwise: its autobegun transactions are deferred
    on SQLite; an explicit `begin()` announces writes and takes the write lock up front."""

    def begin(self, nested: bool = False) -> SessionTransaction:
        transaction = super().begin(nested)
        if not nested:
            self.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
        return transaction


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Any]:
    """Sessions for writers (the default) or for readers (deferred transactions on SQLite)."""
    if read_only:
        return sessionmaker(
            bind=engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}),
            class_=_ReadingSession,
            expire_on_commit=False,
            autoflush=False,
        )
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
