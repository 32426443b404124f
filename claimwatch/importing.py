"""Importing local .txt/.html articles through the same extract, load and detect path."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from claimwatch.batches import load_and_detect_batch
from claimwatch.notify import Delivery, configured_urls, deliver
from claimwatch.pool import StagePool, worker_count
from claimwatch.report import report_after_change
from records import Alert, Article, stable_id
from warehouse.snapshots import refresh_snapshot
from ingest.cleaning import CleanFailure, clean_page, content_hash
from ingest.fetching import looks_binary
from warehouse.store import connect


def read_article(
    path: Path,
    topic: str,
    outlet: str | None = None,
    published: datetime | None = None,
    url: str | None = None,
) -> Article | CleanFailure:
    """Read a local file as an article; a .txt file's first line is its headline."""
    url = url or path.resolve().as_uri()
    raw = path.read_bytes()
    if looks_binary(raw):
        return CleanFailure(url, "binary file, not text")
    if path.suffix.lower() in (".html", ".htm"):
        result = clean_page(raw, url, topic, outlet=outlet, feed_published=published)
        if isinstance(result, Article) and published:
            result = Article(**{**result.__dict__, "published": published})
        return result
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return CleanFailure(url, "empty file")
    title = text.split("\n", 1)[0].strip()
    digest = content_hash(text)
    name = outlet or path.stem
    return Article(
        article_id=stable_id(url, digest),
        topic=topic,
        url=url,
        canonical_url=url,
        outlet=name,
        title=title,
        author=None,
        published=published,
        language=None,  # guessed from the text where it matters
        text=text,
        content_hash=digest,
        fetched_at=datetime.now(UTC),
        source_key=name,
        raw_html=None,
    )


def import_files(
    paths: list[Path],
    db: str,
    topic: str = "imported",
    outlet: str | None = None,
    published: datetime | None = None,
    url: str | None = None,
    notes: list[str] | None = None,
) -> tuple[list[Article], list[CleanFailure], int, int, list[Alert]]:
    """Import files into the warehouse; returns articles, failures, new claims, contradictions, alerts."""
    articles: list[Article] = []
    failures: list[CleanFailure] = []
    one_url = url if len(paths) == 1 else None
    # files are read, cleaned and extracted on one process per core (CLAIMWATCH_WORKERS);
    # a single file is not worth starting workers for
    with StagePool(worker_count() if len(paths) > 1 else 1) as pool:
        read = partial(read_article, topic=topic, outlet=outlet, published=published, url=one_url)
        for result in pool.map(read, paths):
            (failures if isinstance(result, CleanFailure) else articles).append(result)  # type: ignore[arg-type]
        extracted = pool.extract(articles)
    # an article whose extraction fails is skipped with its reason; the others load
    failures += [
        CleanFailure(a.url, x.error) for a, x in zip(articles, extracted, strict=True) if x.error
    ]
    if notes is not None:
        notes += [f"{a.url}: {x.note}" for a, x in zip(articles, extracted, strict=True) if x.note]
    kept = [(a, x) for a, x in zip(articles, extracted, strict=True) if not x.error]
    articles, extractions = [a for a, _ in kept], [x for _, x in kept]
    claims_new, contradictions_new, alerts = load_and_detect_batch(db, articles, extractions)
    refresh_snapshot(db)
    report_after_change(db, topic)  # a report written before shows the imported articles
    return articles, failures, claims_new, contradictions_new, alerts


def deliver_alerts(db: str, notify: list[str] | None = None) -> list[Delivery] | None:
    """Deliver undelivered alert versions as a run does; None when no URL is configured."""
    targets = configured_urls(notify)
    if not targets:
        return None
    with connect(db) as con:
        results = deliver(con, targets, db)
    if results:
        refresh_snapshot(db)  # deliveries are state the snapshot shows too
    return results
