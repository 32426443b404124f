"""Contradiction evaluation on labelled pairs (SummEdits news JSON, FEVER-Symmetric and SNLI JSONL).

Each pair goes through the product's own path: the first text becomes a stored article,
the second a new one; both are extracted with extractors.claims.extract_article, stored in
a DuckDB warehouse (in memory, one transaction per pair, rolled back afterwards) and the
new claims are checked with detection.pairing.detect through the (subject, attribute, story)
index. A pair is predicted inconsistent iff at least one contradiction is found.

Positives are the inconsistent pairs (SummEdits label 0, FEVER REFUTES, SNLI contradiction);
the false-positive rate is measured on the consistent ones (label 1, SUPPORTS, SNLI entailment
and neutral; SNLI's label is kept as the pair's type so each is reported on its own).

Usage: claimwatch eval contradictions FILE [--json] [--archive DIR ...]
       python -m evaluation.contradictions FILE --halves   (SummEdits by even/odd document)
       python -m evaluation.contradictions FILE --any-pairing   (the ceiling of any pairing)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from claimwatch.batches import load_and_detect
from detection.compare import STATEMENT_MIN_OVERLAP, alignment, statement_difference
from records import Article, Claim, stable_id
from evaluation.archive import EVAL_TOPIC, load_archive
from extractors.claims import Extraction, extract_article
from extractors.pipeline import load_nlp
from warehouse.store import migrate

# edit types that make a summary contradict its document (the target subset)
CONTRADICTION_TYPES = ("antonym_swap", "negation_insertion_removal", "entity_modification")
# new information, not a contradiction: reported on its own
HALLUCINATION = "hallucinated_fact_insertion"
_T0 = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    """One labelled pair: stored text, new text, whether they are inconsistent, edit types."""

    stored: str
    new: str
    inconsistent: bool
    edit_types: tuple[str, ...] = ()


def read_pairs(path: Path) -> list[Pair]:
    """Read SummEdits (JSON list), FEVER-Symmetric or SNLI (JSONL) pairs in their native formats."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [
            Pair(r["doc"], r["summary"], int(r["label"]) == 0, tuple(r.get("edit_types") or ()))
            for r in json.loads(text)
        ]
    pairs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("gold_label") in (*SNLI_LABELS, "-"):  # SNLI; '-': annotators had no majority
            if r["gold_label"] != "-":
                pairs.append(_snli_pair(r))
            continue
        evidence = r.get("evidence_sentence") or r.get("evidence") or ""
        label = r.get("gold_label") or r.get("label")
        if label not in ("SUPPORTS", "REFUTES"):
            continue
        pairs.append(Pair(_detok(r["claim"]), _detok(evidence), label == "REFUTES"))
    return pairs


SNLI_LABELS = ("entailment", "neutral", "contradiction")


def _snli_pair(r: dict[str, Any]) -> Pair:
    label = r["gold_label"]
    return Pair(r["sentence1"], r["sentence2"], label == "contradiction", (f"snli_{label}",))


def _detok(text: str) -> str:
    """Undo FEVER's PTB tokenisation ('-LRB-', ' ,') so the extractors see ordinary text."""
    for a, b in (
        ("-LRB-", "("),
        ("-RRB-", ")"),
        ("-LSB-", "["),
        ("-RSB-", "]"),
        ("``", '"'),
        ("''", '"'),
    ):
        text = text.replace(a, b)
    for p in (" ,", " .", " ;", " :", " 's", " n't", " )", " %"):
        text = text.replace(p, p.strip() if p != " 's" else "'s")
    return text.replace("( ", "(").strip()


