"""An answer and a "next question" cost the same number of SQL statements at question 1 and at
question 30: one query per collection, no per-row loads (a count, never a timing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from core import services
from core.adapters.offline.evaluator import OfflineEvaluator
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain.model import ConversationRef
from tests.fakes import ScriptedEvaluator, ScriptedWriter

# Per answer: 1 to load the interview (the session locked, its questions and answers joined),
# 1 to store the answer, 2 to store the evaluation and its tags, 2 to reschedule what it
# reviewed (the person's latest cards, the new ones): 6. A model that was really called adds
# the row recording its cost: 7. Per next question: the interview, when the person last saw
# the pool's questions, the new question: 3 (and the session's activity, once 10 minutes old).
MAX_PER_ANSWER = {"offline": 6, "model": 7}
MAX_PER_NEXT = 4


@contextmanager
def counted(core: Core) -> Iterator[list[str]]:
    """The statements run inside the block (transaction control, BEGIN, not counted)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(statement)

    event.listen(core.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(core.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("grader", ["offline", "model"])
def test_answer_and_next_cost_the_same_at_question_1_and_30(backend, grader: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        max_questions_per_session=40,
        _env_file=None,  # type: ignore[call-arg]
    )
    evaluator = OfflineEvaluator() if grader == "offline" else ScriptedEvaluator()
    core = build_core(settings, auto_migrate=True, llm=(evaluator, ScriptedWriter()))
    try:
        where = ConversationRef("slack", "T1", "C1", "U-long", thread="t-long")
        started = services.start_session(
            core.deps, conversation=where, role="backend", difficulty="easy", questions=31
        )
        answers, nexts = {}, {}
        for n in range(1, 31):
            with counted(core) as answer_statements:
                services.answer_in_conversation(
                    core.deps,
                    conversation=where,
                    text=f"Answer {n}: a cache keeps hot rows in memory so reads are fast.",
                    delivery_id=f"m{n}",
                )
            with counted(core) as next_statements:
                services.next_question(
                    core.deps, session_id=started.session.id, after_position=n, actor=where.user_ref
                )
            answers[n], nexts[n] = len(answer_statements), len(next_statements)
        queue = services.review_queue(core.deps, user=where.user_ref)
        asked = services.interview_of(
            core.deps, session_id=started.session.id, actor=where.user_ref
        ).bank_ids()
    finally:
        core.close()
    assert answers[1] == answers[30] <= MAX_PER_ANSWER[grader], answers
    assert nexts[1] == nexts[30] <= MAX_PER_NEXT, nexts
    # The counted path did reschedule: every question asked (the pool repeats once exhausted)
    # and the improvement tag the scripted grader names (the grading policy may add more).
    assert asked | {"depth"} <= {c.key.item for c in queue.cards}
