"""A fine-tuned entailment cross-encoder on SummEdits, by grouped cross-validation (measured).

Each summary sentence is checked against the stored passages it aligns with best (single
sentences and pairs of neighbours, ranked by shared content stems): its entailment is the
highest probability any of them gives, and a summary is as entailed as its least entailed
sentence (SummaC's zero-shot reading). The scores are evidence beside the whole-pair edit
evidence (`evaluation.edit_evidence`), fitted and thresholded on the held-in groups and
scored on the held-out one: each of the 8 SummEdits domains left out, and each news document
left out. The cross-encoder comes from `python -m training.entailment` (no SummEdits pair is
trained on, so every domain is unseen by it).

With --halves, the cross-encoder is first fine-tuned further on SummEdits itself, half of the
domains at a time (ectsum, podcast, qmsumm, sales_call; then the other four), at the sentence:
an edited sentence of an inconsistent summary (one its original summary lacks) is not
entailed by the passages it aligns with, every sentence of a consistent summary is. Each
half's pairs are scored by the model fitted on the other half.

Usage: python -m evaluation.entailment MODEL_DIR [--halves] [--json] [--data ../shared/data/contradiction]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from evaluation.contradictions import Pair, read_pairs, summedits_domain
from evaluation.edit_evidence import (
    MODELS,
    SHARED,
    _stem,
    _words,
    cross_validate,
    features,
    target_pairs,
)

# a full stop before a lower-case word is an abbreviation's ("U.K. demonstrators")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^a-z])|\n+")
PASSAGES = 3  # stored passages each summary sentence is checked against
_STOP = frozenset("a an the and or of to in on at for with by is are was were be it".split())


def sentences(text: str) -> list[str]:
    """Split a text into sentences (punctuation, or a line break in a transcript)."""
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 2]


def passages(stored: str, sentence: str, k: int = PASSAGES) -> list[str]:
    """The k stored passages (a sentence or two neighbours) sharing most stems with a sentence."""
    doc = sentences(stored) or [stored]
    want = {_stem(w) for w in _words(sentence) if w.lower() not in _STOP}
    stems = [{_stem(w) for w in _words(s) if w.lower() not in _STOP} for s in doc]
    scored: list[tuple[float, int, str]] = []
    for i in range(len(doc)):
        for j in (i + 1, i + 2):
            if j > len(doc):
                continue
            have = set().union(*stems[i:j])
            # a second sentence must add something to be worth its length
            scored.append(
                (len(want & have) / (len(want) or 1) - 0.01 * (j - i), -i, " ".join(doc[i:j]))
            )
    scored.sort(reverse=True)
    return [p for _, _, p in scored[:k]]


class Scorer:
    """A cross-encoder (transformers tokenizer and model) that gives P(entailment) for text pairs."""

    def __init__(self, tok: Any, model: Any) -> None:
        self.tok, self.model = tok, model

    @classmethod
    def load(cls, model_dir: Path) -> Scorer:
        """The cross-encoder saved in a folder (by training.entailment)."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        return cls(AutoTokenizer.from_pretrained(model_dir), model)

    def entailment(self, premises: Sequence[str], hypotheses: Sequence[str]) -> list[float]:
        """P(the premise entails the hypothesis) for each pair."""
        from training.entailment import probabilities

        return probabilities(self.tok, self.model, list(premises), list(hypotheses))


def pair_scores(scorer: Scorer, pairs: Sequence[Pair]) -> list[list[float]]:
    """Per pair: the least and the mean entailment of its summary sentences."""
    jobs: list[tuple[int, int, str, str]] = []
    for n, p in enumerate(pairs):
        for m, s in enumerate(sentences(p.new) or [p.new]):
            jobs += [(n, m, passage, s) for passage in passages(p.stored, s)]
    probs = scorer.entailment([j[2] for j in jobs], [j[3] for j in jobs])
    best: dict[tuple[int, int], float] = {}
    for (n, m, _, _), prob in zip(jobs, probs, strict=True):
        best[(n, m)] = max(best.get((n, m), 0.0), prob)
    per_pair: dict[int, list[float]] = {}
    for (n, _), prob in best.items():
        per_pair.setdefault(n, []).append(prob)
    return [[min(per_pair[n]), float(np.mean(per_pair[n]))] for n in range(len(pairs))]


FIRST_HALF = frozenset({"ectsum", "podcast", "qmsumm", "sales_call"})


