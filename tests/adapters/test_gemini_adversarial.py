"""The issue's adversarial suite through Gemini: the real SDK, the stub, the worst plausible model.

For each question, five answers built from its own material (the reference, its keywords, its
words shuffled, the question echoed, every sentence denied) go through the real google-genai SDK
to the stub, whose "model" claims every key point covered with a score of 10 and quotes words
that really are in the answer. Only the grading policy stands between these answers and a 10;
the targets are the offline scorer's (issue 9).

Speed: ~10 ms per evaluation (the SDK's schema conversion, loopback HTTP, the policy), so the
default run takes a deterministic stratified sample — the first and the middle question of every
role × difficulty pool, 60 questions across all 10 roles — with the quoting style alternating
(the matching piece of the answer, or the whole answer). INTERVIEWBOT_ADVERSARIAL_FULL=1 runs
the whole bank (270 questions) with both quoting styles.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from core.adapters.offline.bank import ShippedQuestionBank
from core.domain.model import Question
from core.domain.roles import Difficulty, Role
from core.services.grading import grade_answer
from tests.adapters.adversarial import KINDS, adversarial_answers, worst_case_model
from tests.adapters.gemini_stub import GeminiStub
from tests.adapters.gemini_support import API_KEY, FakeSleep, make_evaluator

FULL = os.environ.get("INTERVIEWBOT_ADVERSARIAL_FULL") == "1"
# Mean score per kind after the policy: at most (keywords, shuffled, echo, negated), at least
# (reference).
TARGETS = {
    "keywords": ("<=", 2.5),
    "shuffled": ("<=", 2.5),
    "echo": ("<=", 2.5),
    "negated": ("<=", 4.0),
    "reference": (">=", 7.0),
}


@dataclass(frozen=True)
class Graded:
    bank_id: str
    quoting: str
    score: float
    flags: tuple[str, ...]


def sample() -> list[tuple[Question, str]]:
    """(question, quoting style) pairs: a stratified sample, or the whole bank twice."""
    bank = ShippedQuestionBank()
    chosen: list[tuple[Question, str]] = []
    for role in Role:
        for difficulty in Difficulty:
            pool = list(bank.pool(role, difficulty))
            if FULL:
                chosen += [(q, style) for q in pool for style in ("piece", "whole")]
            elif pool:
                for question in (pool[0], pool[len(pool) // 2]):
                    chosen.append((question, ("piece", "whole")[len(chosen) % 2]))
    return chosen


@pytest.fixture(scope="module")
def graded() -> Iterator[dict[str, list[Graded]]]:
    """Every adversarial answer of the sample, graded through Gemini: one stub, one client."""
    results: dict[str, list[Graded]] = {kind: [] for kind in KINDS}
    with GeminiStub(api_key=API_KEY) as stub:
        evaluator = make_evaluator(stub, FakeSleep())
        for question, quoting in sample():
            stub.responder = worst_case_model(quoting)
            for kind, answer in adversarial_answers(question).items():
                evaluation, _ = grade_answer(evaluator, question, answer)
                results[kind].append(
                    Graded(question.bank_id or "", quoting, evaluation.score, evaluation.flags)
                )
        assert all(r.api_key_valid for r in stub.requests)
    yield results


def test_the_sample_covers_every_role_and_difficulty() -> None:
    chosen = sample()
    assert len({q.bank_id for q, _ in chosen}) >= (270 if FULL else 40)
    assert {(q.role, q.difficulty) for q, _ in chosen} == {(r, d) for r in Role for d in Difficulty}
    assert {style for _, style in chosen} == {"piece", "whole"}


@pytest.mark.parametrize("kind", list(TARGETS))
def test_adversarial_answers_meet_the_targets_through_gemini(
    graded: dict[str, list[Graded]], kind: str
) -> None:
    results = graded[kind]
    mean = statistics.mean(r.score for r in results)
    direction, target = TARGETS[kind]
    outliers = sorted(results, key=lambda r: r.score, reverse=direction == "<=")[:5]
    detail = f"{kind}: mean {mean:.2f} over {len(results)}; furthest: {outliers}"
    assert (mean <= target) if direction == "<=" else (mean >= target), detail


def test_no_gaming_answer_reaches_a_good_score(graded: dict[str, list[Graded]]) -> None:
    """Beyond the means: keyword lists and echoes are capped everywhere, denials never pass."""
    for kind, ceiling in (("keywords", 2.5), ("echo", 2.5), ("negated", 4.0)):
        high = [r for r in graded[kind] if r.score > ceiling]
        assert high == [], f"{kind} above {ceiling}: {high}"


def test_shuffled_words_are_capped_wherever_they_are_read_as_such(
    graded: dict[str, list[Graded]],
) -> None:
    read = [r for r in graded["shuffled"] if {"word-salad", "keyword-dump"} & set(r.flags)]
    assert len(read) >= 0.95 * len(graded["shuffled"])
    assert max(r.score for r in read) <= 2.5
