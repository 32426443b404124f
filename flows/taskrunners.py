"""Choosing the Prefect task runner that runs extraction: threads, processes or a Dask cluster."""

from __future__ import annotations

import os
from typing import Any

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

DASK_ADDRESS_ENV = "CLAIMWATCH_DASK_ADDRESS"
RUNNER_ENV = "CLAIMWATCH_TASK_RUNNER"
WORKERS_ENV = "CLAIMWATCH_EXTRACT_WORKERS"


def _workers() -> int | None:
    raw = os.environ.get(WORKERS_ENV)
    return int(raw) if raw else None


def dask_runner(address: str | None = None, cluster: Any = None) -> TaskRunner[Any]:
    """Return a DaskTaskRunner for a running scheduler address or a distributed cluster object."""
    # Imported here: distributed is heavy and only needed when a cluster is configured.
    from prefect_dask import DaskTaskRunner

    if cluster is not None:
        return DaskTaskRunner(cluster=cluster)
    return DaskTaskRunner(address=address)


def runner_chosen() -> bool:
    """Return whether the environment names a task runner (or a Dask scheduler) for extraction."""
    return bool(os.environ.get(RUNNER_ENV) or os.environ.get(DASK_ADDRESS_ENV))


def extraction_runner() -> TaskRunner[Any]:
    """Return the task runner from the environment: a Dask scheduler, a process pool, or threads."""
    address = os.environ.get(DASK_ADDRESS_ENV)
    kind = os.environ.get(RUNNER_ENV, "dask" if address else "threads").lower()
    if kind == "dask":
        if not address:
            raise ValueError(f"{RUNNER_ENV}=dask needs {DASK_ADDRESS_ENV}=tcp://HOST:PORT")
        return dask_runner(address=address)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=_workers())
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=_workers())
    raise ValueError(f"{RUNNER_ENV} must be threads, processes or dask, not {kind!r}")
