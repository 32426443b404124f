"""Cleaning from bytes (charsets), failure reasons, URL canonicalisation, syndication links, the cleaning score."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from records import Article
from evaluation.clean import run
from ingest.cleaning import CleanFailure, clean_page, decode_page
from ingest.dedup import link_syndicated, minhash, similarity, store_fingerprints
from ingest.urls import canonical_url
from warehouse.loading import upsert
from warehouse.store import connect

STORY = (
    "The National Resistance Front said on Sunday that its fighters had pushed back an attack on the "
    "northern entrance of the Panjshir valley, and that several hundred people had arrived from Kabul. "
    "A spokesman said the group had around nine thousand fighters and would not surrender its weapons. "
    "Residents described long queues for fuel and bread as the roads out of the valley stayed closed. "
    "Talks between the two sides, held in a mosque in a neighbouring province, ended without agreement. "
)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Valley news</title></head><body><article><h1>Valley news</h1><p>{body}</p></article></body></html>"


def test_charset_from_header_meta_and_detection() -> None:
    text = "Café owners in the valley said naïve hopes of a quick deal had faded – for now. " * 5
    cp1252 = page(text).encode("cp1252")
    # the header lies (utf-8): the bytes do not fit, the meta tag is missing, detection decides
    decoded, how = decode_page(cp1252, {"content-type": "text/html; charset=utf-8"})
    assert "Café" in decoded and "naïve" in decoded and "–" in decoded, how
    meta = page(text, '<meta charset="windows-1252">').encode("cp1252")
    decoded, how = decode_page(meta, {"content-type": "text/html"})
    assert "naïve" in decoded and how == "cp1252 (meta)"
    latin1 = page(
        text.replace("–", "-"),
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    )
    assert "Café" in decode_page(latin1.encode("latin-1"))[0]
    russian = page(
        "Жители долины рассказали о длинных очередях за хлебом и топливом. " * 10
    ).encode("cp1251")
    decoded, how = decode_page(russian)
    assert "очередях" in decoded and "detected" in how
    article = clean_page(
        cp1252, "https://news.example/a", "t", headers={"content-type": "text/html; charset=utf-8"}
    )
    assert not isinstance(article, CleanFailure) and "naïve" in article.text


def test_failures_carry_a_reason() -> None:
    cases = {
        b"": "empty body",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10: "binary body",
        b"<html><body><nav>Home | About</nav></body></html>": "no article text found",
    }
    for content, reason in cases.items():
        result = clean_page(content, "https://news.example/x", "t")
        assert isinstance(result, CleanFailure) and reason in result.reason


def test_canonical_urls() -> None:
    same = [
        "https://news.example/world/story?utm_source=rss&utm_medium=feed",
        "http://www.news.example/world/story#comments",
        "https://m.news.example/world/story/",
        "https://amp.news.example/world/story/amp/",
        "https://news.example/world/story?fbclid=abc",
    ]
    assert {canonical_url(u) for u in same} == {"https://news.example/world/story"}
    assert canonical_url("https://news.example/story?id=2&page=1") == canonical_url(
        "https://news.example/story?page=1&id=2"
    )
    assert canonical_url("https://news.example/story?id=2") != canonical_url(
        "https://news.example/story?id=3"
    )


def _article(aid: str, outlet: str, text: str) -> Article:
    return Article(
        article_id=aid, topic="t", url=f"https://{outlet}.example/{aid}", canonical_url=f"https://{outlet}.example/{aid}",
        outlet=outlet, title=None, author=None, published=None, language="en", text=text, content_hash=aid,
        fetched_at=datetime.now(UTC), source_key=outlet,
    )  # fmt: skip


def test_syndicated_copies_share_a_source_key(tmp_path: Path) -> None:
    copy = (
        "KABUL (Wire) - "
        + STORY.replace("on Sunday", "on Sunday evening")
        + "Editing by a desk editor."
    )
    other = (
        "Flooding in the south of the country cut off several villages; aid agencies asked for boats. "
        * 4
    )
    assert similarity(minhash(STORY), minhash(copy)) > 0.6
    assert similarity(minhash(STORY), minhash(other)) < 0.1
    db = tmp_path / "cw.duckdb"
    first = _article("a1", "wire", STORY)
    with connect(db) as con:
        upsert(con, [first])
        linked, _, prints = link_syndicated(con, [first])
        store_fingerprints(con, prints)
    with connect(db) as con:
        batch = [
            _article("b1", "courier", copy),
            _article("c1", "herald", other),
            _article("d1", "gazette", copy + " More."),
        ]
        linked, matches, prints = link_syndicated(con, batch)
    keys = {a.article_id: a.source_key for a in linked}
    assert keys == {"b1": "wire", "c1": "herald", "d1": "wire"}
    assert matches["b1"].canonical_url == first.canonical_url
    # an orphan fingerprint (its article never stored: a killed run) links nothing
    with connect(db) as con:
        store_fingerprints(
            con, [replace(p, article_id="zz", source_key="ghost") for p in prints[1:2]]
        )
        linked, _, _ = link_syndicated(con, [_article("e1", "times", other)])
    assert linked[0].source_key == "times"


def test_cleaning_scores_at_least_bare_trafilatura(shared: Path) -> None:
    root = shared / "data" / "articles" / "newspaper4k_testdata"
    result = run(root / "html", root / "metadata")
    ours, bare = result["ours"], result["trafilatura"]
    assert isinstance(ours, dict) and isinstance(bare, dict)
    assert result["pages"] >= 15 and ours["f1"] >= bare["f1"] and ours["f1"] > 0.85
