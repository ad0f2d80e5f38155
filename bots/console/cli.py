"""Terminal sub-commands: `chat`, `stats` and `link`, plugged into the core CLI."""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any

from core.domain.roles import Difficulty, Role


def register(commands: Any) -> None:
    chat = commands.add_parser("chat", help="run a mock interview in the terminal")
    chat.add_argument("--role", help=f"one of: {', '.join(r.value for r in Role)}")
    chat.add_argument("--difficulty", help="easy, medium or hard")
    chat.add_argument("--questions", type=int, help="number of main questions (default 5)")
    chat.add_argument(
        "--bank", help="the question bank to draw from (`interviewbot bank list`; default builtin)"
    )
    chat.add_argument(
        "--resume", action="store_true", help="continue this terminal's interview in progress"
    )
    chat.add_argument(
        "--review",
        action="store_true",
        help="review what is due: weak answers and weak topics come back (any linked surface)",
    )
    chat.add_argument(
        "--adaptive",
        action="store_true",
        help="the next question gets harder after a strong answer, easier after a weak one",
    )
    chat.set_defaults(handler=run_chat)

    stats = commands.add_parser("stats", help="print the analytics")
    stats.add_argument("--days", type=int, default=90, help="look back this many days")
    stats.add_argument("--me", action="store_true", help="only this terminal user's history")
    stats.set_defaults(handler=run_stats)

    link = commands.add_parser("link", help="a one-time code to link this terminal to the web")
    link.set_defaults(handler=run_link)


def run_chat(args: argparse.Namespace) -> int:
    """A mock interview in the terminal; exit code 3 when today's sessions are used up."""
    from bots.console.chat import (
        EXIT_INTERRUPTED,
        EXIT_QUOTA,
        AnswerReader,
        TerminalInterview,
        stdin_is_interactive,
        terminal_user,
    )
    from bots.console.render import error_text, make_console
    from core import services
    from core.bootstrap import build_core
    from core.domain.errors import QuotaExceeded

    # Undecodable bytes (a broken pipe encoding) become U+FFFD instead of a traceback.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    console = make_console()
    interactive = stdin_is_interactive()
    core = build_core()
    interview = TerminalInterview(
        core.deps,
        console,
        AnswerReader(sys.stdin, console, interactive=interactive),
        web_base_url=core.settings.web_base_url,
    )
    try:
        if args.resume:
            return interview.resume()
        quota = services.quota_status(core.deps, user=terminal_user())
        if quota.remaining == 0:  # say so before asking anything
            console.print(error_text(QuotaExceeded(quota.limit, quota.resets_at).message))
            return EXIT_QUOTA
        if args.review:
            return interview.review(questions=args.questions)
        here = terminal_user()
        bank = services.bank_in_use(
            core.deps, platform=here.platform, tenant=here.tenant, name=args.bank
        )
        roles = [r.value for r in (bank.roles if bank else Role)]
        role, difficulty = args.role, args.difficulty
        if interactive and role is None:
            role = _ask(console, "Role", roles, roles[0] if bank else Role.BACKEND.value)
        role = role or roles[0]
        # A bank's own levels for that role (the built-in bank has every level of every role).
        levels = [d.value for d in (bank.levels_of(Role.parse(role)) if bank else Difficulty)]
        if interactive and difficulty is None and levels:
            default = Difficulty.DEFAULT.value
            difficulty = _ask(
                console, "Difficulty", levels, default if default in levels else levels[0]
            )
        return interview.run(
            role=role,
            difficulty=difficulty or (levels[0] if bank and levels else None),
            questions=args.questions,
            adaptive=args.adaptive,
            bank=args.bank,
        )
    except KeyboardInterrupt:
        hours = core.deps.rules.session_idle_hours
        console.print(
            error_text(
                "\nInterview paused: every answer you sent is saved. Continue it with "
                f"`interviewbot chat --resume` (it closes by itself after {hours} hours idle)."
            )
        )
        return EXIT_INTERRUPTED


def _ask(console: Any, label: str, choices: list[str], default: str) -> str:
    # "\[" keeps rich from reading "[backend]" as markup.
    console.print(f"[bold]{label}[/] ({', '.join(choices)}) [dim]\\[{default}][/]: ", end="")
    return sys.stdin.readline().strip() or default


def run_stats(args: argparse.Namespace) -> int:
    from bots.console.chat import terminal_user
    from bots.console.render import make_console
    from bots.console.stats import render_analytics, review_line
    from core import services
    from core.bootstrap import build_core

    core = build_core()
    deps = core.deps
    user = terminal_user()
    scope = services.scope_for_user(deps, user=user) if args.me else None
    figures = services.analytics(deps, scope=scope, days=args.days)
    quota = services.quota_status(deps, user=user)
    when = quota.resets_at.strftime("%Y-%m-%d %H:%M %Z")
    console = make_console()
    if args.me:  # the review queue, whatever the period: it is about what comes next
        console.print(review_line(services.review_status(deps, user=user)))
    if figures.sessions == 0:  # empty tables say nothing: say what to do instead
        whose = "by you" if args.me else "here"
        console.print(
            f"No interviews {whose} in the last {args.days} days yet. "
            "Start one with `interviewbot chat`; its figures then show up here."
        )
        return 0
    render_analytics(
        console,
        figures,
        title=f"Interview analytics — last {args.days} days" + (" (you)" if args.me else ""),
        quota_line=f"{quota.used} of {quota.limit} used today by you; resets {when}",
        quota_limit=quota.limit,
    )
    return 0


def run_link(_: argparse.Namespace) -> int:
    from bots.console.chat import terminal_user
    from core import services
    from core.bootstrap import build_core

    core = build_core()
    link = services.issue_link_code(core.deps, user=terminal_user())
    minutes = core.deps.rules.link_code_minutes
    print(
        f"Your link code: {link.code} (valid {minutes} minutes, single use).\n"
        f"Enter it at {core.settings.web_base_url}/link to see this terminal's history on the web."
    )
    return 0
