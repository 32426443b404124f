"""The learned decision: the typed comparison's evidence, weighed into a calibrated probability.

detection/compare.py finds why two claims could not both hold (a numeric gap, opposite words
in one place, ...). Whether that makes a real disagreement between two reports depends on more
than the rule: how nearly the two sentences say the same thing, whether a figure is hedged,
whether the fact is an event's or a stable one. A logistic regression over those features,
fitted by `python -m training.decision` and shipped as detection/models/decision.json, turns
the evidence into a probability; below the threshold chosen on held-out folds, the pair is kept
as a recorded 'doubtful' link instead of a contradiction.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from detection.compare import content_lemmas, is_title_case
from records import Claim, ClaimLink, Contradiction, stable_id

MODEL_PATH = Path(__file__).parent / "models" / "decision.json"
KINDS = ("numeric", "direction", "antonym", "negation", "exclusive")
VALUE_TYPES = ("quantity", "direction", "predicate", "entity", "statement")
# what a statement's explanation says moved it (detection/compare.py statement_difference)
REASONS = {
    "one event, one city": "city",
    "opposites in the same place": "swap",
    "are opposites": "opposites",
    "differ in the same place": "slot",
    "the other 'not": "negated",
}


# what a person reads for the features that weighed most
READABLE = {
    "sentence_share": "how much the two sentences share",
    "value_share": "how much the two claims share",
    "rule_score": "the rule's own strength",
    "stable_fact": "a stable fact, compared across stories",
    "gap": "how far apart the figures are",
    "hedged": "a hedged figure",
    "reported": "reported or denied speech",
    "speakers": "named speakers",
    "same_outlet": "one outlet on both sides",
    "headline": "a headline",
    "named_subject": "a named subject",
    "age": "a person's age",
    "names_apart": "names only one sentence gives",
    "names_share": "names both sentences give",
    "figures_apart": "figures only one sentence gives",
    "figures_share": "figures both sentences give",
    "articles_share_keys": "how much the two articles cover the same ground",
    "noun_key": "a claim keyed by a bare noun",
    "verb_key": "a claim keyed by its verb",
}


def readable(name: str) -> str:
    """A feature's name as a person reads it ('kind=numeric' -> 'a numeric conflict')."""
    group, _, value = name.partition("=")
    if group == "kind":
        return f"a {value} conflict"
    if group == "type":
        return f"{value} claims"
    if group == "reason":
        return f"the rule's reason ({value})"
    return READABLE.get(name, name)


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's content lemmas found in the other."""
    x, y = content_lemmas(a), content_lemmas(b)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _gap(a: Claim, b: Claim) -> float:
    """Relative distance of two quantities' midpoints (0 when either has no figure)."""
    ma = a.number if a.number is not None else a.low
    mb = b.number if b.number is not None else b.low
    if ma is None or mb is None or not (math.isfinite(ma) and math.isfinite(mb)):
        return 0.0
    scale = max(abs(ma), abs(mb))
    return abs(ma - mb) / scale if scale else 0.0


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_FIGURE = re.compile(r"\d[\d,.]*")


def _shared(x: set[str], y: set[str]) -> tuple[float, float]:
    """How many of the items are in one side only, and the share of the smaller side in both."""
    if not x and not y:
        return 0.0, 1.0
    return float(len(x ^ y)), len(x & y) / max(min(len(x), len(y)), 1)


