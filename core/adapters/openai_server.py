"""Which server answers an OpenAI-compatible API, told from its address and its replies.

People see "graded by" on every evaluation, so the label says what it can honestly tell:
"gpt-4o-mini" on OpenAI's own API (or a reply naming its service tier, as OpenAI's do), "llama3.1:8b via Ollama" (Ollama's replies carry the
system_fingerprint "fp_ollama"), "Qwen/Qwen2.5-7B-Instruct via vLLM" (vLLM's choices carry a
`stop_reason` field, its replies `prompt_logprobs`), a known hosted service by its name, and
otherwise the host, or "(self-hosted)" for a private address it would be pointless to show.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ServerKind", "detect_kind", "graded_by_label", "is_openai_host"]

OPENAI_HOST = "api.openai.com"
# Hosted OpenAI-compatible services people commonly point OPENAI_BASE_URL at.
KNOWN_HOSTS = {
    "api.groq.com": "Groq",
    "api.together.xyz": "Together AI",
    "openrouter.ai": "OpenRouter",
    "api.mistral.ai": "Mistral AI",
    "api.deepseek.com": "DeepSeek",
    "api.fireworks.ai": "Fireworks AI",
    "generativelanguage.googleapis.com": "Google's OpenAI-compatible endpoint",
}
_VLLM_REPLY_FIELDS = frozenset({"prompt_logprobs", "kv_transfer_params"})


class ServerKind(StrEnum):
    OPENAI = "openai"
    OLLAMA = "ollama"
    VLLM = "vllm"
    OTHER = "other"


def is_openai_host(base_url: str) -> bool:
    return (urlsplit(base_url).hostname or "").lower() == OPENAI_HOST


def detect_kind(base_url: str, response: Any) -> ServerKind:
    """The kind of server behind `base_url`, from one chat-completion reply."""
    if is_openai_host(base_url):
        return ServerKind.OPENAI
    extra = getattr(response, "model_extra", None) or {}
    choices = getattr(response, "choices", None) or []
    choice_extra = (getattr(choices[0], "model_extra", None) or {}) if choices else {}
    if _VLLM_REPLY_FIELDS & set(extra) or "stop_reason" in choice_extra:
        return ServerKind.VLLM
    if getattr(response, "system_fingerprint", None) == "fp_ollama":
        return ServerKind.OLLAMA
    # OpenAI's replies name the service tier that served them; so do Azure OpenAI's and
    # proxies in front of OpenAI, which serve OpenAI's models: the model id alone is honest.
    if getattr(response, "service_tier", None):
        return ServerKind.OPENAI
    return ServerKind.OTHER


def graded_by_label(model: str, base_url: str, kind: ServerKind | None) -> str:
    """The grader as people should read it: the model id, and the server when it can tell."""
    name = model.strip() or "an OpenAI-compatible model"
    if kind is ServerKind.OPENAI or (kind is None and is_openai_host(base_url)):
        return name
    if kind is ServerKind.OLLAMA:
        return f"{name} via Ollama"
    if kind is ServerKind.VLLM:
        return f"{name} via vLLM"
    host = (urlsplit(base_url).hostname or "").lower()
    if host in KNOWN_HOSTS:
        return f"{name} via {KNOWN_HOSTS[host]}"
    if not host or _is_private(host):
        return f"{name} (self-hosted)"
    return f"{name} via {host}"


def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith((".local", ".internal", ".lan")) or "." not in host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local
