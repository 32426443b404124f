"""Ingestion through the real monitor_topic flow: fetch outcomes, conditional reruns, a killed run, real feeds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import flows.monitor as monitor
from flows.monitor import monitor_topic
from tests.conftest import REPO
from tests.servers import Site, serve
from warehouse.store import connect

PAGES = "/data/articles/newspaper4k_testdata/html/"
ENGLISH = [
    "cleveland.com1",
    "cnn_test_nlp",
    "yna_co_kr",
    "fox13now_001",
    "article_with_divs",
    "time_001",
]
# what one clean run leaves behind, compared column by column (timestamps excluded)
CONTENT = {
    "articles": "article_id, canonical_url, outlet, source_key, content_hash, text",
    "fingerprints": "article_id, source_key, minhash",
    "entities": "entity_id, name, type",
    "mentions": "mention_id, article_id, entity_id, start",
    "claims": "claim_id, article_id, subject_id, attribute, value_text, source_key",
    "contradictions": "contradiction_id, claim_a, claim_b, kind",
    "claim_links": "link_id, relation",
    "alerts": "alert_id, kind, fingerprint",
}


def rss(site: Site, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{p.rsplit('/', 1)[-1]}</title><link>{site.url(p)}?utm_source=rss</link>"
        f"<pubDate>Sun, 22 Aug 2021 1{i}:00:00 GMT</pubDate></item>"
        for i, p in enumerate(paths)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


@pytest.fixture
def news(shared: Path) -> Iterator[Site]:
    with serve(shared / "data") as site:
        site.robots = "User-agent: *\nDisallow: /private/\n"
        paths = [f"{PAGES}{name}.html.gz" for name in ENGLISH]
        extra = [
            "/gone",
            "/private/leak",
            f"{PAGES}spanish_article.html.gz",
            "/chain/2" + PAGES + "cnn_test_nlp.html.gz",
        ]
        site.page("/feed.xml", rss(site, paths + extra), ctype="application/rss+xml")
        yield site


def topic_file(tmp_path: Path, site: Site, extra: str = "") -> Path:
    path = tmp_path / "news.toml"
    path.write_text(
        f'name = "news"\nlanguages = ["en"]\nallow_private = true\n{extra}\n'
        f'[[sources]]\nurl = "{site.url("/feed.xml")}"\noutlet = "Test Wire"\n',
        encoding="utf-8",
    )
    return path


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def content(db: Path) -> dict[str, list[tuple[object, ...]]]:
    return {t: rows(db, f"SELECT {cols} FROM {t} ORDER BY ALL") for t, cols in CONTENT.items()}


def test_outcomes_and_a_conditional_rerun(
    tmp_path: Path, prefect_harness: None, news: Site
) -> None:
    db, topic = tmp_path / "cw.duckdb", topic_file(tmp_path, news)
    started = time.perf_counter()
    first = monitor_topic(topic="news", db=str(db), topic_file=str(topic))
    first_s = time.perf_counter() - started
    listed = rows(
        db,
        "SELECT url, outcome || coalesce(': ' || reason, '') FROM fetches WHERE kind = 'article'",
    )
    outcomes = {str(url).removesuffix("?utm_source=rss"): str(what) for url, what in listed}
    assert first.articles_new == 6, "\n".join(f"{k} {v}" for k, v in outcomes.items())
    assert outcomes[news.url("/gone")] == "error: HTTP 404"
    assert outcomes[news.url("/private/leak")].startswith("robots_disallowed")
    assert outcomes[news.url(PAGES + "spanish_article.html.gz")].startswith("filtered: language es")
    # the redirect lands on a page already listed: one article, the other a duplicate
    assert sum(1 for _, what in listed if str(what).startswith("duplicate: same text")) == 1
    assert rows(db, "SELECT count(DISTINCT outlet) FROM articles") == [
        (1,)
    ]  # the source's outlet option
    page_hits = {p: n for p, n in news.hits.items() if p.startswith(PAGES)}

    started = time.perf_counter()
    second = monitor_topic(topic="news", db=str(db), topic_file=str(topic))
    second_s = time.perf_counter() - started
    assert second.articles_new == 0 and second.not_modified == 1 and second.fetched == 0
    assert {
        p: n for p, n in news.hits.items() if p.startswith(PAGES)
    } == page_hits  # no article body fetched
    runs = rows(db, "SELECT not_modified, fetched, articles_new FROM flow_runs ORDER BY started_at")
    assert runs == [(0, 6 + 2, 6), (1, 0, 0)]
    feed = rows(
        db, "SELECT outcome, http_status FROM fetches WHERE kind = 'feed' ORDER BY fetched_at"
    )
    assert feed == [("fetched", 200), ("not_modified", 304)]
    # the server changes nothing but its ETag: the item digest still says "unchanged"
    news.pages["/feed.xml"].conditional = False
    third = monitor_topic(topic="news", db=str(db), topic_file=str(topic))
    assert third.not_modified == 1 and third.articles_new == 0
    print(f"\nfirst run {first_s:.1f}s, unchanged rerun {second_s:.1f}s")


def test_killed_run_then_rerun_equals_one_clean_run(
    tmp_path: Path, prefect_harness: None, news: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil

    topic = topic_file(tmp_path, news)
    killed, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    held = PAGES + "fox13now_001.html.gz"  # first page of the second batch
    news.hold.add(held)
    code = (
        "import flows.monitor as m; m.BATCH_SIZE = 3; "
        f"m.monitor_topic(topic='news', db={str(killed)!r}, topic_file={str(topic)!r})"
    )
    # no API URL: the run starts Prefect's temporary server, as `claimwatch run` does
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    # Prefect's 20 s default for the temporary server is too short on a busy 2-core machine
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # the first batch loads on a thread while the second is fetched: the kill comes once
    # the second batch's first page is held and the first batch's load has finished
    log: list[str] = []
    assert proc.stderr is not None
    stderr = proc.stderr
    reader = threading.Thread(
        target=lambda: log.extend(line.decode(errors="replace") for line in stderr), daemon=True
    )
    reader.start()

    def first_load_done() -> bool:
        return any("load_claims" in line and "Completed" in line for line in list(log))

    try:
        deadline = time.monotonic() + 150
        while (
            not (news.hits[held] and first_load_done())
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert news.hits[held] == 1 and first_load_done(), (
            "".join(log)[-2000:] if proc.poll() is not None else "timeout"
        )
        servers = [
            c
            for c in psutil.Process(proc.pid).children(recursive=True)
            if "prefect.server.api.server:create_app" in c.cmdline()
        ]
        assert len(servers) == 1
    finally:
        proc.kill()
        proc.wait()
    # and a kill -9 during a snapshot copy: a real process half-way through writing one
    tmp = f"{killed.stem}.snapshot.duckdb.tmp"
    copier = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, os, time\n"
         f"con = duckdb.connect({str(tmp_path)!r} + '/{tmp}' + str(os.getpid()))\n"
         "con.execute('CREATE TABLE t AS SELECT range AS i FROM range(100000)')\n"
         "print('copying', flush=True)\n"
         "time.sleep(60)\n"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert copier.stdout is not None and copier.stdout.readline().strip() == b"copying"
    copier.kill()
    copier.wait()
    assert list(tmp_path.glob(tmp + "*"))
    news.hold.clear()
    news.release.set()
    assert rows(killed, "SELECT count(*) FROM articles") == [(3,)]  # halfway: the first batch only
    # the killed run's own record survived: its row, and the fetch rows of its stored batch
    assert rows(killed, "SELECT status FROM flow_runs") == [("running",)]
    assert rows(killed, "SELECT count(*) FROM fetches WHERE outcome = 'new'") == [(3,)]
    assert servers[0].is_running()  # orphaned by the kill

    monkeypatch.setattr(monitor, "BATCH_SIZE", 3)
    monitor_topic(topic="news", db=str(killed), topic_file=str(topic))
    monitor_topic(topic="news", db=str(clean), topic_file=str(topic))
    after, once = content(killed), content(clean)
    assert len(once["articles"]) == 6 and once["claims"]
    for table in CONTENT:
        assert after[table] == once[table], table
    final = (
        "SELECT url, arg_max(outcome, fetched_at) FROM fetches WHERE kind = 'article' "
        "GROUP BY url ORDER BY url"
    )
    assert rows(killed, final) == rows(clean, final)
    assert rows(killed, "SELECT status, articles_new FROM flow_runs ORDER BY started_at") == [
        ("crashed", 3),
        ("completed", 3),
    ]
    # nothing of the killed run is left: its temporary server ended, its half copy deleted
    gone, alive = psutil.wait_procs(servers, timeout=10)
    assert not alive
    assert not list(tmp_path.glob(tmp + "*"))


def test_real_feeds_through_the_flow(tmp_path: Path, prefect_harness: None, shared: Path) -> None:
    from tests.test_ingest_feeds import feed_files

    root = shared / "data" / "feeds"
    files = feed_files(shared)
    # every collection: a quarter of feed-rs, node-feedparser and rss-parser, one in 40 of feedparser's
    others = [p for p in files if "feedparser_tests" not in p.as_posix()]
    sample = others[::4] + [p for p in files if "feedparser_tests" in p.as_posix()][::40]
    with serve(shared / "data") as site:
        sources = "".join(
            f'[[sources]]\nurl = "{site.url("/data/feeds/" + p.relative_to(root).as_posix())}"\nmax_items = 3\n'
            for p in sample
        )
        path = tmp_path / "feeds.toml"
        # articles of these feeds live on the public web: this run fetches none of them
        path.write_text(
            f'name = "feeds"\nallow_private = true\nonly_hosts = ["127.0.0.1"]\n{sources}',
            encoding="utf-8",
        )
        db = tmp_path / "cw.duckdb"
        summary = monitor_topic(topic="feeds", db=str(db), topic_file=str(path))
    assert summary.sources_checked == len(sample)
    feeds = dict(
        rows(
            db, "SELECT outcome, count(*) FROM fetches WHERE kind IN ('feed', 'sitemap') GROUP BY 1"
        )
    )
    assert sum(feeds.values()) == len(sample) and feeds.get("fetched", 0) > 5
    articles = dict(
        rows(db, "SELECT outcome, count(*) FROM fetches WHERE kind = 'article' GROUP BY 1")
    )
    assert articles.get("filtered", 0) > 20 and set(articles) <= {
        "filtered",
        "duplicate",
        "error",
    }, articles
    assert rows(db, "SELECT status FROM flow_runs") == [("completed",)]
    print(f"\n{len(sample)} real feeds through the flow: {feeds}; their items: {articles}")
