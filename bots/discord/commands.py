"""The deferred work of `/interview start | end | history | quota | link` (help needs none).

Each function makes its core calls and completes the command's ephemeral "thinking…" response
through the Responder; errors propagate to InteractionHandler, which maps them in one place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bots.discord import errors, notices, render
from bots.discord.model import Caller, Command, DeliveryFailed, Responder
from core import services
from core.config import Settings
from core.domain.errors import NoActiveSession, SessionFinished
from core.domain.results import SessionStarted
from core.services.deps import Deps

log = logging.getLogger(__name__)

GREETING = "here is your first question."

# help is answered at once
NAMES = frozenset({"start", "history", "quota", "link", "end", "review", "remind"})


def run_command(
    command: Command, out: Responder, *, deps: Deps, settings: Settings, reads_replies: bool
) -> None:
    caller, web = command.caller, settings.web_base_url
    if command.name == "start":
        start(command, out, deps=deps, settings=settings, reads_replies=reads_replies)
    elif command.name == "end":
        end(caller, out, deps=deps, web_base_url=web)
    elif command.name == "history":
        scope = services.scope_for_user(deps, user=caller.user)
        page = services.list_sessions(deps, scope=scope, per_page=10)
        out.edit_original(notices.history(page, web_base_url=web))
    elif command.name == "quota":
        out.edit_original(notices.quota(services.quota_status(deps, user=caller.user)))
    elif command.name == "link":
        code = services.issue_link_code(deps, user=caller.user, display_name=caller.display_name)
        out.edit_original(notices.link_code(code, web_base_url=web))
    elif command.name in ("review", "remind"):
        from bots.discord import review  # imports this module: kept out of its import time

        if command.name == "review":
            review.start_review(
                command, out, deps=deps, settings=settings, reads_replies=reads_replies
            )
        else:
            review.set_reminder(command, out, deps=deps)


@dataclass
class FirstQuestion:
    """The core's delivery step of a start: a new thread (or the DM) with the first question."""

    out: Responder
    caller: Caller
    private_threads: bool
    reads_replies: bool
    thread: str | None = None  # the thread it opened

    def __call__(self, started: SessionStarted) -> str | None:
        caller = self.caller
        first = render.question(
            started, owner=caller.user_id, reads_replies=self.reads_replies, greeting=GREETING
        )
        if caller.guild_id is None:  # a DM is private already: the interview happens there
            self.out.post(caller.channel_id, first)
            return None
        name = render.clip(f"Interview · {started.session.role.label} · {caller.display_name}", 100)
        self.thread = self.out.open_thread(
            name=name, private=self.private_threads, user_id=caller.user_id
        )
        self.out.post(self.thread, first)
        return self.thread


def start(
    command: Command, out: Responder, *, deps: Deps, settings: Settings, reads_replies: bool
) -> None:
    """The core counts the quota and starts the session (a refusal leaves no empty thread),
    then hands over the first question; if it cannot be delivered, the core undoes the start."""
    caller, options = command.caller, command.options
    deliver = FirstQuestion(out, caller, settings.discord_private_threads, reads_replies)
    difficulty, questions = options.get("difficulty"), options.get("questions")
    try:
        started = services.start_session(
            deps,
            conversation=caller.conversation(),
            role=str(options.get("role", "")),
            difficulty=str(difficulty) if difficulty else None,  # None: the core's default
            questions=int(questions) if questions is not None else None,
            display_name=caller.display_name,
            deliver=deliver,
            adaptive=bool(options.get("adaptive", False)),
        )
    except DeliveryFailed as exc:  # the core has ended the session and given the quota back
        log.warning("could not deliver the first question: %s", exc)
        raise (errors.DM_FAILED if caller.guild_id is None else errors.THREAD_FAILED) from None
    out.edit_original(notices.started(deliver.thread, started.quota))


def end(caller: Caller, out: Responder, *, deps: Deps, web_base_url: str) -> None:
    """End the interview of this thread if it is the caller's, else their latest on Discord;
    one on a linked surface (the browser, Slack) is pointed to, not ended from here."""
    try:
        result = services.end_interview(deps, conversation=caller.conversation())
    except NoActiveSession:
        elsewhere = services.active_session_elsewhere(deps, user=caller.user)
        if elsewhere is None:
            raise
        out.edit_original(errors.elsewhere(elsewhere, web_base_url=web_base_url))
        return
    if result.already_finished:  # ended by a click meanwhile
        raise SessionFinished()
    reply = render.summary(result, web_base_url=web_base_url)
    where = result.session.conversation.thread or result.session.conversation.channel
    try:
        out.post(where, reply)
    except DeliveryFailed:  # the thread is gone or closed to the bot: show it here instead
        out.edit_original(replace(reply, ephemeral=True))
        return
    out.edit_original(notices.ended_elsewhere(where))
