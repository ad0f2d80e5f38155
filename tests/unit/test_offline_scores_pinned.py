"""The offline scorer's grades of a fixed sample, pinned: caching what depends only on the
question (its stems, derived points, topic tags) must leave every grade exactly as it was.

The figures were recorded before that caching was added. A deliberate change to the scorer or
the policy updates them here, with SCORER_VERSION or POLICY_VERSION bumped beside it (the
evaluation cache key holds both).
"""

from __future__ import annotations

import pytest

from core.adapters.offline.evaluator import OfflineEvaluator
from core.domain.model import Question
from core.domain.roles import Difficulty, Role
from core.services.grading import grade_answer

# Reference-only questions (key points derived from the reference), from
# benchmarks/data/cs_short_answers.jsonl.
PROCESS = (
    "What is the difference between a process and a thread?",
    "A process is an independent program in execution with its own memory address space, while "
    "threads are units of execution inside a process that share the process's memory and "
    "resources. Threads are cheaper to create and switch between, but a crash or bad write in "
    "one thread can affect the whole process.",
)
COMPILER = (
    "What is the difference between a compiler and an interpreter?",
    "A compiler translates the whole source program into machine code or another target "
    "language before it runs, producing an executable. An interpreter executes the program "
    "directly, translating and running it statement by statement at run time, which usually "
    "makes execution slower but development and debugging more interactive.",
)
BINARY_SEARCH = (
    "What is the time complexity of binary search and what does it require of the input?",
    "Binary search runs in O(log n) time because it halves the search interval at every step. "
    "It requires the input to be sorted and to allow random access by index.",
)
ABSTRACT = (
    "What is the difference between an abstract class and an interface?",
    "An abstract class can hold state and implemented methods alongside abstract ones, and a "
    "class can extend only one of them. An interface declares a contract of methods without "
    "state, and a class can implement many interfaces.",
)
# Bank questions with written key points (as shipped when the figures were recorded).
INDEX = Question(
    role=Role.BACKEND,
    difficulty=Difficulty.MEDIUM,
    text="You have a composite index on (customer_id, created_at). Which queries can use it "
    "efficiently and which cannot?",
    reference_answer="A composite B-tree index is sorted by customer_id first and by created_at "
    "within each customer, so it follows the leftmost-prefix rule.",
    key_points=(
        "A composite index is used only when the query filters on its leftmost columns",
        "Equality on customer_id plus a range or ORDER BY on created_at can use the index and "
        "avoid a sort",
        "Filtering only on created_at cannot seek the index",
        "Put equality columns before range columns in a composite index",
    ),
)
EVENTS = Question(
    role=Role.FRONTEND,
    difficulty=Difficulty.EASY,
    text="What are event bubbling and capturing, and what is event delegation?",
    reference_answer="When an event fires on an element, it propagates in three phases: the "
    "capturing phase travels from the window down to the target, the target phase runs "
    "handlers on the element itself, and the bubbling phase travels back up through the "
    "ancestors. Event delegation attaches one listener to a common ancestor and uses "
    "event.target to work out which child was acted on.",
    key_points=(
        "Events propagate through capturing, target and bubbling phases",
        "Event delegation puts one listener on an ancestor and inspects event.target",
        "Delegation handles dynamically added elements and uses fewer listeners",
    ),
)


def _plain(question_and_reference: tuple[str, str]) -> Question:
    question, reference = question_and_reference
    return Question(
        role=Role.BACKEND,
        difficulty=Difficulty.MEDIUM,
        text=question,
        reference_answer=reference,
        key_points=(),
    )


CASES = [
    (_plain(PROCESS), "a thread is a smaller part of a process", 2.5,
     ("completeness", "depth", "concurrency"), ("missing", "partial", "missing", "partial")),
    (_plain(COMPILER), "the compiler makes an exe before running, the interpreter executes the "
     "source directly each time.", 6.4,
     ("completeness", "data-modeling"), ("partial", "covered", "missing")),
    (_plain(BINARY_SEARCH), "log n", 3.0,
     ("depth", "communication", "completeness"), ("partial", "missing")),
    (_plain(ABSTRACT), "They are the same thing.", 0.0,
     ("depth", "communication", "completeness"), ("missing", "missing")),
    (INDEX, "A composite index sorts by customer_id and then created_at, so WHERE customer_id = "
     "42 AND created_at > a date reads one slice in order with no extra sort. A query only on "
     "created_at cannot seek it: those rows are spread over every customer.", 7.9,
     ("completeness", "data-modeling"), ("partial", "covered", "covered", "partial")),
    (INDEX, "It is false that a composite index is used only when the query filters on its "
     "leftmost columns. It is false that filtering only on created_at cannot seek the index.",
     0.0, ("correctness", "completeness", "data-modeling"),
     ("contradicted", "missing", "contradicted", "missing")),
    (EVENTS, "event, fires, element, propagates, three, phases, capturing, phase, travels, "
     "window, target, bubbling, delegation, listener, ancestor, dynamically, added, fewer",
     2.5, ("communication", "completeness"), ("partial", "partial", "partial")),
]  # fmt: skip


@pytest.mark.parametrize(("question", "answer", "score", "tags", "verdicts"), CASES)
def test_the_offline_grade_of_a_pinned_answer_is_unchanged(  # type: ignore[no-untyped-def]
    question, answer, score, tags, verdicts
) -> None:
    evaluation, _ = grade_answer(OfflineEvaluator(), question, answer)
    assert evaluation.score == score
    assert evaluation.tags == tags
    assert tuple(p.verdict.value for p in evaluation.points) == verdicts


def test_a_second_answer_to_the_same_question_is_graded_on_its_own() -> None:
    # What is kept per question must not carry one answer's findings into the next.
    first, _ = grade_answer(
        OfflineEvaluator(), _plain(PROCESS), "a thread is a smaller part of a process"
    )
    echo, _ = grade_answer(OfflineEvaluator(), _plain(PROCESS), PROCESS[0])
    again, _ = grade_answer(
        OfflineEvaluator(), _plain(PROCESS), "a thread is a smaller part of a process"
    )
    assert echo.score < first.score == again.score
    assert echo.tags != first.tags == again.tags
