"""Hand-written fakes of the core's ports (no I/O), for unit tests of the use cases."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Self

from core.domain.errors import LlmUnavailable
from core.domain.grading import Assessment
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    BankRef,
    ConversationRef,
    Evaluation,
    LlmUsage,
    PlannedQuestion,
    PointVerdict,
    Question,
    Session,
    SessionKind,
    SessionStatus,
    UserRef,
    Verdict,
)
from core.domain.roles import Difficulty, Role
from core.ports import (
    CacheStats,
    DuplicateKey,
    EvaluatorReply,
    FollowUpReply,
    IdentityRecord,
    QuotaDecision,
)
from core.services.deps import Deps, Rules
from tests.fakes_banks import BankState, FakeBanks
from tests.fakes_learning import FakeReminders, FakeReviews, ReviewEvent, StoredReminder


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


@dataclass
class FakeDatabase:
    """The shared state the fake units of work commit into (thread-safe, like a real database)."""

    identities: dict[int, IdentityRecord] = field(default_factory=dict)
    sessions: dict[int, Session] = field(default_factory=dict)
    activity: dict[int, datetime] = field(default_factory=dict)
    questions: dict[tuple[int, int], AskedQuestion] = field(default_factory=dict)
    attempts: dict[int, Attempt] = field(default_factory=dict)
    llm_calls: list[dict[str, object]] = field(default_factory=list)
    link_codes: dict[str, dict[str, object]] = field(default_factory=dict)
    review_events: list[ReviewEvent] = field(default_factory=list)
    reminders: dict[int, StoredReminder] = field(default_factory=dict)
    reminder_sends: dict[tuple[str, object], int] = field(default_factory=dict)
    bank_state: BankState = field(default_factory=BankState)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)


_open_here = threading.local()


class FakeUnitOfWork:
    """Commits are all-or-nothing: writes are staged as closures and applied under the lock."""

    def __init__(self, db: FakeDatabase, *, read_only: bool = False) -> None:
        self.db = db
        self.read_only = read_only
        self.identities = _Identities(self)
        self.sessions = _Sessions(self)
        self.questions = _Questions(self)
        self.attempts = _Attempts(self)
        self.llm_calls = _LlmCalls(self)
        self.link_codes = _LinkCodes(self)
        self.reviews = FakeReviews(self)
        self.reminders = FakeReminders(self)
        self.banks = FakeBanks(self)
        self.committed = False

    def __enter__(self) -> Self:
        # A second unit of work inside an open one, in the same thread, would wait for itself
        # on SQLite (BEGIN IMMEDIATE): refuse it here so unit tests catch the mistake.
        if getattr(_open_here, "depth", 0):
            raise AssertionError("a unit of work was opened inside another in the same thread")
        self.db.lock.acquire()  # one transaction at a time: serialisable, like BEGIN IMMEDIATE
        _open_here.depth = 1
        self._snapshot = _copy(self.db)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.rollback()
        finally:
            _open_here.depth = 0
            self.db.lock.release()

    def commit(self) -> None:
        if self.read_only:
            raise AssertionError("a read-only unit of work tried to commit")
        self._snapshot = _copy(self.db)

    def rollback(self) -> None:
        restore = self._snapshot
        self.db.identities, self.db.sessions = dict(restore.identities), dict(restore.sessions)
        self.db.activity, self.db.questions = dict(restore.activity), dict(restore.questions)
        self.db.attempts, self.db.llm_calls = dict(restore.attempts), list(restore.llm_calls)
        self.db.link_codes = dict(restore.link_codes)
        self.db.review_events = list(restore.review_events)
        self.db.reminders = dict(restore.reminders)
        self.db.reminder_sends = dict(restore.reminder_sends)
        self.db.bank_state = restore.bank_state.copy()


def _copy(db: FakeDatabase) -> FakeDatabase:
    return FakeDatabase(
        dict(db.identities),
        dict(db.sessions),
        dict(db.activity),
        dict(db.questions),
        dict(db.attempts),
        list(db.llm_calls),
        {k: dict(v) for k, v in db.link_codes.items()},
        list(db.review_events),
        dict(db.reminders),
        dict(db.reminder_sends),
        db.bank_state.copy(),
    )


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def db(self) -> FakeDatabase:
        return self.uow.db


class _Identities(_Repo):
    def find(self, user: UserRef) -> IdentityRecord | None:
        return next((i for i in self.db.identities.values() if i.user == user), None)

    def ensure(self, user: UserRef, *, display_name: str | None = None) -> IdentityRecord:
        found = self.find(user)
        if found:
            return found
        record = IdentityRecord(next(self.db.ids), user, None, display_name)
        self.db.identities[record.id] = record
        return record

    def get(self, identity_id: int) -> IdentityRecord | None:
        return self.db.identities.get(identity_id)

    def linked_to(self, web_user_id: str) -> list[IdentityRecord]:
        return [i for i in self.db.identities.values() if i.web_user_id == web_user_id]

    def set_web_user(self, identity_id: int, web_user_id: str | None) -> None:
        self.db.identities[identity_id] = replace(
            self.db.identities[identity_id], web_user_id=web_user_id
        )


class _Sessions(_Repo):
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
    ) -> Session:
        session = Session(
            next(self.db.ids),
            identity_id,
            conversation,
            role,
            difficulty,
            question_count,
            SessionStatus.ACTIVE,
            created_at,
            kind=kind,
            adaptive=adaptive,
            plan=tuple(plan),
            bank=bank,
        )
        self.db.sessions[session.id] = session
        self.db.activity[session.id] = created_at
        return session

    def get(self, session_id: int, *, for_update: bool = False) -> Session | None:
        return self.db.sessions.get(session_id)

    def find_active(
        self, conversation: ConversationRef, *, for_update: bool = False
    ) -> Session | None:
        for s in sorted(self.db.sessions.values(), key=lambda s: -s.id):
            c = s.conversation
            if s.is_active and (c.platform, c.tenant, c.channel, c.thread) == (
                conversation.platform,
                conversation.tenant,
                conversation.channel,
                conversation.thread,
            ):
                return s
        return None

    def latest_active(self, identity_ids: Sequence[int]) -> Session | None:
        mine = [
            s for s in self.db.sessions.values() if s.identity_id in identity_ids and s.is_active
        ]
        return max(mine, key=lambda s: s.id, default=None)

    def bind_thread(self, session_id: int, thread: str) -> None:
        s = self.db.sessions[session_id]
        self.db.sessions[session_id] = replace(
            s, conversation=replace(s.conversation, thread=thread)
        )

    def touch(self, session_id: int, at: datetime) -> None:
        self.db.activity[session_id] = at

    def finish(self, session_id: int, *, status: SessionStatus, at: datetime) -> bool:
        s = self.db.sessions[session_id]
        if not s.is_active:
            return False
        self.db.sessions[session_id] = replace(s, status=status, ended_at=at)
        return True

    def stale_active(self, *, idle_since: datetime, limit: int) -> list[Session]:
        return [
            s
            for s in self.db.sessions.values()
            if s.is_active and self.db.activity[s.id] < idle_since
        ][:limit]

    def count_started(
        self, identity_ids: Sequence[int], *, since: datetime, until: datetime
    ) -> int:
        return sum(
            1
            for s in self.db.sessions.values()
            if s.identity_id in identity_ids and since <= s.created_at < until
        )

    def delete(self, session_id: int) -> None:
        self.db.sessions.pop(session_id, None)
        for key in [k for k in self.db.questions if k[0] == session_id]:
            del self.db.questions[key]
        for attempt_id in [a.id for a in self.db.attempts.values() if a.session_id == session_id]:
            del self.db.attempts[attempt_id]


class _Questions(_Repo):
    def add(self, asked: AskedQuestion) -> None:
        key = (asked.session_id, asked.position)
        if key in self.db.questions:
            raise DuplicateKey(str(key))
        self.db.questions[key] = asked

    def get(self, session_id: int, position: int) -> AskedQuestion | None:
        return self.db.questions.get((session_id, position))

    def latest(self, session_id: int) -> AskedQuestion | None:
        mine = self.in_session(session_id)
        return mine[-1] if mine else None

    def in_session(self, session_id: int) -> list[AskedQuestion]:
        return sorted(
            (q for (s, _), q in self.db.questions.items() if s == session_id),
            key=lambda q: q.position,
        )

    def last_seen(
        self, identity_id: int, role: Role, difficulty: Difficulty
    ) -> dict[str, datetime]:
        me = self.db.identities[identity_id]
        identity_ids = {identity_id} | {
            i.id
            for i in self.db.identities.values()
            if me.web_user_id and i.web_user_id == me.web_user_id
        }
        seen: dict[str, datetime] = {}
        for (session_id, _), q in self.db.questions.items():
            s = self.db.sessions[session_id]
            same_pool = (q.question.role, q.question.difficulty) == (role, difficulty)
            if s.identity_id in identity_ids and same_pool and q.question.bank_id:
                seen[q.question.bank_id] = max(q.asked_at, seen.get(q.question.bank_id, q.asked_at))
        return seen

    def add_hint(self, session_id: int, position: int) -> int:
        q = self.db.questions[(session_id, position)]
        self.db.questions[(session_id, position)] = replace(q, hints_used=q.hints_used + 1)
        return q.hints_used + 1


class _Attempts(_Repo):
    def add(
        self,
        *,
        session_id: int,
        position: int,
        delivery_id: str,
        answer: str,
        status: AttemptStatus,
        created_at: datetime,
    ) -> Attempt:
        for a in self.db.attempts.values():
            if a.session_id == session_id and (
                a.position == position or a.delivery_id == delivery_id
            ):
                raise DuplicateKey(f"{session_id}/{position}/{delivery_id}")
        attempt = Attempt(
            next(self.db.ids), session_id, position, delivery_id, answer, status, created_at
        )
        self.db.attempts[attempt.id] = attempt
        return attempt

    def get(self, attempt_id: int) -> Attempt | None:
        return self.db.attempts.get(attempt_id)

    def at_position(self, session_id: int, position: int) -> Attempt | None:
        return next(
            (
                a
                for a in self.db.attempts.values()
                if (a.session_id, a.position) == (session_id, position)
            ),
            None,
        )

    def for_delivery(self, session_id: int, delivery_id: str) -> Attempt | None:
        return next(
            (
                a
                for a in self.db.attempts.values()
                if (a.session_id, a.delivery_id) == (session_id, delivery_id)
            ),
            None,
        )

    def in_session(self, session_id: int) -> list[Attempt]:
        return sorted(
            (a for a in self.db.attempts.values() if a.session_id == session_id),
            key=lambda a: a.position,
        )

    def record_evaluation(
        self,
        attempt_id: int,
        evaluation: Evaluation,
        *,
        cached: bool,
        usage: LlmUsage | None,
        at: datetime,
    ) -> bool:
        a = self.db.attempts[attempt_id]
        if a.status not in (AttemptStatus.PENDING, AttemptStatus.FAILED):
            return False
        self.db.attempts[attempt_id] = replace(
            a,
            status=AttemptStatus.EVALUATED,
            evaluation=evaluation,
            cached=cached,
            usage=usage,
            evaluated_at=at,
            error_kind=None,
        )
        return True

    def requeue(self, attempt_id: int) -> bool:
        a = self.db.attempts[attempt_id]
        if a.status is not AttemptStatus.FAILED:
            return False
        self.db.attempts[attempt_id] = replace(a, status=AttemptStatus.PENDING)
        return True

    def record_failure(
        self, attempt_id: int, *, error_kind: str, auto_retry: bool, at: datetime
    ) -> bool:
        a = self.db.attempts[attempt_id]
        if a.status not in (AttemptStatus.PENDING, AttemptStatus.FAILED):
            return False
        self.db.attempts[attempt_id] = replace(
            a,
            status=AttemptStatus.FAILED,
            error_kind=error_kind,
            failures=a.failures + 1,
            last_failed_at=at,
            auto_retry=auto_retry,
        )
        return True

    def retryable(self, *, stuck_before: datetime, max_failures: int, limit: int) -> list[Attempt]:
        candidates = [
            a
            for a in self.db.attempts.values()
            if (a.status is AttemptStatus.FAILED and a.auto_retry and a.failures < max_failures)
            or (a.status is AttemptStatus.PENDING and a.created_at < stuck_before)
        ]
        return sorted(candidates, key=lambda a: (a.last_failed_at or a.created_at, a.id))[:limit]


class _LlmCalls(_Repo):
    def add(self, **call: object) -> None:
        self.db.llm_calls.append(call)


class _LinkCodes(_Repo):
    def add(self, *, code_hash: str, identity_id: int, expires_at: datetime) -> None:
        if code_hash in self.db.link_codes:
            raise DuplicateKey(code_hash)
        self.db.link_codes[code_hash] = {
            "identity_id": identity_id,
            "expires_at": expires_at,
            "used_at": None,
        }

    def consume(self, *, code_hash: str, now: datetime) -> int | None:
        row = self.db.link_codes.get(code_hash)
        if not row or row["used_at"] is not None or row["expires_at"] <= now:  # type: ignore[operator]
            return None
        row["used_at"] = now
        return int(row["identity_id"])  # type: ignore[call-overload]


class FakeQuota:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.down = False

    def _check(self) -> None:
        if self.down:
            from core.domain.errors import ServiceUnavailable

            raise ServiceUnavailable("Redis")

    def _seed(self, accounts: Sequence[str], day: str, recorded: Callable[[], int] | None) -> None:
        """A missing counter starts from the database's count, as in the Redis store."""
        missing = [a for a in accounts if (a, day) not in self.counts]
        if missing:
            start = recorded() if recorded is not None else 0
            for account in missing:
                self.counts[(account, day)] = start

    def try_consume(
        self,
        accounts: Sequence[str],
        *,
        day: str,
        limit: int,
        expires_at: datetime,
        recorded: Callable[[], int] | None = None,
    ) -> QuotaDecision:
        self._check()
        with self.lock:
            self._seed(accounts, day, recorded)
            fullest = max(self.counts[(a, day)] for a in accounts)
            if fullest >= limit:
                return QuotaDecision(False, fullest)
            for account in accounts:
                self.counts[(account, day)] += 1
            return QuotaDecision(True, max(self.counts[(a, day)] for a in accounts))

    def refund(self, accounts: Sequence[str], *, day: str) -> None:
        self._check()
        with self.lock:
            for account in accounts:
                if self.counts.get((account, day), 0) > 0:
                    self.counts[(account, day)] -= 1

    def used(
        self, accounts: Sequence[str], *, day: str, recorded: Callable[[], int] | None = None
    ) -> int:
        self._check()
        if recorded is not None and any((a, day) not in self.counts for a in accounts):
            missing = recorded()
            return max(self.counts.get((a, day), missing) for a in accounts)
        return max(self.counts.get((a, day), 0) for a in accounts)

    def forget(self, accounts: Sequence[str], *, day: str) -> None:
        self._check()
        with self.lock:
            for account in accounts:
                self.counts.pop((account, day), None)


