"""Reading feeds (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into items with absolute links and UTC dates."""

from __future__ import annotations

import calendar
import gzip
import json
import warnings
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.datetimes import _parse_date as _parse_feed_date

MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed or sitemap: where the article is and what the source says about it."""

    url: str
    title: str | None
    published: datetime | None  # None when the source gives no date: never invented
    feed_url: str
    outlet: str | None = None


@dataclass(frozen=True)
class FeedResult:
    """Items read from one feed or sitemap, child sitemaps to read, and the parse problem if any."""

    items: list[FeedItem]
    error: str | None
    children: tuple[str, ...] = ()


def gunzip(content: bytes, limit: int = MAX_FEED_BYTES) -> bytes:
    """Return content decompressed when it is a gzip file (sitemap.xml.gz), bounded by limit."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content, limit + 1)
    if len(out) > limit:
        raise ValueError(f"decompressed feed exceeds {limit} bytes")
    return out


def web_url(link: object, base: str) -> str | None:
    """Return a link resolved against base when it is an http(s) URL, else None."""
    if not isinstance(link, str) or not link.strip():
        return None
    url = urljoin(base, link.strip())
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def parse_date(value: object) -> datetime | None:
    """Parse an ISO 8601 / RFC 3339 date to UTC (a date without zone is taken as UTC); None if unusable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("z", "Z")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        struct = _parse_feed_date(text)  # RFC 822 and the other formats feeds use
        return datetime.fromtimestamp(calendar.timegm(struct), UTC) if struct else None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _json_feed(content: bytes, feed_url: str) -> FeedResult | None:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or "items" not in data:
        return None
    version = str(data.get("version", ""))
    base = web_url(data.get("feed_url"), feed_url) or feed_url
    raw = data.get("items")
    items: list[FeedItem] = []
    skipped = 0
    for entry in raw if isinstance(raw, list) else []:
        entry = entry if isinstance(entry, dict) else {}
        url = (
            web_url(entry.get("url"), base)
            or web_url(entry.get("external_url"), base)
            # an id is any unique string ("0", "Item without authors"): a link only when absolute
            or web_url(entry.get("id"), "")
        )
        if not url:
            skipped += 1
            continue
        title = entry.get("title") if isinstance(entry.get("title"), str) else None
        published = parse_date(entry.get("date_published")) or parse_date(
            entry.get("date_modified")
        )
        items.append(FeedItem(url, title, published, feed_url))
    error = None
    if not isinstance(raw, list):
        error = "JSON Feed items is not a list"
    elif skipped:
        error = f"{skipped} JSON Feed item(s) without a web URL"
    if "jsonfeed.org" not in version:
        error = "; ".join(filter(None, [error, f"unknown JSON Feed version {version!r}"]))
    return FeedResult(items, error)


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        with warnings.catch_warnings():  # feedparser warns that it maps updated to published
            warnings.simplefilter("ignore", DeprecationWarning)
            when = entry.get(key)
        if when:
            try:
                return datetime.fromtimestamp(calendar.timegm(when), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def parse_feed(content: bytes, feed_url: str, headers: dict[str, str] | None = None) -> FeedResult:
    """Parse feed bytes; a malformed feed yields what could be read plus an error, never an exception."""
    try:
        content = gunzip(content)
    except (ValueError, zlib.error, gzip.BadGzipFile, EOFError) as exc:
        return FeedResult([], f"not a feed (broken gzip: {exc})")
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        result = _json_feed(content, feed_url)
        if result is not None:
            return result
    try:
        parsed = feedparser.parse(
            content, response_headers={"content-location": feed_url, **(headers or {})}
        )
    except Exception as exc:  # feedparser's sanitisers can still trip on hostile markup
        return FeedResult([], f"feed parser failed: {type(exc).__name__}: {exc}")
    items = []
    for entry in parsed.entries:
        url = web_url(entry.get("link"), feed_url) or web_url(entry.get("id"), feed_url)
        if not url:
            continue
        title = entry.get("title")
        items.append(
            FeedItem(url, title if isinstance(title, str) else None, _entry_date(entry), feed_url)
        )
    error = None
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        error = f"{type(problem).__name__}: {problem}" if problem else "malformed feed"
        if not items and not parsed.get("version"):
            error = f"not a feed ({error})"
    elif not items and not parsed.get("version"):
        error = "not a feed (no RSS, Atom or JSON Feed found)"
    return FeedResult(items, error)
