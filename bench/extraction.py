"""Extraction speed: words/s of extract_article on one core over real English article texts.

Run as a subprocess (`python -m bench.extraction ARTICLES.pkl REPEATS`) with one-thread settings
for the numeric libraries and pinned to one CPU; prints one JSON object.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

from bench.corpus import is_english, word_count
from bench.timing import median
from bench.workers import emit
from records import Article
from extractors.claims import extract_article
from extractors.pipeline import load_nlp


def words_per_second(articles: list[Article], repeats: int = 3) -> dict[str, object]:
    """Time extract_article over the English articles `repeats` times; median words/s."""
    english = [a for a in articles if is_english(a.text)]
    words = sum(word_count(a.text) for a in english)
    start = time.perf_counter()
    nlp, backend = load_nlp()
    load_s = time.perf_counter() - start
    runs: list[float] = []
    claims = entities = 0
    for _ in range(repeats):
        start = time.perf_counter()
        out = [extract_article(a, nlp) for a in english]
        runs.append(time.perf_counter() - start)
        claims = sum(len(x.claims) for x in out)
        entities = sum(len(x.entities) for x in out)
    return {
        "backend": backend,
        "model_load_s": load_s,
        "articles": len(english),
        "words": words,
        "runs_s": runs,
        "words_per_s": words / median(runs) if runs else 0.0,
        "claims": claims,
        "entities": entities,
    }


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with Path(sys.argv[1]).open("rb") as fh:
        loaded: list[Article] = pickle.load(fh)
    emit(words_per_second(loaded, repeats=int(sys.argv[2])))
