"""On AWS the schedule invokes each platform's own function with an EventBridge event: the
function runs the due check for its platform instead of treating it as a platform request."""

from __future__ import annotations

import pytest

from core import jobs

SCHEDULED = {
    "version": "0",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/interviewbot-due"],
    "detail": {},
}


@pytest.mark.parametrize(
    ("module", "platform"),
    [("bots.slack.aws_lambda", "slack"), ("bots.discord.aws_lambda", "discord")],
)
def test_a_scheduled_event_runs_the_platforms_due_check(
    module: str, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    ran: list[str] = []
    monkeypatch.setattr(jobs, "due_for_platform", lambda p: ran.append(p) or {"reminders": {}})
    handler = importlib.import_module(module).handler
    assert handler(dict(SCHEDULED), object()) == {"reminders": {}}
    assert ran == [platform]


def test_only_that_platforms_notifier_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, object]] = []

    class Core:
        settings = object()

    monkeypatch.setattr(jobs, "_core", Core())
    monkeypatch.setattr(jobs, "notifiers_for", lambda s: {"slack": "S", "discord": "D"})
    monkeypatch.setattr(jobs, "run_due_now", lambda core, notifiers: seen.append(notifiers) or {})
    jobs.due_for_platform("discord")
    assert seen == [{"discord": "D"}]
