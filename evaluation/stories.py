"""Story assignment on ECB+: cluster its documents one at a time, score B-cubed against gold.

ECB+ (a folder of topic folders of token XML) groups news documents by real-world event:
in topic folder N, the `N_*ecb.xml` documents report one event (sub-topic A) and the
`N_*ecbplus.xml` documents a second, similar one (sub-topic B). Every document is extracted
with the shipped pipeline, loaded into a fresh warehouse as one topic, and given a story by
detection.stories.assign_stories in file order, as the pipeline would. ECB+ has no dates.

Usage: python -m evaluation.stories DIR [--json] [--topics 1,2] [--sweep 0.12,0.16,0.2]
       [--date-bonus 0,0.03,0.05]  (crossed with --sweep's thresholds)
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import pickle
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from records import Article, stable_id
from extractors.claims import Extraction

CACHE_DIR = Path("var/cache")
_TOKEN = re.compile(r'<token t_id="\d+" sentence="(\d+)" number="\d+">(.*?)</token>', re.S)
_NAME = re.compile(r"^(\d+)_(\d+)(ecb|ecbplus)\.xml$")
TOPIC = "ecb"


@dataclass(frozen=True)
class EcbDocument:
    """One ECB+ document: its name, gold topic and sub-topic, and the article built from it."""

    name: str
    topic: str
    subtopic: str
    article: Article


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(html.unescape(t) for t in tokens)
    text = re.sub(r"``\s*|\s*''", '"', text)
    text = re.sub(r"\s+([,.;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$])\s+", r"\1", text)
    text = re.sub(r"\s+('s|'re|'ve|'ll|'d|'m|n't)\b", r"\1", text, flags=re.I)
    text = re.sub(r"(\w) - (?=\w)", r"\1-", text)  # "90 - day" was written 90-day
    text = re.sub(r"(\d): (?=\d)", r"\1:", text)  # "4 : 59 PM"
    text = re.sub(r"\s+([\u2019'])\s*s\b", r"\1s", text)
    text = re.sub(r"\u201c\s+", "\u201c", text)
    text = re.sub(r"\s+\u201d", "\u201d", text)
    return text.strip()


def read_document(path: Path) -> tuple[str, str]:
    """Return (title, text) of one ECB+ XML document; a leading URL line is not text."""
    sentences: dict[int, list[str]] = {}
    for m in _TOKEN.finditer(path.read_text(encoding="utf-8", errors="replace")):
        sentences.setdefault(int(m.group(1)), []).append(m.group(2))
    lines = [_detokenize(sentences[k]) for k in sorted(sentences)]
    lines = [s for s in lines if s]
    if lines and re.match(r"https?\s*:", lines[0]):
        lines = lines[1:]
    title = lines[0][:300] if lines else ""
    return title, "\n".join(lines)


def _order(path: Path) -> tuple[int, int, int]:
    m = _NAME.match(path.name)
    assert m
    return int(m.group(1)), int(m.group(2)), 0 if m.group(3) == "ecb" else 1


def read_corpus(root: Path, topics: Sequence[str] | None = None) -> list[EcbDocument]:
    """Read every document under an ECB+ folder (or the given topic folders) in file order."""
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder of ECB+ topic folders")
    paths = sorted((p for p in root.glob("*/*.xml") if _NAME.match(p.name)), key=_order)
    if topics is not None:
        wanted = set(topics)
        paths = [p for p in paths if _NAME.match(p.name).group(1) in wanted]  # type: ignore[union-attr]
    if not paths:
        raise ValueError(f"no ECB+ documents (N_Mecb.xml, N_Mecbplus.xml) under {root}")
    docs = []
    fetched = datetime(2000, 1, 1, tzinfo=UTC)
    for p in paths:
        m = _NAME.match(p.name)
        assert m
        title, text = read_document(p)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        url = f"ecb://{p.name}"
        article = Article(
            article_id=stable_id(url, digest), topic=TOPIC, url=url, canonical_url=url,
            outlet=p.stem, title=title, author=None, published=None, language="en", text=text,
            content_hash=digest, fetched_at=fetched, source_key=p.stem,
        )  # fmt: skip
        sub = "A" if m.group(3) == "ecb" else "B"
        docs.append(EcbDocument(p.name, m.group(1), f"{m.group(1)}{sub}", article))
    return docs


def _cache_path() -> Path:
    from extractors.pipeline import load_nlp

    from evaluation.contradictions import extractor_digest

    backend = re.sub(r"[^A-Za-z0-9_.-]", "_", load_nlp()[1])
    # keyed by the extractors' sources too: a cache from before an extractor change is not read
    return CACHE_DIR / f"ecb_extractions_{backend}-{extractor_digest()}.pkl"


def extract_corpus(docs: Sequence[EcbDocument], progress: bool = False) -> list[Extraction]:
    """Extract every document with the shipped pipeline, reusing the cache under var/cache/."""
    from extractors.claims import extract_articles
    from extractors.pipeline import load_nlp

    path = _cache_path()
    cache: dict[str, Extraction] = {}
    if path.exists():
        try:
            with path.open("rb") as fh:
                cache = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            cache = {}
    missing = [d.article for d in docs if d.article.article_id not in cache]
    nlp = load_nlp()[0] if missing else None
    for i in range(0, len(missing), 32):
        chunk = missing[i : i + 32]
        assert nlp is not None
        for a, x in zip(chunk, extract_articles(chunk, nlp), strict=True):
            cache[a.article_id] = x
        if progress:
            print(f"extracted {i + len(chunk)}/{len(missing)}", file=sys.stderr)
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(cache, fh)
        tmp.replace(path)
    return [cache[d.article.article_id] for d in docs]


def b_cubed(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    """Return B-cubed precision, recall and F1 of a clustering against gold labels."""
    pred_members: dict[str, list[int]] = {}
    gold_members: dict[str, list[int]] = {}
    for i, (label, truth) in enumerate(zip(predicted, gold, strict=True)):
        pred_members.setdefault(label, []).append(i)
        gold_members.setdefault(truth, []).append(i)
    n = len(predicted)
    if n == 0:
        return {"b3_precision": 0.0, "b3_recall": 0.0, "b3_f1": 0.0}
    prec = rec = 0.0
    for i in range(n):
        same_pred = pred_members[predicted[i]]
        same_gold = gold_members[gold[i]]
        both = sum(1 for j in same_pred if gold[j] == gold[i])
        prec += both / len(same_pred)
        rec += both / len(same_gold)
    p, r = prec / n, rec / n
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"b3_precision": round(p, 4), "b3_recall": round(r, 4), "b3_f1": round(f, 4)}


def cluster(
    docs: Sequence[EcbDocument],
    extractions: Sequence[Extraction],
    settings: Any = None,
    choose: Any = None,
    one_batch: bool = False,
) -> list[str]:
    """Assign each document a story one at a time, in order, in a fresh warehouse.

    one_batch: load every document in one batch (assigned in order in memory, the same
    decisions as one transaction per document, much faster; for training).
    """
    from detection.stories import assign_stories
    from warehouse.loading import to_arrow
    from warehouse.store import connect, registered

    stories: list[str] = []
    groups = [list(range(len(docs)))] if one_batch else [[i] for i in range(len(docs))]
    with connect(":memory:") as con:
        for group in groups:
            arts = [docs[i].article for i in group]
            con.begin()
            with registered(con, "_article", to_arrow(arts, Article)):
                con.execute("INSERT INTO articles SELECT * FROM _article")
            got = assign_stories(
                con, arts, [extractions[i] for i in group], settings=settings, choose=choose
            )
            con.commit()
            stories.extend(got[a.article_id] for a in arts)
    return stories


def score(docs: Sequence[EcbDocument], stories: Sequence[str]) -> dict[str, Any]:
    """B-cubed figures of the stories against gold topics and sub-topics."""
    return {
        "documents": len(docs),
        "stories": len(set(stories)),
        "topic": b_cubed(stories, [d.topic for d in docs]),
        "subtopic": b_cubed(stories, [d.subtopic for d in docs]),
    }


def evaluate(
    root: Path, topics: Sequence[str] | None = None, progress: bool = False
) -> dict[str, Any]:
    """Read, extract (cached) and cluster ECB+, and score the stories."""
    docs = read_corpus(root, topics)
    extractions = extract_corpus(docs, progress=progress)
    return score(docs, cluster(docs, extractions))


def sweep(
    root: Path, thresholds: Sequence[float], date_bonuses: Sequence[float] = ()
) -> dict[str, Any]:
    """Choose the threshold (and date bonus) on even topics, report odd ones, and vice versa."""
    from detection.stories import DEFAULT, StorySettings

    docs = read_corpus(root)
    extractions = extract_corpus(docs, progress=True)
    halves = {
        "even": [i for i, d in enumerate(docs) if int(d.topic) % 2 == 0],
        "odd": [i for i, d in enumerate(docs) if int(d.topic) % 2 == 1],
    }
    bonuses = list(date_bonuses) or [DEFAULT.bonuses.get("d", 0.0)]
    grid = [(th, b) for th in thresholds for b in bonuses]
    runs: dict[tuple[float, float], dict[str, Any]] = {}
    for th, b in grid:
        settings = StorySettings(threshold=th, bonuses={"d": b})
        stories = cluster(docs, extractions, settings, one_batch=True)
        runs[(th, b)] = {"all": score(docs, stories)}
        for name, idx in halves.items():
            runs[(th, b)][name] = score([docs[i] for i in idx], [stories[i] for i in idx])
        print(th, b, json.dumps(runs[(th, b)]), file=sys.stderr, flush=True)

    def best(half: str) -> tuple[float, float]:
        # ties go to the lower threshold and the smaller bonus
        return max(grid, key=lambda g: (runs[g][half]["subtopic"]["b3_f1"], -g[0], -g[1]))

    folds = {
        f"tune_{tune}_report_{test}": {
            "threshold": best(tune)[0],
            "date_bonus": best(tune)[1],
            "held_in": runs[best(tune)][tune]["subtopic"],
            **runs[best(tune)][test],
        }
        for tune, test in (("even", "odd"), ("odd", "even"))
    }
    return {"runs": {f"{th} {b}": v for (th, b), v in runs.items()}, "folds": folds}


def format_report(result: dict[str, Any]) -> str:
    """Readable lines of the B-cubed figures."""
    lines = [f"{result['documents']} documents, {result['stories']} stories"]
    for level in ("subtopic", "topic"):
        r = result[level]
        lines.append(
            f"{level:9s} B3 precision {r['b3_precision']:.3f}  recall {r['b3_recall']:.3f}"
            f"  F1 {r['b3_f1']:.3f}"
        )
    return "\n".join(lines)


def topic_list(value: str | None) -> list[str] | None:
    """Split a comma-separated --topics value (None: every topic)."""
    return [t.strip() for t in value.split(",") if t.strip()] if value else None


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry: python -m evaluation.stories DIR [--json] [--topics 1,2]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--topics", help="comma-separated topic folders (default: all)")
    parser.add_argument("--sweep", help="comma-separated thresholds: leave-topics-out choice")
    parser.add_argument("--date-bonus", help="comma-separated date bonuses, crossed with --sweep")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.sweep:
        bonuses = [float(b) for b in args.date_bonus.split(",")] if args.date_bonus else []
        result = sweep(args.dir, [float(t) for t in args.sweep.split(",")], bonuses)
        print(json.dumps(result["folds"], indent=1))
        return 0
    try:
        result = evaluate(args.dir, topic_list(args.topics), progress=True)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
