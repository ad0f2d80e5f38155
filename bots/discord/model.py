"""The neutral values both transports speak: who asked where, what they asked, what to answer.

The gateway bot builds these from discord.py objects and the HTTP endpoint from raw JSON; the
shared handling (interactions.py) sees nothing else. Replies are Discord API JSON, rendered once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final, Protocol

from core.domain.model import ConversationRef, Platform, UserRef

EPHEMERAL = 1 << 6  # message flag: only the person who interacted sees it
ANSWER_INPUT_ID = "answer"  # the answer modal's text input

# Channel types (Discord API) that matter here.
TEXT_CHANNEL = 0
THREAD_TYPES = frozenset({10, 11, 12})

# Interview threads archive after a quiet day, like idle sessions.
AUTO_ARCHIVE_MINUTES: Final = 1440

# Server-wide permission bits that make someone an admin of the question of the day.
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11

# Permission bits the bot needs in a channel to run an interview in a thread there.
VIEW_CHANNEL = 1 << 10
EMBED_LINKS = 1 << 14
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
PERMISSION_NAMES = {
    VIEW_CHANNEL: "View Channel",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
    CREATE_PRIVATE_THREADS: "Create Private Threads",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
    EMBED_LINKS: "Embed Links",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who interacted, and where."""

    interaction_id: str  # the delivery id: Discord sends the same id again on a redelivery
    user_id: str
    display_name: str
    guild_id: str | None  # None in a DM with the bot
    channel_id: str  # a thread's own id when used inside a thread
    channel_type: int | None = None
    parent_id: str | None = None  # the channel a thread belongs to
    app_permissions: int = 0  # the bot's permissions in this channel, sent with every interaction
    member_permissions: int = 0  # the caller's own permissions here (0 in a DM)

    @property
    def tenant(self) -> str:
        return self.guild_id or "dm"

    @property
    def user(self) -> UserRef:
        return UserRef(Platform.DISCORD, self.tenant, self.user_id)

    @property
    def is_server_admin(self) -> bool:
        """Discord's own word: Manage Server or Administrator in this server."""
        return self.guild_id is not None and bool(
            self.member_permissions & (ADMINISTRATOR | MANAGE_GUILD)
        )

    @property
    def in_thread(self) -> bool:
        return self.channel_type in THREAD_TYPES

    def missing_thread_permissions(self, *, private: bool) -> list[str]:
        """What the bot lacks to open an interview thread here (nothing when unknown)."""
        create = CREATE_PRIVATE_THREADS if private else CREATE_PUBLIC_THREADS
        needed = (VIEW_CHANNEL, create, SEND_MESSAGES_IN_THREADS, EMBED_LINKS)
        if not self.app_permissions:
            return []
        return [PERMISSION_NAMES[bit] for bit in needed if not self.app_permissions & bit]

    def conversation(self) -> ConversationRef:
        """Where this caller stands: a thread is (parent channel, thread), anything else a channel."""
        if self.in_thread and self.parent_id:
            return ConversationRef(
                Platform.DISCORD, self.tenant, self.parent_id, self.user_id, thread=self.channel_id
            )
        return ConversationRef(Platform.DISCORD, self.tenant, self.channel_id, self.user_id)


@dataclass(frozen=True, slots=True)
class Command:
    """`/interview <name>` with its options as plain values."""

    caller: Caller
    name: str
    options: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Press:
    """A button press."""

    caller: Caller
    custom_id: str


@dataclass(frozen=True, slots=True)
class ModalSubmit:
    caller: Caller
    custom_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Autocomplete:
    caller: Caller
    option: str
    value: str


Request = Command | Press | ModalSubmit | Autocomplete


