"""The answer checks behind the grading policy, and the policy's negation rule for quotes.

Each check must fire on the gaming it is for and stay quiet on real answers: the false alarms
below are answers human graders gave full marks (public short-answer sets).
"""

from __future__ import annotations

import random

import pytest

from core.adapters.offline.bank import load_shipped_questions
from core.domain.answer_signals import (
    GradingFlag,
    denial,
    guess_language,
    negation_count,
    read_answer,
    strongly_negated,
)
from core.domain.grading import Assessment, grade
from core.domain.model import PointVerdict, Question, Verdict
from core.domain.roles import Difficulty, Role
from core.domain.text import content_words, fold, negated_root

BANK = load_shipped_questions()
HTTP = next(q for q in BANK if q.bank_id == "backend-easy-01")


def flags(answer: str, question: Question = HTTP) -> frozenset[GradingFlag]:
    return read_answer(
        answer,
        question=question.text,
        reference=question.reference_answer,
        key_points=question.key_points,
    ).flags


def short(text: str, reference: str) -> Question:
    return Question(Role.BACKEND, Difficulty.EASY, text, reference, ())


# ---------------------------------------------------------------- shape


def test_a_keyword_list_is_a_keyword_dump() -> None:
    keywords = ", ".join(dict.fromkeys(content_words(HTTP.reference_answer)))
    assert GradingFlag.KEYWORD_DUMP in flags(keywords)
    assert GradingFlag.KEYWORD_DUMP in flags("GET safe idempotent cached POST body duplicates URL")


def test_a_list_answers_a_question_whose_reference_is_a_list() -> None:
    stack = short("What are the main operations of a stack?", "push and pop")
    assert GradingFlag.KEYWORD_DUMP not in flags("push, pop, peek, isEmpty", stack)


def test_values_given_as_examples_are_not_keywords() -> None:
    question = short("What is a variable?", "A location in memory that can store a value.")
    answer = "a placeholder to hold information; for example an int can hold 1, 2, 3, 4, 68, 72."
    assert GradingFlag.KEYWORD_DUMP not in flags(answer, question)


@pytest.mark.parametrize("question", BANK[::10], ids=lambda q: q.bank_id)
def test_shuffled_references_are_word_salad(question: Question) -> None:
    words = question.reference_answer.split()
    random.Random(question.bank_id).shuffle(words)
    found = flags(" ".join(words), question)
    assert found & {GradingFlag.WORD_SALAD, GradingFlag.KEYWORD_DUMP}


@pytest.mark.parametrize("question", BANK[::10], ids=lambda q: q.bank_id)
def test_references_are_not_flagged(question: Question) -> None:
    assert not flags(question.reference_answer, question)


@pytest.mark.parametrize(
    ("question", "reference", "answer"),
    [
        (
            "What is the main difference between a while and a do...while loop?",
            "The block inside a do...while statement will execute at least once.",
            "A while statement will test the condition of the while loop FIRST - there is a "
            "chance the loop will never run. A do...while loop will ALWAYS run once, and then "
            "the while test will determine if it will run again.",
        ),
        (
            "What is the main advantage of arrays over linked lists?",
            "The elements in an array can be accessed directly (as opposed to linked lists, "
            "which require iterative traversal).",
            "Arrays require less memory than linked lists and allow direct access to a "
            "specified item. Also, insertion and deletion in arrays does not require a list "
            "traversal.",
        ),
    ],
)
def test_well_formed_answers_are_not_word_salad(question: str, reference: str, answer: str) -> None:
    found = flags(answer, short(question, reference))
    assert GradingFlag.WORD_SALAD not in found
    assert GradingFlag.OFF_TOPIC not in found


def test_repeated_text_is_flagged() -> None:
    sentence = "GET reads data without side effects and POST creates a resource. "
    assert GradingFlag.REPEATED_TEXT in flags(sentence * 5)


# ---------------------------------------------------------------- topic


def test_the_question_echoed_back() -> None:
    assert GradingFlag.ECHOES_QUESTION in flags(HTTP.text)


def test_another_topic_is_off_topic() -> None:
    answer = "I usually deploy my React apps on Vercel because the free tier is generous."
    assert GradingFlag.OFF_TOPIC in flags(answer)


@pytest.mark.parametrize(
    ("question", "reference", "answer"),
    [
        (
            "What is the main disadvantage of a doubly-linked list over a basic linked list?",
            "Extra space required to store the back pointers.",
            "they take up twice as much memory for each node",
        ),
        (
            "Carrie wanted to find out which was harder, a penny or a nickel, so she did a "
            "scratch test. How would this tell her which is harder?",
            "The harder coin will scratch the other.",
            "Whichever one was damaged most was less hard.",
        ),
    ],
)
def test_a_paraphrase_of_a_short_reference_is_not_off_topic(
    question: str, reference: str, answer: str
) -> None:
    assert GradingFlag.OFF_TOPIC not in flags(answer, short(question, reference))


