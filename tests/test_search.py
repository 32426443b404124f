"""Full-text search over a real warehouse: ranking, --json, errors, the index kept current, README SQL."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.importing import import_files
from demo.site import site_dir
from warehouse.search import ensure_index, index_path, search

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
# the seed that says "Northwest of Kabul" (its sentence quoting Massoud by telephone)
NORTHWEST_SEED = "002_5f6b193c87e7cd36.txt"


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    return result.exit_code, result.output


def cli_process(tmp_path: Path, *args: str, timeout: float = 240) -> tuple[int, str]:
    """The CLI in its own process: this one's DuckLake host may still hold earlier tests' lakes."""
    run = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", *args],
        cwd=REPO,
        env={**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "80"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return run.returncode, run.stdout + run.stderr


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("search") / "w.duckdb"
    import_files(SEEDS, str(db), topic="seeds")
    return db


def _url_of(seed: str) -> str:
    return (REPO.parent / "shared" / "seeds" / seed).resolve().as_uri()


def test_the_article_that_says_it_comes_first(seeds_db: Path) -> None:
    hits = search(seeds_db, "northwest of Kabul fortress telephone")
    assert hits and hits[0].url == _url_of(NORTHWEST_SEED)
    assert hits[0].score > (hits[1].score if len(hits) > 1 else 0)
    # its claims quoted from the sentence that holds the words
    assert any("Northwest of Kabul" in c.sentence for c in hits[0].claims)
    assert search(seeds_db, "northwest of Kabul", topic="other") == []


def test_json_prints_one_object_per_line(seeds_db: Path) -> None:
    code, out = cli("search", "Panjshir fighters", "--db", str(seeds_db), "--json", "--limit", "2")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2, out
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert {"article_id", "title", "url", "score", "topic", "story_id", "claims"} <= set(row)
        assert row["topic"] == "seeds" and isinstance(row["score"], float)
    assert rows[0]["score"] >= rows[1]["score"]


def test_user_errors_are_one_line(seeds_db: Path, tmp_path: Path) -> None:
    code, out = cli("search", "  ", "--db", str(seeds_db))
    assert code == 2 and out.count("\n") == 1 and "give the words" in out
    code, out = cli("search", "Kabul", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and out.startswith("no warehouse at") and "Traceback" not in out
    code, out = cli("search", "qqqzzz", "--db", str(seeds_db))
    assert code == 0 and out.strip() == "no articles match 'qqqzzz'"
    code, out = cli("search", "--sql", "DROP TABLE docs", "--db", str(seeds_db))
    assert code == 2 and "only reads" in out


def test_the_index_follows_each_import(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    import_files(SEEDS, str(db), topic="seeds")
    assert search(db, "Moscow doubts") == []
    assert ensure_index(db) is False  # nothing changed since that search's build
    import_files(sorted((site_dir() / "articles").glob("*.html")), str(db), topic="panjshir")
    hits = search(db, "Moscow doubts")
    assert hits and hits[0].title == "Moscow doubts the Panjshir holdouts can last"
    assert hits[0].topic == "panjshir"
    assert {h.topic for h in search(db, "Massoud", limit=50)} == {"seeds", "panjshir"}
    index_path(db).unlink()  # a deleted index is rebuilt, not an error
    assert search(db, "Moscow doubts")[0].title == hits[0].title


def _readme_search_queries() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Full-text search", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.DOTALL)


def test_readme_search_queries_run(seeds_db: Path) -> None:
    queries = _readme_search_queries()
    assert len(queries) == 3
    results = []
    for q in queries:
        code, out = cli("search", "--sql", q, "--db", str(seeds_db), "--json")
        assert code == 0, out
        results.append(json.loads(out))
    articles, claims, titles = results
    assert len(articles) == 2 and articles[0]["score"] >= articles[1]["score"]
    assert any("Northwest of Kabul" in r["sentence"] for r in claims[:3])
    assert len(titles) == 2  # both seed titles name Massoud


def test_a_file_from_duckdb_2_names_the_fix_and_restore_moves_a_warehouse(
    seeds_db: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.duckdb"  # written by DuckDB 2.0 (storage version 999)
    old.write_bytes(
        gzip.decompress((REPO / "tests/data/written_by_duckdb_2.0.duckdb.gz").read_bytes())
    )
    code, out = cli("sql", "SELECT 1", "--db", str(old))
    assert code == 1 and out.count("\n") == 1 and "claimwatch restore" in out, out
    # the move itself: an export (what DuckDB 2.0's EXPORT DATABASE or `export` writes), restored
    code, out = cli("export", "--live", str(tmp_path / "export"), "--db", str(seeds_db))
    assert code == 0, out
    new = tmp_path / "moved" / "w.duckdb"
    code, out = cli("restore", str(tmp_path / "export"), "--db", str(new))
    assert code == 0 and "restored into" in out, out
    query = "SELECT kind, claim_a, claim_b FROM contradictions ORDER BY 1"
    before = cli("sql", query, "--db", str(seeds_db), "--live", "--csv")
    after = cli("sql", query, "--db", str(new), "--csv")
    assert before == after and before[1].count("\n") == 3  # header and the two seed contradictions
    code, out = cli("restore", str(tmp_path / "export"), "--db", str(new))
    assert code == 2 and "exists" in out
    lake = f"ducklake:{tmp_path / 'lake.ducklake'}"  # a file's export lands in a lake too
    assert cli_process(tmp_path, "restore", str(tmp_path / "export"), "--db", lake)[0] == 0
    assert cli_process(tmp_path, "sql", query, "--db", lake, "--csv")[1] == before[1]
    assert cli_process(tmp_path, "restore", str(tmp_path / "export"), "--db", lake)[0] == 2
    shutil.rmtree(tmp_path / "export")


def test_search_reads_a_ducklake_warehouse(tmp_path: Path) -> None:
    lake = f"ducklake:{tmp_path / 'lake.ducklake'}"
    code, out = cli_process(
        tmp_path, "import", *map(str, SEEDS), "--db", lake, "--topic", "seeds", "--no-notify"
    )
    assert code == 0, out[-2000:]
    code, out = cli_process(
        tmp_path, "search", "northwest of Kabul fortress telephone", "--db", lake, "--json"
    )
    assert code == 0, out[-2000:]
    hits = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert hits and hits[0]["url"] == _url_of(NORTHWEST_SEED)
    assert index_path(lake) == tmp_path / "lake.search.duckdb" and index_path(lake).is_file()
