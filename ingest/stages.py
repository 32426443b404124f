"""The ingestion stages the monitor flow's tasks run: read sources, select, fetch and clean, dedupe, record."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa

from records import Article, stable_id
from ingest.cleaning import CleanFailure, CleanJob, clean_job
from ingest.conditional import SourceState, items_digest, load_states, request_headers, save_states
from ingest.dedup import link_syndicated, store_fingerprints
from ingest.discovery import discover
from ingest.feeds import FeedItem
from ingest.fetching import ARTICLE_TYPES, FEED_TYPES, Fetcher, Page
from ingest.topics import Source, Topic
from ingest.urls import canonical_url
from warehouse.store import connect, registered

MAX_SITEMAP_DEPTH = 2  # an index of indexes of sitemaps, no deeper
# fetch outcomes as stored in fetches.outcome
NEW, NOT_MODIFIED, DUPLICATE, FILTERED, ROBOTS, ERROR, FETCHED = (
    "new", "not_modified", "duplicate", "filtered", "robots_disallowed", "error", "fetched",
)  # fmt: skip

Sizes = dict[str, tuple[int | None, int, float]]


@dataclass(frozen=True)
class FetchOutcome:
    """One row of the fetches table: what happened to one URL in one run."""

    url: str
    kind: str
    outcome: str
    http_status: int | None = None
    reason: str | None = None
    bytes: int = 0
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class RunFetches:
    """A run's fetch outcomes from one position on, written in the transaction of the batch they led to."""

    run_id: str
    topic: str
    outcomes: list[FetchOutcome]
    start: int = 0  # position of the first outcome in the run's list: fetch ids stay stable

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        """Insert these outcomes in the caller's transaction."""
        record_fetches(con, self.run_id, self.topic, self.outcomes, self.start)


def fetcher_for(topic: Topic, allow: Sequence[str] = ()) -> Fetcher:
    """Return a fetcher with the topic's politeness settings (per-host cap, delays, robots.txt)."""
    fetcher = Fetcher(
        allow_private=topic.allow_private,
        per_host=topic.per_host,
        delay_s=topic.delay_s,
        respect_robots=topic.respect_robots,
        allow=allow,
        only_hosts=topic.only_hosts,
    )
    for source in topic.sources:
        fetcher.host_delays[urlsplit(source.url).netloc] = topic.host_delay(source.url)
    return fetcher


def _failed(page: Page, kind: str) -> FetchOutcome:
    outcome = page.outcome if page.outcome in (ROBOTS, FILTERED) else ERROR
    return FetchOutcome(
        page.url,
        kind,
        outcome,
        page.status,
        page.error or f"HTTP {page.status}",
        0,
        page.elapsed_ms,
    )


def _newest(items: list[FeedItem], limit: int) -> list[FeedItem]:
    if len(items) <= limit:
        return items
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(items, key=lambda i: i.published or oldest, reverse=True)[:limit]


async def _read_level(
    fetcher: Fetcher,
    level: list[tuple[str, str, Source]],
    topic: Topic,
    states: dict[str, SourceState],
) -> list[tuple[Source, list[FeedItem], tuple[str, ...], FetchOutcome, SourceState]]:
    pages = await asyncio.gather(
        *(fetcher.fetch(url, FEED_TYPES, request_headers(states.get(url))) for url, _, _ in level)
    )
    now = datetime.now(UTC)
    out: list[tuple[Source, list[FeedItem], tuple[str, ...], FetchOutcome, SourceState]] = []
    for (url, kind, source), page in zip(level, pages, strict=True):
        old = states.get(url) or SourceState(url, topic.name, kind)
        checked = replace(
            old, topic=topic.name, kind=kind, last_checked=now, last_status=page.status
        )
        if page.outcome == NOT_MODIFIED:
            # the items listed last time come back, so articles that failed then are retried now
            why = "HTTP 304: unchanged since the last run"
            out.append(
                (
                    source,
                    list(old.items),
                    (),
                    FetchOutcome(url, kind, NOT_MODIFIED, 304, why, 0, page.elapsed_ms),
                    checked,
                )
            )
            continue
        if not page.ok:
            out.append((source, [], (), _failed(page, kind), checked))
            continue
        result = discover(page.content, page.final_url, kind, page.headers)
        items = _newest(result.items, source.max_items)
        digest = items_digest(result.items, page.content)
        state = replace(
            checked,
            etag=page.headers.get("etag"),
            last_modified=page.headers.get("last-modified"),
            content_hash=digest,
            items=tuple(items),
            last_changed=old.last_changed if digest == old.content_hash else now,
        )
        size = len(page.content)
        if digest == old.content_hash:
            # some servers answer 200 (or keep their ETag) without a change: the digest decides
            outcome = FetchOutcome(
                url,
                kind,
                NOT_MODIFIED,
                page.status,
                "same items as the last run",
                size,
                page.elapsed_ms,
            )
        elif result.error and not (result.items or result.children):
            outcome = FetchOutcome(
                url, kind, ERROR, page.status, result.error, size, page.elapsed_ms
            )
        else:
            outcome = FetchOutcome(
                url, kind, FETCHED, page.status, result.error, size, page.elapsed_ms
            )
        out.append((source, items, result.children, outcome, state))
    return out


