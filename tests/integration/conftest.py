"""Wired cores on a real backend, with a counting, slightly slow evaluator to widen races."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from core.bootstrap import Core, build_core
from core.config import Settings
from tests.fakes import ScriptedEvaluator, ScriptedWriter


class SlowEvaluator(ScriptedEvaluator):
    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # long enough for every racer to arrive while the first evaluates
        return super().evaluate(question, answer)


@pytest.fixture
def core(backend) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        _env_file=None,  # type: ignore[call-arg]
    )
    wired = build_core(settings, auto_migrate=True, llm=(SlowEvaluator(), ScriptedWriter()))
    yield wired
    wired.close()
