"""Cleaning and extraction on two worker processes store exactly the rows of a one-process run."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from claimwatch.importing import import_files
from claimwatch.pool import WORKERS_ENV, StagePool, worker_count
from demo.site import serve_site, topic_file
from flows.monitor import monitor_topic
from warehouse.store import connect

TABLES = ("articles", "entities", "mentions", "claims", "contradictions", "claim_links", "alerts")


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the content tables, without the columns that record when a row was made."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with connect(db, read_only=True) as con:
        for table in TABLES:
            cols = [
                name
                for name, kind in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if "TIMESTAMP" not in kind and name not in ("run_id",)
            ]
            listed = ", ".join(f'"{c}"' for c in cols)
            out[table] = con.execute(f"SELECT {listed} FROM {table} ORDER BY ALL").fetchall()
    return out


def test_workers_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert worker_count() == 3
    monkeypatch.setenv(WORKERS_ENV, "none")
    with pytest.raises(ValueError, match=WORKERS_ENV):
        worker_count()
    monkeypatch.delenv(WORKERS_ENV)
    assert worker_count() >= 1


def test_two_workers_keep_order() -> None:
    with StagePool(2) as pool:
        assert pool.map(abs, list(range(-40, 0))) == list(range(40, 0, -1))


def test_seed_import_same_rows_on_two_workers(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted((shared / "seeds").glob("*.txt"))
    rows = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(WORKERS_ENV, workers)
        db = tmp_path / f"seeds-{workers}.duckdb"
        articles, failures, claims, contradictions, _ = import_files(files, str(db), "panjshir")
        assert len(articles) == 2 and not failures and claims and contradictions == 2
        rows[workers] = _rows(db)
    assert rows["1"] == rows["2"]


def test_monitor_flow_same_rows_on_two_workers(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # one port for both runs: article ids derive from URLs
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rows = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(WORKERS_ENV, workers)
        db = tmp_path / f"flow-{workers}.duckdb"
        with serve_site(port=port) as site:
            summary = monitor_topic(
                topic="panjshir", db=str(db), topic_file=str(topic_file()), site=site
            )
        assert summary.articles_new and summary.contradictions_new
        rows[workers] = _rows(db)
    assert rows["1"] == rows["2"]


def test_backend_named_without_loading_the_model() -> None:
    # a run that parses nothing records the backend's name; loading the model for it cost seconds
    from extractors.pipeline import backend_name, load_nlp

    assert backend_name() == load_nlp()[1]
