"""A small stopword vote for the language of a text, for pages that do not declare one."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that it was for on are with as his they at be this from have or by not but what were which",
        "es": "el la de que y en los se del las un por con una su para es al lo como más pero sus le ya o fue este ha",
        "fr": "le la les de des et en un une du est que qui dans pour pas au sur se ne plus par avec il sont ce",
        "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er",
        "it": "il di che e la per un in del non una sono della le si con da al gli ha più anche dei nel come",
        "pt": "o de que e do da em um para com não uma os no se na por mais as dos como mas foi ao ele",
        "nl": "de het een en van ik te dat die in is niet zijn op aan met voor er maar om ook als dan bij",
    }.items()
}


def guess_language(text: str, min_hits: int = 8) -> str | None:
    """Return the ISO 639-1 code whose stopwords the text uses most, or None when unsure."""
    words = Counter(w.lower() for w in _WORD.findall(text[:20_000]))
    votes = {lang: sum(words[w] for w in stop) for lang, stop in STOPWORDS.items()}
    ranked = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
    (best, hits), (_, runner_up) = ranked[0], ranked[1]
    return best if hits >= min_hits and hits >= 1.5 * runner_up else None
