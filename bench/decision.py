"""What the learned decision costs per candidate pair, on one core.

The pairs are the seed case's and a SummEdits news document's against its summaries, run
through the product path once; the probe then times detection.decision.weigh (features and
the logistic regression) over every rule-found statement conflict, median of the repeats.

Usage: python -m bench.decision [--repeats 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from detection.decision import gated, load_model, weigh
from evaluation.contradictions import PairChecker, read_pairs
from evaluation.generalise import NEWS, Evidence, _capture
from training.decision import pair_conflicts


def conflicts(limit: int = 60) -> list[tuple[Any, Any, Any, float]]:
    """Rule-found statement conflicts of SummEdits news pairs, with their article overlap."""
    checker = PairChecker(cache=True)
    out = []
    for pair in read_pairs(NEWS)[:limit]:
        checker.contradictions(pair, inspect=_capture)
        ev = checker.last_inspected
        assert isinstance(ev, Evidence)
        out += [(a, b, x, shared) for a, b, x, shared in pair_conflicts(ev) if gated(a, x)]
    return out


def run(repeats: int = 5) -> dict[str, Any]:
    """Median microseconds per weighed pair over the repeats."""
    model = load_model()
    if model is None:
        return {"error": "no model ships"}
    pairs = conflicts()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for a, b, x, shared in pairs:
            weigh(a, b, x, shared, model)
        times.append((time.perf_counter() - t0) / max(len(pairs), 1))
    return {
        "pairs": len(pairs),
        "repeats": repeats,
        "median_us_per_pair": round(statistics.median(times) * 1e6, 1),
        "target_us_per_pair": 1000,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the cost per weighed pair."""
    ap = argparse.ArgumentParser(prog="python -m bench.decision")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.repeats)
    print(json.dumps(result) if args.json else
          f"{result.get('pairs')} statement conflicts weighed: median "
          f"{result.get('median_us_per_pair')} µs per pair (target at most 1,000 µs)")  # fmt: skip
    return result


if __name__ == "__main__":
    main()
