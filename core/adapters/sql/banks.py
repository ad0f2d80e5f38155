"""SQL repository of imported question banks (core.ports_banks.BankStore)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql.bank_models import BankChoiceRow, BankQuestionRow, BankVersionRow
from core.adapters.sql.repositories import _insert
from core.domain.banks import BankInfo, BankScope
from core.domain.model import Question
from core.domain.roles import Difficulty, Role


class SqlBanks:
    def __init__(self, db: DbSession) -> None:
        self.db = db

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
        latest = self.db.scalar(
            select(func.max(BankVersionRow.version)).where(BankVersionRow.name == name)
        )
        pools = sorted({(q.role.value, q.difficulty.value) for q in questions})
        row = BankVersionRow(
            name=name,
            version=(latest or 0) + 1,  # a racing import meets the unique key: DuplicateKey
            scope=str(scope),
            source=source[:255],
            description=description,
            question_count=len(questions),
            pools=[list(p) for p in pools],
            created_at=at,
        )
        _insert(self.db, row)
        self.db.add_all(
            BankQuestionRow(
                bank_version_id=row.id,
                position=position,
                question_id=q.bank_id,
                role=q.role.value,
                difficulty=q.difficulty.value,
                text=q.text,
                reference_answer=q.reference_answer,
                key_points=list(q.key_points),
                tags=list(q.topics),
                hint=q.hint,
            )
            for position, q in enumerate(questions, start=1)
        )
        self.db.flush()
        return _info(row)

    def latest(self, name: str) -> BankInfo | None:
        row = self.db.scalars(
            select(BankVersionRow)
            .where(BankVersionRow.name == name, BankVersionRow.removed_at.is_(None))
            .order_by(BankVersionRow.version.desc())
            .limit(1)
        ).first()
        return _info(row) if row else None

    def version(self, name: str, version: int) -> BankInfo | None:
        row = self.db.scalars(
            select(BankVersionRow).where(
                BankVersionRow.name == name, BankVersionRow.version == version
            )
        ).first()
        return _info(row) if row else None

    def listing(self) -> list[BankInfo]:
        newest = (
            select(BankVersionRow.name, func.max(BankVersionRow.version).label("version"))
            .where(BankVersionRow.removed_at.is_(None))
            .group_by(BankVersionRow.name)
            .subquery()
        )
        rows = self.db.scalars(
            select(BankVersionRow)
            .join(
                newest,
                (newest.c.name == BankVersionRow.name)
                & (newest.c.version == BankVersionRow.version),
            )
            .order_by(BankVersionRow.name)
        )
        return [_info(row) for row in rows]

    def questions(self, name: str, version: int) -> list[Question]:
        return self._questions(name, version)

    def pool(self, name: str, version: int, role: Role, difficulty: Difficulty) -> list[Question]:
        return self._questions(
            name,
            version,
            BankQuestionRow.role == role.value,
            BankQuestionRow.difficulty == difficulty.value,
        )

    def _questions(self, name: str, version: int, *where: Any) -> list[Question]:
        rows = self.db.scalars(
            select(BankQuestionRow)
            .join(BankVersionRow, BankVersionRow.id == BankQuestionRow.bank_version_id)
            .where(BankVersionRow.name == name, BankVersionRow.version == version, *where)
            .order_by(BankQuestionRow.position)
        )
        return [_question(row) for row in rows]

    def remove(self, name: str, *, at: datetime) -> bool:
        removed = self.db.execute(
            update(BankVersionRow)
            .where(BankVersionRow.name == name, BankVersionRow.removed_at.is_(None))
            .values(removed_at=at)
        )
        return bool(getattr(removed, "rowcount", 0))

    def choose(
        self, *, platform: str, tenant: str, name: str | None, by: str, at: datetime
    ) -> None:
        row = self.db.get(BankChoiceRow, (platform, tenant), with_for_update=True)
        if name is None:
            if row is not None:
                self.db.delete(row)
        elif row is None:
            self.db.add(
                BankChoiceRow(
                    platform=platform, tenant=tenant, bank_name=name, chosen_by=by, chosen_at=at
                )
            )
        else:
            row.bank_name, row.chosen_by, row.chosen_at = name, by, at
        self.db.flush()

    def chosen(self, platform: str, tenant: str) -> str | None:
        row = self.db.get(BankChoiceRow, (platform, tenant))
        return row.bank_name if row else None


def _info(row: BankVersionRow) -> BankInfo:
    return BankInfo(
        name=row.name,
        version=row.version,
        scope=BankScope.parse(row.scope),
        question_count=row.question_count,
        pools=tuple((Role(r), Difficulty(d)) for r, d in row.pools),
        created_at=row.created_at,
        source=row.source,
        description=row.description,
    )


def _question(row: BankQuestionRow) -> Question:
    return Question(
        role=Role(row.role),
        difficulty=Difficulty(row.difficulty),
        text=row.text,
        reference_answer=row.reference_answer,
        key_points=tuple(row.key_points),
        topics=tuple(row.tags),
        hint=row.hint,
        bank_id=row.question_id,
    )
