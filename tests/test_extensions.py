"""DuckDB extensions load from their wheels, offline, and do their job."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.extensions import ExtensionMissing, extension_file, is_loaded, load_extension


def test_every_extension_loads_from_its_wheel_and_twice_is_a_no_op() -> None:
    con = duckdb.connect()
    for name in ("fts", "vss", "ducklake", "postgres"):
        assert extension_file(name).is_file()
        load_extension(con, name)
        load_extension(con, name)
        assert is_loaded(con, name), name


def test_fts_answers_a_bm25_match() -> None:
    con = duckdb.connect()
    load_extension(con, "fts")
    con.execute("CREATE TABLE docs (id VARCHAR, body VARCHAR)")
    con.execute(
        "INSERT INTO docs VALUES ('a', 'the valley fell to the fighters'), "
        "('b', 'talks resumed in the capital')"
    )
    con.execute("PRAGMA create_fts_index('docs', 'id', 'body')")
    rows = con.execute(
        "SELECT id FROM (SELECT id, fts_main_docs.match_bm25(id, 'valley') AS s FROM docs) "
        "WHERE s IS NOT NULL"
    ).fetchall()
    assert rows == [("a",)]


def test_vss_hnsw_index_answers_nearest_neighbour() -> None:
    con = duckdb.connect()
    load_extension(con, "vss")
    con.execute("CREATE TABLE v (id INTEGER, e FLOAT[3])")
    con.execute("INSERT INTO v VALUES (1, [1, 0, 0]), (2, [0, 1, 0]), (3, [0, 0, 1])")
    con.execute("CREATE INDEX v_hnsw ON v USING HNSW (e)")
    nearest = con.execute(
        "SELECT id FROM v ORDER BY array_distance(e, [0.9, 0.1, 0]::FLOAT[3]) LIMIT 1"
    ).fetchall()
    assert nearest == [(1,)]


def test_ducklake_creates_and_reads_a_table(tmp_path: Path) -> None:
    con = duckdb.connect()
    load_extension(con, "ducklake")
    con.execute(
        f"ATTACH 'ducklake:{tmp_path / 'lake.ducklake'}' AS lake (DATA_PATH '{tmp_path / 'data'}')"
    )
    con.execute("CREATE TABLE lake.t AS SELECT 42 AS x")
    assert con.execute("SELECT x FROM lake.t").fetchall() == [(42,)]


def test_a_missing_wheel_names_the_pip_command() -> None:
    with pytest.raises(ExtensionMissing, match="pip install duckdb-extension-nosuch=="):
        load_extension(duckdb.connect(), "nosuch")


def test_query_parameters_never_search_the_path_for_pandas() -> None:
    import cProfile

    import warehouse  # noqa: F401  # records pandas as absent when it is not installed

    if "pandas" in sys.modules:
        pytest.skip("pandas is installed: its import is cached anyway")
    con = duckdb.connect()
    terms = [f"w{i}" for i in range(900)]
    profile = cProfile.Profile()
    profile.enable()
    con.execute(f"SELECT 1 WHERE 'w1' IN ({', '.join('?' for _ in terms)})", terms).fetchall()
    profile.disable()
    searches = sum(
        s.callcount
        for s in profile.getstats()
        if getattr(s.code, "co_name", "") == "_path_stat"  # the search of sys.path
    )
    assert searches == 0
    with pytest.raises(ImportError):
        import pandas  # noqa: F401
    import pyarrow as pa  # its pandas shim reads the absence as absence

    assert pa.array(["a"]).to_pylist() == ["a"]
