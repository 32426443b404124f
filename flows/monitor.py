"""The monitor_topic flow: discover, fetch, clean, dedupe, extract, load, detect, alert."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.futures import PrefectFuture
from prefect.artifacts import create_markdown_artifact

from claimwatch.batches import load_and_detect_batch
from claimwatch.pool import active, running, worker_count
from claimwatch.notify import Delivery, configured_urls, deliver, delivery_lines

from records import Alert, Article
from claimwatch.report import report_after_run
from extractors.claims import Extraction, extract_articles
from extractors.pipeline import backend_name, load_nlp
from flows.policies import (
    MONITOR_TIMEOUT_S,
    TRANSIENT_RETRIES,
    on_run_failure,
    run_id,
    skip_if_late,
)
from flows.runs import claim_ownership, end_stray_servers, open_run
from flows.taskrunners import extraction_runner, runner_chosen
from ingest.feeds import FeedItem
from ingest.fetching import Fetcher, Page
from ingest.stages import (
    ERROR,
    FetchOutcome,
    RunFetches,
    dedupe,
    fetch_and_clean,
    read_sources,
    record_fetches,
    select_new,
)
from ingest.topics import Topic, load_topic
from warehouse.snapshots import (
    SNAPSHOT_MAX_AGE_S,
    refresh_snapshot,
    remove_stale_temps,
    snapshot_age_s,
)
from warehouse.store import connect

claim_ownership()  # a temporary Prefect server this process starts is known as its own

BATCH_SIZE = 50
# Extraction of a batch is split into chunks run in parallel on the flow's task runner
# (threads here, Dask workers across machines); a chunk is big enough that its task
# overhead (milliseconds) stays small next to its extraction time.
EXTRACT_CHUNK = 25


@dataclass
class RunSummary:
    """What one run did, as stored in flow_runs and shown in the run's artifact."""

    run_id: str
    topic: str
    db: str
    nlp_backend: str = ""
    sources_checked: int = 0
    not_modified: int = 0
    fetched: int = 0
    failed: int = 0
    articles_new: int = 0
    claims_new: int = 0
    contradictions_new: int = 0
    alerts_sent: int = 0
    skipped: str | None = None  # why the run did nothing (late, or its topic already running)
    deliveries_failed: int = 0
    alerts: list[Alert] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)  # one line per attempt, for the console

    def add_load(self, loaded: tuple[int, int, list[Alert]]) -> None:
        """Take in what one batch's load stored: new claims, new contradictions, its alerts."""
        claims_new, contradictions_new, alerts = loaded
        self.claims_new += claims_new
        self.contradictions_new += contradictions_new
        self.alerts += alerts

    def count_deliveries(self, results: list[Delivery]) -> None:
        """Take in this run's delivery attempts: how many went out, how many failed, and each line."""
        self.alerts_sent = sum(1 for r in results if r.ok)
        self.deliveries_failed = sum(1 for r in results if not r.ok)
        self.deliveries = delivery_lines(results)


def default_db() -> str:
    """Return the warehouse from CLAIMWATCH_DB or CLAIMWATCH_WAREHOUSE (a ducklake: name), else var/claimwatch.duckdb."""
    return os.environ.get("CLAIMWATCH_DB") or os.environ.get(
        "CLAIMWATCH_WAREHOUSE", "var/claimwatch.duckdb"
    )


async def _fetch_all(urls: list[str], allow_private: bool, accept: tuple[str, ...]) -> list[Page]:
    async with Fetcher(allow_private=allow_private) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch(u, accept) for u in urls)))


@task(name="fetch_feeds", **TRANSIENT_RETRIES)
def fetch_feeds(topic: Topic, db: str) -> tuple[list[FeedItem], list[FetchOutcome]]:
    """Fetch every feed and sitemap of the topic (conditional GET) and read its items."""
    return read_sources(topic, db)


@task(name="select_new_items", **TRANSIENT_RETRIES)
def select_new_items(
    items: list[FeedItem], db: str, topic: str | None = None
) -> tuple[list[FeedItem], list[FetchOutcome]]:
    """Drop items already stored, repeated within the run, or (given the topic) settled by an earlier run."""
    return select_new(items, db, topic)


