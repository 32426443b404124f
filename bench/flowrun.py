"""Real monitor_topic flow runs: a first run over 200 feeds, then runs over the same unchanged feeds.

Run as a subprocess (`python -m bench.flowrun WORKDIR FEEDS LIMIT`) so Prefect's temporary API and
logging stay out of the other measurements; prints one JSON object.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from bench.corpus import load_pages  # noqa: E402
from bench.site import Site, serve  # noqa: E402
from bench.timing import median  # noqa: E402


def write_topic(path: Path, name: str, urls: list[str]) -> Path:
    """Write a topic file watching the given feed URLs on loopback, with no keyword filter."""
    sources = "".join(f'\n[[sources]]\nurl = "{u}"\nkind = "feed"\n' for u in urls)
    path.write_text(f'name = "{name}"\nallow_private = true\n{sources}', encoding="utf-8")
    return path


def _counters(site: Site) -> dict[str, int]:
    return site.stats.snapshot()


def end_of_run_costs(db: str, topic: str) -> dict[str, float]:
    """Time the steps a run takes after its last task (snapshot, report) on the flow's warehouse."""
    costs: dict[str, float] = {}
    steps = (
        ("refresh_snapshot", "warehouse.snapshots", (db,)),
        ("report_after_run", "claimwatch.report", (db, topic)),
    )
    for name, module, args in steps:
        try:
            func = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue  # the product no longer has this step
        start = time.perf_counter()
        func(*args)
        costs[name] = time.perf_counter() - start
    return costs


def flow_runs(
    workdir: Path, feeds: int = 200, limit: int | None = None, unchanged_runs: int = 3
) -> dict[str, object]:
    """Time a warm-up run, a first run over `feeds` feeds, and unchanged runs over the same feeds."""
    from extractors.pipeline import load_nlp
    from flows.monitor import monitor_topic

    workdir.mkdir(parents=True, exist_ok=True)
    db = str(workdir / "flow.duckdb")
    pages = load_pages(limit=limit)
    load_nlp()
    with serve(pages, feeds=feeds) as site:
        warm = write_topic(workdir / "warmup.toml", "warmup", [f"{site.base}/feeds/none.xml"])
        start = time.perf_counter()
        monitor_topic(topic="warmup", db=str(workdir / "warmup.duckdb"), topic_file=str(warm))
        warmup_s = time.perf_counter() - start
        topic = write_topic(workdir / "bench.toml", "bench", site.feed_urls)
        site.stats.reset()
        start = time.perf_counter()
        first = monitor_topic(topic="bench", db=db, topic_file=str(topic))
        first_s = time.perf_counter() - start
        first_http = _counters(site)
        again: list[float] = []
        again_http: list[dict[str, int]] = []
        not_modified = 0
        for _ in range(unchanged_runs):
            site.stats.reset()
            start = time.perf_counter()
            summary = monitor_topic(topic="bench", db=db, topic_file=str(topic))
            again.append(time.perf_counter() - start)
            again_http.append(_counters(site))
            not_modified = summary.not_modified
    tail = end_of_run_costs(db, "bench")
    return {
        "end_of_run_s": tail,
        "feeds": feeds,
        "pages": len(pages),
        "warmup_s": warmup_s,
        "first_s": first_s,
        "first_articles": first.articles_new,
        "first_claims": first.claims_new,
        "first_backend": first.nlp_backend,
        "first_http": first_http,
        "unchanged_s": again,
        "unchanged_median_s": median(again),
        "unchanged_http": again_http[-1] if again_http else {},
        "unchanged_not_modified_reported": not_modified,
    }


if __name__ == "__main__":
    workdir, feeds, limit = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    result = flow_runs(workdir, feeds=feeds, limit=limit or None)
    print("BENCH-JSON " + json.dumps(result))
