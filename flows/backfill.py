"""The backfill flow: re-read a topic's feeds and sitemaps for articles published in a date range."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.logging.handlers import PrefectConsoleHandler
from prefect.artifacts import create_markdown_artifact
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows.monitor import (
    BATCH_SIZE,
    BatchLoads,
    FetchOutcome,
    RunSummary,
    _fetch_all,
    artifact_key,
    default_db,
    dedupe_articles,
    extract_in_parallel,
    fetch_articles,
    record_run,
    refresh_reads,
    run_markdown,
    select_new_items,
    send_alerts,
    settle_extractions,
)
from flows.policies import BACKFILL_TIMEOUT_S, TRANSIENT_RETRIES, on_run_failure, run_id
from flows.taskrunners import extraction_runner
from ingest.discovery import discover
from ingest.feeds import FeedItem
from ingest.fetching import FEED_TYPES
from ingest.topics import Topic, load_topic

# A sitemap index can name thousands of child sitemaps; a backfill reads at most this many.
MAX_SITEMAPS = 200


def date_window(since: date, until: date | None) -> tuple[datetime, datetime]:
    """Return the UTC instants [since 00:00, the day after until 00:00) covering both dates."""
    end = (until or datetime.now(UTC).date()) + timedelta(days=1)
    return datetime.combine(since, time(), UTC), datetime.combine(end, time(), UTC)


def in_window(item: FeedItem, start: datetime, end: datetime) -> bool:
    """Return whether an item's publication time falls in [start, end); undated items do not."""
    if item.published is None:
        return False
    when = item.published if item.published.tzinfo else item.published.replace(tzinfo=UTC)
    return start <= when < end


@task(name="discover_range", **TRANSIENT_RETRIES)
def discover_range(
    topic: Topic, start: datetime, end: datetime, max_sitemaps: int = MAX_SITEMAPS
) -> tuple[list[FeedItem], list[FetchOutcome]]:
    """Read the topic's feeds and sitemaps (following sitemap indexes) and keep items published in range."""
    import asyncio

    kinds = {s.url: s.kind for s in topic.sources}
    queue = [s.url for s in topic.sources]
    seen: set[str] = set()
    items: list[FeedItem] = []
    outcomes: list[FetchOutcome] = []
    while queue and len(seen) < max_sitemaps:
        urls = [u for u in queue[: max_sitemaps - len(seen)] if u not in seen]
        queue = queue[len(urls) :]
        seen.update(urls)
        for page in asyncio.run(_fetch_all(urls, topic.allow_private, FEED_TYPES)):
            kind = kinds.get(page.url, "sitemap")
            if not page.ok:
                outcomes.append(
                    FetchOutcome(
                        page.url, kind, "error", page.status, page.error, 0, page.elapsed_ms
                    )
                )
                continue
            result = discover(page.content, page.final_url, kind, page.headers)
            queue += [c for c in result.children if c not in seen]
            outcome = (
                "error" if result.error and not (result.items or result.children) else "fetched"
            )
            outcomes.append(
                FetchOutcome(
                    page.url,
                    kind,
                    outcome,
                    page.status,
                    result.error,
                    len(page.content),
                    page.elapsed_ms,
                )
            )
            items += result.items
    kept = [i for i in items if in_window(i, start, end)]
    get_run_logger().info(
        "%d sources read, %d items listed, %d published between %s and %s",
        len(seen),
        len(items),
        len(kept),
        start.date(),
        end.date(),
    )
    return kept, outcomes


def _prefect_console_handlers() -> list[PrefectConsoleHandler]:
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    found = {
        id(h): h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)
    }
    return list(found.values())


@contextmanager
def progress_bar(
    enabled: bool, total: int, label: str, console: Console | None = None
) -> Iterator[Callable[[int], None]]:
    """Show a rich progress bar on the terminal when enabled; yield a function that advances it."""
    if not enabled:
        yield lambda n: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    console = console or Console(stderr=True)
    # Prefect's log lines go through the bar's console, which prints them above the bar
    # instead of over it
    handlers = _prefect_console_handlers()
    saved = [h.console for h in handlers]
    with Progress(*columns, console=console) as progress:
        for h in handlers:
            h.console = console
        try:
            bar = progress.add_task(label, total=total)
            yield lambda n: progress.advance(bar, n)
        finally:
            for h, c in zip(handlers, saved, strict=True):
                h.console = c


def _artifact(summary: RunSummary, start: datetime, end: datetime) -> str:
    period = f"{start.date()} to {end.date() - timedelta(days=1)}"
    return run_markdown(summary, f"## claimwatch backfill for topic `{summary.topic}`, {period}")


@flow(
    name="backfill",
    log_prints=True,
    timeout_seconds=BACKFILL_TIMEOUT_S,
    task_runner=extraction_runner(),
    on_failure=[on_run_failure],
    on_crashed=[on_run_failure],
)
def backfill(
    topic: str,
    since: date,
    until: date | None = None,
    db: str | None = None,
    topic_file: str | None = None,
    site: str | None = None,
    notify: list[str] | None = None,
    show_progress: bool = False,
) -> RunSummary:
    """Load a topic's articles published from `since` to `until` (inclusive) that are not stored yet."""
    started = datetime.now(UTC)
    db = db or default_db()
    config = load_topic(
        Path(topic_file) if topic_file else Path("topics") / f"{topic}.toml", site=site
    )
    start, end = date_window(since, until)
    summary = RunSummary(run_id=run_id(), topic=config.name, db=db)
    items, fetches = discover_range(config, start, end)
    summary.sources_checked = sum(1 for f in fetches if f.kind in ("feed", "sitemap"))
    fresh, outcomes = select_new_items(items, db)
    fetches += outcomes
    loads = BatchLoads(summary)
    with progress_bar(show_progress, len(fresh), f"backfill {config.name}") as advance:
        for i in range(0, len(fresh), BATCH_SIZE):
            batch = fresh[i : i + BATCH_SIZE]
            cleaned, outcomes, sizes = fetch_articles(batch, config)
            loads.wait()  # the next dedupe reads what the last batch stored
            fetches += outcomes
            articles, outcomes = dedupe_articles(cleaned, sizes, db)
            extractions, backend = extract_in_parallel(articles)
            articles, extractions, outcomes = settle_extractions(articles, extractions, outcomes)
            fetches += outcomes
            summary.nlp_backend = backend or summary.nlp_backend
            summary.articles_new += len(articles)
            loads.start(db, articles, extractions)
            advance(len(batch))
        loads.wait()
    summary.fetched = sum(
        1 for f in fetches if f.kind == "article" and f.http_status and f.outcome != "error"
    )
    summary.failed = sum(1 for f in fetches if f.outcome == "error")
    summary.not_modified = sum(1 for f in fetches if f.outcome == "not_modified")
    summary.count_deliveries(send_alerts(db, notify))
    record_run(summary, started, fetches, "completed")
    # sql and the report show what the backfill loaded as soon as it ends
    report_link = refresh_reads(
        db, config.name, bool(summary.articles_new or summary.alerts or summary.deliveries)
    )
    create_markdown_artifact(
        markdown=_artifact(summary, start, end) + report_link,
        key=artifact_key("claimwatch-backfill", config.name),
        description="claimwatch backfill summary",
    )
    return summary