def modal_text(components: list[dict[str, object]]) -> str:
    """The answer typed into the modal, from the submitted components (rows or labels)."""
    for component in components:
        if component.get("custom_id") == ANSWER_INPUT_ID:
            return str(component.get("value") or "")
        children = component.get("components") or (
            [component["component"]] if isinstance(component.get("component"), dict) else []
        )
        if isinstance(children, list) and (found := modal_text(children)):
            return found
    return ""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message in one of the bot's interview threads or in a DM (gateway only)."""

    message_id: str
    user_id: str
    guild_id: str | None
    channel_id: str
    parent_id: str | None  # set when the message is in a thread
    text: str

    def conversation(self) -> ConversationRef:
        tenant = self.guild_id or "dm"
        if self.parent_id:
            return ConversationRef(
                Platform.DISCORD, tenant, self.parent_id, self.user_id, thread=self.channel_id
            )
        return ConversationRef(Platform.DISCORD, tenant, self.channel_id, self.user_id)


@dataclass(frozen=True, slots=True)
class Reply:
    """A message as Discord JSON. In edits a field left as None stays as it was."""

    content: str | None = None
    embeds: tuple[dict[str, Any], ...] | None = None
    components: tuple[dict[str, Any], ...] | None = None
    ephemeral: bool = False
    ping: str | None = None  # a user id allowed to be mentioned (and so notified)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.content is not None:
            body["content"] = self.content
        if self.embeds is not None:
            body["embeds"] = list(self.embeds)
        if self.components is not None:
            body["components"] = list(self.components)
        if self.ephemeral:
            body["flags"] = EPHEMERAL
        # Never let user-written text (answers, names) ping @everyone or roles.
        body["allowed_mentions"] = {"parse": [], "users": [self.ping] if self.ping else []}
        return body


STRIP_BUTTONS = Reply(components=())


class AckKind(IntEnum):
    """Interaction callback types (Discord API), the first answer within 3 seconds."""

    PONG = 1
    MESSAGE = 4
    DEFER = 5  # "Bot is thinking…", completed later by editing the original response
    DEFER_UPDATE = 6  # a button press acknowledged silently; the message can be edited later
    CHOICES = 8
    MODAL = 9


@dataclass(frozen=True, slots=True)
class Ack:
    kind: AckKind
    reply: Reply | None = None  # MESSAGE
    ephemeral: bool = False  # DEFER
    choices: tuple[dict[str, str], ...] = ()  # CHOICES: [{"name", "value"}]
    modal: dict[str, Any] | None = None  # MODAL

    @property
    def deferred(self) -> bool:
        """True when the work still has to be done (and the response completed) after the ack."""
        return self.kind in (AckKind.DEFER, AckKind.DEFER_UPDATE)

    def payload(self) -> dict[str, Any]:
        """The interaction callback body, as the HTTP endpoint returns it."""
        if self.kind is AckKind.MESSAGE and self.reply is not None:
            return {"type": int(self.kind), "data": self.reply.payload()}
        if self.kind is AckKind.DEFER:
            return {"type": int(self.kind), "data": {"flags": EPHEMERAL if self.ephemeral else 0}}
        if self.kind is AckKind.CHOICES:
            return {"type": int(self.kind), "data": {"choices": list(self.choices)}}
        if self.kind is AckKind.MODAL and self.modal is not None:
            return {"type": int(self.kind), "data": self.modal}
        return {"type": int(self.kind)}


class DeliveryFailed(Exception):
    """Discord refused or could not take a message/thread call (permissions, outage)."""


class Responder(Protocol):
    """What the shared handling needs from a transport after the ack (all blocking calls).

    "original" is the deferred response: the "thinking" message of a command or modal submit,
    or the message holding the pressed button."""

    def edit_original(self, reply: Reply) -> None: ...

    def delete_original(self) -> None: ...

    def follow_up(self, reply: Reply) -> None: ...

    def open_thread(self, *, name: str, private: bool, user_id: str) -> str:
        """Create a thread in the interaction's channel, add the user, return its id."""
        ...

    def post(self, channel_id: str, reply: Reply) -> None: ...

    def private_reply_handle(self) -> str | None:
        """Where a later message can still reach this person privately (the interaction's
        follow-up webhook, valid 15 minutes), as "application_id:token"."""
        ...


class MessageOut(Protocol):
    """Replies to a thread message (gateway only): a placeholder, then the result."""

    def evaluating(self) -> None:
        """Show that the answer was taken and is being evaluated."""
        ...

    def reply(self, reply: Reply) -> None:
        """Post the result (replacing the placeholder when there is one)."""
        ...
