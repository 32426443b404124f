"""Story assignment cost per article at a given number of stored articles.

The stored archive is ECB+ (its cached extractions) imported again under several topics, so
document frequencies and postings grow as a real archive's would; the probe is a batch of
ECB+ documents under new ids, assigned and rolled back, median of the repeats.

Usage: python -m bench.stories ECB_DIR [--sizes 1000,10000] [--batch 100] [--per-article]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from detection.stories import assign_stories
from evaluation.stories import EcbDocument, extract_corpus, read_corpus
from extractors.claims import Extraction
from records import Article, stable_id
from warehouse.loading import upsert
from warehouse.store import connect


def _copy(d: EcbDocument, topic: str, tag: str) -> Article:
    return replace(d.article, topic=topic, article_id=stable_id(tag, d.article.article_id))


def _fill(con: Any, docs: list[EcbDocument], xs: list[Extraction], size: int, batch: int) -> None:
    stored = int(con.execute("SELECT count(*) FROM articles").fetchall()[0][0])
    copy = stored // len(docs)
    while stored < size:
        take = min(size - stored, len(docs))
        arts = [_copy(d, f"ecb{copy}", f"c{copy}") for d in docs[:take]]
        for i in range(0, take, batch):
            con.begin()
            upsert(con, arts[i : i + batch])
            assign_stories(con, arts[i : i + batch], xs[i : i + batch])
            con.commit()
        stored += take
        copy += 1


def measure(
    root: Path, sizes: list[int], batch: int, per_article: bool, repeats: int = 3
) -> list[dict[str, Any]]:
    """Milliseconds per article of assigning one probe batch at each stored size."""
    docs = read_corpus(root)
    xs = extract_corpus(docs)
    probe_idx = list(range(0, len(docs), max(1, len(docs) // batch)))[:batch]
    out = []
    with connect(":memory:") as con:
        for size in sizes:
            _fill(con, docs, xs, size, 200)
            runs = []
            for r in range(repeats):
                arts = [_copy(docs[i], "ecb0", f"probe{r}") for i in probe_idx]
                px = [xs[i] for i in probe_idx]
                con.begin()
                upsert(con, arts)
                start = time.perf_counter()
                if per_article:
                    for a, x in zip(arts, px, strict=True):
                        assign_stories(con, [a], [x])
                else:
                    assign_stories(con, arts, px)
                runs.append(time.perf_counter() - start)
                con.rollback()
            runs.sort()
            out.append(
                {
                    "stored_articles": size,
                    "batch": len(probe_idx),
                    "per_article_batches": per_article,
                    "ms_per_article": round(1000 * runs[len(runs) // 2] / len(probe_idx), 2),
                }
            )
            print(json.dumps(out[-1]), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: python -m bench.stories ECB_DIR [--sizes ...] [--batch N]."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--per-article", action="store_true", help="one call per article")
    args = parser.parse_args(argv)
    measure(args.dir, [int(s) for s in args.sizes.split(",")], args.batch, args.per_article)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
