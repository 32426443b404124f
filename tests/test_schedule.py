"""Scheduled operation: a real Prefect server, process work pool, deployments from prefect.yaml, a worker."""

from __future__ import annotations

import functools
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from claimwatch.serve import (
    create_pool,
    free_port,
    prefect_cli,
    stack_env,
    start_server,
    start_worker,
    stop,
)
from demo.site import _QuietHandler, serve_site, site_dir
from warehouse.store import connect

REPO = Path(__file__).resolve().parents[1]
FINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


class Stack:
    """A running local Prefect stack: its API and the folder holding logs and PID files."""

    def __init__(self, api: str, state_dir: Path) -> None:
        self.api = api
        self.state_dir = state_dir
        self.http = httpx.Client(base_url=api, timeout=30.0)

    def deployment(self, name: str) -> dict[str, Any]:
        """Read a deployment by flow/deployment name."""
        response = self.http.get(f"/deployments/name/{name}")
        response.raise_for_status()
        return dict(response.json())

    def trigger(
        self, name: str, parameters: dict[str, Any], scheduled: datetime | None = None
    ) -> str:
        """Create a flow run of a deployment (now, or as if scheduled at `scheduled`); return its id."""
        dep = self.deployment(name)
        body: dict[str, Any] = {"parameters": parameters}
        if scheduled:
            details = {"scheduled_time": scheduled.isoformat()}
            body["state"] = {"type": "SCHEDULED", "name": "Scheduled", "state_details": details}
        for attempt in range(5):
            response = self.http.post(f"/deployments/{dep['id']}/create_flow_run", json=body)
            if response.status_code < 500:
                break
            time.sleep(1 + attempt)  # the local server under a busy CI machine answers 503 at times
        response.raise_for_status()
        return str(response.json()["id"])

    def run_to_end(
        self, name: str, parameters: dict[str, Any], scheduled: datetime | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Trigger a run and wait for its end, again if the deployment's slot was still held.

        The concurrency slot of a run that just finished is released by the server a moment
        later; a run created in that moment is cancelled, which is the limit working, not
        what the calling test is about.
        """
        for _ in range(10):
            run_id = self.trigger(name, parameters, scheduled)
            state = self.wait(run_id, FINAL)
            if "concurrency limit" not in str(state.get("message", "")):
                return run_id, state
            time.sleep(2)
        return run_id, state

    def state(self, run_id: str) -> dict[str, Any]:
        """Return a flow run's current state."""
        response = self.http.get(f"/flow_runs/{run_id}")
        response.raise_for_status()
        return dict(response.json()["state"] or {})

    def wait(self, run_id: str, types: set[str], timeout_s: float = 150.0) -> dict[str, Any]:
        """Poll a flow run until its state type is one of `types`."""
        deadline = time.monotonic() + timeout_s
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = self.state(run_id)
            if state.get("type") in types:
                return state
            time.sleep(0.5)
        logs = "\n".join(
            p.read_text(errors="replace")[-3000:] for p in self.state_dir.glob("*.log")
        )
        raise AssertionError(
            f"flow run {run_id} still {state.get('type')} after {timeout_s} s\n{logs}"
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One Prefect server for the module, with the pool, two deployments and a worker."""
    tmp = tmp_path_factory.mktemp("prefect")
    state_dir = tmp / "serve"
    port = free_port()
    env = stack_env(REPO, tmp / "home", f"http://127.0.0.1:{port}/api")
    # No cron-created runs during the test (they would collide with the triggered ones);
    # the worker polls every second so runs start promptly.
    env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "false"
    env["PREFECT_WORKER_QUERY_SECONDS"] = "1"
    try:
        api = start_server(REPO, port, env, state_dir)
        create_pool(env, REPO)
        prefect_cli(["deploy", "--name", "monitor-panjshir", "--name", "backfill"], env, REPO)
        start_worker(REPO, env, state_dir)
        yield Stack(api, state_dir)
    finally:
        for line in stop(state_dir):
            print(line)


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_deployments_follow_prefect_yaml(stack: Stack) -> None:
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text())
    # notification URLs never live in prefect.yaml: no notify parameter, no URL but the sample site's
    assert all("notify" not in (d.get("parameters") or {}) for d in declared["deployments"])
    text = (REPO / "prefect.yaml").read_text()
    assert text.count("://") == text.count("http://127.0.0.1:8642")
    monitor = stack.deployment("monitor_topic/monitor-panjshir")
    assert [s["schedule"]["cron"] for s in monitor["schedules"]] == ["*/15 * * * *"]
    assert monitor["work_pool_name"] == "claimwatch"
    assert monitor["global_concurrency_limit"]["limit"] == 1
    assert monitor["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
    assert monitor["parameters"]["skip_if_late_s"] == 900
    names = {d["name"] for d in declared["deployments"]}
    assert {"monitor-panjshir", "daily-digest", "backfill"} <= names
    assert stack.deployment("backfill/backfill")["schedules"] == []


def test_triggered_monitor_run_loads_the_demo_site(stack: Stack, tmp_path: Path) -> None:
    db = tmp_path / "cw.duckdb"
    with serve_site() as site:
        run_id, state = stack.run_to_end(
            "monitor_topic/monitor-panjshir", {"site": site, "db": str(db)}
        )
    assert state["type"] == "COMPLETED", state
    assert _rows(db, "SELECT count(*) FROM articles") == [(4,)]
    # which contradictions the sample site yields is test_demo_flow's business; here: what the
    # run recorded matches what it stored
    stored_contradictions = _rows(db, "SELECT count(*) FROM contradictions")[0][0]
    runs = _rows(
        db,
        "SELECT topic, status, sources_checked, fetched, failed, articles_new, claims_new, contradictions_new "
        "FROM flow_runs WHERE run_id = ?",
        [run_id],
    )
    assert len(runs) == 1
    topic, status, sources, fetched, failed, articles_new, claims_new, contradictions_new = runs[0]
    assert (topic, status, sources, fetched, failed, articles_new) == (
        "panjshir",
        "completed",
        1,
        4,
        0,
        4,
    )
    assert claims_new == _rows(db, "SELECT count(*) FROM claims")[0][0] > 0
    assert contradictions_new == stored_contradictions > 0


@pytest.fixture
def slow_site() -> Iterator[str]:
    """The sample site, answering its feed only after 6 s (a run that is still going)."""

    class Slow(_QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.endswith("feed.xml"):
                time.sleep(6)
            super().do_GET()

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Slow, directory=str(site_dir()))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_second_run_of_a_topic_is_cancelled_while_one_runs(
    stack: Stack, slow_site: str, tmp_path: Path
) -> None:
    db = tmp_path / "cw.duckdb"
    for _ in range(10):  # until the slot an earlier test's run held is released
        first = stack.trigger("monitor_topic/monitor-panjshir", {"site": slow_site, "db": str(db)})
        started = stack.wait(first, {"RUNNING"} | FINAL)
        if "concurrency limit" not in str(started.get("message", "")):
            break
        time.sleep(2)
    second = stack.trigger("monitor_topic/monitor-panjshir", {"site": slow_site, "db": str(db)})
    second_state = stack.wait(second, FINAL)
    first_state = stack.wait(first, FINAL)
    assert second_state["type"] == "CANCELLED", second_state
    assert first_state["type"] == "COMPLETED", first_state
    # the cancelled run never started: only the first one recorded itself
    assert _rows(db, "SELECT run_id, status FROM flow_runs") == [(first, "completed")]


def test_backfill_reads_a_sitemap_for_a_date_range(stack: Stack, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(site_dir() / "articles", site / "articles")
    days = {
        "resistance-digs-in": "2021-08-22",
        "moscow-doubts-holdouts": "2021-08-22",
        "massoud-prefers-talks": "2021-08-23",
        "valley-fills-with-newcomers": "2021-08-24",
    }
    urls = "".join(
        f"<url><loc>/articles/{k}.html</loc><lastmod>{d}</lastmod></url>" for k, d in days.items()
    )
    (site / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    topic = tmp_path / "archive.toml"
    topic.write_text(
        'name = "panjshir"\ninclude = ["Panjshir"]\nallow_private = true\n'
        '[[sources]]\nurl = "{site}/sitemap.xml"\nkind = "sitemap"\n'
    )
    db = tmp_path / "cw.duckdb"
    with serve_site(directory=site) as base:
        params = {"topic": "panjshir", "since": "2021-08-22", "until": "2021-08-23", "site": base}
        run_id, state = stack.run_to_end(
            "backfill/backfill", {**params, "db": str(db), "topic_file": str(topic)}
        )
    assert state["type"] == "COMPLETED", state
    urls_loaded = {r[0].rsplit("/", 1)[-1] for r in _rows(db, "SELECT url FROM articles")}
    assert urls_loaded == {
        "resistance-digs-in.html",
        "moscow-doubts-holdouts.html",
        "massoud-prefers-talks.html",
    }
    assert _rows(db, "SELECT status, articles_new FROM flow_runs WHERE run_id = ?", [run_id]) == [
        ("completed", 3)
    ]


def test_a_run_late_by_more_than_its_interval_is_skipped(stack: Stack, tmp_path: Path) -> None:
    db = tmp_path / "cw.duckdb"
    missed = datetime.now(UTC) - timedelta(minutes=20)  # as if the machine was down at that slot
    with serve_site() as site:
        run_id, state = stack.run_to_end(
            "monitor_topic/monitor-panjshir", {"site": site, "db": str(db)}, scheduled=missed
        )
    assert state["type"] == "COMPLETED", state
    assert _rows(db, "SELECT status, articles_new FROM flow_runs WHERE run_id = ?", [run_id]) == [
        ("skipped", 0)
    ]
    assert _rows(db, "SELECT count(*) FROM articles") == [(0,)]


def test_a_bad_topic_file_is_announced_but_records_no_run(
    prefect_harness: None, webhook: Any, tmp_path: Path
) -> None:
    from flows.monitor import monitor_topic

    db = tmp_path / "cw.duckdb"
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n')  # no sources: bad input, failed at once, never retried
    with pytest.raises(ValueError, match="sources"):
        monitor_topic(topic="bad", db=str(db), topic_file=str(bad), notify=[webhook.url])
    # a bad topic file is its author's error: announced, but the run never started
    assert not db.exists() or _rows(db, "SELECT count(*) FROM flow_runs") == [(0,)]
    assert len(webhook.bodies) == 1
    assert "run failed" in str(webhook.bodies[0].get("title"))
