"""The interview buttons, plus the two buttons that need no interview state.

The flows are imported by the functions that run them (see bots.slack.listeners)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.web import WebClient

from bots.slack import ids
from bots.slack.listeners import ack_only, tenant_of

if TYPE_CHECKING:
    from bots.slack.buttons import Click
    from bots.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)

INTERVIEW_BUTTON = re.compile("^(" + "|".join(map(re.escape, ids.INTERVIEW_ACTIONS)) + ")$")


def register(app: App, rt: SlackRuntime) -> None:
    def press(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        from bots.slack.buttons import HANDLERS
        from bots.slack.messaging import errors_to

        click = _click(body, action, client, respond, context)
        if click is None:
            return
        with errors_to(click.reply, what=f"button {action['action_id']}"):
            HANDLERS[action["action_id"]](rt, click)

    app.action(INTERVIEW_BUTTON)(ack=ack_only, lazy=[press])

    def open_start_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        from bots.slack.messaging import open_modal
        from bots.slack.surfaces import start_modal

        ack()
        # The trigger id expires after 3 seconds: open the modal here, not in a lazy listener.
        modal = start_modal(
            max_questions=rt.settings.max_questions_per_session,
            default_questions=rt.settings.questions_per_session,
            channel=None,  # from App Home there is no channel: the interview runs in a DM
            external_id=ids.start_form_id(body["trigger_id"]),
        )
        open_modal(client, body["trigger_id"], modal)

    def offer_bank(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        from bots.slack import banks

        banks.offer_bank_in_start_form(
            rt,
            client,
            tenant=tenant_of(context, body),
            external_id=ids.start_form_id(body["trigger_id"]),
            channel=None,
        )

    app.action(ids.HOME_START)(ack=open_start_modal, lazy=[offer_bank])
    app.action(ids.OPEN_DASHBOARD)(ack_only)


def _click(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> Click | None:
    from bots.slack.buttons import Click
    from bots.slack.messaging import Reply
    from core.domain.model import Platform, UserRef

    try:
        ref = ids.QuestionRef.decode(action.get("value", ""))
    except ValueError:
        log.warning("ignored a button with an unexpected value")
        return None
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    user = body["user"]["id"]
    message = body.get("message") or {}
    return Click(
        client=client,
        reply=Reply(
            client, user, channel=channel, respond=respond, thread=message.get("thread_ts")
        ),
        actor=UserRef(Platform.SLACK, tenant_of(context, body), user),
        ref=ref,
        channel=channel,
        message_ts=container.get("message_ts") or message.get("ts"),
        text=str(message.get("text") or "Mock interview"),
        blocks=list(message.get("blocks") or []),
        identity=f"{channel}:{action.get('action_ts', '')}:{action['action_id']}",
    )
