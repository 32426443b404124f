"""Discovery: every real feed in ../shared/data, JSON Feed, xml:base, UTC dates, sitemaps, topic files."""

from __future__ import annotations

import gzip
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.discovery import discover
from ingest.feeds import parse_feed
from ingest.sitemaps import parse_sitemap
from ingest.topics import TopicError, load_topic

BASE = "http://127.0.0.1:9/feeds/"


def feed_files(shared: Path) -> list[Path]:
    """Every feed fixture under shared/data/feeds (expected-output JSON of rss-parser excluded)."""
    root = shared / "data" / "feeds"
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not p.name.startswith(("LICENSE", "README"))
        and "/output/" not in p.as_posix()
    )


def test_every_real_feed_yields_items_or_a_recorded_error(shared: Path) -> None:
    files = feed_files(shared)
    assert len(files) > 2200
    started = time.perf_counter()
    tally: Counter[str] = Counter()
    for path in files:
        result = discover(path.read_bytes(), BASE + path.name)  # raising here fails the test
        assert result.items or result.error, path
        tally["items" if result.items else "error"] += 1
        for item in result.items:
            assert item.url.startswith(("http://", "https://")), (path, item.url)
            assert item.published is None or item.published.tzinfo == UTC
    assert tally["items"] > 150
    assert time.perf_counter() - started < 30  # ~2 s on one core


def test_json_feed(shared: Path) -> None:
    spec = shared / "data" / "feeds" / "feed-rs_fixtures" / "jsonfeed" / "jsonfeed_spec_1.json"
    result = parse_feed(spec.read_bytes(), "https://example.org/feed.json")
    assert result.items and result.error is None
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t",
      "items": [{"id": "1", "url": "/a/1", "date_published": "2021-08-22T10:00:00+04:30"},
                {"id": "urn:x", "title": "no url"}]}"""
    result = parse_feed(body, "https://news.example/feed.json")
    assert [i.url for i in result.items] == ["https://news.example/a/1"]
    assert result.items[0].published == datetime(2021, 8, 22, 5, 30, tzinfo=UTC)
    assert "without a web URL" in (result.error or "")


def test_relative_links_xml_base_and_utc_dates() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/world/">
      <title>t</title>
      <entry xml:base="/europe/"><title>a</title><link href="story-1.html"/><id>1</id>
        <updated>2021-08-22T10:00:00+02:00</updated></entry>
      <entry><title>b</title><link href="story-2.html"/><id>2</id></entry>
    </feed>"""
    items = parse_feed(atom, "https://news.example/feeds/atom.xml").items
    assert [i.url for i in items] == [
        "https://news.example/europe/story-1.html",
        "https://news.example/world/story-2.html",
    ]
    assert items[0].published == datetime(2021, 8, 22, 8, 0, tzinfo=UTC)
    assert items[1].published is None  # missing stays missing
    rss = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>x</title><link>/local/x</link><pubDate>Sun, 22 Aug 2021 12:00:00 EST</pubDate></item>
      <item><title>mail</title><link>mailto:desk@news.example</link></item>
    </channel></rss>"""
    items = parse_feed(rss, "https://news.example/rss").items
    assert [i.url for i in items] == ["https://news.example/local/x"]
    assert items[0].published == datetime(2021, 8, 22, 17, 0, tzinfo=UTC)


def test_garbage_is_an_error_not_an_exception() -> None:
    for body in (
        b"",
        b"\x00\xff\xfe garbage",
        b"<html><body>not a feed</body></html>",
        b"\x1f\x8b broken gzip",
        b"{json",
    ):
        result = discover(body, "https://x.example/feed")
        assert not result.items and result.error


def test_sitemaps_news_index_and_gzip() -> None:
    news = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://news.example/a.html</loc>
        <news:news><news:publication><news:name>The Example</news:name><news:language>en</news:language></news:publication>
          <news:publication_date>2021-08-22T12:00:00+01:00</news:publication_date><news:title>Headline</news:title></news:news></url>
      <url><loc>https://news.example/b.html</loc><lastmod>2021-08-21</lastmod></url>
      <url><loc>/relative.html</loc></url>
    </urlset>"""
    result = parse_sitemap(gzip.compress(news), "https://news.example/sitemap.xml.gz")
    a, b, c = result.items
    assert (a.title, a.outlet, a.published) == (
        "Headline",
        "The Example",
        datetime(2021, 8, 22, 11, tzinfo=UTC),
    )
    assert (
        b.published == datetime(2021, 8, 21, tzinfo=UTC)
        and c.url == "https://news.example/relative.html"
    )
    assert c.published is None
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://news.example/s1.xml</loc><lastmod>2021-01-01</lastmod></sitemap>
      <sitemap><loc>https://news.example/s2.xml</loc><lastmod>2021-08-01</lastmod></sitemap></sitemapindex>"""
    result = discover(
        index, "https://news.example/sitemap.xml", "feed"
    )  # a sitemap listed as a feed
    assert result.children == ("https://news.example/s2.xml", "https://news.example/s1.xml")
    entity = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://n.example/&e;</loc></url></urlset>"""
    assert all("root:" not in i.url for i in parse_sitemap(entity, "https://n.example/s.xml").items)


def _topic(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_topic_options_and_clear_errors(tmp_path: Path) -> None:
    topic = load_topic(
        _topic(
            tmp_path,
            'name = "t"\nsitemaps = ["https://n.example/news.xml"]\ndelay_s = 1\n'
            '[[sources]]\nurl = "https://n.example/rss"\noutlet = "N"\nmax_items = 20\ndelay_s = 2.5\n',
        )
    )
    assert [(s.kind, s.outlet, s.max_items) for s in topic.sources] == [
        ("feed", "N", 20),
        ("sitemap", None, 200),
    ]
    assert topic.host_delay("https://n.example/x") == 2.5
    bad = {
        '[[sources]]\nurl = "ftp://x/feed"\n': "must be an http(s) URL",
        '[[sources]]\nurl = "https://x/feed"\nmax_items = 0\n': "max_items must be at least 1",
        '[[sources]]\nurl = "https://x/feed"\nkind = "podcast"\n': "kind must be 'feed' or 'sitemap'",
        '[[sources]]\nurl = "https://x/feed"\ndelay = 1\n': "unknown key 'delay' (did you mean 'delay_s'",
        '[[sources]]\nurl = "https://x/feed"\ndelay_s = "1"\n': "delay_s must be a number",
        'include = "Panjshir"\n[[sources]]\nurl = "https://x/feed"\n': "include must be a list of strings",
        'name = "t"\n': "needs at least one source",
        "name = \n": "not valid TOML",
    }
    for text, message in bad.items():
        with pytest.raises(TopicError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_topic(_topic(tmp_path, text))
