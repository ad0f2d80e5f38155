"""The Slack notifier: the core's own messages reach a person's DM or a channel, or are edited."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from slack_sdk.web import WebClient

from bots.slack.blocks import section
from bots.slack.notifier import RENDERERS, SlackNotifier, renders
from core.domain.notices import DeliveryFailed, Notice
from tests.slack.mock_slack import MockSlack


@dataclass(frozen=True, slots=True, kw_only=True)
class Hello(Notice):
    name: str


@pytest.fixture(autouse=True)
def hello_renderer():  # type: ignore[no-untyped-def]
    @renders(Hello)
    def _render(notice: Hello):  # type: ignore[no-untyped-def]
        text = f"Hello {notice.name}"
        return text, [section(text)]

    yield
    RENDERERS.pop(Hello, None)


def test_a_dm_a_channel_post_and_an_edit(mock_slack: MockSlack, web_client: WebClient) -> None:
    notifier = SlackNotifier(lambda team: web_client)
    notifier.send(Hello(platform="slack", tenant="T0TEAM", user="U123", name="Ada"))
    opened = mock_slack.to("conversations.open")[0]
    dm = mock_slack.to("chat.postMessage")[0]
    assert opened.params["users"] == "U123" and dm.params["channel"] == "D123"
    ts = notifier.send(Hello(platform="slack", tenant="T0TEAM", channel="C9", name="team"))
    assert ts and mock_slack.to("chat.postMessage")[1].params["channel"] == "C9"
    notifier.send(Hello(platform="slack", tenant="T0TEAM", channel="C9", replaces=ts, name="all"))
    edit = mock_slack.to("chat.update")[0]
    assert edit.params["ts"] == ts and "Hello all" in edit.text()


def test_refusals_are_delivery_failures(mock_slack: MockSlack, web_client: WebClient) -> None:
    mock_slack.fail("chat.postMessage", "channel_not_found")
    notifier = SlackNotifier(lambda team: web_client)
    with pytest.raises(DeliveryFailed, match="channel_not_found"):
        notifier.send(Hello(platform="slack", tenant="T0TEAM", channel="C404", name="x"))
    with pytest.raises(DeliveryFailed, match="not installed"):
        SlackNotifier(lambda team: None).send(
            Hello(platform="slack", tenant="T-other", channel="C1", name="x")
        )
