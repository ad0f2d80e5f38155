"""Text normalisation every grading check shares: one folding, one word list, one sentence split.

`fold` is applied before any pattern check or quote comparison, so a full-width "１０/１０", a
Cyrillic "а" in "</candidate_аnswer>" or a zero-width space inside a word cannot slip past a check
that the plain spelling would trip.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.domain.stemmer import stem as porter_stem

__all__ = [
    "FILLER_WORDS",
    "STOPWORDS",
    "Sentence",
    "content_words",
    "flat",
    "fold",
    "negated_root",
    "sentences",
    "stem",
    "word_set",
    "words",
]

# Invisible characters that split a word without showing: removed before anything is compared.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064\u034f"), None
)
# Letters of other scripts drawn like Latin ones (Unicode TR39 confusables, the common subset):
# a pattern check on the folded text sees "answer" whichever alphabet each letter came from.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
        # Latin look-alikes and typographic marks
        "ı": "i", "ℓ": "l", "‹": "<", "›": ">", "«": "<", "»": ">", "⟨": "<", "⟩": ">",
        "〈": "<", "〉": ">", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-",
        "−": "-", "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'", "“": '"',
        "”": '"', "„": '"', "‟": '"', "…": "...", "⁄": "/", "∕": "/",
    }
)  # fmt: skip
_SPACE = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r" ?\n[\s]*")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """NFKC, invisible characters removed, look-alike letters mapped, case-folded, spaces collapsed
    (line breaks are kept, one at a time: a bullet list stays a list)."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = text.casefold().translate(_CONFUSABLES)
    return _LINE_BREAKS.sub("\n", _SPACE.sub(" ", text)).strip()


def flat(text: str) -> str:
    """`fold` on one line: how quotes and answers are compared, whatever their line breaks."""
    return fold(text).replace("\n", " ")


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string (word lists stay readable)."""
    return frozenset(text.split())


# One stopword list for every check: function words that say nothing about the topic.
STOPWORDS = word_set(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can could did do does doing down during each either
    else etc ever every few for from further had has have having he her here hers him his how
    however i if in into is it its itself just let lets may me might more most must my no nor
    not of off on once one only onto or other others otherwise our ours out over own per please
    same shall she should so some such than that the their theirs them then there thereby
    therefore these they this those though through thus to too toward towards under until up
    upon us very via was we were what whatever when whenever where whereas wherever whether
    which while who whom whose why will with within without would yes yet you your yours really
    basically actually simply usually generally typically often sometimes always well much many
    lot lots
    """
)
# Words an answer can be made of without saying anything: "idk", "not sure, sorry", "pass".
FILLER_WORDS = STOPWORDS | word_set(
    """
    im i'm dont don't idk dunno know knew knows known sure unsure maybe perhaps guess think
    thought remember clue idea answer answered question sorry thanks thank ok okay fine good
    great nope yeah yep na n pass skip next none nothing anything something whatever hmm um uh
    er erm lol haha test testing hello hi hey cannot can't couldn't wouldn't tell really
    honestly totally completely exactly yes no
    """
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?(?:[+#]+)?")
# Sentence ends: . ! ? ; or a line break (bullets are sentences of their own).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")


def words(text: str) -> list[str]:
    """Lower-case word tokens of the folded text (apostrophes kept inside words: "don't")."""
    return _WORD.findall(fold(text))


def content_words(text: str) -> list[str]:
    """The folded text's words without stopwords and bare numbers."""
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Porter stem of a word, so that "caching", "cached" and "caches" meet."""
    # Twice: the irregular forms map to a word ("caching" -> "cache"), not to its stem.
    return porter_stem(porter_stem(word.split("'", 1)[0]))


# Words that start with "un" or end with "less" without denying anything.
_NOT_DENIALS = word_set(
    """
    unless until unto unary unix unicode unlike regardless nevertheless nonetheless bless
    """
)


def negated_root(word: str) -> str | None:
    """The word a morphological negation denies ("unlimited" -> "limited", "stateless" ->
    "state", "nonblocking" -> "blocking"), or None: "no limit" and "unlimited" say the same."""
    if word in _NOT_DENIALS or "'" in word:
        return None
    if word.startswith("non") and len(word) >= 7:
        return word[3:]
    if (
        word.startswith("un") and len(word) >= 6 and not word.startswith(("under", "uni"))
    ) or word.startswith(("unin", "unim")):
        return word[2:]
    if word.endswith("less") and len(word) >= 7:
        return word[:-4]
    return None


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a folded text, with its place in that text."""

    start: int
    end: int
    text: str


def sentences(folded: str) -> list[Sentence]:
    """Split an already folded text into sentences (or bullet lines), keeping their offsets."""
    out: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(folded):
        if folded[start : match.start()].strip():
            out.append(Sentence(start, match.start(), folded[start : match.start()]))
        start = match.end()
    if folded[start:].strip():
        out.append(Sentence(start, len(folded), folded[start:]))
    return out
