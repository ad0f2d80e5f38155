"""`interviewbot`: core commands here; surfaces plug theirs in through entry points.

Each surface package (bots.console, bots.slack, bots.discord, web) declares a
`interviewbot.commands` entry point whose `register(subparsers)` adds its sub-commands, so
the core never imports a chat platform or a web framework.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points
from typing import Any, TextIO

from core.config import ConfigError, load_settings
from core.domain.errors import InterviewError, LlmUnavailable
from core.domain.model import Question
from core.domain.roles import Difficulty, Role

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level or _configured_log_level(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"interviewbot: {exc}", file=sys.stderr)
        return 2
    except InterviewError as exc:
        print(f"interviewbot: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _configured_log_level() -> str:
    """LOG_LEVEL from the settings; a bad setting is reported by the command itself."""
    try:
        return load_settings().log_level or "WARNING"
    except ConfigError:
        return "WARNING"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewbot",
        description="AI mock interviews in the terminal, Slack, Discord and the browser.",
    )
    parser.add_argument(
        "--log-level", default=None, help="DEBUG, INFO, WARNING (default: LOG_LEVEL or WARNING)"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=_migrate)

    evaluate = commands.add_parser(
        "evaluate",
        help="score JSON lines {question, reference, answer} from stdin, one JSON result per line",
    )
    evaluate.set_defaults(handler=_evaluate)

    maintenance = commands.add_parser(
        "maintenance", help="expire idle sessions and retry failed evaluations"
    )
    maintenance.set_defaults(handler=_maintenance)

    due = commands.add_parser(
        "due", help="send what is due now: reminders, questions of the day (the schedule does this)"
    )
    due.set_defaults(handler=_due)

    from core.bank_cli import register as register_bank_commands

    register_bank_commands(commands)

    for entry in sorted(entry_points(group="interviewbot.commands"), key=lambda e: e.name):
        try:
            register = entry.load()
        except ImportError as exc:  # an optional extra is not installed
            unavailable = commands.add_parser(entry.name, help=f"(unavailable: {exc.name} missing)")
            unavailable.set_defaults(handler=_missing_extra(entry.name, exc))
            continue
        register(commands)
    return parser


def _missing_extra(name: str, exc: ImportError) -> Handler:
    def handler(_: argparse.Namespace) -> int:
        print(f"interviewbot {name}: needs {exc.name}; install the matching extra", file=sys.stderr)
        return 2

    return handler


def _migrate(_: argparse.Namespace) -> int:
    settings = load_settings()  # a bad setting is refused before Alembic's 0.2 s import
    from core.adapters.sql import migrate
    from core.adapters.sql.database import make_engine
    from core.bootstrap import ensure_schema

    engine = make_engine(settings.database_url)
    ensure_schema(engine, auto_migrate=True)  # unreachable: a clear message, not a traceback
    print(f"database at revision {migrate.current_revision(engine)}")
    return 0


def _due(_: argparse.Namespace) -> int:
    from core.bootstrap import build_core
    from core.jobs import notifiers_for, run_due_now

    core = build_core()
    print(json.dumps(run_due_now(core, notifiers_for(core.settings))))
    return 0


def _maintenance(_: argparse.Namespace) -> int:
    from core.bootstrap import build_core
    from core.jobs import run_maintenance

    print(json.dumps(run_maintenance(build_core())))
    return 0


def _evaluate(_: argparse.Namespace) -> int:
    from core.bootstrap import build_llm

    evaluator, _writer = build_llm(load_settings())
    return evaluate_lines(evaluator, sys.stdin, sys.stdout)


def evaluate_lines(evaluator: Any, lines: Iterable[str], out: TextIO) -> int:
    """One JSON result per non-blank input line, in order; a bad line gets an {"error": ...}.

    Each result is the graded evaluation: score, `graded_by`, and per key point a verdict with
    the quote from the answer that earned it."""
    from core.services.grading import check_language, grade_answer

    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            question = _question_from(record)
            answer = str(record.get("answer") or "")
            check_language(evaluator, answer)
            evaluation, _usage = grade_answer(evaluator, question, answer)
            result: dict[str, Any] = evaluation.to_dict()
        except KeyError as exc:
            failures += 1
            result = {"error": f"line {number}: missing field {exc}", "score": None}
        except (ValueError, TypeError, AttributeError) as exc:
            failures += 1
            result = {"error": f"line {number}: {exc}", "score": None}
        except (LlmUnavailable, InterviewError) as exc:
            failures += 1
            result = {"error": f"line {number}: {exc.message}", "score": None}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failures else 0


def _question_from(record: dict[str, Any]) -> Question:
    return Question(
        role=Role.parse(str(record.get("role") or "backend")),
        difficulty=Difficulty.parse(str(record.get("difficulty") or "medium")),
        text=str(record["question"]),
        reference_answer=str(record["reference"]),
        key_points=tuple(str(p) for p in record.get("key_points") or ()),
    )


if __name__ == "__main__":
    raise SystemExit(main())
