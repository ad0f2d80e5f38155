"""The shared handling of both transports: neutral requests in, core calls, rendered replies out.

Every interaction runs in two steps. `acknowledge` answers within Discord's 3 seconds and does no
I/O at all (so a cold serverless start or a slow database never misses the deadline): it defers,
opens the answer modal, answers autocomplete, or refuses at once what it can tell is wrong.
`complete` then does the work through core.services and finishes the response via a Responder.
The gateway bot and the HTTP endpoint only translate to and from these calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bots.discord import ids, render
from bots.discord.ids import Action, CustomId
from bots.discord.model import (
    STRIP_BUTTONS,
    TEXT_CHANNEL,
    Ack,
    AckKind,
    Autocomplete,
    Caller,
    ChatMessage,
    Command,
    DeliveryFailed,
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
    SessionFinished,
)
from core.domain.results import (
    AnswerOutcome,
    AnswerStatus,
    HintGiven,
    QuestionAsked,
    SessionSummary,
)
from core.domain.roles import Role
from core.services.claims import first_delivery
from core.services.deps import Deps

if TYPE_CHECKING:  # the real import pulls in SQLAlchemy: keep it off the ack path
    from core.bootstrap import Core

log = logging.getLogger(__name__)

PressResult = QuestionAsked | SessionSummary | HintGiven | AnswerOutcome

STALE_BUTTON = InterviewError(
    "This button belongs to an older version of the bot. Use /interview start."
)
UNKNOWN_COMMAND = InterviewError("I do not know that command. Try /interview help.")
NOT_HERE = InterviewError(
    "Start interviews from a regular text channel (I open a thread there for you), "
    "or in a DM with me."
)
THREAD_FAILED = InterviewError(
    "I could not open a thread for your interview here. Ask a server admin to let me create "
    "threads in this channel, or DM me to practise privately."
)


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
            return Ack(AckKind.CHOICES, choices=render.role_choices(request.value, Role))
        if isinstance(request, Command):
            return self._acknowledge_command(request)
        cid = ids.parse(request.custom_id)
        if cid is None:
            return _message(render.error(STALE_BUTTON))
        if cid.owner != request.caller.user_id:  # the core checks again; this spares a modal
            return _message(render.error(NotYourSession()))
        if isinstance(request, ModalSubmit):
            return Ack(AckKind.DEFER)  # public "thinking…", edited into the evaluation
        if cid.action is Action.ANSWER:
            modal = render.answer_modal(
                str(cid.with_action(Action.SUBMIT)), max_chars=self.settings.max_answer_chars
            )
            return Ack(AckKind.MODAL, modal=modal)
        return Ack(AckKind.DEFER_UPDATE)

    def _acknowledge_command(self, command: Command) -> Ack:
        if command.name == "help":
            return _message(
                render.help_text(
                    reads_replies=self.reads_replies,
                    max_questions=self.settings.max_questions_per_session,
                )
            )
        if command.name not in ("start", "history", "quota", "link", "end"):
            return _message(render.error(UNKNOWN_COMMAND))
        if command.name == "start" and (refusal := self._cannot_start_here(command.caller)):
            return _message(render.error(refusal))
        return Ack(AckKind.DEFER, ephemeral=True)

    def _cannot_start_here(self, caller: Caller) -> InterviewError | None:
        """Refuse before the quota is counted where no thread can be opened."""
        if caller.guild_id is None:
            return None  # a DM: the interview happens right there
        if caller.channel_type is not None and caller.channel_type != TEXT_CHANNEL:
            return NOT_HERE
        missing = caller.missing_thread_permissions(private=self.settings.discord_private_threads)
        if missing:
            return InterviewError(
                f"I need these permissions in this channel to run an interview: "
                f"{', '.join(missing)}. Ask a server admin, or DM me to practise privately."
            )
        return None

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
        try:
            if isinstance(request, Command):
                self._command(request, out)
            elif isinstance(request, ModalSubmit):
                self._submit(request, out)
            elif isinstance(request, Press):
                self._press(request, out)
        except InterviewError as exc:
            self._fail(request, out, self._error_reply(request, exc))
        except Exception:
            log.exception("Discord %s failed", type(request).__name__)
            self._fail(request, out, render.unexpected())

    def _error_reply(self, request: Request, exc: InterviewError) -> Reply:
        if isinstance(exc, LlmUnavailable) and exc.retryable and isinstance(request, Press):
            again = render.button("Try again", style=render.PRIMARY, cid=request.custom_id)
            return render.error(exc, retry=[render.row(again)])
        return render.error(exc)

    @staticmethod
    def _fail(request: Request, out: Responder, reply: Reply) -> None:
        try:
            if isinstance(request, Command):  # deferred ephemerally: the edit stays private
                out.edit_original(reply)
                return
            if isinstance(request, ModalSubmit):  # deferred publicly: replace, privately
                out.delete_original()
            out.follow_up(reply)
        except Exception:
            log.exception("could not deliver an error message to Discord")

    def _command(self, command: Command, out: Responder) -> None:
        caller, deps, web = command.caller, self.deps, self.settings.web_base_url
        if command.name == "start":
            self._start(command, out)
        elif command.name == "end":
            self._end(caller, out)
        elif command.name == "history":
            scope = services.scope_for_user(deps, user=caller.user)
            page = services.list_sessions(deps, scope=scope, per_page=10)
            out.edit_original(render.history(page, web_base_url=web))
        elif command.name == "quota":
            out.edit_original(render.quota(services.quota_status(deps, user=caller.user)))
        elif command.name == "link":
            code = services.issue_link_code(
                deps, user=caller.user, display_name=caller.display_name
            )
            out.edit_original(render.link_code(code, web_base_url=web))

    def _start(self, command: Command, out: Responder) -> None:
        """Quota first (start_session), then the thread: a refusal leaves no empty thread."""
        caller, options = command.caller, command.options
        questions = options.get("questions")
        started = services.start_session(
            self.deps,
            conversation=caller.conversation(),
            role=str(options.get("role", "")),
            difficulty=str(options.get("difficulty") or "medium"),
            questions=int(questions) if questions is not None else None,
            display_name=caller.display_name,
        )
        first = render.question(
            started,
            owner=caller.user_id,
            reads_replies=self.reads_replies,
            greeting="here is your first question.",
        )
        if caller.guild_id is None:  # a DM is private already: the interview happens there
            out.post(caller.channel_id, first)
            out.edit_original(render.started(None, started.quota))
            return
        name = f"Interview · {started.session.role.label} · {caller.display_name}"
        try:
            thread_id = out.open_thread(
                name=render.clip(name, 100),
                private=self.settings.discord_private_threads,
                user_id=caller.user_id,
            )
            services.bind_thread(self.deps, session_id=started.session.id, thread=thread_id)
            out.post(thread_id, first)
        except DeliveryFailed as exc:
            log.warning("could not open an interview thread: %s", exc)
            services.end_session(self.deps, session_id=started.session.id, actor=caller.user)
            raise THREAD_FAILED from None
        out.edit_original(render.started(thread_id, started.quota))

    def _end(self, caller: Caller, out: Responder) -> None:
        """End the interview of this thread if it is the caller's, else their latest one."""
        deps = self.deps
        session = services.find_session(deps, conversation=caller.conversation())
        if session is None or session.conversation.user_ref != caller.user:
            session = services.latest_active_session(deps, user=caller.user)
        if session is None:
            raise NoActiveSession()
        result = services.end_session(deps, session_id=session.id, actor=caller.user)
        if result.already_finished:
            raise SessionFinished()
        reply = render.summary(result, web_base_url=self.settings.web_base_url)
        where = session.conversation.thread or session.conversation.channel
        if session.conversation.platform != "discord":  # a linked account's session elsewhere
            out.edit_original(replace(reply, ephemeral=True))
            return
        try:
            out.post(where, reply)
        except DeliveryFailed:  # the thread is gone or closed to the bot: show it here instead
            out.edit_original(replace(reply, ephemeral=True))
            return
        out.edit_original(render.ended_elsewhere(where))

    def _submit(self, submit: ModalSubmit, out: Responder) -> None:
        cid = ids.parse(submit.custom_id)
        assert cid is not None, "acknowledge refused unknown ids"
        outcome = services.submit_answer(
            self.deps,
            session_id=cid.session_id,
            actor=submit.caller.user,
            text=submit.text,
            delivery_id=submit.caller.interaction_id,
            position=cid.position,
        )
        reply = self._outcome_reply(outcome, owner=cid.owner, answer_excerpt=True)
        if reply is None:  # this very submit, delivered again: its first run edited the response
            return
        if reply.ephemeral:  # another submit's answer was taken: say so privately
            out.delete_original()
            out.follow_up(reply)
            return
        out.edit_original(reply)

    def _press(self, press: Press, out: Responder) -> None:
        cid = ids.parse(press.custom_id)
        assert cid is not None, "acknowledge refused unknown ids"
        result = self._run_action(cid, press.caller)
        if isinstance(result, HintGiven):
            out.follow_up(render.hint(result))
            return
        if isinstance(result, AnswerOutcome):
            reply = self._retried(result, owner=cid.owner)
        elif isinstance(result, SessionSummary):
            if result.already_finished:
                raise SessionFinished()
            reply = render.summary(result, web_base_url=self.settings.web_base_url)
        elif result.duplicate:  # a double click: the first press posted the question
            return
        else:
            reply = render.question(result, owner=cid.owner, reads_replies=self.reads_replies)
        if reply is None:
            return
        if not reply.ephemeral:
            out.edit_original(STRIP_BUTTONS)  # the pressed message's buttons are spent
        out.follow_up(reply)

    def _run_action(self, cid: CustomId, caller: Caller) -> PressResult:
        deps, actor = self.deps, caller.user
        session_id, position = cid.session_id, cid.position
        if cid.action is Action.NEXT:
            return services.next_question(
                deps, session_id=session_id, after_position=position, actor=actor
            )
        if cid.action is Action.SKIP:
            return services.skip_question(
                deps,
                session_id=session_id,
                position=position,
                actor=actor,
                delivery_id=caller.interaction_id,
            )
        if cid.action is Action.DEEPER:
            return services.go_deeper(deps, session_id=session_id, position=position, actor=actor)
        if cid.action is Action.HINT:
            return services.give_hint(deps, session_id=session_id, position=position, actor=actor)
        if cid.action is Action.RETRY:
            return services.retry_evaluation(
                deps, session_id=session_id, position=position, actor=actor
            )
        if cid.action is Action.END:
            return services.end_session(deps, session_id=session_id, actor=actor)
        raise STALE_BUTTON

    def _retried(self, outcome: AnswerOutcome, *, owner: str) -> Reply | None:
        if outcome.duplicate and outcome.status is AnswerStatus.EVALUATED:
            # Evaluated meanwhile (a double click, or the maintenance job's retry): show it to
            # the one who asked, without posting a second copy in the thread.
            shown = render.evaluation(outcome, owner=owner, answer_excerpt=True)
            return replace(shown, ephemeral=True)
        return self._outcome_reply(outcome, owner=owner, answer_excerpt=True)

    @staticmethod
    def _outcome_reply(
        outcome: AnswerOutcome, *, owner: str, answer_excerpt: bool = False
    ) -> Reply | None:
        """The evaluation, the saved-but-failed notice with Retry, a short hint, or nothing."""
        if outcome.superseded:
            return render.superseded()
        if outcome.duplicate:  # a redelivery or a racer: whoever stored the answer posts
            return None
        if outcome.status is AnswerStatus.EVALUATED:
            return render.evaluation(outcome, owner=owner, answer_excerpt=answer_excerpt)
        if outcome.status is AnswerStatus.FAILED:
            return render.evaluation_failed(outcome, owner=owner)
        return None

    # -- thread replies (gateway with the Message Content intent) ------------------------

    def answer_message(self, message: ChatMessage, out: MessageOut) -> None:
        """A message in an interview thread or DM: the candidate's answer, or chatter to ignore."""
        if not message.text.strip():
            return  # an image or a sticker, or the Message Content intent is off
        try:
            outcome = services.answer_in_conversation(
                self.deps,
                conversation=message.conversation(),
                text=message.text,
                delivery_id=message.message_id,
                on_accepted=lambda _attempt: out.evaluating(),
            )
        except (NoActiveSession, NotYourSession):
            return  # people talking in the thread, or after the interview ended
        except InterviewError as exc:
            out.reply(render.error(exc))
            return
        except Exception:
            log.exception("answering a Discord message failed")
            out.reply(render.unexpected())
            return
        reply = self._outcome_reply(outcome, owner=message.user_id)
        if reply is not None:
            out.reply(reply)
