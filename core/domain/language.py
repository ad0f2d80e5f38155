"""Which language an answer is written in, roughly: enough to refuse what a grader cannot read.

An English-only grader (the offline scorer) would otherwise grade a Spanish answer by the
English jargon it happens to contain; the answer pipeline refuses such answers before storing
them, with a message that names the language.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

from core.domain.text import FILLER_WORDS, STOPWORDS
from core.domain.text import words as word_list

__all__ = ["FUNCTION_WORDS", "LANGUAGE_NAMES", "guess_language"]

_FUNCTION_WORDS = {
    "en": "the and is are of to in that it for with this not you be or was on as have",
    "es": "el la los las de que y en un una es por con para no se del al como pero más lo",
    "fr": "le la les de des et est un une que qui dans pour pas sur au aux du ce avec sont",
    "de": "der die das und ist nicht ein eine zu den von mit sich auf für dem des im auch wird",
    "pt": "o a os as de que e do da em um uma para com não por se na no mais como ao",
    "it": "il la di che e un una per non con sono del della gli le lo nel questo anche si è",
    "nl": "de het een en van is dat niet op te zijn voor met die ook als er aan bij wordt",
}
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "ru": "Russian or another Cyrillic-script language",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "he": "Hebrew",
    "hi": "Hindi", "el": "Greek", "th": "Thai",
}  # fmt: skip
# A word that is also English ("a", "do", "no", "die", "in") says nothing about the language:
# "a do-while loop" is not Portuguese. Each list keeps only the words English does not use.
_ENGLISH = frozenset(_FUNCTION_WORDS["en"].split()) | STOPWORDS | FILLER_WORDS
# One-letter words ("e", "o", "y") are variables as often as words in a technical answer.
FUNCTION_WORDS = {
    lang: frozenset(w for w in text.split() if len(w) > 1)
    - (_ENGLISH if lang != "en" else frozenset())
    for lang, text in _FUNCTION_WORDS.items()
}
_SCRIPTS = {
    "CYRILLIC": "ru",
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "ARABIC": "ar",
    "HEBREW": "he",
    "DEVANAGARI": "hi",
    "GREEK": "el",
    "THAI": "th",
}


@lru_cache(maxsize=64)  # an answer is read at its validation and again by its grading
def guess_language(text: str) -> str:
    """'en', another language's code, or '' when the text is too short or mixed to tell.

    Script first (most letters in another alphabet), then function words, which every
    sentence needs whatever its technical terms: a Spanish answer full of English jargon still
    says "el", "que", "para"."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ""
    # Every ASCII letter is Latin: only the others need a Unicode name look-up.
    scripts = Counter("LATIN" if c.isascii() else _script(c) for c in letters)
    script, count = scripts.most_common(1)[0]
    if script != "LATIN" and count > 0.5 * len(letters):
        return _SCRIPTS.get(script, "")
    tokens = word_list(text)
    if len(tokens) < 4:
        return ""
    hits = {lang: sum(1 for w in tokens if w in vocab) for lang, vocab in FUNCTION_WORDS.items()}
    best = max(hits, key=lambda lang: hits[lang])
    if best == "en" or hits[best] < 3:
        return "en" if hits["en"] >= 2 or len(tokens) < 8 else ""
    return best if hits[best] >= 2 * max(1, hits["en"]) else "en"


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return next((s for s in _SCRIPTS if name.startswith(s)), "LATIN")
