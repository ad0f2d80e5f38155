"""Raw Discord payloads as the API and the gateway send them (INTERACTION_CREATE bodies are the
same JSON the HTTP interactions endpoint receives), built by hand after Discord's docs."""

from __future__ import annotations

import itertools
from typing import Any

APP_ID = "900000000000000001"
BOT_ID = "900000000000000002"
GUILD_ID = "100000000000000001"
CHANNEL_ID = "100000000000000010"
ALICE = "200000000000000001"
BOB = "200000000000000002"
DM_CHANNEL = "100000000000000099"
WEBHOOK_CHANNEL = "0"  # follow-ups do not name their channel in the webhook path
ALL_PERMISSIONS = str((1 << 47) - 1)
STAMP = "2026-11-26T12:00:00.000000+00:00"
NAMES = {ALICE: "alice", BOB: "bob", BOT_ID: "interviewbot"}

_ids = itertools.count(500_000_000_000_000_000)


def next_id() -> str:
    return str(next(_ids))


def user(user_id: str, name: str | None = None, *, bot: bool = False) -> dict[str, Any]:
    name = name or NAMES.get(user_id, "someone")
    return {
        "id": user_id,
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
    }


def member(user_id: str) -> dict[str, Any]:
    return {
        "user": user(user_id),
        "nick": None,
        "roles": [],
        "joined_at": STAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": ALL_PERMISSIONS,
    }


def application() -> dict[str, Any]:
    return {
        "id": APP_ID,
        "name": "Interview Bot",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "00" * 32,
        "flags": 0,
        "owner": user("1", "owner"),
        "interactions_endpoint_url": None,
    }


def text_channel(channel_id: str = CHANNEL_ID, *, kind: int = 0) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": kind,
        "guild_id": GUILD_ID,
        "name": "practice",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def thread(thread_id: str, *, parent: str = CHANNEL_ID, private: bool = False) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": 12 if private else 11,
        "guild_id": GUILD_ID,
        "parent_id": parent,
        "owner_id": BOT_ID,
        "name": "Interview",
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": STAMP,
            "locked": False,
        },
    }


def dm_channel(channel_id: str = DM_CHANNEL, user_id: str = ALICE) -> dict[str, Any]:
    return {"id": channel_id, "type": 1, "recipients": [user(user_id)], "last_message_id": None}


def guild() -> dict[str, Any]:
    """GUILD_CREATE, as Discord sends it once the bot connects."""
    return {
        "id": GUILD_ID,
        "name": "Practice Server",
        "icon": None,
        "owner_id": "1",
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": GUILD_ID,
                "name": "@everyone",
                "permissions": ALL_PERMISSIONS,
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "member_count": 3,
        "members": [member(BOT_ID) | {"user": user(BOT_ID, bot=True)}],
        "channels": [text_channel()],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "large": False,
        "unavailable": False,
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
    }


def message(
    *,
    message_id: str | None = None,
    channel_id: str,
    author: dict[str, Any],
    content: str = "",
    embeds: list[Any] | None = None,
    components: list[Any] | None = None,
    flags: int = 0,
    guild_id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message_id or next_id(),
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": STAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "pinned": False,
        "type": 0,
        "flags": flags,
        "components": components or [],
    }
    if guild_id:
        data["guild_id"] = guild_id
    return data


def chat(channel_id: str, text: str, *, user_id: str = ALICE, in_guild: bool = True) -> dict:
    """MESSAGE_CREATE from a person."""
    data = message(
        channel_id=channel_id,
        author=user(user_id),
        content=text,
        guild_id=GUILD_ID if in_guild else None,
    )
    if in_guild:
        data["member"] = {k: v for k, v in member(user_id).items() if k != "user"}
    return data


def interaction(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: str = ALICE,
    channel: dict[str, Any] | None = None,
    in_guild: bool = True,
    app_permissions: str = ALL_PERMISSIONS,
    message_json: dict[str, Any] | None = None,
    member_permissions: str = ALL_PERMISSIONS,
) -> dict[str, Any]:
    """INTERACTION_CREATE (and the HTTP endpoint's request body)."""
    interaction_id = next_id()
    body: dict[str, Any] = {
        "id": interaction_id,
        "application_id": APP_ID,
        "type": kind,
        "token": f"itoken-{interaction_id}",
        "version": 1,
        "locale": "en-US",
        "attachment_size_limit": 8_388_608,
        "entitlements": [],
        "app_permissions": app_permissions,
        "data": data,
    }
    if in_guild:
        channel = channel or text_channel()
        body |= {
            "guild_id": GUILD_ID,
            "guild_locale": "en-US",
            "guild": {"id": GUILD_ID, "locale": "en-US", "features": []},
            "member": member(user_id) | {"permissions": member_permissions},
            "context": 0,
            "authorizing_integration_owners": {"0": GUILD_ID},
        }
    else:
        channel = channel or dm_channel(user_id=user_id)
        body |= {"user": user(user_id), "context": 1, "authorizing_integration_owners": {}}
    body |= {"channel": channel, "channel_id": channel["id"]}
    if message_json is not None:
        body["message"] = message_json
    return body


def command(name: str, options: dict[str, str | int] | None = None, **kwargs: Any) -> dict:
    values = [
        {"name": key, "type": 4 if isinstance(value, int) else 3, "value": value}
        for key, value in (options or {}).items()
    ]
    data = {
        "id": "800000000000000001",
        "name": "interview",
        "type": 1,
        "options": [{"name": name, "type": 1, "options": values}],
    }
    return interaction(2, data, **kwargs)


def autocomplete(typed: str, **kwargs: Any) -> dict[str, Any]:
    data = {
        "id": "800000000000000001",
        "name": "interview",
        "type": 1,
        "options": [
            {
                "name": "start",
                "type": 1,
                "options": [{"name": "role", "type": 3, "value": typed, "focused": True}],
            }
        ],
    }
    return interaction(4, data, **kwargs)


def press(custom_id: str, message_json: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    data = {"custom_id": custom_id, "component_type": 2}
    return interaction(3, data, message_json=message_json, **kwargs)


def modal_submit(custom_id: str, text: str, **kwargs: Any) -> dict[str, Any]:
    row = {"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": text}]}
    return interaction(5, {"custom_id": custom_id, "components": [row]}, **kwargs)


def bot_message(body: dict[str, Any], channel_id: str) -> dict[str, Any]:
    """The message the bot posted with `body`, as Discord sends it back inside interactions."""
    return message(
        channel_id=channel_id,
        author=user(BOT_ID, bot=True),
        content=body.get("content") or "",
        embeds=body.get("embeds") or [],
        components=body.get("components") or [],
        guild_id=GUILD_ID,
    )


def custom_ids(body: dict[str, Any]) -> dict[str, str]:
    """{"Answer": "ib:answer:…", …} from a message body's buttons."""
    return {
        button["label"]: button.get("custom_id", button.get("url", ""))
        for row in body.get("components") or []
        for button in row["components"]
    }
