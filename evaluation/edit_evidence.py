"""Whole-pair edit evidence on SummEdits, by grouped cross-validation (an approach measured, not shipped).

The typed rules find a contradiction only where a keyed claim of the new text meets one of
the stored text; outside news that is about one target pair in seven. This measures how far
evidence about the whole pair carries instead: the new text's content words, names and
figures the stored text never uses, negations and antonyms against the stored sentence each
new sentence aligns with, and how well the sentences align. A logistic regression and a
gradient-boosted model are fitted on the held-in groups, their threshold chosen there (the
best balanced accuracy at precision >= 0.85), and scored on the held-out group: each of the
8 SummEdits domains left out, and each news document left out.

Usage: python -m evaluation.edit_evidence [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from evaluation.contradictions import CONTRADICTION_TYPES, Pair, read_pairs
from extractors.antonyms import antonym_table

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "contradiction"
MIN_PRECISION = 0.85
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d[\d,.]*\d|\d")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor without n't cannot unable".split()
)
# function words and the words every summary of a meeting or a call uses
_STOP = frozenset(
    """a an the and or but of to in on at for with by from as is are was were be been being it
    its this that these those he she they them his her their we our you your i me my has have
    had do does did will would can could should may might must shall than then there here which
    who whom whose what when where why how all any some such into about over after before during
    between through under again once only own same so too very just also document discusses
    discuss discussed speaker speakers summary mentions mention text conversation""".split()
)
FEATURES = (
    "novel words", "novel share", "novel names", "novel figures", "most novel in a sentence",
    "negations", "negations unaligned", "negations dropped", "antonym of a stored word",
    "antonym both", "antonym of the aligned sentence", "mean alignment", "least alignment",
    "sentences", "log words", "log stored words",
)  # fmt: skip


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _words(text: str) -> list[str]:
    return _WORD.findall(text.replace("n't", " n't"))


def features(stored: str, new: str) -> list[float]:
    """The whole-pair evidence of one stored text and one new text, in FEATURES order."""
    ant = antonym_table()
    stored_words = _words(stored)
    lower = {w.lower() for w in stored_words}
    stems = {_stem(w) for w in stored_words}
    sentences = [s for s in _SENTENCE.split(stored) if s.strip()] or [stored]
    sentence_stems = [{_stem(w) for w in _words(s) if w.lower() not in _STOP} for s in sentences]
    sentence_negations = [sum(w.lower() in _NEGATIONS for w in _words(s)) for s in sentences]
    f: Counter[str] = Counter()
    alignments: list[float] = []
    for sentence in (s for s in _SENTENCE.split(new) if s.strip()):
        words = _words(sentence)
        content = [w for w in words if w.lower() not in _STOP and w.lower() not in _NEGATIONS]
        cs = {_stem(w) for w in content}
        best, at = 0.0, 0
        for i, ss in enumerate(sentence_stems):
            share = len(cs & ss) / (len(cs) or 1)
            if share > best:
                best, at = share, i
        alignments.append(best)
        novel = [w for w in content if _stem(w) not in stems]
        f["novel"] += len(novel)
        f["content"] += len(content)
        f["names"] += sum(
            1 for j, w in enumerate(words)
            if j > 0 and w[0].isupper() and w.lower() not in _STOP and _stem(w) not in stems
        )  # fmt: skip
        f["figures"] += sum(1 for w in content if w[0].isdigit() and w not in lower)
        f["most"] = max(f["most"], len(novel))
        negations = sum(w.lower() in _NEGATIONS for w in words)
        f["neg"] += negations
        f["neg_extra"] += max(0, negations - sentence_negations[at])
        f["neg_dropped"] += max(0, sentence_negations[at] - negations)
        for w in content:
            opposites = ant.get(w.lower(), frozenset())
            if opposites and opposites & lower:
                f["ant_both" if w.lower() in lower else "ant_novel"] += 1
            if any(_stem(o) in sentence_stems[at] for o in opposites) and (
                _stem(w) not in sentence_stems[at]
            ):
                f["ant_aligned"] += 1
    n = max(1, len(alignments))
    return [
        f["novel"], f["novel"] / max(1, f["content"]), f["names"], f["figures"], f["most"],
        f["neg"], f["neg_extra"], f["neg_dropped"], f["ant_novel"], f["ant_both"],
        f["ant_aligned"], sum(alignments) / n, min(alignments, default=0.0), len(alignments),
        math.log1p(f["content"]), math.log1p(len(stored_words)),
    ]  # fmt: skip


def target_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """The target subset: antonym, negation and entity edits against every consistent pair."""
    return [
        p for p in pairs
        if not p.inconsistent or (p.edit_types and set(p.edit_types) <= set(CONTRADICTION_TYPES))
    ]  # fmt: skip


def _figures(gold: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    tp = int((gold & predicted).sum())
    fp = int((~gold & predicted).sum())
    fn = int((gold & ~predicted).sum())
    tn = int((~gold & ~predicted).sum())
    recall = tp / (tp + fn) if tp + fn else 0.0
    specificity = tn / (tn + fp) if tn + fp else 0.0
    return {
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": recall,
        "balanced_accuracy": (recall + specificity) / 2,
    }


MODELS: dict[str, Callable[[], Any]] = {
    "logistic regression": lambda: LogisticRegression(
        C=1.0, max_iter=2000, class_weight="balanced"
    ),
    "gradient boosting": lambda: HistGradientBoostingClassifier(
        max_depth=3, max_iter=200, learning_rate=0.05, random_state=0
    ),
}


def folds(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, make: Callable[[], Any]
) -> list[dict[str, Any]]:
    """Fit on all groups but one, choose the threshold there, score held in and held out."""
    out = []
    for g in sorted(set(groups.tolist())):
        held_in, held_out = groups != g, groups == g
        mean, std = x[held_in].mean(0), x[held_in].std(0) + 1e-9
        model = make().fit((x[held_in] - mean) / std, y[held_in])
        p_in = model.predict_proba((x[held_in] - mean) / std)[:, 1]
        best, threshold = -1.0, 0.5
        for t in np.linspace(0.05, 0.95, 91):
            s = _figures(y[held_in], p_in >= t)
            if s["precision"] >= MIN_PRECISION and s["balanced_accuracy"] > best:
                best, threshold = s["balanced_accuracy"], float(t)
        p_out = model.predict_proba((x[held_out] - mean) / std)[:, 1]
        out.append({
            "group": g, "threshold": round(threshold, 2),
            "held_in": _figures(y[held_in], p_in >= threshold),
            "held_out": _figures(y[held_out], p_out >= threshold),
        })  # fmt: skip
    return out


def _mean(rows: list[dict[str, Any]], side: str) -> dict[str, float]:
    return {
        k: round(float(np.nanmean([r[side][k] for r in rows])), 3)
        for k in ("precision", "recall", "balanced_accuracy")
    }


def cross_validate(
    x: np.ndarray, pairs: Sequence[Pair], models: dict[str, Callable[[], Any]]
) -> dict[str, Any]:
    """Each model over evidence x: every SummEdits domain left out, and every news document."""
    y = np.array([p.inconsistent for p in pairs])
    domains = np.array([p.domain for p in pairs])
    news = domains == "news"
    documents = {
        d: str(i)
        for i, d in enumerate(dict.fromkeys(p.stored for p in pairs if p.domain == "news"))
    }
    news_groups = np.array([documents[p.stored] for p in pairs if p.domain == "news"])
    out: dict[str, Any] = {}
    for name, make in models.items():
        by_domain = folds(x, y, domains, make)
        by_document = folds(x[news], y[news], news_groups, make)
        out[name] = {
            "domains": {"held_in": _mean(by_domain, "held_in"), "held_out": _mean(by_domain, "held_out"), "folds": by_domain},
            "news_documents": {"held_in": _mean(by_document, "held_in"), "held_out": _mean(by_document, "held_out"), "folds": by_document},
        }  # fmt: skip
    return out


def run(root: Path = SHARED) -> dict[str, Any]:
    """Leave-one-domain-out over SummEdits and leave-one-document-out within news."""
    pairs = target_pairs(
        read_pairs(root / "summedits_domains") + read_pairs(root / "summedits_news"
        / "summedits_news_evaluation.json")
    )  # fmt: skip
    x = np.array([features(p.stored, p.new) for p in pairs])
    return {"pairs": len(pairs), "models": cross_validate(x, pairs, MODELS)}


def format_report(result: dict[str, Any]) -> str:
    """Held-out and held-in means side by side (precision / recall / balanced accuracy)."""

    def prb(s: dict[str, float]) -> str:
        return f"{s['precision']:.3f} / {s['recall']:.3f} / {s['balanced_accuracy']:.3f}"

    lines = [
        f"{result['pairs']} SummEdits target pairs; P / R / BA, threshold for P >= {MIN_PRECISION} held in"
    ]
    lines.append(f"{'model':<22} {'groups left out':<26} {'held out (mean)':<24} held in (mean)")
    for name, m in result["models"].items():
        for part, label in (
            ("domains", "each of 8 domains"),
            ("news_documents", "each news document"),
        ):
            lines.append(
                f"{name:<22} {label:<26} {prb(m[part]['held_out']):<24} {prb(m[part]['held_in'])}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the grouped cross-validation of whole-pair edit evidence."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.edit_evidence")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=SHARED, help="../shared/data/contradiction")
    args = parser.parse_args(argv)
    result = run(args.data)
    print(json.dumps(result, indent=1) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
