"""robots.txt rules per host (protego), fetched once per run and cached."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

if TYPE_CHECKING:
    from ingest.fetching import Page

MAX_ROBOTS_BYTES = 500 * 1024  # what Google reads of a robots.txt; the rest is ignored


@dataclass(frozen=True)
class HostRules:
    """What robots.txt lets us do on one host."""

    parser: Protego | None  # None: no restrictions (no robots.txt, or a 4xx)
    agent: str
    blocked: str | None = None  # set when the whole host is off-limits for this run

    def allowed(self, url: str) -> bool:
        """Return whether robots.txt lets our agent fetch the URL."""
        if self.blocked:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, self.agent))

    @property
    def crawl_delay(self) -> float | None:
        """Return the host's Crawl-delay (or the interval of its Request-rate) for our agent."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        if delay is None:
            rate = self.parser.request_rate(self.agent)
            if rate is not None and rate.requests:
                delay = rate.seconds / rate.requests
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    """Return the robots.txt URL governing a page URL."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def rules_from(page: Page, agent: str) -> HostRules:
    """Turn the fetch of a robots.txt into rules, following Google's reading of status codes."""
    if page.ok:
        text = page.content[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
        return HostRules(Protego.parse(text), agent)
    if page.status is not None and 400 <= page.status < 500:
        return HostRules(None, agent)  # no robots.txt: no restrictions
    # a 5xx or an unreachable robots.txt means "not now" for the whole host
    return HostRules(None, agent, blocked=f"robots.txt unavailable ({page.error or page.status})")


class RobotsCache:
    """Fetches each host's robots.txt once, even when many pages of it are fetched at once."""

    def __init__(self, fetch: Callable[[str], Awaitable[Page]], agent: str) -> None:
        self._fetch = fetch
        self.agent = agent
        self._rules: dict[str, HostRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> HostRules:
        """Return the rules for a URL's host, fetching its robots.txt the first time."""
        key = robots_url(url)
        if key in self._rules:
            return self._rules[key]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._rules:
                self._rules[key] = rules_from(await self._fetch(key), self.agent)
        return self._rules[key]
