"""The shared handling of both transports: neutral requests in, core calls, rendered replies out.

Every interaction runs in two steps. `acknowledge` answers within Discord's 3 seconds and does no
I/O at all (so a cold serverless start or a slow database never misses the deadline): it defers,
opens the answer modal, or refuses at once what it can tell is wrong. Autocomplete is the one
exception: a server's role list is its chosen bank's, read with one indexed lookup (`choices`).
`complete` then does the work (commands.py, buttons.py) and finishes the response through a
Responder; every error ends here as one clear message. The gateway bot and the HTTP endpoint
only translate to and from these calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from bots.discord import banks, buttons, commands, errors, ids, notices, qotd, render
from bots.discord.ids import Action
from bots.discord.model import (
    TEXT_CHANNEL,
    Ack,
    AckKind,
    Autocomplete,
    Caller,
    ChatMessage,
    Command,
    MessageOut,
    ModalSubmit,
    Press,
    Reply,
    Request,
    Responder,
)
from core import services
from core.config import Settings
from core.domain.errors import (
    InterviewError,
    LlmUnavailable,
    NoActiveSession,
    NotYourSession,
    ServiceUnavailable,
)
from core.domain.model import Attempt, Platform
from core.domain.roles import Role
from core.services.claims import first_delivery
from core.services.deps import Deps

if TYPE_CHECKING:  # the real import pulls in SQLAlchemy: keep it off the ack path
    from core.bootstrap import Core

log = logging.getLogger(__name__)


def _message(reply: Reply) -> Ack:
    return Ack(AckKind.MESSAGE, reply=reply)


class InteractionHandler:
    """Slash commands, buttons, the answer modal and thread replies, for any transport."""

    def __init__(
        self, settings: Settings, core: Callable[[], Core], *, reads_replies: bool
    ) -> None:
        self.settings = settings
        self.reads_replies = reads_replies  # the gateway with Message Content: replies count
        self._build_core = core
        self._core: Core | None = None
        self._lock = threading.Lock()

    @property
    def deps(self) -> Deps:
        """The wired core, built on first use: acknowledgements never wait for it."""
        with self._lock:
            if self._core is None:
                self._core = self._build_core()
        return self._core.deps

    # -- step 1: within 3 seconds, no I/O ------------------------------------------------

    def acknowledge(self, request: Request) -> Ack:
        if isinstance(request, Autocomplete):
            return self.choices(request)
        if qotd.handles(request):
            return qotd.acknowledge(request, max_chars=self.settings.max_answer_chars)
        if banks.handles(request):
            return banks.acknowledge()
        if isinstance(request, Command):
            return self._acknowledge_command(request)
        cid = ids.parse(request.custom_id)
        is_submit = isinstance(request, ModalSubmit)
        if cid is None or (cid.action is Action.SUBMIT) != is_submit:
            return _message(errors.error(errors.STALE_BUTTON))
        if cid.owner != request.caller.user_id:  # the core checks again; this spares a modal
            return _message(errors.error(NotYourSession()))
        if is_submit:
            return Ack(AckKind.DEFER)  # public "thinking…", edited into the evaluation
        if cid.action is Action.ANSWER:
            modal = render.answer_modal(
                str(cid.with_action(Action.SUBMIT)), max_chars=self.settings.max_answer_chars
            )
            return Ack(AckKind.MODAL, modal=modal)
        return Ack(AckKind.DEFER_UPDATE)

    def choices(self, request: Autocomplete) -> Ack:
        """The roles `/interview start` offers: the server's chosen bank's, each with its levels
        (a DM, where no bank is chosen, and the built-in bank: every role)."""
        bank = None
        if request.caller.guild_id is not None:
            try:
                tenant = request.caller.tenant
                bank = services.bank_in_use(self.deps, platform=Platform.DISCORD, tenant=tenant)
            except Exception as exc:  # every role, rather than none: the start checks again
                log.warning(
                    "reading the server's bank for autocomplete failed: %s", type(exc).__name__
                )
        return Ack(AckKind.CHOICES, choices=render.role_choices(request.value, Role, bank))

    def _acknowledge_command(self, command: Command) -> Ack:
        if command.name == "help":
            return _message(
                notices.help_text(
                    reads_replies=self.reads_replies,
                    max_questions=self.settings.max_questions_per_session,
                )
            )
        if command.name not in commands.NAMES:
            return _message(errors.error(errors.UNKNOWN_COMMAND))
        starts = command.name in ("start", "review")
        if starts and (refusal := self._cannot_start_here(command.caller)):
            return _message(errors.error(refusal))
        return Ack(AckKind.DEFER, ephemeral=True)

    def _cannot_start_here(self, caller: Caller) -> InterviewError | None:
        """Refuse before the quota is counted where no thread can be opened."""
        if caller.guild_id is None:
            return None  # a DM: the interview happens right there
        if caller.channel_type is not None and caller.channel_type != TEXT_CHANNEL:
            return errors.NOT_HERE
        missing = caller.missing_thread_permissions(private=self.settings.discord_private_threads)
        return errors.missing_permissions(missing) if missing else None

    # -- step 2: the work, then the response completed through the Responder -------------

    def claim(self, interaction_id: str, *, seconds: float) -> bool:
        """True the first time only: for transports whose deferred work can arrive twice (Lambda
        delivers asynchronous invocations at least once). Answers and buttons are idempotent in
        the core already; this keeps a command such as start from running twice."""
        # Redis down: go ahead; the work itself meets the outage and says so.
        return first_delivery(
            self.deps, f"discord:{interaction_id}", ttl_seconds=seconds, required=False
        )

    def complete(self, request: Request, out: Responder) -> None:
        """Do the deferred work; every failure ends as one clear ephemeral message."""
        if qotd.handles(request):
            qotd.complete(request, out, deps=self.deps, settings=self.settings)
            return
        if banks.handles(request):
            banks.complete(request, out, deps=self.deps)
            return
        try:
            if isinstance(request, Command):
                commands.run_command(
                    request,
                    out,
                    deps=self.deps,
                    settings=self.settings,
                    reads_replies=self.reads_replies,
                )
            elif isinstance(request, ModalSubmit):
                buttons.submit(request, out, deps=self.deps)
            elif isinstance(request, Press):
                buttons.press(
                    request,
                    out,
                    deps=self.deps,
                    web_base_url=self.settings.web_base_url,
                    reads_replies=self.reads_replies,
                )
        except InterviewError as exc:
            self._fail(request, out, _error_reply(request, exc))
        except Exception:
            log.exception("Discord %s failed", type(request).__name__)
            self._fail(request, out, _error_reply(request, None))

    @staticmethod
    def _fail(request: Request, out: Responder, reply: Reply) -> None:
        try:
            if isinstance(request, Command):  # deferred ephemerally: the edit stays private
                out.edit_original(reply)
                return
            if isinstance(request, ModalSubmit):  # deferred publicly: replace, privately
                buttons.quietly(out.delete_original, "delete the thinking message")
            out.follow_up(reply)
        except Exception:
            log.exception("could not deliver an error message to Discord")

    # -- thread replies (gateway with the Message Content intent) ------------------------

    def answer_message(self, message: ChatMessage, out: MessageOut) -> None:
        """A message in an interview thread or DM: the candidate's answer, or chatter to ignore."""
        if not message.text.strip():
            return  # an image or a sticker, or the Message Content intent is off
        saved: list[Attempt] = []

        def accepted(attempt: Attempt) -> None:
            saved.append(attempt)
            out.evaluating()

        try:
            outcome = services.answer_in_conversation(
                self.deps,
                conversation=message.conversation(),
                text=message.text,
                delivery_id=message.message_id,
                on_accepted=accepted,
            )
        except (NoActiveSession, NotYourSession):
            return  # people talking in the thread, or after the interview ended
        except InterviewError as exc:
            out.reply(_saved_error(errors.error(exc), saved, owner=message.user_id))
            return
        except Exception:
            log.exception("answering a Discord message failed")
            failed = errors.unexpected(answer_saved=bool(saved))
            out.reply(_saved_error(failed, saved, owner=message.user_id))
            return
        reply = buttons.outcome_reply(outcome, owner=message.user_id)
        if reply is not None:
            out.reply(reply)


