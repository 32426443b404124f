"""Cleaning evaluation: token precision/recall/F1 of article bodies, ours beside bare trafilatura."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from ingest.cleaning import Cleaned, extract

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class GoldPage:
    """One labelled page: its file, URL and gold article body."""

    page_id: str
    path: Path
    url: str
    body: str


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _page_file(pages_dir: Path, page_id: str) -> Path | None:
    for name in (f"{page_id}.html", f"{page_id}.html.gz", page_id):
        if (pages_dir / name).is_file():
            return pages_dir / name
    return None


def load_gold(pages_dir: Path, gold: Path) -> list[GoldPage]:
    """Read labelled pages in any of the formats we meet (see README: Ingestion)."""
    if gold.is_dir():  # newspaper4k: one JSON per page with "text", pages named alike
        pages = []
        for meta in sorted(gold.glob("*.json")):
            data = json.loads(meta.read_text(encoding="utf-8"))
            path = _page_file(pages_dir, meta.stem)
            if path and data.get("text"):
                pages.append(GoldPage(meta.stem, path, data.get("url") or "", data["text"]))
        return pages
    data = json.loads(gold.read_text(encoding="utf-8"))
    if isinstance(data, list):  # fundus INDEX_paired.json: html path relative to the pages folder
        return [
            GoldPage(d["html"], pages_dir / d["html"], d.get("url") or "", d["body_text"])
            for d in data
            if d.get("body_text") and (pages_dir / d["html"]).is_file()
        ]
    pages = []  # the article-extraction benchmark: {id: {"articleBody", "url"}}
    for page_id, d in sorted(data.items()):
        path = _page_file(pages_dir, page_id)
        if path and isinstance(d, dict) and d.get("articleBody"):
            pages.append(GoldPage(page_id, path, d.get("url") or "", d["articleBody"]))
    return pages


def tokens(text: str) -> Counter[str]:
    """Return the bag of lower-cased word tokens of a text."""
    return Counter(t.lower() for t in _TOKEN.findall(text or ""))


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Return token precision, recall and F1 of a predicted body against the gold body."""
    p, g = tokens(predicted), tokens(gold)
    common = sum((p & g).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def ours(content: bytes, url: str) -> str:
    """Return the body text our cleaning stage extracts."""
    doc = extract(content, url or "https://example.invalid/")
    return doc.text if isinstance(doc, Cleaned) else ""


def bare_trafilatura(content: bytes, url: str) -> str:
    """Return the text of bare trafilatura.extract on the same bytes."""
    return trafilatura.extract(content, url=url or None) or ""


def evaluate(
    pages: list[GoldPage], extractors: dict[str, Callable[[bytes, str], str]] | None = None
) -> dict[str, object]:
    """Score each extractor on the pages: mean of per-page precision, recall and F1."""
    extractors = extractors or {"ours": ours, "trafilatura": bare_trafilatura}
    sums = {name: [0.0, 0.0, 0.0] for name in extractors}
    for page in pages:
        content = _read(page.path)
        for name, fn in extractors.items():
            for i, v in enumerate(prf(fn(content, page.url), page.body)):
                sums[name][i] += v
    n = max(len(pages), 1)
    result: dict[str, object] = {
        name: {k: round(v / n, 4) for k, v in zip(("precision", "recall", "f1"), s, strict=True)}
        for name, s in sums.items()
    }
    result["pages"] = len(pages)
    return result


def run(pages_dir: str | Path, gold: str | Path) -> dict[str, object]:
    """Load labelled pages and score ours beside bare trafilatura."""
    pages = load_gold(Path(pages_dir), Path(gold))
    if not pages:
        raise ValueError(f"no labelled pages found in {pages_dir} for {gold}")
    return evaluate(pages)


def report(result: dict[str, object]) -> str:
    """Format an evaluation result as a small table."""
    lines = [
        f"{'extractor':<12} {'precision':>9} {'recall':>9} {'f1':>9}   ({result['pages']} pages)"
    ]
    for name, scores in result.items():
        if isinstance(scores, dict):
            lines.append(
                f"{name:<12} {scores['precision']:>9.4f} {scores['recall']:>9.4f} {scores['f1']:>9.4f}"
            )
    return "\n".join(lines)
