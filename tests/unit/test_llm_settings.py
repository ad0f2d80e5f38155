"""The LLM settings (LLM_PROVIDER, LLM_FALLBACK, OPENAI_*), read from the environment as the
program reads them, and what build_llm wires from them."""

from __future__ import annotations

import sys

import pytest

from core.adapters.llm_chain import FallbackEvaluator, FallbackQuestionWriter
from core.bootstrap import build_llm
from core.config import ConfigError, load_settings

# No .env and no stray variables: each test states everything it relies on.
LLM_VARIABLES = [
    "LLM_PROVIDER",
    "LLM_FALLBACK",
    "GEMINI_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "EVALUATION_LOCK_SECONDS",
]
OLLAMA = "http://127.0.0.1:11434/v1"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in LLM_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def settings_from(monkeypatch: pytest.MonkeyPatch, **env: str):  # type: ignore[no-untyped-def]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from(monkeypatch, **env)
    return str(caught.value)


def test_the_chain_is_read_in_order_and_its_first_provider_grades(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_from(
        monkeypatch,
        LLM_FALLBACK=" Gemini, openai ,offline",
        GEMINI_API_KEY="g-key",
        OPENAI_BASE_URL=OLLAMA,
        EVALUATION_LOCK_SECONDS="200",
    )
    assert settings.llm_chain == ("gemini", "openai", "offline")
    assert settings.llm_fallback == "gemini,openai,offline"
    assert settings.llm_provider == "gemini"


def test_without_a_chain_the_provider_stands_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(monkeypatch, LLM_PROVIDER="openai", OPENAI_BASE_URL=OLLAMA)
    assert settings.llm_chain == ("openai",)
    assert settings.openai_api_key is None  # a local server needs no key


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"LLM_FALLBACK": "gemini,claude"}, "LLM_FALLBACK: unknown provider 'claude'"),
        ({"LLM_FALLBACK": "offline,openai,offline"}, "names offline more than once"),
        (
            {
                "LLM_PROVIDER": "offline",
                "LLM_FALLBACK": "openai,offline",
                "OPENAI_BASE_URL": OLLAMA,
            },
            "LLM_PROVIDER=offline but LLM_FALLBACK starts with openai",
        ),
        ({"LLM_FALLBACK": "gemini,offline"}, "LLM_FALLBACK's gemini needs GEMINI_API_KEY"),
        ({"LLM_PROVIDER": "openai"}, "needs OPENAI_API_KEY"),
        (
            {"LLM_FALLBACK": "offline,openai"},
            "LLM_FALLBACK's openai on OpenAI's API needs OPENAI_API_KEY",
        ),
        (
            {"LLM_PROVIDER": "openai", "OPENAI_BASE_URL": "ollama:11434"},
            "OPENAI_BASE_URL: must be an http",
        ),
        (
            {"LLM_PROVIDER": "openai", "OPENAI_BASE_URL": OLLAMA, "OPENAI_MODEL": " "},
            "name the model",
        ),
        (
            {"LLM_FALLBACK": "gemini,openai", "GEMINI_API_KEY": "k", "OPENAI_API_KEY": "sk-x"},
            "EVALUATION_LOCK_SECONDS=150 is not longer than the longest evaluation",
        ),
    ],
)
def test_bad_llm_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    message = refusal(monkeypatch, **env)
    assert says in message
    assert "sk-x" not in message  # a key is never repeated back


def test_the_lock_check_counts_every_provider_of_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(
        monkeypatch,
        LLM_FALLBACK="gemini,openai,offline",
        GEMINI_API_KEY="k",
        OPENAI_BASE_URL=OLLAMA,
    )
    assert "gemini 94 s + openai 94 s" in message  # 30 s x 3 tries + 1.5 s + 3 s of backoff


def test_build_llm_wires_one_provider_or_a_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.adapters.offline.evaluator import OfflineEvaluator
    from core.adapters.openai_llm import OpenAIEvaluator

    single, _ = build_llm(settings_from(monkeypatch, LLM_PROVIDER="openai", OPENAI_BASE_URL=OLLAMA))
    assert isinstance(single, OpenAIEvaluator)

    monkeypatch.setenv("LLM_FALLBACK", "openai,offline")
    evaluator, writer = build_llm(load_settings())
    assert isinstance(evaluator, FallbackEvaluator) and isinstance(writer, FallbackQuestionWriter)
    assert [type(m) for m in evaluator.members] == [OpenAIEvaluator, OfflineEvaluator]
    assert evaluator.provider == "openai" and not evaluator.english_only
    assert writer.chain.breaker is evaluator.chain.breaker  # one cool-off for both


def test_without_the_openai_package_the_message_says_which_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "core.adapters.openai_llm", None)  # import fails
    settings = settings_from(monkeypatch, LLM_PROVIDER="openai", OPENAI_BASE_URL=OLLAMA)
    with pytest.raises(ConfigError, match=r"interviewbot\[openai\]"):
        build_llm(settings)
