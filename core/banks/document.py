"""The bank format: what a question bank file holds, checked field by field.

Every reader (YAML, CSV, Markdown) turns its file into the same plain data, a mapping with a
`questions` list, plus a Locator saying where each field came from (a line or a row). The
checks live here once, so every format reports a problem the same way
("questions.yaml line 42: key_points must list 2–8 items"). bank.schema.json states the same
rules for editors and other tools; tests/banks proves the two agree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.domain.errors import InterviewError, UnknownDifficulty, UnknownRole
from core.domain.model import Question
from core.domain.roles import Difficulty, Role

__all__ = [
    "LIMITS",
    "BankDocument",
    "BankFileError",
    "FieldPath",
    "Locator",
    "Problem",
    "derived_id",
    "validate_bank",
]

FieldPath = tuple[str | int, ...]
Locator = Callable[[FieldPath], str]  # where a field came from: "questions.yaml line 42"

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,38}$")
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
MAX_PROBLEMS_SHOWN = 20
ROLE_VALUES = frozenset(r.value for r in Role)
LEVEL_VALUES = frozenset(d.value for d in Difficulty)


@dataclass(frozen=True, slots=True)
class Limits:
    questions: int = 2000
    text: int = 2000
    reference_answer: int = 8000
    key_points: tuple[int, int] = (2, 8)
    key_point: int = 400
    hint: int = 1000
    tags: int = 10
    description: int = 500


LIMITS = Limits()
# "draft", "generated_*" and "source" are what `bank generate` writes at the top of a draft.
TOP_LEVEL_FIELDS: tuple[str, ...] = ("name", "description", "questions", "draft", "source")
TOP_LEVEL_FIELDS += ("generated_by", "generated_at")
QUESTION_FIELDS: tuple[str, ...] = ("id", "role", "difficulty", "text", "reference_answer")
QUESTION_FIELDS += ("key_points", "hint", "tags")


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # "questions.yaml line 42", "team.csv row 3"
    message: str  # names the field: "key_points must list 2–8 items"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class BankFileError(InterviewError):
    """A bank file that cannot be imported; every problem names the file, line/row and field."""

    code = "bad_bank_file"

    def __init__(self, problems: Sequence[Problem]) -> None:
        shown = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        super().__init__("\n".join(shown))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class BankDocument:
    """A valid bank file: its questions carry the file's ids (`bank_id`) and canonical values."""

    questions: tuple[Question, ...]
    name: str | None = None
    description: str = ""


def derived_id(role: Role, difficulty: Difficulty, text: str) -> str:
    """The id of a question given none: stable while its text stays the same."""
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]
    return f"{role.value}-{difficulty.value}-{digest}"


def validate_bank(data: object, locate: Locator) -> BankDocument:
    """The document if every rule holds; else BankFileError listing every problem found."""
    check = _Checker(locate)
    document = check.document(data)
    if check.problems or document is None:
        raise BankFileError(check.problems or [Problem(locate(()), "the file holds no questions")])
    return document


