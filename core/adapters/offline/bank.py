"""The question bank shipped with the package: one JSON file per role under questions/."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from core.domain.model import Question
from core.domain.roles import Difficulty, Role

BANK_PACKAGE = "core.adapters.offline.questions"


class BankFormatError(ValueError):
    """A bank file is malformed; the message names the file and the question."""


class ShippedQuestionBank:
    """Reads every role's questions once and serves them by (role, difficulty)."""

    def __init__(self, questions: Sequence[Question] | None = None) -> None:
        self._by_pool: dict[tuple[Role, Difficulty], list[Question]] = {}
        self._by_id: dict[str, Question] = {}
        for question in questions if questions is not None else load_shipped_questions():
            self._by_pool.setdefault((question.role, question.difficulty), []).append(question)
            if question.bank_id:
                self._by_id[question.bank_id] = question

    def pool(self, role: Role, difficulty: Difficulty) -> Sequence[Question]:
        return self._by_pool.get((role, difficulty), [])

    def get(self, bank_id: str) -> Question | None:
        return self._by_id.get(bank_id)

    def __len__(self) -> int:
        return len(self._by_id)


@cache
def load_shipped_questions() -> tuple[Question, ...]:
    """Parse every questions/<role>.json file in the package (cached: the bank is read-only)."""
    questions: list[Question] = []
    seen: set[str] = set()
    for entry in sorted(resources.files(BANK_PACKAGE).iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        document = json.loads(entry.read_text(encoding="utf-8"))
        for raw in document.get("questions", []):
            question = parse_question(raw, role=document["role"], source=entry.name)
            if question.bank_id in seen:
                raise BankFormatError(f"{entry.name}: duplicate id {question.bank_id}")
            seen.add(question.bank_id or "")
            questions.append(question)
    return tuple(questions)


def parse_question(raw: dict[str, Any], *, role: str, source: str) -> Question:
    where = f"{source}: {raw.get('id', '?')}"
    try:
        key_points = tuple(str(p).strip() for p in raw["key_points"])
        question = Question(
            role=Role(role),
            difficulty=Difficulty(raw["difficulty"]),
            text=str(raw["text"]).strip(),
            reference_answer=str(raw["reference_answer"]).strip(),
            key_points=key_points,
            topics=tuple(str(t) for t in raw.get("topics", ())),
            hint=str(raw.get("hint", "")).strip(),
            bank_id=str(raw["id"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise BankFormatError(f"{where}: {exc!r}") from None
    if not question.text or not question.reference_answer or len(key_points) < 2:
        raise BankFormatError(f"{where}: needs text, reference_answer and at least 2 key_points")
    return question
