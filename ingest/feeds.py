"""Reading feeds (RSS, Atom, JSON Feed) into items with absolute links and UTC dates."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: where the article is and what the feed says about it."""

    url: str
    title: str | None
    published: datetime | None  # None when the feed gives no date: never invented
    feed_url: str


@dataclass(frozen=True)
class FeedResult:
    """Items read from one feed, and the parse problem if the feed was malformed."""

    items: list[FeedItem]
    error: str | None


def parse_feed(content: bytes, feed_url: str, headers: dict[str, str] | None = None) -> FeedResult:
    """Parse feed bytes; a malformed feed yields what could be read plus an error."""
    parsed = feedparser.parse(content, response_headers={"content-location": feed_url, **(headers or {})})
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id")
        if not link:
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
        items.append(FeedItem(urljoin(feed_url, link), entry.get("title"), published, feed_url))
    error = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        error = f"{type(exc).__name__}: {exc}" if exc else "malformed feed"
        if not items and not parsed.get("version"):
            error = f"not a feed ({error})"
    return FeedResult(items, error)
