"""Whether an answer is about the question: its words against the question's and reference's.

Off topic (nothing shared with the question, the reference and the key points), an echo of the
question, too short for what the reference needs, or the reference's words shuffled. The
question's side is a function of the question alone, worked out once and kept (`_topic_of`):
every answer to the same question is compared with the same stems.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.domain.text import content_words
from core.domain.text import stem as stem_word

TOO_SHORT_CONTENT_WORDS = 2  # ... when the reference needs TOO_SHORT_REFERENCE_WORDS or more
TOO_SHORT_REFERENCE_WORDS = 10
OFF_TOPIC_MIN_WORDS = 6  # content words an answer needs before sharing none means off topic
RELATED_HEAD = 4  # letters two stems share at the start to count as the same topic word
OFF_TOPIC_MIN_MATERIAL = 15  # ... and words the question and reference must offer to share
OFF_TOPIC_SHARE = 0.08  # long answers: on-topic words below this share are another topic
# The reference's own words out of order: most of its vocabulary, few of its word pairs.
SHUFFLED_RECALL = 0.8  # a shuffle keeps every word; someone's own sentences rarely reuse 80%
SHUFFLED_KEPT_PAIRS = 0.25


@dataclass(frozen=True, slots=True)
class TopicFindings:
    """What the topic checks found (off topic excludes the others)."""

    off_topic: bool = False
    echoes_question: bool = False
    too_short: bool = False
    shuffled_reference: bool = False


@dataclass(frozen=True, slots=True)
class _Topic:
    """What an answer is compared with, as stems: the question's, and all the material's."""

    question_stems: frozenset[str]
    material: frozenset[str]  # the question's, the reference's and the key points' stems
    heads: frozenset[str]  # the material's first letters (see _related)
    reference_stems: tuple[str, ...]  # the reference's content words in order, stemmed


def topic_findings(
    content: list[str], question: str, reference: str, key_points: tuple[str, ...]
) -> TopicFindings:
    """The topic checks on an answer's content words (folded, stopwords removed)."""
    answer_stems = [stem_word(w) for w in content]
    topic = _topic_of(question, reference, key_points)
    question_stems, material = topic.question_stems, topic.material
    on_topic = sum(1 for s in answer_stems if _related(s, material, topic.heads))
    # A few words sharing nothing with the topic may still be a metaphor ("the internet's phone
    # book"), and a short reference leaves a right answer little to share ("takes twice the
    # memory" for "extra space for the back pointers"): too little to call off topic; the
    # evidence rule leaves such answers little credit anyway.
    if (
        on_topic == 0
        and len(content) >= OFF_TOPIC_MIN_WORDS
        and len(material) >= OFF_TOPIC_MIN_MATERIAL
    ) or (len(content) >= 30 and on_topic / len(content) < OFF_TOPIC_SHARE):
        return TopicFindings(off_topic=True)
    novel = [s for s in answer_stems if s not in question_stems]
    restated = (
        len(question_stems & set(answer_stems)) / len(question_stems) if question_stems else 0
    )
    # "C++ programs begin execution at main" restates the question and adds the one word that
    # answers it: a word of the reference beyond the question is not an echo.
    answers = any(s in material for s in novel)
    adds_little = len(set(novel)) <= 1 or len(novel) < 0.2 * len(answer_stems)
    reference_size = len(topic.reference_stems)
    return TopicFindings(
        echoes_question=restated >= 0.6 and adds_little and not answers,
        too_short=len(content) <= TOO_SHORT_CONTENT_WORDS
        and reference_size >= TOO_SHORT_REFERENCE_WORDS,
        shuffled_reference=_reference_shuffled(answer_stems, topic.reference_stems),
    )


@lru_cache(maxsize=1024)
def _topic_of(question: str, reference: str, key_points: tuple[str, ...]) -> _Topic:
    question_stems = frozenset(stem_word(w) for w in content_words(question))
    material = question_stems | {
        stem_word(w) for text in (reference, *key_points) for w in content_words(text)
    }
    return _Topic(
        question_stems=question_stems,
        material=material,
        heads=frozenset(m[:RELATED_HEAD] for m in material if len(m) >= RELATED_HEAD),
        reference_stems=tuple(stem_word(w) for w in content_words(reference)),
    )


def _related(stem: str, material: frozenset[str], heads: frozenset[str]) -> bool:
    """The stem is in the material, or shares its first letters with a word there ("hard",
    "harder"): only a clear mismatch may call an answer off topic."""
    return stem in material or (len(stem) >= RELATED_HEAD and stem[:RELATED_HEAD] in heads)


def _reference_shuffled(answer: list[str], reference: Sequence[str]) -> bool:
    """Most of the reference's words, few of its word pairs: the reference shuffled.

    Someone who reuses half of a reference's vocabulary in their own sentences keeps many of
    its pairs ("request body", "query string"); a shuffle keeps almost none."""
    vocabulary = set(reference)
    if not vocabulary or len(set(answer) & vocabulary) < SHUFFLED_RECALL * len(vocabulary):
        return False
    near: set[tuple[str, str]] = set()
    for gap in (1, 2):
        near |= set(zip(reference, reference[gap:], strict=False))
    pairs = [(a, b) for a, b in itertools.pairwise(answer) if a in vocabulary]
    pairs = [(a, b) for a, b in pairs if b in vocabulary]
    if len(pairs) < 6:
        return False
    return sum(1 for p in pairs if p in near) / len(pairs) < SHUFFLED_KEPT_PAIRS
