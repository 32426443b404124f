"""The DuckLake warehouse: the same tables and answers as the DuckDB file, and many writers on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from warehouse.extensions import unavailable
from warehouse.lake import STATS, in_transaction, merge_sql
from warehouse.store import connect

REPO = Path(__file__).resolve().parents[1]
LAKE_MISSING = unavailable("ducklake")
needs_lake = pytest.mark.skipif(LAKE_MISSING is not None, reason=f"no DuckLake: {LAKE_MISSING}")


@pytest.fixture
def lake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh lake with a file catalog in tmp_path (its data beside it)."""
    monkeypatch.delenv("CLAIMWATCH_LAKE_DATA", raising=False)
    return f"ducklake:{tmp_path / 'lake' / 'lake.ducklake'}"


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """PostgreSQL on 127.0.0.1 from Debian's binaries (initdb + pg_ctl in a tmp dir, a free port)."""
    from bench.postgres import find_bindir, postgres

    if find_bindir() is None:
        pytest.skip("no PostgreSQL binaries (apt-get install postgresql; .ci/postgres.sh does)")
    with postgres(tmp_path_factory.mktemp("pg"), ("lake", "prefect")) as server:
        yield server


def test_upserts_become_merges_on_the_natural_key() -> None:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE story_totals (name VARCHAR NOT NULL, value BIGINT NOT NULL)")
        sql = merge_sql(
            con,
            "INSERT INTO story_totals VALUES ('articles', ?) "
            "ON CONFLICT DO UPDATE SET value = story_totals.value + excluded.value",
        )
        for n in (3, 4):
            con.execute(sql, [n])
        assert con.execute("SELECT * FROM story_totals").fetchall() == [("articles", 7)]
        con.execute("CREATE TABLE article_pages (article_id VARCHAR, path VARCHAR, html VARCHAR)")
        sql = merge_sql(
            con,
            "INSERT INTO article_pages VALUES (?, ?, ?) ON CONFLICT (article_id) DO NOTHING",
        )
        con.executemany(sql, [["a", None, "x"], ["a", None, "y"], ["b", "b.gz", None]])
        rows = con.execute("SELECT * FROM article_pages ORDER BY 1").fetchall()
        assert rows == [("a", None, "x"), ("b", "b.gz", None)]