async def _read_all(
    topic: Topic, db: str, allow: Sequence[str]
) -> tuple[list[FeedItem], list[FetchOutcome], list[SourceState]]:
    items: list[FeedItem] = []
    outcomes: list[FetchOutcome] = []
    saved: list[SourceState] = []
    level = [(s.url, s.kind, s) for s in topic.sources]
    seen = {s.url for s in topic.sources}
    async with fetcher_for(topic, allow) as fetcher:
        for depth in range(MAX_SITEMAP_DEPTH + 1):
            if not level:
                break
            with connect(db) as con:
                states = load_states(con, [url for url, _, _ in level])
            children: list[tuple[str, str, Source]] = []
            for source, found, kids, outcome, state in await _read_level(
                fetcher, level, topic, states
            ):
                items += [replace(i, outlet=source.outlet or i.outlet) for i in found]
                outcomes.append(outcome)
                saved.append(state)
                if depth < MAX_SITEMAP_DEPTH:
                    children += [(k, "sitemap", source) for k in kids if k not in seen]
                    seen.update(kids)
            level = children
    return items, outcomes, saved


def read_sources(
    topic: Topic, db: str, allow: Sequence[str] = ()
) -> tuple[list[FeedItem], list[FetchOutcome]]:
    """Fetch the topic's feeds and sitemaps (conditional GET) and return their items."""
    items, outcomes, states = asyncio.run(_read_all(topic, db, allow))
    with connect(db) as con:
        # saved at once: an item list replayed on the next 304 makes a killed run harmless
        save_states(con, states)
    return items, outcomes


def _settled(con: duckdb.DuckDBPyConnection, topic: str, urls: list[str]) -> set[str]:
    """Return listed URLs whose fate an earlier run settled (body read and judged, gone, or disallowed)."""
    rows = con.execute(
        """SELECT DISTINCT url FROM fetches
           WHERE topic = ? AND kind = 'article' AND list_contains(?, url)
             AND (outcome = 'robots_disallowed' OR http_status IN (404, 410)
                  OR (outcome IN ('filtered', 'duplicate', 'error') AND http_status BETWEEN 200 AND 299))""",
        [topic, urls],
    ).fetchall()
    return {r[0] for r in rows}


def _recorded(con: duckdb.DuckDBPyConnection, topic: str, urls: list[str]) -> set[str]:
    """Return listed URLs that already have an article row in fetches for this topic."""
    rows = con.execute(
        "SELECT DISTINCT url FROM fetches WHERE topic = ? AND kind = 'article' AND list_contains(?, url)",
        [topic, urls],
    ).fetchall()
    return {r[0] for r in rows}


def select_new(
    items: list[FeedItem], db: str, topic: str | None = None
) -> tuple[list[FeedItem], list[FetchOutcome]]:
    """Drop items already stored, repeated in this run, or (given the topic) settled by an earlier run."""
    seen: set[str] = set()
    canon = [canonical_url(i.url) for i in items]
    with connect(db) as con:
        stored = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT canonical_url FROM articles WHERE list_contains(?, canonical_url)",
                [sorted(set(canon))],
            ).fetchall()
        }
        urls = [i.url for i in items]
        settled = _settled(con, topic, urls) if topic else set()
        recorded = _recorded(con, topic, urls) if topic else set()
    fresh: list[FeedItem] = []
    outcomes: list[FetchOutcome] = []
    for item, c in zip(items, canon, strict=True):
        if c in stored:
            # a feed lists an item for days: its first decision is on record, repeating it
            # every run would grow fetches by the feed's length per run
            if item.url not in recorded:
                outcomes.append(
                    FetchOutcome(item.url, "article", DUPLICATE, None, "already stored")
                )
        elif c in seen:
            outcomes.append(
                FetchOutcome(item.url, "article", DUPLICATE, None, "listed twice in this run")
            )
        elif item.url in settled:
            continue  # the row that settled it is the decision on record
        else:
            seen.add(c)
            fresh.append(item)
    return fresh, outcomes


def _language_ok(topic: Topic, language: str | None) -> bool:
    if not topic.languages or not language:
        return True
    return language.split("-")[0].lower() in {
        lang.split("-")[0].lower() for lang in topic.languages
    }


async def _fetch_pages(items: list[FeedItem], topic: Topic, allow: Sequence[str]) -> list[Page]:
    async with fetcher_for(topic, allow) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch(i.url, ARTICLE_TYPES) for i in items)))


def clean_in_order(jobs: Sequence[CleanJob]) -> list[Article | CleanFailure]:
    """Clean pages one after another in this process."""
    return [clean_job(j) for j in jobs]


