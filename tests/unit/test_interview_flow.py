"""Use cases over fakes of the ports: the interview from start to summary, and its rules."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core import services
from core.domain import (
    AnswerTooLong,
    ConversationRef,
    EmptyAnswer,
    FollowUpLimitReached,
    LlmUnavailable,
    NoActiveSession,
    NotYourSession,
    QuotaExceeded,
    ServiceUnavailable,
    UnknownDifficulty,
    UnknownRole,
)
from core.domain.model import AttemptStatus, QuestionKind, SessionStatus
from core.domain.results import AnswerStatus, QuestionAsked, SessionSummary
from tests.fakes import FakeBank, make_deps

ALICE = ConversationRef("slack", "T1", "C1", "U-alice", thread="th-1")
BOB = ConversationRef("slack", "T1", "C1", "U-bob", thread="th-1")


def start(deps, conversation=ALICE, **kw):
    kw.setdefault("role", "backend")
    kw.setdefault("difficulty", "medium")
    return services.start_session(deps, conversation=conversation, **kw)


def answer(deps, text="a decent answer with several words in it", delivery="d1", who=ALICE):
    return services.answer_in_conversation(deps, conversation=who, text=text, delivery_id=delivery)


def test_start_asks_the_first_question_and_counts_quota() -> None:
    deps = make_deps()
    started = start(deps)
    assert started.label == "Question 1 of 5"
    assert started.question.question.role.value == "backend"
    assert started.quota is not None and started.quota.used == 1 and started.quota.remaining == 2


@pytest.mark.parametrize(
    ("role", "difficulty", "error", "listed"),
    [
        ("astrologer", "easy", UnknownRole, "backend"),
        ("backend", "extreme", UnknownDifficulty, "hard"),
    ],
)
def test_unknown_values_are_refused_with_the_valid_list(role, difficulty, error, listed) -> None:
    deps = make_deps()
    with pytest.raises(error) as caught:
        start(deps, role=role, difficulty=difficulty)
    assert listed in caught.value.message
    assert deps.quota.counts == {}  # nothing counted


def test_quota_allows_three_a_day_and_says_when_it_resets() -> None:
    deps = make_deps(timezone=ZoneInfo("America/New_York"))
    for n in range(3):
        start(deps, conversation=ConversationRef("slack", "T1", "C1", "U-alice", thread=f"t{n}"))
    with pytest.raises(QuotaExceeded) as caught:
        start(deps)
    # 12:00 UTC is 07:00 in New York: the quota resets at the next New York midnight.
    assert caught.value.resets_at == datetime(2026, 11, 27, tzinfo=ZoneInfo("America/New_York"))
    assert "resets at 2026-11-27 00:00" in caught.value.message


def test_a_failed_start_gives_the_quota_back() -> None:
    deps = make_deps()
    deps.bank = FakeBank(per_pool=0)
    with pytest.raises(Exception, match="no questions"):
        start(deps)
    assert services.quota_status(deps, user=ALICE.user_ref).used == 0


def test_redis_down_refuses_the_start_and_writes_nothing() -> None:
    deps = make_deps()
    deps.quota.down = True
    with pytest.raises(ServiceUnavailable, match="Redis unreachable"):
        start(deps)
    assert services.find_session(deps, conversation=ALICE) is None


def test_concurrent_starts_by_one_user_yield_exactly_the_quota() -> None:
    deps = make_deps()

    def attempt(n: int) -> str:
        try:
            start(deps, conversation=ConversationRef("slack", "T1", "C1", "U-alice", thread=str(n)))
            return "ok"
        except QuotaExceeded:
            return "refused"

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(attempt, range(50)))
    assert results.count("ok") == 3


def test_answer_is_saved_evaluated_once_and_redeliveries_are_recognised() -> None:
    deps = make_deps()
    start(deps)
    first = answer(deps)
    assert first.status is AnswerStatus.EVALUATED and not first.duplicate
    assert first.evaluation is not None and first.evaluation.feedback
    again = answer(deps)  # the same delivery id: a Slack retry
    assert again.duplicate and not again.superseded and again.evaluation == first.evaluation
    other = answer(deps, text="a second message", delivery="d2")
    assert other.duplicate and other.superseded
    assert deps.evaluator.calls == 1


def test_the_same_answer_to_the_same_question_costs_one_llm_call() -> None:
    deps = make_deps()
    deps.bank = FakeBank(per_pool=1)  # both sessions get the same question
    start(deps)
    start(deps, conversation=ConversationRef("slack", "T1", "C1", "U-alice", thread="th-2"))
    answer(deps, text="Indexes  speed up READS")
    second = services.answer_in_conversation(
        deps,
        conversation=ConversationRef("slack", "T1", "C1", "U-alice", thread="th-2"),
        text="indexes speed up reads",
        delivery_id="d9",
    )
    assert second.attempt.cached and deps.evaluator.calls == 1


def test_llm_failure_keeps_the_answer_and_retry_evaluates_it() -> None:
    deps = make_deps()
    start(deps)
    deps.evaluator.fail_with = LlmUnavailable("The AI evaluator is busy.", kind="rate_limited")
    failed = answer(deps)
    assert failed.status is AnswerStatus.FAILED and "busy" in failed.message
    assert failed.attempt.status is AttemptStatus.FAILED and failed.attempt.answer
    deps.evaluator.fail_with = None
    retried = services.retry_evaluation(
        deps, session_id=failed.session.id, position=1, actor=ALICE.user_ref
    )
    assert retried.status is AnswerStatus.EVALUATED and retried.attempt.evaluation is not None


@pytest.mark.parametrize(("text", "error"), [("   ", EmptyAnswer), ("x" * 4001, AnswerTooLong)])
def test_bad_answers_are_explained_and_nothing_is_stored(text, error) -> None:
    deps = make_deps()
    started = start(deps)
    with pytest.raises(error):
        answer(deps, text=text)
    with deps.uow() as uow:
        assert uow.attempts.in_session(started.session.id) == []


def test_only_the_owner_can_answer() -> None:
    deps = make_deps()
    start(deps)
    with pytest.raises(NotYourSession):
        answer(deps, who=BOB)


def test_a_whole_interview_ends_with_a_summary() -> None:
    deps = make_deps(questions_per_session=3)
    started = start(deps)
    session_id, position = started.session.id, 1
    answers = [
        "A cache keeps rows in memory.",
        "A cache keeps hot rows in memory, so repeated reads skip the database.",
        "A cache keeps hot rows in memory, so repeated reads skip the slow database entirely.",
    ]
    scores = []
    for n in range(3):
        outcome = answer(deps, text=answers[n], delivery=f"m{n}")
        assert outcome.evaluation is not None
        scores.append(outcome.evaluation.score)
        assert outcome.has_next is (n < 2)
        result = services.next_question(
            deps, session_id=session_id, after_position=position, actor=ALICE.user_ref
        )
        position += 1
        if n < 2:
            assert isinstance(result, QuestionAsked) and result.label == f"Question {n + 2} of 3"
    assert isinstance(result, SessionSummary)
    assert result.session.status is SessionStatus.COMPLETED
    assert scores[0] < scores[1] <= scores[2]  # more points made, with evidence, score higher
    assert result.answered == 3
    assert result.average_score == pytest.approx(sum(scores) / 3, abs=0.06)
    assert result.weakest == ("depth",) and result.practice_next
    with pytest.raises(NoActiveSession):
        answer(deps, delivery="late")
    again = services.next_question(  # a double click on Finish
        deps, session_id=session_id, after_position=position - 1, actor=ALICE.user_ref
    )
    assert isinstance(again, SessionSummary) and again.already_finished


def test_next_twice_is_the_same_question() -> None:
    deps = make_deps()
    started = start(deps)
    answer(deps)
    kw = dict(session_id=started.session.id, after_position=1, actor=ALICE.user_ref)
    first = services.next_question(deps, **kw)
    second = services.next_question(deps, **kw)
    assert isinstance(second, QuestionAsked) and second.duplicate
    assert isinstance(first, QuestionAsked) and first.question == second.question


def test_go_deeper_asks_one_follow_up_from_the_gaps() -> None:
    deps = make_deps()
    started = start(deps)
    answer(deps)
    kw = dict(session_id=started.session.id, position=1, actor=ALICE.user_ref)
    deeper = services.go_deeper(deps, **kw)
    assert deeper.question.kind is QuestionKind.FOLLOW_UP
    assert deeper.label == "Follow-up on question 1 of 5"
    assert "point" in deeper.question.question.text
    assert services.go_deeper(deps, **kw).duplicate  # a double click
    follow = answer(deps, delivery="m2")
    assert follow.question.position == 2 and not follow.can_go_deeper
    with pytest.raises(FollowUpLimitReached):
        services.go_deeper(deps, session_id=started.session.id, position=2, actor=ALICE.user_ref)
    summary = services.end_session(deps, session_id=started.session.id, actor=ALICE.user_ref)
    assert (summary.answered, summary.follow_ups, summary.skipped) == (1, 1, 0)


def test_hints_then_skip() -> None:
    deps = make_deps()
    started = start(deps)
    kw = dict(session_id=started.session.id, position=1, actor=ALICE.user_ref)
    first = services.give_hint(deps, **kw)
    second = services.give_hint(deps, **kw)
    assert first.hint.startswith("hint") and "strong answer mentions" in second.hint
    services.give_hint(deps, **kw)
    with pytest.raises(Exception, match="No more hints"):
        services.give_hint(deps, **kw)
    skipped = services.skip_question(deps, delivery_id="skip-1", **kw)
    assert isinstance(skipped, QuestionAsked) and skipped.question.position == 2


def test_bank_questions_do_not_repeat_until_the_pool_is_exhausted() -> None:
    deps = make_deps(questions_per_session=4, quota_per_day=10)
    seen: list[str] = []
    for n in range(2):
        conv = ConversationRef("slack", "T1", "C1", "U-alice", thread=f"s{n}")
        started = start(deps, conversation=conv)
        position = 1
        seen.append(started.question.question.bank_id)
        for k in range(3):
            services.answer_in_conversation(
                deps, conversation=conv, text="answer", delivery_id=f"{n}{k}"
            )
            asked = services.next_question(
                deps, session_id=started.session.id, after_position=position, actor=ALICE.user_ref
            )
            position += 1
            seen.append(asked.question.question.bank_id)
    assert len(set(seen)) == 8  # the 8-question pool, each asked once


def test_end_early_summarises_and_is_idempotent() -> None:
    deps = make_deps()
    started = start(deps)
    answer(deps)
    summary = services.end_session(deps, session_id=started.session.id, actor=ALICE.user_ref)
    assert summary.session.status is SessionStatus.ENDED and summary.answered == 1
    again = services.end_session(deps, session_id=started.session.id, actor=ALICE.user_ref)
    assert again.already_finished


def test_idle_sessions_expire() -> None:
    deps = make_deps()
    start(deps)
    deps.clock.advance(hours=25)
    assert services.expire_idle_sessions(deps) == 1
    assert services.find_session(deps, conversation=ALICE) is None


def test_clock_is_utc_aware() -> None:
    assert make_deps().clock.now().tzinfo is UTC


def test_an_unexpected_evaluator_crash_keeps_the_answer_retryable() -> None:
    deps = make_deps()
    start(deps)

    class Broken:
        provider, prompt_version = "broken", "1"

        def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    deps.evaluator = Broken()
    outcome = answer(deps)
    assert outcome.status is AnswerStatus.FAILED and "Retry" in outcome.message
    assert (
        outcome.attempt.status is AttemptStatus.FAILED
        and outcome.attempt.error_kind == "unexpected"
    )


def test_redis_down_during_evaluation_keeps_the_answer_retryable() -> None:
    deps = make_deps()
    started = start(deps)

    class DownLocks:
        def acquire(self, name, *, ttl_seconds):  # type: ignore[no-untyped-def]
            raise ServiceUnavailable("Redis")

    real_locks, deps.locks = deps.locks, DownLocks()
    with pytest.raises(ServiceUnavailable, match="answer is saved"):
        answer(deps)
    deps.locks = real_locks
    retried = services.retry_evaluation(
        deps, session_id=started.session.id, position=1, actor=ALICE.user_ref
    )
    assert retried.status is AnswerStatus.EVALUATED


def test_a_delivery_is_claimed_once() -> None:
    deps = make_deps()
    assert services.first_delivery(deps, "slack:start:T1:trigger-1")
    assert not services.first_delivery(deps, "slack:start:T1:trigger-1")
    assert services.first_delivery(deps, "slack:start:T1:trigger-2")

    class DownLocks:
        def acquire(self, name, *, ttl_seconds):  # type: ignore[no-untyped-def]
            raise ServiceUnavailable("Redis")

    deps.locks = DownLocks()
    assert services.first_delivery(deps, "courtesy", required=False)
    with pytest.raises(ServiceUnavailable):
        services.first_delivery(deps, "start")


def test_a_start_the_adapter_could_not_deliver_gives_the_quota_back() -> None:
    deps = make_deps()
    started = start(deps)
    assert services.quota_status(deps, user=ALICE.user_ref).used == 1
    services.cancel_start(deps, session_id=started.session.id, actor=ALICE.user_ref)
    assert services.quota_status(deps, user=ALICE.user_ref).used == 0
    assert services.find_session(deps, conversation=ALICE) is None
    services.cancel_start(deps, session_id=started.session.id, actor=ALICE.user_ref)  # again
    assert services.quota_status(deps, user=ALICE.user_ref).used == 0  # refunded once only


def test_a_double_submitted_start_in_one_thread_is_one_session() -> None:
    deps = make_deps()
    first = start(deps)
    again = start(deps)
    assert again.duplicate and again.session.id == first.session.id
    assert services.quota_status(deps, user=ALICE.user_ref).used == 1


def test_maintenance_retries_failed_evaluations_within_its_time() -> None:
    deps = make_deps()
    start(deps)
    deps.evaluator.fail_with = LlmUnavailable("busy", kind="server")
    answer(deps)
    deps.evaluator.fail_with = None
    deps.clock.advance(minutes=11)  # past the first back-off
    assert services.retry_failed_evaluations(deps, seconds_left=lambda: 10.0) == {
        "evaluated": 0,
        "failed": 0,
        "busy": 0,
        "deferred": 1,
    }
    assert services.retry_failed_evaluations(deps, seconds_left=lambda: 900.0)["evaluated"] == 1


def test_linking_or_relinking_never_hands_out_a_fresh_quota() -> None:
    deps = make_deps()
    for n in range(3):
        start(deps, conversation=ConversationRef("slack", "T1", "C1", "U-alice", thread=f"t{n}"))
    for account in ("acct-1", "acct-2"):  # link, then unlink and link to another account
        code = services.issue_link_code(deps, user=ALICE.user_ref).code
        services.redeem_link_code(deps, code=code, web_user_id=account)
        with pytest.raises(QuotaExceeded):
            start(deps, conversation=ConversationRef("slack", "T1", "C1", "U-alice", thread="x"))
    # One person, one limit: the account's own browser practice counts the linked Slack
    # identity's three sessions too (before the rule was per counter, and this got a fourth).
    web = ConversationRef("web", "web", "practice", "acct-2", thread="w1")
    with pytest.raises(QuotaExceeded):
        start(deps, conversation=web)
    assert services.quota_status(deps, user=web.user_ref).used == 3
    # Unlinked, the Slack identity counts on its own again; the account no longer counts it.
    slack_id = services.linked_identities(deps, web_user_id="acct-2")[0].id
    assert services.unlink_identity(deps, web_user_id="acct-2", identity_id=slack_id)
    assert services.quota_status(deps, user=ALICE.user_ref).used == 3
    assert start(deps, conversation=web).quota.used == 1  # type: ignore[union-attr]


def test_maintenance_backs_off_caps_retries_and_skips_hopeless_failures() -> None:
    deps = make_deps(quota_per_day=10)
    hopeless = ConversationRef("slack", "T1", "C1", "U-alice", thread="hopeless")
    start(deps, conversation=hopeless)
    deps.evaluator.fail_with = LlmUnavailable("blocked", kind="blocked", retryable=False)
    answer(deps, who=hopeless, delivery="h1")
    busy = start(deps)
    deps.evaluator.fail_with = LlmUnavailable("busy", kind="server")
    answer(deps)
    calls = deps.evaluator.calls
    assert services.retry_failed_evaluations(deps)["failed"] == 0  # backing off: not due yet
    for _ in range(6):  # each run waits out the growing back-off; the LLM is still down
        deps.clock.advance(hours=3)
        services.retry_failed_evaluations(deps)
    # Four automatic retries (five failures in all), never one for the blocked answer.
    assert deps.evaluator.calls - calls == 4
    deps.evaluator.fail_with = None
    retried = services.retry_evaluation(
        deps, session_id=busy.session.id, position=1, actor=ALICE.user_ref
    )
    assert retried.status is AnswerStatus.EVALUATED  # a person's Retry still works
