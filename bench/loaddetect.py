"""The load+detect stage alone: real pages extracted once and cached, then loaded batch by batch.

    python -m bench.loaddetect prepare [--ecb]    # serve, fetch, clean, extract once; cache
    python -m bench.loaddetect time [--ecb] [--repeats 3] [--profile out.html] [--dump DIR]

`time` loads the cached batches (50 articles, as the product does) into a fresh DuckDB file per
repeat and reports the median seconds per batch; `--dump` writes the stored tables as Parquet
so that two versions of the code can be compared row for row. `--ecb` uses ECB+ topics 1-12
instead, one batch per topic as the stream evaluation loads them: those raise contradictions
and alerts, which the bench's pages do not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import statistics
import tempfile
import time
from pathlib import Path

from bench.corpus import REPO, load_pages
from records import Article
from extractors.claims import Extraction

CACHE = REPO / "var" / "cache" / "loaddetect_batches.pkl"
ECB_CACHE = REPO / "var" / "cache" / "loaddetect_ecb.pkl"
ECB_ROOT = REPO.parent / "shared" / "data" / "events" / "ECBplus" / "ECB+_LREC2014" / "ECB+"
ECB_TOPICS = {str(n) for n in range(1, 13)}
TABLES = (
    "articles",
    "entities",
    "mentions",
    "claims",
    "contradictions",
    "claim_links",
    "alerts",
    "stories",
    "story_state",
    "story_postings",
    "story_terms",
    "story_totals",
    "article_pages",
)
Batches = list[tuple[list[Article], list[Extraction]]]


def prepare(path: Path = CACHE) -> Batches:
    """Serve the bench's pages, fetch, clean and extract them on one process; cache the batches."""
    from bench.e2e import TOPIC, discover
    from bench.site import serve
    from claimwatch.pool import StagePool
    from flows.monitor import BATCH_SIZE
    from ingest.cleaning import CleanFailure, clean_page
    from ingest.fetching import ARTICLE_TYPES, fetch_many

    batches: Batches = []
    with serve(load_pages(), feeds=200) as site:
        items = discover(site)
        for i in range(0, len(items), BATCH_SIZE):
            batch = items[i : i + BATCH_SIZE]
            pages = asyncio.run(
                fetch_many([it.url for it in batch], allow_private=True, accept=ARTICLE_TYPES)
            )
            articles = []
            for item, page in zip(batch, pages, strict=True):
                if page.ok:
                    cleaned = clean_page(
                        page.content, page.final_url, TOPIC, feed_published=item.published
                    )
                    if not isinstance(cleaned, CleanFailure):
                        articles.append(cleaned)
            batches.append((articles, StagePool(1).extract(articles)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(batches))
    return batches


def prepare_ecb(path: Path = ECB_CACHE) -> Batches:
    """Read ECB+ topics 1-12 as the stream evaluation does, extract them once; cache the batches."""
    from evaluation.corpora import ecb_article, ecb_files, read_ecb
    from extractors.claims import extract_articles
    from extractors.pipeline import load_nlp

    nlp, _ = load_nlp()
    by_topic: dict[str, list[Article]] = {}
    for file in ecb_files(ECB_ROOT, ECB_TOPICS):
        doc = read_ecb(file)
        by_topic.setdefault(doc.topic, []).append(ecb_article(doc, f"ecb-{doc.topic}"))
    batches: Batches = [(arts, extract_articles(arts, nlp)) for arts in by_topic.values()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(batches))
    return batches


def load_all(db: Path, batches: Batches) -> list[float]:
    """Load every batch into `db` through the product's load_and_detect_batch; seconds per batch."""
    from claimwatch.batches import load_and_detect_batch

    seconds = []
    for articles, extractions in batches:
        start = time.perf_counter()
        load_and_detect_batch(str(db), articles, extractions)
        seconds.append(time.perf_counter() - start)
    return seconds


def dump(db: Path, out: Path) -> None:
    """Write each stored table (and the articles' story ids) as Parquet under `out`."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for table in TABLES:
            if table in present:
                con.execute(f"COPY {table} TO '{out / table}.parquet' (FORMAT parquet)")
    finally:
        con.close()


def main() -> None:
    """Prepare the cache, or time (and optionally profile or dump) load+detect over it."""
    parser = argparse.ArgumentParser(prog="python -m bench.loaddetect")
    parser.add_argument("command", choices=("prepare", "time"))
    parser.add_argument("--ecb", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, help="re-cut the cached articles into batches of N")
    parser.add_argument("--limit", type=int, help="only the first N cached articles")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        batches = prepare_ecb() if args.ecb else prepare()
        print(f"cached {sum(len(a) for a, _ in batches)} articles in {len(batches)} batches")
        return
    batches = pickle.loads((ECB_CACHE if args.ecb else CACHE).read_bytes())
    if args.batch or args.limit:
        pairs = [(a, x) for arts, xs in batches for a, x in zip(arts, xs, strict=True)]
        pairs = pairs[: args.limit] if args.limit else pairs
        size = args.batch or len(pairs)
        batches = [
            ([a for a, _ in pairs[i : i + size]], [x for _, x in pairs[i : i + size]])
            for i in range(0, len(pairs), size)
        ]
    print(f"load average at start: {os.getloadavg()}")
    totals, per_batch = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            db = Path(tmp) / f"run-{i}.duckdb"
            if args.profile and i == 0:
                from bench.profiling import profile

                result: list[list[float]] = []
                summary = profile(lambda: result.append(load_all(db, batches)), args.profile)
                seconds = result[0]
                for name, share in summary.top_functions:
                    print(f"  {share:6.1%} {name}")
            else:
                seconds = load_all(db, batches)
            totals.append(sum(seconds))
            per_batch.append(statistics.median(seconds))
            print(
                f"repeat {i + 1}: {sum(seconds):.2f}s, per batch "
                + " ".join(f"{s:.2f}" for s in seconds)
            )
            if args.dump and i == 0:
                dump(db, args.dump)
    n = sum(len(a) for a, _ in batches)
    total = statistics.median(totals)
    print(
        f"{n} articles, {len(batches)} batches: median total {total:.2f}s "
        f"({1000 * total / n:.1f} ms/article, {n / total:.1f} articles/s), "
        f"median of per-repeat median batch {statistics.median(per_batch):.2f}s"
    )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
