"""One chat-completions call with a JSON reply, retried by the shared loop (core.adapters.llm_retry).

Structured output first: `response_format={"type": "json_schema", ...}` with the strict schema.
Servers differ in what they accept, so what a server refuses is learnt once per process (per
base URL and model, `ServerFeatures`) and the call goes on without it:

- a 400/422 refusing `response_format` (older vLLM, some gateways): from then on the schema is
  spelled out in the system instruction and the reply validated against it (prompt-only mode);
- a reply that is not bare JSON, or off the schema, while the schema was sent: the server
  ignored it (older Ollama, proxies), so prompt-only mode from then on as well;
- a 400 refusing `temperature` (OpenAI's reasoning models) or `max_tokens` (they want
  `max_completion_tokens`): the request is sent again without it, or with the other name.

Either way the reply is read by core.adapters.llm_schema and validated by the same pydantic
model; an invalid one is a malformed reply, a cut one truncated (finish_reason "length").
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from core.adapters.llm_faults import Failed, fault, scrub
from core.adapters.llm_ports import LlmRequest
from core.adapters.llm_prompt import json_only_instruction
from core.adapters.llm_retry import RetryingCaller, UsageTally
from core.adapters.llm_schema import payload_from_text, response_schema
from core.adapters.openai_errors import classify_exception, rejects_parameter
from core.adapters.openai_server import ServerKind, detect_kind, is_openai_host
from core.domain.model import LlmUsage

__all__ = ["OpenAICaller", "ServerFeatures", "features_for", "forget_servers"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class ServerFeatures:
    """What one server accepts for one model, learnt from its answers for this process."""

    structured: bool = True  # honours response_format json_schema
    temperature: bool = True
    budget_field: str = "max_tokens"  # or "max_completion_tokens" (OpenAI's own API)
    kind: ServerKind | None = None  # told from its replies; None until the first one
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


_LEARNT: dict[tuple[str, str], ServerFeatures] = {}
_LEARNT_LOCK = threading.Lock()


def features_for(base_url: str, model: str) -> ServerFeatures:
    """The one ServerFeatures of this server and model in this process."""
    key = (base_url.rstrip("/"), model)
    with _LEARNT_LOCK:
        features = _LEARNT.get(key)
        if features is None:
            features = ServerFeatures()
            if is_openai_host(base_url):
                # OpenAI's reasoning models refuse max_tokens; every OpenAI model takes this.
                features.budget_field = "max_completion_tokens"
            _LEARNT[key] = features
        return features


def forget_servers() -> None:
    """Forget what every server was found to accept (tests; a server upgraded in place)."""
    with _LEARNT_LOCK:
        _LEARNT.clear()


class OpenAICaller:
    """Calls chat.completions.create until it yields an accepted payload or a fault ends it."""

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        model: str,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._model = model
        self.base_url = str(client.base_url)
        self.features = features_for(self.base_url, model)
        self._retrying = RetryingCaller(
            provider="OpenAI-compatible",
            model=model,
            max_retries=max_retries,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
        )

    def generate(self, request: LlmRequest, accept: Callable[[Any], T]) -> tuple[T, LlmUsage]:
        """Return accept(validated payload) and the call's usage; raise LlmUnavailable.

        `accept` raises ValueError for a payload it cannot use: a malformed reply."""

        def attempt(budget: int, tally: UsageTally) -> T:
            payload = self._payload(request, budget, tally)
            try:
                return accept(payload)
            except ValueError as exc:
                raise Failed(fault("malformed", f"unusable payload: {scrub(exc, 120)}")) from exc

        return self._retrying.run(request.purpose, request.max_output_tokens, attempt)

    def _payload(self, request: LlmRequest, budget: int, tally: UsageTally) -> BaseModel:
        response, structured = self._create(request, budget)
        if not isinstance(response, ChatCompletion):  # a 200 that is no JSON comes back as text
            raise Failed(fault("malformed", f"not a chat completion: {type(response).__name__}"))
        usage = response.usage
        if usage is not None:
            tally.add(usage.prompt_tokens, usage.completion_tokens)
        if self.features.kind is None:
            self.features.kind = detect_kind(str(self._client.base_url), response)
        if not response.choices:
            raise Failed(fault("malformed", "reply without choices"))
        choice = response.choices[0]
        finish = choice.finish_reason or ""
        if getattr(choice.message, "refusal", None):
            raise Failed(fault("blocked", "the model refused"))
        if finish == "content_filter":
            raise Failed(fault("blocked", "finish reason content_filter"))
        try:
            parsed = payload_from_text(choice.message.content or "", request.schema)
        except ValueError as exc:
            if finish == "length":
                raise Failed(fault("truncated", "finish reason length")) from exc
            if structured:  # a server that enforced the schema would not send this
                self._learn("structured", False, "its reply did not follow the response schema")
            raise Failed(fault("malformed", f"{scrub(exc, 160)} (finish {finish})")) from exc
        if structured and not parsed.bare:
            self._learn("structured", False, "it wrapped the JSON in prose or a code fence")
        return parsed.payload  # complete and valid, even if the budget ran out right after it

    def _create(self, request: LlmRequest, budget: int) -> tuple[Any, bool]:
        """One reply, and whether it was asked for with the response schema.

        A parameter the server refuses is dropped and the request sent again."""
        while True:
            arguments = self._arguments(request, budget)
            try:
                response = self._client.chat.completions.create(**arguments)
                return response, "response_format" in arguments
            except Exception as exc:
                if not self._adapt_to(exc):
                    known = classify_exception(exc)
                    if known is None:
                        raise  # a bug: the retry loop reports it as "unexpected"
                    raise Failed(known) from exc

    def _adapt_to(self, exc: Exception) -> bool:
        """Learn from a refused parameter; True when the request is worth sending again."""
        features = self.features
        if features.structured and rejects_parameter(exc, "response_format"):
            return self._learn("structured", False, "it refused response_format")
        if features.temperature and rejects_parameter(exc, "temperature"):
            return self._learn("temperature", False, "it refused temperature")
        if features.budget_field == "max_tokens" and rejects_parameter(exc, "max_tokens"):
            return self._learn("budget_field", "max_completion_tokens", "it refused max_tokens")
        return False

    def _learn(self, name: str, value: object, why: str) -> bool:
        with self.features.lock:
            setattr(self.features, name, value)
        logger.info(
            "OpenAI-compatible server at %s (model %s): %s, so %s=%s for this process",
            self._client.base_url,
            self._model,
            why,
            name,
            value,
        )
        return True

    def _arguments(self, request: LlmRequest, budget: int) -> dict[str, Any]:
        features = self.features
        schema = response_schema(request.schema)
        system = request.system_instruction
        if not features.structured:
            system = f"{system}\n\n{json_only_instruction(schema)}"
        arguments: dict[str, Any] = {
            "model": self._model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": request.prompt},
            ],
            features.budget_field: budget,
        }
        if features.temperature:
            arguments["temperature"] = request.temperature
        if features.structured:
            arguments["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.purpose, "schema": schema, "strict": True},
            }
        return arguments
