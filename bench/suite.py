"""The whole benchmark suite: runs every measurement and returns the figures as one dict."""

from __future__ import annotations

import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import e2e, growth, loadrate
from bench.corpus import load_pages
from bench.machine import machine
from bench.site import serve
from bench.timing import median, ratio
from bench.workers import ONE_THREAD, run_worker

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Config:
    """Sizes and repeats; the defaults are the full `make bench` run."""

    pages: int | None = None
    feeds: int = 200
    repeats: int = 3
    growth_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    growth_repeats: int = 7
    load_rows: int = 100_000
    executemany_rows: int = 1_000
    memory_target: int = 10_000
    memory_budget_s: float = 240.0
    extraction_repeats: int = 3
    parallel_articles: int = 30
    flow: bool = True
    subprocesses: bool = True
    profile: bool = True
    lake: bool = True
    workdir: Path = field(default=REPO / "var" / "bench")


QUICK = Config(
    pages=6, feeds=3, repeats=1, growth_sizes=(500, 2_000), growth_repeats=1, load_rows=1_000,
    executemany_rows=20, memory_target=20, memory_budget_s=5, extraction_repeats=1,
    flow=False, subprocesses=False, profile=False, lake=False,
)  # fmt: skip


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def measure_e2e(config: Config, results: dict[str, Any]) -> list[Any]:
    """Stage-by-stage pipeline passes against bare trafilatura, interleaved; returns cleaned articles.

    The pipeline cleans and extracts on one worker per core, as the product does; bare
    trafilatura runs with the same number of processes in the same pass.
    """
    from claimwatch.pool import worker_count

    workers = worker_count()
    pages = load_pages(limit=config.pages)
    passes: list[e2e.PipelinePass] = []
    bare_n: list[float] = []
    bare1: list[float] = []
    clean1: list[float] = []
    cleaned: list[Any] = []
    with serve(pages, feeds=config.feeds) as site:
        for i in range(config.repeats):
            db = config.workdir / f"e2e-{i}.duckdb"
            run = e2e.run_pipeline(site, db, keep=True, workers=workers)
            passes.append(run)
            bare_n.append(e2e.bare_trafilatura(run.bodies, processes=workers))
            bare1.append(e2e.bare_trafilatura(run.bodies, processes=1))
            if not clean1:  # the clean stage alone on one process, beside bare trafilatura's
                clean1.append(e2e.clean_one_process(run.bodies))
            cleaned = run.cleaned
            _log(
                f"e2e pass {i + 1}: {run.pages} pages in {run.total_s:.1f}s on {workers} workers, "
                f"bare trafilatura {bare_n[-1]:.1f}s ({workers} procs), {bare1[-1]:.1f}s (1 proc)"
            )
        if config.profile:
            from bench.profiling import profile

            with serve(
                pages[::2], feeds=max(1, config.feeds // 2)
            ) as half:  # half the pages suffice; one process, so the profile sees every stage
                summary = profile(
                    lambda: e2e.run_pipeline(half, config.workdir / "profile.duckdb"),
                    config.workdir / "profile.html",
                )
            results["profile"] = asdict(summary)
            _log("profiled one e2e pass")
    n = passes[-1].pages
    totals = [p.total_s for p in passes]
    stage_s = {s: median([p.seconds[s] for p in passes]) for s in e2e.STAGES}
    results.update({
        "e2e_pages": n,
        "e2e_feeds": config.feeds,
        "e2e_articles": passes[-1].articles,
        "e2e_claims": passes[-1].claims,
        "e2e_failures": passes[-1].failures,
        "e2e_processes": workers,
        "e2e_runs_s": totals,
        "e2e_articles_per_s": n / median(totals),
        "trafilatura_runs_s": bare_n,
        "trafilatura_1proc_runs_s": bare1,
        "trafilatura_articles_per_s": n / median(bare_n),
        "trafilatura_1proc_articles_per_s": n / median(bare1),
        "clean_1proc_s": median(clean1),
        "clean_1proc_articles_per_s": ratio(n, median(clean1)),
        "clean_1proc_over_bare": ratio(clean1[0], bare1[0]) if clean1 else 0.0,  # same pass
        "e2e_ratio": median([ratio(b, t) for b, t in zip(bare_n, totals, strict=True)]),
        "stage_seconds": stage_s,
        "stage_articles_per_s": {s: ratio(n, v) for s, v in stage_s.items()},
        "limiting_stage": max(stage_s, key=lambda s: stage_s[s]),
    })  # fmt: skip
    return cleaned


def measure_flow(config: Config, results: dict[str, Any]) -> None:
    """Real monitor_topic runs: first run over the feeds, then unchanged runs (subprocess)."""
    out = run_worker(
        "bench.flowrun",
        [str(config.workdir / "flow"), str(config.feeds), str(config.pages or 0)],
        config.workdir / "flowrun.log",
        env={"PREFECT_HOME": str(config.workdir / "prefect")},  # its own temporary API database
    )
    results["flow"] = out
    results["flow_articles_per_s"] = ratio(out["pages"], out["first_s"])
    results["prefect_overhead_ratio"] = ratio(out["first_s"], median(results.get("e2e_runs_s", [])))
    results["incremental_ratio"] = ratio(out["unchanged_median_s"], out["first_s"])
    _log(f"flow: first {out['first_s']:.1f}s, unchanged {out['unchanged_median_s']:.2f}s")


def measure_growth(config: Config, results: dict[str, Any]) -> None:
    """Batch-check cost at each stored-claims size."""
    path = config.workdir / "growth.duckdb"
    points, build_s = growth.grow(path, sizes=config.growth_sizes, repeats=config.growth_repeats)
    first, last = points[0], points[-1]
    results["growth"] = [asdict(p) for p in points]
    results["growth_build_s"] = build_s
    results["growth_sizes"] = [p.stored for p in points]
    results["lookup_ratio_1m_10k"] = ratio(last.lookup_s, first.lookup_s)
    results["detect_ratio_1m_10k"] = ratio(last.detect_s, first.detect_s)
    results["zipf_detect_ratio_1m_10k"] = ratio(last.zipf_detect_s, first.zipf_detect_s)
    results["load_ratio_1m_10k"] = ratio(last.load_s, first.load_s)
    results["checkpoint_ratio_1m_10k"] = ratio(last.checkpoint_s, first.checkpoint_s)
    _log(f"growth: lookup {first.lookup_s * 1000:.1f}ms -> {last.lookup_s * 1000:.1f}ms")


def measure_load(config: Config, results: dict[str, Any]) -> None:
    """Bulk upsert against executemany."""
    rates = loadrate.load_rates(
        config.workdir / "load", config.load_rows, config.executemany_rows, config.repeats
    )
    results["load"] = asdict(rates)
    results["load_rows_per_s"] = rates.upsert_rows_per_s
    results["executemany_rows_per_s"] = rates.executemany_rows_per_s
    results["load_speedup"] = ratio(rates.upsert_rows_per_s, rates.executemany_rows_per_s)
    _log(
        f"load: {rates.upsert_rows_per_s:,.0f} rows/s vs executemany {rates.executemany_rows_per_s:,.0f}"
    )


def measure_memory_and_extraction(
    config: Config, results: dict[str, Any], articles: list[Any]
) -> None:
    """Peak RSS over many articles and one-core extraction words/s, each in a fresh process."""
    source = config.workdir / "articles.pkl"
    with source.open("wb") as fh:
        pickle.dump(articles, fh)
    mem_dir = config.workdir / "memory"
    shutil.rmtree(mem_dir, ignore_errors=True)
    if config.subprocesses:
        words = run_worker("bench.extraction", [str(source), str(config.extraction_repeats)],
                           config.workdir / "extraction.log", env=ONE_THREAD)  # fmt: skip
        mem = run_worker("bench.memory", [str(source), str(mem_dir), str(config.memory_target), str(config.memory_budget_s)],
                         config.workdir / "memory.log")  # fmt: skip
    else:
        from bench.extraction import words_per_second
        from bench.memory import process

        mem_dir.mkdir(parents=True, exist_ok=True)
        words = words_per_second(articles, repeats=config.extraction_repeats)
        mem = process(
            articles, mem_dir / "memory.duckdb", config.memory_target, config.memory_budget_s
        )
    if config.subprocesses:
        par = run_worker("bench.parallel", [str(source), str(config.parallel_articles)],
                         config.workdir / "parallel.log",
                         env={"PREFECT_HOME": str(config.workdir / "prefect-parallel")})  # fmt: skip
        results["parallel"] = par
        _log(
            f"extraction on {par['processes']} processes: pool {par['pool_s']:.1f}s, "
            f"nlp.pipe n_process {par['spacy_n_process_s']:.1f}s, Prefect {par['prefect_s']:.1f}s, "
            f"one process {par['one_process_s']:.1f}s"
        )
    results["extraction"] = words
    results["extraction_words_per_s"] = words["words_per_s"]
    results["nlp_backend"] = words["backend"]
    results["memory"] = mem
    results["peak_rss_mb"] = mem["peak_rss_mb"]
    results["memory_articles"] = mem["articles"]
    results["disk_mb_per_10k_articles"] = ratio(mem["db_bytes"] / 2**20 * 10_000, mem["articles"])
    _log(
        f"extraction {words['words_per_s']:,.0f} words/s; peak RSS {mem['peak_rss_mb']:.0f} MB at {mem['articles']} articles"
    )


def measure_lake(config: Config, results: dict[str, Any]) -> None:
    """DuckLake against the single file (bench.lake): load rates and two writers on PostgreSQL."""
    from bench import lake

    results["lake"] = lake.figures(config.workdir / "lake", repetitions=config.repeats)
    _log(f"lake: {lake.summary(results['lake'])}")


def run_suite(config: Config = Config(), command: str = "make bench") -> dict[str, Any]:
    """Run every measurement in order and return the figures."""
    shutil.rmtree(config.workdir, ignore_errors=True)
    config.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "command": command}
    steps: list[tuple[str, Callable[[], object]]] = []
    articles: list[Any] = []

    def run_e2e() -> None:
        articles.extend(measure_e2e(config, results))

    steps.append(("e2e", run_e2e))
    if config.flow:
        steps.append(("flow", lambda: measure_flow(config, results)))
    steps.append(("growth", lambda: measure_growth(config, results)))
    steps.append(("load", lambda: measure_load(config, results)))
    steps.append(("memory", lambda: measure_memory_and_extraction(config, results, articles)))
    if config.lake:
        steps.append(("lake", lambda: measure_lake(config, results)))
    step_s: dict[str, float] = {}
    for name, step in steps:
        start = time.perf_counter()
        step()
        step_s[name] = time.perf_counter() - start
    results["bench_step_s"] = step_s
    results["duration_s"] = time.perf_counter() - started
    return results
