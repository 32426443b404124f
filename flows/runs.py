"""A run's own record and lock: opened as running, closed by the run, marked crashed by a later one.

A monitor run is one process. It opens its flow_runs row as 'running' with its process id
before it fetches anything, and every batch writes its fetch rows in the batch's own
transaction, so a kill -9 loses at most the batch in flight. The next run of any topic
finds the dead process and marks its row 'crashed'. A live 'running' row is its topic's
lock: a second run of the topic (two `claimwatch run`, outside Prefect's concurrency
limit) stops with one line instead of fetching every page twice.
"""

from __future__ import annotations

import os
import signal
import socket
from datetime import UTC, datetime, timedelta

import psutil

from warehouse.store import connect

HOST = socket.gethostname()
# a run on another machine cannot be probed: past the longest flow time limit it is over
REMOTE_STALE_AFTER = timedelta(hours=7)
# Prefect starts a temporary API server (uvicorn) for a flow run outside a deployment; a
# kill -9 of the run orphans it. It inherits this variable, which names the process (id
# and start time) that owns it, so a later run can tell an orphan from a live run's server.
OWNER_ENV = "CLAIMWATCH_OWNER"
EPHEMERAL_APP = "prefect.server.api.server:create_app"


def _start_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def owner_tag(pid: int | None = None) -> str:
    """Return 'pid:start time' naming a process (this one by default)."""
    pid = pid or os.getpid()
    return f"{pid}:{_start_time(pid) or 0:.2f}"


def tag_alive(tag: str) -> bool:
    """Return whether the process an owner_tag names still runs (the same process, not a reused id)."""
    pid_s, _, start_s = tag.partition(":")
    try:
        pid, start = int(pid_s), float(start_s)
    except ValueError:
        return False
    now = _start_time(pid)
    return now is not None and abs(now - start) < 0.05


def run_alive(pid: int | None, host: str | None, started_at: datetime) -> bool:
    """Return whether the process recorded for a running row still runs it."""
    if pid is None:
        return False
    if host != HOST:
        return datetime.now(UTC) - started_at < REMOTE_STALE_AFTER
    began = _start_time(pid)
    # a process id reused by a later process is not the run
    return began is not None and began <= started_at.timestamp() + 1.0


def open_run(db: str, run_id: str, topic: str, started: datetime) -> str | None:
    """Mark dead runs crashed and record this run as running; returns why not when the topic is busy."""
    with connect(db) as con:
        con.begin()
        try:
            running = con.execute(
                "SELECT run_id, topic, pid, host, started_at FROM flow_runs "
                "WHERE status = 'running' AND run_id <> ?",
                [run_id],
            ).fetchall()
            now = datetime.now(UTC)
            for rid, _, pid, host, began in running:
                if not run_alive(pid, host, began):
                    _mark_crashed(con, rid, now)
            holder = next(
                (r for r in running if r[1] == topic and run_alive(r[2], r[3], r[4])), None
            )
            if holder:
                con.commit()
                rid, _, pid, host, began = holder
                return (
                    f"topic {topic} is already being run by run {rid} "
                    f"(process {pid} on {host}, started {began:%Y-%m-%d %H:%M:%S %Z}); this run did nothing"
                )
            con.execute(
                "INSERT INTO flow_runs (run_id, topic, started_at, status, pid, host) "
                "VALUES (?, ?, ?, 'running', ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
                "status = 'running', pid = excluded.pid, host = excluded.host",
                [run_id, topic, started, os.getpid(), HOST],
            )
            con.commit()
        except Exception:
            con.rollback()
            raise
    return None


def _mark_crashed(con: object, run_id: str, now: datetime) -> None:
    # the counts come from the fetch rows the dead run's batches wrote; numbered parameters:
    # DuckDB 1.5.5 numbers the ? of UPDATE ... FROM (subquery) from the subquery first
    con.execute(  # type: ignore[attr-defined]
        """UPDATE flow_runs SET status = 'crashed', finished_at = $1,
             not_modified = f.not_modified, fetched = f.fetched, failed = f.failed,
             articles_new = f.articles_new
           FROM (SELECT count(*) FILTER (WHERE outcome = 'not_modified') AS not_modified,
                        count(*) FILTER (WHERE kind = 'article' AND http_status IS NOT NULL
                                         AND outcome IN ('new', 'filtered', 'duplicate')) AS fetched,
                        count(*) FILTER (WHERE outcome = 'error') AS failed,
                        count(*) FILTER (WHERE kind = 'article' AND outcome = 'new') AS articles_new
                 FROM fetches WHERE run_id = $2) AS f
           WHERE flow_runs.run_id = $2""",
        [now, run_id],
    )


def end_stray_servers() -> list[int]:
    """End Prefect temporary servers whose claimwatch owner process is gone; returns their ids."""
    ended: list[int] = []
    me = os.getuid()
    for proc in psutil.process_iter(["pid", "cmdline", "uids"]):
        try:
            cmdline = proc.info["cmdline"] or []
            if EPHEMERAL_APP not in cmdline or proc.info["uids"].real != me:
                continue
            owner = proc.environ().get(OWNER_ENV)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        if not owner or tag_alive(owner):
            continue  # not ours, or its run still goes on
        try:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except psutil.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            ended.append(proc.pid)
        except psutil.NoSuchProcess:
            ended.append(proc.pid)
    return ended


def claim_ownership() -> None:
    """Name this process as the owner of any Prefect temporary server it starts from now on."""
    os.environ[OWNER_ENV] = owner_tag()
