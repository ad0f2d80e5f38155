"""The Slack tests' fixtures (tests/slack/conftest.py), for the bank tests driven through Slack."""

from tests.slack.conftest import (  # noqa: F401  (fixtures, found by name)
    app,
    core,
    lam,
    lazy_listeners_never_raise,
    mock_slack,
    settings,
    web_client,
)
