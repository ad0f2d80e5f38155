"""`interviewbot bank …`: question-bank commands. `generate` (here) drafts questions from a job
description with the configured LLM provider into a new file for a person to review; import,
list, export and remove (core.bank_manage_cli) manage the banks stored in the database.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from core.bank_manage_cli import register_management
from core.config import load_settings
from core.domain.errors import LlmFault, LlmUnavailable
from core.domain.roles import Difficulty, Role

__all__ = ["register"]

OFFLINE_REFUSAL = (
    "interviewbot bank generate: drafting questions needs an LLM provider, and this one is "
    "offline (LLM_PROVIDER=offline, no LLM in LLM_FALLBACK). Set LLM_PROVIDER=gemini or "
    "LLM_PROVIDER=openai (docs/providers.md). Nothing was written."
)
# What to do about each fault, said to the person running the command (not a candidate).
_ADVICE: dict[str, str] = {
    LlmFault.DAILY_QUOTA: "its quota is used up; try again after it resets, or add another "
    "provider to LLM_FALLBACK",
    LlmFault.CONFIG: "check the API key, the model name and the server address",
    LlmFault.NETWORK: "the server could not be reached; is it running at the configured address?",
    LlmFault.TIMEOUT: "it took too long; try fewer questions (--count) or a longer timeout",
    LlmFault.TRUNCATED: "its reply was cut off; try fewer questions (--count)",
    LlmFault.MALFORMED: "its reply was unusable; try again, or fewer questions (--count)",
    LlmFault.BLOCKED: "its safety filter declined the job description",
}


def register(commands: argparse._SubParsersAction) -> None:
    """Add `bank` and its actions to the interviewbot command."""
    bank = commands.add_parser(
        "bank", help="question banks: import, list, export, remove, draft from a job description"
    )
    actions = bank.add_subparsers(title="bank actions", metavar="ACTION")
    bank.set_defaults(handler=lambda _args: _usage(bank))
    register_management(actions)

    generate = actions.add_parser(
        "generate",
        help="draft questions from a job description into a new file, for a person to review",
        description=(
            "Draft interview questions (with reference answers, key points, hints and tags) "
            "from a job description, with the configured LLM provider, into a NEW bank file. "
            "The file is a draft: review it before importing it; nothing is used until then."
        ),
    )
    generate.add_argument("--role", required=True, help="e.g. backend, frontend, devops-sre")
    generate.add_argument("--difficulty", required=True, help="easy, medium or hard")
    generate.add_argument("--count", type=int, default=5, help="how many questions (1-20)")
    generate.add_argument(
        "--from-jd", required=True, type=Path, metavar="FILE", help="the job description (text)"
    )
    generate.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="the draft file to create (default: <role>-<difficulty>-draft.yaml); never overwritten",
    )
    generate.set_defaults(handler=_generate)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _generate(args: argparse.Namespace) -> int:
    from core.bootstrap import build_drafter
    from core.services.drafting import draft_bank, draft_bank_yaml

    role, difficulty = Role.parse(args.role), Difficulty.parse(args.difficulty)
    drafter = build_drafter(load_settings())
    if drafter is None:
        print(OFFLINE_REFUSAL, file=sys.stderr)
        return 2
    out: Path = args.out or Path(f"{role.value}-{difficulty.value}-draft.yaml")
    if out.exists():
        return _refuse(f"{out} already exists; drafts never overwrite a file (choose --out).")
    try:
        job_description = args.from_jd.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _refuse(f"cannot read {args.from_jd}: {exc.__class__.__name__}: {exc}")
    try:
        drafted = draft_bank(
            drafter,
            role=role,
            difficulty=difficulty,
            count=args.count,
            job_description=job_description,
            source=args.from_jd.name,
            now=datetime.now(UTC),
        )
    except LlmUnavailable as error:
        advice = _ADVICE.get(error.kind, "try again in a minute")
        return _refuse(f"the LLM provider could not draft questions: {advice}.", status=1)
    try:
        with out.open("x", encoding="utf-8") as file:  # "x": created here, or refused
            file.write(draft_bank_yaml(drafted))
    except OSError as exc:
        return _refuse(f"cannot write {out}: {exc.__class__.__name__}: {exc}", status=1)
    count = len(drafted.questions)
    asked = "" if count == drafted.requested else f" (of {drafted.requested} asked)"
    print(
        f"Drafted {count} {role.value} {difficulty.value} question{'s' * (count != 1)}{asked} "
        f"with {drafted.drafted_by} into {out}.\n"
        "This is a draft written by a model: review every question, reference answer and key "
        "point, then import the file. Nothing is used until it is imported."
    )
    return 0


def _refuse(message: str, *, status: int = 2) -> int:
    print(f"interviewbot bank generate: {message} Nothing was written.", file=sys.stderr)
    return status
