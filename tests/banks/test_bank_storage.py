"""The SQL bank store on SQLite and on MariaDB (the `backend` fixture): versions and their
questions, the latest per name, removal that keeps old versions, a tenant's choice, and a
session that records its bank version and gets its questions back with their versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core import services
from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.banks import read_bank_file
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain.model import BankRef, ConversationRef
from core.domain.roles import Difficulty, Role

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "banks"
TEAM = read_bank_file(EXAMPLES / "platform-team.yaml")


@pytest.fixture
def core(backend: Any) -> Iterator[Core]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
    )
    wired = build_core(
        settings, auto_migrate=True, llm=(OfflineEvaluator(), OfflineQuestionWriter())
    )
    yield wired
    wired.close()


def test_versions_questions_and_removal_are_stored(core: Core) -> None:
    deps = core.deps
    edited = replace(
        TEAM,
        questions=(
            replace(TEAM.questions[0], reference_answer="A corrected answer ✓ (utf8mb4: 🚦)."),
            *TEAM.questions[1:],
        ),
    )
    services.import_bank(deps, document=TEAM, name="team", scope="workspace:T1", source="a.yaml")
    services.import_bank(deps, document=edited, name="team", source="b.md")
    with deps.uow(read_only=True) as uow:
        latest = uow.banks.latest("team")
        assert latest is not None and (latest.version, latest.source) == (2, "b.md")
        assert str(latest.scope) == "global" and latest.description == TEAM.description
        assert set(latest.pools) == {
            (Role.BACKEND, Difficulty.MEDIUM),
            (Role.DEVOPS_SRE, Difficulty.EASY),
        }
        first = uow.banks.version("team", 1)
        assert first is not None and str(first.scope) == "workspace:T1"
        assert uow.banks.questions("team", 1) == list(TEAM.questions)  # file order, file ids
        assert uow.banks.questions("team", 2)[0].reference_answer.endswith("🚦).")
        pool = uow.banks.pool("team", 2, Role.BACKEND, Difficulty.MEDIUM)
        assert [q.bank_id for q in pool] == ["rate-limiter", "idempotent-payments"]
        assert [b.name for b in uow.banks.listing()] == ["team"]
    services.import_bank(deps, document=TEAM, name="other")
    services.remove_bank(deps, name="team")
    with deps.uow(read_only=True) as uow:
        assert uow.banks.latest("team") is None
        assert [b.name for b in uow.banks.listing()] == ["other"]
        assert uow.banks.version("team", 2) is not None  # kept for the sessions that used it
    again = services.import_bank(deps, document=TEAM, name="team")
    assert again.version == 3  # numbering goes on after a removal


def test_a_choice_and_a_session_record_the_bank_version(core: Core) -> None:
    deps = core.deps
    services.import_bank(deps, document=TEAM, name="team")
    services.use_bank(deps, platform="slack", tenant="T1", name="team", by="U9", is_admin=True)
    services.use_bank(deps, platform="slack", tenant="T1", name="team", by="U8", is_admin=True)
    with deps.uow(read_only=True) as uow:
        assert uow.banks.chosen("slack", "T1") == "team"
        assert uow.banks.chosen("discord", "T1") is None
    conversation = ConversationRef("slack", "T1", "C1", "U1", thread="th1")
    started = services.start_session(
        deps, conversation=conversation, role="devops", difficulty="easy", questions=1
    )
    with deps.uow(read_only=True) as uow:
        session = uow.sessions.get(started.session.id)
        asked = uow.questions.get(started.session.id, 1)
    assert session is not None and session.bank == BankRef("team", 1)
    assert asked is not None and asked.question.bank_id == "team:deploy-rollback"
    assert asked.question.bank_version == 1 and asked.question.hint.startswith("Is finding")
    services.use_bank(deps, platform="slack", tenant="T1", name="builtin", by="U9", is_admin=True)
    with deps.uow(read_only=True) as uow:
        assert uow.banks.chosen("slack", "T1") is None
