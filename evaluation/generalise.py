"""Grouped cross-validation of the contradiction decision: held-in figures beside held-out ones.

Folds: leave one SummEdits domain out (news and the seven other domains), and within news
leave one document out. A decision is fitted on the held-in pairs and scored on the held-out
ones; a change that raises the held-in figure while lowering the held-out mean does not ship.

Each pair goes through the product path once (extract, store, assign stories, look up the
candidate claims under each new claim's comparison key); what the decision sees, the
candidate claim pairs, is cached under var/cache/pair_evidence/ so folds and settings re-run
in seconds. The rules' decision over that evidence is checked against the product path's own
result at the shipped thresholds on every pair.

Today's decision has no trainable parameters but detection/compare.py's thresholds; the
threshold search fits by choosing, on the held-in target pairs, the grid setting of highest
balanced accuracy at precision >= 0.85 (else of highest balanced accuracy). A learned model
plugs in as another Fit: a function from held-in examples to a Decision.

Usage: python -m evaluation.generalise [--json] [--grid shipped|small|full] [--progress]
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import pickle
import random
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any, Protocol

import duckdb

import detection.compare as compare_module
from detection.pairing import Candidates, candidates, decide
from evaluation.contradictions import (
    CACHE_DIR,
    CONTRADICTION_TYPES,
    Pair,
    PairChecker,
    read_pairs,
    scores,
)
from records import Claim

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "contradiction"
NEWS = SHARED / "summedits_news" / "summedits_news_evaluation.json"
DOMAINS = SHARED / "summedits_domains"
_REPO = Path(__file__).resolve().parents[1]
# the code the candidate claim pairs depend on (extraction, storage, stories, keys, lookups);
# the decision's own files are left out, so a change to a rule re-runs in seconds
_EVIDENCE_SOURCES = ("extractors", "records", "detection", "warehouse", "claimwatch/batches.py")
_DECISION_SOURCES = (
    "detection/compare.py",
    "detection/decision.py",
    "detection/explanations.py",
    "detection/alerts.py",
)
MIN_PRECISION = 0.85

Setting = tuple[tuple[str, float], ...]  # (name in detection/compare.py, value), sorted
SHIPPED: Setting = tuple(
    sorted(
        (name, float(getattr(compare_module, name)))
        for name in ("STATEMENT_MIN_OVERLAP", "STATEMENT_MIN_SHARED", "NUMERIC_TOLERANCE")
    )
)
GRIDS: dict[str, dict[str, tuple[float, ...]]] = {
    "shipped": {},
    "small": {"STATEMENT_MIN_OVERLAP": (0.5, 0.6, 0.7), "STATEMENT_MIN_SHARED": (3, 4, 5)},
    "full": {
        "STATEMENT_MIN_OVERLAP": (0.4, 0.5, 0.6, 0.7, 0.8),
        "STATEMENT_MIN_SHARED": (2, 3, 4, 5, 6),
        "NUMERIC_TOLERANCE": (0.0, 0.05, 0.1, 0.2),
    },
}


@dataclass
class Evidence:
    """What the decision sees for one pair: each new claim's candidates, as the product found them."""

    pair_ids: tuple[str, str]  # stored article, new article
    candidates: Candidates
    # what the product path found at the shipped thresholds, with the rules of collection time
    product_kinds: list[str]


@dataclass
class Example:
    """One labelled pair with its evidence and its group (domain, document)."""

    index: int
    pair: Pair
    evidence: Evidence
    document: int  # order of the stored document's first appearance

    @property
    def target(self) -> bool:
        """Whether the pair is in the target subset: a target-type edit, or consistent."""
        p = self.pair
        return not p.inconsistent or (
            bool(p.edit_types) and set(p.edit_types) <= set(CONTRADICTION_TYPES)
        )


def _capture(con: duckdb.DuckDBPyConnection, ids: list[str]) -> Evidence:
    """Read a pair's new claims and their candidates inside the pair's transaction."""
    cols = [f for f in Claim.__dataclass_fields__]
    names = ", ".join(f'"{c}"' for c in cols)
    rows = con.execute(
        f"SELECT {names} FROM claims WHERE article_id = ?",
        [ids[1]],
    ).fetchall()
    claims = [Claim(**dict(zip(cols, r, strict=True))) for r in rows]
    return Evidence((ids[0], ids[1]), candidates(con, claims), [])


