"""Text beyond Latin-1 on MySQL/MariaDB: tables are created and migrated in utf8mb4, even in
a database whose default character set is latin1 (MariaDB's and older MySQL's default)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text

from core import services
from core.adapters.sql import migrate
from core.adapters.sql.database import make_engine
from core.domain.results import AnswerStatus
from tests.conftest import MYSQL_ADMIN_URL
from tests.integration.wiring import database_of_our_own, slack, wire

ANSWER = (
    "Индекс ускоряет чтение 📈 but slows writes; 索引占用磁盘空间 — a B-tree 🌲 keeps keys sorted."
)
DISPLAY_NAME = "Zoë 🦊 Łukasz 李"

COLLATIONS = text(
    """
    SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE()
    """
)
NON_UTF8MB4_COLUMNS = text(
    """
    SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL
      AND CHARACTER_SET_NAME <> 'utf8mb4'
    """
)


@pytest.fixture
def latin1_database(mysql_database: str) -> Iterator[str]:
    """A database created with CHARACTER SET latin1 (`mysql_database` checks the server is up)."""
    with database_of_our_own(MYSQL_ADMIN_URL, charset="latin1") as url:
        yield url


def assert_all_utf8mb4(engine: Engine) -> None:
    with engine.connect() as connection:
        default = connection.execute(text("SELECT @@character_set_database")).scalar()
        tables = dict(connection.execute(COLLATIONS).all())
        columns = connection.execute(NON_UTF8MB4_COLUMNS).all()
    assert default == "latin1"  # the database's default really is latin1
    assert "interview_sessions" in tables and "alembic_version" in tables
    assert {t: c for t, c in tables.items() if not c.startswith("utf8mb4")} == {}
    assert columns == []


def test_the_whole_answer_path_on_a_latin1_database(latin1_database: str) -> None:
    engine = make_engine(latin1_database)
    migrate.upgrade(engine)
    assert_all_utf8mb4(engine)
    engine.dispose()
    core = wire(latin1_database, "memory://utf8mb4-path")
    try:
        where = slack("U-zoë", "t-🦊")
        started = services.start_session(
            core.deps, conversation=where, role="backend", display_name=DISPLAY_NAME
        )
        outcome = services.answer_in_conversation(
            core.deps, conversation=where, text=ANSWER, delivery_id="m-1"
        )
        assert outcome.status is AnswerStatus.EVALUATED
        scope = services.scope_for_user(core.deps, user=where.user_ref)
        detail = services.session_detail(core.deps, scope=scope, session_id=started.session.id)
        assert detail is not None
        assert detail.entries[0][1].answer == ANSWER  # type: ignore[union-attr]
        assert detail.session.conversation.thread == "t-🦊"
        listed = services.list_sessions(core.deps, scope=scope)
        assert [item.session.id for item in listed.items] == [started.session.id]
        exported = list(services.export_history(core.deps, scope=scope))
        assert exported[0]["answer"] == ANSWER
        with core.deps.uow(read_only=True) as uow:
            identity = uow.identities.find(where.user_ref)
        assert identity is not None and identity.display_name == DISPLAY_NAME
        summary = services.end_session(
            core.deps, session_id=started.session.id, actor=where.user_ref
        )
        assert summary.answered == 1
    finally:
        core.close()


def test_tables_created_before_the_charset_was_stated_are_converted(latin1_database: str) -> None:
    """Simulates an installation migrated by the old 0001–0003 (tables in latin1, data in them)."""
    engine = make_engine(latin1_database)

    def as_before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        return statement.replace("CHARSET=utf8mb4", ""), params

    event.listen(engine, "before_cursor_execute", as_before, retval=True)
    migrate.upgrade(engine, "0003")
    event.remove(engine, "before_cursor_execute", as_before)
    with engine.begin() as connection:
        collations = dict(connection.execute(COLLATIONS).all())
        assert collations["identities"].startswith("latin1")  # the state the issue found
        connection.execute(
            text(
                "INSERT INTO identities (platform, tenant, external_user, display_name, created_at)"
                " VALUES ('slack', 'T1', 'U-old', 'Renée Café', NOW())"
            )
        )
    migrate.upgrade(engine)
    assert_all_utf8mb4(engine)
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT display_name FROM identities WHERE external_user = 'U-old'")
        ).scalar()
        rules = dict(
            connection.execute(
                text(
                    "SELECT CONSTRAINT_NAME, DELETE_RULE FROM information_schema"
                    ".REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
                )
            ).all()
        )
    assert kept == "Renée Café"  # converted, not mangled
    assert rules["fk_identities_web_user_id_users"] == "SET NULL"  # the key is back as it was
    assert rules["fk_access_tokens_user_id_users"] == "CASCADE"  # 0009, after the conversion
    assert len(rules) >= 7  # every key of 0001–0003 survives; later migrations add more
    engine.dispose()
    core = wire(latin1_database, "memory://utf8mb4-converted")
    try:
        where = slack("U-old", "t-1")
        services.start_session(core.deps, conversation=where, role="backend", display_name="x")
        outcome = services.answer_in_conversation(
            core.deps, conversation=where, text=ANSWER, delivery_id="m-1"
        )
        assert outcome.attempt.answer == ANSWER
    finally:
        core.close()


def test_the_migrations_still_run_on_sqlite_and_0005_changes_nothing_there(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(engine, "0004")
    with engine.connect() as connection:
        before = connection.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).all()
    migrate.upgrade(engine, "0005")
    with engine.connect() as connection:
        after = connection.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).all()
    assert before == after
    migrate.upgrade(engine)  # and the later ones still run after it
    assert migrate.is_up_to_date(engine)
    engine.dispose()


def test_a_display_name_with_broken_text_is_cleaned_not_a_server_error(
    latin1_database: str,
) -> None:
    """A lone surrogate (undecodable bytes), control characters, or a name longer than the
    column: the start goes ahead with the printable part, never a 500."""
    engine = make_engine(latin1_database)
    migrate.upgrade(engine)
    engine.dispose()
    core = wire(latin1_database, "memory://utf8mb4-names")
    try:
        broken = "Ann\udcff\x00 \u0301Lee 🦊" + "x" * 300
        where = slack("U-ann", "t-1")
        services.start_session(core.deps, conversation=where, role="backend", display_name=broken)
        with core.deps.uow(read_only=True) as uow:
            identity = uow.identities.find(where.user_ref)
        assert identity is not None and identity.display_name is not None
        assert identity.display_name.startswith("Ann \u0301Lee 🦊x")
        assert len(identity.display_name) == 128
        assert services.clean_display_name("\x00\udcff  ") is None
    finally:
        core.close()
