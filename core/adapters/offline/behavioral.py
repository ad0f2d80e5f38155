"""Behavioral answers: the story's elements (STAR, impact, reflection) rather than its words.

A behavioral key point reads like a rubric line ("Gives measurable results"), and a candidate's
story never repeats it, so word overlap undersells a good story. Here each rubric line is mapped
to the story elements it asks for, and credited when the answer shows those elements.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["CUES", "asked_elements", "cue_credit", "cue_sentence", "missing_cues"]

CUE_CREDIT = 0.9  # a rubric line whose elements all appear; the wording may still differ
STORY_WORDS = 60  # a told story is at least this long; shorter answers earn cue credit pro rata
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")

# What an answer shows: evidence of each element of a well-told story.
CUES: dict[str, re.Pattern[str]] = {
    "situation": re.compile(
        r"\b(when|at my|in my|we were|there was|our (team|product|service|company)|project|"
        r"company|context|situation|background|last year|previous (job|role))\b",
        re.I,
    ),
    "task": re.compile(
        r"\b(i had to|my (role|job|task|part|responsibility)|goal|needed to|was asked|"
        r"responsible|in charge)\b",
        re.I,
    ),
    "action": re.compile(
        r"\b(i (did|decided|built|wrote|talked|proposed|set up|led|changed|created|"
        r"organi[sz]ed|implemented|started|asked|met|fixed|profiled|added|moved|suggested|"
        r"reached out|scheduled|explained|chose|designed|refactored|measured)|so i)\b",
        re.I,
    ),
    "result": re.compile(
        r"\b(result|in the end|finally|as a result|outcome|led to|reduced|increased|improved|"
        r"saved|shipped|launched|delivered|dropped|fell|rose|went (down|up))\b",
        re.I,
    ),
    "impact": re.compile(
        r"\d|percent|%|\b(doubled|halved|twice|half|reduced|increased|improved|saved|cut)\b",
        re.I,
    ),
    "reflection": re.compile(
        r"\b(learn(ed|t)|lesson|next time|differently|in hindsight|looking back|would (now|have)|"
        r"realized|realised|takeaway|taught me)\b",
        re.I,
    ),
    "ownership": re.compile(r"\b(I|my|me)\b"),
    "collaboration": re.compile(
        r"\b(team|teammates?|colleagues?|together|we|manager|stakeholders?|pair(ed)?|"
        r"with (the|my|our)|credit)\b",
        re.I,
    ),
}

# What a rubric line asks for, recognised from its wording.
_ASKS: dict[str, re.Pattern[str]] = {
    "situation": re.compile(
        r"situation|context|background|describes the|project|problem|goal", re.I
    ),
    "task": re.compile(r"\btask|responsib|role|what (they|you) (had|needed)", re.I),
    "action": re.compile(
        r"action|decision|steps|what (they|you) did|approach|explains how|"
        r"technical",
        re.I,
    ),
    "result": re.compile(r"result|outcome|impact|effect", re.I),
    "impact": re.compile(r"measur|quantif|metric|number|improvement", re.I),
    "reflection": re.compile(r"reflect|learn|differently|lesson|hindsight", re.I),
    "ownership": re.compile(
        r"own (contribution|part|role)|their own|your own|personal|"
        r"ownership|separates",
        re.I,
    ),
    "collaboration": re.compile(r"team|credit|collaborat|stakeholder|colleague|others", re.I),
}


@lru_cache(maxsize=4096)
def asked_elements(point: str) -> tuple[str, ...]:
    """The story elements a rubric line asks for ("Reflects on ..." -> ["reflection"])."""
    return tuple(name for name, pattern in _ASKS.items() if pattern.search(point))


def cue_credit(point: str, answer: str) -> float:
    """Credit for a behavioral rubric line from the story elements the answer shows.

    Cues are cheap to hit ("we", a number), so a one-line answer earns them only in proportion
    to its length: "We built it and it went well" is not a story.
    """
    asked = asked_elements(point)
    if not asked:
        return 0.0
    shown = sum(1 for name in asked if CUES[name].search(answer))
    told = min(1.0, len(answer.split()) / STORY_WORDS)
    return CUE_CREDIT * told * shown / len(asked)


def cue_sentence(point: str, answer: str) -> str:
    """The first sentence of the answer that shows an element the rubric line asks for."""
    asked = asked_elements(point)
    for sentence in _SENTENCE.split(answer):
        # A pronoun alone ("I", "we") is no evidence worth quoting: it needs other words too.
        if len(sentence.split()) >= 4 and any(CUES[name].search(sentence) for name in asked):
            return " ".join(sentence.split()).strip(" .;,")
    return ""


def missing_cues(answer: str) -> list[str]:
    """The core story elements an answer does not show (for feedback and tags)."""
    return [
        name for name in ("situation", "task", "action", "result") if not CUES[name].search(answer)
    ]
