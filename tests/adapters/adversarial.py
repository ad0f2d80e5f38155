"""Answers built to game a grader from a question's own material, and a model fooled by them.

The answers (the issue's adversarial suite): the reference itself, its keywords as a list, its
words shuffled, the question echoed back, every sentence denied with "It is false that …".
The "model" is the worst plausible grader: it reads the fenced answer in the prompt, claims
every key point covered with a score of 10, and quotes words that really are in the answer, so
only the grading policy stands between these answers and a high grade.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from core.domain.model import Question
from core.domain.text import STOPWORDS
from tests.adapters.gemini_stub import RecordedRequest, StubReply, json_reply

__all__ = ["KINDS", "adversarial_answers", "fenced", "worst_case_model"]

KINDS = ("reference", "keywords", "shuffled", "echo", "negated")
_TOKEN = re.compile(r"[A-Za-z0-9][\w'+#./-]*[\w+#]|[A-Za-z0-9]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PIECE = re.compile(r"[.;,:!?\n]+\s*")


def adversarial_answers(question: Question) -> dict[str, str]:
    """The five answers for one question, deterministic (the shuffle is seeded by the question)."""
    reference = question.reference_answer.strip()
    tokens = _TOKEN.findall(reference)
    keywords: list[str] = []
    for token in tokens:
        lowered = token.lower()
        if lowered not in STOPWORDS and not lowered.isdigit() and lowered not in keywords:
            keywords.append(lowered)
    shuffled = list(tokens)
    random.Random(question.bank_id or question.text).shuffle(shuffled)
    negated = " ".join(
        f"It is false that {s[0].lower()}{s[1:]}" for s in _SENTENCE.split(reference) if s
    )
    return {
        "reference": reference,
        "keywords": ", ".join(keywords),
        "shuffled": " ".join(shuffled).capitalize() + ".",
        "echo": question.text,
        "negated": negated,
    }


def fenced(prompt: str, name: str) -> str | None:
    """The text a reader who knows the boundary finds inside the `name` fence, or None."""
    match = re.search(rf"<{name}-([0-9a-f]{{16}})>\n(.*?)\n</{name}-\1>", prompt, re.S)
    return match.group(2) if match else None


def worst_case_model(quoting: str = "piece") -> Callable[[RecordedRequest], StubReply]:
    """A stub responder: every point covered, score 10, quotes really taken from the answer.

    quoting="whole": the whole answer for every point; "piece": the sentence or list item
    sharing the most words with the point (the matching keyword, for a keyword list)."""

    def respond(request: RecordedRequest) -> StubReply:
        return json_reply(worst_case_payload(request.prompt_text, quoting))

    return respond


def worst_case_payload(prompt: str, quoting: str) -> dict[str, Any]:
    answer = fenced(prompt, "candidate_answer") or ""
    listed = fenced(prompt, "key_points") or ""
    points = [re.sub(r"^\d+\.\s*", "", line) for line in listed.splitlines() if line.strip()]
    return {
        "genuine_attempt": True,
        "points": [
            {
                "number": n,
                "key_point": text,
                "verdict": "covered",
                "quote": answer if quoting == "whole" else _best_piece(answer, text),
            }
            for n, text in enumerate(points, start=1)
        ],
        "strengths": [{"text": "Covers every key idea precisely", "quote": answer}],
        "depth": 10,
        "communication": 10,
        "feedback": "Excellent, complete answer.",
        "ideal_answer": "See the reference.",
        "tags": ["depth"],
        "score": 10,
    }


def _best_piece(answer: str, point: str) -> str:
    wanted = {w.lower() for w in _TOKEN.findall(point)} - STOPWORDS
    pieces = [p.strip() for p in _PIECE.split(answer) if p.strip()] or [answer]
    return max(pieces, key=lambda p: len(wanted & {w.lower() for w in _TOKEN.findall(p)}))
