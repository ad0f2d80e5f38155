"""Discord's HTTP interactions endpoint: Ed25519 verification, routing, and REST follow-ups.

discord.py cannot serve this endpoint, and a serverless deployment has no gateway connection,
so this transport reads Discord's raw JSON and answers with raw JSON. `acknowledge` returns the
HTTP answer (PONG, a message, a modal, a deferral) within milliseconds; `complete` does the
deferred work later (another invocation on Lambda) and finishes it through the interaction
webhook with httpx. The handling itself is InteractionHandler's, shared with the gateway bot.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from bots.discord.model import (
    AUTO_ARCHIVE_MINUTES,
    Autocomplete,
    Caller,
    Command,
    DeliveryFailed,
    ModalSubmit,
    Press,
    Reply,
    Request,
    modal_text,
)

if TYPE_CHECKING:  # the notifier imports DiscordRest from here; the handler imports the notifier
    from bots.discord.interactions import InteractionHandler

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and interaction webhook URLs carry the interaction token.
logging.getLogger("httpx").setLevel(logging.WARNING)

SIGNATURE_MAX_AGE = 300.0  # seconds: a captured request cannot be replayed later than this
COMPLETION_MAX_AGE = 900.0  # completing work already acknowledged: the token lives 15 minutes
USER_AGENT = "DiscordBot (https://github.com/interviewbot/interviewbot, 0.1.0)"
PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
SUB_COMMAND_GROUP = 2  # an option's type: a group of sub-commands
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
ATTEMPTS = 3  # per REST call


@dataclass(frozen=True, slots=True)
class SignedBody:
    """A request body with the signature headers it came with (kept to re-verify later)."""

    body: bytes
    signature: str
    timestamp: str

    def to_dict(self) -> dict[str, str]:
        return {
            "body": self.body.decode("utf-8"),
            "signature": self.signature,
            "timestamp": self.timestamp,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> SignedBody:
        return cls(data["body"].encode("utf-8"), data["signature"], data["timestamp"])


@dataclass(frozen=True, slots=True)
class EndpointResponse:
    status: int
    body: dict[str, Any]
    deferred: SignedBody | None = None  # work to complete after this response is sent


class SignatureVerifier:
    """Discord signs timestamp + body with the application's Ed25519 key."""

    def __init__(self, public_key_hex: str, *, clock: Callable[[], float] = time.time) -> None:
        self._key = VerifyKey(bytes.fromhex(public_key_hex))
        self._clock = clock

    def verify(self, signed: SignedBody, *, max_age: float = SIGNATURE_MAX_AGE) -> bool:
        try:
            sent_at = float(signed.timestamp)
            signature = bytes.fromhex(signed.signature)
            self._key.verify(signed.timestamp.encode() + signed.body, signature)
        except (ValueError, BadSignatureError):
            return False
        # Signed but stale (or from the future): refuse replays of captured requests.
        return abs(self._clock() - sent_at) <= max_age


def caller_from(payload: Mapping[str, Any]) -> Caller:
    member = payload.get("member") or {}
    user = member.get("user") or payload.get("user") or {}
    channel = payload.get("channel") or {}
    parent = channel.get("parent_id")
    return Caller(
        interaction_id=str(payload["id"]),
        user_id=str(user.get("id", "")),
        display_name=member.get("nick") or user.get("global_name") or user.get("username") or "",
        guild_id=str(payload["guild_id"]) if payload.get("guild_id") else None,
        channel_id=str(payload.get("channel_id") or channel.get("id", "")),
        channel_type=channel.get("type"),
        parent_id=str(parent) if parent else None,
        app_permissions=int(payload.get("app_permissions") or 0),
        member_permissions=int(member.get("permissions") or 0),
    )


