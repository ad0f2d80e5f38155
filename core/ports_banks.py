"""The port of stored question banks (issue 14): versions, their questions, tenants' choices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.domain.banks import BankInfo, BankScope
from core.domain.model import Question
from core.domain.roles import Difficulty, Role


class BankStore(Protocol):
    """Imported banks. Questions come back as the file gave them (their own ids, not namespaced)."""

    def add_version(
        self,
        *,
        name: str,
        scope: BankScope,
        source: str,
        description: str,
        questions: Sequence[Question],
        at: datetime,
    ) -> BankInfo: ...  # the next version of `name` (1 for a new name); DuplicateKey on a race

    def latest(self, name: str) -> BankInfo | None: ...  # None when never imported or removed

    def version(self, name: str, version: int) -> BankInfo | None: ...  # removed ones too

    def listing(self) -> list[BankInfo]: ...  # each bank's latest version, by name

    def questions(self, name: str, version: int) -> list[Question]: ...  # in file order

    def pool(
        self, name: str, version: int, role: Role, difficulty: Difficulty
    ) -> list[Question]: ...

    def remove(self, name: str, *, at: datetime) -> bool: ...  # versions stay for old sessions

    def choose(
        self, *, platform: str, tenant: str, name: str | None, by: str, at: datetime
    ) -> None: ...  # None: back to the built-in bank

    def chosen(self, platform: str, tenant: str) -> str | None: ...
