"""The offline "go deeper" follow-up: probe a missed point without giving it away.

The follow-up names what the point is about only in the question's own words (its subject:
"TCP", "the cache") and asks an open question of the point's kind (cost, failure, complexity,
steps, ...). It never repeats the point's own words: saying "you did not mention congestion
control" would hand the candidate the answer. The point itself becomes the follow-up's
reference, shown only after it is answered.
"""

from __future__ import annotations

import re

from core.domain.model import Evaluation, Question, Verdict
from core.domain.roles import Role
from core.ports import FollowUpReply

__all__ = ["OfflineQuestionWriter", "probe_text"]

MAX_SUBJECT_WORDS = 3
_WORD = re.compile(r"[A-Za-z0-9][\w+#.-]*[\w+#]|[A-Za-z0-9]")

# Kinds of point, recognised from its wording, each with open questions that ask for it.
_KINDS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(r"trade-?off|cost|overhead|downside|drawback|instead|versus|\bvs\b", re.I),
        ("What does {subject} cost you, and when would you choose something else?",),
    ),
    (
        re.compile(r"fail|crash|lost|los[es]|risk|break|corrupt|error|attack|leak", re.I),
        ("What can go wrong with {subject}, and how would you prevent or handle it?",),
    ),
    (
        re.compile(r"\bO\(|complexity|log ?n|linear|constant time|quadratic", re.I),
        ("How does the work grow with the size of the input for {subject}, and why?",),
    ),
    (
        re.compile(r"\b(first|then|after|before|steps?|order)\b", re.I),
        ("Can you walk through {subject} step by step?",),
    ),
    (
        re.compile(r"concurren|parallel|thread|lock|race|simultaneous", re.I),
        ("What happens with {subject} when several things run at once?",),
    ),
    (
        re.compile(r"idempoten|duplicat|repeat|retr(y|ies)|twice|at.least.once", re.I),
        ("What happens with {subject} if the same request arrives twice?",),
    ),
    (
        re.compile(r"secur|encrypt|auth|secret|attack|permission|privilege|confidential", re.I),
        ("Who could abuse {subject}, and how is that prevented?",),
    ),
    (
        re.compile(r"latency|throughput|fast|slow|cach|performance|overhead", re.I),
        ("How does {subject} behave under load, and what limits its speed?",),
    ),
    (
        re.compile(r"memory|storage|disk|space|size", re.I),
        ("What does {subject} cost in memory or storage, and why?",),
    ),
]
_GENERAL = (
    "There is more to say about {subject}. What else matters here, and why?",
    "Think again about {subject}: how does it behave, and what follows from that?",
    "Which part of the original question did your answer leave open? Explain it in your own words.",
)
_CONTRADICTED = (
    "Something you said about {subject} does not hold. What is actually the case, and why?",
    "Look again at what you said: what is actually true here, and why?",
)
_BEHAVIORAL = "Can you walk me through that part of the story: what exactly did you do, and why?"


class OfflineQuestionWriter:
    """Builds the follow-up from the first gap of the answer, deterministically."""

    provider = "offline"

    def follow_up(self, question: Question, answer: str, evaluation: Evaluation) -> FollowUpReply:
        """A follow-up on the answer's first gap, or a deeper question when nothing was missed."""
        del answer  # the verdicts in `evaluation` already say what the answer lacked
        gap, contradicted = _first_gap(evaluation)
        follow = _gap_question(question, gap, contradicted) if gap else _deeper_question(question)
        return FollowUpReply(question=follow, usage=None)


def _first_gap(evaluation: Evaluation) -> tuple[str, bool]:
    """The point to probe: one the answer contradicted or missed, else one it made in part."""
    order = (Verdict.CONTRADICTED, Verdict.MISSING, Verdict.PARTIAL)
    for verdict in order:
        for point in evaluation.points:
            if point.verdict is verdict and point.point.strip():
                return point.point, verdict is Verdict.CONTRADICTED
    gaps = [g for g in evaluation.missing if g.strip()]
    return (gaps[0], False) if gaps else ("", False)