@needs_lake
def test_seeds_give_the_same_contradictions_in_a_lake(
    shared: Path, lake_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimwatch.cli import app
    from claimwatch.importing import import_files

    seeds = sorted((shared / "seeds").glob("*.txt"))
    file_db = str(tmp_path / "file.duckdb")
    import_files(seeds, file_db)
    monkeypatch.setenv("CLAIMWATCH_WAREHOUSE", lake_env)
    monkeypatch.delenv("CLAIMWATCH_DB", raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["import", *map(str, seeds)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["sql", "SELECT kind FROM contradictions ORDER BY kind", "--csv"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["kind", "direction", "numeric"]
    query = "SELECT claim_a, claim_b, kind FROM contradictions ORDER BY 1"
    with connect(file_db, read_only=True) as a, connect(lake_env, read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        for view in ("contradictions_side_by_side", "story_overview", "outlet_activity"):
            n = f"SELECT count(*) FROM {view}"
            assert a.execute(n).fetchall() == b.execute(n).fetchall(), view
    # the user's SQL reads and nothing else, on a lake too
    result = runner.invoke(app, ["sql", "SELECT * FROM read_csv('/etc/passwd')"])
    assert result.exit_code != 0
    result = runner.invoke(app, ["sql", "DROP TABLE claims"])
    assert "refused" in result.output
    # nor the catalog's database, which the postgres extension would reach past those settings
    for query in ("SELECT * FROM ducklake_snapshots('lake')",
                  "SELECT count(*) FROM __ducklake_metadata_lake.ducklake_snapshot"):  # fmt: skip
        result = runner.invoke(app, ["sql", query])
        assert result.exit_code != 0 and "refuses" in result.output, result.output
    for args in (["alerts", "list"], ["export", str(tmp_path / "out")],
                 ["report", "--topic", "imported", "--out", str(tmp_path / "rep")]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "out" / "contradictions.parquet").is_file()
    assert not (tmp_path / "out" / "ducklake_snapshot.parquet").exists()
    assert (tmp_path / "rep" / "index.html").is_file()


@needs_lake
def test_a_conflicting_commit_reruns_the_whole_batch(lake_env: str) -> None:
    # two connections of one process are two transactions on the lake, as two writers are
    with connect(lake_env) as a, connect(lake_env) as b:
        before = STATS["conflicts_retried"]
        attempts = []

        def work() -> int:
            attempts.append(1)
            seen = a.execute("SELECT count(*) FROM story_totals").fetchall()[0][0]
            if len(attempts) == 1:  # the other writer commits while this batch runs
                in_transaction(b, lambda: b.execute("INSERT INTO story_totals VALUES ('x', 1)"))
            a.execute(
                "INSERT INTO story_totals VALUES ('articles', 1) "
                "ON CONFLICT DO UPDATE SET value = story_totals.value + excluded.value"
            )
            return int(seen)

        seen = in_transaction(a, work)
        assert len(attempts) == 2 and STATS["conflicts_retried"] == before + 1
        assert seen == 1  # the rerun read the snapshot holding the other writer's row
        rows = a.execute("SELECT * FROM story_totals ORDER BY 1").fetchall()
        assert rows == [("articles", 1), ("x", 1)]


@needs_lake
@pytest.mark.timeout(600)
def test_two_writer_processes_on_postgres_lose_and_double_nothing(
    pg: object, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.lake import ECB, commit_order, compare, run_writers, single_writer_file

    # both writers write the topic (every other document each), so detection must see
    # the other writer's claims: a batch that committed beside the other's would miss them
    topics = ("3",)
    data = tmp_path / "lake-data"
    monkeypatch.setenv("CLAIMWATCH_LAKE_DATA", str(data))
    lake = f"ducklake:postgres:{pg.libpq('lake')}"  # type: ignore[attr-defined]
    writers = run_writers(lake, ECB, {**os.environ}, batch=3, topics=topics)
    file_db = str(tmp_path / "one.duckdb")
    # one writer loads the same batches in the order the lake committed them
    order = commit_order(lake)
    assert sorted(map(len, order)) == sorted(
        n for w in writers for n in [3] * (w["articles"] // 3) + [w["articles"] % 3] if n
    )
    single_writer_file(file_db, ECB, batch=3, topics=topics, order=order)
    check = compare(lake, file_db, writers)
    assert check.lost == 0 and check.doubled == 0, (check.lake_counts, check.file_counts)
    assert check.lake_counts == check.file_counts
    assert check.contradictions_missing == check.stories_differ == 0
    assert check.contradictions_lake == check.contradictions_file
    assert sum(w["batches"] for w in writers) >= 8


@needs_lake
@pytest.mark.timeout(600)
def test_a_deployment_runs_through_prefect_on_postgres_into_a_lake_there(
    pg: object, tmp_path: Path
) -> None:
    from claimwatch.serve import (
        DATABASE_ENV,
        create_pool,
        free_port,
        postgres_url,
        prefect_cli,
        stack_env,
        start_server,
        start_worker,
        stop,
    )
    from demo.site import serve_site
    from tests.test_schedule import Stack

    server = pg
    state_dir = tmp_path / "serve"
    port = free_port()
    env = stack_env(REPO, tmp_path / "home", f"http://127.0.0.1:{port}/api")
    url = f"postgresql://{server.user}@127.0.0.1:{server.port}/prefect"  # type: ignore[attr-defined]
    env[DATABASE_ENV] = postgres_url(url)
    env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "false"
    env["PREFECT_WORKER_QUERY_SECONDS"] = "1"
    env["CLAIMWATCH_LAKE_DATA"] = str(tmp_path / "lake-data")
    from bench.postgres import create_database, find_bindir

    create_database(server, find_bindir(), "lake_flows")  # type: ignore[arg-type]
    lake = f"ducklake:postgres:{server.libpq('lake_flows')}"  # type: ignore[attr-defined]
    try:
        api = start_server(REPO, port, env, state_dir)
        create_pool(env, REPO)
        prefect_cli(["deploy", "--name", "monitor-panjshir"], env, REPO)
        start_worker(REPO, env, state_dir)
        stack = Stack(api, state_dir)
        with serve_site() as site:
            run_id, state = stack.run_to_end(
                "monitor_topic/monitor-panjshir", {"site": site, "db": lake}
            )
        logs = "\n".join(p.read_text(errors="replace")[-4000:] for p in state_dir.glob("*.log"))
        assert state["type"] == "COMPLETED", (state, logs)
    finally:
        for line in stop(state_dir):
            print(line)
    # Prefect kept its state in PostgreSQL, not in SQLite under PREFECT_HOME
    assert not list((tmp_path / "home").rglob("*.db"))
    os.environ["CLAIMWATCH_LAKE_DATA"] = env["CLAIMWATCH_LAKE_DATA"]
    try:
        with connect(lake, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM articles").fetchall() == [(4,)]
            runs = con.execute("SELECT status FROM flow_runs WHERE run_id = ?", [run_id]).fetchall()
            assert runs == [("completed",)]
            assert con.execute("SELECT count(*) FROM contradictions").fetchall()[0][0] > 0
    finally:
        del os.environ["CLAIMWATCH_LAKE_DATA"]


@needs_lake
@pytest.mark.timeout(300)
def test_two_importers_of_one_topic_find_the_contradiction_across_them(
    pg: object, shared: Path, tmp_path: Path
) -> None:
    # the direction contradiction is between the two seed articles: each importer stores one,
    # so it is found only if one of them compared its claims with the other's
    import subprocess
    import sys

    seeds = sorted((shared / "seeds").glob("*.txt"))
    lake = f"ducklake:postgres:{pg.libpq('lake_seeds')}"  # type: ignore[attr-defined]
    from bench.postgres import create_database, find_bindir

    create_database(pg, find_bindir(), "lake_seeds")  # type: ignore[arg-type]
    env = {**os.environ, "CLAIMWATCH_LAKE_DATA": str(tmp_path / "data"), "CLAIMWATCH_DB": lake}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "claimwatch.cli", "import", str(seed), "--no-notify"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for seed in seeds
    ]
    outputs = [p.communicate(timeout=240)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    os.environ["CLAIMWATCH_LAKE_DATA"] = env["CLAIMWATCH_LAKE_DATA"]
    try:
        with connect(lake, read_only=True) as con:
            kinds = con.execute("SELECT kind FROM contradictions ORDER BY kind").fetchall()
            articles = con.execute("SELECT count(*) FROM articles").fetchall()
    finally:
        del os.environ["CLAIMWATCH_LAKE_DATA"]
    assert articles == [(2,)]
    assert kinds == [("direction",), ("numeric",)]
