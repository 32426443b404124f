"""Contradiction evaluation on labelled pairs, each set read in its native format.

SummEdits JSON (one domain file, or a folder of them: scored per domain too), FEVER-Symmetric
and SNLI JSONL, DocNLI binary TSV (label, premise, hypothesis), MED TSV (MultiNLI columns)
and CANNOT TSV (premise, hypothesis, label; or sentence, negated: every row a negation).

Each pair goes through the product's own path: the first text becomes a stored article,
the second a new one; both are extracted with extractors.claims.extract_article, stored in
a DuckDB warehouse (in memory, one transaction per pair, rolled back afterwards) and the
new claims are checked with detection.pairing.detect through the (subject, attribute, story)
index. A pair is predicted inconsistent iff at least one contradiction is found.

Positives are the inconsistent pairs (SummEdits label 0, FEVER REFUTES, SNLI and MED
contradiction, DocNLI not_entailment, CANNOT label 1 or negated); the false-positive rate is
measured on the consistent ones (label 1, SUPPORTS, SNLI and MED entailment and neutral,
DocNLI entailment; each set's label is kept as the pair's type so each is reported on its own).

Usage: claimwatch eval contradictions FILE|FOLDER [--json] [--limit N] [--cache] [--archive DIR ...]
       python -m evaluation.contradictions FILE --halves   (SummEdits by even/odd document)
       python -m evaluation.contradictions FILE --any-pairing   (the ceiling of any pairing)
"""

from __future__ import annotations

import csv
import hashlib
import json
import pickle
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from claimwatch.batches import load_and_detect
from detection.compare import STATEMENT_MIN_OVERLAP, alignment, statement_difference
from records import Article, Claim, stable_id
from evaluation.archive import EVAL_TOPIC, load_archive
from extractors.claims import Extraction, extract_article, extract_articles
from extractors.pipeline import load_nlp
from warehouse.store import migrate

# edit types that make a summary contradict its document (the target subset)
CONTRADICTION_TYPES = ("antonym_swap", "negation_insertion_removal", "entity_modification")
# new information, not a contradiction: reported on its own
HALLUCINATION = "hallucinated_fact_insertion"
_T0 = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    """One labelled pair: stored text, new text, whether they are inconsistent, edit types.

    domain names a SummEdits domain ('news', 'ectsum', ...); empty for other sets.
    """

    stored: str
    new: str
    inconsistent: bool
    edit_types: tuple[str, ...] = ()
    domain: str = ""


def read_pairs(path: Path) -> list[Pair]:
    """Read any supported labelled set (file, or a folder of SummEdits domain files) natively."""
    if path.is_dir():
        files = sorted(path.glob("summedits_*.json"))
        if not files:
            raise ValueError(f"{path}: no summedits_*.json files in this folder")
        return [p for f in files for p in read_pairs(f)]
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        domain = summedits_domain(path)
        return [
            Pair(r["doc"], r["summary"], int(r["label"]) == 0, tuple(r.get("edit_types") or ()),
                 domain)
            for r in json.loads(text)
        ]  # fmt: skip
    if path.suffix == ".tsv":
        return _tsv_pairs(path, text)
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
DOCNLI_LABELS = ("entailment", "not_entailment")


def summedits_domain(path: Path) -> str:
    """The SummEdits domain a file holds: summedits_news_evaluation.json -> 'news'."""
    stem = path.stem.removeprefix("summedits_")
    return stem.removesuffix("_evaluation")