def _error_reply(request: Request, exc: InterviewError | None) -> Reply:
    """An error as the one who interacted sees it: with Retry when their answer is saved, Try
    again when the same press can simply run again, and a modal's text given back when it may
    not have been saved."""
    reply = errors.error(exc) if exc is not None else errors.unexpected()
    if not isinstance(request, Press | ModalSubmit):
        return reply
    cid = ids.parse(request.custom_id)
    assert cid is not None, "acknowledge refused unknown ids"
    if isinstance(exc, ServiceUnavailable) and exc.answer_saved:
        retry = render.retry_button(cid.session_id, cid.position, cid.owner)
        return notices.with_buttons(reply, retry)
    if isinstance(request, ModalSubmit):
        return notices.with_answer(reply, request.text)
    if isinstance(exc, ServiceUnavailable) or (isinstance(exc, LlmUnavailable) and exc.retryable):
        again = render.button("Try again", style=render.PRIMARY, cid=request.custom_id)
        return notices.with_buttons(reply, again)
    return reply


def _saved_error(reply: Reply, saved: list[Attempt], *, owner: str) -> Reply:
    """A thread reply's error: once the answer is stored, it can be evaluated again."""
    if not saved:
        return reply
    return notices.with_buttons(
        reply, render.retry_button(saved[0].session_id, saved[0].position, owner)
    )
