"""Polite HTTP fetching with httpx: limits, retries on transient errors, private-address guard."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

USER_AGENT = "claimwatch/0.1 (news monitor; +https://example.invalid/claimwatch)"
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 15.0
PER_HOST = 4
ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = ("xml", "rss", "atom", "json", "text/plain", "text/html")


class TransientHTTPError(Exception):
    """A response worth retrying (429, 5xx), carrying the server's Retry-After."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Page:
    """The outcome of fetching one URL: a body, or why there is none."""

    url: str
    final_url: str
    status: int | None
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """Return whether the fetch produced a usable body."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


def is_private(url: str) -> bool:
    """Return whether a URL's host resolves to a private, loopback or link-local address."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            return True
    return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _wait(retry_state: object) -> float:
    exc = retry_state.outcome.exception() if retry_state.outcome else None  # type: ignore[attr-defined]
    if isinstance(exc, TransientHTTPError) and exc.retry_after is not None:
        return min(exc.retry_after, 30.0)
    return float(wait_exponential(multiplier=0.2, max=5)(retry_state))  # type: ignore[arg-type]


class Fetcher:
    """A shared async client with per-host concurrency caps and bounded bodies."""

    def __init__(
        self,
        allow_private: bool = False,
        max_bytes: int = MAX_BYTES,
        timeout_s: float = TIMEOUT_S,
        attempts: int = 3,
        per_host: int = PER_HOST,
    ) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.attempts = attempts
        self._host_limits: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
        self._client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=True,
            max_redirects=5,
            transport=httpx.AsyncHTTPTransport(retries=2),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, accept: Sequence[str] = ARTICLE_TYPES, headers: dict[str, str] | None = None) -> Page:
        """Fetch one URL; every failure becomes a Page with an error, never an exception."""
        if not self.allow_private and is_private(url):
            return Page(url, url, None, b"", error="refused: private or loopback address")
        started = time.perf_counter()
        try:
            async with self._host_limits[urlsplit(url).netloc]:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self.attempts),
                    wait=_wait,
                    retry=retry_if_exception_type((TransientHTTPError, httpx.TransportError)),
                    reraise=True,
                ):
                    with attempt:
                        page = await asyncio.wait_for(self._get(url, accept, headers or {}), self.timeout_s * 2)
        except TransientHTTPError as exc:
            page = Page(url, url, exc.status, b"", error=f"HTTP {exc.status} after {self.attempts} attempts")
        except (httpx.HTTPError, TimeoutError) as exc:
            page = Page(url, url, None, b"", error=f"{type(exc).__name__}: {exc}".rstrip(": "))
        elapsed = (time.perf_counter() - started) * 1000
        return Page(page.url, page.final_url, page.status, page.content, page.headers, page.error, elapsed)

    async def _get(self, url: str, accept: Sequence[str], headers: dict[str, str]) -> Page:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            hdrs = {k.lower(): v for k, v in response.headers.items()}
            final = str(response.url)
            if status == 429 or status >= 500:
                raise TransientHTTPError(status, _retry_after(hdrs.get("retry-after")))
            if status == 304:
                return Page(url, final, status, b"", hdrs)
            if status >= 400:
                return Page(url, final, status, b"", hdrs, error=f"HTTP {status}")
            ctype = hdrs.get("content-type", "").lower()
            if ctype and not any(t in ctype for t in accept):
                return Page(url, final, status, b"", hdrs, error=f"unwanted content-type {ctype}")
            declared = int(hdrs.get("content-length", "0") or 0)
            if declared > self.max_bytes:
                return Page(url, final, status, b"", hdrs, error=f"body too large ({declared} bytes)")
            body = bytearray()
            # iter_bytes decompresses; counting decoded bytes bounds gzip bombs as well
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    return Page(url, final, status, b"", hdrs, error=f"body exceeds {self.max_bytes} bytes")
            return Page(url, final, status, bytes(body), hdrs)


async def fetch_many(
    urls: Sequence[str], allow_private: bool = False, accept: Sequence[str] = ARTICLE_TYPES
) -> list[Page]:
    """Fetch URLs concurrently with one shared client."""
    async with Fetcher(allow_private=allow_private) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch(u, accept) for u in urls)))
