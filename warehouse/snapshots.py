"""The analysts' read path: a read-only copy of the warehouse refreshed after every run.

DuckDB lets one process write a file or many processes read it, never both. An analyst
holding the live file open would block the scheduled writer, so readers get a snapshot:
the writer copies the database to a temporary file at the end of each run and renames it
into place. The rename is atomic, so a reader sees the previous run's state or the new
one, never half a batch, and never holds a lock the writer needs.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb
import psutil

from warehouse.lake import is_lake, open_lake
from warehouse.store import connect, engine_config


# even when runs load nothing, the snapshot shows run history at most this late
SNAPSHOT_MAX_AGE_S = 3600.0


def snapshot_age_s(db: str | Path) -> float:
    """Return seconds since the snapshot was refreshed (infinite when there is none)."""
    if is_lake(db):  # a lake has no snapshot file: readers read its committed snapshots
        return 0.0
    snap = snapshot_path(db)
    return time.time() - snap.stat().st_mtime if snap.exists() else float("inf")


def snapshot_path(db: str | Path) -> Path:
    """Return where the read-only snapshot of a warehouse file lives."""
    db = Path(db)
    return db.with_name(db.stem + ".snapshot.duckdb")


def remove_stale_temps(db: str | Path) -> list[Path]:
    """Delete snapshot copies (and their .wal) left by a process killed while copying."""
    snap = snapshot_path(db)
    pattern = re.compile(re.escape(snap.name) + r"\.tmp(\d+)(?:\.wal)?$")
    removed: list[Path] = []
    for path in snap.parent.glob(snap.name + ".tmp*"):
        m = pattern.match(path.name)
        if not m or (int(m.group(1)) != os.getpid() and psutil.pid_exists(int(m.group(1)))):
            continue  # another live process is copying right now
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def refresh_snapshot(db: str | Path) -> Path:
    """Copy the warehouse to its snapshot file atomically; returns the snapshot path."""
    if is_lake(db):  # readers never block a lake's writers: nothing to copy
        return Path(db)
    target = snapshot_path(db)
    remove_stale_temps(db)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
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
    if is_lake(db):
        return open_lake(db, read_only=True, wait_s=FIRST_SNAPSHOT_WAIT_S)
    snap = snapshot_path(db)
    path = Path(db) if live or not snap.exists() else snap
    return duckdb.connect(str(path), read_only=True, config=engine_config())


# user SQL reads the warehouse and nothing else: no files, no network, no extensions, and
# no SET that would turn those back on
USER_SQL_CONFIG = {"enable_external_access": False, "lock_configuration": True}
# statement types a read-only query may have (DESCRIBE, SHOW and SUMMARIZE parse as SELECT)
READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "CALL"}
# before the first snapshot exists, user SQL waits this long for the first run to let go
FIRST_SNAPSHOT_WAIT_S = 10.0


class NoSnapshotYet(RuntimeError):
    """The first run still holds the warehouse and has not written a snapshot."""


def refused_statement(con: duckdb.DuckDBPyConnection, query: str) -> str | None:
    """Return the first statement type of a query that is not a read (DROP, ATTACH, COPY ...)."""
    for statement in con.extract_statements(query):
        kind = str(statement.type).rsplit(".", 1)[-1]
        if kind not in READ_STATEMENTS:
            return kind
    return None


def user_connection(
    db: str | Path, live: bool = False, wait_s: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the snapshot (or the live file) read-only for user SQL: no external access, settings locked.

    Before the first snapshot exists the live file is read, waiting up to wait_s for a
    writer to let go; past that NoSnapshotYet says so.
    """
    if is_lake(db):
        return _lake_user_connection(db, FIRST_SNAPSHOT_WAIT_S if wait_s is None else wait_s)
    snap = snapshot_path(db)
    path = Path(db) if live or not snap.exists() else snap
    if not path.is_file():
        raise FileNotFoundError(str(Path(db)))
    config = {**engine_config(), **USER_SQL_CONFIG}
    deadline = time.monotonic() + (FIRST_SNAPSHOT_WAIT_S if wait_s is None else wait_s)
    while True:
        try:
            return duckdb.connect(str(path), read_only=True, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if snap.exists() and not live:
                path = snap  # the first snapshot appeared meanwhile
            elif time.monotonic() > deadline:
                raise NoSnapshotYet(
                    "no snapshot yet; the first run is still writing (try again when it ends)"
                ) from None
            else:
                time.sleep(0.2)


def _lake_user_connection(db: str | Path, wait_s: float) -> duckdb.DuckDBPyConnection:
    from warehouse.lake import target

    # the lake's Parquet files stay readable; every other file, URL or setting is shut
    data = target(db).data_path.as_posix()
    return open_lake(
        db,
        read_only=True,
        wait_s=wait_s,
        config={"allowed_directories": f"['{data}/']", **USER_SQL_CONFIG},
    )


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def snapshot_note(db: str | Path) -> str:
    """One line saying how old the snapshot is and whether the live file changed since."""
    if is_lake(db):
        return f"reading the latest committed snapshot of the DuckLake warehouse {db}"
    snap, live = snapshot_path(db), Path(db)
    if not snap.exists():
        return f"no snapshot yet: reading the live file {live}"
    taken = snap.stat().st_mtime
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(taken))
    note = f"snapshot of {when} ({_ago(time.time() - taken)})"
    # the live file's .wal or the file itself moves when a writer commits
    changed = max(
        (p.stat().st_mtime for p in (live, live.with_name(live.name + ".wal")) if p.exists()),
        default=0.0,
    )
    if changed > taken + 1.0:
        note += "; the live file changed since (pass --live, or run `claimwatch snapshot`)"
    return note


def read_source(db: str | Path, live: bool = False) -> tuple[Path, str]:
    """The file a reader should open (the snapshot, else the live file) and a line saying which."""
    if is_lake(db):
        return Path(db), snapshot_note(db)
    snap = snapshot_path(db)
    if live or not snap.exists():
        return Path(db), f"reading the live file {Path(db)}"
    return snap, f"reading {snap}: {snapshot_note(db)}"