def probe_text(question: Question, point: str, *, contradicted: bool = False) -> str:
    """An open question about `point` that uses none of the point's words beyond the question's."""
    subject = _subject_of(question, point)
    if question.role is Role.BEHAVIORAL:
        candidates: tuple[str, ...] = (_BEHAVIORAL,)
    elif contradicted:
        candidates = _CONTRADICTED
    else:
        kinds = [texts for pattern, texts in _KINDS if pattern.search(point)]
        candidates = tuple(t for texts in kinds for t in texts) + _GENERAL
    secret = _answer_terms(question, point)
    for template in candidates:
        text = template.format(subject=subject)
        if not secret & set(_terms(text)):
            return text
    return _GENERAL[-1]


def _subject_of(question: Question, point: str) -> str:
    """What the point is about, in the question's own words (never the point's new ones)."""
    wanted = set(_terms(point))
    shown = [w for w in _WORD.findall(question.text) if set(_terms(w)) & wanted]
    shown = list(dict.fromkeys(shown))[:MAX_SUBJECT_WORDS]
    if shown:
        phrase = " and ".join(shown) if all(w[:1].isupper() for w in shown) else " ".join(shown)
        # Names ("TCP", "Kubernetes") stand alone; common nouns read better with "the".
        return phrase if phrase[:1].isupper() else f"the {phrase}"
    if question.topics:
        return "the " + question.topics[0].replace("-", " ")
    return "this"


def _answer_terms(question: Question, point: str) -> set[str]:
    """The point's terms the question does not already give: what the candidate must supply."""
    return set(_terms(point)) - set(_terms(question.text))


def _gap_question(question: Question, gap: str, contradicted: bool) -> Question:
    text = probe_text(question, gap, contradicted=contradicted)
    return Question(
        role=question.role,
        difficulty=question.difficulty,
        text=text,
        reference_answer=_sentence(gap),
        key_points=(gap,),
        topics=question.topics,
        hint=f"Go back to the original question: {question.text}",
        bank_id=None,
    )


def _deeper_question(question: Question) -> Question:
    subject = _topic(question)
    if question.role is Role.BEHAVIORAL:
        text = (
            "You covered the essentials. Going deeper: what measurable result did it have, "
            "and what would you do differently if it happened again?"
        )
        points: tuple[str, ...] = (
            "Gives a measurable result of the actions, with numbers or a clear before and after",
            "Explains what they learned from the situation",
            "Says concretely what they would do differently next time and why",
        )
    else:
        text = (
            f"You covered the essentials of {subject}. Going deeper: what are its main "
            "trade-offs and failure modes, and how would you detect and handle them in production?"
        )
        points = (
            f"Names a concrete trade-off of {subject}: what it costs and when an alternative wins",
            "Describes a realistic failure mode and how it shows up",
            "Explains how to detect or mitigate that failure, e.g. monitoring, limits or fallbacks",
        )
    return Question(
        role=question.role,
        difficulty=question.difficulty,
        text=text,
        reference_answer=" ".join(_sentence(p) for p in points),
        key_points=points,
        topics=question.topics,
        hint="Think about what it costs, when it breaks, and what you would watch for.",
        bank_id=None,
    )


def _terms(text: str) -> list[str]:
    """The text's content words; the offline tables load on first use, not with the core."""
    from core.adapters.offline.text import content_terms

    return content_terms(text)


def _topic(question: Question) -> str:
    from core.adapters.offline.keypoints import derive_key_points
    from core.adapters.offline.quotes import shorten

    if question.topics:
        return question.topics[0].replace("-", " ")
    points = derive_key_points(question.text, limit=1)
    return f'"{shorten(points[0] if points else question.text, 80)}"'


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ;,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."
