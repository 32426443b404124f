"""End-to-end: the product's stage functions over real pages from a local site, against bare trafilatura."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from bench.site import Site
from bench.timing import StageClock
from records import Article
from claimwatch.pool import EXTRACT_CHUNK, StagePool
from extractors.claims import Extraction
from extractors.pipeline import load_nlp
from claimwatch.batches import load_and_detect_batch
from flows.monitor import BATCH_SIZE
from ingest.cleaning import CleanFailure, CleanJob, clean_page
from ingest.feeds import FeedItem, parse_feed
from ingest.fetching import ARTICLE_TYPES, FEED_TYPES, fetch_many
from ingest.urls import canonical_url

STAGES = ("discover", "fetch", "clean", "extract", "load_detect")
TOPIC = "bench"
WARM_UP = Article(
    article_id="warm-up", topic=TOPIC, url="http://127.0.0.1/warm-up", canonical_url="http://127.0.0.1/warm-up",
    outlet="bench", title=None, author=None, published=None, language="en",
    text="The minister said on Monday that 300 people had been displaced by the floods.",
    content_hash="warm-up", fetched_at=datetime.now(UTC), source_key="bench",
)  # fmt: skip


@dataclass
class PipelinePass:
    """One pass of the pipeline over the site: counts and wall time per stage."""

    pages: int = 0
    articles: int = 0
    claims: int = 0
    contradictions: int = 0
    failures: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0
    bodies: list[bytes] = field(default_factory=list, repr=False)
    cleaned: list[Article] = field(default_factory=list, repr=False)

    def add_load(self, loaded: tuple[int, int]) -> None:
        """Count one batch's new claims and contradictions."""
        self.claims += loaded[0]
        self.contradictions += loaded[1]


def discover(site: Site) -> list[FeedItem]:
    """Fetch and parse every feed, keeping the first item for each canonical URL."""
    pages = asyncio.run(fetch_many(site.feed_urls, allow_private=True, accept=FEED_TYPES))
    seen: set[str] = set()
    items: list[FeedItem] = []
    for page in pages:
        if not page.ok:
            continue
        for item in parse_feed(page.content, page.final_url, page.headers).items:
            canon = canonical_url(item.url)
            if canon not in seen:
                seen.add(canon)
                items.append(item)
    return items


def run_pipeline(
    site: Site, db: Path, keep: bool = False, batch_size: int = BATCH_SIZE, workers: int = 1
) -> PipelinePass:
    """Run discover, fetch, clean, extract, load+detect over the site, timing each stage.

    Clean and extract run on `workers` processes (the product's StagePool), load in this one.
    """
    with StagePool(workers) as pool:
        # starting the workers and loading the model is start-up, not per-article work
        pool.extract([WARM_UP] * EXTRACT_CHUNK * workers) if workers > 1 else load_nlp()
        return _run(site, db, keep, batch_size, pool)


def _run(site: Site, db: Path, keep: bool, batch_size: int, pool: StagePool) -> PipelinePass:
    clock = StageClock()
    result = PipelinePass()
    loader = ThreadPoolExecutor(max_workers=1)
    loading: Future[tuple[int, int]] | None = None
    start = time.perf_counter()
    with clock.stage("discover"):
        items = discover(site)
    for i in range(0, len(items), batch_size):
        batch = items[i : i + batch_size]
        with clock.stage("fetch"):
            pages = asyncio.run(
                fetch_many([it.url for it in batch], allow_private=True, accept=ARTICLE_TYPES)
            )
        articles: list[Article] = []
        with clock.stage("clean"):
            jobs = []
            for item, page in zip(batch, pages, strict=True):
                if not page.ok:
                    result.failures += 1
                    continue
                result.pages += 1
                if keep:
                    result.bodies.append(page.content)
                jobs.append(
                    CleanJob(page.content, page.final_url, TOPIC, feed_published=item.published)
                )
            for cleaned in pool.clean(jobs):
                if isinstance(cleaned, CleanFailure):
                    result.failures += 1
                else:
                    articles.append(cleaned)
        with clock.stage("extract"):
            extractions: list[Extraction] = pool.extract(articles)
        # as monitor_topic does: the batch loads on a thread while the next one is fetched
        # and cleaned; the stage's time is the load's own, so the stages overlap in wall time
        if loading is not None:
            result.add_load(loading.result())
        loading = loader.submit(_timed_load, clock, str(db), articles, extractions)
        result.articles += len(articles)
        if keep:
            result.cleaned.extend(articles)
    if loading is not None:
        result.add_load(loading.result())
    loader.shutdown()
    result.total_s = time.perf_counter() - start
    result.seconds = {s: clock.seconds.get(s, 0.0) for s in STAGES}
    return result


def _timed_load(
    clock: StageClock, db: str, articles: list[Article], extractions: list[Extraction]
) -> tuple[int, int]:
    with clock.stage("load_detect"):
        claims_new, contradictions_new, _ = load_and_detect_batch(db, articles, extractions)
    return claims_new, contradictions_new


def clean_one_process(bodies: Sequence[bytes]) -> float:
    """Return the wall seconds the product's clean_page takes over the bodies in this process."""
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        clean_page(body, f"http://127.0.0.1/page/{i}", TOPIC)
    return time.perf_counter() - start


def _bare(body: bytes) -> bool:
    return trafilatura.extract(body) is not None


def bare_trafilatura(bodies: Sequence[bytes], processes: int = 1) -> float:
    """Return the wall seconds bare trafilatura.extract takes over the bodies with N processes."""
    start = time.perf_counter()
    if processes <= 1:
        for body in bodies:
            _bare(body)
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_bare, bodies, chunksize=4)
    return time.perf_counter() - start
