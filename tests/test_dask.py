"""Extraction on a Dask cluster: monitor_topic with CLAIMWATCH_DASK_ADDRESS pointing at a LocalCluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.site import serve_site, topic_file
from flows.taskrunners import DASK_ADDRESS_ENV, extraction_runner
from warehouse.store import connect


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster: one in-process worker with two threads, no dashboard."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as c:
        yield c


def test_runner_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    monkeypatch.delenv(DASK_ADDRESS_ENV, raising=False)
    assert isinstance(extraction_runner(), ThreadPoolTaskRunner)
    monkeypatch.setenv(DASK_ADDRESS_ENV, "tcp://127.0.0.1:8786")
    assert isinstance(extraction_runner(), DaskTaskRunner)
    monkeypatch.setenv("CLAIMWATCH_TASK_RUNNER", "gpu")
    with pytest.raises(ValueError, match="threads, processes or dask"):
        extraction_runner()


def test_monitor_runs_extraction_on_dask(
    cluster: Any, prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monitor import monitor_topic

    monkeypatch.setenv(DASK_ADDRESS_ENV, cluster.scheduler_address)
    flow = monitor_topic.with_options(task_runner=extraction_runner())
    db = tmp_path / "cw.duckdb"
    with serve_site() as site:
        summary = flow(topic="panjshir", db=str(db), topic_file=str(topic_file()), site=site)
    assert summary.articles_new == 4 and summary.claims_new > 0
    with connect(db, read_only=True) as con:
        claims = con.execute("SELECT count(*) FROM claims").fetchall()[0][0]
        contradictions = con.execute("SELECT count(*) FROM contradictions").fetchall()[0][0]
    # the same rows as a run on threads: every claim extracted on the cluster was loaded
    assert (claims, contradictions) == (summary.claims_new, summary.contradictions_new)
    assert contradictions > 0
    # the extraction tasks ran on the cluster's worker
    ran = {key for ts in cluster.scheduler.tasks.values() for key in [str(ts.key)]}
    ran |= set(cluster.scheduler.task_prefixes)
    assert any("extract_claims" in k for k in ran), sorted(ran)[:20]
