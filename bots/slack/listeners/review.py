"""The reminder's Start review button: a review session in the DM (bots.slack.review).

The flows are imported by the function that runs them (see bots.slack.listeners)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk.web import WebClient

from bots.slack import ids
from bots.slack.listeners import ack_only, tenant_of

if TYPE_CHECKING:
    from bots.slack.runtime import SlackRuntime


def register(app: App, rt: SlackRuntime) -> None:
    def start_from_button(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        from bots.slack.interview import start_interview
        from bots.slack.messaging import Reply, errors_to
        from bots.slack.review import review_request
        from core.domain.model import Platform, UserRef

        user = UserRef(Platform.SLACK, tenant_of(context, body), body["user"]["id"])
        channel = (body.get("channel") or {}).get("id")
        reply = Reply(client, user.user, channel=channel, respond=respond)
        action = (body.get("actions") or [{}])[0]
        identity = f"review:{user.user}:{action.get('action_ts', '')}"
        with errors_to(reply, what="button review_start"):
            request = review_request(user, channel=None, name=None, identity=identity)
            start_interview(rt, client, reply, request)

    app.action(ids.REVIEW_START)(ack=ack_only, lazy=[start_from_button])
