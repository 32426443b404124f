"""The benchmark chart: throughput per stage, and claim-check cost against stored claims."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def draw(results: dict[str, Any], path: Path) -> Path:
    """Draw the three panels into a PNG at `path`."""
    fig, (left, right, memory) = plt.subplots(1, 3, figsize=(18, 4.8))
    rates = dict(results.get("stage_articles_per_s", {}))
    labels = [f"stage: {k}" for k in rates]
    values = list(rates.values())
    for key, label in (
        ("e2e_articles_per_s", "whole pipeline"),
        ("flow_articles_per_s", "monitor_topic flow"),
        ("trafilatura_articles_per_s", "bare trafilatura (same procs)"),
        ("trafilatura_1proc_articles_per_s", "bare trafilatura (1 proc)"),
    ):
        if key in results:
            labels.append(label)
            values.append(results[key])
    colors = ["#4c72b0"] * len(rates) + ["#c44e52", "#dd8452", "#55a868", "#8fbf8f"][
        : len(values) - len(rates)
    ]
    left.barh(labels, values, color=colors)
    left.axvline(12, color="grey", linestyle="--", linewidth=1)
    left.text(12, len(labels) - 0.5, " target 12/s", color="grey", fontsize=8, va="top")
    left.set_xscale("log")
    left.set_xlabel("articles/s (log)")
    left.set_title("Throughput per stage (medians)")
    left.invert_yaxis()
    points = results.get("growth", [])
    if points:
        sizes = [p["stored"] for p in points]
        right.plot(sizes, [p["lookup_s"] * 1000 for p in points], "o-", label="lookup, probe batch")
        right.plot(sizes, [p["detect_s"] * 1000 for p in points], "s-", label="detect, probe batch")
        right.plot(
            sizes,
            [p["zipf_detect_s"] * 1000 for p in points],
            "^--",
            label="detect, hot (Zipf) batch",
        )
        base = points[0]["lookup_s"] * 1000
        right.axhline(
            2 * base, color="grey", linestyle=":", linewidth=1, label="2x lookup at smallest size"
        )
        right.set_xscale("log")
        right.set_yscale("log")
        right.set_xlabel("stored claims (log)")
        right.set_ylabel("ms per batch of 100 new claims (log)")
        right.set_title("Claim check cost vs stored claims")
        right.legend(fontsize=8)
    checkpoints = results.get("memory", {}).get("checkpoints", [])
    if checkpoints:
        done = [c["articles"] for c in checkpoints]
        memory.plot(done, [c["rss_mb"] for c in checkpoints], "o-", label="RSS")
        memory.plot(done, [c["peak_rss_mb"] for c in checkpoints], "s--", label="peak RSS so far")
        memory.axhline(1536, color="grey", linestyle="--", linewidth=1, label="target 1,536 MB")
        memory.set_xlabel("articles processed")
        memory.set_ylabel("MB")
        memory.set_ylim(bottom=0)
        memory.set_title("Memory against articles (extract + load, one process)")
        memory.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
