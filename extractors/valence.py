"""Word valence from the VADER lexicon (rated -4..+4 by ten people each; inside its wheel).

Only the lexicon file of `vaderSentiment==3.3.2` is read, never its sentence scorer: the
detector asks one thing of it, whether two words that fill the same slot of two statements
lean opposite ways ('the troubled start-up' / 'the triumphant start-up').
"""

from __future__ import annotations

import functools
import importlib.resources

# A mean rating this far from neutral, on either side, is a clear lean (VADER's own
# examples: 'support' 1.7, 'troubled' -2.0, 'challenged' -0.4).
CLEAR_VALENCE = 1.0


@functools.lru_cache(maxsize=1)
def valence_table() -> dict[str, float]:
    """Return word -> mean valence; empty when vaderSentiment is not installed."""
    try:
        text = (
            importlib.resources.files("vaderSentiment")
            .joinpath("vader_lexicon.txt")
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    table: dict[str, float] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0].isalpha():  # emoticons are not words
            table[fields[0].lower()] = float(fields[1])
    return table


def valence(word: str) -> float:
    """The word's mean valence (0.0 when unrated)."""
    return valence_table().get(word.lower(), 0.0)


def opposite_valence(a: str, b: str) -> bool:
    """Whether two words lean clearly and oppositely (one positive, the other negative)."""
    va, vb = valence(a), valence(b)
    return min(abs(va), abs(vb)) >= CLEAR_VALENCE and (va > 0) != (vb > 0)
