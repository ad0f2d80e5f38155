"""The start modal's submission: closes at once, the interview starts in a lazy listener."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient

from bots.slack import ids
from bots.slack.listeners import tenant_of

if TYPE_CHECKING:
    from bots.slack.runtime import SlackRuntime


def register(app: App, rt: SlackRuntime) -> None:
    def close_modal(ack: Ack) -> None:
        ack()

    def start_from_modal(
        body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        from bots.slack.interview import StartRequest, start_interview
        from bots.slack.messaging import Reply, errors_to
        from bots.slack.surfaces import read_modal

        choice = read_modal(view)
        user = body["user"]["id"]
        reply = Reply(client, user, channel=choice.channel)
        request = StartRequest(
            tenant=tenant_of(context, body),
            user=user,
            channel=choice.channel,
            role=choice.role,
            difficulty=choice.difficulty,
            questions=choice.questions,
            display_name=body["user"].get("username") or body["user"].get("name"),
            identity=f"view:{view['id']}",
        )
        with errors_to(reply, what="start from the modal"):
            start_interview(rt, client, reply, request)

    app.view(ids.START_MODAL)(ack=close_modal, lazy=[start_from_modal])
