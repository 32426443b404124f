"""Detection on a stream of real articles: what the product raises, and between which events.

ECB+ documents are imported topic folder by topic folder (each folder its own monitored topic,
as `claimwatch import` would), through the product's own extract, load and detect path. ECB+
says which documents report the same real-world event (`N_Kecb` one event, `N_Kecbplus` a
second, similar one), so every contradiction is either within one gold event or across two.
The unrelated article pages of ../shared/data/articles are imported as one topic: nearly
nothing there can truly disagree, so what is raised per 1,000 articles is a false-alarm rate.

A judged list of within-event contradictions (document and sentence ids, a verdict and why;
never the text) gives the precision of what remains: `--judged FILE` scores against it and
`--sample N` prints N unjudged within-event contradictions to judge.

Usage: python -m evaluation.stream ECB_DIR --pages DIR [DIR ...] [--json] [--judged FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimwatch.batches import load_and_detect_batch
from evaluation.corpora import EcbDocument, ecb_article, ecb_files, page_articles, read_ecb
from extractors.claims import extract_articles
from extractors.pipeline import load_nlp
from warehouse.store import connect

JUDGED = Path(__file__).parent / "judged" / "ecb_within_event.jsonl"
# refutations (kind refutation) are judged in a list of their own, read beside this one
REFUTATIONS_JUDGED = Path(__file__).parent / "judged" / "ecb_refutations.jsonl"


@dataclass(frozen=True)
class Raised:
    """One contradiction the stream raised, located by ECB+ document and sentence number."""

    contradiction_id: str
    kind: str
    attribute: str
    doc_a: str
    sent_a: int
    doc_b: str
    sent_b: int

    @property
    def key(self) -> str:
        """A key that survives changes of claim ids: both documents and sentences, in order."""
        a, b = sorted(((self.doc_a, self.sent_a), (self.doc_b, self.sent_b)))
        return f"{a[0]}:{a[1]}|{b[0]}:{b[1]}"


def _subtopic(doc: str) -> str:
    topic = doc.split("_", 1)[0]
    return f"{topic}_{'ecbplus' if doc.endswith('ecbplus') else 'ecb'}"


def import_ecb(root: Path, db: str, topics: set[str] | None = None) -> dict[str, EcbDocument]:
    """Import ECB+ topic folder by topic folder into the warehouse; returns documents by name."""
    nlp, _ = load_nlp()
    docs: dict[str, EcbDocument] = {}
    by_topic: dict[str, list[EcbDocument]] = {}
    for path in ecb_files(root, topics):
        doc = read_ecb(path)
        docs[doc.name] = doc
        by_topic.setdefault(doc.topic, []).append(doc)
    for topic, members in by_topic.items():
        articles = [ecb_article(d, f"ecb-{topic}") for d in members]
        load_and_detect_batch(db, articles, extract_articles(articles, nlp))
    return docs


def raised(db: str, docs: dict[str, EcbDocument]) -> list[Raised]:
    """Every stored contradiction between ECB+ documents, with its sentence numbers."""
    with connect(db) as con:
        rows = con.execute(
            """
            SELECT x.contradiction_id, x.kind, x.attribute, aa.url, ca.span_start, ab.url,
                   cb.span_start
            FROM contradictions x
            JOIN claims ca ON ca.claim_id = x.claim_a JOIN articles aa ON aa.article_id = ca.article_id
            JOIN claims cb ON cb.claim_id = x.claim_b JOIN articles ab ON ab.article_id = cb.article_id
            ORDER BY x.contradiction_id
            """
        ).fetchall()
    out = []
    for cid, kind, attribute, url_a, start_a, url_b, start_b in rows:
        da, db_ = docs[url_a.split("://", 1)[1]], docs[url_b.split("://", 1)[1]]
        out.append(
            Raised(cid, kind, attribute, da.name, da.sentence_at(start_a), db_.name,
                   db_.sentence_at(start_b))
        )  # fmt: skip
    return out


def read_judged(path: Path) -> dict[str, dict[str, Any]]:
    """The judged within-event contradictions by key."""
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {r["key"]: r for r in rows}


def ecb_figures(
    found: list[Raised], articles: int, alerts: int, judged: dict[str, Any]
) -> dict[str, Any]:
    """Cross-event share, within-event count, alerts per 1,000 articles and judged precision."""
    cross = [r for r in found if _subtopic(r.doc_a) != _subtopic(r.doc_b)]
    cross_topic = [r for r in cross if r.doc_a.split("_")[0] != r.doc_b.split("_")[0]]
    within = [r for r in found if _subtopic(r.doc_a) == _subtopic(r.doc_b)]
    seen = {r.key for r in within}
    verdicts = [judged[k]["verdict"] for k in seen if k in judged]
    true_judged = {k for k, j in judged.items() if j["verdict"]}
    return {
        "articles": articles,
        "contradictions": len(found),
        "cross_event": len(cross),
        "cross_topic": len(cross_topic),
        "cross_event_share": round(len(cross) / len(found), 4) if found else 0.0,
        "within_event": len(within),
        "alerts": alerts,
        "alerts_per_1000_articles": round(1000 * alerts / articles, 2) if articles else 0.0,
        "kinds": dict(Counter(r.kind for r in found).most_common()),
        "judged_within_event": len(verdicts),
        "unjudged_within_event": len(seen) - len(verdicts),
        "judged_precision": round(sum(verdicts) / len(verdicts), 4) if verdicts else None,
        "judged_true_total": len(true_judged),
        "judged_true_still_raised": len(true_judged & seen),
    }


def import_pages(dirs: list[Path], db: str) -> int:
    """Import the unrelated pages as one topic; returns the number of articles stored."""
    nlp, _ = load_nlp()
    articles = list(page_articles(dirs, "pages"))
    for i in range(0, len(articles), 100):
        batch = articles[i : i + 100]
        load_and_detect_batch(db, batch, extract_articles(batch, nlp))
    return len(articles)


def _count(db: str, table: str) -> int:
    with connect(db) as con:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the stream measurement and print it."""
    ap = argparse.ArgumentParser(prog="python -m evaluation.stream")
    ap.add_argument("ecb", type=Path, help="the ECB+ folder of topic folders")
    ap.add_argument("--pages", type=Path, nargs="*", default=[])
    ap.add_argument("--topics", help="comma-separated ECB+ topic numbers (default: all)")
    ap.add_argument("--judged", type=Path, default=JUDGED)
    ap.add_argument("--sample", type=int, default=0, help="print N unjudged within-event items")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep the warehouses in this folder to query them")
    args = ap.parse_args(argv)
    topics = set(args.topics.split(",")) if args.topics else None
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = str(args.keep or scratch)
        Path(tmp).mkdir(parents=True, exist_ok=True)
        db = str(Path(tmp) / "ecb.duckdb")
        docs = import_ecb(args.ecb, db, topics)
        found = raised(db, docs)
        judged = {**read_judged(REFUTATIONS_JUDGED), **read_judged(args.judged)}
        result["ecb"] = ecb_figures(found, _count(db, "articles"), _count(db, "alerts"), judged)
        if args.sample:
            within = [r for r in found if _subtopic(r.doc_a) == _subtopic(r.doc_b)]
            todo = list({r.key: r for r in within if r.key not in judged}.values())
            random.Random(args.seed).shuffle(todo)
            result["sample"] = [_describe(db, docs, r) for r in todo[: args.sample]]
        if args.pages:
            pdb = str(Path(tmp) / "pages.duckdb")
            n = import_pages(args.pages, pdb)
            x = _count(pdb, "contradictions")
            result["pages"] = {
                "articles": n,
                "contradictions": x,
                "contradictions_per_1000_articles": round(1000 * x / n, 2) if n else 0.0,
                "alerts": _count(pdb, "alerts"),
            }
    print(json.dumps(result, indent=None if args.json else 2))
    return result


def _describe(db: str, docs: dict[str, EcbDocument], r: Raised) -> dict[str, Any]:
    """A within-event contradiction with both sentences, for a person to judge (not stored)."""
    with connect(db) as con:
        expl = con.execute(
            "SELECT explanation FROM contradictions WHERE contradiction_id = ?",
            [r.contradiction_id],
        ).fetchall()[0][0]

    def sentence(doc: str, n: int) -> str:
        d = docs[doc]
        end = d.sentence_starts[n + 1] if n + 1 < len(d.sentence_starts) else len(d.text)
        return d.text[d.sentence_starts[n] : end].strip()

    return {
        "key": r.key, "kind": r.kind, "attribute": r.attribute, "explanation": expl,
        "a": sentence(r.doc_a, r.sent_a), "b": sentence(r.doc_b, r.sent_b),
    }  # fmt: skip


if __name__ == "__main__":
    main()