@task(name="fetch_articles", **TRANSIENT_RETRIES)
def fetch_articles(
    items: list[FeedItem], topic: Topic
) -> tuple[list[Article], list[FetchOutcome], dict[str, tuple[int | None, int, float]]]:
    """Fetch (politely: robots.txt, per-host caps and delays) and clean a batch of article pages."""
    return fetch_and_clean(items, topic, cleaner=active().clean)


@task(name="dedupe_articles", **TRANSIENT_RETRIES)
def dedupe_articles(
    articles: list[Article], sizes: dict[str, tuple[int | None, int, float]], db: str
) -> tuple[list[Article], list[FetchOutcome]]:
    """Drop exact copies of stored text; give syndicated near-copies the first copy's source_key."""
    return dedupe(articles, sizes, db)


@task(name="extract_claims")
def extract_claims(articles: list[Article]) -> tuple[list[Extraction], str]:
    """Extract entities and claims from a batch of articles."""
    nlp, backend = load_nlp()
    return extract_articles(articles, nlp), backend


@task(name="extract_on_workers")
def extract_on_workers(articles: list[Article]) -> tuple[list[Extraction], str]:
    """Extract a batch on the run's worker processes, keeping article order."""
    pool = active()
    return pool.extract(articles), pool.backend


def extract_in_parallel(articles: list[Article]) -> tuple[list[Extraction], str]:
    """Extract a batch on the run's worker processes, else as chunks on the flow's task runner."""
    if active().workers > 1 and articles:
        return extract_on_workers(articles)
    chunks = [articles[i : i + EXTRACT_CHUNK] for i in range(0, len(articles), EXTRACT_CHUNK)]
    if not chunks:
        return [], ""
    results = [f.result() for f in [extract_claims.submit(c) for c in chunks]]
    return [x for part, _ in results for x in part], results[0][1]


def settle_extractions(
    articles: list[Article], extractions: list[Extraction], outcomes: list[FetchOutcome]
) -> tuple[list[Article], list[Extraction], list[FetchOutcome]]:
    """Drop articles whose extraction failed, their fetch row saying why; note a long text's cut."""
    by_url = {a.url: x for a, x in zip(articles, extractions, strict=True)}
    settled: list[FetchOutcome] = []
    for o in outcomes:
        x = by_url.get(o.url) if o.kind == "article" else None
        if x is not None and x.error:
            o = replace(o, outcome=ERROR, reason=x.error)
        elif x is not None and x.note:
            o = replace(o, reason="; ".join(r for r in (o.reason, x.note) if r))
        settled.append(o)
    kept = [(a, x) for a, x in zip(articles, extractions, strict=True) if not x.error]
    return [a for a, _ in kept], [x for _, x in kept], settled


def artifact_key(prefix: str, topic: str) -> str:
    """Return a valid Prefect artifact key (lower-case letters, digits, dashes) for a topic."""
    ascii_name = unicodedata.normalize("NFKD", topic).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if slug != topic:
        # 'df_rss' and 'df-rss' are different topics: a digest of the name keeps them apart
        slug = "-".join(p for p in (slug, hashlib.sha1(topic.encode()).hexdigest()[:8]) if p)
    return f"{prefix}-{slug}"


@task(name="load_claims", **TRANSIENT_RETRIES)
def load_claims(
    db: str,
    articles: list[Article],
    extractions: list[Extraction],
    fetches: RunFetches | None = None,
) -> tuple[int, int, list[Alert]]:
    """Load a batch and its fetch rows, detecting contradictions against stored claims."""
    return load_and_detect_batch(db, articles, extractions, fetches)


