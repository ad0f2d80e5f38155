"""Reset and verification tokens never reach a log: the app's filter on uvicorn's access logger
(fast tier), and the real `interviewbot web` server with ENVIRONMENT=production, its uvicorn
access log read from its output (e2e tier: a server process of its own)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from web.logs import ACCESS_LOGGER, redact

SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXJlc2V0LXRva2Vu.c2lnbmF0dXJl"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_app_hides_tokens_in_the_access_log_records(
    embedded_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the server test below checks end to end, in this process: once an app is built, a
    record on uvicorn's access logger, with uvicorn's arguments, reaches a handler redacted."""
    access = logging.getLogger(ACCESS_LOGGER)
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    monkeypatch.setattr(access, "handlers", [handler])
    monkeypatch.setattr(access, "disabled", False)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        for path in (
            f"/reset-password?token={SECRET_TOKEN}",
            f"/verify?next=/&token={SECRET_TOKEN}",
        ):
            access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    finally:
        access.setLevel(level)
    assert seen == [
        '127.0.0.1:5000 - "GET /reset-password?token=[redacted] HTTP/1.1" 200',
        '127.0.0.1:5000 - "GET /verify?next=/&token=[redacted] HTTP/1.1" 200',
    ]


@pytest.mark.e2e
def test_the_access_log_hides_tokens_in_links(tmp_path: Path) -> None:
    """End to end in the e2e tier: the installed command starts a server process of its own
    (uvicorn configures its loggers there, after the app installed its filter), and its output
    is read."""
    port = _free_port()
    environment = {
        **os.environ,
        "ENVIRONMENT": "production",
        "WEB_SECRET": "access-log-secret-for-the-web-companion-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'log.db'}",
        "REDIS_URL": "memory://",
        "EMBEDDED_REDIS_PORT": str(_free_port()),
        "WEB_BASE_URL": f"https://127.0.0.1:{port}",
    }
    command = [str(Path(sys.executable).with_name("interviewbot")), "web", "--port", str(port)]
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        for path in (
            f"/reset-password?token={SECRET_TOKEN}",
            f"/verify?next=/&token={SECRET_TOKEN}",
        ):
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
    finally:
        os.kill(server.pid, signal.SIGTERM)  # by PID: only the server this test started
        server.wait(timeout=30)
    written = log.read_text()
    assert "GET /reset-password?token=[redacted]" in written  # the request is still logged
    assert "/verify?next=/&token=[redacted]" in written
    assert SECRET_TOKEN not in written


def test_redaction_keeps_everything_but_the_secret_values() -> None:
    assert redact("/x?a=1&token=abc&b=2 HTTP/1.1") == "/x?a=1&token=[redacted]&b=2 HTTP/1.1"
    assert redact("/link?code=ABCD-EFGH") == "/link?code=[redacted]"
    assert redact("/sessions?page=2") == "/sessions?page=2"