class FakeCache:
    def __init__(self) -> None:
        self.data: dict[str, Evaluation] = {}
        self.hits = self.misses = 0

    def get(self, key: str) -> Evaluation | None:
        found = self.data.get(key)
        if found:
            self.hits += 1
        else:
            self.misses += 1
        return found

    def put(self, key: str, evaluation: Evaluation) -> None:
        self.data[key] = evaluation

    def stats(self) -> CacheStats:
        return CacheStats(self.hits, self.misses)


class FakeLocks:
    def __init__(self) -> None:
        self.held: dict[str, str] = {}
        self.lock = threading.Lock()
        self.tokens = itertools.count(1)

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        with self.lock:
            if name in self.held:
                return None
            self.held[name] = token = f"t{next(self.tokens)}"
            return token

    def release(self, name: str, token: str) -> bool:
        with self.lock:
            if self.held.get(name) != token:
                return False
            del self.held[name]
            return True


class ScriptedEvaluator:
    """Covers one key point per two words of the answer, quoting the whole answer; can be told
    to fail; counts calls. The grading policy then scores it like any provider's judgement."""

    provider = "scripted"
    prompt_version = "test-1"
    english_only = False

    def __init__(self) -> None:
        self.calls = 0
        self.fail_with: LlmUnavailable | None = None
        self.lock = threading.Lock()

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        with self.lock:
            self.calls += 1
        if self.fail_with:
            raise self.fail_with
        covered = len(answer.split()) // 2
        points = tuple(
            PointVerdict(p, Verdict.COVERED, quote=answer)
            if i < covered
            else PointVerdict(p, Verdict.MISSING)
            for i, p in enumerate(question.key_points)
        )
        return EvaluatorReply(
            Assessment(
                points=points,
                feedback=f"Feedback on: {answer[:20]}",
                ideal_answer=question.reference_answer,
                depth=5.0,
                communication=5.0,
                tags=("depth",),
                graded_by="scripted test grader",
            ),
            LlmUsage(model="scripted-model", latency_ms=12.0, input_tokens=100, output_tokens=50),
        )


