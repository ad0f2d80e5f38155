"""The personal learning loop on both backends: weak answers come back due and strong ones do
not, review sessions from due items across linked identities, adaptive levels, no repeated
question until a pool is exhausted (across surfaces and linked identities), and reminders sent
exactly once per person and day under a duplicated schedule."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core import services
from core.adapters.sql.models import WebUser
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain.errors import NothingToReview
from core.domain.model import ConversationRef, ItemKind, SessionKind, UserRef
from core.domain.notices import DeliveryFailed, Notice
from core.domain.reminders import ReviewReminder
from core.domain.results import QuestionAsked, SessionSummary
from core.domain.roles import Difficulty, Role
from core.ports import EvaluatorReply
from core.services.schedule import run_due
from tests.fakes import FakeClock, ScriptedEvaluator, ScriptedWriter, make_bank

WEAK = "no idea"  # scores 0: forgotten
STRONG = "a cache keeps hot rows in memory so reads are fast and cheap too"  # scores 10
START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


class CorrectnessEvaluator(ScriptedEvaluator):
    """The scripted grader, with depth and clarity following correctness: a long answer that
    makes every key point is strong, "no idea" is weak."""

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        reply = super().evaluate(question, answer)
        judged = replace(reply.assessment, depth=None, communication=None)
        return EvaluatorReply(judged, reply.usage)


@pytest.fixture
def core(backend) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        quota_per_day=50,
        _env_file=None,  # type: ignore[call-arg]
    )
    wired = build_core(settings, auto_migrate=True, llm=(CorrectnessEvaluator(), ScriptedWriter()))
    wired.deps.bank = make_bank()  # plain key points: the scripted grade is exactly as intended
    yield wired
    wired.close()


@pytest.fixture
def clock(core: Core) -> FakeClock:
    fake = FakeClock(START)
    core.deps.clock = fake
    return fake


def where(platform: str, user: str, thread: str) -> ConversationRef:
    tenant = {"slack": "T1", "discord": "G1"}.get(platform, "local")
    return ConversationRef(platform, tenant, "C1", user, thread=thread)


def answer_all(core: Core, conversation: ConversationRef, texts: list[str], **start) -> int:  # type: ignore[no-untyped-def]
    """Start (or review), answer each main question with the next text, return the session id."""
    begin = services.start_review if start.pop("review", False) else services.start_session
    defaults = {} if begin is services.start_review else {"role": "backend", "difficulty": "easy"}
    started = begin(core.deps, conversation=conversation, **(defaults | start))
    current: QuestionAsked | SessionSummary = started
    for text in texts:
        assert isinstance(current, QuestionAsked)
        position = current.question.position
        services.submit_answer(
            core.deps,
            session_id=started.session.id,
            actor=conversation.user_ref,
            text=text,
            delivery_id=f"{conversation.thread}-{position}",
        )
        current = services.next_question(
            core.deps,
            session_id=started.session.id,
            after_position=position,
            actor=conversation.user_ref,
        )
    return started.session.id


def link(core: Core, *users: UserRef) -> str:
    account = uuid.uuid4()
    with core.session_factory() as db, db.begin():
        db.add(WebUser(id=account, email=f"{account.hex[:8]}@example.com", hashed_password="x"))
    for user in users:
        code = services.issue_link_code(core.deps, user=user)
        services.redeem_link_code(core.deps, code=code.code, web_user_id=str(account))
    return str(account)


def test_a_weak_answer_comes_back_due_and_a_strong_one_does_not(
    core: Core, clock: FakeClock
) -> None:
    ada = where("slack", "U-ada", "t1")
    session = answer_all(core, ada, [WEAK, STRONG], questions=2)
    asked = services.interview_of(core.deps, session_id=session, actor=ada.user_ref)
    weak_id, strong_id = (q.question.bank_id for q in asked.questions)
    clock.advance(days=1)
    due = {c.key.item for c in services.review_status(core.deps, user=ada.user_ref).due_today}
    assert weak_id in due and strong_id not in due
    queue = services.review_queue(core.deps, user=ada.user_ref)
    strong = next(c for c in queue.cards if c.key.item == strong_id)
    assert strong.due_at - START >= timedelta(days=7)


def test_a_skip_counts_as_forgotten(core: Core, clock: FakeClock) -> None:
    bo = where("discord", "D-bo", "t2")
    started = services.start_session(
        core.deps, conversation=bo, role="backend", difficulty="easy", questions=1
    )
    services.skip_question(
        core.deps, session_id=started.session.id, position=1, actor=bo.user_ref, delivery_id="s1"
    )
    clock.advance(days=1)
    due = services.review_status(core.deps, user=bo.user_ref).due_today
    assert [c.key.item for c in due] == [started.question.question.bank_id]


def test_a_review_session_is_built_from_due_items_across_linked_identities(
    core: Core, clock: FakeClock
) -> None:
    on_slack, on_discord = where("slack", "U-cy", "t3"), where("discord", "D-cy", "t4")
    link(core, on_slack.user_ref, on_discord.user_ref)
    with pytest.raises(NothingToReview) as nothing:
        services.start_review(core.deps, conversation=where("discord", "D-cy", "r0"))
    assert nothing.value.next_due is None
    session = answer_all(core, on_slack, [WEAK], questions=1)
    weak_id = (
        services.interview_of(core.deps, session_id=session, actor=on_slack.user_ref)
        .questions[0]
        .question.bank_id
    )

    with pytest.raises(NothingToReview) as later:  # due tomorrow, not yet: said when
        services.start_review(core.deps, conversation=where("discord", "D-cy", "r1"))
    assert later.value.next_due is not None and "Nothing is due" in later.value.message

    clock.advance(days=4)  # seen long enough ago: the question itself is asked again
    used = services.quota_status(core.deps, user=on_discord.user_ref).used  # that day's count
    started = services.start_review(core.deps, conversation=where("discord", "D-cy", "r2"))
    assert started.session.kind is SessionKind.REVIEW
    assert started.question.question.bank_id == weak_id  # Slack's weak answer, due on Discord
    assert started.quota is not None and started.quota.used == used + 1  # the normal quota
    items = {p.reviews or (p.bank_id,) for p in started.session.plan}
    assert len(items) == len(started.session.plan) >= 2  # the question and its weak tags


def test_a_recently_seen_due_question_is_replaced_by_a_fresh_one_that_reviews_it(
    core: Core, clock: FakeClock
) -> None:
    dee = where("terminal", "dee", "t5")
    session = answer_all(core, dee, [WEAK], questions=1)
    weak_id = (
        services.interview_of(core.deps, session_id=session, actor=dee.user_ref)
        .questions[0]
        .question.bank_id
    )
    clock.advance(days=1)
    review = services.start_review(core.deps, conversation=where("terminal", "dee", "r5"))
    first = review.session.plan[0]
    assert first.bank_id != weak_id and [k.item for k in first.reviews] == [weak_id]
    services.submit_answer(
        core.deps, session_id=review.session.id, actor=dee.user_ref, text=STRONG, delivery_id="r5"
    )
    due = {c.key.item for c in services.review_status(core.deps, user=dee.user_ref).due_today}
    assert weak_id not in due  # the stand-in's strong answer reviewed it


def test_adaptive_interviews_move_up_and_down(core: Core, clock: FakeClock) -> None:
    eve = where("slack", "U-eve", "t6")
    session = answer_all(core, eve, [STRONG, STRONG, WEAK, WEAK], questions=5, adaptive=True,
                         difficulty="easy")  # fmt: skip
    summary = services.end_session(core.deps, session_id=session, actor=eve.user_ref)
    path = [d.value for d in summary.adaptive_path]
    assert path == ["easy", "medium", "hard", "medium", "easy"]
    levels = [q.question.question.difficulty.value for q in summary.transcript]
    assert levels == path  # each question carries its own level, stored and read back


def test_no_question_repeats_across_surfaces_and_linked_identities_until_the_pool_is_used_up(
    core: Core, clock: FakeClock
) -> None:
    people = [where("slack", "U-fay", "f"), where("discord", "D-fay", "f"), where("web", "W", "f")]
    link(core, *(p.user_ref for p in people))
    pool = {q.bank_id for q in core.deps.bank.pool(Role.BACKEND, Difficulty.HARD)}
    asked: list[str] = []
    for n in range(len(pool)):
        clock.advance(minutes=5)
        conversation = people[n % 3]
        started = services.start_session(
            core.deps,
            conversation=where(conversation.platform, conversation.user, f"f{n}"),
            role="backend",
            difficulty="hard",
            questions=1,
        )
        asked.append(started.question.question.bank_id or "")
        services.end_session(core.deps, session_id=started.session.id, actor=conversation.user_ref)
    assert sorted(asked) == sorted(pool)  # every question once before any comes back
    clock.advance(minutes=5)
    again = services.start_session(
        core.deps, conversation=where("slack", "U-fay", "again"), role="backend",
        difficulty="hard", questions=1,
    )  # fmt: skip
    assert again.question.question.bank_id == asked[0]  # then the least recently seen


class RecordingNotifier:
    """Takes its time, so two overlapping runners meet while one is sending."""

    def __init__(self, platform: str, *, refuse: int = 0) -> None:
        self.platform, self.sent, self.refuse = platform, [], refuse
        self.lock = threading.Lock()

    def send(self, notice: Notice) -> str:
        threading.Event().wait(0.05)
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                raise DeliveryFailed("refused")
            self.sent.append(notice)
        return f"m{len(self.sent)}"


def test_reminders_go_out_once_per_person_and_day_under_a_duplicated_schedule(
    core: Core, clock: FakeClock
) -> None:
    gus, gus_discord = where("slack", "U-gus", "g1"), where("discord", "D-gus", "g2")
    link(core, gus.user_ref, gus_discord.user_ref)
    answer_all(core, gus, [WEAK, WEAK], questions=2)
    # 08:00 UTC = 09:00 in Paris; both identities ask, and still only one DM a day.
    services.set_reminder(core.deps, user=gus.user_ref, text="daily 09:00 Europe/Paris")
    services.set_reminder(core.deps, user=gus_discord.user_ref, text="daily 09:00 Europe/Paris")
    slack, discord = RecordingNotifier("slack"), RecordingNotifier("discord")
    notifiers = {"slack": slack, "discord": discord}

    clock.current = datetime(2026, 12, 1, 7, 59, tzinfo=UTC)  # nothing due yet today, not 9
    assert run_due(core.deps, notifiers)["review_reminders"] == {}
    clock.current = datetime(2026, 12, 2, 8, 1, tzinfo=UTC)  # the next day, 09:01 in Paris
    runners = [threading.Thread(target=run_due, args=(core.deps, notifiers)) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    run_due(core.deps, notifiers)  # the same run again
    sent = slack.sent + discord.sent
    assert len(sent) == 1
    reminder = sent[0]
    assert isinstance(reminder, ReviewReminder) and reminder.user in ("U-gus", "D-gus")
    assert reminder.text.startswith(f"{reminder.due} due: ") and reminder.due >= 2
    assert reminder.text.endswith("— start review")

    clock.advance(days=1)  # the next day: once more
    run_due(core.deps, notifiers)
    run_due(core.deps, notifiers)
    assert len(slack.sent + discord.sent) == 2


def test_a_refused_reminder_is_tried_again_and_off_means_off(core: Core, clock: FakeClock) -> None:
    hal = where("slack", "U-hal", "h1")
    answer_all(core, hal, [WEAK], questions=1)
    services.set_reminder(core.deps, user=hal.user_ref, text="08:30 UTC")
    slack = RecordingNotifier("slack", refuse=1)
    clock.current = datetime(2026, 12, 2, 8, 31, tzinfo=UTC)
    assert run_due(core.deps, {"slack": slack})["review_reminders"] == {"failed": 1}
    clock.advance(minutes=5)
    assert run_due(core.deps, {"slack": slack})["review_reminders"] == {"sent": 1}
    services.set_reminder(core.deps, user=hal.user_ref, text="off")
    assert services.reminder_of(core.deps, user=hal.user_ref) is None
    clock.advance(days=1)
    assert run_due(core.deps, {"slack": slack})["review_reminders"] == {}
    assert [n.user for n in slack.sent] == ["U-hal"]
    assert all(
        k.kind in ItemKind
        for k in (c.key for c in services.review_queue(core.deps, user=hal.user_ref).cards)
    )
