"""The end-of-session summary: the Interview aggregate's numbers, as one plain result."""

from __future__ import annotations

from core.domain.interview import Interview
from core.domain.results import SessionSummary, TranscriptEntry
from core.services.common import load_interview
from core.services.deps import Deps


def summarize(deps: Deps, *, session_id: int, already_finished: bool = False) -> SessionSummary:
    """The summary of a session as it stands (finished or not)."""
    with deps.uow(read_only=True) as uow:
        interview = load_interview(uow, session_id, deps.rules)
    return summary_of(interview, already_finished=already_finished)


def summary_of(interview: Interview, *, already_finished: bool = False) -> SessionSummary:
    """Average score, strongest topics, weakest tags, what to practise, and the transcript."""
    return SessionSummary(
        session=interview.session,
        average_score=interview.average_score,
        answered=interview.answered,
        skipped=interview.skipped,
        follow_ups=interview.follow_ups_answered,
        strongest=interview.strongest_topics(),
        weakest=interview.weakest_tags(),
        practice_next=interview.practice_next(),
        criteria=interview.criteria_averages(),
        transcript=tuple(
            TranscriptEntry(q, interview.attempt_at(q.position)) for q in interview.questions
        ),
        already_finished=already_finished,
        difficulty_path=interview.difficulty_path(),
    )
