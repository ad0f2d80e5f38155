"""Turning the scorer's verdicts into words: feedback with the evidence, strengths, tags.

Feedback shows what the answer said for each point it made ("You said: …"), what it said
against a point, and what it left out. It praises only what has a quote from the answer: a
point without evidence is never called a strength. Tags come only from the taxonomy in
core.domain.tags and are chosen from what was missing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.adapters.offline.behavioral import CUES, asked_elements, missing_cues
from core.adapters.offline.quotes import shorten
from core.adapters.offline.scorer import PointResult, ScoreBreakdown
from core.domain.answer_signals import GradingFlag
from core.domain.model import Evidence, Question, Verdict
from core.domain.roles import Role
from core.domain.tags import normalise_tags

__all__ = ["choose_tags", "feedback_text", "strengths"]

MAX_TAGS = 3
MAX_QUOTED = 3  # quotes in the feedback: enough to show the evidence, short enough to read
_NO_ATTEMPT = frozenset(
    {
        GradingFlag.EMPTY,
        GradingFlag.NON_ANSWER,
        GradingFlag.OFF_TOPIC,
        GradingFlag.ECHOES_QUESTION,
    }
)

# Tags suggested by the vocabulary of the key points the answer missed.
_TOPIC_TAGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "trade-offs",
        re.compile(
            r"trade-?offs?|alternative|instead|versus|\bvs\b|downside|drawback|\bcost|overhead|"
            r"when to use|prefer|at the expense",
            re.I,
        ),
    ),
    ("examples", re.compile(r"for example|e\.g\.|such as|for instance|example", re.I)),
    (
        "complexity",
        re.compile(
            r"\bO\(|complexity|log ?n|logarithmic|linear time|constant time|quadratic", re.I
        ),
    ),
    (
        "security",
        re.compile(
            r"secur|auth|encrypt|inject|xss|csrf|secret|token|permission|privilege|attack|vulnerab",
            re.I,
        ),
    ),
    ("concurrency", re.compile(r"thread|lock|race|concurren|mutex|atomic|deadlock|parallel", re.I)),
    (
        "reliability",
        re.compile(
            r"retr(y|ies)|timeout|failover|idempoten|replica|backup|durab|crash|recover", re.I
        ),
    ),
    ("scalability", re.compile(r"scal|shard|partition|load balanc|horizontal|vertical", re.I)),
    (
        "performance",
        re.compile(r"latency|throughput|cach|faster|slower|performance|bottleneck", re.I),
    ),
    (
        "observability",
        re.compile(r"\blog(s|ging)?\b|metric|trac(e|ing)|alert|monitor|dashboard", re.I),
    ),
    (
        "data-modeling",
        re.compile(r"schema|index|primary key|foreign key|normali[sz]|column|table", re.I),
    ),
    ("edge-cases", re.compile(r"edge case|empty|\bnull\b|overflow|boundary|corner case", re.I)),
    ("testing", re.compile(r"\btest", re.I)),
]


def strengths(breakdown: ScoreBreakdown) -> tuple[Evidence, ...]:
    """The key points the answer made, each with the words of the answer that made it."""
    return tuple(
        Evidence(shorten(p.text), p.quote)
        for p in breakdown.with_verdict(Verdict.COVERED)
        if p.quote
    )


def feedback_text(
    breakdown: ScoreBreakdown, question: Question, answer: str, flags: frozenset[str]
) -> str:
    """What the answer said for and against each point, and what it left out."""
    covered = breakdown.with_verdict(Verdict.COVERED)
    partial = breakdown.with_verdict(Verdict.PARTIAL)
    against = breakdown.with_verdict(Verdict.CONTRADICTED)
    missing = breakdown.with_verdict(Verdict.MISSING)
    if flags & _NO_ATTEMPT or not (covered or partial or against):
        first = breakdown.points[0].text if breakdown.points else ""
        lead = "" if flags & _NO_ATTEMPT else "The answer does not make any of the key points yet. "
        return f"{lead}A good answer would start with: {_quoted(first)}." if first else lead.strip()
    parts = [_said(p, "makes the point") for p in covered[:MAX_QUOTED]]
    parts += [
        _said(p, "partly makes the point") for p in partial[: max(1, MAX_QUOTED - len(parts))]
    ]
    parts += [
        f'You said: "{p.quote}", which contradicts the point {_quoted(p.text)}.' for p in against
    ]
    if missing:
        lead = "Missing" if covered or partial else "The answer misses the key points"
        parts.append(f"{lead}: {'; '.join(_quoted(p.text) for p in missing)}.")
    if partial:
        parts.append("Where a point is only partly made, state it fully and precisely.")
    if not missing and not partial and not against:
        parts.append("To go further, discuss trade-offs, failure modes or a concrete example.")
    if question.role is Role.BEHAVIORAL:
        parts.extend(_behavioral_notes(answer, breakdown))
    return " ".join(parts)


def _said(point: PointResult, what: str) -> str:
    return f'You said: "{point.quote}" — that {what} {_quoted(point.text)}.'


def _quoted(text: str) -> str:
    return f'"{shorten(text)}"'


def choose_tags(breakdown: ScoreBreakdown, question: Question, answer: str) -> tuple[str, ...]:
    """Up to three improvement tags from what the answer missed."""
    missing = [p for p in breakdown.points if p.verdict is not Verdict.COVERED]
    made = [p for p in breakdown.points if p.made]
    tags: list[str] = []
    if question.role is Role.BEHAVIORAL:
        tags.extend(_behavioral_tags(answer, breakdown))
    if breakdown.with_verdict(Verdict.CONTRADICTED):
        tags.append("correctness")
    if len(missing) >= max(2, (len(breakdown.points) + 1) // 2) or breakdown.coverage < 0.4:
        tags.append("completeness")
    if made and breakdown.depth < 5:
        tags.append("depth")
    tags.extend(_topic_tags(tuple(p.text for p in missing)))
    if not made:
        tags.append("fundamentals")
    if not tags and not missing:
        tags.append("trade-offs" if question.role is not Role.BEHAVIORAL else "reflection")
    return normalise_tags(tags, limit=MAX_TAGS)


@lru_cache(maxsize=4096)
def _topic_tags(missing: tuple[str, ...]) -> tuple[str, ...]:
    # Key points come from a bank: the same few sets of missing points recur from answer to
    # answer, and a dozen patterns over them cost more than the rest of the feedback.
    text = " ".join(missing)
    return tuple([tag for tag, pattern in _TOPIC_TAGS if pattern.search(text)][:2])


def _behavioral_tags(answer: str, breakdown: ScoreBreakdown) -> list[str]:
    # An element a covered key point already asks for is there, whatever words it used.
    shown = {
        name for p in breakdown.with_verdict(Verdict.COVERED) for name in asked_elements(p.text)
    }
    tags: list[str] = []
    if len(missing_cues(answer)) >= 2:
        tags.append("star-structure")
    for element in ("impact", "reflection", "ownership"):
        if element not in shown and not CUES[element].search(answer):
            tags.append(element)
    return tags


def _behavioral_notes(answer: str, breakdown: ScoreBreakdown) -> list[str]:
    tags = _behavioral_tags(answer, breakdown)
    notes: list[str] = []
    if "star-structure" in tags:
        absent = ", ".join(missing_cues(answer))
        notes.append(f"Tell it as a story (situation, task, action, result): {absent} unclear.")
    if "impact" in tags:
        notes.append("Quantify the result (numbers, before and after).")
    if "reflection" in tags:
        notes.append("Close with what you learned or would do differently.")
    if "ownership" in tags:
        notes.append("Say what you personally did, not only what the team did.")
    return notes
