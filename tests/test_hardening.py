"""Hardening: one bad page never blocks a topic, user SQL never writes, bad input says one line."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from extractors.claims import MAX_EXTRACT_CHARS, PARSE_BATCH_CHARS, extract_articles, parse_batches
from extractors.pipeline import load_nlp
from flows.monitor import artifact_key, monitor_topic
from ingest.cleaning import clean_page
from records import Article
from ingest.topics import TopicError, load_topic
from tests.conftest import REPO
from tests.servers import Site, serve
from warehouse.snapshots import refresh_snapshot, snapshot_path
from warehouse.store import connect

TXT = "/data/articles/newspaper4k_testdata/txt/"
HTML = "/data/articles/newspaper4k_testdata/html/"
LONG_CHARS = 1_775_963  # the page that blocked its topic: spaCy's limit is 1,000,000


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def paragraphs(shared: Path, name: str) -> list[str]:
    text = (shared / TXT.strip("/") / f"{name}.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n") if p.strip()]


def page(title: str, paras: list[str], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paras)
    return (
        f"<html><head><title>{title}</title>{head}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def long_page(shared: Path) -> str:
    """A real article's paragraphs repeated past 1.78 M characters of text."""
    paras = paragraphs(shared, "cnn_test_nlp")
    size = sum(len(p) + 1 for p in paras)
    return page("Long", paras * (LONG_CHARS // size + 1))


def rss(items: list[tuple[str, str | None]]) -> str:
    body = "".join(
        f"<item><title>{url.rsplit('/', 1)[-1]}</title><link>{url}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
        for url, date in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )


def topic_file(tmp_path: Path, name: str, feed: str, extra: str = "") -> Path:
    path = tmp_path / f"{re.sub(r'[^a-z]', '', name.lower()) or 'topic'}.toml"
    path.write_text(
        f'name = {json.dumps(name)}\nallow_private = true\n{extra}\n[[sources]]\nurl = "{feed}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def site(shared: Path) -> Iterator[Site]:
    with serve(shared / "data") as s:
        yield s


# 1. one long article ---------------------------------------------------------------------------


def test_a_long_article_is_cut_and_its_batch_and_topic_load(
    tmp_path: Path, prefect_harness: None, site: Site, shared: Path
) -> None:
    long_url = site.page("/long", long_page(shared))
    others = [site.url(f"{HTML}{n}.html.gz") for n in ("cnn_test_nlp", "time_001")]
    feed = site.page(
        "/feed.xml",
        rss([(long_url, None)] + [(u, None) for u in others]),
        ctype="application/rss+xml",
    )
    db = tmp_path / "cw.duckdb"
    summary = monitor_topic(topic="t", db=str(db), topic_file=str(topic_file(tmp_path, "t", feed)))
    assert summary.articles_new == 3
    reason = rows(db, "SELECT outcome, reason FROM fetches WHERE url = ?", [long_url])
    assert len(reason) == 1 and reason[0][0] == "new", reason
    assert "claims extracted from the first" in str(reason[0][1])
    assert (
        f"of {rows(db, 'SELECT length(text) FROM articles WHERE url = ?', [long_url])[0][0]}"
        in str(reason[0][1])
    )
    stored = rows(
        db,
        "SELECT max(span_end) FROM claims JOIN articles USING (article_id) WHERE url = ?",
        [long_url],
    )
    assert stored[0][0] is None or int(stored[0][0]) <= MAX_EXTRACT_CHARS  # type: ignore[call-overload]
    assert rows(db, "SELECT status FROM flow_runs") == [("completed",)]


def test_long_pages_parse_in_batches_bounded_by_characters(shared: Path) -> None:
    # readability's clean-links page is one 81,000-character block: parsed with fifteen
    # others in one batch it took the process from 600 MB to 1.3 GB
    data = gzip.decompress(
        (
            shared / "data/articles/mozilla_readability_testpages/clean-links/source.html.gz"
        ).read_bytes()
    )
    long = clean_page(data, "http://x/clean-links", "t")
    short = clean_page(page("Short", paragraphs(shared, "time_001")).encode(), "http://x/s", "t")
    assert isinstance(long, Article) and isinstance(short, Article)
    assert len(long.text) > PARSE_BATCH_CHARS // 2
    items = [(short, None)] * 3 + [(long, None)] + [(short, None)] * 14 + [(long, None)] * 2
    groups = parse_batches(items, 16)
    assert [i for g in groups for i in g] == items  # order kept, nothing lost
    for g in groups:
        assert len(g) <= 16
        assert len(g) == 1 or sum(len(a.text) for a, _ in g) <= PARSE_BATCH_CHARS


def test_one_article_that_fails_extraction_is_its_own_error(shared: Path) -> None:
    html = page("Long", paragraphs(shared, "cnn_test_nlp") * 10).encode()
    short = clean_page(page("Short", paragraphs(shared, "time_001")).encode(), "http://x/s", "t")
    long = clean_page(html, "http://x/l", "t")
    assert isinstance(short, Article) and isinstance(long, Article)
    nlp, _ = load_nlp()
    limit = nlp.max_length
    # spaCy's own E088 for the longer text: a real failure of one article in its batch
    nlp.max_length = len(short.text) + 1
    assert len(long.text) > nlp.max_length
    try:
        out = extract_articles([short, long, short], nlp)
    finally:
        nlp.max_length = limit
    assert out[1].error and "E088" in out[1].error
    assert out[0].error is None and out[2].error is None


def test_import_of_a_long_text_file_cuts_it_and_skips_binaries(
    tmp_path: Path, shared: Path
) -> None:
    text = "\n".join(paragraphs(shared, "cnn_test_nlp"))
    long = tmp_path / "long.txt"
    long.write_text("Long\n" + (text + "\n") * (LONG_CHARS // len(text) + 1), encoding="utf-8")
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(range(256)) * 64)
    elf = tmp_path / "tool.txt"
    elf.write_bytes(
        Path("/bin/true").read_bytes() if Path("/bin/true").exists() else b"\x7fELF" + bytes(4000)
    )
    db = tmp_path / "cw.duckdb"
    result = CliRunner().invoke(app, ["import", str(long), str(noise), str(elf), "--db", str(db)])
    out = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 0, out
    assert f"skipped {noise.resolve().as_uri()}: binary file, not text" in out
    assert f"skipped {elf.resolve().as_uri()}: binary file, not text" in out
    assert "claims extracted from the first" in out
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]
    missing = CliRunner().invoke(app, ["import", str(tmp_path / "gone.txt"), "--db", str(db)])
    assert (
        missing.exit_code == 2
        and missing.output.strip() == f"no such file: {tmp_path / 'gone.txt'}"
    )


# 2. artifact keys ------------------------------------------------------------------------------


def test_artifact_keys_for_any_topic_name() -> None:
    names = ["df_rss", "df-rss", "DF rss", "Upper", "with space", "Ünïcode 話題", "話題", "ok-1"]
    keys = [artifact_key("claimwatch", n) for n in names]
    assert all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys), keys
    assert len(set(keys)) == len(keys)
    assert artifact_key("claimwatch", "ok-1") == "claimwatch-ok-1"  # valid names keep their key


def test_a_run_of_a_topic_named_with_underscore_and_capitals_completes(
    tmp_path: Path, prefect_harness: None, site: Site
) -> None:
    feed = site.page("/empty.xml", rss([]), ctype="application/rss+xml")
    db = tmp_path / "cw.duckdb"
    for name in ("df_rss", "Ünïcode Topic"):
        monitor_topic(topic=name, db=str(db), topic_file=str(topic_file(tmp_path, name, feed)))
    assert rows(db, "SELECT topic, status FROM flow_runs ORDER BY started_at") == [
        ("df_rss", "completed"),
        ("Ünïcode Topic", "completed"),
    ]


# 3. claimwatch sql only reads -----------------------------------------------------------------


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "cw.duckdb"
    with connect(db) as con:
        con.execute("INSERT INTO claim_links VALUES ('l1', 'c1', 'c2', 'agrees', 'same figure')")
    refresh_snapshot(db)
    return db


def sql(db: Path, query: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["sql", "--db", str(db), query, *extra])
    return result.exit_code, result.output.strip()


def test_sql_cannot_write_the_warehouse_or_touch_files(warehouse: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "out.csv"
    for query, expected in {
        f"ATTACH '{warehouse}' AS w (READ_WRITE); DROP TABLE w.claim_links": "ATTACH statements are refused",
        "DROP TABLE claim_links": "DROP statements are refused",
        "DELETE FROM claim_links": "DELETE statements are refused",
        f"COPY claim_links TO '{out_file}'": "COPY statements are refused",
        "SET enable_external_access = true": "SET statements are refused",
        "INSTALL httpfs": "LOAD statements are refused",
    }.items():
        code, out = sql(warehouse, query)
        assert (code, out) == (2, f"claimwatch sql only reads: {expected}"), query
    code, out = sql(warehouse, "SELECT * FROM read_text('/etc/hostname')")
    assert (
        code == 1
        and out.startswith("Permission Error: Cannot access file")
        and "Traceback" not in out
    )
    # DuckDB's own guard, if a statement type slipped past the list
    code, out = sql(warehouse, "SELECT current_setting('enable_external_access') AS ext", "--json")
    assert json.loads(out) == [{"ext": False}]
    assert not out_file.exists()
    assert rows(warehouse, "SELECT count(*) FROM claim_links") == [(1,)]


def test_sql_errors_are_one_line(warehouse: Path, tmp_path: Path) -> None:
    code, out = sql(warehouse, "SELEC 1")
    assert (
        code == 1
        and out.startswith("Parser Error: syntax error at or near")
        and "Traceback" not in out
    )
    code, out = sql(warehouse, "SELECT nope FROM claim_links")
    assert code == 1 and out.startswith("Binder Error") and "Traceback" not in out
    debug = CliRunner().invoke(app, ["sql", "--db", str(warehouse), "SELEC 1", "--debug"])
    assert debug.exception is not None  # --debug lets the traceback through
    gone = tmp_path / "none.duckdb"
    code, out = sql(gone, "SELECT 1")
    assert code == 1 and out.startswith(f"no warehouse at {gone.resolve()}: pass --db FILE")


# 5. concurrency ---------------------------------------------------------------------------------


def hold_writer(db: Path, seconds: float) -> subprocess.Popen[bytes]:
    """A real process that opens the warehouse for writing and keeps it, as a first run does."""
    code = (
        "import sys, time; from warehouse.store import connect\n"
        f"with connect({str(db)!r}) as con:\n"
        "    print('open', flush=True)\n"
        f"    time.sleep({seconds})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"open"
    return proc


def test_sql_before_the_first_snapshot_waits_then_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warehouse.snapshots as snapshots

    db = tmp_path / "fresh.duckdb"
    with connect(db):
        pass
    assert not snapshot_path(db).exists()
    writer = hold_writer(db, 2.0)
    try:
        code, out = sql(db, "SELECT count(*) AS n FROM articles", "--json")  # waits the writer out
        assert code == 0 and json.loads(out) == [{"n": 0}], out
    finally:
        writer.wait()
    monkeypatch.setattr(snapshots, "FIRST_SNAPSHOT_WAIT_S", 0.5)
    writer = hold_writer(db, 30.0)
    try:
        code, out = sql(db, "SELECT count(*) FROM articles")
    finally:
        writer.kill()
        writer.wait()
    assert (code, out) == (
        1,
        "no snapshot yet; the first run is still writing (try again when it ends)",
    )


def test_a_second_run_of_a_running_topic_does_nothing(
    tmp_path: Path, prefect_harness: None, site: Site
) -> None:
    from prefect.settings import PREFECT_API_URL

    held = f"{HTML}cnn_test_nlp.html.gz"
    site.hold.add(held)
    feed = site.page("/feed.xml", rss([(site.url(held), None)]), ctype="application/rss+xml")
    topic, db = topic_file(tmp_path, "t", feed), tmp_path / "cw.duckdb"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    code = f"from flows.monitor import monitor_topic; monitor_topic(topic='t', db={str(db)!r}, topic_file={str(topic)!r})"
    first = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while site.hits[held] == 0 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.hits[held] == 1
        second = CliRunner().invoke(app, ["run", "t", "--db", str(db), "--topic-file", str(topic)])
        assert second.exit_code == 1, second.output
        line = second.output.strip().splitlines()[-1]
        assert line.startswith("topic t is already being run by run ") and line.endswith(
            "this run did nothing"
        )
    finally:
        site.release.set()
        assert first.wait(120) == 0, first.stderr.read().decode()[-2000:] if first.stderr else ""
    assert site.hits[held] == 1  # fetched once
    assert rows(db, "SELECT status, articles_new FROM flow_runs") == [("completed", 1)]
    assert rows(db, "SELECT count(*) FROM fetches WHERE kind = 'feed'") == [(1,)]


# 6 and 8. bad input says one line ---------------------------------------------------------------


def test_unknown_topic_keys_are_refused_with_the_nearest_name(tmp_path: Path) -> None:
    for text, message in {
        "allow_privat = true\n": "unknown key 'allow_privat' (did you mean 'allow_private'?)",
        'inclde = ["x"]\n': "unknown key 'inclde' (did you mean 'include'?)",
        'sitemap = ["https://x/s.xml"]\n': "unknown key 'sitemap' (did you mean 'sitemaps'?)",
    }.items():
        path = tmp_path / "t.toml"
        path.write_text(text + '[[sources]]\nurl = "https://x/feed"\n', encoding="utf-8")
        with pytest.raises(TopicError) as caught:
            load_topic(path)
        assert str(caught.value) == f"{path}: {message}"


def test_a_bad_topic_file_is_one_line_exit_2_and_no_run(
    tmp_path: Path, prefect_harness: None
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\ninclde = ["x"]\n[[sources]]\nurl = "https://x/feed"\n', encoding="utf-8"
    )
    db = tmp_path / "cw.duckdb"
    result = CliRunner().invoke(app, ["run", "bad", "--db", str(db), "--topic-file", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip() == f"{bad}: unknown key 'inclde' (did you mean 'include'?)"
    with pytest.raises(TopicError):  # a deployment's run fails, and records no failed run
        monitor_topic(topic="bad", db=str(db), topic_file=str(bad))
    assert not db.exists() or rows(db, "SELECT count(*) FROM flow_runs") == [(0,)]


# 7. no invented data ----------------------------------------------------------------------------


def test_no_date_from_url_digits_and_json_feed_ids_are_not_links(
    tmp_path: Path, prefect_harness: None, site: Site, shared: Path
) -> None:
    path = "/www/nation/2022/07/141_333387.html"  # a Korea Times address: no date in it
    url = site.url(path)
    site.page(
        path,
        page(
            "Korea story",
            paragraphs(shared, "cnn_test_nlp"),
            f'<link rel="canonical" href="{url}">',
        ),
    )
    dated = site.url(f"{HTML}time_001.html.gz")
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [
            {"id": "Item without authors", "content_text": "x"},
            {"id": "0", "content_text": "x"},
            {"id": "https://elsewhere.invalid/a", "external_url": url},
            {"id": "1", "url": dated, "date_published": "2021-08-22T10:00:00Z"},
        ],
    }
    feed_url = site.page("/feed.json", json.dumps(feed), ctype="application/feed+json")
    db = tmp_path / "cw.duckdb"
    monitor_topic(
        topic="t",
        db=str(db),
        topic_file=str(topic_file(tmp_path, "t", feed_url, 'only_hosts = ["127.0.0.1"]')),
    )
    assert rows(db, "SELECT url, published FROM articles WHERE url = ?", [url]) == [(url, None)]
    assert rows(
        db, "SELECT count(*) FROM articles WHERE url = ? AND published IS NOT NULL", [dated]
    ) == [(1,)]
    assert not {"/0", "/Item without authors", "/Item%20without%20authors"} & set(site.hits)
    assert set(r[0] for r in rows(db, "SELECT url FROM fetches WHERE kind = 'article'")) == {
        url,
        dated,
    }
