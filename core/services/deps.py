"""What every use case receives: the ports, wired once by core.bootstrap, plus the rules."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.ports import (
    Clock,
    EvaluationCache,
    Evaluator,
    HistoryQueries,
    Locks,
    QuestionBank,
    QuestionWriter,
    QuotaStore,
    UnitOfWorkFactory,
)
from core.ports_qotd import EvaluationQueue, LlmTurns


@dataclass(frozen=True, slots=True)
class Rules:
    quota_per_day: int = 3
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    questions_per_session: int = 5
    max_questions_per_session: int = 10
    max_answer_chars: int = 4000
    max_follow_ups_per_question: int = 1
    evaluation_lock_seconds: float = 150.0
    link_code_minutes: int = 10
    session_idle_hours: int = 24
    qotd_answers_per_day: int = 5  # question-of-the-day answers per person (apart from the quota)

    def quota_window(self, now: datetime) -> tuple[str, datetime]:
        """The quota day (in the configured zone) containing `now`, and the moment it resets."""
        local = now.astimezone(self.timezone)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
        return local.date().isoformat(), midnight.replace(tzinfo=self.timezone)


@dataclass(slots=True)
class Deps:
    uow: UnitOfWorkFactory
    quota: QuotaStore
    cache: EvaluationCache
    locks: Locks
    bank: QuestionBank
    evaluator: Evaluator
    writer: QuestionWriter
    clock: Clock
    rules: Rules = field(default_factory=Rules)
    history: HistoryQueries | None = None  # the read side; unit tests of the flow go without
    random: random.Random = field(default_factory=random.Random)
    # Where stored question-of-the-day answers wait for evaluation; None: evaluated inline.
    evaluations: EvaluationQueue | None = None
    # The global rate limit of model calls (grade_answer waits here); None: no limit.
    throttle: LlmTurns | None = None