class BatchLoads:
    """A run's batch loads, one at a time, each on a thread while the next batch is fetched.

    The writer's core works while the workers clean. The caller waits for a load before it
    deduplicates the next batch, so that batch sees the stored text of a sequential run and
    batches commit in order. A named task runner (processes, Dask) would run the load
    elsewhere: then each batch loads in this process before the next is fetched.
    """

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        self.overlap = not runner_chosen()
        self._running: PrefectFuture[tuple[int, int, list[Alert]]] | None = None

    def start(
        self,
        db: str,
        articles: list[Article],
        extractions: list[Extraction],
        fetches: RunFetches | None = None,
    ) -> None:
        """Load a batch (after the one still running): on a thread when overlapping, else now."""
        self.wait()
        if self.overlap:
            self._running = load_claims.submit(db, articles, extractions, fetches)
        else:
            self.summary.add_load(load_claims(db, articles, extractions, fetches))

    def wait(self) -> None:
        """Take in the load still running, if any, into the run's summary."""
        if self._running is not None:
            loaded, self._running = self._running.result(), None
            self.summary.add_load(loaded)


@task(name="write_fetches", **TRANSIENT_RETRIES)
def write_fetches(db: str, fetches: RunFetches) -> None:
    """Store fetch outcomes no batch carries (the feeds', items listed twice) at once."""
    if not fetches.outcomes:
        return
    with connect(db) as con:
        con.begin()
        fetches.write(con)
        con.commit()


@task(name="send_alerts")
def send_alerts(db: str, notify: list[str] | None) -> list[Delivery]:
    """Deliver undelivered alert versions to every configured notification URL."""
    targets = configured_urls(notify)
    if not targets:
        return []
    with connect(db) as con:
        results = deliver(con, targets, db)
    logger = get_run_logger()
    for r, line in zip(results, delivery_lines(results), strict=True):
        (logger.info if r.ok else logger.warning)(line)
    failed = [r for r in results if not r.ok]
    if failed:
        logger.warning("%d alert deliveries failed; they are retried next run", len(failed))
    return results


@task(name="record_run", **TRANSIENT_RETRIES)
def record_run(
    summary: RunSummary,
    started: datetime,
    fetches: list[FetchOutcome],
    status: str,
    written: int = 0,
) -> None:
    """Store the fetch outcomes from `written` on, and close the run's flow_runs row."""
    now = datetime.now(UTC)
    cols = ("run_id, topic, started_at, finished_at, nlp_backend, sources_checked, not_modified, "
            "fetched, failed, articles_new, claims_new, contradictions_new, alerts_sent, status")  # fmt: skip
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols.split(", ")[3:])
    with connect(summary.db) as con:
        con.begin()
        record_fetches(con, summary.run_id, summary.topic, fetches[written:], written)
        con.execute(
            f"INSERT INTO flow_runs ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT (run_id) DO UPDATE SET {updates}",
            [summary.run_id, summary.topic, started, now, summary.nlp_backend, summary.sources_checked,
             summary.not_modified, summary.fetched, summary.failed, summary.articles_new, summary.claims_new,
             summary.contradictions_new, summary.alerts_sent, status],
        )  # fmt: skip
        con.commit()


def run_markdown(summary: RunSummary, heading: str | None = None) -> str:
    """Return the markdown table a run leaves as its Prefect artifact."""
    lines = [
        heading or f"## claimwatch run for topic `{summary.topic}`",
        "",
        "| sources | fetched | failed | new articles | new claims | new contradictions | alerts sent "
        "| failed deliveries |",
        "|---|---|---|---|---|---|---|---|",
        f"| {summary.sources_checked} | {summary.fetched} | {summary.failed} | {summary.articles_new} "
        f"| {summary.claims_new} | {summary.contradictions_new} | {summary.alerts_sent} "
        f"| {summary.deliveries_failed} |",
        "",
    ]
    if summary.alerts:
        lines += ["| alert | kind | severity | title |", "|---|---|---|---|"]
        lines += [f"| {a.alert_id} | {a.kind} | {a.severity} | {a.title} |" for a in summary.alerts]
    return "\n".join(lines)


def refresh_reads(db: str, topic: str, changed: bool) -> str:
    """Rewrite the topic's report after a run, and the snapshot when the run changed something.

    Returns the report's markdown link for the run artifact ('' when writing it failed).
    """
    # The report is rewritten after every run, one that loaded nothing too: its run health
    # counts runs and tells a source gone silent, which only runs that load nothing show.
    # The snapshot is a copy of the whole file, a cost that grows with the archive: a run
    # that loaded nothing leaves it (at most SNAPSHOT_MAX_AGE_S old), and `sql` says its age.
    if changed or snapshot_age_s(db) > SNAPSHOT_MAX_AGE_S:
        refresh_snapshot(db)
    return report_after_run(db, topic)


