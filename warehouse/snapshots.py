"""The analysts' read path: a read-only copy of the warehouse refreshed after every run.

DuckDB lets one process write a file or many processes read it, never both. An analyst
holding the live file open would block the scheduled writer, so readers get a snapshot:
the writer copies the database to a temporary file at the end of each run and renames it
into place. The rename is atomic, so a reader sees the previous run's state or the new
one, never half a batch, and never holds a lock the writer needs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from warehouse.store import connect, engine_config


# even when runs load nothing, the snapshot shows run history at most this late
SNAPSHOT_MAX_AGE_S = 3600.0


def snapshot_age_s(db: str | Path) -> float:
    """Return seconds since the snapshot was refreshed (infinite when there is none)."""
    snap = snapshot_path(db)
    return time.time() - snap.stat().st_mtime if snap.exists() else float("inf")


def snapshot_path(db: str | Path) -> Path:
    """Return where the read-only snapshot of a warehouse file lives."""
    db = Path(db)
    return db.with_name(db.stem + ".snapshot.duckdb")


def refresh_snapshot(db: str | Path) -> Path:
    """Copy the warehouse to its snapshot file atomically; returns the snapshot path."""
    target = snapshot_path(db)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with connect(db) as con:
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH '{tmp}' AS snapshot_copy")
        try:
            con.execute(f'COPY FROM DATABASE "{name}" TO snapshot_copy')
        finally:
            con.execute("DETACH snapshot_copy")
    os.replace(tmp, target)
    return target


def read_connection(db: str | Path, live: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the snapshot read-only (or the live file when asked, or when no snapshot exists)."""
    snap = snapshot_path(db)
    path = Path(db) if live or not snap.exists() else snap
    return duckdb.connect(str(path), read_only=True, config=engine_config())
