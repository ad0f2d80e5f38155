"""The question of the day draws from the bank a workspace or server chose, on SQLite + the
stand-in and on MariaDB + Redis: posted, answered, graded and revealed as with the built-in bank;
"never repeat in this channel" follows a question's stable id across re-imports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from core import services
from core.banks import BankDocument
from core.bootstrap import Core
from core.domain.model import Question
from core.domain.qotd import ChannelRef
from core.domain.qotd_notices import QotdEvaluationNotice, QotdQuestionNotice, QotdRevealNotice
from core.domain.roles import Difficulty, Role
from core.services.grading import cache_key_of
from core.services.qotd_answers import submit_qotd_answer
from core.services.schedule import run_due
from tests.qotd.support import (
    ANSWER,
    CHANNEL,
    MORNING,
    RecordingNotifier,
    make_core,
    person,
    qotd_settings,
    set_up,
)


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def core(backend, notifier: RecordingNotifier) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    wired = make_core(qotd_settings(backend), notifier)
    yield wired
    wired.close()


def question(qid: str, text: str, role: Role = Role.BACKEND, level: str = "medium") -> Question:
    return Question(
        role=role,
        difficulty=Difficulty(level),
        text=text,
        reference_answer="A B-tree index keeps the column sorted so lookups read a few pages.",
        key_points=("a sorted structure such as a B-tree", "writes must update the index"),
        bank_id=qid,
    )


THREE = BankDocument(
    questions=tuple(
        question(f"idx-{n}", f"Team question {n}: how does an index help?") for n in (1, 2, 3)
    )
)


def team_bank(core: Core, document: BankDocument = THREE, tenant: str = CHANNEL.tenant) -> None:
    """Import `team` for the workspace and have its admin choose it."""
    services.import_bank(core.deps, document=document, name="team", scope=f"workspace:{tenant}")
    services.use_bank(
        core.deps, platform="slack", tenant=tenant, name="team", by="U-admin", is_admin=True
    )


def day(core: Core, n: int, notifier: RecordingNotifier) -> QotdQuestionNotice:
    """Run the schedule on day `n` at 09:30 (and 17:30, closing it); that day's question."""
    before = len([q for q in notifier.of(QotdQuestionNotice) if not q.replaces])
    core.deps.clock.current = MORNING + timedelta(days=n, hours=1.5)  # type: ignore[attr-defined]
    run_due(core.deps, core.notifiers)
    posted = [q for q in notifier.of(QotdQuestionNotice) if not q.replaces]
    assert len(posted) == before + 1
    return posted[-1]


def test_the_chosen_banks_question_is_posted_graded_and_revealed(
    core: Core, notifier: RecordingNotifier
) -> None:
    team_bank(core)
    set_up(core, days="daily")
    post = day(core, 0, notifier).post
    assert post.question.bank_id in {"team:idx-1", "team:idx-2", "team:idx-3"}
    assert post.question.text.startswith("Team question")
    with core.deps.uow(read_only=True) as uow:
        stored = uow.qotd.get_post(post.id)
    assert stored is not None and stored.question.bank_version == 1  # kept for the cache key

    submit_qotd_answer(core.deps, post_id=post.id, actor=person(1), text=ANSWER, delivery_id="d1")
    [told] = notifier.of(QotdEvaluationNotice)
    assert told.answer.evaluation is not None and told.answer.evaluation.score > 0
    core.deps.clock.current = MORNING + timedelta(hours=9.5)  # type: ignore[attr-defined]
    run_due(core.deps, core.notifiers)
    [reveal] = notifier.of(QotdRevealNotice)
    assert reveal.summary.answered == 1
    assert reveal.summary.post.question.reference_answer == post.question.reference_answer

    corrected = replace(stored.question, bank_version=2, reference_answer="corrected")
    grader = core.deps.evaluator
    assert cache_key_of(grader, stored.question, ANSWER) != cache_key_of(grader, corrected, ANSWER)


def test_no_repeat_in_a_channel_follows_stable_ids_across_a_reimport(
    core: Core, notifier: RecordingNotifier
) -> None:
    team_bank(core)
    set_up(core, days="daily")
    first_two = [day(core, n, notifier).post.question.bank_id for n in (0, 1)]
    edited = BankDocument(
        questions=tuple(replace(q, text=q.text + " (edited)") for q in THREE.questions)
    )
    team_bank(core, edited)  # version 2: the same ids, new texts
    third = day(core, 2, notifier).post.question
    assert third.bank_version == 2 and third.text.endswith("(edited)")
    assert sorted([*first_two, third.bank_id]) == ["team:idx-1", "team:idx-2", "team:idx-3"]
    fourth = day(core, 3, notifier).post.question.bank_id  # the pool is used up: a repeat
    assert fourth in first_two


def test_a_bank_without_the_channels_roles_still_gives_its_own_questions(
    core: Core, notifier: RecordingNotifier
) -> None:
    ops = BankDocument(
        questions=(question("rollback", "How do you roll back?", Role.DEVOPS_SRE, "easy"),)
    )
    team_bank(core, ops)
    set_up(core)  # backend, medium: the bank has none
    assert day(core, 0, notifier).post.question.bank_id == "team:rollback"


def test_another_workspaces_choice_changes_nothing_here(
    core: Core, notifier: RecordingNotifier
) -> None:
    team_bank(core, tenant="T-other")
    set_up(core)
    set_up(core, ChannelRef("slack", "T-other", "C-theirs"))
    core.deps.clock.current = MORNING + timedelta(hours=1.5)  # type: ignore[attr-defined]
    run_due(core.deps, core.notifiers)
    posted = {n.channel: n.post.question for n in notifier.of(QotdQuestionNotice)}
    ours, theirs = posted[CHANNEL.channel], posted["C-theirs"]
    assert ":" not in (ours.bank_id or "") and ours.bank_version is None  # the built-in bank
    assert (theirs.bank_id or "").startswith("team:") and theirs.bank_version == 1
