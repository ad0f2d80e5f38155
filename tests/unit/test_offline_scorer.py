"""Behaviour of the offline scorer, evaluator and follow-up writer (no network, deterministic)."""

from __future__ import annotations

import importlib.util
import statistics
import time
from pathlib import Path
from types import ModuleType

import pytest

from core.adapters.offline.bank import load_shipped_questions
from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.adapters.offline.keypoints import derive_key_points
from core.adapters.offline.scorer import score_answer
from core.adapters.offline.text import content_terms, fuzzy_equal, term
from core.domain.model import Evaluation, Question
from core.domain.roles import Difficulty, Role
from core.domain.stemmer import stem
from core.domain.tags import known_tags

ROOT = Path(__file__).resolve().parents[2]

TCP = Question(
    role=Role.BACKEND,
    difficulty=Difficulty.MEDIUM,
    text="What is the difference between TCP and UDP, and when would you use each?",
    reference_answer=(
        "TCP is connection-oriented: a handshake sets up a connection, delivery is reliable and "
        "ordered because lost packets are retransmitted, and flow and congestion control slow the "
        "sender down. UDP is connectionless and sends independent datagrams with no delivery or "
        "ordering guarantee, so it has less overhead and latency. Use TCP for web pages, APIs and "
        "file transfer; use UDP for real-time audio, video, games and DNS lookups."
    ),
    key_points=(
        "TCP is connection-oriented and sets up a connection with a handshake",
        "TCP guarantees reliable, ordered delivery by retransmitting lost packets",
        "TCP has flow and congestion control",
        "UDP is connectionless with no delivery or ordering guarantee",
        "UDP has lower overhead and latency",
        "Use UDP for real-time media, games and DNS; TCP for web, APIs and file transfer",
    ),
    topics=("networking",),
)
STRONG = (
    "TCP opens a connection first with a three-way handshake and then guarantees that bytes "
    "arrive reliably and in order, resending any packet that gets lost; it also does flow "
    "control and congestion control. UDP doesn't set up a connection at all, it just fires off "
    "datagrams with no guarantee they arrive or arrive in order, which makes it lighter and lower "
    "latency. So I'd pick TCP for HTTP APIs or file downloads and UDP for video calls, online "
    "games or DNS queries."
)
PARTIAL = "TCP is reliable because it retransmits lost packets, UDP is not reliable."
OFF_TOPIC = "I usually deploy my React apps on Vercel because the free tier is generous."

SHORT_Q = Question(
    role=Role.BACKEND,
    difficulty=Difficulty.EASY,
    text="What is the role of a load balancer?",
    reference_answer="It spreads incoming requests across several servers so no single server is "
    "overloaded.",
    key_points=(),
)


def evaluate(question: Question, answer: str) -> Evaluation:
    return OfflineEvaluator().evaluate(question, answer).evaluation


# ---------------------------------------------------------------- ordering and penalties


def test_strong_paraphrase_beats_partial_beats_off_topic() -> None:
    strong, partial, off = (evaluate(TCP, a).score for a in (STRONG, PARTIAL, OFF_TOPIC))
    assert strong >= 7.5
    assert strong - partial >= 2.0
    assert partial - off >= 1.5
    assert off <= 1.5


def test_reference_only_path_orders_answers() -> None:
    """With no key points (the `evaluate` CLI) the reference is split into points itself."""
    good = evaluate(
        SHORT_Q,
        "It distributes the incoming traffic over many servers so none of them gets overloaded.",
    ).score
    partial = evaluate(SHORT_Q, "It sends requests to servers.").score
    wrong = evaluate(SHORT_Q, "It encrypts the data stored in the database.").score
    assert good >= 7.5 > partial > wrong
    assert wrong <= 3.0


@pytest.mark.parametrize(
    "answer",
    ["", "   ", "fine", "idk", "yes", "I don't know", "not sure, sorry", "?", "pass"],
)
def test_non_answers_score_near_zero_without_strengths(answer: str) -> None:
    evaluation = evaluate(TCP, answer)
    assert evaluation.score <= 1.5
    assert evaluation.strengths == ()
    assert evaluation.missing  # every key point is still there to learn