def features(a: Claim, b: Claim, x: Contradiction, shared: float = 0.0) -> dict[str, float]:
    """The evidence for one rule-found conflict, as named numbers.

    shared: the share of a's article's comparison keys that b's article has too
    (detection.pairing.ArticleOverlap).
    """
    f: dict[str, float] = {f"kind={k}": float(x.kind == k) for k in KINDS}
    f |= {f"type={t}": float(a.value_type == t) for t in VALUE_TYPES}
    reason = next((r for text, r in REASONS.items() if text in x.explanation), "other")
    f |= {f"reason={r}": float(reason == r) for r in (*REASONS.values(), "other")}
    f["rule_score"] = x.score
    f["stable_fact"] = float(x.story_id is None)
    f["sentence_share"] = _overlap(a.sentence or a.value_text, b.sentence or b.value_text)
    f["value_share"] = _overlap(a.value_text, b.value_text)
    f["gap"] = min(_gap(a, b), 1.0) if a.value_type == "quantity" else 0.0
    f["hedged"] = float(sum(c.hedge is not None and c.hedge != "antonym" for c in (a, b)))
    f["reported"] = float(sum(c.modality != "asserted" for c in (a, b)))
    f["speakers"] = float(sum(c.speaker is not None for c in (a, b)))
    f["same_outlet"] = float(bool(a.outlet) and a.outlet == b.outlet)
    f["headline"] = float(is_title_case(a.sentence) or is_title_case(b.sentence))
    f["named_subject"] = float(a.subject is not None)
    f["age"] = float(a.attribute == "age")
    f["articles_share_keys"] = shared
    # two reports of one story that name different people or places in their sentences are
    # often about different sub-events: 'different films', 'two earthquakes'
    sa, sb = a.sentence or a.value_text, b.sentence or b.value_text
    names_a, names_b = set(_NAME.findall(sa)), set(_NAME.findall(sb))
    f["names_apart"], f["names_share"] = _shared(names_a, names_b)
    f["names_apart"] = min(f["names_apart"], 6.0)
    figs_apart, f["figures_share"] = _shared(set(_FIGURE.findall(sa)), set(_FIGURE.findall(sb)))
    f["figures_apart"] = min(figs_apart, 6.0)
    # a statement keyed by a bare noun ('phrase season') or a verb ('statement know'), not a
    # typed attribute ('force size')
    f["noun_key"] = float(a.attribute.startswith("phrase "))
    f["verb_key"] = float(a.attribute.startswith("statement "))
    return f


@dataclass(frozen=True)
class Model:
    """A fitted logistic regression: weights by feature name, intercept and decision threshold."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    means: dict[str, float]
    scales: dict[str, float]

    def probability(self, f: dict[str, float]) -> float:
        """The probability that the evidence shows a real disagreement."""
        z = self.intercept + sum(
            w * (f.get(n, 0.0) - self.means.get(n, 0.0)) / (self.scales.get(n, 1.0) or 1.0)
            for n, w in self.weights.items()
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def strongest(self, f: dict[str, float], n: int = 2) -> list[str]:
        """The features that weighed most for this decision, strongest first."""
        parts = {
            name: w
            * (f.get(name, 0.0) - self.means.get(name, 0.0))
            / (self.scales.get(name, 1.0) or 1.0)
            for name, w in self.weights.items()
        }
        return [k for k, _ in sorted(parts.items(), key=lambda kv: -abs(kv[1]))[:n]]


@cache
def load_model(path: Path = MODEL_PATH) -> Model | None:
    """The shipped model, or None where none ships (the rules then decide alone)."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return Model(
        weights=raw["weights"], intercept=raw["intercept"], threshold=raw["threshold"],
        means=raw.get("means", {}), scales=raw.get("scales", {}),
    )  # fmt: skip


_STATE = {"enabled": True}


def gated(a: Claim, x: Contradiction) -> bool:
    """Whether the model weighs this conflict: a statement's, of a kind it was fitted on.

    A typed claim (a force size, an age, a direction) names its subject and attribute through
    the lexicon and is decided by its rule; a statement is keyed by a bare noun or verb, and
    whether two of them are about one thing is what the evidence must weigh.
    """
    return a.value_type == "statement" and x.kind in KINDS


@contextlib.contextmanager
def rules_only() -> Iterator[None]:
    """Decide by the rules alone for the duration (training and side-by-side evaluation)."""
    before = _STATE["enabled"]
    _STATE["enabled"] = False
    try:
        yield
    finally:
        _STATE["enabled"] = before


def weigh(
    a: Claim, b: Claim, x: Contradiction, shared: float = 0.0, model: Model | None = None
) -> Contradiction | ClaimLink:
    """The contradiction with the model's probability as its score, or a doubtful link."""
    model = model or load_model()
    if model is None or not _STATE["enabled"] or not gated(a, x):
        return x
    f = features(a, b, x, shared)
    p = model.probability(f)
    if p < model.threshold:
        first, second = sorted((a.claim_id, b.claim_id))
        why = f"{x.kind} conflict judged unlikely (p={p:.2f} < {model.threshold:.2f})"
        return ClaimLink(stable_id("link", first, second), first, second, "doubtful", why)
    weighed = "; ".join(readable(n) for n in model.strongest(f))
    return replace(
        x, score=round(p, 3), explanation=f"{x.explanation} (p={p:.2f}; weighed most: {weighed})"
    )
