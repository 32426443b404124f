"""Conditional GET state per source (ETag, Last-Modified, content digest), kept in the sources table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from ingest.feeds import FeedItem, parse_date
from warehouse.store import registered


@dataclass(frozen=True)
class SourceState:
    """What we knew of a source after its last check: validators, digest and the items it listed."""

    url: str
    topic: str
    kind: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    last_checked: datetime | None = None
    last_status: int | None = None
    last_changed: datetime | None = None
    items: tuple[FeedItem, ...] = ()


def request_headers(state: SourceState | None) -> dict[str, str]:
    """Return the If-None-Match / If-Modified-Since headers for a source's next fetch."""
    headers: dict[str, str] = {}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def items_digest(items: Iterable[FeedItem], body: bytes = b"") -> str:
    """Return a digest of what a source lists (its bytes when it lists nothing)."""
    listed = sorted(
        (i.url, i.title or "", i.published.isoformat() if i.published else "") for i in items
    )
    payload = json.dumps(listed).encode("utf-8") if listed else body
    return hashlib.sha1(payload).hexdigest()


def _items_json(items: tuple[FeedItem, ...]) -> str:
    return json.dumps(
        [
            [i.url, i.title, i.published.isoformat() if i.published else None, i.feed_url, i.outlet]
            for i in items
        ]
    )


def _items(value: str | None) -> tuple[FeedItem, ...]:
    try:
        rows = json.loads(value or "[]")
        return tuple(FeedItem(r[0], r[1], parse_date(r[2]), r[3], r[4]) for r in rows)
    except (ValueError, TypeError, IndexError):
        return ()  # an unreadable list only costs a full fetch


def load_states(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, SourceState]:
    """Return the stored state of each source URL that has one."""
    rows = con.execute(
        """SELECT url, topic, kind, etag, last_modified, content_hash, last_checked, last_status,
                  last_changed, items FROM sources WHERE list_contains(?, url)""",
        [urls],
    ).fetchall()
    return {
        r[0]: SourceState(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], items=_items(r[9]))
        for r in rows
    }


def save_states(con: duckdb.DuckDBPyConnection, states: list[SourceState]) -> None:
    """Upsert source states in bulk (one Arrow insert)."""
    if not states:
        return
    unique = list({s.url: s for s in states}.values())
    ts = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "url": [s.url for s in unique],
            "topic": [s.topic for s in unique],
            "kind": [s.kind for s in unique],
            "etag": pa.array([s.etag for s in unique], pa.string()),
            "last_modified": pa.array([s.last_modified for s in unique], pa.string()),
            "content_hash": pa.array([s.content_hash for s in unique], pa.string()),
            "last_checked": pa.array([s.last_checked for s in unique], ts),
            "last_status": pa.array([s.last_status for s in unique], pa.int32()),
            "last_changed": pa.array([s.last_changed for s in unique], ts),
            "items": [_items_json(s.items) for s in unique],
        }
    )
    cols = ", ".join(table.column_names)
    sets = ", ".join(f"{c} = excluded.{c}" for c in table.column_names if c != "url")
    with registered(con, "_sources", table):
        con.execute(
            f"INSERT INTO sources ({cols}) SELECT {cols} FROM _sources ON CONFLICT (url) DO UPDATE SET {sets}"
        )