@pytest.mark.parametrize(
    "answer",
    [
        TCP.text,
        "The difference between TCP and UDP, and when you would use each of them.",
        "TCP and UDP are different.",
    ],
)
def test_restating_the_question_scores_low(answer: str) -> None:
    evaluation = evaluate(TCP, answer)
    assert evaluation.score <= 1.5
    assert evaluation.strengths == ()
    assert "relevance" in evaluation.tags


def test_off_topic_is_said_plainly() -> None:
    evaluation = evaluate(TCP, OFF_TOPIC)
    assert evaluation.strengths == ()
    assert evaluation.tags[0] == "relevance"
    assert "does not address the question" in evaluation.feedback


def test_one_word_answer_to_a_big_question_is_capped() -> None:
    evaluation = evaluate(TCP, "reliability")
    assert evaluation.score <= 2.5
    assert "communication" in evaluation.tags or "completeness" in evaluation.tags


def test_wrong_complexity_claim_costs_credit() -> None:
    question = Question(
        role=Role.BACKEND,
        difficulty=Difficulty.EASY,
        text="What is the time complexity of binary search and what does it need?",
        reference_answer="O(log n), because it halves the range each step; the input must be "
        "sorted.",
        key_points=(),
    )
    right = evaluate(question, "It is O(log n) since each step halves the sorted range.").score
    wrong = evaluate(question, "It is O(n^2) since each step halves the sorted range.").score
    assert right - wrong >= 2.0


# ---------------------------------------------------------------- feedback, tags, determinism


def test_feedback_names_covered_and_missing_points() -> None:
    evaluation = evaluate(TCP, PARTIAL)
    assert any("retransmitting lost packets" in s for s in evaluation.strengths)
    assert "TCP has flow and congestion control" in evaluation.missing
    assert '"TCP has flow and congestion control"' in evaluation.feedback
    assert "You covered" in evaluation.feedback


@pytest.mark.parametrize(
    "answer", [STRONG, PARTIAL, OFF_TOPIC, "", "idk", "udp tcp fast", TCP.text]
)
def test_tags_come_from_the_taxonomy(answer: str) -> None:
    tags = evaluate(TCP, answer).tags
    assert set(tags) <= set(known_tags())
    assert len(tags) <= 3


def test_partial_answer_is_tagged_for_what_it_missed() -> None:
    assert "completeness" in evaluate(TCP, PARTIAL).tags


def test_scoring_is_deterministic() -> None:
    first = evaluate(TCP, STRONG)
    for _ in range(3):
        assert evaluate(TCP, STRONG) == first
    breakdown = score_answer(question=TCP.text, reference=TCP.reference_answer, answer=PARTIAL)
    assert breakdown == score_answer(
        question=TCP.text, reference=TCP.reference_answer, answer=PARTIAL
    )


def test_evaluation_fields() -> None:
    reply = OfflineEvaluator("v7").evaluate(TCP, STRONG)
    evaluation = reply.evaluation
    assert reply.usage is None
    assert evaluation.provider == "offline"
    assert evaluation.prompt_version == "offline-scorer-2/v7"
    assert OfflineEvaluator().prompt_version == "offline-scorer-2/v1"
    assert evaluation.ideal_answer == TCP.reference_answer
    assert set(evaluation.criteria) == {"correctness", "depth", "communication"}
    assert all(0 <= v <= 10 for v in evaluation.criteria.values())
    assert 0 <= evaluation.score <= 10
    assert evaluation.score == round(evaluation.score, 1)


def test_behavioral_story_beats_a_one_liner() -> None:
    question = next(q for q in load_shipped_questions() if q.role is Role.BEHAVIORAL)
    story = evaluate(question, question.reference_answer)
    one_liner = evaluate(question, "We did the project and it went well.")
    assert story.score >= 8.0
    assert one_liner.score <= 3.5
    assert {"star-structure", "impact", "reflection"} & set(one_liner.tags)


# ---------------------------------------------------------------- follow-ups


