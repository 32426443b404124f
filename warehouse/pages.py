"""Raw pages: gzip files beside the warehouse, one per article, listed in article_pages.

Raw HTML lives outside the articles table because DuckDB's checkpoint rewrites the whole row
group a batch appends to: with every stored page inline that rewrite grew with the archive
(+500 MB at 750 articles), with pages in files it stays the size of the text columns.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from records import Article
from warehouse.store import registered

SUFFIX = ".html.gz"
PAGE_LEVEL = 6


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Return the file of the connection's database (None for an in-memory one)."""
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(rows[0][0]) if rows and rows[0][0] else None


def pages_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Return the folder of the connection's raw pages: beside its file, or a lake's data folder."""
    # a lake connection names its folder in a variable (warehouse.lake); a file has none
    rows = con.execute("SELECT getvariable('claimwatch_pages')").fetchall()
    if rows and rows[0][0]:
        return Path(rows[0][0])
    db = database_path(con)
    return pages_dir(db) if db is not None else None


def pages_dir(db: str | Path) -> Path:
    """Return the folder that holds a warehouse's raw pages: <name>.pages beside the file."""
    db = Path(db)
    return db.with_name(db.stem + ".pages")


def _write(folder: Path, article_id: str, html: str) -> str:
    name = f"{article_id}{SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp{os.getpid()}"
    # mtime 0: the same page always gives the same bytes, so a rerun rewrites an identical file.
    # Level 6 (zlib's default), not gzip's 9: on the bench's 283 real pages 1.5x faster to
    # write (2.8 s against 4.1 s, in the one writer process) for files 0.7 % larger
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=PAGE_LEVEL) as gz,
    ):
        gz.write(html.encode("utf-8"))
    os.replace(tmp, folder / name)
    return name


def store_pages(con: duckdb.DuckDBPyConnection, articles: Sequence[Article]) -> int:
    """Write each new article's raw page once (file first, then its row); returns pages stored."""
    pages = {a.article_id: a.raw_html for a in articles if a.raw_html is not None}
    if not pages:
        return 0
    ids = list(pages)
    have = {
        r[0]
        for r in con.execute(
            "SELECT article_id FROM article_pages WHERE article_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    }
    folder = pages_folder(con)
    todo = [article_id for article_id in ids if article_id not in have]
    rows: list[tuple[str, str | None, str | None]]
    if folder is None:  # an in-memory warehouse has no folder: the page stays in its row
        rows = [(article_id, None, pages[article_id]) for article_id in todo]
    else:
        rows = [
            (article_id, _write(folder, article_id, pages[article_id]), None) for article_id in todo
        ]
    if rows:
        # one Arrow insert, not executemany: DuckDB runs executemany as one statement per row
        # (0.15 s for a batch of 50 pages)
        ids_, paths, htmls = zip(*rows, strict=True)
        table = pa.table(
            {
                "article_id": pa.array(ids_, type=pa.string()),
                "path": pa.array(paths, type=pa.string()),
                "html": pa.array(htmls, type=pa.string()),
            }
        )
        with registered(con, "_pages", table):
            con.execute(
                "INSERT INTO article_pages (article_id, path, html) "
                "SELECT article_id, path, html FROM _pages ON CONFLICT (article_id) DO NOTHING"
            )
    return len(rows)


def read_page(con: duckdb.DuckDBPyConnection, article_id: str) -> str | None:
    """Return an article's stored raw page, or None when it was never kept or was pruned."""
    rows = con.execute(
        "SELECT path, html FROM article_pages WHERE article_id = ?", [article_id]
    ).fetchall()
    if not rows:
        return None
    path, html = rows[0]
    if html is not None:
        return str(html)
    folder = pages_folder(con)
    if path is None or folder is None:
        return None
    file = folder / path
    if not file.exists():  # pruned while its row was left behind by a killed prune
        return None
    return gzip.decompress(file.read_bytes()).decode("utf-8")


def spill_inline_pages(con: duckdb.DuckDBPyConnection) -> int:
    """Move pages still held in article_pages rows (moved there by migration 9) out to files."""
    folder = pages_folder(con)
    if folder is None:
        return 0
    rows = con.execute(
        "SELECT article_id, html FROM article_pages WHERE html IS NOT NULL"
    ).fetchall()
    if not rows:
        return 0
    moved = [(_write(folder, article_id, html), article_id) for article_id, html in rows]
    con.begin()
    con.executemany("UPDATE article_pages SET path = ?, html = NULL WHERE article_id = ?", moved)
    con.commit()
    return len(moved)


def remove_pages(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[str, str | None]]) -> int:
    """Delete the files and rows of (article_id, path) pages; files go first, so a kill leaves rows to retry."""
    folder = pages_folder(con)
    ids = []
    for article_id, path in rows:
        if path is not None and folder is not None:
            (folder / path).unlink(missing_ok=True)
        ids.append(article_id)
    if ids:
        con.execute("DELETE FROM article_pages WHERE article_id IN (SELECT unnest(?))", [ids])
    return len(ids)