def rules_decision(ev: Evidence) -> list[str]:
    """The kinds the product's decision (detection.pairing.decide) finds between the two texts."""
    pair = set(ev.pair_ids)
    claims = {c.claim_id: c for c, _ in ev.candidates.keyed}
    claims |= {c.claim_id: c for stored in ev.candidates.by_key.values() for c, _ in stored}
    found, _ = decide(ev.candidates)
    return [
        x.kind
        for x in found
        if {claims[x.claim_a].article_id, claims[x.claim_b].article_id} == pair
    ]


@contextlib.contextmanager
def thresholds(setting: Setting) -> Iterator[None]:
    """Set detection/compare.py's thresholds for the duration (restored afterwards)."""
    before = {name: getattr(compare_module, name) for name, _ in setting}
    try:
        for name, value in setting:
            kind = type(before[name])
            setattr(compare_module, name, kind(value))
        yield
    finally:
        for name, value in before.items():
            setattr(compare_module, name, value)


def grid(name: str) -> list[Setting]:
    """The settings of a named grid, the shipped setting first (it wins ties)."""
    axes = GRIDS[name]
    shipped = dict(SHIPPED)
    names = sorted(axes)
    out = [SHIPPED]
    for values in itertools.product(*(axes[n] for n in names)):
        s = tuple(sorted({**shipped, **dict(zip(names, map(float, values), strict=True))}.items()))
        if s not in out:
            out.append(s)
    return out


def evidence_dir(backend: str) -> Path:
    """var/cache/pair_evidence/<backend>-<hash of the sources the evidence depends on>/."""
    digest = hashlib.sha256()
    for src in _EVIDENCE_SOURCES:
        path = _REPO / src
        files = sorted([*path.rglob("*.py"), *path.rglob("*.sql")]) if path.is_dir() else [path]
        for f in files:
            if str(f.relative_to(_REPO)) in _DECISION_SOURCES:
                continue
            digest.update(str(f.relative_to(_REPO)).encode())
            digest.update(f.read_bytes())
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", backend)
    return CACHE_DIR / "pair_evidence" / f"{name}-{digest.hexdigest()[:12]}"


