"""Polite HTTP fetching with httpx: robots.txt, per-host pacing, bounded bodies, address guard."""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from ingest.robots import RobotsCache

USER_AGENT = "claimwatch/0.1 (news monitor; +https://example.invalid/claimwatch)"
ROBOTS_AGENT = "claimwatch"
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 15.0
DEADLINE_S = 30.0  # a whole response, however slowly it trickles in
MAX_RETRY_WAIT_S = 30.0  # a longer Retry-After is left to the next scheduled run
MAX_CRAWL_DELAY_S = 30.0
PER_HOST = 4
MAX_REDIRECTS = 5
ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = ("xml", "rss", "atom", "json", "text/plain", "text/html", "gzip", "octet-stream")
REDIRECTS = (301, 302, 303, 307, 308)
# Networks a topic with allow_private = true may reach (an intranet news site, the demo).
# Link-local (cloud metadata services) stays refused unless named explicitly.
PRIVATE_NETWORKS = (
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf",
                 b"RIFF", b"ID3", b"\x00\x00\x01\x00", b"OggS", b"\x7fELF", b"MZ", b"wOFF", b"wOF2")  # fmt: skip
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


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
    outcome: str = "ok"  # ok | not_modified | robots_disallowed | refused | filtered | error

    @property
    def ok(self) -> bool:
        """Return whether the fetch produced a usable body."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return []
    out = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        out.append(ip)
    return out


def refused_address(url: str, allowed: Iterable[str] = ()) -> str | None:
    """Return the internal address a URL's host resolves to (unless allowed), else None."""
    nets = [ipaddress.ip_network(n) for n in allowed]
    for ip in _addresses(urlsplit(url).hostname or ""):
        internal = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
        internal = internal or ip.is_multicast or ip.is_unspecified
        if internal and not any(ip in n for n in nets if n.version == ip.version):
            return str(ip)
    return None


def is_private(url: str) -> bool:
    """Return whether a URL's host resolves to a private, loopback or link-local address."""
    return refused_address(url) is not None


def looks_binary(body: bytes) -> bool:
    """Return whether a body is binary (an image, PDF, archive) whatever its content-type says."""
    head = body[:4096]
    if not head or head.startswith(_BOMS):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    control = sum(1 for b in head if b < 9 or (13 < b < 32 and b != 27))
    if not control:
        return False
    half = max(len(head) // 2, 1)
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half:
        return False  # UTF-16 text without a byte-order mark
    return control > 0.05 * len(head)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError, IndexError):
            return None


def _decoder(encoding: str) -> zlib._Decompress | None:
    enc = encoding.strip().lower()
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    return None


class _Failed(Exception):
    """A fetch that ends now with a recorded reason (not retried)."""

    def __init__(self, page: Page) -> None:
        super().__init__(page.error)
        self.page = page


