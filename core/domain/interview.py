"""The Interview aggregate: one session with its questions and answers, and every rule about them.

Services load an Interview, ask it what may happen and what the next step is, and save what it
decides; surfaces render what it says. No other module decides whether a question has a next
one, how many follow-ups are left, what step a question is at or how a question is labelled
(tests/unit/test_architecture.py checks that).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from statistics import fmean

from core.domain.errors import (
    AlreadyMovedOn,
    FollowUpLimitReached,
    NoMoreHints,
    NotAnsweredYet,
    NotCurrentQuestion,
    QuestionAlreadyAnswered,
    QuestionNotInInterview,
    SessionFinished,
)
from core.domain.learning import difficulty_step
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    ItemKey,
    PlannedQuestion,
    Question,
    QuestionKind,
    Session,
)
from core.domain.roles import Difficulty
from core.domain.tags import TAXONOMY

__all__ = ["Interview", "Step", "question_label"]

STRONG_SCORE = 7.0  # a topic answered at least this well on average counts among the strongest
ADVANCE_SCORE = 8.0  # an interview averaging this much is ready for the next level


class Step(StrEnum):
    """Where one question of an interview stands: what the candidate can do next."""

    ANSWER = "answer"  # waiting for an answer (hint, skip or end also possible)
    EVALUATING = "evaluating"  # the answer is saved and being evaluated
    EVALUATED = "evaluated"  # scored: next question, go deeper, or end
    FAILED = "failed"  # the evaluation failed; the answer is saved: retry
    SKIPPED = "skipped"
    FINISHED = "finished"  # the interview is over

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]


_STEP_LABELS = {
    Step.ANSWER: "Waiting for your answer",
    Step.EVALUATING: "Evaluating…",
    Step.EVALUATED: "Evaluated",
    Step.FAILED: "Evaluation failed — retry",
    Step.SKIPPED: "Skipped",
    Step.FINISHED: "Finished",
}
_STEP_OF_STATUS = {
    AttemptStatus.PENDING: Step.EVALUATING,
    AttemptStatus.EVALUATED: Step.EVALUATED,
    AttemptStatus.FAILED: Step.FAILED,
    AttemptStatus.SKIPPED: Step.SKIPPED,
}


def question_label(asked: AskedQuestion, question_count: int) -> str:
    """ "Question 2 of 5" or "Follow-up on question 2 of 5"."""
    n = asked.main_index
    if asked.kind is QuestionKind.FOLLOW_UP:
        return f"Follow-up on question {n} of {question_count}"
    return f"Question {n} of {question_count}"


@dataclass(frozen=True, slots=True)
class Interview:
    """A session, its asked questions (by position) and its answers (by position)."""

    session: Session
    questions: tuple[AskedQuestion, ...]
    attempts: Mapping[int, Attempt] = field(default_factory=dict)
    max_follow_ups: int = 1

    # ------------------------------------------------------------ reading one question

    @property
    def current(self) -> AskedQuestion:
        """The latest question asked (the one an answer in the thread goes to)."""
        return self.questions[-1]

    def question_at(self, position: int) -> AskedQuestion:
        for asked in self.questions:
            if asked.position == position:
                return asked
        raise QuestionNotInInterview()

    def attempt_at(self, position: int) -> Attempt | None:
        return self.attempts.get(position)

    def step_at(self, position: int) -> Step:
        attempt = self.attempts.get(position)
        if attempt is not None:
            return _STEP_OF_STATUS[attempt.status]
        return Step.ANSWER if self.session.is_active else Step.FINISHED

    @property
    def step(self) -> Step:
        """The step of the current question (FINISHED once the session is over and unanswered)."""
        return self.step_at(self.current.position)

    def label(self, position: int) -> str:
        return question_label(self.question_at(position), self.session.question_count)

    def has_next(self, position: int) -> bool:
        """Another main question follows the one at `position` (else Next finishes)."""
        return self.question_at(position).main_index < self.session.question_count

    def moved_on(self, position: int) -> bool:
        return any(q.position > position for q in self.questions)

    def follow_ups_used(self, main_index: int) -> int:
        return sum(
            q.kind is QuestionKind.FOLLOW_UP and q.main_index == main_index for q in self.questions
        )

    def follow_ups_left(self, position: int) -> int:
        used = self.follow_ups_used(self.question_at(position).main_index)
        return max(0, self.max_follow_ups - used)

    def can_go_deeper(self, position: int) -> bool:
        """A follow-up may be asked on the answer at `position` right now."""
        return (
            self.session.is_active
            and self.step_at(position) is Step.EVALUATED
            and not self.moved_on(position)
            and self.follow_ups_left(position) > 0
        )

    def hints_available(self, position: int) -> int:
        """The written hint, then one key point per hint, never more than half of them."""
        question = self.question_at(position).question
        return (1 if question.hint else 0) + len(question.key_points) // 2

    def hints_left(self, position: int) -> int:
        return max(0, self.hints_available(position) - self.question_at(position).hints_used)

    def hint_text(self, position: int, number: int) -> str:
        """The text of hint `number` (1-based) for the question at `position`."""
        question = self.question_at(position).question
        if question.hint and number == 1:
            return question.hint
        point = question.key_points[number - (2 if question.hint else 1)]
        return f"A strong answer mentions this: {point}"

    # ------------------------------------------------------------ what may happen next

    def answerable(self, position: int | None = None) -> AskedQuestion:
        """The question an answer (for `position`, or the current one) goes to now."""
        self.require_active()
        current = self.current
        if position is not None and position != current.position:
            self.question_at(position)
            raise NotCurrentQuestion()
        return current

    def check_hint(self, position: int) -> None:
        self.require_active()
        self.question_at(position)
        if position in self.attempts:
            raise QuestionAlreadyAnswered()
        if self.hints_left(position) == 0:
            raise NoMoreHints()

    def check_skip(self, position: int) -> None:
        self.require_active()
        self.question_at(position)

    def check_deeper(self, position: int) -> None:
        """Raise why no follow-up may be asked on the answer at `position` (if so)."""
        self.require_active()
        self.question_at(position)
        if self.step_at(position) is not Step.EVALUATED:
            raise NotAnsweredYet("going deeper")
        if self.moved_on(position):
            raise AlreadyMovedOn()
        if self.follow_ups_left(position) == 0:
            raise FollowUpLimitReached(self.max_follow_ups)

    def finishes_after(self, position: int) -> bool:
        """Moving on from `position` ends the interview (it was the last main question).

        Raises when moving on is not allowed yet: the question has no answer or skip."""
        self.require_active()
        self.question_at(position)
        if position not in self.attempts:
            raise NotAnsweredYet("moving on")
        return not self.has_next(position)

    def next_main(self, question: Question, *, after_position: int, at: datetime) -> AskedQuestion:
        """The next main question, asked at the position after `after_position`."""
        following = self.question_at(after_position).main_index + 1
        return AskedQuestion(
            self.session.id, after_position + 1, QuestionKind.MAIN, following, question, at
        )

    def follow_up(self, question: Question, *, position: int, at: datetime) -> AskedQuestion:
        """A follow-up on the answer at `position`, asked right after it."""
        asked = self.question_at(position)
        return AskedQuestion(
            self.session.id,
            position + 1,
            QuestionKind.FOLLOW_UP,
            asked.main_index,
            question,
            at,
            follow_up_of=position,
        )

    def main_of(self, position: int) -> AskedQuestion:
        """The main question the question at `position` belongs to (itself, or a follow-up's)."""
        main_index = self.question_at(position).main_index
        return next(
            q for q in self.questions if q.kind is QuestionKind.MAIN and q.main_index == main_index
        )

    def next_planned(self, after_position: int) -> PlannedQuestion | None:
        """A review session's next main question, chosen when it started (None otherwise)."""
        following = self.question_at(after_position).main_index + 1
        plan = self.session.plan
        return plan[following - 1] if 0 < following <= len(plan) else None

    def next_difficulty(self, after_position: int) -> Difficulty:
        """The level of the next main question: an adaptive interview moves up a level after a
        strong answer and down after a weak one or a skip (within easy…hard); otherwise the
        level stays."""
        main = self.main_of(after_position)
        level = main.question.difficulty
        if not self.session.adaptive:
            return level
        attempt = self.attempts.get(main.position)
        if attempt is None or attempt.status not in (
            AttemptStatus.EVALUATED,
            AttemptStatus.SKIPPED,
        ):
            return level  # not scored (a failed evaluation moved on from): no evidence either way
        score = attempt.evaluation.score if attempt.evaluation else None
        return level.shifted(difficulty_step(score))

    def difficulty_path(self) -> tuple[Difficulty, ...]:
        """The level of each main question in order (easy → medium → hard)."""
        mains = sorted(
            (q for q in self.questions if q.kind is QuestionKind.MAIN), key=lambda q: q.position
        )
        return tuple(q.question.difficulty for q in mains)

    def stands_in_for(self, position: int) -> tuple[ItemKey, ...]:
        """The due review items the main question at `position` was planned for (besides itself)."""
        asked = self.question_at(position)
        plan = self.session.plan
        if asked.kind is not QuestionKind.MAIN or not 0 < asked.main_index <= len(plan):
            return ()
        return plan[asked.main_index - 1].reviews

    def bank_ids(self) -> set[str]:
        """The bank questions already asked in this interview (never asked twice in one)."""
        return {q.question.bank_id for q in self.questions if q.question.bank_id}

    def require_active(self) -> None:
        """Raise SessionFinished once the interview is over."""
        if not self.session.is_active:
            raise SessionFinished()

    # ------------------------------------------------------------ changes, as new snapshots

    def with_attempt(self, attempt: Attempt) -> Interview:
        return replace(self, attempts={**self.attempts, attempt.position: attempt})

    def with_question(self, asked: AskedQuestion) -> Interview:
        kept = tuple(q for q in self.questions if q.position != asked.position)
        return replace(self, questions=(*kept, asked))

    def with_session(self, session: Session) -> Interview:
        return replace(self, session=session)

    # ------------------------------------------------------------ the summary's numbers

    def _main_positions(self) -> set[int]:
        return {q.position for q in self.questions if q.kind is QuestionKind.MAIN}

    def _evaluated(self) -> list[Attempt]:
        return [a for a in self.attempts.values() if a.evaluation is not None]

    @property
    def answered(self) -> int:
        """Main questions with a scored answer (follow-ups are counted apart)."""
        main = self._main_positions()
        return sum(a.position in main for a in self._evaluated())

    @property
    def skipped(self) -> int:
        main = self._main_positions()
        return sum(
            a.status is AttemptStatus.SKIPPED and a.position in main for a in self.attempts.values()
        )

    @property
    def follow_ups_answered(self) -> int:
        main = self._main_positions()
        return sum(a.position not in main for a in self._evaluated())

    @property
    def average_score(self) -> float | None:
        """Over every scored answer, follow-ups included."""
        scores = [a.evaluation.score for a in self._evaluated() if a.evaluation]
        return round(fmean(scores), 1) if scores else None

    def criteria_averages(self) -> dict[str, float]:
        values: dict[str, list[float]] = defaultdict(list)
        for attempt in self._evaluated():
            assert attempt.evaluation is not None
            for name, score in attempt.evaluation.criteria.items():
                values[name].append(score)
        return {name: round(fmean(v), 1) for name, v in values.items()}

    def weakest_tags(self, limit: int = 3) -> tuple[str, ...]:
        """The improvement tags that came back most often."""
        counts: Counter[str] = Counter()
        for attempt in self._evaluated():
            assert attempt.evaluation is not None
            counts.update(attempt.evaluation.tags)
        return tuple(tag for tag, _ in counts.most_common(limit))

    def strongest_topics(self, limit: int = 3) -> tuple[str, ...]:
        by_topic: dict[str, list[float]] = defaultdict(list)
        for asked in self.questions:
            attempt = self.attempts.get(asked.position)
            if attempt is not None and attempt.evaluation is not None:
                for topic in asked.question.topics:
                    by_topic[topic].append(attempt.evaluation.score)
        ranked = sorted(
            ((fmean(s), t) for t, s in by_topic.items() if fmean(s) >= STRONG_SCORE), reverse=True
        )
        return tuple(topic for _, topic in ranked[:limit])

    def practice_next(self) -> tuple[str, ...]:
        """Concrete advice: what to practise, from the weakest tags, or what to try next."""
        advice = tuple(TAXONOMY[t].practice for t in self.weakest_tags() if t in TAXONOMY)
        if advice:
            return advice
        if self.answered == 0:
            return ("Answer at least one question next time to get feedback on it.",)
        average = self.average_score
        if average is not None and average >= ADVANCE_SCORE:
            return ("Nothing stood out: try the next difficulty level.",)
        return ("Keep practising at this level: aim to cover every key point.",)
