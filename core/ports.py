"""Ports: what the use cases need from the outside world. Adapters implement these; tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Protocol, Self
from zoneinfo import ZoneInfo

from core.domain.history import Analytics, Page, SessionDetail, SessionFilter, SessionListItem
from core.domain.learning import ReviewCard
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    BankRef,
    ConversationRef,
    Evaluation,
    ItemKey,
    LlmUsage,
    PlannedQuestion,
    Question,
    Session,
    SessionKind,
    SessionStatus,
    UserRef,
)
from core.domain.notices import Notice
from core.domain.roles import Difficulty, Role

# The LLM ports live in core.ports_llm; re-exported here, where most use cases look for them.
from core.ports_llm import DraftReply as DraftReply
from core.ports_llm import Evaluator as Evaluator
from core.ports_llm import EvaluatorChain as EvaluatorChain
from core.ports_llm import EvaluatorReply as EvaluatorReply
from core.ports_llm import FollowUpReply as FollowUpReply
from core.ports_llm import QuestionDrafter as QuestionDrafter
from core.ports_llm import QuestionWriter as QuestionWriter

if TYPE_CHECKING:
    from core.ports_banks import BankStore
    from core.ports_qotd import QotdRepository


class DuplicateKey(Exception):
    """A unique constraint refused a write: someone else got there first."""


# ---------------------------------------------------------------- question bank


class QuestionBank(Protocol):
    def pool(self, role: Role, difficulty: Difficulty) -> Sequence[Question]: ...

    def get(self, bank_id: str) -> Question | None: ...


class Notifier(Protocol):
    """Sends the core's own messages (core.domain.notices) on one platform."""

    platform: str

    def send(self, notice: Notice) -> str | None: ...  # the message id; DeliveryFailed if refused


# ---------------------------------------------------------------- Redis-backed guards


@dataclass(frozen=True, slots=True)
class QuotaDecision:
    allowed: bool
    used: int  # sessions counted today, including this one when allowed


class QuotaStore(Protocol):
    """Daily counters that expire at the day boundary. Raise ServiceUnavailable when unreachable.

    The database is the source of truth for sessions started: a counter that is missing
    (Redis restarted without persistence, flushed, or a link changed whose sessions count)
    is first set from `recorded()`, atomically and only if still missing, then counted on.
    Without `recorded` a missing counter starts at 0 (attempt throttles). One person's
    counters are used together, so they share one Redis Cluster hash slot."""

    def try_consume(
        self,
        accounts: Sequence[str],
        *,
        day: str,
        limit: int,
        expires_at: datetime,
        recorded: Callable[[], int] | None = None,
    ) -> QuotaDecision: ...

    def refund(self, accounts: Sequence[str], *, day: str) -> None: ...

    def used(
        self, accounts: Sequence[str], *, day: str, recorded: Callable[[], int] | None = None
    ) -> int: ...  # the fullest counter; `recorded()` stands in for a missing one

    def forget(self, accounts: Sequence[str], *, day: str) -> None: ...  # recount on next use


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


class EvaluationCache(Protocol):
    def get(self, key: str) -> Evaluation | None: ...  # counts a hit or a miss

    def put(self, key: str, evaluation: Evaluation) -> None: ...

    def stats(self) -> CacheStats: ...


