"""LLM_FALLBACK=gemini,openai,offline end to end: the core wired by the bootstrap from settings,
the real google-genai and openai clients talking to stub servers on 127.0.0.1, the answer path
on the real database and Redis. A daily-quota 429 from Gemini hands the answer to the
OpenAI-compatible server, and both out of quota hand it to the offline scorer; the evaluation
names who graded, and the terminal shows it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import text

from bots.console.render import evaluation_panel
from core import services
from core.adapters.llm_chain import FallbackEvaluator
from core.adapters.offline.bank import ShippedQuestionBank
from core.adapters.openai_call import forget_servers
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain import ConversationRef
from core.domain.model import AttemptStatus
from core.domain.results import AnswerStatus
from core.domain.roles import Difficulty, Role
from tests.adapters.gemini_stub import GeminiStub, daily_quota_reply, json_reply
from tests.adapters.openai_stub import OpenAIStub, completion, daily_limit_reply
from tests.integration.test_gemini_path import ANSWER, REPLY

SPANISH = (
    "Un índice es un árbol B ordenado: las lecturas son más rápidas y cada escritura tiene que "
    "actualizarlo, por eso no se crea uno para cada columna de la tabla."
)


@pytest.fixture
def gemini() -> Iterator[GeminiStub]:
    with GeminiStub() as running:
        yield running


@pytest.fixture
def ollama() -> Iterator[OpenAIStub]:
    forget_servers()
    with OpenAIStub(flavour="ollama", api_key=None) as running:
        yield running
    forget_servers()


def chain_core(backend: Any, gemini: GeminiStub, ollama: OpenAIStub, **extra: Any) -> Core:
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        llm_fallback="gemini,openai,offline",
        gemini_api_key=gemini.api_key,
        gemini_base_url=gemini.base_url,
        gemini_max_retries=0,  # one request per provider and evaluation: the scripts stay readable
        gemini_timeout_seconds=5,
        openai_base_url=ollama.base_url,
        openai_model="llama3.1:8b",
        openai_max_retries=0,
        openai_timeout_seconds=5,
        llm_burst=100,  # each call still takes its turn; waiting is tests/qotd/test_rate_limit.py's
        _env_file=None,  # type: ignore[call-arg]
        **extra,
    )
    core = build_core(settings, auto_migrate=True)
    # One question only, so every session asks the same one (and may hit the same cache key).
    core.deps.bank = ShippedQuestionBank([core.deps.bank.pool(Role.BACKEND, Difficulty.MEDIUM)[0]])
    return core


@pytest.fixture
def core(backend, gemini: GeminiStub, ollama: OpenAIStub) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    wired = chain_core(backend, gemini, ollama)
    yield wired
    wired.close()


_threads = iter(range(1, 10_000))


def answer(core: Core, text_: str = ANSWER):  # type: ignore[no-untyped-def]
    thread = f"th-{next(_threads)}"
    conversation = ConversationRef("slack", "T1", "C1", "U-alice", thread=thread)
    services.start_session(
        core.deps, conversation=conversation, role="backend", difficulty="medium"
    )
    return services.answer_in_conversation(
        core.deps, conversation=conversation, text=text_, delivery_id=f"m-{thread}"
    )


def calls(core: Core) -> list[tuple[str, bool, str | None]]:
    with core.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT provider, ok, error_kind FROM llm_calls ORDER BY id")
        ).all()
    return [(row[0], bool(row[1]), row[2]) for row in rows]


def shown_in_the_terminal(outcome: Any) -> str:
    console = Console(record=True, width=120)
    console.print(evaluation_panel(outcome))
    return console.export_text()


def test_gemini_out_of_daily_quota_hands_the_answer_to_the_openai_server(
    core: Core, gemini: GeminiStub, ollama: OpenAIStub
) -> None:
    assert isinstance(core.deps.evaluator, FallbackEvaluator)
    gemini.script(daily_quota_reply())
    ollama.script(completion(REPLY))

    outcome = answer(core)

    assert outcome.status is AnswerStatus.EVALUATED and outcome.evaluation is not None
    evaluation = outcome.evaluation
    assert (evaluation.provider, evaluation.graded_by) == ("openai", "llama3.1:8b via Ollama")
    assert "llama3.1:8b" in evaluation.prompt_version
    assert "Graded by: llama3.1:8b via Ollama" in shown_in_the_terminal(outcome)
    assert (len(gemini.requests), len(ollama.requests)) == (1, 1)
    assert calls(core) == [("gemini", False, "daily_quota"), ("openai", True, None)]

    # The same answer again while Gemini cools off: the fallback's own cached grade, as its own.
    again = answer(core)
    assert again.attempt.cached and again.evaluation == evaluation
    assert (len(gemini.requests), len(ollama.requests)) == (1, 1)


def test_both_out_of_quota_the_offline_scorer_grades(
    core: Core, gemini: GeminiStub, ollama: OpenAIStub
) -> None:
    gemini.script(daily_quota_reply())
    ollama.script(daily_limit_reply())

    outcome = answer(core)

    assert outcome.status is AnswerStatus.EVALUATED and outcome.evaluation is not None
    assert outcome.evaluation.provider == "offline"
    assert outcome.evaluation.graded_by == "offline heuristic scorer"
    assert "Graded by: offline heuristic scorer" in shown_in_the_terminal(outcome)
    assert calls(core)[:2] == [("gemini", False, "daily_quota"), ("openai", False, "daily_quota")]


def test_a_spanish_answer_left_to_the_offline_scorer_fails_honestly_then_gemini_grades_it(
    backend,
    gemini: GeminiStub,
    ollama: OpenAIStub,  # type: ignore[no-untyped-def]
) -> None:
    core = chain_core(backend, gemini, ollama, llm_fallback_cooldown_seconds=0)
    try:
        gemini.script(daily_quota_reply())
        ollama.script(daily_limit_reply())
        failed = answer(core, SPANISH)

        assert failed.status is AnswerStatus.FAILED
        assert failed.attempt.status is AttemptStatus.FAILED and failed.attempt.answer == SPANISH
        assert failed.attempt.error_kind == "unsupported_language"
        assert "English" in failed.message and "saved" in failed.message

        gemini.script(json_reply(REPLY))  # the quota is back
        retried = services.retry_evaluation(
            core.deps,
            session_id=failed.session.id,
            position=1,
            actor=failed.session.conversation.user_ref,
        )
        assert retried.status is AnswerStatus.EVALUATED and retried.evaluation is not None
        assert retried.evaluation.graded_by == "Gemini 2.5 Flash"
    finally:
        core.close()


def test_a_primary_grade_and_a_fallback_grade_never_share_a_cache_entry(
    core: Core,
    gemini: GeminiStub,
    ollama: OpenAIStub,
    backend,  # type: ignore[no-untyped-def]
) -> None:
    gemini.script(json_reply(REPLY))
    by_gemini = answer(core)
    assert by_gemini.evaluation is not None and by_gemini.evaluation.provider == "gemini"

    # A core whose chain starts with the OpenAI server: Gemini's cached grade is not its own.
    values = core.settings.model_dump(exclude={"llm_provider"})
    other = Settings(**{**values, "llm_fallback": "openai,gemini,offline"}, _env_file=None)  # type: ignore[call-arg]
    openai_first = build_core(other, auto_migrate=True)
    openai_first.deps.bank = core.deps.bank
    try:
        ollama.script(completion(REPLY))
        by_openai = answer(openai_first)
        assert by_openai.evaluation is not None and not by_openai.attempt.cached
        assert by_openai.evaluation.graded_by == "llama3.1:8b via Ollama"
    finally:
        openai_first.close()