def test_two_words_to_a_big_question_are_too_short() -> None:
    assert GradingFlag.TOO_SHORT in flags("idempotent requests")


# ---------------------------------------------------------------- negation


def test_morphological_negation_counts_as_negation() -> None:
    assert negated_root("unlimited") == "limited"
    assert negated_root("connectionless") == "connection"
    assert negated_root("nonblocking") == "blocking"
    for word in ("unique", "under", "unless", "until", "union", "regardless"):
        assert negated_root(word) is None
    assert negation_count(fold("UDP is connectionless")) == 1
    assert negation_count(fold("UDP does not set up a connection")) == 1


def test_denials_are_found_with_their_span() -> None:
    text = fold("It is false that GET is safe.")
    assert strongly_negated(text)
    span = denial(text)
    assert span is not None and text[span[0] : span[1]].startswith("it is false")
    assert denial(fold("GET is safe.")) is None


def _quoted(answer: str, quote: str, point: str = "GET is idempotent") -> Verdict:
    question = short("Which HTTP methods can a client safely retry?", point)
    assessment = Assessment(
        points=(PointVerdict(point, Verdict.COVERED, quote, 1.0),),
        feedback="",
        ideal_answer="",
    )
    evaluation = grade(question, answer, assessment, provider="t", prompt_version="t")
    return evaluation.points[0].verdict


def test_a_not_just_before_the_quote_limits_it() -> None:
    assert _quoted("Honestly GET is not idempotent at all.", "idempotent at all") is Verdict.PARTIAL


def test_a_not_in_another_sentence_or_clause_does_not() -> None:
    assert _quoted("It never fails. GET is idempotent.", "GET is idempotent") is Verdict.COVERED
    assert (
        _quoted("They do not differ much, because GET is idempotent.", "because GET is idempotent")
        is Verdict.COVERED
    )


def test_text_left_out_between_fragments_does_not_negate_them() -> None:
    answer = "GET is used for reads, never for writes, and it is idempotent by design."
    assert _quoted(answer, "GET is used for reads … it is idempotent") is Verdict.COVERED


def test_a_denied_sentence_contradicts() -> None:
    answer = "It is false that GET is idempotent."
    assert _quoted(answer, "GET is idempotent") is Verdict.CONTRADICTED


# ---------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Un índice es una estructura de datos que acelera las búsquedas en la base.", "es"),
        ("Ein Index ist eine Datenstruktur, die das Suchen in der Datenbank beschleunigt.", "de"),
        ("Un index est une structure de données qui accélère les recherches dans la base.", "fr"),
        ("Индекс ускоряет поиск в базе данных.", "ru"),
        ("An index is a B-tree that speeds up reads and slows writes.", "en"),
    ],
)
def test_languages_are_told_apart(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "a do... while loop will always run through once, while an while loop performs a test",
        "A link list can grow to a infinite size as a array has a fixes size.",
        "a node in a doubly linked list takes up more memory than a node in a singly linked list",
        "e(n) = current error, n = learning rate; while e(n) > eps: w(n+1) = w(n) + n e(n) x(n)",
    ],
)
def test_english_sharing_words_with_other_languages_stays_english(text: str) -> None:
    assert guess_language(text) in ("en", "")


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("The harder coin will scratch the other.", "will coin harder the scratch The other."),
        ("The height of the tree.", "the of tree. The height"),
        ("At the main function.", "At main the function."),
    ],
)
def test_a_short_reference_shuffled_is_word_salad(reference: str, answer: str) -> None:
    """Even a few words: the reference's own words, in an order it never has."""
    flags = read_answer(answer, question="What happens?", reference=reference).flags
    assert GradingFlag.WORD_SALAD in flags


@pytest.mark.parametrize("answer", ["The harder coin will scratch the other one.", "pop and push"])
def test_the_reference_reworded_or_a_list_reordered_is_not(answer: str) -> None:
    reference = "Push and pop." if "pop" in answer else "The harder coin will scratch the other."
    flags = read_answer(answer, question="What happens?", reference=reference).flags
    assert GradingFlag.WORD_SALAD not in flags


def test_a_short_keyword_list_is_a_keyword_dump() -> None:
    flags = read_answer(
        "harder, coin, scratch",
        question="How would a scratch test tell which coin is harder?",
        reference="The harder coin will scratch the other.",
    ).flags
    assert GradingFlag.KEYWORD_DUMP in flags
