"""Banks in the core, over the fakes: import makes versions, sessions keep theirs, the cache key
follows the question's version, admins choose a workspace's bank, and a bank's scope holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core import services
from core.banks import read_bank_file
from core.domain.banks import (
    BankAdminsOnly,
    BankLacksQuestions,
    BankNotAllowed,
    InvalidBankName,
    InvalidBankScope,
    UnknownBank,
)
from core.domain.model import BankRef, ConversationRef, UserRef
from core.domain.roles import Difficulty, Role
from core.services.deps import Deps
from core.services.grading import cache_key_of, graded_version
from tests.fakes import ScriptedEvaluator, make_deps

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "banks"
TEAM = read_bank_file(EXAMPLES / "platform-team.yaml")


def here(user: str = "U1", tenant: str = "T1", platform: str = "slack") -> ConversationRef:
    return ConversationRef(platform, tenant, "C1", user, thread=f"th-{user}")


def used_today(deps: Deps, conversation: ConversationRef) -> int:
    return services.quota_status(deps, user=conversation.user_ref).used


def test_each_import_is_a_new_version_and_the_list_shows_the_latest() -> None:
    deps = make_deps()
    first = services.import_bank(deps, document=TEAM, name="platform-team", source="a.yaml")
    second = services.import_bank(deps, document=TEAM, name="platform-team", source="b.csv")
    assert (first.version, second.version) == (1, 2)
    [listed] = services.list_banks(deps)
    assert (listed.name, listed.version, listed.source, listed.question_count) == (
        "platform-team",
        2,
        "b.csv",
        3,
    )
    assert listed.offers() == "backend (medium), devops-sre (easy)"


def test_bad_names_and_scopes_are_refused_before_anything_is_stored() -> None:
    deps = make_deps()
    with pytest.raises(InvalidBankName):
        services.import_bank(deps, document=TEAM, name="Team Bank")
    with pytest.raises(InvalidBankName):
        services.import_bank(deps, document=TEAM, name="builtin")
    with pytest.raises(InvalidBankScope):
        services.import_bank(deps, document=TEAM, name="team", scope="planet:earth")
    assert services.list_banks(deps) == []


def test_an_interview_draws_from_the_bank_and_records_its_version() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="platform-team")
    conversation = here()
    started = services.start_session(
        deps, conversation=conversation, role="backend", difficulty="medium", questions=2,
        bank="platform-team",
    )  # fmt: skip
    assert started.session.bank == BankRef("platform-team", 1)
    first = started.question.question
    assert first.bank_id in ("platform-team:rate-limiter", "platform-team:idempotent-payments")
    assert first.bank_version == 1
    # A re-import while it runs changes nothing for it: its next question is from version 1.
    services.import_bank(deps, document=TEAM, name="platform-team")
    services.answer_in_conversation(
        deps, conversation=conversation, text="An answer about keys.", delivery_id="d1"
    )
    following = services.next_question(
        deps, session_id=started.session.id, after_position=1, actor=conversation.user_ref
    )
    second = following.question.question  # type: ignore[union-attr]
    assert second.bank_version == 1 and second.bank_id != first.bank_id
    assert {first.bank_id, second.bank_id} == {
        "platform-team:rate-limiter",
        "platform-team:idempotent-payments",
    }


def test_a_role_or_level_the_bank_lacks_is_refused_before_the_quota_counts() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="platform-team")
    conversation = here()
    with pytest.raises(BankLacksQuestions, match=r"no frontend medium questions\. It has: "):
        services.start_session(
            deps, conversation=conversation, role="frontend", bank="platform-team"
        )
    with pytest.raises(UnknownBank, match="Banks: builtin, platform-team"):
        services.start_session(deps, conversation=conversation, role="backend", bank="nope")
    assert used_today(deps, conversation) == 0


def test_the_cache_key_follows_an_imported_questions_version() -> None:
    grader = ScriptedEvaluator()
    question = replace(TEAM.questions[0], bank_id="platform-team:rate-limiter", bank_version=1)
    newer = replace(question, bank_version=2)
    shipped = replace(question, bank_id="backend-easy-01", bank_version=None)
    assert cache_key_of(grader, question, "x") != cache_key_of(grader, newer, "x")
    assert cache_key_of(grader, question, "x") == cache_key_of(grader, question, " X ")
    # The shipped bank's questions keep the key they always had (their cached grades stay).
    assert cache_key_of(grader, shipped, "x") == services.evaluation_cache_key(
        grader.provider, graded_version(grader), question.text, "x"
    )
    assert cache_key_of(grader, shipped, "x") != cache_key_of(grader, question, "x")


def test_admins_choose_the_workspace_bank_and_starts_there_use_it() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="platform-team", scope="workspace:T1")
    choose = {"platform": "slack", "tenant": "T1", "name": "platform-team", "by": "U9"}
    with pytest.raises(BankAdminsOnly, match="Only workspace admins"):
        services.use_bank(deps, **choose, is_admin=False)
    assert services.bank_in_use(deps, platform="slack", tenant="T1") is None
    chosen = services.use_bank(deps, **choose, is_admin=True)
    assert chosen is not None and chosen.name == "platform-team"
    started = services.start_session(deps, conversation=here(), role="devops", difficulty="easy")
    assert started.question.question.bank_id == "platform-team:deploy-rollback"
    # Another workspace may neither choose it nor is given it.
    with pytest.raises(BankNotAllowed, match="another Slack workspace"):
        services.use_bank(deps, **(choose | {"tenant": "T2"}), is_admin=True)
    elsewhere = services.start_session(deps, conversation=here(tenant="T2"), role="devops")
    assert elsewhere.session.bank is None and elsewhere.question.question.bank_version is None
    # Back to the built-in bank.
    assert services.use_bank(deps, **(choose | {"name": "builtin"}), is_admin=True) is None
    assert services.bank_in_use(deps, platform="slack", tenant="T1") is None


def test_removing_a_bank_keeps_running_interviews_and_sends_the_workspace_back() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="platform-team")
    services.use_bank(
        deps, platform="discord", tenant="G1", name="platform-team", by="U1", is_admin=True
    )
    conversation = here(platform="discord", tenant="G1")
    running = services.start_session(
        deps, conversation=conversation, role="backend", difficulty="medium", questions=2
    )
    services.remove_bank(deps, name="platform-team")
    assert services.list_banks(deps) == []
    with pytest.raises(UnknownBank):
        services.export_bank(deps, name="platform-team")
    following = services.skip_question(  # the running interview still draws from its version
        deps,
        session_id=running.session.id,
        position=1,
        actor=conversation.user_ref,
        delivery_id="skip-1",
    )
    assert following.question.question.bank_id.startswith("platform-team:")  # type: ignore[union-attr]
    fresh = services.start_session(deps, conversation=here("U2", "G1", "discord"), role="backend")
    assert fresh.session.bank is None


def test_an_adaptive_interview_stays_within_the_levels_its_bank_has() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="platform-team")
    conversation = here()
    started = services.start_session(
        deps, conversation=conversation, role="backend", difficulty="medium", questions=2,
        adaptive=True, bank="platform-team",
    )  # fmt: skip
    asked = started.question.question
    strong = asked.reference_answer + " " + ". ".join(asked.key_points)  # every point, on topic
    answered = services.answer_in_conversation(
        deps, conversation=conversation, text=strong, delivery_id="d1"
    )
    assert answered.evaluation is not None and answered.evaluation.score >= 8  # next: hard
    following = services.next_question(
        deps, session_id=started.session.id, after_position=1, actor=conversation.user_ref
    )
    question = following.question.question  # type: ignore[union-attr]
    assert question.difficulty is Difficulty.MEDIUM and question.role is Role.BACKEND


def test_export_writes_what_imports_back_the_same() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="platform-team")
    exported = services.export_bank(deps, name="platform-team")
    from core.banks import parse_bank

    again = parse_bank("platform-team.yaml", exported.encode())
    assert again.questions == TEAM.questions and again.name == "platform-team"
    assert again.description == TEAM.description


def test_the_terminal_may_use_any_bank_but_a_user_ref_elsewhere_may_not() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="guild-only", scope="guild:G1")
    terminal = ConversationRef("terminal", "local", "terminal", "me", thread="t1")
    started = services.start_session(
        deps, conversation=terminal, role="backend", difficulty="medium", bank="guild-only"
    )
    assert started.session.bank == BankRef("guild-only", 1)
    with pytest.raises(BankNotAllowed):
        services.start_session(
            deps, conversation=here(tenant="G2", platform="discord"), role="backend",
            difficulty="medium", bank="guild-only",
        )  # fmt: skip
    assert services.list_banks(deps, platform="discord", tenant="G2") == []
    assert [b.name for b in services.list_banks(deps, platform="discord", tenant="G1")] == [
        "guild-only"
    ]
    assert UserRef("discord", "G1", "x").tenant == "G1"


def test_a_weak_answer_to_a_bank_question_comes_back_for_review_as_itself() -> None:
    deps = make_deps()
    services.import_bank(deps, document=TEAM, name="team")
    conversation = here()
    started = services.start_session(
        deps, conversation=conversation, role="devops", difficulty="easy", questions=1,
        bank="team",
    )  # fmt: skip
    services.submit_answer(
        deps,
        session_id=started.session.id,
        actor=conversation.user_ref,
        text="no idea",
        delivery_id="d1",
    )
    deps.clock.advance(days=4)  # type: ignore[attr-defined]
    review = services.start_review(deps, conversation=replace(conversation, thread="review-1"))
    asked = review.question.question
    assert (asked.bank_id, asked.bank_version) == ("team:deploy-rollback", 1)
    assert asked.text.startswith("A deploy made error rates jump")
