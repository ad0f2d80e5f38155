"""The App Home tab: published whenever the person opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext
from slack_sdk.web import WebClient

from bots.slack.listeners import ack_only, tenant_of

if TYPE_CHECKING:
    from bots.slack.runtime import SlackRuntime


def is_home_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "home"


def register(app: App, rt: SlackRuntime) -> None:
    def publish(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        from bots.slack.account import publish_home
        from core.domain.model import Platform, UserRef

        publish_home(rt, client, UserRef(Platform.SLACK, tenant_of(context, body), event["user"]))

    app.event("app_home_opened", matchers=[is_home_tab])(ack=ack_only, lazy=[publish])
