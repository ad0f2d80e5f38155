"""Drafting bank questions from a job description with an LLM, into a file for a person to review.

`interviewbot bank generate` is the only caller. The drafts are never used as they are: they
are written to a new YAML file marked `draft: true`, for someone to read, correct and then
import. Nothing here touches the database, the quota or the running bank.

The file's fields per question (id, role, difficulty, text, reference_answer, key_points,
hint, tags) are the bank format as issue 14 lists it; the bank importer owns that format.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from core.domain.errors import InterviewError
from core.domain.model import LlmUsage, Question
from core.domain.roles import Difficulty, Role
from core.ports import QuestionDrafter

__all__ = [
    "MAX_DRAFT_COUNT",
    "MAX_JOB_DESCRIPTION_CHARS",
    "DraftRefused",
    "DraftedBank",
    "draft_bank",
    "draft_bank_yaml",
]

MAX_DRAFT_COUNT = 20
MAX_JOB_DESCRIPTION_CHARS = 20_000  # a long job advert is ~5,000; more is not a job description


class DraftRefused(InterviewError):
    """The request cannot be drafted as given (count, job description); nothing was written."""

    code = "draft_refused"


@dataclass(frozen=True, slots=True)
class DraftedBank:
    """What a model drafted, and where it came from: the content of one draft file."""

    role: Role
    difficulty: Difficulty
    questions: tuple[Question, ...]
    requested: int
    drafted_by: str
    source: str  # the job description's file name
    generated_at: datetime
    usage: LlmUsage | None = None


def draft_bank(
    drafter: QuestionDrafter,
    *,
    role: Role,
    difficulty: Difficulty,
    count: int,
    job_description: str,
    source: str,
    now: datetime,
) -> DraftedBank:
    """Ask the drafter for `count` questions; DraftRefused or LlmUnavailable when it cannot."""
    if not 1 <= count <= MAX_DRAFT_COUNT:
        raise DraftRefused(f"--count must be between 1 and {MAX_DRAFT_COUNT} (got {count}).")
    text = unicodedata.normalize("NFC", job_description).strip()
    if not text:
        raise DraftRefused(f"{source} is empty: there is no job description to draft from.")
    if len(text) > MAX_JOB_DESCRIPTION_CHARS:
        raise DraftRefused(
            f"{source} has {len(text):,} characters; a job description over "
            f"{MAX_JOB_DESCRIPTION_CHARS:,} is refused (cut it to the role's requirements)."
        )
    reply = drafter.draft(role, difficulty, count, text)
    return DraftedBank(
        role=role,
        difficulty=difficulty,
        questions=reply.questions[:count],
        requested=count,
        drafted_by=reply.drafted_by,
        source=source,
        generated_at=now,
        usage=reply.usage,
    )


def draft_id(question: Question) -> str:
    """A stable id from the question's text: the same draft gets the same id."""
    digest = hashlib.sha256(question.text.encode("utf-8")).hexdigest()[:8]
    return f"{question.role.value}-{question.difficulty.value}-jd-{digest}"


def draft_bank_yaml(bank: DraftedBank) -> str:
    """The draft as a YAML document, every string double-quoted (so no value is misread)."""
    lines = [
        f"# Draft interview questions written by {_comment(bank.drafted_by)} from "
        f"{_comment(bank.source)} on {bank.generated_at:%Y-%m-%d %H:%M} UTC.",
        "# REVIEW BEFORE USE: a model wrote these. Check every question, reference answer and",
        "# key point; correct, rewrite or delete as needed. Nothing in this file is used until a",
        "# person imports the reviewed file as a question bank.",
        "draft: true",
        f"generated_by: {_quoted(bank.drafted_by)}",
        f"source: {_quoted(bank.source)}",
        f"generated_at: {_quoted(bank.generated_at.isoformat(timespec='seconds'))}",
        "questions:",
    ]
    for question in bank.questions:
        lines += [
            f"  - id: {_quoted(draft_id(question))}",
            f"    role: {_quoted(question.role.value)}",
            f"    difficulty: {_quoted(question.difficulty.value)}",
            f"    text: {_quoted(question.text)}",
            f"    reference_answer: {_quoted(question.reference_answer)}",
            "    key_points:",
            *(f"      - {_quoted(point)}" for point in question.key_points),
            f"    hint: {_quoted(question.hint)}",
            "    tags:" if question.topics else "    tags: []",
            *(f"      - {_quoted(tag)}" for tag in question.topics),
        ]
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, plus the characters YAML reads as breaks."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Zl", "Zp", "Cf", "Cc", "Co", "Cs") else c
        for c in text
    )


def _comment(value: str) -> str:
    """Text safe inside a one-line comment."""
    return " ".join(value.split())
