"""Adapter tests share one process: what one stub server taught the OpenAI adapter (it refuses
response_format, ...) must not carry over to a later stub that happens to get the same port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_openai_servers() -> Iterator[None]:
    from core.adapters.openai_call import forget_servers

    forget_servers()
    yield
    forget_servers()
