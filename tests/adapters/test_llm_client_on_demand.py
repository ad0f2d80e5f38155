"""Providers' clients built on demand: building the core builds none, the first request builds
one, shared by the evaluator and the follow-up writer (core.adapters.llm_client); every client
shares the process's one TLS context (core.adapters.tls_context)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest

from core.adapters.llm_client import OnDemand, resolve
from core.adapters.openai_llm import build_openai_client
from core.adapters.tls_context import shared_tls_context
from core.bootstrap import build_llm
from core.config import Settings
from tests.adapters.gemini_stub import GeminiStub, json_reply
from tests.adapters.gemini_support import (
    API_KEY,
    GOOD_ANSWER,
    QUESTION,
    FakeSleep,
    evaluation_payload,
    make_evaluator,
)


@pytest.fixture
def stub() -> Iterator[GeminiStub]:
    with GeminiStub(api_key=API_KEY) as running:
        yield running


def test_one_client_is_built_by_the_first_request_and_shared(stub: GeminiStub) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_provider="gemini",
        gemini_api_key=API_KEY,
        gemini_base_url=stub.base_url,
        gemini_max_retries=0,
    )
    evaluator, writer = build_llm(settings)
    callers = [evaluator._caller, writer._caller]  # type: ignore[attr-defined]
    assert not any(caller.built for caller in callers)  # building the core built nothing

    stub.script(json_reply(evaluation_payload()))
    reply = evaluator.evaluate(QUESTION, GOOD_ANSWER)

    assert reply.assessment.graded_by == "Gemini 2.5 Flash" and len(stub.requests) == 1
    assert callers[0].built and not callers[1].built  # the writer has not been asked yet
    assert callers[1].get()._client is callers[0].get()._client  # one client for both


def test_a_client_handed_over_built_is_used_as_it_is() -> None:
    built: list[str] = []
    on_demand = OnDemand(lambda: built.append("client") or "client")
    assert resolve("ready") == "ready" and built == []
    assert resolve(on_demand) == resolve(on_demand) == "client" and built == ["client"]


def test_clients_share_one_tls_context_and_still_reach_the_server(
    stub: GeminiStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the CA certificates costs ~20 ms a context (core.adapters.tls_context): once
    the process has its context, building clients of either SDK loads none."""
    shared_tls_context()  # the process's one load (perhaps done already)
    loads: list[str] = []
    for method in ("load_verify_locations", "load_default_certs", "set_default_verify_paths"):
        original = getattr(ssl.SSLContext, method)
        monkeypatch.setattr(
            ssl.SSLContext,
            method,
            lambda self, *a, _m=method, _f=original, **k: loads.append(_m) or _f(self, *a, **k),
        )
    evaluator = make_evaluator(stub, FakeSleep())
    build_openai_client(base_url="http://127.0.0.1:9/v1", api_key=None, timeout_seconds=1)
    assert shared_tls_context() is shared_tls_context()

    stub.script(json_reply(evaluation_payload()))
    assert evaluator.evaluate(QUESTION, GOOD_ANSWER).assessment.points
    assert loads == []
