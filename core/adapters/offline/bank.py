"""The question bank shipped with the package: core/banks/builtin.yaml, a bank file like any
other (docs/banks.md), read and checked by the same code as an imported one."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources

from core.banks.yaml_format import parse_yaml_bank
from core.domain.model import Question
from core.domain.roles import Difficulty, Role

BUILTIN_BANK = "builtin"  # its name wherever banks are listed or chosen
BUILTIN_FILE = "builtin.yaml"


class ShippedQuestionBank:
    """Serves the built-in bank's questions by (role, difficulty) and by id.

    The file is read on the first question asked, not when the core is built: a health check,
    a history page or a Slack ack never needs it, and parsing it is most of a cold start's
    bank cost (BENCHMARKS.md, "Web cold start")."""

    def __init__(self, questions: Sequence[Question] | None = None) -> None:
        self._given = questions
        self._index: _Index | None = None
        self._lock = threading.Lock()

    def pool(self, role: Role, difficulty: Difficulty) -> Sequence[Question]:
        return self._indexed().by_pool.get((role, difficulty), [])

    def get(self, bank_id: str) -> Question | None:
        return self._indexed().by_id.get(bank_id)

    def __len__(self) -> int:
        return len(self._indexed().by_id)

    def _indexed(self) -> _Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    given = self._given
                    self._index = _Index(given if given is not None else load_shipped_questions())
        return self._index


class _Index:
    def __init__(self, questions: Sequence[Question]) -> None:
        self.by_pool: dict[tuple[Role, Difficulty], list[Question]] = {}
        self.by_id: dict[str, Question] = {}
        for question in questions:
            self.by_pool.setdefault((question.role, question.difficulty), []).append(question)
            if question.bank_id:
                self.by_id[question.bank_id] = question


@cache
def load_shipped_questions() -> tuple[Question, ...]:
    """The built-in bank's questions, in file order (cached: the bank is read-only)."""
    text = resources.files("core.banks").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    return parse_yaml_bank(text, BUILTIN_FILE).questions
