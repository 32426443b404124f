"""Extraction and cleaning on a fixed set of real documents: a stable dump to diff, CPU timings, a profile.

`python -m bench.extractcheck dump OUT.json` writes every cleaned page (fundus and newspaper4k,
all 288) and every extraction (the English pages and ECB+ documents) as sorted JSON; two dumps
from before and after a change must be equal. `time [REPEATS]` prints median CPU ms per
document and words/s of extraction (spaCy pipes and the rule layer apart) and of cleaning beside
bare trafilatura. `profile extract|clean` prints the top cProfile costs.
"""

from __future__ import annotations

import cProfile
import dataclasses
import json
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import SHARED, load_pages, word_count
from records import Article

ECB_PER_TOPIC = 8  # the first 8 documents of each topic, topics in numeric order
ECB_LIMIT = 260


def _ecb_articles(shared: Path = SHARED) -> list[Article]:
    """ECB+ documents as articles: a fixed spread over topics, each a sentence per line."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import ecbplus

    root = shared / ecbplus.ECB_DIR
    topics = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: int(p.name))
    out: list[Article] = []
    for topic in topics:
        names = sorted(p.stem for p in topic.glob("*.xml"))[:ECB_PER_TOPIC]
        for name in names:
            out.append(_article(name, ecbplus.text(shared, name), "en"))
    return out[:ECB_LIMIT]


def _article(name: str, text: str, language: str | None, title: str | None = None) -> Article:
    from datetime import UTC, datetime

    return Article(
        article_id=name, topic="bench", url=f"http://example.org/{name}",
        canonical_url=f"http://example.org/{name}", outlet="example.org", title=title,
        author=None, published=datetime(2020, 1, 1, tzinfo=UTC), language=language, text=text,
        content_hash=name, fetched_at=datetime(2020, 1, 1, tzinfo=UTC), source_key="example.org",
    )  # fmt: skip


def pages() -> list[tuple[str, bytes]]:
    """The fundus and newspaper4k pages: slug and HTML bytes, in a stable order."""
    return [(p.slug, p.body) for p in load_pages()]


def clean_all(bodies: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Clean every page; returns the cleaned fields (not fetched_at) or the failure by slug."""
    from ingest.cleaning import CleanFailure, clean_page

    out: dict[str, Any] = {}
    for slug, body in bodies:
        got = clean_page(body, f"http://example.org/{slug}", "bench")
        if isinstance(got, CleanFailure):
            out[slug] = {"failure": got.reason}
        else:
            fields = dataclasses.asdict(got)
            fields.pop("fetched_at")
            out[slug] = fields
    return out


def article_set(cleaned: dict[str, Any]) -> list[Article]:
    """The documents extraction is checked on: the cleaned pages, then ECB+ documents."""
    arts = []
    for slug, c in cleaned.items():
        if "failure" in c:
            continue
        arts.append(_article(slug, c["text"], c["language"], c["title"]))
    return arts + _ecb_articles()


def _extract_all(articles: list[Article]) -> list[Any]:
    from extractors.claims import extract_article
    from extractors.pipeline import load_nlp

    nlp, _ = load_nlp()
    return [extract_article(a, nlp) for a in articles]


def dump(out: Path) -> None:
    """Write the cleaned pages and the extractions of the fixed set as stable JSON."""
    cleaned = clean_all(pages())
    arts = article_set(cleaned)
    extracted = _extract_all(arts)
    english = sum(1 for e in extracted if e.entities or e.claims)
    data = {
        "cleaned": cleaned,
        "extractions": {a.article_id: dataclasses.asdict(e) for a, e in zip(arts, extracted)},
    }
    out.write_text(json.dumps(data, sort_keys=True, default=str, indent=0), encoding="utf-8")
    claims = sum(len(e.claims) for e in extracted)
    print(f"{len(cleaned)} pages, {len(arts)} documents ({english} extracted), {claims} claims")


def _cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def timings(repeats: int) -> dict[str, object]:
    """Median CPU seconds of cleaning, bare trafilatura and extraction (pipes and rules apart)."""
    import trafilatura

    from extractors.claims import bounded, extract_doc, is_english
    from extractors.pipeline import load_nlp

    bodies = pages()
    cleaned = clean_all(bodies)
    arts = [a for a in article_set(cleaned) if is_english(a)]
    cut = [bounded(a)[0] for a in arts]
    words = sum(word_count(a.text) for a in cut)
    nlp, _ = load_nlp()
    _extract_all(arts[:5])  # warm the lazy loads
    runs: dict[str, list[float]] = {
        "clean": [], "bare": [], "parse": [], "rules": [], "parse_batched": []
    }  # fmt: skip
    for _ in range(repeats):
        runs["clean"].append(_cpu(lambda: clean_all(bodies)))
        # bare trafilatura as bench.e2e measures it: extract() on the bytes
        runs["bare"].append(_cpu(lambda: [trafilatura.extract(b) for _, b in bodies]))
        docs: list[Any] = []
        runs["parse"].append(_cpu(lambda: docs.extend(nlp(a.text) for a in cut)))
        runs["rules"].append(_cpu(lambda: [extract_doc(a, d) for a, d in zip(cut, docs)]))
        # extract_articles' way, the product's: nlp.pipe in batches of 16
        runs["parse_batched"].append(
            _cpu(lambda: list(nlp.pipe((a.text for a in cut), batch_size=16)))
        )
    med = {k: _median(v) for k, v in runs.items()}
    extract_s = med["parse"] + med["rules"]
    return {
        "pages": len(bodies),
        "documents": len(cut),
        "words": words,
        "clean_ms_per_page": 1000 * med["clean"] / len(bodies),
        "bare_ms_per_page": 1000 * med["bare"] / len(bodies),
        "clean_over_bare": med["clean"] / med["bare"],
        "extract_ms_per_doc": 1000 * extract_s / len(cut),
        "parse_ms_per_doc": 1000 * med["parse"] / len(cut),
        "rules_ms_per_doc": 1000 * med["rules"] / len(cut),
        "rules_share": med["rules"] / extract_s,
        "extract_words_per_cpu_s": words / extract_s,
        "extract_batched_ms_per_doc": 1000 * (med["parse_batched"] + med["rules"]) / len(cut),
        "extract_batched_words_per_cpu_s": words / (med["parse_batched"] + med["rules"]),
        "runs_s": runs,
    }


def profile(stage: str, top: int = 40) -> None:
    """Print the top cumulative and own-time costs of extraction or cleaning under cProfile."""
    bodies = pages()
    cleaned = clean_all(bodies)
    if stage == "clean":
        work: Callable[[], object] = lambda: clean_all(bodies)  # noqa: E731
    else:
        arts = article_set(cleaned)
        _extract_all(arts[:5])
        work = lambda: _extract_all(arts)  # noqa: E731
    prof = cProfile.Profile()
    prof.runcall(work)
    out = Path("var/check")
    out.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(out / f"{stage}.prof")  # for pstats' print_callers
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "dump":
        dump(Path(sys.argv[2]))
    elif command == "time":
        print(json.dumps(timings(int(sys.argv[2]) if len(sys.argv) > 2 else 3), indent=1))
    elif command == "profile":
        profile(sys.argv[2])
    else:
        raise SystemExit(__doc__)