def parse_request(payload: Mapping[str, Any]) -> Request | None:
    """A neutral request from a raw interaction; None for kinds this bot does not handle."""
    kind, data, caller = payload.get("type"), payload.get("data") or {}, caller_from(payload)
    if kind in (COMMAND, AUTOCOMPLETE):
        options: list[dict[str, Any]] = data.get("options") or []
        unknown: dict[str, Any] = {"name": "?"}  # answered as an unknown command
        sub = options[0] if options and data.get("name") == "interview" else unknown
        if sub.get("type") == SUB_COMMAND_GROUP:  # `/interview qotd set …`: "qotd.set"
            inner = (sub.get("options") or [unknown])[0]
            sub = {**inner, "name": f"{sub['name']}.{inner['name']}"}
        values: list[dict[str, Any]] = sub.get("options") or []
        if kind == AUTOCOMPLETE:
            blank: dict[str, Any] = {"name": "", "value": ""}
            focused = next((o for o in values if o.get("focused")), blank)
            return Autocomplete(caller, str(focused["name"]), str(focused.get("value", "")))
        return Command(caller, str(sub["name"]), {o["name"]: o["value"] for o in values})
    if kind == COMPONENT:
        return Press(caller, str(data.get("custom_id", "")))
    if kind == MODAL_SUBMIT:
        text = modal_text(list(data.get("components") or []))
        return ModalSubmit(caller, str(data.get("custom_id", "")), text)
    return None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default context, built once: loading the CA certificates costs ~20 ms, and a
    process may hold several clients (the endpoint's, the notifier's, the QOTD poster's)."""
    return httpx.create_ssl_context()


class DiscordRest:
    """The few REST calls the endpoint makes. Errors become DeliveryFailed; a short rate-limit
    wait is honoured and Discord's 5xx retried; nothing logged here names a token."""

    def __init__(
        self,
        base_url: str,
        bot_token: str | None,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = bot_token
        self._client = client  # made on first use: its TLS setup (~75 ms) stays off the ack path
        self._sleep = sleep

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=10.0, verify=_tls_context())
        return self._client

    def call(
        self, method: str, path: str, *, what: str, json: Any = None, auth: bool = False
    ) -> Any:
        headers = {"User-Agent": USER_AGENT}
        if auth:
            if not self._token:
                raise DeliveryFailed("DISCORD_TOKEN is not set, so the bot cannot post")
            headers["Authorization"] = f"Bot {self._token}"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.client.request(
                    method, self.base_url + path, json=json, headers=headers
                )
            except httpx.HTTPError as exc:
                raise DeliveryFailed(f"{what}: {type(exc).__name__}") from None
            status = response.status_code
            if attempt < ATTEMPTS and (status == 429 or status in RETRIED_STATUSES):
                # A rate limit, or Discord's own hiccup (retried as discord.py does).
                self._sleep(_retry_after(response) if status == 429 else 0.5 * attempt)
                continue
            if status >= 400:
                raise DeliveryFailed(f"{what}: Discord answered {status}")
            return response.json() if response.content else None
        raise AssertionError("the last attempt returns or raises")


def _retry_after(response: httpx.Response) -> float:
    """Discord's advised wait, capped: a long wait would outlive the interaction anyway."""
    try:
        return min(float(response.json().get("retry_after", 1.0)), 5.0)
    except (ValueError, AttributeError):
        return 1.0


@dataclass
class RestResponder:
    """Completes one interaction through its webhook; posts and threads use the bot token."""

    rest: DiscordRest
    application_id: str
    token: str = field(repr=False)
    channel_id: str

    @property
    def _webhook(self) -> str:
        return f"/webhooks/{self.application_id}/{self.token}"

    def edit_original(self, reply: Reply) -> None:
        payload = reply.payload()
        payload.pop("flags", None)  # fixed by the deferral; an edit cannot change it
        path = f"{self._webhook}/messages/@original"
        self.rest.call("PATCH", path, json=payload, what="edit the response")

    def delete_original(self) -> None:
        path = f"{self._webhook}/messages/@original"
        self.rest.call("DELETE", path, what="delete the response")

    def follow_up(self, reply: Reply) -> None:
        self.rest.call("POST", self._webhook, json=reply.payload(), what="send a follow-up")

    def open_thread(self, *, name: str, private: bool, user_id: str) -> str:
        body: dict[str, Any] = {
            "name": name,
            "type": 12 if private else 11,
            "auto_archive_duration": AUTO_ARCHIVE_MINUTES,
        }
        if private:
            body["invitable"] = False
        path = f"/channels/{self.channel_id}/threads"
        thread = self.rest.call("POST", path, json=body, auth=True, what="open a thread")
        thread_id = str(thread["id"])
        member = f"/channels/{thread_id}/thread-members/{user_id}"
        self.rest.call("PUT", member, auth=True, what="add the candidate to the thread")
        return thread_id

    def post(self, channel_id: str, reply: Reply) -> None:
        payload = reply.payload()
        payload.pop("flags", None)  # channel messages cannot be ephemeral
        path = f"/channels/{channel_id}/messages"
        self.rest.call("POST", path, json=payload, auth=True, what="post a message")

    def private_reply_handle(self) -> str | None:
        return f"{self.application_id}:{self.token}"


class InteractionEndpoint:
    def __init__(
        self, handler: InteractionHandler, verifier: SignatureVerifier, rest: DiscordRest
    ) -> None:
        self.handler, self.verifier, self.rest = handler, verifier, rest

    def acknowledge(self, headers: Mapping[str, str], body: bytes) -> EndpointResponse:
        """The HTTP answer to one request from Discord (401 when the signature is wrong)."""
        lower = {k.lower(): v for k, v in headers.items()}
        signed = SignedBody(
            body, lower.get("x-signature-ed25519", ""), lower.get("x-signature-timestamp", "")
        )
        if not self.verifier.verify(signed):
            return EndpointResponse(401, {"error": "invalid request signature"})
        try:
            payload = json.loads(body)
        except ValueError:
            return EndpointResponse(400, {"error": "the body is not JSON"})
        if payload.get("type") == PING:
            return EndpointResponse(200, {"type": PING})
        request = parse_request(payload)
        if request is None:
            return EndpointResponse(400, {"error": "unsupported interaction type"})
        ack = self.handler.acknowledge(request)
        return EndpointResponse(200, ack.payload(), deferred=signed if ack.deferred else None)

    def complete(self, signed: SignedBody) -> None:
        """The deferred half: re-verified (it may come back through a queue), then done. The
        handler ends every failure of the work in a message; this never raises, since a raise
        would only make Lambda run it again while the person waits on "thinking…"."""
        if not self.verifier.verify(signed, max_age=COMPLETION_MAX_AGE):
            log.warning("refused to complete an interaction: bad or expired signature")
            return
        try:
            payload = json.loads(signed.body)
            request = parse_request(payload)
            if request is None or not self._first_delivery(str(payload["id"])):
                return
            responder = RestResponder(
                self.rest,
                application_id=self._application_id(payload),
                token=str(payload["token"]),
                channel_id=request.caller.channel_id,
            )
        except Exception:
            log.exception("could not read the interaction to complete")
            return
        self.handler.complete(request, responder)

    def _application_id(self, payload: Mapping[str, Any]) -> str:
        """The application whose webhook completes the interaction: Discord names it in every
        interaction; should one arrive without it, DISCORD_APPLICATION_ID is the same id."""
        configured = self.handler.settings.discord_application_id
        found = payload.get("application_id") or configured
        if not found:
            raise ValueError("the interaction names no application_id; set DISCORD_APPLICATION_ID")
        return str(found)

    def _first_delivery(self, interaction_id: str) -> bool:
        try:
            return self.handler.claim(interaction_id, seconds=COMPLETION_MAX_AGE)
        except Exception:
            # The core could not even be reached: go ahead, so the work meets the same fault and
            # the user gets a message instead of "thinking…" until the token expires.
            log.exception("could not claim interaction %s", interaction_id)
            return True
