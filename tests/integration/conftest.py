"""Wired cores on a real backend, with a counting evaluator that races can hold at a gate."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from core.bootstrap import Core, build_core
from core.config import Settings
from tests.fakes import ScriptedEvaluator, ScriptedWriter


class GatedEvaluator(ScriptedEvaluator):
    """Evaluations wait at `gate` (open unless a test closes it): a race test closes it, so the
    evaluation in progress overlaps every other racer for certain, and opens it once they are
    all done. A second evaluation slipping past the lock would wait there too and be counted."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        self.gate.wait(timeout=30)
        return super().evaluate(question, answer)


@pytest.fixture
def core(backend) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        _env_file=None,  # type: ignore[call-arg]
    )
    wired = build_core(settings, auto_migrate=True, llm=(GatedEvaluator(), ScriptedWriter()))
    yield wired
    wired.close()
