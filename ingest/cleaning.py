"""Cleaning pages with trafilatura: bytes in, text and metadata out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import trafilatura

from claimwatch.records import Article, stable_id
from ingest.urls import canonical_url


@dataclass(frozen=True)
class CleanFailure:
    """A page that yielded no article, and why."""

    url: str
    reason: str


def content_hash(text: str) -> str:
    """Return the digest of an article's normalised text."""
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def clean_page(
    content: bytes,
    url: str,
    topic: str,
    outlet: str | None = None,
    feed_published: datetime | None = None,
    keep_html: bool = True,
) -> Article | CleanFailure:
    """Extract an article from raw page bytes (trafilatura detects the charset itself)."""
    if not content.strip():
        return CleanFailure(url, "empty body")
    try:
        doc = trafilatura.bare_extraction(content, url=url, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura raises on some malformed markup
        return CleanFailure(url, f"extraction error: {type(exc).__name__}: {exc}")
    if doc is None or not (doc.text or "").strip():
        return CleanFailure(url, "no article text found")
    text = doc.text.strip()
    title = (doc.title or "").strip() or None
    if title and not text.startswith(title):
        # the headline names the article's protagonist; keep it with the text it heads
        text = f"{title}\n\n{text}"
    canon = canonical_url(url)
    digest = content_hash(text)
    site = outlet or doc.sitename or urlsplit(url).hostname or "unknown"
    published = _parse_date(doc.date) or feed_published
    if feed_published and published and published.date() == feed_published.date():
        published = feed_published  # trafilatura keeps the day only; the feed has the time
    return Article(
        article_id=stable_id(canon, digest),
        topic=topic,
        url=url,
        canonical_url=canon,
        outlet=site,
        title=title,
        author=doc.author,
        published=published,
        language=doc.language,
        text=text,
        content_hash=digest,
        fetched_at=datetime.now(UTC),
        source_key=site,
        raw_html=content.decode("utf-8", "replace") if keep_html else None,
    )
