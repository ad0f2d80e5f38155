"""Thread replies (answers) and edits. The matchers are pure, so chatter never costs a lazy run.

The flows are imported by the functions that run them (see bots.slack.listeners)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext
from slack_sdk.web import WebClient

from bots.slack.listeners import ack_only, tenant_of

if TYPE_CHECKING:
    from bots.slack.runtime import SlackRuntime

# Message subtypes that are still a person writing: a plain reply, a reply also sent to the
# channel, a reply with a file attached. Everything else (joins, bot posts, deletions) is not.
ANSWER_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def is_thread_reply(event: dict[str, Any]) -> bool:
    thread = event.get("thread_ts")
    return (
        event.get("subtype") in ANSWER_SUBTYPES
        and bool(thread)
        and thread != event.get("ts")  # the thread's parent is not a reply
        and bool(event.get("user"))
        and not event.get("bot_id")
    )


def in_bot_thread(event: dict[str, Any], context: BoltContext) -> bool:
    """The thread was started by this app's bot, as every interview thread is. Slack names the
    thread's author in `parent_user_id`; when either id is missing, let the core decide."""
    parent = (event.get("message") or event).get("parent_user_id")
    bot = context.bot_user_id
    return not parent or not bot or parent == bot


def is_reply_edit(event: dict[str, Any]) -> bool:
    """A person's edit of a thread reply (not an unfurl or a bot's chat.update)."""
    if event.get("subtype") != "message_changed":
        return False
    message, before = event.get("message") or {}, event.get("previous_message") or {}
    return (
        is_thread_reply({**message, "subtype": None})
        and bool(message.get("edited"))
        and message.get("text") != before.get("text")
    )


def register(app: App, rt: SlackRuntime) -> None:
    def take_reply(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        from bots.slack.interview import take_answer
        from core.domain.model import ConversationRef, Platform

        conversation = ConversationRef(
            Platform.SLACK,
            tenant_of(context, body),
            event["channel"],
            event["user"],
            event["thread_ts"],
        )
        # The message ts is the same in every redelivery (HTTP retries, Socket Mode retries,
        # a Lambda lazy invocation delivered twice), so the core stores one answer per message.
        take_answer(
            rt,
            client,
            conversation=conversation,
            text=event.get("text") or "",
            delivery=event["ts"],
        )

    app.event("message", matchers=[is_thread_reply, in_bot_thread])(ack=ack_only, lazy=[take_reply])

    def hint_edit(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        from bots.slack.interview import hint_after_edit
        from core.domain.model import ConversationRef, Platform

        message = event["message"]
        conversation = ConversationRef(
            Platform.SLACK,
            tenant_of(context, body),
            event["channel"],
            message["user"],
            message["thread_ts"],
        )
        edit = f"{message['ts']}:{message['edited'].get('ts', '')}"
        hint_after_edit(rt, client, conversation=conversation, edit=edit)

    app.event("message", matchers=[is_reply_edit, in_bot_thread])(ack=ack_only, lazy=[hint_edit])
