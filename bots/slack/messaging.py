"""Thin, forgiving wrappers over the Web API calls the listeners make.

A failed post is logged and reported as None/False rather than raised: after the core has done
its work, a Slack hiccup must not turn into a second attempt at that work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bots.slack.blocks import Rendered
from bots.slack.errors import UNEXPECTED, message_for
from core.domain.errors import InterviewError

log = logging.getLogger(__name__)

# Web API errors that mean "the bot is not allowed to post there", not "Slack is down".
NO_ACCESS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot"}
)


def post(
    client: WebClient, channel: str, rendered: Rendered, *, thread: str | None = None
) -> str | None:
    """Post a message (in a thread when given); its ts, or None when Slack refused."""
    text, blocks = rendered
    try:
        response = client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread
        )
    except SlackApiError as error:
        log.warning("chat.postMessage to %s failed: %s", channel, reason(error))
        return None
    return str(response["ts"])


def update(client: WebClient, channel: str, ts: str, rendered: Rendered) -> bool:
    text, blocks = rendered
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("chat.update of %s in %s failed: %s", ts, channel, reason(error))
        return False
    return True


def delete(client: WebClient, channel: str, ts: str) -> None:
    try:
        client.chat_delete(channel=channel, ts=ts)
    except SlackApiError as error:
        log.warning("chat.delete of %s in %s failed: %s", ts, channel, reason(error))


def ephemeral(
    client: WebClient,
    channel: str,
    user: str,
    text: str,
    *,
    thread: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> bool:
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=text, thread_ts=thread, blocks=blocks
        )
    except SlackApiError as error:
        log.warning("chat.postEphemeral in %s failed: %s", channel, reason(error))
        return False
    return True


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    # Called on the ack path: a refusal (the trigger expired) is logged, never a 500 to Slack.
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", reason(error))


def open_dm(client: WebClient, user: str) -> str:
    """The id of the bot's direct-message channel with this person."""
    response = client.conversations_open(users=user)
    return str(response["channel"]["id"])


def reason(error: SlackApiError) -> str:
    # Only the API's error code: the response may echo the request, never log more than this.
    return str(error.response.get("error", "unknown_error"))


@dataclass(frozen=True)
class Reply:
    """Tells one person something only they see: through the command's response_url when
    there is one, else as an ephemeral message in the channel, else in a DM."""

    client: WebClient
    user: str
    channel: str | None = None
    respond: Callable[..., Any] | None = None
    thread: str | None = None

    def __call__(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        if self.respond is not None:
            try:
                self.respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
                return
            except Exception as error:  # response_url expired (30 min) or unreachable
                # The type only: the message may quote the response_url, a short-lived secret.
                log.warning(
                    "respond() failed (%s); trying an ephemeral message", type(error).__name__
                )
        if self.channel and ephemeral(
            self.client, self.channel, self.user, text, thread=self.thread, blocks=blocks
        ):
            return
        try:
            self.client.chat_postMessage(channel=self.user, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("could not reach %s at all: %s", self.user, reason(error))


@contextmanager
def errors_to(reply: Reply, *, what: str) -> Iterator[None]:
    """Turn any error of a lazy listener into a clear private message (never a traceback)."""
    try:
        yield
    except InterviewError as error:
        reply(message_for(error))
    except Exception:
        log.exception("Slack %s failed", what)
        reply(UNEXPECTED)
