"""Fixtures of the Slack tests: a mock Web API, a wired core, the app via dispatch and via Lambda."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import App
from slack_sdk.web import WebClient

from bots.slack import aws_lambda
from bots.slack.app import build_slack_app
from core.bootstrap import Core, build_core
from core.config import Settings
from tests.conftest import migrated_copy
from tests.slack.mock_slack import MockSlack, running_mock
from tests.slack.support import SECRET, FakeLambdaClient, InlineLazyRunner, LambdaHarness


def slack_settings(
    database_url: str, redis_url: str, redis_prefix: str, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_prefix": redis_prefix,
        "llm_provider": "offline",
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SECRET,
        "web_base_url": "https://interviews.example.com",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[arg-type, call-arg]


# What slack_bolt.lazy_listener.internals logs when a lazy listener raises (it does not re-raise).
SWALLOWED_BY_BOLT = "Failed to run an internal function"


@pytest.fixture(autouse=True)
def lazy_listeners_never_raise(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Bolt catches and only logs an exception raised in a lazy listener, so a test asserting
    "nothing was posted" would pass when the listener crashed. Fail such a test instead."""
    yield
    swallowed = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.getMessage().startswith(SWALLOWED_BY_BOLT)
    ]
    assert not swallowed, f"a lazy listener raised: {swallowed}"


@pytest.fixture
def mock_slack() -> Iterator[MockSlack]:
    with running_mock() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, migrated_sqlite: Path) -> Settings:
    """The embedded default: SQLite and the in-process Redis stand-in (tests that must also run
    on MariaDB + Redis override this fixture with the `backend` one)."""
    database_url = migrated_copy(migrated_sqlite, tmp_path / "slack.db")
    return slack_settings(database_url, f"memory://{tmp_path.name}", "ib:")


@pytest.fixture
def core(settings: Settings) -> Iterator[Core]:
    wired = build_core(settings, auto_migrate=True)
    yield wired
    wired.close()


@pytest.fixture
def web_client(mock_slack: MockSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=mock_slack.url)


@pytest.fixture
def app(core: Core, settings: Settings, web_client: WebClient) -> App:
    """The app through plain `App.dispatch`, with lazy listeners run inline."""
    return build_slack_app(
        lambda: core,
        settings,
        client=web_client,
        lazy_runner=InlineLazyRunner(logging.getLogger("tests.slack")),
    )


@pytest.fixture
def lam(core: Core, settings: Settings, web_client: WebClient, monkeypatch) -> LambdaHarness:  # type: ignore[no-untyped-def]
    """The Lambda entry point `bots.slack.aws_lambda.handler`, with a recording lambda client."""
    fake = FakeLambdaClient()
    built = aws_lambda.build_handler(
        settings, core_provider=lambda: core, client=web_client, lambda_client=fake
    )
    monkeypatch.setattr(aws_lambda, "_handler", built)
    return LambdaHarness(aws_lambda.handler, fake)