class PairChecker:
    """Runs extraction, storage, story assignment and detection for pairs on one warehouse.

    With an archive, real articles are loaded first through the product path (each joins a
    story as the pipeline decides), and every pair is checked on top of that crowd: a
    contradiction with an archive claim is a false positive for the pair.
    """

    def __init__(self, archive: list[Path] | None = None) -> None:
        self.nlp, self.backend = load_nlp()
        self.con = duckdb.connect(":memory:")
        migrate(self.con)
        self._cache: dict[tuple[str, str], Extraction] = {}
        self.archive_articles = load_archive(self.con, archive, self.nlp) if archive else 0
        self.last_crowd: list[str] = []  # kinds of the last pair's contradictions with the archive
        self.last_same_story = True

    def _article(self, text: str, role: str) -> Article:
        return Article(
            article_id=stable_id(role, text), topic=EVAL_TOPIC, url=f"eval://{role}/{stable_id(text)}",
            canonical_url=f"eval://{role}/{stable_id(text)}", outlet=role, title=None, author=None,
            published=_T0, language="en", text=text, content_hash=stable_id(text),
            fetched_at=_T0, source_key=role,
        )  # fmt: skip

    def _claims(self, text: str, role: str) -> tuple[Article, list[Claim]]:
        article, extraction = self._extracted(text, role)
        return article, extraction.claims

    def _extracted(self, text: str, role: str) -> tuple[Article, Extraction]:
        article = self._article(text, role)
        key = (role, text)
        if key not in self._cache:
            self._cache[key] = extract_article(article, self.nlp)
        return article, self._cache[key]

    def contradictions(self, pair: Pair) -> list[str]:
        """The kinds of the contradictions found between a pair's new and stored texts."""
        stored_article, stored = self._extracted(pair.stored, "stored")
        new_article, new = self._extracted(pair.new, "new")
        self.con.begin()
        try:
            load_and_detect(self.con, [stored_article], [stored])
            load_and_detect(self.con, [new_article], [new])
            ids = [stored_article.article_id, new_article.article_id]
            rows = self.con.execute(
                """
                SELECT x.kind, ca.article_id, cb.article_id
                FROM contradictions x
                JOIN claims ca ON ca.claim_id = x.claim_a JOIN claims cb ON cb.claim_id = x.claim_b
                WHERE list_contains(?, ca.article_id) OR list_contains(?, cb.article_id)
                """,
                [ids, ids],
            ).fetchall()
            stories = self.con.execute(
                "SELECT count(DISTINCT story_id) FROM articles WHERE list_contains(?, article_id)",
                [ids],
            ).fetchall()[0][0]
        finally:
            self.con.rollback()
        self.last_same_story = stories == 1
        pair_ids = set(ids)
        # only disagreements between the two texts count, not within one of them
        self.last_crowd = [k for k, a, b in rows if not {a, b} <= pair_ids]
        return [k for k, a, b in rows if {a, b} == pair_ids]

    def any_pairing(self, pair: Pair) -> bool:
        """Whether typed rules find a conflict when every statement may meet every other.

        The most any pairing of claims (embeddings included) could let the rules find: what
        the (subject, attribute) keys find, plus every statement claim of one side aligned
        and compared with every statement claim of the other.
        """
        if self.contradictions(pair):
            return True
        _, stored = self._claims(pair.stored, "stored")
        _, new = self._claims(pair.new, "new")
        olds = {c.value_text for c in stored if c.value_type == "statement"}
        news = {c.value_text for c in new if c.value_type == "statement"}
        return any(
            alignment(n, o) >= STATEMENT_MIN_OVERLAP and statement_difference(o, n) is not None
            for n in news
            for o in olds
        )


