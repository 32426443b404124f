"""Polite, bounded fetching against a real misbehaving server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from ingest.fetching import ARTICLE_TYPES, FEED_TYPES, Fetcher, Page, looks_binary, refused_address
from tests.servers import Site, serve

LOOPBACK = ("127.0.0.0/8",)
PAGE = "<html><head><title>T</title></head><body><article><p>Some news text.</p></article></body></html>"


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as s:
        yield s


def fetch(
    url: str,
    accept: tuple[str, ...] = ARTICLE_TYPES,
    headers: dict[str, str] | None = None,
    **kw: object,
) -> Page:
    async def go() -> Page:
        async with Fetcher(allow=LOOPBACK, **kw) as f:  # type: ignore[arg-type]
            return await f.fetch(url, accept, headers)

    return asyncio.run(go())


def test_plain_page_and_user_agent(site: Site) -> None:
    page = fetch(site.page("/a", PAGE))
    assert page.ok and page.content.startswith(b"<html>") and page.outcome == "ok"


def test_loopback_refused_by_default(site: Site) -> None:
    async def go() -> Page:
        async with Fetcher() as f:
            return await f.fetch(site.page("/a", PAGE))

    page = asyncio.run(go())
    assert page.outcome == "refused" and "127.0.0.1" in (page.error or "")
    assert site.hits["/a"] == 0


def test_redirect_to_private_address_refused(site: Site) -> None:
    # loopback is allowed here, the cloud metadata service and RFC 1918 are not
    for target in ("http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/"):
        page = fetch(site.url(f"/redirect?to={target}"))
        assert page.outcome == "refused" and "redirect to private" in (page.error or "")
    assert refused_address("http://[::1]/", LOOPBACK) == "::1"


def test_redirect_chain_followed_and_loop_stopped(site: Site) -> None:
    site.page("/final", PAGE)
    page = fetch(site.url("/chain/3/final"))
    assert page.ok and page.final_url.endswith("/final")
    long_chain = fetch(site.url("/chain/9/final"))
    assert not long_chain.ok and "more than 5 redirects" in (long_chain.error or "")
    loop = fetch(site.url("/loop/a"))
    assert not loop.ok and "redirect loop" in (loop.error or "")


@pytest.mark.parametrize("code", [404, 410])
def test_client_errors_are_not_retried(site: Site, code: int) -> None:
    page = fetch(site.url(f"/status/{code}"))
    assert page.status == code and page.error == f"HTTP {code}"
    assert site.hits[f"/status/{code}"] == 1


@pytest.mark.parametrize("code", [429, 503])
def test_retry_after_is_honoured(site: Site, code: int) -> None:
    started = time.monotonic()
    page = fetch(site.url(f"/status/{code}?retry_after=1&times=1"))
    assert page.ok and site.hits[f"/status/{code}"] == 2
    assert time.monotonic() - started >= 0.9


def test_persistent_500_gives_up_with_reason(site: Site) -> None:
    page = fetch(site.url("/status/500"), attempts=3)
    assert page.status == 500 and "after 3 attempts" in (page.error or "")
    assert site.hits["/status/500"] == 3


def test_long_retry_after_left_to_next_run(site: Site) -> None:
    page = fetch(site.url("/status/429?retry_after=3600"))
    assert page.status == 429 and "next run" in (page.error or "")
    assert site.hits["/status/429"] == 1


def test_slow_trickle_hits_the_deadline(site: Site) -> None:
    started = time.monotonic()
    page = fetch(site.url("/trickle"), deadline_s=1.0)
    assert "deadline" in (page.error or "") and time.monotonic() - started < 5


def test_endless_body_is_cut(site: Site) -> None:
    page = fetch(site.url("/endless"), max_bytes=1_000_000)
    assert page.content == b"" and "exceeds" in (page.error or "")


def test_gzip_bomb_is_bounded(site: Site) -> None:
    page = fetch(site.url("/bomb"), max_bytes=2_000_000)
    assert "decompressed body exceeds" in (page.error or "")


def test_binary_body_with_html_type_refused(site: Site) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    page = fetch(site.page("/img", png, ctype="text/html"))
    assert not page.ok and "binary body" in (page.error or "")
    noise = bytes((i * 7919) % 256 for i in range(5000))
    assert looks_binary(noise) and not looks_binary("ünïcode text".encode("utf-16-le"))


def test_unwanted_content_type(site: Site) -> None:
    page = fetch(site.page("/doc.pdf", b"%PDF-1.4", ctype="application/pdf"))
    assert "unwanted content-type" in (page.error or "")


def test_conditional_get_answers_304(site: Site) -> None:
    url = site.page("/feed.xml", "<rss/>", ctype="application/rss+xml")
    first = fetch(url, FEED_TYPES)
    again = fetch(url, FEED_TYPES, {"If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.outcome == "not_modified" and not again.content


def test_robots_disallow_and_crawl_delay(site: Site) -> None:
    site.robots = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.4\n"
    site.page("/private/x", PAGE)
    site.page("/open/1", PAGE)
    site.page("/open/2", PAGE)

    async def go() -> list[Page]:
        async with Fetcher(allow=LOOPBACK) as f:
            blocked = await f.fetch(site.url("/private/x"))
            started = time.monotonic()
            pages = await asyncio.gather(f.fetch(site.url("/open/1")), f.fetch(site.url("/open/2")))
            assert time.monotonic() - started >= 0.35  # the second waited for the crawl delay
            return [blocked, *pages]

    blocked, one, two = asyncio.run(go())
    assert blocked.outcome == "robots_disallowed" and site.hits["/private/x"] == 0
    assert one.ok and two.ok
    assert site.hits["/robots.txt"] == 1  # fetched once per host


def test_robots_status_codes(site: Site) -> None:
    assert fetch(site.page("/a", PAGE)).ok  # 404 robots.txt: no restrictions
    site.robots = 503
    page = fetch(site.url("/a"), attempts=1)
    assert not page.ok and "robots.txt unavailable" in (page.error or "")


def test_per_host_delay(site: Site) -> None:
    for i in range(3):
        site.page(f"/p{i}", PAGE)

    async def go() -> float:
        async with Fetcher(allow=LOOPBACK, delay_s=0.3) as f:
            started = time.monotonic()
            await asyncio.gather(*(f.fetch(site.url(f"/p{i}")) for i in range(3)))
            return time.monotonic() - started

    assert asyncio.run(go()) >= 0.55
