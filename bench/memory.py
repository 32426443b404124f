"""Memory: peak RSS while extracting and loading many articles (real pages cycled with varied text).

Run as a subprocess (`python -m bench.memory ARTICLES.pkl WORKDIR TARGET BUDGET_S`) so its peak
RSS is this workload's alone; prints one JSON object. `python -m bench.memory --pages WORKDIR
TARGET BUDGET_S` (`make bench-memory`: 10,000 articles) cycles the cleaned pages of
../shared/data/articles instead, for the long run `make bench` has no time for.
"""

from __future__ import annotations

import dataclasses
import pickle
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import psutil

from bench.workers import emit
from records import Article, stable_id
from extractors.claims import extract_articles
from extractors.pipeline import load_nlp
from claimwatch.batches import load_and_detect_batch
from flows.monitor import BATCH_SIZE
from ingest.cleaning import content_hash
from ingest.urls import canonical_url

CHECKPOINT_EVERY = 250


def varied(articles: Sequence[Article], count: int) -> Iterator[Article]:
    """Yield `count` distinct articles by cycling real ones with a varied closing paragraph and URL."""
    for k in range(count):
        base = articles[k % len(articles)]
        text = (
            f"{base.text}\n\nUpdate {k}: officials said around {(k * 37) % 9000 + 100:,} people "
            f"had been displaced, and some {(k * 11) % 700 + 20} fighters were seen near the town."
        )
        url = f"{base.url.split('?')[0]}?copy={k}"
        canon = canonical_url(url)
        digest = content_hash(text)
        yield dataclasses.replace(
            base, article_id=stable_id(canon, digest), url=url, canonical_url=canon,
            text=text, content_hash=digest,
        )  # fmt: skip


def _peak_mb() -> float:
    """This process's own peak RSS since it started (VmHWM), in MB.

    Not getrusage's ru_maxrss: Linux carries that figure across fork and exec, so a worker
    started by a large parent reports the parent's peak (the 2.5 GB the report once showed
    was the suite's own process, which holds every page of three passes).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB where no /proc


def process(
    articles: Sequence[Article], db: Path, target: int, budget_s: float
) -> dict[str, object]:
    """Extract and load up to `target` varied articles within `budget_s`, sampling RSS as it goes."""
    proc = psutil.Process()
    nlp, backend = load_nlp()
    after_load_mb = proc.memory_info().rss / 2**20
    checkpoints: list[dict[str, float]] = [
        {"articles": 0, "seconds": 0.0, "rss_mb": after_load_mb, "peak_rss_mb": _peak_mb()}
    ]
    done = 0
    start = time.perf_counter()
    stream = varied(articles, target)
    while done < target and time.perf_counter() - start < budget_s:
        batch = [a for _, a in zip(range(BATCH_SIZE), stream, strict=False)]
        if not batch:
            break
        load_and_detect_batch(str(db), batch, extract_articles(batch, nlp))
        done += len(batch)
        if done % CHECKPOINT_EVERY == 0 or done >= target:
            checkpoints.append({
                "articles": done, "seconds": time.perf_counter() - start,
                "rss_mb": proc.memory_info().rss / 2**20, "peak_rss_mb": _peak_mb(),
            })  # fmt: skip
    elapsed = time.perf_counter() - start
    return {
        "backend": backend,
        "target": target,
        "articles": done,
        "seconds": elapsed,
        "articles_per_s": done / elapsed if elapsed else 0.0,
        "rss_after_model_mb": after_load_mb,
        "peak_rss_mb": _peak_mb(),
        "checkpoints": checkpoints,
        "db_bytes": db.stat().st_size if db.exists() else 0,
    }


def shared_pages() -> list[Article]:
    """The cleaned pages of ../shared/data/articles (fundus, newspaper4k, mozilla), in file order."""
    from bench.corpus import SHARED
    from evaluation.corpora import page_articles

    root = SHARED / "data" / "articles"
    sets = ("fundus_parser_testdata", "newspaper4k_testdata", "mozilla_readability_testpages")
    return list(page_articles([root / name for name in sets], "bench"))


if __name__ == "__main__":
    source, workdir, target, budget = (
        sys.argv[1],
        Path(sys.argv[2]),
        int(sys.argv[3]),
        float(sys.argv[4]),
    )
    if source == "--pages":
        loaded = shared_pages()
    else:
        with Path(source).open("rb") as fh:
            loaded = pickle.load(fh)
    workdir.mkdir(parents=True, exist_ok=True)
    result = process(loaded, workdir / "memory.duckdb", target, budget)
    result["input_articles"] = len(loaded)
    emit(result)