class _Checker:
    def __init__(self, locate: Locator) -> None:
        self.locate = locate
        self.problems: list[Problem] = []

    def fail(self, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.locate(path), message))

    def document(self, data: object) -> BankDocument | None:
        if not isinstance(data, Mapping):
            self.fail((), "a bank must be a mapping with a `questions` list")
            return None
        self.unknown_fields(data, TOP_LEVEL_FIELDS, (), "")
        if data.get("draft") not in (None, False):
            self.fail(
                ("draft",),
                "draft: this file is a model's draft; review every question, then delete the "
                "line `draft: true` to import it",
            )
        name = self.text(data, "name", (), required=False, limit=24)
        description = self.text(data, "description", (), required=False, limit=LIMITS.description)
        for key in ("generated_by", "source", "generated_at"):
            self.text(data, key, (), required=False, limit=500)
        raw = data.get("questions")
        if not isinstance(raw, list) or not raw:
            where = ("questions",) if "questions" in data else ()
            self.fail(where, "questions must be a list of at least one question")
            return None
        if len(raw) > LIMITS.questions:
            self.fail(("questions",), f"questions: at most {LIMITS.questions} per bank")
        questions = [self.question(item, ("questions", i)) for i, item in enumerate(raw)]
        self.unique_ids(questions)
        kept = tuple(q for q in questions if q is not None)
        return BankDocument(kept, name=name or None, description=description or "")

    def unique_ids(self, questions: list[Question | None]) -> None:
        first: dict[str, int] = {}
        for index, question in enumerate(questions):
            if question is None or question.bank_id is None:
                continue
            if question.bank_id in first:
                earlier = self.locate(("questions", first[question.bank_id]))
                self.fail(
                    ("questions", index, "id"),
                    f"id '{question.bank_id}' is used twice (first at {earlier})",
                )
            else:
                first[question.bank_id] = index

    def question(self, raw: object, path: FieldPath) -> Question | None:
        if not isinstance(raw, Mapping):
            self.fail(path, "each question must be a mapping of fields (id, role, text, …)")
            return None
        before = len(self.problems)
        self.unknown_fields(raw, QUESTION_FIELDS, path, "question ")
        role = self.role(raw, path)
        difficulty = self.difficulty(raw, path)
        text = self.text(raw, "text", path, limit=LIMITS.text)
        reference = self.text(raw, "reference_answer", path, limit=LIMITS.reference_answer)
        key_points = self.key_points(raw, path)
        hint = self.text(raw, "hint", path, required=False, limit=LIMITS.hint)
        tags = self.tags(raw, path)
        bank_id = self.identifier(raw, path)
        if len(self.problems) > before or role is None or difficulty is None:
            return None
        return Question(
            role=role,
            difficulty=difficulty,
            text=text,
            reference_answer=reference,
            key_points=key_points,
            topics=tags,
            hint=hint,
            bank_id=bank_id or derived_id(role, difficulty, text),
        )

    def unknown_fields(
        self, raw: Mapping[Any, Any], known: Sequence[str], path: FieldPath, what: str
    ) -> None:
        for key in raw:
            if key not in known:
                self.fail(
                    (*path, str(key)),
                    f"unknown {what}field '{key}' (fields: {', '.join(known)})",
                )

    def text(
        self,
        raw: Mapping[Any, Any],
        key: str,
        path: FieldPath,
        *,
        limit: int,
        required: bool = True,
    ) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail((*path, key) if key in raw else path, f"{key} is required")
            return ""
        if not isinstance(value, str):
            self.fail((*path, key), f"{key} must be text (put it in quotes)")
            return ""
        cleaned = value.strip()
        if len(cleaned) > limit:
            self.fail((*path, key), f"{key} must be at most {limit} characters ({len(cleaned)})")
        return cleaned

    def identifier(self, raw: Mapping[Any, Any], path: FieldPath) -> str | None:
        value = raw.get("id")
        if value is None:
            return None
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.fail(
                (*path, "id"),
                f"id '{value}' must be 1–39 letters, digits, '.', '_' or '-' (quote it if it is "
                "a number)",
            )
            return None
        return value

    def role(self, raw: Mapping[Any, Any], path: FieldPath) -> Role | None:
        value = raw.get("role")
        if not isinstance(value, str) or not value.strip():
            self.fail((*path, "role") if "role" in raw else path, "role is required")
            return None
        if value in ROLE_VALUES:  # the usual spelling: no alias to look up
            return Role(value)
        try:
            return Role.parse(value)
        except UnknownRole as error:
            self.fail(
                (*path, "role"),
                f"role '{value}' is not one of the interview roles ({', '.join(error.valid)}); "
                "a bank's questions use these roles (or their aliases, such as ml or sre)",
            )
            return None

    def difficulty(self, raw: Mapping[Any, Any], path: FieldPath) -> Difficulty | None:
        value = raw.get("difficulty")
        if not isinstance(value, str) or not value.strip():
            self.fail(
                (*path, "difficulty") if "difficulty" in raw else path, "difficulty is required"
            )
            return None
        if value in LEVEL_VALUES:
            return Difficulty(value)
        try:
            return Difficulty.parse(value)
        except UnknownDifficulty:
            self.fail((*path, "difficulty"), f"difficulty '{value}' must be easy, medium or hard")
            return None

    def key_points(self, raw: Mapping[Any, Any], path: FieldPath) -> tuple[str, ...]:
        value = raw.get("key_points")
        low, high = LIMITS.key_points
        where = (*path, "key_points") if "key_points" in raw else path
        if not isinstance(value, list) or not low <= len(value) <= high:
            self.fail(where, f"key_points must list {low}–{high} items")
            return ()
        points: list[str] = []
        for index, point in enumerate(value):
            if not isinstance(point, str) or not point.strip():
                self.fail((*where, index), f"key_points item {index + 1} must be non-empty text")
            elif len(point.strip()) > LIMITS.key_point:
                self.fail(
                    (*where, index),
                    f"key_points item {index + 1} must be at most {LIMITS.key_point} characters",
                )
            else:
                points.append(point.strip())
        return tuple(points)

    def tags(self, raw: Mapping[Any, Any], path: FieldPath) -> tuple[str, ...]:
        value = raw.get("tags")
        if value is None:
            return ()
        if not isinstance(value, list) or len(value) > LIMITS.tags:
            self.fail((*path, "tags"), f"tags must be a list of at most {LIMITS.tags} tags")
            return ()
        for index, tag in enumerate(value):
            if not isinstance(tag, str) or not TAG_PATTERN.match(tag):
                self.fail(
                    (*path, "tags", index),
                    f"tags item {index + 1} '{tag}' must be lowercase letters, digits and "
                    "hyphens (e.g. api-design)",
                )
        return tuple(str(t) for t in value)
