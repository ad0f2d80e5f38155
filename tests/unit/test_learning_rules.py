"""The learning loop's rules, pure: grades, FSRS intervals, due items, review plans, question
choice, adaptive levels, reminder wording and times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from core.domain.errors import InvalidReminder
from core.domain.interview import Interview
from core.domain.learning import (
    Grade,
    ReviewCard,
    ReviewQueue,
    answer_grades,
    due_summary,
    grade_for,
    review,
)
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    ConversationRef,
    Evaluation,
    ItemKey,
    ItemKind,
    Question,
    QuestionKind,
    Session,
    SessionStatus,
)
from core.domain.presentation import difficulty_path_text
from core.domain.reminders import next_occurrence, parse_reminder
from core.domain.review_plan import plan_review
from core.domain.roles import Difficulty, Role
from core.domain.selection import choose_question

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
Q = ItemKey(ItemKind.QUESTION, "backend-easy-01")


def question(n: int, topic: str = "caching", level: Difficulty = Difficulty.EASY) -> Question:
    return Question(
        Role.BACKEND, level, f"q{n}?", "ref", ("a", "b"), (topic,), bank_id=f"b-{level}-{n}"
    )


def card(key: ItemKey, *, score: float | None, at: datetime = NOW, topic: str = "caching"):  # type: ignore[no-untyped-def]
    return review(
        None,
        key=key,
        grade=grade_for(score),
        at=at,
        role=Role.BACKEND,
        difficulty=Difficulty.EASY,
        topic=topic,
        score=score,
    )


@pytest.mark.parametrize(
    ("score", "grade"),
    [(9.5, Grade.EASY), (8.0, Grade.EASY), (7.9, Grade.GOOD), (6.0, Grade.GOOD),
     (5.0, Grade.HARD), (4.0, Grade.HARD), (3.9, Grade.AGAIN), (0.0, Grade.AGAIN),
     (None, Grade.AGAIN)],
)  # fmt: skip
def test_the_grade_follows_the_score_band_and_a_skip_is_forgotten(score, grade) -> None:  # type: ignore[no-untyped-def]
    assert grade_for(score) is grade


def test_a_weak_answer_comes_back_tomorrow_and_a_strong_one_goes_far_out() -> None:
    weak, strong = card(Q, score=2.0), card(Q, score=9.0)
    assert weak.due_at - NOW == timedelta(days=1)
    assert strong.due_at - NOW >= timedelta(days=7)
    again = review(
        strong,
        key=Q,
        grade=Grade.EASY,
        at=strong.due_at,
        role=Role.BACKEND,
        difficulty=Difficulty.EASY,
        topic="caching",
        score=9.0,
    )
    assert again.due_at - strong.due_at > timedelta(days=30)  # remembered again: further still
    assert (again.reps, again.lapses, weak.lapses) == (2, 0, 1)


def test_an_answer_grades_its_question_its_flagged_tags_and_what_it_stands_in_for() -> None:
    stand_in = (ItemKey(ItemKind.TAG, "trade-offs"), ItemKey(ItemKind.QUESTION, "other"))
    grades = answer_grades(question(1), score=9.0, tags=("depth",), stands_in_for=stand_in)
    assert grades == {
        ItemKey(ItemKind.QUESTION, "b-easy-1"): Grade.EASY,
        ItemKey(ItemKind.TAG, "depth"): Grade.HARD,  # named as a weakness: never better
        ItemKey(ItemKind.TAG, "trade-offs"): Grade.EASY,  # asked for it, no longer flagged
        ItemKey(ItemKind.QUESTION, "other"): Grade.EASY,
    }
    skipped = answer_grades(question(1), score=None, stands_in_for=stand_in[:1])
    assert set(skipped.values()) == {Grade.AGAIN}


def test_due_items_today_and_their_summary() -> None:
    cards = (
        card(ItemKey(ItemKind.QUESTION, "a"), score=2.0, at=NOW - timedelta(days=1)),
        card(ItemKey(ItemKind.QUESTION, "b"), score=3.0, at=NOW - timedelta(days=2)),
        card(ItemKey(ItemKind.QUESTION, "c"), score=1.0, topic="sql-joins", at=NOW),
        card(ItemKey(ItemKind.QUESTION, "d"), score=9.5, at=NOW - timedelta(days=1)),
    )
    queue = ReviewQueue(cards)
    due = queue.due_by(NOW)
    assert [c.key.item for c in due] == ["b", "a"]  # most overdue first
    assert due_summary(queue.due_by(NOW + timedelta(days=1))) == "3 due: caching ×2, sql joins"
    assert queue.next_due_after(NOW) == NOW + timedelta(days=1)


def test_a_review_plan_asks_old_due_questions_and_fresh_ones_for_recent_questions_and_tags() -> (
    None
):
    pool = [question(n, topic="caching" if n % 2 else "sql") for n in range(1, 9)]
    seen = {q.bank_id or "": NOW - timedelta(days=n) for n, q in enumerate(pool[:4])}
    old = card(ItemKey(ItemKind.QUESTION, "b-easy-1"), score=2.0, at=NOW - timedelta(days=5))
    recent = card(
        ItemKey(ItemKind.QUESTION, "b-easy-2"), score=2.0, topic="sql", at=NOW - timedelta(days=1)
    )
    tag = card(ItemKey(ItemKind.TAG, "trade-offs"), score=3.0, at=NOW - timedelta(days=1))
    plan = plan_review(
        [old, recent, tag],
        pool=lambda role, level: pool,
        last_seen=lambda role, level: seen,
        now=NOW,
        limit=5,
        rng=random.Random(3),
    )
    assert plan[0].bank_id == "b-easy-1" and plan[0].reviews == ()  # asked again as itself
    assert plan[1].reviews == (recent.key,) and plan[1].bank_id not in seen  # a fresh stand-in
    assert "sql" in next(q for q in pool if q.bank_id == plan[1].bank_id).topics
    assert plan[2].reviews == (tag.key,) and plan[2].bank_id not in seen
    assert len({p.bank_id for p in plan}) == 3
    short = plan_review(
        [old, recent, tag],
        pool=lambda role, level: pool,
        last_seen=lambda role, level: seen,
        now=NOW,
        limit=1,
        rng=random.Random(3),
    )
    assert len(short) == 1


def test_unseen_questions_first_then_the_least_recently_seen() -> None:
    pool = [question(n) for n in range(1, 4)]
    rng = random.Random(1)
    seen = {"b-easy-1": NOW, "b-easy-2": NOW - timedelta(days=3)}
    assert choose_question(pool, last_seen=seen, in_this_session=(), rng=rng).bank_id == "b-easy-3"
    seen["b-easy-3"] = NOW - timedelta(days=1)
    assert choose_question(pool, last_seen=seen, in_this_session=(), rng=rng).bank_id == "b-easy-2"
    in_session = {"b-easy-2"}
    picked = choose_question(pool, last_seen=seen, in_this_session=in_session, rng=rng)
    assert picked.bank_id == "b-easy-3"


def interview_with(scores: list[float | None], *, adaptive: bool = True) -> Interview:
    conversation = ConversationRef("slack", "T", "C", "U", "t")
    session = Session(1, 1, conversation, Role.BACKEND, Difficulty.MEDIUM, 5,
                      SessionStatus.ACTIVE, NOW, adaptive=adaptive)  # fmt: skip
    level = Difficulty.MEDIUM
    questions, attempts = [], {}
    for n, score in enumerate(scores, start=1):
        questions.append(AskedQuestion(1, n, QuestionKind.MAIN, n, question(n, level=level), NOW))
        status = AttemptStatus.SKIPPED if score is None else AttemptStatus.EVALUATED
        evaluation = None if score is None else Evaluation(score, "f", "i", (), {})
        attempts[n] = Attempt(n, 1, n, f"d{n}", "a", status, NOW, evaluation)
        interview = Interview(session, tuple(questions), attempts)
        level = interview.next_difficulty(n)
    return Interview(session, tuple(questions), attempts)


def test_adaptive_levels_move_up_after_strong_and_down_after_weak_or_skipped_answers() -> None:
    up = interview_with([9.0, 9.0])
    assert up.difficulty_path() == (Difficulty.MEDIUM, Difficulty.HARD)
    assert up.next_difficulty(2) is Difficulty.HARD  # never past hard
    down = interview_with([2.0, 7.0, None])
    assert down.difficulty_path() == (Difficulty.MEDIUM, Difficulty.EASY, Difficulty.EASY)
    assert down.next_difficulty(3) is Difficulty.EASY  # never below easy
    mixed = interview_with([2.0, 9.0, 9.0])
    assert difficulty_path_text(mixed.difficulty_path()) == "Medium → Easy → Medium"
    assert mixed.next_difficulty(3) is Difficulty.HARD
    fixed = interview_with([9.0], adaptive=False)
    assert fixed.next_difficulty(1) is Difficulty.MEDIUM


def test_reminder_settings_are_read_and_refused_clearly() -> None:
    choice = parse_reminder("daily 09:00 Europe/Paris")
    assert (choice.at, choice.zone) == (time(9, 0), "Europe/Paris")
    assert parse_reminder("7:30", default_zone="UTC").zone == "UTC"
    assert parse_reminder("off").is_off
    for bad in ("", "daily", "25:00", "09:00 Mars/Olympus", "9am", "daily 9:00 UTC extra"):
        with pytest.raises(InvalidReminder):
            parse_reminder(bad)


def test_the_next_reminder_is_the_next_local_time() -> None:
    paris_morning = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # 08:30 in Paris
    assert next_occurrence(time(9), "Europe/Paris", paris_morning) == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC
    )
    later = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # exactly 09:00 in Paris: the next day
    assert next_occurrence(time(9), "Europe/Paris", later) == datetime(
        2026, 12, 2, 8, 0, tzinfo=UTC
    )


def test_a_review_card_reads_as_its_topic_or_its_tag() -> None:
    assert card(Q, score=1.0, topic="sql-joins").label == "sql joins"
    tag: ReviewCard = card(ItemKey(ItemKind.TAG, "trade-offs"), score=1.0)
    assert tag.label == "Trade-offs"
