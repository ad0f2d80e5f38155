"""Question banks as the core sees them: a named, versioned set of questions with a scope.

A bank is imported from a file (core.banks) and stored; every import of a name is a new
version. Sessions remember the version they drew from. A question keeps its file id across
versions; wherever it is asked its id is namespaced by the bank ("platform-team:rate-limiter"),
so history, spaced review and "never repeat" follow it and never mix two banks' questions. The
built-in bank's ids stay bare ("backend-easy-01"), as they always were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.errors import ErrorCategory, InterviewError
from core.domain.model import BankRef, Question
from core.domain.roles import Difficulty, Role

__all__ = [
    "BUILTIN_BANK",
    "BankAdminsOnly",
    "BankInfo",
    "BankLacksQuestions",
    "BankNotAllowed",
    "BankRef",
    "BankScope",
    "InvalidBankName",
    "InvalidBankScope",
    "UnknownBank",
    "asked_from",
    "check_bank_name",
]

BUILTIN_BANK = "builtin"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
PLATFORM_OF_SCOPE = {"workspace": "slack", "guild": "discord"}


class InvalidBankName(InterviewError):
    code = "invalid_bank_name"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"'{name}' cannot name a bank: use 1–24 lowercase letters, digits and hyphens "
            f"(e.g. platform-team); '{BUILTIN_BANK}' is the shipped bank's."
        )


class InvalidBankScope(InterviewError):
    code = "invalid_bank_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"Unknown bank scope '{scope}': use global, workspace:<Slack team id> or "
            "guild:<Discord server id>."
        )


class UnknownBank(InterviewError):
    code = "unknown_bank"
    category = ErrorCategory.NOT_FOUND

    def __init__(self, name: str, known: Sequence[str]) -> None:
        listed = ", ".join([BUILTIN_BANK, *known])
        super().__init__(f"There is no question bank named '{name}'. Banks: {listed}.")
        self.name = name


class BankNotAllowed(InterviewError):
    code = "bank_not_allowed"
    category = ErrorCategory.FORBIDDEN

    def __init__(self, name: str, scope: str) -> None:
        super().__init__(f"The question bank '{name}' belongs to {scope}: it cannot be used here.")


class BankAdminsOnly(InterviewError):
    code = "bank_admins_only"
    category = ErrorCategory.FORBIDDEN

    def __init__(self, place: str = "workspace") -> None:
        super().__init__(
            f"Only {place} admins can choose the question bank. Ask one of them, or see the "
            "bank in use with `bank`."
        )


class BankLacksQuestions(InterviewError):
    code = "bank_lacks_questions"

    def __init__(self, name: str, role: Role, difficulty: Difficulty, offers: str) -> None:
        super().__init__(
            f"The question bank '{name}' has no {role.value} {difficulty.value} questions. "
            f"It has: {offers}."
        )


@dataclass(frozen=True, slots=True)
class BankScope:
    """Who may use a bank: everyone (global), one Slack workspace or one Discord server."""

    kind: str  # "global", "workspace", "guild"
    tenant: str = ""

    @classmethod
    def parse(cls, text: str) -> BankScope:
        kind, _, tenant = text.strip().partition(":")
        if kind == "global" and not tenant:
            return cls("global")
        if kind in PLATFORM_OF_SCOPE and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tenant):
            return cls(kind, tenant)
        raise InvalidBankScope(text)

    def __str__(self) -> str:
        return self.kind if self.kind == "global" else f"{self.kind}:{self.tenant}"

    def allows(self, platform: str, tenant: str) -> bool:
        """May a workspace or server on `platform` use the bank? The terminal (the operator's
        own machine, where banks are imported) and global banks: always."""
        if self.kind == "global" or platform == "terminal":
            return True
        return PLATFORM_OF_SCOPE[self.kind] == platform and self.tenant == tenant


@dataclass(frozen=True, slots=True)
class BankInfo:
    """One stored version of a bank, with what it offers."""

    name: str
    version: int
    scope: BankScope
    question_count: int
    pools: tuple[tuple[Role, Difficulty], ...]  # the (role, difficulty) pairs it has questions for
    created_at: datetime
    source: str = ""  # the imported file's name
    description: str = ""

    @property
    def ref(self) -> BankRef:
        return BankRef(self.name, self.version)

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(r for r in Role if any(p[0] is r for p in self.pools))

    @property
    def difficulties(self) -> tuple[Difficulty, ...]:
        levels = (Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD)
        return tuple(d for d in levels if any(p[1] is d for p in self.pools))

    def levels_of(self, role: Role) -> tuple[Difficulty, ...]:
        """The levels it has questions for in `role`, easiest first."""
        return tuple(d for d in self.difficulties if (role, d) in self.pools)

    def offers(self) -> str:
        """What it has, for messages: "backend (easy, medium), devops-sre (easy)"."""
        return ", ".join(
            f"{role.value} ({', '.join(d.value for d in self.levels_of(role))})"
            for role in self.roles
        )


def check_bank_name(name: str) -> str:
    """The name if it can name an imported bank; InvalidBankName otherwise."""
    if not NAME_PATTERN.match(name) or name == BUILTIN_BANK:
        raise InvalidBankName(name)
    return name


def asked_from(bank: BankRef, question: Question) -> Question:
    """A stored bank question as a session asks it: its id namespaced, its version attached."""
    return replace(question, bank_id=f"{bank.name}:{question.bank_id}", bank_version=bank.version)
