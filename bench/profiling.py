"""Profiling the end-to-end path with pyinstrument: where the time goes, by library and function."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OWN_PACKAGES = ("extractors", "ingest", "warehouse", "claimwatch", "flows", "bench")
_SITE = re.compile(r"site-packages/([A-Za-z0-9_]+)")


@dataclass
class ProfileSummary:
    """Shares of sampled time by library (outermost third-party frame wins) and top functions."""

    total_s: float
    by_library: dict[str, float] = field(default_factory=dict)
    top_functions: list[tuple[str, float]] = field(default_factory=list)
    html: str = ""


def _package(path: str) -> str | None:
    hit = _SITE.search(path)
    if hit:
        return hit.group(1)
    for own in OWN_PACKAGES:
        if f"/{own}/" in path or path.startswith(f"{own}/"):
            return own
    if path and not path.startswith(("/", ".", "<")) and "/" in path:
        return path.split("/", 1)[0]  # compiled extensions report package-relative paths
    return None


def _walk(
    frame: Any,
    library: str | None,
    own: str | None,
    libs: dict[str, float],
    funcs: dict[str, float],
    label: str = "",
) -> None:
    pkg = _package(frame.file_path or "")
    if pkg and pkg not in OWN_PACKAGES and library is None:
        library = pkg
    elif pkg in OWN_PACKAGES:
        own = pkg
    if not frame.is_synthetic:
        label = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
    own_time = frame.time - sum(c.time for c in frame.children)
    if own_time > 0:  # a synthetic "[self]" leaf carries its parent's own time
        libs[library or own or "other"] += own_time
        funcs[label] += own_time
    for child in frame.children:
        _walk(child, library, own, libs, funcs, label)


def profile(work: Callable[[], object], html_path: Path | None = None) -> ProfileSummary:
    """Run `work` under pyinstrument and summarise where its time went."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.002)
    profiler.start()
    work()
    profiler.stop()
    session = profiler.last_session
    root = session.root_frame() if session else None
    libs: dict[str, float] = defaultdict(float)
    funcs: dict[str, float] = defaultdict(float)
    if root is not None:
        _walk(root, None, None, libs, funcs)
    total = sum(libs.values()) or 1.0
    if html_path:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(profiler.output_html(), encoding="utf-8")
    return ProfileSummary(
        total_s=total,
        by_library={k: v / total for k, v in sorted(libs.items(), key=lambda kv: -kv[1])[:10]},
        top_functions=[
            (k, v / total) for k, v in sorted(funcs.items(), key=lambda kv: -kv[1])[:10]
        ],
        html=str(html_path) if html_path else "",
    )
