"""One TLS context for every LLM client of the process.

Loading the trusted CA certificates into an SSLContext costs about 20 ms of CPU, and the SDKs
build their own on every client: google-genai three (one for its httpx clients, one for
aiohttp, one for websockets), openai one. A context with the same trust is interchangeable:
the clients only wrap their sockets with it (and set the same http/1.1 ALPN on it), so the
Gemini and OpenAI clients share the one built here on the first client's creation. It is the
context httpx2 builds by default (the system's trust store, or SSL_CERT_FILE / SSL_CERT_DIR),
so who is trusted does not change. Built on first use, not at import: building the core
imports no HTTP library (core.adapters.llm_client).
"""

from __future__ import annotations

import functools
import ssl

__all__ = ["shared_tls_context"]


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    try:
        import httpx2 as httpx  # both SDKs' default HTTP client where it is installed
    except ImportError:  # older SDK releases use httpx itself
        import httpx  # type: ignore[no-redef]
    return httpx.create_ssl_context()
