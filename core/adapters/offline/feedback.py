"""Turning a ScoreBreakdown into words: feedback, strengths, missing points and improvement tags.

The feedback names concrete key points (quoted), never praises what is not there, and says
plainly when an answer is empty, a non-answer, off topic or a restatement of the question.
Tags come only from the taxonomy in core.domain.tags and are chosen from what was missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.adapters.offline.behavioral import CUES, asked_elements, missing_cues
from core.adapters.offline.scorer import ScoreBreakdown
from core.domain.model import Question
from core.domain.roles import Role
from core.domain.tags import normalise_tags

__all__ = ["choose_tags", "feedback_text", "shorten", "strengths"]

MAX_TAGS = 3
_QUOTE_CHARS = 110

# Tags suggested by the vocabulary of the key points the answer missed.
_TOPIC_TAGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "trade-offs",
        re.compile(
            r"trade-?offs?|alternative|instead|versus|\bvs\b|downside|drawback|"
            r"\bcost|overhead|when to use|prefer|at the expense",
            re.I,
        ),
    ),
    ("examples", re.compile(r"for example|e\.g\.|such as|for instance|example", re.I)),
    (
        "complexity",
        re.compile(
            r"\bO\(|complexity|log ?n|logarithmic|linear time|constant time|"
            r"quadratic",
            re.I,
        ),
    ),
    (
        "security",
        re.compile(
            r"secur|auth|encrypt|inject|xss|csrf|secret|token|permission|"
            r"privilege|attack|vulnerab",
            re.I,
        ),
    ),
    ("concurrency", re.compile(r"thread|lock|race|concurren|mutex|atomic|deadlock|parallel", re.I)),
    (
        "reliability",
        re.compile(
            r"retr(y|ies)|timeout|failover|idempoten|replica|backup|"
            r"durab|crash|recover",
            re.I,
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
        re.compile(
            r"schema|index|primary key|foreign key|normali[sz]|column|"
            r"table",
            re.I,
        ),
    ),
    ("edge-cases", re.compile(r"edge case|empty|\bnull\b|overflow|boundary|corner case", re.I)),
    ("testing", re.compile(r"\btest", re.I)),
]


def shorten(text: str, limit: int = _QUOTE_CHARS) -> str:
    text = " ".join(text.split()).rstrip(".;, ")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def strengths(breakdown: ScoreBreakdown) -> tuple[str, ...]:
    """The key points the answer covered; nothing for answers that were no real attempt."""
    if breakdown.trivial:
        return ()
    return tuple(shorten(p) for p in breakdown.covered)


def feedback_text(breakdown: ScoreBreakdown, question: Question, answer: str) -> str:
    missing = breakdown.missing
    first = f'"{shorten(missing[0])}"' if missing else "the main idea of the reference answer"
    flags = breakdown.flags
    if "empty" in flags:
        return f"No answer was given. A good answer would start with {first}."
    if "non-answer" in flags:
        return (
            "This is not an attempt at the question. Say what you do know, even partly: "
            f"a good answer would start with {first}."
        )
    if "off-topic" in flags:
        return (
            "This answer does not address the question asked: it shares no vocabulary with "
            f"the topic. Re-read the question and answer it directly, starting with {first}."
        )
    if "copies-question" in flags:
        return (
            "The answer restates the question without explaining anything new. "
            f"Explain the substance instead, starting with {first}."
        )
    parts: list[str] = []
    covered = [shorten(p) for p in breakdown.covered]
    partial = [shorten(p) for p in breakdown.partial]
    absent = [shorten(p) for p in missing if p not in breakdown.partial]
    if covered:
        parts.append(f"You covered: {_quote_list(covered)}.")
    if partial:
        parts.append(f"Partly covered, needs more precision: {_quote_list(partial)}.")
    if absent:
        lead = "Missing" if covered or partial else "The answer misses the key points"
        parts.append(f"{lead}: {_quote_list(absent)}.")
    if not covered and not partial:
        parts.insert(0, "The answer touches the topic but does not make any of the key points.")
    if "too-short" in flags:
        parts.append("A word or two is not enough here: explain the idea in full sentences.")
    elif "keyword-dump" in flags:
        parts.append("Write it as sentences that connect the ideas, not a list of keywords.")
    elif "rambling" in flags:
        parts.append("Tighten it: lead with the key points and cut the rest.")
    if not missing:
        parts.append("To go further, discuss trade-offs, failure modes or a concrete example.")
    if question.role is Role.BEHAVIORAL:
        parts.extend(_behavioral_notes(answer, breakdown))
    return " ".join(parts)


def choose_tags(breakdown: ScoreBreakdown, question: Question, answer: str) -> tuple[str, ...]:
    flags = breakdown.flags
    if flags & {"empty", "non-answer"}:
        return normalise_tags(["fundamentals", "completeness"], limit=MAX_TAGS)
    if "off-topic" in flags:
        return normalise_tags(["relevance"], limit=MAX_TAGS)
    if "copies-question" in flags:
        return normalise_tags(["relevance", "fundamentals"], limit=MAX_TAGS)
    tags: list[str] = []
    if question.role is Role.BEHAVIORAL:
        tags.extend(_behavioral_tags(answer, breakdown))
    missing = breakdown.missing
    if "too-short" in flags or "keyword-dump" in flags:
        tags.append("communication")
    if len(missing) >= max(2, (len(breakdown.points) + 1) // 2) or breakdown.coverage < 0.4:
        tags.append("completeness")
    if breakdown.covered and _only_surface(breakdown):
        tags.append("depth")
    tags.extend(_topic_tags(missing))
    if not breakdown.covered and not breakdown.partial:
        tags.append("fundamentals")
    if "rambling" in flags:
        tags.append("communication")
    if not tags and not missing:
        tags.append("trade-offs" if question.role is not Role.BEHAVIORAL else "reflection")
    return normalise_tags(tags, limit=MAX_TAGS)


def _only_surface(breakdown: ScoreBreakdown) -> bool:
    """Covered what the question hints at, missed the points it does not give away."""
    covered = [p for p in breakdown.points if p.covered]
    uncovered = [p for p in breakdown.points if not p.covered]
    if not covered or not uncovered:
        return False
    mean = sum(p.obviousness for p in covered) / len(covered)
    return mean > sum(p.obviousness for p in uncovered) / len(uncovered) or breakdown.depth < 5


def _topic_tags(missing: Sequence[str]) -> list[str]:
    text = " ".join(missing)
    return [tag for tag, pattern in _TOPIC_TAGS if pattern.search(text)][:2]


def _behavioral_tags(answer: str, breakdown: ScoreBreakdown) -> list[str]:
    # An element a covered key point already asks for is there, whatever words it used.
    shown = {name for p in breakdown.covered for name in asked_elements(p)}
    tags: list[str] = []
    if len(missing_cues(answer)) >= 2:
        tags.append("star-structure")
    for tag, element in (
        ("impact", "impact"),
        ("reflection", "reflection"),
        ("ownership", "ownership"),
    ):
        if element not in shown and not CUES[element].search(answer):
            tags.append(tag)
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


def _quote_list(items: Sequence[str]) -> str:
    return "; ".join(f'"{item}"' for item in items)
