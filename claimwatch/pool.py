"""Cleaning and extraction on worker processes, one per core, with results in input order.

The writer (DuckDB) stays in the calling process; workers only turn page bytes into
articles and articles into extractions, so a run's rows are the same with any number of
workers. Workers fork from a server process that has already loaded the NLP model: they
start in a fraction of a second and share the model's pages.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import TypeVar

from extractors.claims import Extraction, extract_articles
from ingest.cleaning import CleanFailure, CleanJob, clean_job
from records import Article

WORKERS_ENV = "CLAIMWATCH_WORKERS"
# articles per extraction job: big enough that the pickling round trip (milliseconds) stays
# small next to the parse, small enough that two workers share a 50-article batch evenly
EXTRACT_CHUNK = 8

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """Return the number of CPUs this process may run on."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return int(counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def worker_count() -> int:
    """Return CLAIMWATCH_WORKERS (a positive whole number), else the number of cores."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return cores()
    try:
        count = int(raw)
    except ValueError:
        raise ValueError(
            f"{WORKERS_ENV} must be a whole number of processes, not {raw!r}"
        ) from None
    if count < 1:
        raise ValueError(f"{WORKERS_ENV} must be at least 1, not {count}")
    return count


def extract_chunk(articles: list[Article]) -> tuple[list[Extraction], str]:
    """Extract a chunk of articles with this process's model (runs in a worker)."""
    from extractors.pipeline import load_nlp

    nlp, backend = load_nlp()
    return extract_articles(articles, nlp), backend


class StagePool:
    """Clean and extract on `workers` processes (in this process when it is 1)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count() if workers is None else max(1, workers)
        self._executor: Executor | None = None
        self.backend = ""

    def _pool(self) -> Executor | None:
        if self.workers == 1:
            return None
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            # the server imports and loads the model once; each worker is a fork of it
            context.set_forkserver_preload(["claimwatch.pool_preload"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor

    def map(self, fn: Callable[[T], R], jobs: Sequence[T]) -> list[R]:
        """Run fn over jobs on the workers; results in the order of jobs."""
        pool = self._pool()
        if pool is None or len(jobs) <= 1:
            return [fn(j) for j in jobs]
        return list(pool.map(fn, jobs))

    def clean(self, jobs: Sequence[CleanJob]) -> list[Article | CleanFailure]:
        """Clean pages in order."""
        return self.map(clean_job, jobs)

    def extract(self, articles: Sequence[Article]) -> list[Extraction]:
        """Extract articles in order, in chunks of EXTRACT_CHUNK spread over the workers."""
        if not articles:
            return []
        # extraction never reads the raw page: sending it to a worker would only cost copies
        light = [replace(a, raw_html=None) for a in articles]
        size = EXTRACT_CHUNK if self.workers > 1 else len(light)
        chunks = [light[i : i + size] for i in range(0, len(light), size)]
        results = self.map(extract_chunk, chunks)
        self.backend = results[0][1]
        return [x for part, _ in results for x in part]

    def close(self) -> None:
        """Stop the workers."""
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def __enter__(self) -> StagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_ACTIVE: list[StagePool] = []


def active() -> StagePool:
    """Return the pool a run opened with `running`, else a one-process pool."""
    return _ACTIVE[-1] if _ACTIVE else StagePool(1)


@contextmanager
def running(workers: int | None = None) -> Iterator[StagePool]:
    """Open a pool for a run; stages called inside it clean and extract on its workers."""
    with StagePool(workers) as pool:
        _ACTIVE.append(pool)
        try:
            yield pool
        finally:
            _ACTIVE.remove(pool)
