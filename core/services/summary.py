"""The end-of-session summary: average score, strongest topics, weakest tags, what to practise."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import fmean

from core.domain.errors import NoActiveSession
from core.domain.model import Attempt, AttemptStatus, QuestionKind
from core.domain.results import SessionSummary, TranscriptEntry
from core.domain.tags import TAXONOMY
from core.services.deps import Deps

STRONG_SCORE = 7.0


def summarize(deps: Deps, *, session_id: int, already_finished: bool = False) -> SessionSummary:
    with deps.uow() as uow:
        session = uow.sessions.get(session_id)
        if session is None:
            raise NoActiveSession()
        questions = uow.questions.in_session(session_id)
        attempts = {a.position: a for a in uow.attempts.in_session(session_id)}
    transcript = tuple(TranscriptEntry(q, attempts.get(q.position)) for q in questions)
    evaluated = [a for a in attempts.values() if a.evaluation is not None]
    scores = [a.evaluation.score for a in evaluated if a.evaluation]
    main = {q.position for q in questions if q.kind is QuestionKind.MAIN}
    weakest = _most_common_tags(evaluated)
    return SessionSummary(
        session=session,
        average_score=round(fmean(scores), 1) if scores else None,
        answered=sum(a.position in main for a in evaluated),
        skipped=sum(
            a.status is AttemptStatus.SKIPPED and a.position in main for a in attempts.values()
        ),
        follow_ups=sum(a.position not in main for a in evaluated),
        strongest=_strongest_topics(transcript),
        weakest=weakest,
        practice_next=tuple(TAXONOMY[t].practice for t in weakest if t in TAXONOMY),
        criteria=_criteria_averages(evaluated),
        transcript=transcript,
        already_finished=already_finished,
    )


def _most_common_tags(evaluated: list[Attempt], limit: int = 3) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for attempt in evaluated:
        if attempt.evaluation:
            counts.update(attempt.evaluation.tags)
    return tuple(tag for tag, _ in counts.most_common(limit))


def _strongest_topics(transcript: tuple[TranscriptEntry, ...], limit: int = 3) -> tuple[str, ...]:
    by_topic: dict[str, list[float]] = defaultdict(list)
    for entry in transcript:
        if entry.attempt and entry.attempt.evaluation:
            for topic in entry.question.question.topics:
                by_topic[topic].append(entry.attempt.evaluation.score)
    ranked = sorted(
        ((fmean(s), topic) for topic, s in by_topic.items() if fmean(s) >= STRONG_SCORE),
        reverse=True,
    )
    return tuple(topic for _, topic in ranked[:limit])


def _criteria_averages(evaluated: list[Attempt]) -> dict[str, float]:
    values: dict[str, list[float]] = defaultdict(list)
    for attempt in evaluated:
        if attempt.evaluation:
            for name, score in attempt.evaluation.criteria.items():
                values[name].append(score)
    return {name: round(fmean(v), 1) for name, v in values.items()}