def collect(
    pairs: Sequence[Pair],
    checker: PairChecker | None = None,
    progress: bool = False,
    folder: Path | None = None,
) -> list[Evidence]:
    """Each pair's evidence, from the cache (default evidence_dir) or the product path (then cached)."""
    checker = checker or PairChecker(cache=True)
    folder = folder or evidence_dir(checker.backend)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Evidence] = []
    for i, p in enumerate(pairs):
        key = hashlib.sha256(f"{p.stored}\x00{p.new}".encode()).hexdigest()[:24]
        path = folder / f"{key}.pkl"
        ev: Evidence | None = None
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
            with path.open("rb") as fh:
                ev = pickle.load(fh)
        if not isinstance(ev, Evidence):
            kinds = checker.contradictions(p, inspect=_capture)
            captured = checker.last_inspected
            assert isinstance(captured, Evidence)
            captured.product_kinds = kinds
            ev = captured
            tmp = path.with_suffix(f".{random.getrandbits(32):08x}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(ev, fh)
            tmp.replace(path)
        out.append(ev)
        if progress and (i + 1) % 100 == 0:
            print(f"evidence {i + 1}/{len(pairs)}", file=sys.stderr, flush=True)
    return out


def examples(pairs: Sequence[Pair], evidence: Sequence[Evidence]) -> list[Example]:
    """Pairs joined with their evidence and numbered by stored document."""
    order: dict[str, int] = {}
    out = []
    for i, (p, ev) in enumerate(zip(pairs, evidence, strict=True)):
        out.append(Example(i, p, ev, order.setdefault(p.stored, len(order))))
    return out


class Decision(Protocol):
    """A fitted decision: predicts whether each example's pair is inconsistent."""

    def predict(self, examples: Sequence[Example]) -> list[bool]:
        """One prediction per example."""
        ...

    def describe(self) -> str:
        """What was fitted, in a few words."""
        ...


Fit = Callable[[Sequence[Example]], Decision]


@dataclass
class RulesAt:
    """The rules at one threshold setting (predictions memoised per example)."""

    setting: Setting
    memo: dict[tuple[Setting, int], bool] = field(default_factory=dict)

    def predict(self, examples: Sequence[Example]) -> list[bool]:
        """Whether the rules find a contradiction in each pair at this setting."""
        todo = [e for e in examples if (self.setting, e.index) not in self.memo]
        if todo:
            with thresholds(self.setting):
                for e in todo:
                    self.memo[(self.setting, e.index)] = bool(rules_decision(e.evidence))
        return [self.memo[(self.setting, e.index)] for e in examples]

    def describe(self) -> str:
        """The setting's values that differ from the shipped ones ('shipped' if none)."""
        shipped = dict(SHIPPED)
        diff = [f"{_short(n)}={v:g}" for n, v in self.setting if shipped[n] != v]
        return ",".join(diff) or "shipped"


def _short(name: str) -> str:
    return {"STATEMENT_MIN_OVERLAP": "overlap", "STATEMENT_MIN_SHARED": "shared",
            "NUMERIC_TOLERANCE": "tolerance"}.get(name, name)  # fmt: skip


def objective(s: dict[str, Any]) -> tuple[int, float]:
    """Balanced accuracy at precision >= MIN_PRECISION first, then balanced accuracy."""
    ok = s["precision"] is not None and s["precision"] >= MIN_PRECISION
    return (int(ok), s["balanced_accuracy"] or 0.0)


def threshold_search(settings: Sequence[Setting]) -> Fit:
    """Fit = choose the setting of best objective on the held-in target pairs."""
    memo: dict[tuple[Setting, int], bool] = {}

    def fit(held_in: Sequence[Example]) -> Decision:
        train = [e for e in held_in if e.target]
        gold = [e.pair.inconsistent for e in train]
        best: RulesAt | None = None
        best_score = (-1, -1.0)
        for s in settings:
            rules = RulesAt(s, memo)
            score = objective(scores(gold, rules.predict(train)))
            if score > best_score:  # strict: the earlier (shipped) setting wins ties
                best, best_score = rules, score
        assert best is not None
        return best

    return fit


def figures(examples: Sequence[Example], predicted: Sequence[bool]) -> dict[str, Any]:
    """Target-subset and all-types scores of predictions."""
    gold = [e.pair.inconsistent for e in examples]
    tgt = [i for i, e in enumerate(examples) if e.target]
    return {
        "target": scores([gold[i] for i in tgt], [predicted[i] for i in tgt]),
        "all": scores(gold, predicted),
    }


def run_folds(
    examples: Sequence[Example], group: Callable[[Example], str], fit: Fit
) -> list[dict[str, Any]]:
    """Leave each group out in turn: fit on the rest, score held-in and held-out."""
    groups = list(dict.fromkeys(group(e) for e in examples))
    folds = []
    for g in groups:
        held_in = [e for e in examples if group(e) != g]
        held_out = [e for e in examples if group(e) == g]
        decision = fit(held_in)
        folds.append({
            "held_out": g,
            "chosen": decision.describe(),
            "held_in": figures(held_in, decision.predict(held_in)),
            "held_out_figures": figures(held_out, decision.predict(held_out)),
        })  # fmt: skip
    return folds


_METRICS = ("precision", "recall", "balanced_accuracy")


def fold_means(folds: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean of each metric over folds (a fold where a metric is undefined is left out)."""
    out: dict[str, Any] = {}
    for side in ("held_in", "held_out_figures"):
        for subset in ("target", "all"):
            for m in _METRICS:
                vals = [f[side][subset][m] for f in folds if f[side][subset][m] is not None]
                out.setdefault(side, {}).setdefault(subset, {})[m] = (
                    round(mean(vals), 4) if vals else None
                )
    return out


def per_group(
    examples: Sequence[Example], group: Callable[[Example], str], decision: Decision
) -> dict[str, Any]:
    """Each group's figures under one fixed decision (no fitting)."""
    out = {}
    for g in dict.fromkeys(group(e) for e in examples):
        members = [e for e in examples if group(e) == g]
        out[g] = figures(members, decision.predict(members))
    return out


def run(grid_name: str = "small", progress: bool = False) -> dict[str, Any]:
    """Collect evidence for SummEdits news and the other domains, then run both fold schemes."""
    pairs = read_pairs(NEWS) + read_pairs(DOMAINS)
    checker = PairChecker(cache=True)
    checker.preload(pairs, progress=progress)
    evidence = collect(pairs, checker, progress=progress)
    exs = examples(pairs, evidence)
    shipped = RulesAt(SHIPPED)
    mismatch = sum(
        1 for e, p in zip(exs, shipped.predict(exs), strict=True)
        if p != bool(e.evidence.product_kinds)
    )  # fmt: skip
    settings = grid(grid_name)
    fit = threshold_search(settings)
    news = [e for e in exs if e.pair.domain == "news"]
    by_domain = per_group(exs, lambda e: e.pair.domain, shipped)
    domain_folds = run_folds(exs, lambda e: e.pair.domain, fit)
    doc_folds = run_folds(news, lambda e: f"news document {e.document}", fit)
    shipped_means = {
        subset: {
            m: round(mean(v[subset][m] for v in by_domain.values() if v[subset][m] is not None), 4)
            for m in _METRICS
        }
        for subset in ("target", "all")
    }
    return {
        "nlp_backend": checker.backend,
        "evidence_cache": str(evidence_dir(checker.backend)),
        "pairs": len(exs),
        "product_path_mismatches": mismatch,
        "grid": grid_name,
        "settings": len(settings),
        "shipped": {n: v for n, v in SHIPPED},
        "shipped_by_domain": by_domain,
        "shipped_domain_mean": shipped_means,
        "leave_one_domain_out": {"folds": domain_folds, "mean": fold_means(domain_folds)},
        "leave_one_news_document_out": {"folds": doc_folds, "mean": fold_means(doc_folds)},
    }


def _f(v: object) -> str:
    return f"{v:.3f}" if isinstance(v, float) else "  -  "


def _prb(s: dict[str, Any]) -> str:
    return " ".join(f"{_f(s[m]):>5}" for m in _METRICS)


def format_report(result: dict[str, Any]) -> str:
    """Plain-text tables: shipped figures per domain, then each fold scheme held-in | held-out."""
    lines = [
        f"{result['pairs']} SummEdits pairs (NLP backend {result['nlp_backend']}); "
        f"rules over cached evidence disagree with the product path on "
        f"{result['product_path_mismatches']} pairs; grid {result['grid']} "
        f"({result['settings']} settings), shipped {result['shipped']}",
        f"evidence cached in {result['evidence_cache']}",
        "",
        "shipped thresholds, per domain   target: P     R     BA  |  all types: P     R     BA     n",
    ]
    for d, s in result["shipped_by_domain"].items():
        lines.append(f"  {d:<28} {_prb(s['target'])}  |  {_prb(s['all'])}  {s['all']['n']:>5}")
    m = result["shipped_domain_mean"]
    lines.append(f"  {'mean over domains':<28} {_prb(m['target'])}  |  {_prb(m['all'])}")
    for name in ("leave_one_domain_out", "leave_one_news_document_out"):
        block = result[name]
        lines += ["", f"{name.replace('_', ' ')} (target subset; held-out all types last)",
                  f"  {'held out':<22} {'chosen':<28} held-in: P     R     BA  | "
                  "held-out: P     R     BA  | all: P     R     BA"]  # fmt: skip
        for f in block["folds"]:
            lines.append(
                f"  {f['held_out']:<22} {f['chosen']:<28} {_prb(f['held_in']['target'])}  | "
                f"{_prb(f['held_out_figures']['target'])}  | {_prb(f['held_out_figures']['all'])}"
            )
        mm = block["mean"]
        lines.append(
            f"  {'mean':<22} {'':<28} {_prb(mm['held_in']['target'])}  | "
            f"{_prb(mm['held_out_figures']['target'])}  | {_prb(mm['held_out_figures']['all'])}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """Command line: python -m evaluation.generalise [--json] [--grid NAME] [--progress]."""
    grid_name = "small"
    if "--grid" in argv:
        i = list(argv).index("--grid")
        grid_name = argv[i + 1] if i + 1 < len(argv) else ""
        if grid_name not in GRIDS:
            print(f"--grid must be one of {', '.join(GRIDS)}", file=sys.stderr)
            return 2
    if not NEWS.exists() or not DOMAINS.is_dir():
        print(f"SummEdits data not found under {SHARED}", file=sys.stderr)
        return 2
    result = run(grid_name, progress="--progress" in argv)
    print(json.dumps(result) if "--json" in argv else format_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