@flow(
    name="monitor_topic",
    log_prints=True,
    timeout_seconds=MONITOR_TIMEOUT_S,
    task_runner=extraction_runner(),
    on_failure=[on_run_failure],
    on_crashed=[on_run_failure],
)
def monitor_topic(
    topic: str = "panjshir",
    db: str | None = None,
    topic_file: str | None = None,
    site: str | None = None,
    notify: list[str] | None = None,
    skip_if_late_s: float | None = None,
) -> RunSummary:
    """Monitor one topic: fetch new articles, extract claims, store them, alert on conflicts."""
    started = datetime.now(UTC)
    db = db or default_db()
    late = skip_if_late(skip_if_late_s)
    if late:  # after downtime, one fresh run beats a pile of stale ones
        get_run_logger().warning(late)
        skipped = RunSummary(run_id=run_id(), topic=topic, db=db, skipped=late)
        record_run(skipped, started, [], "skipped")
        return skipped
    path = Path(topic_file) if topic_file else Path("topics") / f"{topic}.toml"
    config = load_topic(path, site=site)
    summary = RunSummary(run_id=run_id(), topic=config.name, db=db)
    # what a killed earlier run left behind: its temporary server, its half-copied snapshot
    end_stray_servers()
    remove_stale_temps(db)
    busy = open_run(db, summary.run_id, config.name, started)
    if busy:
        get_run_logger().warning(busy)
        summary.skipped = busy
        return summary
    summary.sources_checked = len(config.sources)
    fetches: list[FetchOutcome] = []

    items, outcomes = fetch_feeds(config, db)
    fetches += outcomes
    fresh, outcomes = select_new_items(items, db, config.name)
    fetches += outcomes
    write_fetches(db, RunFetches(summary.run_id, config.name, fetches))
    written = len(fetches)
    # cleaning and extraction run on one process per core (CLAIMWATCH_WORKERS); this process
    # fetches and is the one writer, so the rows are those of a one-process run. A task
    # runner named in the environment (processes, a Dask cluster) takes extraction instead.
    loads = BatchLoads(summary)
    with running(worker_count() if fresh and not runner_chosen() else 1):
        for i in range(0, len(fresh), BATCH_SIZE):
            batch = fresh[i : i + BATCH_SIZE]
            cleaned, outcomes, sizes = fetch_articles(batch, config)
            loads.wait()  # the next dedupe reads what the last batch stored
            fetches += outcomes
            articles, outcomes = dedupe_articles(cleaned, sizes, db)
            extractions, backend = extract_in_parallel(articles)
            summary.nlp_backend = backend or summary.nlp_backend
            articles, extractions, outcomes = settle_extractions(articles, extractions, outcomes)
            fetches += outcomes
            # the batch's fetch rows commit with its articles: a kill loses neither alone
            batch_fetches = RunFetches(summary.run_id, config.name, fetches[written:], written)
            written = len(fetches)
            summary.articles_new += len(articles)
            loads.start(db, articles, extractions, batch_fetches)
        loads.wait()
    summary.fetched = sum(
        1
        for f in fetches
        if f.kind == "article" and f.outcome in ("new", "filtered", "duplicate") and f.http_status
    )
    summary.failed = sum(1 for f in fetches if f.outcome == "error")
    summary.not_modified = sum(1 for f in fetches if f.outcome == "not_modified")
    summary.count_deliveries(send_alerts(db, notify))
    if not summary.nlp_backend:
        summary.nlp_backend = backend_name()  # no article parsed: the name, not the model
    record_run(summary, started, fetches, "completed", written)
    report_link = refresh_reads(
        db, config.name, bool(summary.articles_new or summary.alerts or summary.deliveries)
    )
    create_markdown_artifact(
        markdown=run_markdown(summary) + report_link,
        key=artifact_key("claimwatch", config.name),
        description="claimwatch run summary",
    )
    return summary