def scores(gold: Iterable[bool], predicted: Iterable[bool]) -> dict[str, float | int | None]:
    """Precision, recall, balanced accuracy and false-positive rate of binary predictions."""
    c = Counter(zip(gold, predicted, strict=True))
    tp, fp, fn, tn = c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)]
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    fpr = fp / (fp + tn) if fp + tn else None
    if recall is not None and fpr is not None:
        balanced: float | None = (recall + 1 - fpr) / 2
    else:
        balanced = None
    r = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in
         {"precision": precision, "recall": recall, "balanced_accuracy": balanced,
          "false_positive_rate": fpr}.items()}  # fmt: skip
    return {**r, "n": tp + fp + fn + tn, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def crowd_scores(
    gold: list[bool], predicted: list[bool], crowd: list[bool]
) -> dict[str, float | int | None]:
    """Scores in a crowd: a pair that contradicts an archive claim is one more false positive.

    A consistent pair flagged either way counts once; an inconsistent pair that also meets
    the archive is a true positive for its partner and a false alarm for the archive.
    """
    base = scores(
        gold, [p or c if not g else p for g, p, c in zip(gold, predicted, crowd, strict=True)]
    )
    extra = sum(1 for g, c in zip(gold, crowd, strict=True) if g and c)
    tp, fp = int(base["tp"] or 0), int(base["fp"] or 0) + extra
    precision = round(tp / (tp + fp), 4) if tp + fp else None
    return {**base, "precision": precision, "fp": fp, "archive_false_alarms": sum(crowd)}


def evaluate(
    pairs: list[Pair], checker: PairChecker | None = None, any_pairing: bool = False
) -> dict[str, Any]:
    """Run every pair through the product path and score it overall and per edit type."""
    checker = checker or PairChecker()
    if any_pairing:  # a ceiling, not the product: see PairChecker.any_pairing
        kinds = [["any"] if checker.any_pairing(p) else [] for p in pairs]
        crowd = [False] * len(pairs)
        together = [True] * len(pairs)
    else:
        kinds, crowd, together = [], [], []
        for p in pairs:
            kinds.append(checker.contradictions(p))
            crowd.append(bool(checker.last_crowd))
            together.append(checker.last_same_story)
    predicted = [bool(k) for k in kinds]
    gold = [p.inconsistent for p in pairs]
    consistent = [i for i, p in enumerate(pairs) if not p.inconsistent]

    def subset(members: list[int]) -> dict[str, float | int | None]:
        idx = members + consistent
        return scores([gold[i] for i in idx], [predicted[i] for i in idx])

    def in_crowd(members: list[int]) -> dict[str, float | int | None]:
        idx = members + consistent
        return crowd_scores(
            [gold[i] for i in idx], [predicted[i] for i in idx], [crowd[i] for i in idx]
        )

    def of_type(t: str) -> dict[str, float | int | None]:
        members = [i for i, p in enumerate(pairs) if t in p.edit_types]
        if any(gold[i] for i in members):  # an edit type: its inconsistent pairs vs all consistent
            return subset([i for i in members if gold[i]])
        # a consistent label (SNLI entailment, neutral): its own false-positive rate
        return scores([gold[i] for i in members], [predicted[i] for i in members])

    by_type = {t: of_type(t) for t in sorted({t for p in pairs for t in p.edit_types})}
    has_types = any(set(p.edit_types) & set(CONTRADICTION_TYPES) for p in pairs)
    target = [
        i for i, p in enumerate(pairs)
        if p.inconsistent and p.edit_types and set(p.edit_types) <= set(CONTRADICTION_TYPES)
    ]  # fmt: skip
    found_kinds = Counter(k for ks in kinds for k in set(ks))
    crowd_result = None
    if checker.archive_articles:
        crowd_result = {
            "archive_articles": checker.archive_articles,
            "pairs_in_one_story": sum(together),
            "pairs_with_archive_contradiction": sum(crowd),
            "overall": in_crowd([i for i, p in enumerate(pairs) if p.inconsistent]),
            "contradiction_types": in_crowd(target) if has_types else None,
        }
    return {
        "crowd": crowd_result,
        "overall": scores(gold, predicted),
        "by_type": by_type,
        "contradiction_types": subset(target) if has_types else None,
        "kinds_found": dict(sorted(found_kinds.items())),
        "nlp_backend": checker.backend,
    }


def evaluate_file(
    path: Path, limit: int | None = None, archive: list[Path] | None = None
) -> dict[str, Any]:
    """Evaluate one labelled file (optionally its first `limit` pairs), alone and in a crowd."""
    pairs = read_pairs(path)
    pairs = pairs[:limit] if limit else pairs
    plain = evaluate(pairs)
    if not archive:
        return {"file": str(path), **plain}
    crowded = evaluate(pairs, PairChecker(archive))
    return {"file": str(path), **plain, "crowd": crowded["crowd"]}


def _row(name: str, s: dict[str, Any] | None) -> str:
    if s is None:
        return f"{name:<34} -"

    def f(v: object) -> str:
        return f"{v:.3f}" if isinstance(v, float) else "-"

    return (
        f"{name:<34} {f(s['precision']):>9} {f(s['recall']):>7} {f(s['balanced_accuracy']):>9} "
        f"{f(s['false_positive_rate']):>7} {s['n']:>5}   tp={s['tp']} fp={s['fp']} fn={s['fn']} tn={s['tn']}"
    )


def format_report(result: dict[str, Any]) -> str:
    """A plain-text table of the evaluation result."""
    head = f"{'':<34} {'precision':>9} {'recall':>7} {'bal.acc':>9} {'FPR':>7} {'n':>5}"
    lines = [f"{result.get('file', '')}  (NLP backend {result['nlp_backend']})", head]
    lines.append(_row("overall", result["overall"]))
    if result["contradiction_types"] is not None:
        lines.append(_row("antonym+negation+entity vs consistent", result["contradiction_types"]))
    for name, s in result["by_type"].items():
        if name != HALLUCINATION:
            lines.append(_row(f"  {name}", s))
    if HALLUCINATION in result["by_type"]:
        lines.append("new information (not a contradiction; flagging it counts as recall here):")
        lines.append(_row(f"  {HALLUCINATION}", result["by_type"][HALLUCINATION]))
    lines.append(f"contradiction kinds found: {result['kinds_found']}")
    crowd = result.get("crowd")
    if crowd:
        lines.append(
            f"in a crowd of {crowd['archive_articles']} archive articles "
            f"(pairs in one story: {crowd['pairs_in_one_story']}, "
            f"pairs contradicting an archive claim: {crowd['pairs_with_archive_contradiction']}):"
        )
        lines.append(_row("overall (crowd)", crowd["overall"]))
        if crowd["contradiction_types"] is not None:
            lines.append(_row("antonym+negation+entity (crowd)", crowd["contradiction_types"]))
    return "\n".join(lines)


def to_json(result: dict[str, Any]) -> str:
    """The --json object: overall, by_type and contradiction_types."""
    keep = ("precision", "recall", "balanced_accuracy", "false_positive_rate", "n")

    def trim(s: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if s is None else {k: s[k] for k in keep}

    out: dict[str, Any] = {
        "overall": trim(result["overall"]),
        "by_type": {k: trim(v) for k, v in result["by_type"].items()},
        "contradiction_types": trim(result["contradiction_types"]),
    }
    crowd = result.get("crowd")
    if crowd:
        out["crowd"] = {
            **{k: crowd[k] for k in ("archive_articles", "pairs_in_one_story",
                                     "pairs_with_archive_contradiction")},
            "overall": trim(crowd["overall"]),
            "contradiction_types": trim(crowd["contradiction_types"]),
        }  # fmt: skip
    return json.dumps(out)


def document_halves(pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    """Split pairs by their stored document's order of appearance: even (tuning) and odd."""
    order: dict[str, int] = {}
    for p in pairs:
        order.setdefault(p.stored, len(order))
    even = [p for p in pairs if order[p.stored] % 2 == 0]
    return even, [p for p in pairs if order[p.stored] % 2 == 1]


if __name__ == "__main__":
    file = Path(sys.argv[1])
    archive = (
        [Path(a) for a in sys.argv[sys.argv.index("--archive") + 1 :]]
        if "--archive" in sys.argv
        else None
    )
    checker = PairChecker(archive)
    ceiling = "--any-pairing" in sys.argv[2:]
    if "--halves" in sys.argv[2:]:
        even, odd = document_halves(read_pairs(file))
        for name, part in (("even documents (tuning)", even), ("odd documents", odd)):
            print(f"--- {name}")
            print(format_report({"file": str(file), **evaluate(part, checker, ceiling)}))
    else:
        print(format_report({"file": str(file), **evaluate(read_pairs(file), checker, ceiling)}))
