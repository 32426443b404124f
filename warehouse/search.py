"""Full-text search (BM25, DuckDB's fts extension) over articles and their claims.

The index lives in its own file beside the warehouse, `<name>.search.duckdb`, built from the
snapshot `claimwatch sql` reads (or the live file with live=True), and is rebuilt lazily: by
the first search that finds the articles or claims changed since the last build. Why lazily
and not in the load path: an fts index cannot be updated in place, so every rebuild reads every
article again. Measured with DuckDB 1.5.5 on 2 shared cores (docs/duckdb-version.md): 0.5-0.7 s
at 1,000 articles, 1.6-2.0 s at 3,000, 3.3-7 s at 6,000, growing with the archive, while a batch
loads a few dozen articles and most batches are never searched. Checking whether the index is
current costs one count-and-hash over the ids (2 ms at 1,000 articles, 12-45 ms at 6,000).
Why its own file: a search never writes the warehouse and never waits on a running writer's
lock, and a crash mid-build can only leave a stale index that the next search rebuilds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.extensions import load_extension
from warehouse.lake import is_lake, target
from warehouse.snapshots import snapshot_path
from warehouse.store import engine_config

_LOCK_WAIT_S = 30.0
# what the index was built from; a different fingerprint means rebuild
_FINGERPRINT_SQL = """
SELECT (SELECT count(*) || ':' || coalesce(sum(hash(article_id, content_hash)), 0)
        FROM src.articles)
    || '/' ||
       (SELECT count(*) || ':' || coalesce(sum(hash(claim_id)), 0) FROM src.claims)
"""


@dataclass(frozen=True)
class ClaimHit:
    """A sentence of a found article whose claims match the query (one sentence can hold several)."""

    claim_ids: list[str]
    sentence: str
    score: float


@dataclass(frozen=True)
class Hit:
    """An article that matches the query, best score first."""

    article_id: str
    title: str | None
    url: str
    topic: str
    story_id: str | None
    score: float
    claims: list[ClaimHit] = field(default_factory=list)


def index_path(db: str | Path) -> Path:
    """Return where a warehouse's search index lives: <name>.search.duckdb beside it."""
    if is_lake(db):  # beside a catalog file, else in the lake's data folder
        t = target(db)
        return t.home / f"{t.catalog_file.stem if t.catalog_file else 'lake'}.search.duckdb"
    db = Path(db)
    return db.with_name(db.stem + ".search.duckdb")


def source_path(db: str | Path, live: bool = False) -> Path:
    """The file the index is built from: the snapshot, or the live file (live, or no snapshot)."""
    snap = snapshot_path(db)
    path = Path(db) if live or not snap.exists() else snap
    if not path.is_file():
        raise FileNotFoundError(2, "No such file or directory", str(Path(db)))
    return path


def _attach_source(con: duckdb.DuckDBPyConnection, db: str | Path, live: bool) -> None:
    if is_lake(db):  # a lake has no snapshot copy: its readers see committed snapshots anyway
        t = target(db)
        load_extension(con, "ducklake")
        if t.catalog_file is None:
            load_extension(con, "postgres")
        data = t.data_path.as_posix().replace("'", "''")
        con.execute(
            f"ATTACH '{t.attach.replace(chr(39), chr(39) * 2)}' AS src "
            f"(DATA_PATH '{data}/', READ_ONLY)"
        )
        return
    source = source_path(db, live).as_posix().replace("'", "''")
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")


def _open_index(db: str | Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    # concurrent searches take turns on the index file; each holds it for milliseconds
    # (seconds while one rebuilds)
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            con = duckdb.connect(str(index_path(db)), read_only=read_only, config=engine_config())
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    load_extension(con, "fts")
    return con


def _rebuild(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS index_state")  # a crash from here on means rebuild
    con.execute(
        "CREATE OR REPLACE TABLE docs AS SELECT article_id, topic, title, url, outlet, "
        "published, story_id, text FROM src.articles"
    )
    con.execute(
        "CREATE OR REPLACE TABLE claim_docs AS SELECT claim_id, article_id, topic, subject, "
        "attribute, value_text, sentence FROM src.claims"
    )
    con.execute("PRAGMA create_fts_index('docs', 'article_id', 'title', 'text', overwrite=1)")
    con.execute("PRAGMA create_fts_index('claim_docs', 'claim_id', 'sentence', overwrite=1)")


def ensure_index(db: str | Path, live: bool = False) -> bool:
    """Bring the search index up to date with the warehouse; True when it was rebuilt."""
    if not is_lake(db):
        source_path(db, live)  # no warehouse: say so before making an index file
    con = _open_index(db, read_only=False)
    try:
        _attach_source(con, db, live)
        try:
            now = con.execute(_FINGERPRINT_SQL).fetchall()[0][0]
            con.execute("CREATE TABLE IF NOT EXISTS index_state (fingerprint VARCHAR)")
            built = con.execute("SELECT fingerprint FROM index_state").fetchall()
            if built == [(now,)]:
                return False
            _rebuild(con)
            con.execute("CREATE TABLE index_state AS SELECT ? AS fingerprint", [now])
            return True
        finally:
            con.execute("DETACH src")
    finally:
        con.close()


def search_connection(db: str | Path, live: bool = False) -> duckdb.DuckDBPyConnection:
    """The up-to-date index opened read-only for user SQL: fts loaded, no files, settings locked."""
    ensure_index(db, live)
    con = _open_index(db, read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def search(
    db: str | Path,
    query: str,
    topic: str | None = None,
    limit: int = 10,
    live: bool = False,
    sentences: int = 3,
) -> list[Hit]:
    """Articles matching the words by BM25 over title and text, each with its best claim sentences."""
    if not query.strip():
        raise ValueError("the search words are empty")
    if limit < 1:
        raise ValueError("--limit must be at least 1")
    ensure_index(db, live)
    con = _open_index(db, read_only=True)
    try:
        rows = con.execute(
            "SELECT article_id, title, url, topic, story_id, score FROM ("
            "  SELECT *, fts_main_docs.match_bm25(article_id, ?) AS score FROM docs"
            ") WHERE score IS NOT NULL AND (? IS NULL OR topic = ?) "
            "ORDER BY score DESC, article_id LIMIT ?",
            [query, topic, topic, limit],
        ).fetchall()
        ids = [r[0] for r in rows]
        claims: dict[str, list[ClaimHit]] = {}
        if ids:
            for article_id, sentence, score, claim_ids in con.execute(
                "SELECT article_id, sentence, max(score) AS best, list(claim_id ORDER BY claim_id) "
                "FROM ("
                "  SELECT *, fts_main_claim_docs.match_bm25(claim_id, ?) AS score FROM claim_docs"
                "  WHERE list_contains(?, article_id)"
                ") WHERE score IS NOT NULL GROUP BY article_id, sentence "
                "QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY best DESC, sentence) <= ? "
                "ORDER BY article_id, best DESC, sentence",
                [query, ids, sentences],
            ).fetchall():
                claims.setdefault(article_id, []).append(ClaimHit(claim_ids, sentence, score))
    finally:
        con.close()
    return [
        Hit(a, title, url, t, story, score, claims.get(a, []))
        for a, title, url, t, story, score in rows
    ]
