"""The deferred work of `/interview start | end | history | quota | link` (help needs none).

Each function makes its core calls and completes the command's ephemeral "thinking…" response
through the Responder; errors propagate to InteractionHandler, which maps them in one place.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bots.discord import notices, render
from bots.discord.model import Caller, Command, DeliveryFailed, Responder
from core import services
from core.config import Settings
from core.domain.errors import InterviewError, NoActiveSession, SessionFinished
from core.services.deps import Deps

log = logging.getLogger(__name__)

NAMES = frozenset({"start", "history", "quota", "link", "end"})  # help is answered at once

THREAD_FAILED = InterviewError(
    "I could not open a thread for your interview here. Ask a server admin to let me create "
    "threads in this channel, or DM me to practise privately."
)
DM_FAILED = InterviewError(
    "I could not post your first question here, so the interview did not start. "
    "Please try again in a moment."
)


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


def start(
    command: Command, out: Responder, *, deps: Deps, settings: Settings, reads_replies: bool
) -> None:
    """Quota first (start_session), then the thread: a refusal leaves no empty thread. If the
    first question cannot be delivered, the session is ended at once rather than left open."""
    caller, options = command.caller, command.options
    questions = options.get("questions")
    started = services.start_session(
        deps,
        conversation=caller.conversation(),
        role=str(options.get("role", "")),
        difficulty=str(options.get("difficulty") or "medium"),
        questions=int(questions) if questions is not None else None,
        display_name=caller.display_name,
    )
    first = render.question(
        started,
        owner=caller.user_id,
        reads_replies=reads_replies,
        greeting="here is your first question.",
    )
    thread_id: str | None = None
    try:
        if caller.guild_id is None:  # a DM is private already: the interview happens there
            out.post(caller.channel_id, first)
        else:
            name = f"Interview · {started.session.role.label} · {caller.display_name}"
            thread_id = out.open_thread(
                name=render.clip(name, 100),
                private=settings.discord_private_threads,
                user_id=caller.user_id,
            )
            services.bind_thread(deps, session_id=started.session.id, thread=thread_id)
            out.post(thread_id, first)
    except DeliveryFailed as exc:
        log.warning("could not deliver the first question: %s", exc)
        services.cancel_start(deps, session_id=started.session.id, actor=caller.user)
        raise (DM_FAILED if caller.guild_id is None else THREAD_FAILED) from None
    out.edit_original(notices.started(thread_id, started.quota))


def end(caller: Caller, out: Responder, *, deps: Deps, web_base_url: str) -> None:
    """End the interview of this thread if it is the caller's, else their latest one."""
    session = services.find_session(deps, conversation=caller.conversation())
    if session is None or session.conversation.user_ref != caller.user:
        session = services.latest_active_session(deps, user=caller.user)
    if session is None:
        raise NoActiveSession()
    result = services.end_session(deps, session_id=session.id, actor=caller.user)
    if result.already_finished:
        raise SessionFinished()
    reply = render.summary(result, web_base_url=web_base_url)
    where = session.conversation.thread or session.conversation.channel
    if session.conversation.platform != "discord":  # a linked account's session elsewhere
        out.edit_original(replace(reply, ephemeral=True))
        return
    try:
        out.post(where, reply)
    except DeliveryFailed:  # the thread is gone or closed to the bot: show it here instead
        out.edit_original(replace(reply, ephemeral=True))
        return
    out.edit_original(notices.ended_elsewhere(where))
