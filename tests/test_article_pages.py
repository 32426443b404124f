"""Raw pages live in gzip files beside the warehouse: stored once, read back, migrated, pruned."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.cleaning import clean_page
from records import Article, Claim
from warehouse.loading import load_batch
from warehouse.pages import pages_dir, read_page
from warehouse.retention import prune_raw_html
from warehouse.store import connect, migrations

PAGE = "data/articles/newspaper4k_testdata/html/cnn_test_nlp.html.gz"


@pytest.fixture
def article(shared: Path) -> Article:
    raw = gzip.decompress((shared / PAGE).read_bytes())
    result = clean_page(raw, "https://edition.cnn.com/2013/11/27/travel/weather-thanksgiving", "t")
    assert isinstance(result, Article) and result.raw_html
    return result


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT a.article_id, a.text, p.path, p.html FROM articles a "
        "LEFT JOIN article_pages p USING (article_id) ORDER BY 1"
    ).fetchall()


def test_loading_stores_the_page_once_and_reads_it_back(article: Article, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    # a load that fails after the page file is written (a NOT NULL claim column) leaves no
    # row; the rerun writes the same file and ends with the rows of one clean load
    broken = Claim(claim_id="c1", article_id=article.article_id, topic=None, subject_id="s",  # type: ignore[arg-type]
                   subject="S", attribute="x", value_type="quantity", value_text="9")  # fmt: skip
    with connect(db) as con:
        with pytest.raises(duckdb.Error):
            load_batch(con, [article], [broken])
        assert _rows(con) == []
        assert load_batch(con, [article]) == {"articles": 1}
        assert load_batch(con, [article]) == {"articles": 0}
        rows = _rows(con)
        assert rows == [(article.article_id, article.text, f"{article.article_id}.html.gz", None)]
        assert read_page(con, article.article_id) == article.raw_html
    files = list(pages_dir(db).iterdir())
    assert [f.name for f in files] == [f"{article.article_id}.html.gz"]
    assert gzip.decompress(files[0].read_bytes()).decode("utf-8") == article.raw_html


def test_in_memory_warehouse_keeps_the_page_in_its_row(article: Article) -> None:
    with connect(":memory:") as con:
        load_batch(con, [article])
        assert read_page(con, article.article_id) == article.raw_html


def test_migration_moves_a_schema_8_warehouses_raw_pages(article: Article, tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_versions (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)"
    )
    for version, sql in migrations():
        if version <= 8:
            con.execute(sql)
            con.execute("INSERT INTO schema_versions VALUES (?, ?)", [version, datetime.now(UTC)])
    values = [article.article_id, "t", article.url, article.canonical_url, article.outlet,
              article.title, None, None, "en", article.text, article.content_hash,
              datetime.now(UTC), article.source_key, article.raw_html, None]  # fmt: skip
    con.execute(f"INSERT INTO articles VALUES ({', '.join('?' * len(values))})", values)
    con.execute("INSERT INTO articles (article_id, topic, url, canonical_url, outlet, text, "
                "content_hash, fetched_at, source_key) VALUES ('bare', 't', 'u', 'u', 'o', 'x', "
                "'h', now(), 'o')")  # fmt: skip
    con.close()
    with connect(path) as con:
        cols = [r[0] for r in con.execute("DESCRIBE articles").fetchall()]
        assert "raw_html" not in cols
        assert read_page(con, article.article_id) == article.raw_html
        assert read_page(con, "bare") is None
        assert con.execute("SELECT count(html) FROM article_pages").fetchall()[0][0] == 0
        assert sorted(str(r[1]) for r in _rows(con)) == sorted([article.text, "x"])
    assert (pages_dir(path) / f"{article.article_id}.html.gz").exists()


def test_prune_drops_old_pages_and_keeps_articles(article: Article, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        load_batch(con, [article])
    assert prune_raw_html(db, timedelta(days=1)) == 0
    assert prune_raw_html(db, timedelta(0)) == 1
    with connect(db) as con:
        assert read_page(con, article.article_id) is None
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 1
    assert list(pages_dir(db).iterdir()) == []
