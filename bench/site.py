"""A local news site on 127.0.0.1: real pages behind generated RSS feeds, with conditional GET.

The server runs in its own process so that serving pages does not compete with the measured
pipeline for the interpreter lock (a real site is on another machine).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.sharedctypes
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from bench.corpus import SourcePage

LAST_MODIFIED = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


COUNTERS = ("requests", "conditional", "not_modified", "bytes_sent")


class SiteStats:
    """What the server answered: every request, the conditional ones, the 304s, bytes sent."""

    def __init__(self) -> None:
        self._values = {name: multiprocessing.Value("q", 0) for name in COUNTERS}

    def add(self, name: str, amount: int = 1) -> None:
        """Add to one counter (from the server process)."""
        value = self._values[name]
        with value.get_lock():
            value.value += amount

    def reset(self) -> None:
        """Zero the counters (between runs)."""
        for value in self._values.values():
            with value.get_lock():
                value.value = 0

    def snapshot(self) -> dict[str, int]:
        """Return the counters as a plain dict."""
        return {name: int(value.value) for name, value in self._values.items()}


@dataclass
class Site:
    """A running site: its base URL, feed URLs, article URLs and counters."""

    base: str
    feed_urls: list[str]
    article_urls: list[str]
    stats: SiteStats


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str


def _rss(index: int, base: str, items: Sequence[tuple[SourcePage, int]]) -> bytes:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    entries = "".join(
        f"<item><title>{escape(page.outlet)} story {n}</title>"
        f"<link>{base}/a/{page.slug}.html</link><guid>{base}/a/{page.slug}.html</guid>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate></item>"
        for page, n in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {index}</title><link>{base}/</link>"
        f"<description>Feed {index}</description>{entries}</channel></rss>"
    ).encode()


def feed_windows(pages: int, feeds: int, per_feed: int) -> list[list[int]]:
    """Assign page indexes to feeds: overlapping windows that together cover every page."""
    step = max(1, -(-pages // feeds))
    return [[(i * step + j) % pages for j in range(per_feed)] for i in range(feeds)]


def _resources(
    pages: Sequence[SourcePage], base: str, feeds: int, per_feed: int
) -> dict[str, _Resource]:
    res: dict[str, _Resource] = {}
    for page in pages:
        res[f"/a/{page.slug}.html"] = _Resource(page.body, "text/html", _etag(page.body))
    for i, window in enumerate(feed_windows(len(pages), feeds, per_feed)):
        body = _rss(i, base, [(pages[n], n) for n in window])
        res[f"/feeds/{i}.xml"] = _Resource(body, "application/rss+xml", _etag(body))
    return res


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _handler(resources: dict[str, _Resource], stats: SiteStats) -> type[BaseHTTPRequestHandler]:
    last_modified = format_datetime(LAST_MODIFIED, usegmt=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            res = resources.get(self.path.split("?", 1)[0])
            if_none_match = self.headers.get("If-None-Match")
            if_modified_since = self.headers.get("If-Modified-Since")
            stats.add("requests")
            stats.add("conditional", int(bool(if_none_match or if_modified_since)))
            if res is None:
                self._reply(404, b"not found", "text/plain", None)
                return
            fresh = (
                if_none_match is not None
                and res.etag in [t.strip() for t in if_none_match.split(",")]
            ) or (if_none_match is None and if_modified_since == last_modified)
            if fresh:
                stats.add("not_modified")
                self._reply(304, b"", res.content_type, res.etag)
                return
            self._reply(200, res.body, res.content_type, res.etag)

        def _reply(self, status: int, body: bytes, ctype: str, etag: str | None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
            stats.add("bytes_sent", len(body))

    return Handler


def _serve_forever(
    server: ThreadingHTTPServer,
    resources: dict[str, _Resource],
    pages: Sequence[SourcePage],
    base: str,
    feeds: int,
    per_feed: int,
) -> None:
    resources.update(_resources(pages, base, feeds, per_feed))
    server.serve_forever()


@contextmanager
def serve(pages: Sequence[SourcePage], feeds: int = 200, per_feed: int = 10) -> Iterator[Site]:
    """Serve pages behind `feeds` RSS feeds on 127.0.0.1 from a child process; ETag honoured."""
    stats = SiteStats()
    resources: dict[str, _Resource] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(resources, stats))
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # the listening socket is bound here, so requests queue until the child accepts them
    child = multiprocessing.get_context("fork").Process(
        target=_serve_forever, args=(server, resources, pages, base, feeds, per_feed), daemon=True
    )
    child.start()
    server.socket.close()
    try:
        yield Site(
            base=base,
            feed_urls=[f"{base}/feeds/{i}.xml" for i in range(feeds)],
            article_urls=[f"{base}/a/{p.slug}.html" for p in pages],
            stats=stats,
        )
    finally:
        child.terminate()
        child.join(5)