class ScriptedWriter:
    def __init__(self) -> None:
        self.calls = 0

    def follow_up(self, question: Question, answer: str, evaluation: Evaluation) -> FollowUpReply:
        self.calls += 1
        gap = evaluation.missing[0] if evaluation.missing else question.key_points[0]
        return FollowUpReply(
            replace(
                question,
                text=f"Tell me more about: {gap}",
                bank_id=None,
                key_points=(gap, "second point"),
            )
        )


def make_bank(per_pool: int = 8) -> FakeBank:
    return FakeBank(per_pool)


class FakeBank:
    def __init__(self, per_pool: int) -> None:
        self.questions = {
            (role, difficulty): [
                Question(
                    role,
                    difficulty,
                    f"{role.value} {difficulty.value} question {n}?",
                    f"Reference answer {n} about caching and indexes.",
                    (f"point {n}a", f"point {n}b", f"point {n}c", f"point {n}d"),
                    ("topic-a",),
                    f"hint {n}",
                    f"{role.value}-{difficulty.value}-{n:02d}",
                )
                for n in range(1, per_pool + 1)
            ]
            for role in Role
            for difficulty in Difficulty
        }

    def pool(self, role: Role, difficulty: Difficulty) -> Sequence[Question]:
        return self.questions[(role, difficulty)]

    def get(self, bank_id: str) -> Question | None:
        return next(
            (q for pool in self.questions.values() for q in pool if q.bank_id == bank_id), None
        )


def make_deps(**rules: object) -> Deps:
    db = FakeDatabase()
    deps = Deps(
        uow=lambda read_only=False: FakeUnitOfWork(db, read_only=read_only),
        quota=FakeQuota(),
        cache=FakeCache(),
        locks=FakeLocks(),
        bank=make_bank(),
        evaluator=ScriptedEvaluator(),
        writer=ScriptedWriter(),
        clock=FakeClock(),
        rules=Rules(**rules),  # type: ignore[arg-type]
    )
    deps.random.seed(7)
    return deps