def sentence_examples(root: Path, domains: frozenset[str]) -> list[tuple[str, str, bool]]:
    """SummEdits sentences of these domains with the passages they align with, entailed or not."""
    files = sorted((root / "summedits_domains").glob("summedits_*.json"))
    files.append(root / "summedits_news" / "summedits_news_evaluation.json")
    out: list[tuple[str, str, bool]] = []
    for f in files:
        if summedits_domain(f) not in domains:
            continue
        for r in json.loads(f.read_text(encoding="utf-8")):
            original = set(sentences(r.get("original_summary") or ""))
            for s in sentences(r["summary"]):
                if int(r["label"]) == 0 and s in original:
                    continue  # an unedited sentence of an inconsistent summary: no label
                out.append((" ".join(passages(r["doc"], s, 2)), s, int(r["label"]) == 1))
    random.Random(0).shuffle(out)
    return out


def cached_scores(
    model_dir: Path, pairs: Sequence[Pair], root: Path, halves: bool = False
) -> list[list[float]]:
    """pair_scores, kept beside the model (keyed by the pairs) so reruns skip inference."""
    digest = hashlib.sha256("".join(p.stored + "\0" + p.new for p in pairs).encode())
    name = "halves-" if halves else ""
    path = model_dir / f"summedits-{name}scores-{digest.hexdigest()[:12]}.json"
    if path.exists():
        loaded: list[list[float]] = json.loads(path.read_text())
        return loaded
    if not halves:
        scores = pair_scores(Scorer.load(model_dir), pairs)
    else:
        from training.entailment import fine_tune

        scores = [[0.0, 0.0] for _ in pairs]
        domains = {p.domain for p in pairs}
        for half in (FIRST_HALF, frozenset(domains - FIRST_HALF)):
            tok, model = fine_tune(
                model_dir, sentence_examples(root, half), epochs=2, lr=3e-5, max_length=160
            )
            scorer = Scorer(tok, model)
            held_out = [i for i, p in enumerate(pairs) if p.domain not in half]
            for i, sc in zip(
                held_out, pair_scores(scorer, [pairs[i] for i in held_out]), strict=True
            ):
                scores[i] = sc
    path.write_text(json.dumps(scores))
    return scores


def run(model_dir: Path, root: Path = SHARED, halves: bool = False) -> dict[str, Any]:
    """Grouped cross-validation of the entailment scores alone and beside the edit evidence."""
    pairs = target_pairs(
        read_pairs(root / "summedits_domains")
        + read_pairs(root / "summedits_news" / "summedits_news_evaluation.json")
    )
    entail = np.array(cached_scores(model_dir, pairs, root, halves))
    edits = np.array([features(p.stored, p.new) for p in pairs])
    y = np.array([p.inconsistent for p in pairs])
    domains = np.array([p.domain for p in pairs])
    result: dict[str, Any] = {"pairs": len(pairs), "auc": {}, "models": {}}
    for d in sorted(set(domains.tolist())):
        m = domains == d
        result["auc"][d] = round(float(roc_auc_score(y[m], -entail[m, 0])), 3)
    evidence = {
        "entailment alone": entail,
        "entailment + edit evidence": np.hstack([entail, edits]),
    }
    for ev_name, x in evidence.items():
        for name, figures in cross_validate(x, pairs, MODELS).items():
            result["models"][f"{ev_name}, {name}"] = figures
    return result


def format_report(result: dict[str, Any]) -> str:
    """Held-out and held-in means side by side (precision / recall / balanced accuracy)."""

    def prb(s: dict[str, float]) -> str:
        return f"{s['precision']:.3f} / {s['recall']:.3f} / {s['balanced_accuracy']:.3f}"

    aucs = ", ".join(f"{d} {a:.3f}" for d, a in result["auc"].items())
    lines = [f"ROC AUC of the least entailed sentence, per domain: {aucs}"]
    lines.append(
        f"{result['pairs']} SummEdits target pairs; P / R / BA, threshold for P >= 0.85 held in"
    )
    lines.append(f"{'evidence, model':<48} {'left out':<10} {'held out (mean)':<24} held in (mean)")
    for name, m in result["models"].items():
        for part, label in (("domains", "domain"), ("news_documents", "news doc")):
            lines.append(
                f"{name:<48} {label:<10} {prb(m[part]['held_out']):<24} {prb(m[part]['held_in'])}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the grouped cross-validation of the cross-encoder's entailment scores."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.entailment")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--halves", action="store_true", help="fine-tune on SummEdits halves")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=SHARED, help="../shared/data/contradiction")
    args = parser.parse_args(argv)
    result = run(args.model_dir, args.data, args.halves)
    print(json.dumps(result, indent=1) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
