"""`python -m bench [--quick]`: run the suite, write bench/results.json, the chart and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from bench.corpus import CorpusMissing, articles_dir
from bench.suite import QUICK, REPO, Config, run_suite


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; out is where the outputs go (a quick run's never the committed ones)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: checks that the suite runs"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,  # resolved below: a default of REPO made every quick run overwrite it
        help="folder for BENCHMARKS.md (bench/ files go under it)",
    )
    parser.add_argument(
        "--command", default="make bench", help="the command to record in the report"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from bench/results.json"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        # a quick run never overwrites the committed report
        quick = args.quick and not args.report_only
        args.out = REPO / "var" / "bench-quick" if quick else REPO
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write their outputs; returns the exit status."""
    args = parse_args(argv)
    if args.report_only:  # after editing bench/notes.md, without measuring again
        out = args.out
        write_outputs(json.loads((out / "bench" / "results.json").read_text(encoding="utf-8")), out)
        return 0
    try:
        articles_dir()
    except CorpusMissing as exc:
        print(f"skipping the benchmarks: {exc}", file=sys.stderr)
        return 0
    config = QUICK if args.quick else Config()
    if args.out != REPO:
        config = replace(config, workdir=args.out / "work")
    results = run_suite(config, command=args.command)
    write_outputs(results, args.out)
    print(f"wrote {args.out / 'BENCHMARKS.md'}, {args.out / 'bench' / 'results.json'}")
    return 0


def write_outputs(results: dict[str, object], out: Path) -> None:
    """Write results.json, the chart and BENCHMARKS.md under `out`."""
    from bench.chart import draw
    from bench.report import write_json, write_markdown

    (out / "bench").mkdir(parents=True, exist_ok=True)
    chart = draw(results, out / "bench" / "throughput.png")
    write_json(results, out / "bench" / "results.json")
    write_markdown(results, out / "BENCHMARKS.md", chart.relative_to(out).as_posix())


if __name__ == "__main__":
    sys.exit(main())
