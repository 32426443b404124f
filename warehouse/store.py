"""Opening the DuckDB file: schema migration, short connections, retry on the writer lock."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

_LOCK_WAIT_S = 30.0
PAGES_VERSION = 9  # from here raw pages live in files listed by article_pages


def _schema_sql() -> str:
    return resources.files("warehouse").joinpath("schema.sql").read_text(encoding="utf-8")


def _connect_with_retry(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    # DuckDB allows one writing process; another process holding the file raises an
    # IOException naming its PID. Writers are short-lived, so waiting is the right answer.
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=engine_config())
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


MEMORY_ENV = "CLAIMWATCH_DUCKDB_MEMORY"


def engine_config() -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB settings for every connection: a bounded buffer pool (default 1GB).

    DuckDB's own default lets its cache grow to 80 % of RAM, so a long run's memory
    would grow with the archive rather than with the batch.
    """
    return {"memory_limit": os.environ.get(MEMORY_ENV, "1GB")}


def migrations() -> list[tuple[int, str]]:
    """Return (version, SQL) for every schema step: schema.sql is 1, migrations/NNN_*.sql follow."""
    steps = [(1, _schema_sql())]
    folder = resources.files("warehouse").joinpath("migrations")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        name = item.name
        if name.endswith(".sql") and name[:3].isdigit():
            steps.append((int(name[:3]), item.read_text(encoding="utf-8")))
    return steps


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Create or upgrade the schema in an open writable connection; returns the version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    current = int(scalar(con, "SELECT coalesce(max(version), 0) FROM schema_versions") or 0)
    for version, sql in migrations():
        if version <= current:
            continue
        # each step commits whole or not at all, so a crash never leaves a half-upgraded file
        con.begin()
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_versions VALUES (?, ?)", [version, datetime.now(UTC)])
            con.commit()
        except Exception:
            con.rollback()
            raise
        current = version
    if current >= PAGES_VERSION:
        from warehouse.pages import spill_inline_pages

        spill_inline_pages(con)
    return current


@contextmanager
def connect(
    path: str | Path, read_only: bool = False, wait_s: float = _LOCK_WAIT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (migrating it when writable) and close it when done."""
    if str(path).startswith("ducklake:"):  # the DuckLake backend (warehouse.lake)
        from warehouse.lake import open_lake

        lake = open_lake(path, read_only, wait_s)
        try:
            yield lake
        finally:
            lake.close()
        return
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect_with_retry(path, read_only, wait_s)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Any:
    """Run a query and return the first column of its first row (None when empty)."""
    # fetchall drains the result, so nothing half-read stays open on the connection (DuckDB
    # 2.0 refused register() after a fetchone; 1.5.5 does not, and draining costs nothing here)
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: Any) -> Iterator[None]:
    """Let the block's SQL read an Arrow table as `name`; unregister it after, whatever happens."""
    con.register(name, table)
    try:
        yield
    finally:
        con.unregister(name)
