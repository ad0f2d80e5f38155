"""The question of the day's Answer button and modal, and the App Home leaderboard toggle.

The button opens the modal in its ack (the trigger id lives 3 seconds) with the question from
the message itself, so no database is touched before Slack gets its answer. The flows are
imported by the functions that run them (see bots.slack.listeners)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient

from bots.slack import ids
from bots.slack.listeners import ack_only, tenant_of

if TYPE_CHECKING:
    from bots.slack.runtime import SlackRuntime

EMPTY_ANSWER = "Write your answer first."


def register(app: App, rt: SlackRuntime) -> None:
    def open_answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        from bots.slack.messaging import open_modal
        from bots.slack.qotd_render import answer_modal

        ack()
        channel = (body.get("channel") or {}).get("id")
        modal = answer_modal(
            action.get("value", ""),
            _question_of(body.get("message") or {}),
            channel=channel,
            max_chars=rt.settings.max_answer_chars,
        )
        open_modal(client, body["trigger_id"], modal)

    app.action(ids.QOTD_ANSWER)(open_answer)

    def check_answer(ack: Ack, view: dict[str, Any]) -> None:
        if not _answer_of(view).strip():  # said in the form itself: nothing to store
            ack(response_action="errors", errors={ids.QOTD_ANSWER_BLOCK: EMPTY_ANSWER})
            return
        ack()

    def submit(
        body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        from bots.slack import qotd
        from bots.slack.messaging import Reply, errors_to
        from core.domain.model import Platform, UserRef

        meta = json.loads(view.get("private_metadata") or "{}")
        who = body["user"]
        reply = Reply(client, who["id"], channel=meta.get("channel"))
        with errors_to(reply, what="question-of-the-day answer"):
            qotd.submit_answer(
                rt,
                reply,
                user=UserRef(Platform.SLACK, tenant_of(context, body), who["id"]),
                post_id=int(meta.get("post") or 0),
                text=_answer_of(view),
                view_id=str(view.get("id", "")),
                name=who.get("username") or who.get("name"),
            )

    app.view(ids.QOTD_MODAL)(ack=check_answer, lazy=[submit])

    def toggle(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        from bots.slack.account import publish_home
        from bots.slack.messaging import Reply, errors_to
        from core.domain.model import Platform, UserRef
        from core.services.qotd_leaderboard import join_leaderboard, leave_leaderboard

        who = body["user"]
        user = UserRef(Platform.SLACK, tenant_of(context, body), who["id"])
        with errors_to(Reply(client, user.user), what="leaderboard toggle"):
            if action["action_id"] == ids.QOTD_JOIN:
                join_leaderboard(rt.deps, user=user, display_name=who.get("username"))
            else:
                leave_leaderboard(rt.deps, user=user)
            publish_home(rt, client, user)

    for action_id in (ids.QOTD_JOIN, ids.QOTD_LEAVE):
        app.action(action_id)(ack=ack_only, lazy=[toggle])


def _answer_of(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(ids.QOTD_ANSWER_BLOCK) or {}).get(ids.QOTD_ANSWER_INPUT) or {}
    return str(field.get("value") or "")


def _question_of(message: dict[str, Any]) -> str:
    """The question's text from the card the button is on (its first section)."""
    for block in message.get("blocks") or []:
        if block.get("type") == "section":
            return str((block.get("text") or {}).get("text") or "")
    return str(message.get("text") or "Question of the day")