class Fetcher:
    """A shared async client: robots.txt, per-host caps and pacing, bounded bodies."""

    def __init__(
        self,
        allow_private: bool = False,
        max_bytes: int = MAX_BYTES,
        timeout_s: float = TIMEOUT_S,
        attempts: int = 3,
        per_host: int = PER_HOST,
        delay_s: float = 0.0,
        deadline_s: float = DEADLINE_S,
        max_retry_wait_s: float = MAX_RETRY_WAIT_S,
        allow: Sequence[str] = (),
        respect_robots: bool = True,
        user_agent: str = USER_AGENT,
        only_hosts: Sequence[str] = (),
    ) -> None:
        self.allowed = tuple(allow) + (PRIVATE_NETWORKS if allow_private else ())
        self.only_hosts = {h.lower() for h in only_hosts}
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s
        self.attempts = attempts
        self.delay_s = delay_s
        self.max_retry_wait_s = max_retry_wait_s
        self.host_delays: dict[str, float] = {}
        self._host_limits: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(per_host)
        )
        self._host_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_slot: dict[str, float] = defaultdict(float)
        self.robots = RobotsCache(self._fetch_robots, ROBOTS_AGENT) if respect_robots else None
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            follow_redirects=False,  # each hop is checked against the address guard and robots.txt
            transport=httpx.AsyncHTTPTransport(retries=2),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, accept: Sequence[str] = ARTICLE_TYPES, headers: dict[str, str] | None = None
    ) -> Page:
        """Fetch one URL, following checked redirects; every failure becomes a Page, never an exception."""
        started = time.perf_counter()
        try:
            page = await self._follow(url, accept, headers or {})
        except _Failed as failed:
            page = failed.page
        except Exception as exc:  # a fetch must never take the run down with it
            page = Page(url, url, None, b"", error=f"{type(exc).__name__}: {exc}", outcome="error")
        return replace(page, url=url, elapsed_ms=(time.perf_counter() - started) * 1000)

    async def _follow(
        self, url: str, accept: Sequence[str], headers: dict[str, str], robots: bool = True
    ) -> Page:
        current, seen = url, {url}
        for _hop in range(MAX_REDIRECTS + 1):
            await self._check(url, current, hop=current != url, robots=robots)
            page = await self._with_retries(current, accept, headers)
            if page.status not in REDIRECTS:
                return page
            location = page.headers.get("location", "").strip()
            if not location:
                return self._fail(
                    url, current, page.status, f"HTTP {page.status} without a Location"
                )
            target = urljoin(current, location.strip())
            if urlsplit(target).scheme not in ("http", "https"):
                return self._fail(url, target, page.status, f"redirect to a non-web URL {target!r}")
            if target in seen:
                return self._fail(url, target, page.status, f"redirect loop at {target}")
            seen.add(target)
            current = target
        return self._fail(url, current, None, f"more than {MAX_REDIRECTS} redirects")

    def _fail(
        self, url: str, final: str, status: int | None, reason: str, outcome: str = "error"
    ) -> Page:
        return Page(url, final, status, b"", error=reason, outcome=outcome)

    async def _check(self, url: str, current: str, hop: bool, robots: bool = True) -> None:
        if urlsplit(current).scheme not in ("http", "https"):
            raise _Failed(
                self._fail(url, current, None, f"not an http(s) URL: {current!r}", "refused")
            )
        host = (urlsplit(current).hostname or "").lower()
        if self.only_hosts and host not in self.only_hosts:
            reason = f"host {host} is not in the topic's only_hosts"
            raise _Failed(self._fail(url, current, None, reason, "filtered"))
        address = await asyncio.to_thread(refused_address, current, self.allowed)
        if address:
            what = "redirect to" if hop else "refused:"
            reason = f"{what} private, loopback or link-local address {address}"
            raise _Failed(self._fail(url, current, None, reason, "refused"))
        if robots and self.robots is not None:
            rules = await self.robots.rules_for(current)
            if rules.blocked:
                raise _Failed(self._fail(url, current, None, rules.blocked))
            if not rules.allowed(current):
                raise _Failed(
                    self._fail(
                        url, current, None, f"robots.txt disallows {current}", "robots_disallowed"
                    )
                )
            if rules.crawl_delay:
                host = urlsplit(current).netloc
                self.host_delays[host] = min(
                    max(rules.crawl_delay, self.host_delays.get(host, 0.0)), MAX_CRAWL_DELAY_S
                )

    async def _fetch_robots(self, robots_url: str) -> Page:
        try:
            return await self._follow(robots_url, ("text/", "octet-stream"), {}, robots=False)
        except _Failed as failed:
            return failed.page

    async def _with_retries(
        self, url: str, accept: Sequence[str], headers: dict[str, str], attempts: int | None = None
    ) -> Page:
        tries = attempts or self.attempts
        reason = "no attempt made"
        status: int | None = None
        for attempt in range(tries):
            try:
                return await asyncio.wait_for(
                    self._paced_get(url, accept, headers), self.deadline_s
                )
            except TransientHTTPError as exc:
                status, reason = exc.status, f"HTTP {exc.status}"
                wait = exc.retry_after if exc.retry_after is not None else self._backoff(attempt)
                if wait > self.max_retry_wait_s:
                    reason += f" (Retry-After {wait:.0f}s: left to the next run)"
                    break
            except (
                httpx.TransportError
            ) as exc:  # connect/read errors: the server may be back in a moment
                status, reason = None, f"{type(exc).__name__}: {exc}".rstrip(": ")
                wait = self._backoff(attempt)
            except TimeoutError:
                reason = f"deadline: body not complete after {self.deadline_s:.0f}s"
                raise _Failed(self._fail(url, url, None, reason)) from None
            if attempt + 1 < tries:
                await asyncio.sleep(wait)
        else:
            reason += f" after {tries} attempts"
        raise _Failed(self._fail(url, url, status, reason))

    @staticmethod
    def _backoff(attempt: int) -> float:
        return min(0.2 * 2**attempt, 5.0) * (0.5 + random.random())

    async def _paced_get(self, url: str, accept: Sequence[str], headers: dict[str, str]) -> Page:
        host = urlsplit(url).netloc
        async with self._host_limits[host]:
            delay = max(self.delay_s, self.host_delays.get(host, 0.0))
            if delay > 0:
                async with self._host_locks[host]:
                    wait = self._next_slot[host] - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next_slot[host] = time.monotonic() + delay
            return await self._get(url, accept, headers)

    async def _get(self, url: str, accept: Sequence[str], headers: dict[str, str]) -> Page:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            hdrs = {k.lower(): v for k, v in response.headers.items()}
            final = str(response.url)
            if status == 429 or status >= 500:
                raise TransientHTTPError(status, _retry_after(hdrs.get("retry-after")))
            if status in REDIRECTS:
                return Page(url, final, status, b"", hdrs)
            if status == 304:
                return Page(url, final, status, b"", hdrs, outcome="not_modified")
            if status >= 400:
                return Page(url, final, status, b"", hdrs, error=f"HTTP {status}", outcome="error")
            if not 200 <= status < 300:
                return Page(
                    url,
                    final,
                    status,
                    b"",
                    hdrs,
                    error=f"unexpected HTTP {status}",
                    outcome="error",
                )
            ctype = hdrs.get("content-type", "").lower()
            if ctype and not any(t in ctype for t in accept):
                return Page(
                    url,
                    final,
                    status,
                    b"",
                    hdrs,
                    error=f"unwanted content-type {ctype}",
                    outcome="error",
                )
            declared = hdrs.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                return Page(
                    url,
                    final,
                    status,
                    b"",
                    hdrs,
                    error=f"body too large ({declared} bytes)",
                    outcome="error",
                )
            body, problem = await self._read(response, hdrs.get("content-encoding", ""))
            if problem:
                return Page(url, final, status, b"", hdrs, error=problem, outcome="error")
            if looks_binary(body):
                declared_type = ctype or "no content-type"
                return Page(
                    url,
                    final,
                    status,
                    b"",
                    hdrs,
                    error=f"binary body ({declared_type})",
                    outcome="error",
                )
            return Page(url, final, status, body, hdrs)

    async def _read(self, response: httpx.Response, encoding: str) -> tuple[bytes, str | None]:
        """Read the raw body, decompressing it here so the limit bounds the decoded size (gzip bombs)."""
        decoder = _decoder(encoding) if encoding and encoding.lower() != "identity" else None
        if encoding and encoding.lower() != "identity" and decoder is None:
            return b"", f"unsupported content-encoding {encoding}"
        body = bytearray()
        raw = 0
        try:
            async for chunk in response.aiter_raw():
                raw += len(chunk)
                if raw > self.max_bytes:
                    return b"", f"body exceeds {self.max_bytes} bytes"
                if decoder is None:
                    body.extend(chunk)
                else:
                    body.extend(decoder.decompress(chunk, self.max_bytes - len(body) + 1))
                    if decoder.unconsumed_tail or len(body) > self.max_bytes:
                        return (
                            b"",
                            f"decompressed body exceeds {self.max_bytes} bytes (compression bomb?)",
                        )
                if len(body) > self.max_bytes:
                    return b"", f"body exceeds {self.max_bytes} bytes"
            if decoder is not None:
                body.extend(decoder.flush())
        except zlib.error as exc:
            return b"", f"corrupt {encoding} body: {exc}"
        return bytes(body), None


async def fetch_many(
    urls: Sequence[str], allow_private: bool = False, accept: Sequence[str] = ARTICLE_TYPES
) -> list[Page]:
    """Fetch URLs concurrently with one shared client."""
    async with Fetcher(allow_private=allow_private) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch(u, accept) for u in urls)))
