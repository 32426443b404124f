"""Reading while the pipeline writes, schema upgrades, views, export, prune, README queries."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from claimwatch.importing import import_files
from demo.site import site_dir
from warehouse.exports import export_database
from warehouse.retention import parse_age, prune_raw_html
from warehouse.snapshots import read_connection, snapshot_path
from warehouse.store import connect, migrations

REPO = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent(
    """
    import sys
    from records import Claim
    from warehouse.loading import load_batch
    from warehouse.snapshots import refresh_snapshot
    from warehouse.store import connect
    db, batches = sys.argv[1], int(sys.argv[2])
    for b in range(batches):
        claims = [Claim(claim_id=f"{b}-{i}", article_id=f"a{b}", topic="t", subject_id=f"s{i % 7}",
                        subject="S", attribute="x", value_type="quantity", value_text=str(i),
                        low=float(i), high=float(i)) for i in range(100)]
        with connect(db) as con:
            load_batch(con, claims)
        refresh_snapshot(db)
    print("writer done")
    """
)
READER = textwrap.dedent(
    """
    import sys, time
    from warehouse.snapshots import read_connection, snapshot_path
    db, seconds = sys.argv[1], float(sys.argv[2])
    counts = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if snapshot_path(db).exists():
            con = read_connection(db)
            counts.append(con.execute("SELECT count(*) FROM claims").fetchall()[0][0])
            con.close()
        time.sleep(0.01)
    print(",".join(map(str, counts)))
    """
)


def test_analyst_reads_never_block_the_writer_nor_see_half_batches(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    with connect(db):
        pass
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), "8"], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    writer = subprocess.run(
        [sys.executable, "-c", WRITER, str(db), "15"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    out, _ = reader.communicate(timeout=60)
    assert writer.returncode == 0, writer.stderr
    assert reader.returncode == 0
    counts = [int(c) for c in out.strip().split(",") if c]
    assert counts, "the reader never saw a snapshot"
    assert all(c % 100 == 0 for c in counts), "a reader saw half a batch"
    assert counts == sorted(counts)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM claims").fetchall()[0][0] == 1500


def test_old_file_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    version_1 = migrations()[0][1]
    con.execute(version_1)
    con.execute("INSERT INTO schema_versions VALUES (1, now())")
    con.execute("INSERT INTO entities VALUES ('e', 'Kabul', 'PLACE', ['Kabul'])")
    con.close()
    with connect(db) as con:
        versions = [
            r[0] for r in con.execute("SELECT version FROM schema_versions ORDER BY 1").fetchall()
        ]
        assert versions == [v for v, _ in migrations()]
        assert con.execute("SELECT name FROM entities").fetchall() == [("Kabul",)]
        views = {
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
    assert {
        "claims_with_sources",
        "contradictions_side_by_side",
        "entity_claim_timeline",
        "outlet_activity",
    } <= views


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    import_files(sorted((site_dir() / "articles").glob("*.html")), str(db), topic="panjshir")
    return db


def _readme_queries() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Five useful queries", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.DOTALL)


def test_readme_queries_run_on_a_demo_database(demo_db: Path) -> None:
    queries = _readme_queries()
    assert len(queries) == 5
    con = read_connection(demo_db)
    try:
        results = [con.execute(q).fetchall() for q in queries]
    finally:
        con.close()
    latest, who_said, by_outlet, backlog, runs = results
    assert len(latest) == 2
    assert any("Zhirnov" in str(r) for r in who_said)
    assert len(by_outlet) == 4
    assert len(backlog) == 2
    assert runs == []  # imported files make no flow runs


def test_views_and_comments(demo_db: Path) -> None:
    con = read_connection(demo_db)
    try:
        side = con.execute(
            "SELECT kind, value_a, value_b FROM contradictions_side_by_side ORDER BY kind"
        ).fetchall()
        missing = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL AND NOT internal "
            "AND table_name IN (SELECT table_name FROM duckdb_tables())"
        ).fetchall()
    finally:
        con.close()
    assert [s[0] for s in side] == ["direction", "numeric"]
    assert missing == []


def test_export_parquet(demo_db: Path, tmp_path: Path) -> None:
    files = export_database(demo_db, tmp_path / "out")
    claims = next(f for f in files if f.name == "claims.parquet")
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{claims}'").fetchall()[0][0] > 0


def test_prune_keeps_claims_and_evidence(demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    with connect(copy) as con:
        ids = [r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()]
        # pages the demo stored as files, and pages held inline as a migrated warehouse has them
        con.executemany(
            "INSERT INTO article_pages VALUES (?, NULL, '<html>old</html>') ON CONFLICT DO NOTHING",
            [[i] for i in ids],
        )
        before = con.execute("SELECT count(*), count(DISTINCT sentence) FROM claims").fetchall()
    assert prune_raw_html(copy, timedelta(0)) == 4
    with connect(copy, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_pages").fetchall()[0][0] == 0
        assert (
            con.execute("SELECT count(*), count(DISTINCT sentence) FROM claims").fetchall()
            == before
        )
    assert parse_age("90d") == timedelta(days=90)
    assert snapshot_path(copy).name == "copy.snapshot.duckdb"
