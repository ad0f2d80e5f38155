"""A fake of the bank store (core.ports_banks.BankStore) for tests/fakes.FakeUnitOfWork."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.domain.banks import BankInfo, BankScope
from core.domain.model import Question
from core.domain.roles import Difficulty, Role


@dataclass
class BankState:
    """What the fake database holds about banks; copied whole for a unit of work's snapshot."""

    versions: list[tuple[BankInfo, tuple[Question, ...]]] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)  # names removed (all their versions)
    choices: dict[tuple[str, str], str] = field(default_factory=dict)

    def copy(self) -> BankState:
        return BankState(list(self.versions), set(self.removed), dict(self.choices))


class FakeBanks:
    def __init__(self, uow: Any) -> None:
        self.uow = uow

    @property
    def state(self) -> BankState:
        return self.uow.db.bank_state  # type: ignore[no-any-return]

    def add_version(
        self,
        *,
        name: str,
        scope: BankScope,
        source: str,
        description: str,
        questions: Sequence[Question],
        at: datetime,
    ) -> BankInfo:
        version = 1 + max((i.version for i, _ in self.state.versions if i.name == name), default=0)
        info = BankInfo(
            name=name,
            version=version,
            scope=scope,
            question_count=len(questions),
            pools=tuple(sorted({(q.role, q.difficulty) for q in questions})),
            created_at=at,
            source=source,
            description=description,
        )
        self.state.versions.append((info, tuple(questions)))
        self.state.removed.discard(name)
        return info

    def latest(self, name: str) -> BankInfo | None:
        if name in self.state.removed:
            return None
        found = [i for i, _ in self.state.versions if i.name == name]
        return max(found, key=lambda i: i.version) if found else None

    def version(self, name: str, version: int) -> BankInfo | None:
        return next(
            (i for i, _ in self.state.versions if (i.name, i.version) == (name, version)), None
        )

    def listing(self) -> list[BankInfo]:
        names = sorted({i.name for i, _ in self.state.versions} - self.state.removed)
        return [info for name in names if (info := self.latest(name)) is not None]

    def questions(self, name: str, version: int) -> list[Question]:
        return next(
            (list(qs) for i, qs in self.state.versions if (i.name, i.version) == (name, version)),
            [],
        )

    def pool(self, name: str, version: int, role: Role, difficulty: Difficulty) -> list[Question]:
        return [
            replace(q)
            for q in self.questions(name, version)
            if q.role is role and q.difficulty is difficulty
        ]

    def remove(self, name: str, *, at: datetime) -> bool:
        if self.latest(name) is None:
            return False
        self.state.removed.add(name)
        return True

    def choose(
        self, *, platform: str, tenant: str, name: str | None, by: str, at: datetime
    ) -> None:
        if name is None:
            self.state.choices.pop((platform, tenant), None)
        else:
            self.state.choices[(platform, tenant)] = name

    def chosen(self, platform: str, tenant: str) -> str | None:
        return self.state.choices.get((platform, tenant))
