"""The benchmark suite runs end to end on a handful of pages and writes its three outputs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bench.__main__ import REPO, parse_args, write_outputs
from bench.suite import QUICK, run_suite


def test_bench_suite_runs_on_a_handful_of_pages(shared: Path, tmp_path: Path) -> None:
    results = run_suite(replace(QUICK, pages=4, workdir=tmp_path / "work"), command="pytest")
    write_outputs(results, tmp_path)
    saved = json.loads((tmp_path / "bench" / "results.json").read_text())
    for key in ("e2e_articles_per_s", "trafilatura_articles_per_s", "e2e_ratio", "lookup_ratio_1m_10k",
                "load_rows_per_s", "executemany_rows_per_s", "peak_rss_mb", "extraction_words_per_s"):  # fmt: skip
        assert saved[key] > 0, key
    assert saved["e2e_pages"] == 4
    assert (tmp_path / "bench" / "throughput.png").stat().st_size > 1000
    assert "## Against the targets" in (tmp_path / "BENCHMARKS.md").read_text()


def test_a_quick_run_never_overwrites_the_committed_report() -> None:
    # `claimwatch bench --quick` once rewrote BENCHMARKS.md with its tiny sizes
    assert parse_args(["--quick"]).out == REPO / "var" / "bench-quick"
    assert parse_args([]).out == REPO
    assert parse_args(["--quick", "--out", "x"]).out == Path("x")