def test_follow_up_is_built_from_the_first_gap() -> None:
    evaluation = evaluate(TCP, PARTIAL)
    follow = OfflineQuestionWriter().follow_up(TCP, PARTIAL, evaluation).question
    gap = evaluation.missing[0]
    assert follow.key_points[0] == gap
    assert gap in follow.text
    assert follow.text.startswith("You did not cover")
    assert gap.rstrip(".") in follow.reference_answer
    assert (follow.role, follow.difficulty, follow.topics) == (TCP.role, TCP.difficulty, TCP.topics)
    assert follow.bank_id is None
    assert 1 <= len(follow.key_points) <= 3


def test_follow_up_probes_deeper_when_nothing_was_missing() -> None:
    evaluation = evaluate(TCP, TCP.reference_answer)
    assert evaluation.missing == ()
    follow = OfflineQuestionWriter().follow_up(TCP, TCP.reference_answer, evaluation).question
    assert "trade-offs" in follow.text
    assert follow.key_points and follow.reference_answer
    assert follow.bank_id is None


# ---------------------------------------------------------------- the shipped bank


BANK = load_shipped_questions()


@pytest.mark.parametrize("question", BANK, ids=lambda q: q.bank_id)
def test_bank_reference_answers_score_high(question: Question) -> None:
    evaluation = evaluate(question, question.reference_answer)
    assert evaluation.score >= 8.0, evaluation.feedback


def test_another_questions_reference_scores_low() -> None:
    scores = []
    for i, question in enumerate(BANK):
        # The same position in the next role's list: a different role, so a different subject.
        other = next(
            BANK[(i + step) % len(BANK)]
            for step in range(27, len(BANK), 27)
            if BANK[(i + step) % len(BANK)].role is not question.role
        )
        own = evaluate(question, question.reference_answer).score
        borrowed = evaluate(question, other.reference_answer).score
        assert borrowed < own, (question.bank_id, other.bank_id)
        scores.append(borrowed)
    assert statistics.mean(scores) <= 3.0
    assert statistics.median(scores) <= 2.5


def test_scoring_is_fast() -> None:
    questions = BANK[:60]
    evaluate(questions[0], questions[0].reference_answer)  # warm the caches
    started = time.perf_counter()
    for i, question in enumerate(questions):
        evaluate(question, questions[(i + 7) % len(questions)].reference_answer)
    per_answer = (time.perf_counter() - started) / len(questions)
    assert per_answer < 0.010


# ---------------------------------------------------------------- text normalisation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("db", "database"),
        ("k8s", "kubernetes"),
        ("ms", "milliseconds"),
        ("auth", "authentication"),
        ("methods", "function"),
        ("optimise", "optimizing"),
        ("faster", "quick"),
        ("leaves", "leaf"),
    ],
)
def test_synonyms_meet(a: str, b: str) -> None:
    assert term(a) == term(b)


def test_phrases_and_abbreviations_meet() -> None:
    assert content_terms("FIFO order") == content_terms("first-in, first-out order")
    assert content_terms("runs in O(1)") == content_terms("runs in constant time")
    assert "not" in content_terms("it doesn't block")
    assert content_terms("recent") == ["recent"]  # "-nt" is not a contraction


def test_stemmer_and_misspellings() -> None:
    assert stem("connections") == stem("connected") == "connect"
    assert stem("retransmitting") == stem("retransmits")
    assert fuzzy_equal(term("recieves"), term("receives"))
    assert fuzzy_equal(term("algorithyms"), term("algorithms"))
    assert not fuzzy_equal(term("batch"), term("patch"))


def test_derived_key_points_split_clauses() -> None:
    points = derive_key_points(TCP.reference_answer)
    assert 3 <= len(points) <= 7
    assert derive_key_points("File scope.") == ["File scope"]


# ---------------------------------------------------------------- agreement with human grades


def _benchmark() -> ModuleType:
    path = ROOT / "benchmarks" / "scorer_agreement.py"
    spec = importlib.util.spec_from_file_location("scorer_agreement", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scorer_tracks_human_grades_better_than_the_baseline() -> None:
    bench = _benchmark()
    rows = bench.load(ROOT / "benchmarks" / "data" / "cs_short_answers.jsonl")
    gold = [r["grade"] for r in rows]
    ours = bench.pearson(bench.scorer_scores(rows), gold)
    base = bench.pearson(bench.baseline_scores(rows), gold)
    assert ours >= 0.75
    assert ours - base >= 0.1