def fetch_and_clean(
    items: list[FeedItem],
    topic: Topic,
    allow: Sequence[str] = (),
    cleaner: Callable[[Sequence[CleanJob]], list[Article | CleanFailure]] = clean_in_order,
) -> tuple[list[Article], list[FetchOutcome], Sizes]:
    """Fetch and clean a batch of article pages; every page ends as an article or an outcome row.

    `cleaner` cleans the fetched pages and returns the results in order (a process pool's).
    """
    pages = asyncio.run(_fetch_pages(items, topic, allow))
    articles: list[Article] = []
    outcomes: list[FetchOutcome] = []
    sizes: Sizes = {}
    fetched = [(item, page) for item, page in zip(items, pages, strict=True) if page.ok]
    jobs = [
        CleanJob(
            page.content,
            page.url,
            topic.name,
            final_url=page.final_url,
            outlet=item.outlet,
            feed_published=item.published,
            headers=page.headers,
        )
        for item, page in fetched
    ]
    cleaned = iter(cleaner(jobs))
    for item, page in zip(items, pages, strict=True):
        if not page.ok:
            outcomes.append(_failed(page, "article"))
            continue
        size = len(page.content)
        result = next(cleaned)
        if isinstance(result, CleanFailure):
            outcomes.append(
                FetchOutcome(
                    page.url, "article", ERROR, page.status, result.reason, size, page.elapsed_ms
                )
            )
        elif not topic.wants(result.text):
            outcomes.append(
                FetchOutcome(
                    page.url,
                    "article",
                    FILTERED,
                    page.status,
                    "no topic keyword",
                    size,
                    page.elapsed_ms,
                )
            )
        elif not _language_ok(topic, result.language):
            why = f"language {result.language} is not one of the topic's"
            outcomes.append(
                FetchOutcome(page.url, "article", FILTERED, page.status, why, size, page.elapsed_ms)
            )
        else:
            articles.append(result)
            sizes[result.article_id] = (page.status, size, page.elapsed_ms)
    return articles, outcomes, sizes


def dedupe(
    articles: list[Article], sizes: Sizes, db: str
) -> tuple[list[Article], list[FetchOutcome]]:
    """Drop exact copies (content hash); link near-duplicates (MinHash) to the first copy's source_key."""
    with connect(db) as con:
        stored = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT content_hash, any_value(url) FROM articles WHERE list_contains(?, content_hash) GROUP BY 1",
                [[a.content_hash for a in articles]],
            ).fetchall()
        }
        unique: list[Article] = []
        outcomes: list[FetchOutcome] = []
        for a in articles:
            status, size, ms = sizes.get(a.article_id, (None, 0, 0.0))
            if a.content_hash in stored:
                why = f"same text already stored ({stored[a.content_hash]})"
                outcomes.append(FetchOutcome(a.url, "article", DUPLICATE, status, why, size, ms))
                continue
            stored[a.content_hash] = a.url
            unique.append(a)
        con.begin()
        try:
            linked, matches, prints = link_syndicated(con, unique)
            store_fingerprints(con, prints)
            con.commit()
        except Exception:
            con.rollback()
            raise
    for a in linked:
        status, size, ms = sizes.get(a.article_id, (None, 0, 0.0))
        match = matches.get(a.article_id)
        note = (
            f"syndicated copy of {match.canonical_url} (similarity {match.similarity:.2f})"
            if match
            else None
        )
        outcomes.append(FetchOutcome(a.url, "article", NEW, status, note, size, ms))
    return linked, outcomes


def record_fetches(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    topic: str,
    fetches: list[FetchOutcome],
    start: int = 0,
) -> None:
    """Insert a run's fetch outcomes in bulk (one Arrow insert, idempotent per run)."""
    if not fetches:
        return
    now = datetime.now(UTC)
    table = pa.table(
        {
            "fetch_id": [stable_id(run_id, i, f.url) for i, f in enumerate(fetches, start)],
            "run_id": [run_id] * len(fetches),
            "topic": [topic] * len(fetches),
            "url": [f.url for f in fetches],
            "kind": [f.kind for f in fetches],
            "outcome": [f.outcome for f in fetches],
            "http_status": pa.array([f.http_status for f in fetches], pa.int32()),
            "reason": pa.array([f.reason for f in fetches], pa.string()),
            "bytes": pa.array([f.bytes for f in fetches], pa.int64()),
            "elapsed_ms": pa.array([f.elapsed_ms for f in fetches], pa.float64()),
            "fetched_at": pa.array([now] * len(fetches), pa.timestamp("us", tz="UTC")),
        }
    )
    cols = ", ".join(table.column_names)
    with registered(con, "_fetches", table):
        con.execute(
            f"INSERT INTO fetches ({cols}) SELECT {cols} FROM _fetches ON CONFLICT DO NOTHING"
        )
