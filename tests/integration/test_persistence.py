"""Migrations, the read side (history, analytics, export) and linking, on both backends."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from core import services
from core.adapters.sql import migrate
from core.adapters.sql.models import Base, SessionRow, WebUser
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain import ConversationRef, InvalidLinkCode, ServiceUnavailable
from core.domain.history import SessionFilter
from core.domain.model import AttemptStatus
from core.domain.results import SessionSummary
from tests.fakes import ScriptedEvaluator, ScriptedWriter


def conv(user: str, thread: str, platform: str = "slack") -> ConversationRef:
    return ConversationRef(platform, "T1", "C1", user, thread=thread)


def run_interview(core: Core, conversation: ConversationRef, role: str = "backend") -> int:
    started = services.start_session(
        core.deps, conversation=conversation, role=role, difficulty="easy", questions=2
    )
    position = 1
    for n in range(2):
        services.answer_in_conversation(
            core.deps, conversation=conversation, text="word " * (6 + 4 * n), delivery_id=f"{n}"
        )
        services.next_question(
            core.deps,
            session_id=started.session.id,
            after_position=position,
            actor=conversation.user_ref,
        )
        position += 1
    return started.session.id


def test_code_runs_on_a_newer_schema_but_not_an_older_one(core: Core) -> None:
    """A deploy migrates before it updates the functions; a rollback keeps the newer schema."""
    from sqlalchemy import text

    with core.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    assert migrate.is_usable(core.engine) and not migrate.is_up_to_date(core.engine)
    with core.engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"),
            {"head": migrate.head_revision()},
        )
    migrate.downgrade(core.engine, "0001")
    assert not migrate.is_usable(core.engine)  # known and older: run `interviewbot migrate`
    migrate.upgrade(core.engine)
    assert migrate.is_usable(core.engine)


def _library_owned(diff: tuple) -> bool:  # type: ignore[type-arg]
    """A removal that autogenerate proposes for a table (or its index) slack_sdk owns."""
    kind, obj = diff[0], diff[1]
    table = obj if kind == "remove_table" else getattr(obj, "table", None)
    return kind.startswith("remove_") and table is not None and table.name.startswith("slack_")


def test_migrations_go_down_and_up_and_match_the_models(core: Core) -> None:
    migrate.downgrade(core.engine, "base")
    assert migrate.current_revision(core.engine) is None
    migrate.upgrade(core.engine)
    assert migrate.is_up_to_date(core.engine) and migrate.is_usable(core.engine)
    with core.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        # Tables that libraries own (slack_sdk's installation store) live in our migrations
        # but not in our models.
        diff = [d for d in compare_metadata(context, Base.metadata) if not _library_owned(d)]
    assert diff == []


def test_history_pages_filters_and_scope(core: Core) -> None:
    alice_sessions = [run_interview(core, conv("U-alice", f"a{n}")) for n in range(3)]
    bob_session = run_interview(core, conv("U-bob", "b1"), role="frontend")
    alice = services.scope_for_user(core.deps, user=conv("U-alice", "x").user_ref)
    bob = services.scope_for_user(core.deps, user=conv("U-bob", "x").user_ref)

    first = services.list_sessions(core.deps, scope=alice, page=1, per_page=2)
    second = services.list_sessions(core.deps, scope=alice, page=2, per_page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (3, 2, 2, 1)
    listed = [i.session.id for i in first.items + second.items]
    assert listed == sorted(alice_sessions, reverse=True)  # newest first
    assert all(i.answered == 2 and i.average_score is not None for i in first.items)
    with_follow_up = conv("U-carol", "c1")
    started = services.start_session(
        core.deps, conversation=with_follow_up, role="backend", difficulty="easy", questions=1
    )
    services.answer_in_conversation(
        core.deps, conversation=with_follow_up, text="an answer", delivery_id="f1"
    )
    services.go_deeper(
        core.deps, session_id=started.session.id, position=1, actor=with_follow_up.user_ref
    )
    services.answer_in_conversation(
        core.deps, conversation=with_follow_up, text="a deeper answer", delivery_id="f2"
    )
    carol = services.scope_for_user(core.deps, user=with_follow_up.user_ref)
    only = services.list_sessions(core.deps, scope=carol).items[0]
    assert only.session.id == started.session.id and only.answered == 1  # not "2 of 1"
    assert (
        services.list_sessions(core.deps, scope=alice, filters=SessionFilter(role="frontend")).total
        == 0
    )
    assert (
        services.list_sessions(core.deps, scope=bob, filters=SessionFilter(role="frontend")).total
        == 1
    )

    detail = services.session_detail(core.deps, scope=alice, session_id=alice_sessions[0])
    assert detail is not None and len(detail.entries) == 2
    assert all(a is not None and a.evaluation for _, a in detail.entries)
    assert services.session_detail(core.deps, scope=alice, session_id=bob_session) is None

    rows = list(services.export_history(core.deps, scope=alice))
    assert len(rows) == 6 and {r["session_id"] for r in rows} == set(alice_sessions)


def test_finish_clicked_twice_returns_the_summary_again(core: Core) -> None:
    """On SQLite a summary read inside the locked transaction would wait for itself."""
    conversation = conv("U-alice", "f1")
    session_id = run_interview(core, conversation)  # ends with Next after the last question
    again = services.next_question(
        core.deps, session_id=session_id, after_position=2, actor=conversation.user_ref
    )
    assert isinstance(again, SessionSummary) and again.already_finished and again.answered == 2


def test_analytics_figures(core: Core) -> None:
    for n in range(2):
        run_interview(core, conv("U-alice", f"a{n}"))
    run_interview(core, conv("U-bob", "b1", platform="discord"), role="frontend")
    alice = services.scope_for_user(core.deps, user=conv("U-alice", "x").user_ref)
    mine = services.analytics(core.deps, scope=alice)
    assert (mine.sessions, mine.attempts, mine.evaluations) == (2, 4, 4)
    assert mine.attempts_per_session == 2.0
    assert [b.key for b in mine.by_role] == ["backend"]
    assert mine.by_tag and mine.by_tag[0].key == "depth" and mine.by_tag[0].count == 4
    assert mine.llm.calls == 4 and mine.llm.input_tokens == 400
    assert mine.score_trend and mine.sessions_per_day[0][1] == 2
    assert mine.streak_days(core.deps.clock.now().date()) == 1
    assert mine.quota_use(3) == pytest.approx(2 / 3) and mine.days_at_limit(2) == 1
    team = services.analytics(core.deps, scope=None)
    assert team.sessions == 3 and {b.key for b in team.by_platform} == {"slack", "discord"}
    assert {b.key for b in team.by_workspace} == {"slack:T1", "discord:T1"}


def test_link_codes_merge_history_and_refuse_bad_codes(core: Core) -> None:
    account = uuid.uuid4()
    with core.session_factory() as db, db.begin():
        db.add(WebUser(id=account, email="a@example.com", hashed_password="x"))
    run_interview(core, conv("U-alice", "a1"))
    web_scope = services.scope_for_web_user(core.deps, web_user_id=str(account))
    assert services.list_sessions(core.deps, scope=web_scope).total == 0

    code = services.issue_link_code(core.deps, user=conv("U-alice", "x").user_ref).code
    with pytest.raises(InvalidLinkCode):
        services.redeem_link_code(core.deps, code="WRNG-CODE", web_user_id=str(account))
    linked = services.redeem_link_code(core.deps, code=code.lower(), web_user_id=str(account))
    assert linked.user.user == "U-alice"
    with pytest.raises(InvalidLinkCode):  # single use
        services.redeem_link_code(core.deps, code=code, web_user_id=str(account))
    web_scope = services.scope_for_web_user(core.deps, web_user_id=str(account))
    assert services.list_sessions(core.deps, scope=web_scope).total == 1

    assert [
        i.user.user for i in services.linked_identities(core.deps, web_user_id=str(account))
    ] == ["U-alice"]
    assert services.unlink_identity(core.deps, web_user_id=str(account), identity_id=linked.id)
    web_scope = services.scope_for_web_user(core.deps, web_user_id=str(account))
    assert services.list_sessions(core.deps, scope=web_scope).total == 0


def test_expired_link_code_is_refused(core: Core) -> None:
    code = services.issue_link_code(core.deps, user=conv("U-alice", "x").user_ref).code
    account = uuid.uuid4()
    with core.session_factory() as db, db.begin():
        db.add(WebUser(id=account, email="b@example.com", hashed_password="x"))

    class Later:
        def now(self):  # type: ignore[no-untyped-def]
            from datetime import UTC, datetime

            return datetime.now(UTC) + timedelta(minutes=11)

    core.deps.clock = Later()
    with pytest.raises(InvalidLinkCode):
        services.redeem_link_code(core.deps, code=code, web_user_id=str(account))


def test_delete_history_removes_every_linked_session(core: Core) -> None:
    account = uuid.uuid4()
    with core.session_factory() as db, db.begin():
        db.add(WebUser(id=account, email="c@example.com", hashed_password="x"))
    run_interview(core, conv("U-alice", "a1"))
    code = services.issue_link_code(core.deps, user=conv("U-alice", "x").user_ref).code
    services.redeem_link_code(core.deps, code=code, web_user_id=str(account))
    assert services.delete_history(core.deps, web_user_id=str(account)) == 2  # chat + web identity
    with core.session_factory() as db:
        assert db.scalar(select(func.count()).select_from(SessionRow)) == 0


def test_redis_unreachable_refuses_clearly_and_writes_nothing(backend) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=backend.database_url,
        redis_url="redis://127.0.0.1:1/0",  # nothing listens on port 1
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, auto_migrate=True, llm=(ScriptedEvaluator(), ScriptedWriter()))
    with pytest.raises(ServiceUnavailable, match="Redis unreachable"):
        services.start_session(
            core.deps, conversation=conv("U-alice", "t"), role="backend", difficulty="easy"
        )
    with pytest.raises(ServiceUnavailable):
        services.quota_status(core.deps, user=conv("U-alice", "t").user_ref)
    with core.session_factory() as db:
        assert db.scalar(select(func.count()).select_from(SessionRow)) == 0
    core.close()


def test_retryable_attempts_skip_hopeless_and_capped_ones_least_recently_tried_first(
    core: Core,
) -> None:
    from datetime import UTC, datetime

    conversation = conv("U-alice", "r1")
    started = services.start_session(
        core.deps, conversation=conversation, role="backend", difficulty="easy", questions=3
    )
    now = datetime.now(UTC)
    with core.deps.uow() as uow:
        ids = []
        for position, (kind, auto, failures) in enumerate(
            [("server", True, 1), ("blocked", False, 1), ("server", True, 5)], start=1
        ):
            if position > 1:  # ask the next question directly: only the rows matter here
                asked = uow.questions.get(started.session.id, 1)
                assert asked is not None
                uow.questions.add(replace(asked, position=position, main_index=position))
            attempt = uow.attempts.add(
                session_id=started.session.id,
                position=position,
                delivery_id=f"d{position}",
                answer="x",
                status=AttemptStatus.PENDING,
                created_at=now,
            )
            for n in range(failures):
                uow.attempts.record_failure(
                    attempt.id,
                    error_kind=kind,
                    auto_retry=auto,
                    at=now - timedelta(minutes=60 - position - n),
                )
            ids.append(attempt.id)
        uow.commit()
        found = uow.attempts.retryable(stuck_before=now, max_failures=5, limit=10)
    assert [a.id for a in found] == [ids[0]]  # not the blocked one, not the one at the cap
    assert found[0].failures == 1 and found[0].error_kind == "server"