def _tsv_pairs(path: Path, text: str) -> list[Pair]:
    """DocNLI binary, MED or CANNOT rows, told apart by their header (DocNLI has none)."""
    csv.field_size_limit(sys.maxsize)
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        return []
    head = rows[0]
    if "gold_label" in head:  # MED: MultiNLI columns, genre names the monotonicity
        col = {name: i for i, name in enumerate(head)}
        out = []
        for r in rows[1:]:
            if len(r) != len(head) or r[col["gold_label"]] not in SNLI_LABELS:
                continue
            label, genre = r[col["gold_label"]], r[col["genre"]].split(":")
            kind = next((g for g in genre if g.endswith("monotone")), "other")
            out.append(Pair(r[col["sentence1"]], r[col["sentence2"]], label == "contradiction",
                            (f"med_{label}", f"med_{kind}")))  # fmt: skip
        return out
    if head == ["premise", "hypothesis", "label"]:  # CANNOT: 1 = the hypothesis negates
        return [
            Pair(r[0], r[1], r[2].strip() == "1", (f"cannot_{r[2].strip()}",))
            for r in rows[1:] if len(r) == 3 and r[2].strip() in ("0", "1")
        ]  # fmt: skip
    if head == ["sentence", "negated"]:  # CANNOT: every row a sentence and its negation
        return [Pair(r[0], r[1], True, ("cannot_negated",)) for r in rows[1:] if len(r) == 2]
    # DocNLI binary: label, premise, hypothesis; FEVER-NLI's text is PTB-tokenised
    fix = _detok if "fever" in path.name.lower() else str.strip
    return [
        Pair(fix(r[1]), fix(r[2]), r[0] == "not_entailment", (f"docnli_{r[0]}",))
        for r in rows if len(r) == 3 and r[0] in DOCNLI_LABELS
    ]  # fmt: skip


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


# reads the warehouse inside a pair's transaction: (connection, [stored id, new id]) -> anything
Inspect = Callable[[duckdb.DuckDBPyConnection, list[str]], object]
CACHE_DIR = Path("var/cache")
_REPO = Path(__file__).resolve().parents[1]


def extraction_cache_dir(backend: str) -> Path:
    """var/cache/pair_extractions/<backend>-<hash of the extractor sources>/: one pickle per text.

    The sources' hash keeps a cache written before an extractor change from being read after it.
    """
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", backend)
    return CACHE_DIR / "pair_extractions" / f"{name}-{extractor_digest()}"


def extractor_digest() -> str:
    """A short hash of the extractor and record sources: a cache keyed by it expires on a change."""
    digest = hashlib.sha256()
    for f in sorted([*(_REPO / "extractors").glob("*.py"), *(_REPO / "records").glob("*.py")]):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


class PairChecker:
    """Runs extraction, storage, story assignment and detection for pairs on one warehouse.

    With an archive, real articles are loaded first through the product path (each joins a
    story as the pipeline decides), and every pair is checked on top of that crowd: a
    contradiction with an archive claim is a false positive for the pair.
    """

    def __init__(self, archive: list[Path] | None = None, cache: bool = False) -> None:
        self.nlp, self.backend = load_nlp()
        # one thread: each pair is a few dozen tiny statements, which a second thread only
        # slows (60 FEVER pairs: 17.1 s with DuckDB's default of one per core, 10.7 s with one)
        self.con = duckdb.connect(":memory:", config={"threads": 1})
        migrate(self.con)
        self._cache: dict[tuple[str, str], Extraction] = {}
        self.cache_dir = extraction_cache_dir(self.backend) if cache else None
        self.archive_articles = load_archive(self.con, archive, self.nlp) if archive else 0
        self.last_crowd: list[str] = []  # kinds of the last pair's contradictions with the archive
        self.last_same_story = True
        self.last_inspected: object = None

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
            stored = self._from_disk(article)
            if stored is None:
                stored = extract_article(article, self.nlp)
                self._to_disk(article, stored)
            self._cache[key] = stored
        return article, self._cache[key]

    def preload(self, pairs: Sequence[Pair], progress: bool = False) -> None:
        """Extract every text of these pairs not yet cached, in batches (nlp.pipe)."""
        todo: dict[tuple[str, str], Article] = {}
        for p in pairs:
            for text, role in ((p.stored, "stored"), (p.new, "new")):
                if (role, text) in self._cache or (role, text) in todo:
                    continue
                article = self._article(text, role)
                stored = self._from_disk(article)
                if stored is not None:
                    self._cache[(role, text)] = stored
                else:
                    todo[(role, text)] = article
        keys = list(todo)
        for i in range(0, len(keys), 32):
            chunk = keys[i : i + 32]
            articles = [todo[k] for k in chunk]
            for k, a, x in zip(chunk, articles, extract_articles(articles, self.nlp), strict=True):
                self._cache[k] = x
                self._to_disk(a, x)
            if progress:
                print(f"extracted {i + len(chunk)}/{len(keys)} texts", file=sys.stderr)

    def _from_disk(self, article: Article) -> Extraction | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{article.article_id}.pkl"
        try:
            with path.open("rb") as fh:
                loaded = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return loaded if isinstance(loaded, Extraction) else None

    def _to_disk(self, article: Article, extraction: Extraction) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.cache_dir / f"{article.article_id}.pkl"
        tmp = path.with_suffix(f".{random.getrandbits(32):08x}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(extraction, fh)
        tmp.replace(path)  # atomic: another run reading the cache never sees half a file

    def contradictions(self, pair: Pair, inspect: Inspect | None = None) -> list[str]:
        """The kinds of the contradictions found between a pair's new and stored texts.

        inspect, if given, reads the warehouse before the pair is rolled back (with the
        stored and new article ids); its result is kept in last_inspected.
        """
        stored_article, stored = self._extracted(pair.stored, "stored")
        new_article, new = self._extracted(pair.new, "new")
        self.con.begin()
        try:
            load_and_detect(self.con, [stored_article], [stored])
            load_and_detect(self.con, [new_article], [new])
            ids = [stored_article.article_id, new_article.article_id]
            if inspect is not None:
                self.last_inspected = inspect(self.con, ids)
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
    target_set = set(target)
    found_kinds = Counter(k for ks in kinds for k in set(ks))
    by_domain = None
    if any(p.domain for p in pairs):  # SummEdits: each domain's target subset and all types
        by_domain = {}
        for d in dict.fromkeys(p.domain for p in pairs):
            members = [i for i, p in enumerate(pairs) if p.domain == d]
            tgt = [i for i in members if i in target_set or not gold[i]]
            by_domain[d] = {
                "contradiction_types": scores([gold[i] for i in tgt], [predicted[i] for i in tgt]),
                "overall": scores([gold[i] for i in members], [predicted[i] for i in members]),
            }
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
        **({"by_domain": by_domain} if by_domain else {}),
        "crowd": crowd_result,
        "overall": scores(gold, predicted),
        "by_type": by_type,
        "contradiction_types": subset(target) if has_types else None,
        "kinds_found": dict(sorted(found_kinds.items())),
        "nlp_backend": checker.backend,
    }