class Locks(Protocol):
    """Expiring mutual exclusion; release only succeeds with the token that acquired it."""

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None: ...

    def release(self, name: str, token: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...  # timezone-aware, UTC


# ---------------------------------------------------------------- persistence


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    id: int
    user: UserRef
    web_user_id: str | None = None
    display_name: str | None = None


class Identities(Protocol):
    def find(self, user: UserRef) -> IdentityRecord | None: ...

    def ensure(self, user: UserRef, *, display_name: str | None = None) -> IdentityRecord: ...

    def get(self, identity_id: int) -> IdentityRecord | None: ...

    def linked_to(self, web_user_id: str) -> list[IdentityRecord]: ...

    def set_web_user(self, identity_id: int, web_user_id: str | None) -> None: ...


class Sessions(Protocol):
    def add(
        self,
        *,
        identity_id: int,
        conversation: ConversationRef,
        role: Role,
        difficulty: Difficulty,
        question_count: int,
        created_at: datetime,
        kind: SessionKind = SessionKind.INTERVIEW,
        adaptive: bool = False,
        plan: Sequence[PlannedQuestion] = (),
        bank: BankRef | None = None,
    ) -> Session: ...

    def get(self, session_id: int, *, for_update: bool = False) -> Session | None: ...

    def find_active(
        self, conversation: ConversationRef, *, for_update: bool = False
    ) -> Session | None: ...

    def latest_active(self, identity_ids: Sequence[int]) -> Session | None: ...

    def bind_thread(self, session_id: int, thread: str) -> None: ...

    def touch(self, session_id: int, at: datetime) -> None: ...

    def finish(self, session_id: int, *, status: SessionStatus, at: datetime) -> bool: ...

    def stale_active(self, *, idle_since: datetime, limit: int) -> list[Session]: ...

    def count_started(
        self, identity_ids: Sequence[int], *, since: datetime, until: datetime
    ) -> int: ...  # sessions created in [since, until): what the daily quota counts

    def delete(self, session_id: int) -> None: ...  # a start that was never delivered


class Questions(Protocol):
    def add(self, asked: AskedQuestion) -> None: ...  # DuplicateKey if the position is taken

    def get(self, session_id: int, position: int) -> AskedQuestion | None: ...

    def latest(self, session_id: int) -> AskedQuestion | None: ...

    def in_session(self, session_id: int) -> list[AskedQuestion]: ...

    def last_seen(
        self, identity_id: int, role: Role, difficulty: Difficulty
    ) -> dict[str, datetime]: ...  # bank id -> last asked, for every identity linked with this one

    def add_hint(self, session_id: int, position: int) -> int: ...  # returns hints used now


class Attempts(Protocol):
    def add(
        self,
        *,
        session_id: int,
        position: int,
        delivery_id: str,
        answer: str,
        status: AttemptStatus,
        created_at: datetime,
    ) -> Attempt: ...  # DuplicateKey on (session, position) or (session, delivery)

    def get(self, attempt_id: int) -> Attempt | None: ...

    def at_position(self, session_id: int, position: int) -> Attempt | None: ...

    def for_delivery(self, session_id: int, delivery_id: str) -> Attempt | None: ...

    def in_session(self, session_id: int) -> list[Attempt]: ...

    def record_evaluation(
        self,
        attempt_id: int,
        evaluation: Evaluation,
        *,
        cached: bool,
        usage: LlmUsage | None,
        at: datetime,
    ) -> bool: ...  # False when it was no longer pending/failed: someone else stored one

    def record_failure(
        self, attempt_id: int, *, error_kind: str, auto_retry: bool, at: datetime
    ) -> bool: ...  # counts the failure; auto_retry False: maintenance leaves it alone

    def requeue(self, attempt_id: int) -> bool: ...  # failed -> pending (a Retry in the background)

    def retryable(
        self, *, stuck_before: datetime, max_failures: int, limit: int
    ) -> list[Attempt]: ...  # least recently tried first


class LlmCalls(Protocol):
    def add(
        self,
        *,
        purpose: str,
        provider: str,
        usage: LlmUsage | None,
        ok: bool,
        error_kind: str | None,
        at: datetime,
        attempt_id: int | None = None,
    ) -> None: ...


class Reviews(Protocol):
    """The review log: one row per item an answer reviewed; an item's card is its latest row."""

    def latest(
        self, identity_id: int, keys: Collection[ItemKey] | None = None
    ) -> dict[ItemKey, ReviewCard]: ...  # the person's (every linked identity's); None: all

    def record(
        self, identity_id: int, cards: Sequence[ReviewCard], *, attempt_id: int | None
    ) -> None: ...  # DuplicateKey when this attempt's reviews were recorded already

    def history(
        self, identity_ids: Sequence[int], *, since: datetime | None, limit: int
    ) -> list[ReviewCard]: ...  # newest first


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    identity: IdentityRecord  # who gets the direct message
    at: time  # local time of day
    zone: str
    next_at: datetime  # the next occurrence, UTC


class Reminders(Protocol):
    def set(self, identity_id: int, *, at: time, zone: str, next_at: datetime) -> None: ...

    def clear(self, identity_id: int) -> bool: ...

    def get(self, identity_id: int) -> ReminderRecord | None: ...

    def due(
        self, *, now: datetime, platforms: Collection[str], limit: int
    ) -> list[ReminderRecord]: ...  # next_at <= now, on these platforms, oldest first

    def advance(self, identity_id: int, *, next_at: datetime) -> None: ...

    def claim(self, *, person: str, day: date, identity_id: int, at: datetime) -> None: ...

    # DuplicateKey when this person's reminder of that day is claimed already

    def release(self, *, person: str, day: date) -> None: ...


class LinkCodes(Protocol):
    def add(self, *, code_hash: str, identity_id: int, expires_at: datetime) -> None: ...

    def consume(self, *, code_hash: str, now: datetime) -> int | None: ...  # identity id, once


class UnitOfWork(Protocol):
    """One database transaction. Leaving the block without commit() rolls back."""

    @property
    def identities(self) -> Identities: ...

    @property
    def sessions(self) -> Sessions: ...

    @property
    def questions(self) -> Questions: ...

    @property
    def attempts(self) -> Attempts: ...

    @property
    def llm_calls(self) -> LlmCalls: ...

    @property
    def link_codes(self) -> LinkCodes: ...

    @property
    def reviews(self) -> Reviews: ...

    @property
    def reminders(self) -> Reminders: ...

    @property
    def qotd(self) -> QotdRepository: ...  # the team question of the day (core.ports_qotd)

    @property
    def banks(self) -> BankStore: ...  # imported question banks (core.ports_banks)

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work. `read_only=True` for one that only reads: on SQLite it never waits
    for a writer (it reads a snapshot), and it refuses to commit."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


class HistoryQueries(Protocol):
    """The read side: scoped by identity ids, so one person never sees another's data."""

    def sessions(
        self, identity_ids: Sequence[int], filters: SessionFilter, *, page: int, per_page: int
    ) -> Page[SessionListItem]: ...

    def session_detail(
        self, identity_ids: Sequence[int], session_id: int
    ) -> SessionDetail | None: ...

    def export_rows(self, identity_ids: Sequence[int]) -> Iterator[dict[str, Any]]: ...

    def delete_identities(self, identity_ids: Sequence[int]) -> int: ...

    def analytics(
        self,
        identity_ids: Sequence[int] | None,
        *,
        since: datetime,
        timezone: ZoneInfo,
        platform: str | None = None,
        tenant: str | None = None,
    ) -> Analytics: ...
