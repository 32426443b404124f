"""Discovery: one entry point that reads a feed or sitemap body into items."""

from __future__ import annotations

from ingest.feeds import FeedResult, gunzip, parse_feed
from ingest.sitemaps import is_sitemap, parse_sitemap


def discover(
    content: bytes, url: str, kind: str = "feed", headers: dict[str, str] | None = None
) -> FeedResult:
    """Read items from a source body; a feed that is really a sitemap (or the reverse) is read as what it is."""
    try:
        probe = gunzip(content[: 1 << 20]) if content.startswith(b"\x1f\x8b") else content
    except Exception:
        probe = content
    if kind == "sitemap" or is_sitemap(probe[:2048]):
        result = parse_sitemap(content, url)
        if kind == "sitemap" or result.items or result.children:
            return result
    return parse_feed(content, url, headers)