def evaluate_file(
    path: Path,
    limit: int | None = None,
    archive: list[Path] | None = None,
    sample: int | None = None,
    cache: bool = False,
) -> dict[str, Any]:
    """Evaluate one labelled file or folder, alone and in a crowd.

    limit keeps the first N pairs; sample keeps N drawn at random (seed 0, file order kept).
    """
    pairs = read_pairs(path)
    pairs = pairs[:limit] if limit else pairs
    if sample and sample < len(pairs):
        keep = sorted(random.Random(0).sample(range(len(pairs)), sample))
        pairs = [pairs[i] for i in keep]
    plain = evaluate(pairs, PairChecker(cache=cache))
    if not archive:
        return {"file": str(path), **plain}
    crowded = evaluate(pairs, PairChecker(archive, cache=cache))
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
    if result.get("by_domain"):
        lines += ["", domain_table(result["by_domain"])]
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


def domain_table(by_domain: dict[str, dict[str, Any]]) -> str:
    """Per SummEdits domain: the target subset beside all edit types, and their mean."""

    def f(v: object) -> str:
        return f"{v:.3f}" if isinstance(v, float) else "  -  "

    def prb(s: dict[str, Any]) -> str:
        return " ".join(f"{f(s[m]):>5}" for m in ("precision", "recall", "balanced_accuracy"))

    lines = [f"{'domain':<14} target: P     R     BA      n  |  all types: P     R     BA      n"]
    for d, s in by_domain.items():
        t, a = s["contradiction_types"], s["overall"]
        lines.append(f"{d:<14}     {prb(t)} {t['n']:>6}  |         {prb(a)} {a['n']:>6}")
    if len(by_domain) > 1:
        means: dict[str, dict[str, float | None]] = {}
        for part in ("contradiction_types", "overall"):
            means[part] = {}
            for m in ("precision", "recall", "balanced_accuracy"):
                vals = [s[part][m] for s in by_domain.values() if s[part][m] is not None]
                means[part][m] = sum(vals) / len(vals) if vals else None
        lines.append(
            f"{'mean':<14}     {prb(means['contradiction_types'])}        |         "
            f"{prb(means['overall'])}"
        )
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
    if result.get("by_domain"):
        out["by_domain"] = {
            d: {
                "contradiction_types": trim(v["contradiction_types"]),
                "overall": trim(v["overall"]),
            }
            for d, v in result["by_domain"].items()
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
