"""The shipped bank covers every role × difficulty with enough well-formed questions."""

from collections import Counter

import pytest

from core.adapters.offline.bank import ShippedQuestionBank, load_shipped_questions
from core.domain import Difficulty, Role

MIN_PER_POOL = 8


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("difficulty", list(Difficulty))
def test_every_pool_has_enough_questions(role: Role, difficulty: Difficulty) -> None:
    assert len(ShippedQuestionBank().pool(role, difficulty)) >= MIN_PER_POOL


def test_questions_are_well_formed_and_unique() -> None:
    questions = load_shipped_questions()
    texts = Counter(q.text.lower() for q in questions)
    assert [t for t, n in texts.items() if n > 1] == []
    for q in questions:
        assert q.bank_id and q.bank_id.startswith(f"{q.role.value}-{q.difficulty.value}-"), (
            q.bank_id
        )
        assert q.text.endswith(("?", ".")), q.bank_id
        assert 3 <= len(q.key_points) <= 7, q.bank_id
        assert 40 <= len(q.reference_answer.split()) <= 220, q.bank_id
        assert q.hint, q.bank_id
        assert q.topics, q.bank_id


def test_building_the_core_does_not_read_the_built_in_bank() -> None:
    """A health check or a history page never pays for parsing the bank file."""
    from core.adapters.offline.bank import ShippedQuestionBank, load_shipped_questions

    load_shipped_questions.cache_clear()
    bank = ShippedQuestionBank()
    assert load_shipped_questions.cache_info().currsize == 0
    assert len(bank) == 270
    assert load_shipped_questions.cache_info().currsize == 1
