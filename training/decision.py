"""Fit the learned contradiction decision by grouped cross-validation and write it as package data.

Examples are the conflicts the typed rules find, each with its features (detection/decision.py):
- SummEdits, all 8 domains: every rule-found conflict between a document and its summary is
  labelled by the pair (inconsistent or not); the candidates come from the product path,
  cached by evaluation.generalise;
- ECB+: the conflicts the rules raise on the 982 real articles, labelled by the judged list
  (evaluation/judged/ecb_within_event.jsonl) within one gold event, and false across two
  events (claims about different things).

Folds leave one group out: each SummEdits domain and each ECB+ topic (the finer scheme leaves
each news document out). C and the threshold are chosen on the held-out probabilities: the
best mean F1 of the two sources (SummEdits pooled, ECB+ pooled), where neither falls below
the rules' own precision. The model fitted on all examples ships as
detection/models/decision.json with its held-out figures.

Usage: python -m training.decision [--json] [--write] [--ecb-db FILE] [--evidence DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from detection.decision import MODEL_PATH, features, gated, rules_only
from detection.keys import comparison_key
from detection.pairing import ArticleOverlap, decide
from evaluation.contradictions import CACHE_DIR, CONTRADICTION_TYPES, PairChecker, read_pairs
from evaluation.corpora import read_ecb, ecb_files
from evaluation.generalise import DOMAINS, NEWS, Evidence, collect, evidence_dir
from evaluation.stream import JUDGED, _subtopic, import_ecb, raised, read_judged
from records import Claim, Contradiction
from warehouse.store import connect

ECB = Path(__file__).resolve().parents[2] / "shared" / "data" / "events" / "ECBplus"
ECB_DIR = ECB / "ECB+_LREC2014" / "ECB+"


def _ecb_db() -> Path:
    # the rules' ECB+ conflicts depend on the rules and the extraction, and a DuckDB file on
    # the version that wrote it: a change of either builds a fresh one
    import hashlib

    import duckdb

    digest = hashlib.sha256(evidence_dir("rules").name.encode())
    digest.update((Path(__file__).resolve().parents[1] / "detection" / "compare.py").read_bytes())
    digest.update(duckdb.__version__.encode())
    return CACHE_DIR / f"ecb_rules-{digest.hexdigest()[:12]}.duckdb"


ECB_DB = _ecb_db()
FLOORS = Path(__file__).resolve().parents[1] / "quality_floors.toml"
C_GRID = (0.1, 0.3, 1.0, 3.0)


@dataclass
class Row:
    """One rule-found conflict: its features, its label, and the unit it is scored in."""

    features: dict[str, float]
    label: bool
    gated: bool  # weighed by the model (detection.decision.gated); else kept by its rule
    group: str  # SummEdits domain or 'ecb'
    unit: str  # the labelled pair (SummEdits) or the judged sentence pair (ECB+)
    subgroup: str  # news document or ECB+ topic, for the finer folds
    target: bool  # SummEdits target subset (target edit types, or consistent); ECB+ always


@dataclass
class Unit:
    """A labelled unit (a pair of texts): predicted a contradiction when any of its rows is."""

    label: bool
    group: str
    subgroup: str
    target: bool


def pair_conflicts(ev: Evidence) -> list[tuple[Claim, Claim, Contradiction, float]]:
    """The rules' conflicts between a pair's two texts: (new claim, stored claim, conflict,
    the articles' key overlap), as detection.pairing.decide meets them."""
    claims = {c.claim_id: c for c, _ in ev.candidates.keyed}
    claims |= {c.claim_id: c for s in ev.candidates.by_key.values() for c, _ in s}
    with rules_only():
        found, _ = decide(ev.candidates)
    overlap = ArticleOverlap(ev.candidates)
    out = []
    for x in found:
        a, b = claims[x.claim_a], claims[x.claim_b]
        if {a.article_id, b.article_id} != set(ev.pair_ids):
            continue
        if a.article_id != ev.pair_ids[1]:
            a, b = b, a  # the new article's claim first, as decide sees it
        out.append((a, b, x, overlap.share(a.article_id, b.article_id)))
    return out


def summedits_rows(evidence_folder: Path | None = None) -> tuple[list[Row], dict[str, Unit]]:
    """Rule-found conflicts in every SummEdits pair, through the cached product path."""
    pairs = read_pairs(NEWS) + read_pairs(DOMAINS)
    checker = PairChecker(cache=True)
    folder = evidence_folder or evidence_dir(checker.backend)
    evidence = collect(pairs, checker, folder=folder)
    rows: list[Row] = []
    units: dict[str, Unit] = {}
    docs: dict[str, int] = {}
    for i, (p, ev) in enumerate(zip(pairs, evidence, strict=True)):
        unit = f"summedits:{i}"
        doc = f"{p.domain} document {docs.setdefault(p.stored, len(docs))}"
        target = not p.inconsistent or (
            bool(p.edit_types) and set(p.edit_types) <= set(CONTRADICTION_TYPES)
        )
        units[unit] = Unit(p.inconsistent, p.domain, doc, target)
        for a, b, x, shared in pair_conflicts(ev):
            f = features(a, b, x, shared)
            rows.append(Row(f, p.inconsistent, gated(a, x), p.domain, unit, doc, target))
    return rows, units


def _claims(con: Any, ids: list[str]) -> dict[str, Claim]:
    cols = list(Claim.__dataclass_fields__)
    names = ", ".join(f'"{c}"' for c in cols)
    out = {}
    for r in con.execute(f"SELECT {names} FROM claims WHERE claim_id IN ?", [ids]).fetchall():
        c = Claim(**dict(zip(cols, r, strict=True)))
        out[c.claim_id] = c
    return out


def ecb_rows(db: Path = ECB_DB, judged_path: Path = JUDGED) -> tuple[list[Row], dict[str, Unit]]:
    """Rule-found conflicts on ECB+ (imported once into db by the rules alone), as judged."""
    docs = {d.name: d for d in (read_ecb(p) for p in ecb_files(ECB_DIR))}
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        with rules_only():
            import_ecb(ECB_DIR, str(db))
    judged = read_judged(judged_path)
    found = raised(str(db), docs)
    cols = [f for f in Contradiction.__dataclass_fields__]
    with connect(str(db)) as con:
        xs = {
            r[0]: Contradiction(**dict(zip(cols, r, strict=True)))
            for r in con.execute(f"SELECT {', '.join(cols)} FROM contradictions").fetchall()
        }
        claims = _claims(con, [c for x in xs.values() for c in (x.claim_a, x.claim_b)])
        keys: dict[str, set[Any]] = defaultdict(set)
        for article, *fields in con.execute(
            f"SELECT article_id, {', '.join(Claim.__dataclass_fields__)} FROM claims"
        ).fetchall():
            k = comparison_key(Claim(**dict(zip(Claim.__dataclass_fields__, fields, strict=True))))
            if k is not None:
                keys[article].add(k)
    rows: list[Row] = []
    units: dict[str, Unit] = {}
    for r in found:
        cross = _subtopic(r.doc_a) != _subtopic(r.doc_b)
        if cross:
            label = False
        elif r.key in judged:
            label = bool(judged[r.key]["verdict"])
        else:
            continue  # not judged: no label
        x = xs[r.contradiction_id]
        unit = f"ecb:{r.key}"
        topic = f"ecb topic {r.doc_a.split('_')[0]}"
        units[unit] = Unit(label, "ecb", topic, True)
        # decide meets a pair of new claims once, from the later claim id (claim_b)
        a, b = claims[x.claim_b], claims[x.claim_a]
        ka, kb = keys[a.article_id], keys[b.article_id]
        shared = len(ka & kb) / len(ka) if ka else 0.0
        rows.append(Row(features(a, b, x, shared), label, gated(a, x), "ecb", unit, topic, True))
    return rows, units


class Fitted:
    """A standardised logistic regression fitted on some rows."""

    def __init__(self, rows: Sequence[Row], names: list[str], c: float) -> None:
        from sklearn.linear_model import LogisticRegression

        rows = [r for r in rows if r.gated]
        x = np.array([[r.features.get(n, 0.0) for n in names] for r in rows])
        y = np.array([r.label for r in rows])
        self.names = names
        self.means = x.mean(axis=0)
        self.scales = x.std(axis=0)
        self.scales[self.scales == 0] = 1.0
        self.model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        self.model.fit((x - self.means) / self.scales, y)

    def probabilities(self, rows: Sequence[Row]) -> list[float]:
        """The probability of each row (1.0 for a row its rule decides alone)."""
        weighed = [r for r in rows if r.gated]
        if not weighed:
            return [1.0] * len(rows)
        x = np.array([[r.features.get(n, 0.0) for n in self.names] for r in weighed])
        p = iter(self.model.predict_proba((x - self.means) / self.scales)[:, 1])
        return [float(next(p)) if r.gated else 1.0 for r in rows]

    def to_json(self, threshold: float, report: dict[str, Any]) -> dict[str, Any]:
        """The shipped form: weights on standardised features, means, scales, threshold."""
        return {
            "weights": {
                n: round(float(w), 6) for n, w in zip(self.names, self.model.coef_[0], strict=True)
            },
            "intercept": round(float(self.model.intercept_[0]), 6),
            "means": {n: round(float(m), 6) for n, m in zip(self.names, self.means, strict=True)},
            "scales": {n: round(float(s), 6) for n, s in zip(self.names, self.scales, strict=True)},
            "threshold": threshold,
            "trained_on": report,
        }


def unit_scores(
    units: dict[str, Unit],
    rows: Sequence[Row],
    probs: Sequence[float],
    threshold: float,
    only: Callable[[Unit], bool] = lambda u: u.target,
) -> dict[str, Any]:
    """Precision, recall and balanced accuracy of units: a unit is raised when any row is."""
    best: dict[str, float] = defaultdict(float)
    for r, prob in zip(rows, probs, strict=True):
        best[r.unit] = max(best[r.unit], prob)
    tp = fp = fn = tn = 0
    for name, u in units.items():
        if not only(u):
            continue
        hit = name in best and best[name] >= threshold
        if u.label:
            tp, fn = tp + hit, fn + (not hit)
        else:
            fp, tn = fp + hit, tn + (not hit)
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    tnr = tn / (tn + fp) if tn + fp else None
    ba = (rec + tnr) / 2 if rec is not None and tnr is not None else None
    return {"precision": _r(prec), "recall": _r(rec), "balanced_accuracy": _r(ba), "tp": tp, "fp": fp,
            "fn": fn, "tn": tn}  # fmt: skip


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def folds(
    rows: Sequence[Row],
    units: dict[str, Unit],
    group: Callable[[Row | Unit], str],
    names: list[str],
    c: float,
    threshold: float,
) -> list[dict[str, Any]]:
    """Leave each group out: held-in and held-out unit figures, the rules' beside the model's."""
    out = []
    for g in dict.fromkeys(group(u) for u in units.values()):
        held_in = [r for r in rows if group(r) != g]
        held_out = [r for r in rows if group(r) == g]
        if len({r.label for r in held_in}) < 2:
            continue
        m = Fitted(held_in, names, c)
        u_in = {k: u for k, u in units.items() if group(u) != g}
        u_out = {k: u for k, u in units.items() if group(u) == g}
        out.append({
            "held_out": g,
            "held_in": unit_scores(u_in, held_in, m.probabilities(held_in), threshold),
            "held_out_figures": unit_scores(u_out, held_out, m.probabilities(held_out), threshold),
            "rules_held_out": unit_scores(u_out, held_out, [1.0] * len(held_out), 0.5),
        })  # fmt: skip
    return out


def out_of_fold(
    rows: Sequence[Row], group: Callable[[Row], str], names: list[str], c: float
) -> list[float]:
    """Each row's probability from the model fitted without its group."""
    probs = [0.0] * len(rows)
    for g in dict.fromkeys(group(r) for r in rows):
        idx = [i for i, r in enumerate(rows) if group(r) == g]
        m = Fitted([r for r in rows if group(r) != g], names, c)
        for i, p in zip(idx, m.probabilities([rows[i] for i in idx]), strict=True):
            probs[i] = p
    return probs


def f1(s: dict[str, Any]) -> float:
    """F1 of unit scores (0 when undefined)."""
    p, r = s["precision"] or 0.0, s["recall"] or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def decision_floors() -> dict[str, float]:
    """The [decision] floors of quality_floors.toml on the ECB+ held-out figures."""
    floors = tomllib.loads(FLOORS.read_text())["decision"]
    return {
        "precision": floors["ecb_held_out_precision"],
        "recall": floors["ecb_held_out_true_kept"],
    }


def news_floors() -> dict[str, float]:
    """The SummEdits news dev floors of quality_floors.toml (they only move up)."""
    floors = tomllib.loads(FLOORS.read_text())["contradictions"]
    return {
        "precision": floors["summedits_precision"],
        "recall": floors["summedits_recall"],
        "balanced_accuracy": floors["summedits_balanced_accuracy"],
    }


def choose_threshold(
    sources: Sequence[tuple[dict[str, Unit], Sequence[Row], Sequence[float]]],
    keeps_floors: Callable[[float], bool] = lambda t: True,
) -> tuple[float, float]:
    """The threshold of best mean held-out F1 over the sources, where each keeps precision.

    The sources are the SummEdits pairs (a text against its summary) and the ECB+ stream
    (independent reports of one story); each counts the same, however many pairs it has. A
    threshold must keep each source's held-out precision at or above the rules' own, and the
    shipped figures at or above their floors (keeps_floors).
    """
    floors = [unit_scores(u, r, [1.0] * len(r), 0.5)["precision"] or 0.0 for u, r, _ in sources]
    best, best_f1 = 0.5, -1.0
    for t in [x / 100 for x in range(5, 100)]:
        s = [unit_scores(u, r, p, t) for u, r, p in sources]
        if any((x["precision"] or 0.0) < fl for x, fl in zip(s, floors, strict=True)):
            continue
        if not keeps_floors(t):
            continue
        score = mean(f1(x) for x in s)
        if score > best_f1:
            best, best_f1 = t, score
    return best, round(best_f1, 4)


def means(fs: Sequence[dict[str, Any]], side: str) -> dict[str, float | None]:
    """Mean of each metric over folds where it is defined."""
    out: dict[str, float | None] = {}
    for m in ("precision", "recall", "balanced_accuracy"):
        vals = [f[side][m] for f in fs if f[side][m] is not None]
        out[m] = round(mean(vals), 4) if vals else None
    return out


def _fold_group(r: Row | Unit) -> str:
    # a SummEdits domain, or one ECB+ topic: each fold holds out data no rule or fit has seen
    return r.subgroup if r.group == "ecb" else r.group


def run(evidence_folder: Path | None, ecb_db: Path) -> tuple[dict[str, Any], Fitted, float]:
    """Collect examples, choose C and the threshold on held-out folds, report, fit on all."""
    s_rows, s_units = summedits_rows(evidence_folder)
    e_rows, e_units = ecb_rows(ecb_db)
    rows, units = s_rows + e_rows, {**s_units, **e_units}
    names = sorted({n for r in rows for n in r.features})
    choice = {}
    for c in C_GRID:
        probs = out_of_fold(rows, _fold_group, names, c)
        sp = [p for r, p in zip(rows, probs, strict=True) if r.group != "ecb"]
        ep = [p for r, p in zip(rows, probs, strict=True) if r.group == "ecb"]
        # the model fitted on everything must keep the news dev figures at their floors
        whole = Fitted(rows, names, c)
        news = [r for r in s_rows if r.group == "news"]
        news_units = {k: u for k, u in s_units.items() if u.group == "news"}
        news_probs = whole.probabilities(news)
        floors = news_floors()
        ecb_floors = decision_floors()

        # the stream's held-out precision and true ones kept stay at their floors too
        def keeps(t: float, news: list[Row] = news, probs: list[float] = news_probs,
                  units: dict[str, Unit] = news_units, ep: list[float] = ep) -> bool:  # fmt: skip
            s = unit_scores(units, news, probs, t)
            e = unit_scores(e_units, e_rows, ep, t)
            return all((s[m] or 0.0) >= v for m, v in floors.items()) and all(
                (e[m] or 0.0) >= v for m, v in ecb_floors.items()
            )

        t, score = choose_threshold([(s_units, s_rows, sp), (e_units, e_rows, ep)], keeps)
        choice[c] = (score, t, sp, ep)
    c = max(C_GRID, key=lambda k: choice[k][0])
    score, threshold, s_probs, e_probs = choice[c]
    domain_folds = [f for f in folds(rows, units, _fold_group, names, c, threshold)
                    if not f["held_out"].startswith("ecb")]  # fmt: skip
    news_rows = [r for r in rows if r.group == "news"]
    news_units = {k: u for k, u in units.items() if u.group == "news"}
    doc_folds = []
    for g in dict.fromkeys(u.subgroup for u in news_units.values()):
        held_in = [r for r in rows if r.subgroup != g]
        m = Fitted(held_in, names, c)
        out_rows = [r for r in news_rows if r.subgroup == g]
        u_out = {k: u for k, u in news_units.items() if u.subgroup == g}
        doc_folds.append({
            "held_out": g,
            "held_in": unit_scores({k: u for k, u in units.items() if u.subgroup != g}, held_in,
                                   m.probabilities(held_in), threshold),
            "held_out_figures": unit_scores(u_out, out_rows, m.probabilities(out_rows), threshold),
            "rules_held_out": unit_scores(u_out, out_rows, [1.0] * len(out_rows), 0.5),
        })  # fmt: skip
    final = Fitted(rows, names, c)
    report = {
        "rows": len(rows),
        "units": len(units),
        "summedits_rows": len(s_rows),
        "ecb_rows": len(e_rows),
        "C": c,
        "threshold": threshold,
        "mean_held_out_f1": score,
        "summedits_pooled_held_out": unit_scores(s_units, s_rows, s_probs, threshold),
        "summedits_pooled_rules": unit_scores(s_units, s_rows, [1.0] * len(s_rows), 0.5),
        "leave_one_domain_out": {
            "folds": domain_folds,
            "summedits_mean_held_in": means(domain_folds, "held_in"),
            "summedits_mean_held_out": means(domain_folds, "held_out_figures"),
            "summedits_mean_rules": means(domain_folds, "rules_held_out"),
        },
        "leave_one_news_document_out": {
            "folds": doc_folds,
            "mean_held_in": means(doc_folds, "held_in"),
            "mean_held_out": means(doc_folds, "held_out_figures"),
            "mean_rules": means(doc_folds, "rules_held_out"),
        },
        "ecb_leave_one_topic_out": unit_scores(e_units, e_rows, e_probs, threshold),
        "ecb_rules": unit_scores(e_units, e_rows, [1.0] * len(e_rows), 0.5),
    }
    return report, final, threshold


def _fmt(s: dict[str, Any]) -> str:
    def f(v: object) -> str:
        return f"{v:.3f}" if isinstance(v, float) else "  -  "

    return " ".join(f"{f(s[m]):>5}" for m in ("precision", "recall", "balanced_accuracy"))


def format_report(r: dict[str, Any]) -> str:
    """Held-out figures first, held-in and the rules alone beside them."""
    lo = r["leave_one_domain_out"]
    nd = r["leave_one_news_document_out"]
    lines = [
        f"{r['rows']} rule-found conflicts ({r['summedits_rows']} SummEdits, {r['ecb_rows']} ECB+) "
        f"in {r['units']} labelled pairs; C={r['C']}, threshold {r['threshold']:.2f} "
        f"(best mean held-out F1 of SummEdits and ECB+, {r['mean_held_out_f1']:.3f})",
        f"SummEdits pooled held-out: {_fmt(r['summedits_pooled_held_out'])}; "
        f"rules: {_fmt(r['summedits_pooled_rules'])}",
        "",
        "leave one domain out          held-out: P     R     BA  | held-in: P     R     BA  | rules: P     R     BA",
    ]
    for f in lo["folds"]:
        lines.append(
            f"  {f['held_out']:<28} {_fmt(f['held_out_figures'])}  | {_fmt(f['held_in'])}  | "
            f"{_fmt(f['rules_held_out'])}"
        )
    lines.append(
        f"  {'mean of SummEdits domains':<28} {_fmt(lo['summedits_mean_held_out'])}  | "
        f"{_fmt(lo['summedits_mean_held_in'])}  | {_fmt(lo['summedits_mean_rules'])}"
    )
    lines += [
        "",
        f"leave one news document out (mean of {len(nd['folds'])}): held-out {_fmt(nd['mean_held_out'])} | "
        f"held-in {_fmt(nd['mean_held_in'])} | rules {_fmt(nd['mean_rules'])}",
        f"ECB+ judged, leave one topic out: {_fmt(r['ecb_leave_one_topic_out'])} "
        f"(tp {r['ecb_leave_one_topic_out']['tp']}, fp {r['ecb_leave_one_topic_out']['fp']}); "
        f"rules: {_fmt(r['ecb_rules'])} (tp {r['ecb_rules']['tp']}, fp {r['ecb_rules']['fp']})",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: python -m training.decision [--json] [--write]."""
    ap = argparse.ArgumentParser(prog="python -m training.decision")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write", action="store_true", help=f"write {MODEL_PATH}")
    ap.add_argument("--ecb-db", type=Path, default=ECB_DB)
    ap.add_argument("--evidence", type=Path, default=None)
    args = ap.parse_args(argv)
    if not NEWS.exists() or not ECB_DIR.is_dir():
        print(f"training data not found ({NEWS}, {ECB_DIR})", file=sys.stderr)
        return 2
    report, final, threshold = run(args.evidence, args.ecb_db)
    print(json.dumps(report) if args.json else format_report(report))
    if args.write:
        MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
        MODEL_PATH.write_text(json.dumps(final.to_json(threshold, report), indent=1) + "\n")
        print(f"wrote {MODEL_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
