"""The question bank shipped with the package: core/banks/builtin.yaml, a bank file like any
other (docs/banks.md), read and checked by the same code as an imported one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from core.banks.yaml_format import parse_yaml_bank
from core.domain.model import Question
from core.domain.roles import Difficulty, Role

BUILTIN_BANK = "builtin"  # its name wherever banks are listed or chosen
BUILTIN_FILE = "builtin.yaml"


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
    """The built-in bank's questions, in file order (cached: the bank is read-only)."""
    text = resources.files("core.banks").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    return parse_yaml_bank(text, BUILTIN_FILE).questions
