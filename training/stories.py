"""Fit the learned story decision on ECB+ by leaving topics out, and write it as package data.

Examples: every ECB+ document is assigned in file order (one undated topic, as
`claimwatch eval stories` does) while following the gold sub-topics, so that the index sees
the stories a perfect assignment would build. Each candidate story the index returns for a
document is one example: its evidence (detection.stories, `_BatchIndex.candidates`: the
channel cosines, what of the article's names, places and figures the story lacks, and the
years, weekdays, dates and full names both state) and whether it is the document's gold
sub-topic.

Held out: topics split in two halves (even and odd folder numbers). A model fitted on one
half picks C and its threshold by the B-cubed F1 of a real (not gold-following) assignment
on that half, and is scored on the other. The shipped model is fitted on every topic, with
the mean of the two chosen thresholds.

Usage: python -m training.stories [--json] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from detection.decision import Model
from detection.stories import DEFAULT, STORY_MODEL
from evaluation.stories import EcbDocument, cluster, extract_corpus, read_corpus, score
from extractors.claims import Extraction
from records import Article, stable_id

ECB_DIR = Path(__file__).resolve().parents[2] / "shared/data/events/ECBplus/ECB+_LREC2014/ECB+"
C_GRID = (0.1, 1.0)
THRESHOLDS = (0.04, 0.07, 0.1, 0.14, 0.2)
HAND = replace(DEFAULT, model=None)

Row = tuple[str, dict[str, float], bool]  # ECB+ topic, evidence, is the gold sub-topic


def gold_rows(docs: Sequence[EcbDocument], extractions: Sequence[Extraction]) -> list[Row]:
    """(topic, evidence, is-gold) for every candidate story of every document, following gold."""
    sub_of_story: dict[str, str] = {}
    sub_of_article = {d.article.article_id: d.subtopic for d in docs}
    topic_of_article = {d.article.article_id: d.topic for d in docs}
    rows: list[Row] = []

    def follow(article: Article, found: list[tuple[str, dict[str, float]]]) -> str | None:
        gold = sub_of_article[article.article_id]
        picked = None
        for sid, f in found:
            hit = sub_of_story.get(sid) == gold
            rows.append((topic_of_article[article.article_id], f, hit))
            if hit and picked is None:
                picked = sid
        if picked is None:
            # the article opens a story: its id is derived from the article (stories.py)
            sub_of_story[stable_id("story", article.topic, article.article_id)] = gold
        return picked

    cluster(docs, extractions, HAND, choose=follow, one_batch=True)
    return rows


def fit(rows: Sequence[Row], c: float) -> Model:
    """A standardised logistic regression over the rows' evidence."""
    from sklearn.linear_model import LogisticRegression

    names = sorted({k for _, f, _ in rows for k in f})
    x = np.array([[f.get(n, 0.0) for n in names] for _, f, _ in rows])
    y = np.array([label for _, _, label in rows])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000).fit((x - means) / scales, y)
    return Model(
        weights={n: round(float(w), 6) for n, w in zip(names, lr.coef_[0], strict=True)},
        intercept=round(float(lr.intercept_[0]), 6), threshold=0.5,
        means={n: round(float(m), 6) for n, m in zip(names, means, strict=True)},
        scales={n: round(float(s), 6) for n, s in zip(names, scales, strict=True)},
    )  # fmt: skip


def _half(docs: Sequence[EcbDocument], stories: Sequence[str], parity: int) -> dict[str, Any]:
    idx = [i for i, d in enumerate(docs) if int(d.topic) % 2 == parity]
    return score([docs[i] for i in idx], [stories[i] for i in idx])["subtopic"]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Fit, cross-validate and (with --write) ship the story model."""
    ap = argparse.ArgumentParser(prog="python -m training.stories")
    ap.add_argument("--ecb", type=Path, default=ECB_DIR)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    docs = read_corpus(args.ecb)
    extractions = extract_corpus(docs, progress=True)
    rows = gold_rows(docs, extractions)
    print(f"{len(rows)} candidate examples, {sum(r[2] for r in rows)} gold", file=sys.stderr)
    hand = cluster(docs, extractions, HAND, one_batch=True)
    result: dict[str, Any] = {
        "examples": len(rows),
        "hand": {"even": _half(docs, hand, 0), "odd": _half(docs, hand, 1)},
        "folds": {},
    }
    chosen: list[tuple[float, float]] = []
    for train, test in ((0, 1), (1, 0)):
        part = [r for r in rows if int(r[0]) % 2 == train]
        best: tuple[float, float, float, dict[str, Any]] | None = None
        for c in C_GRID:
            model = fit(part, c)
            for th in THRESHOLDS:
                settings = replace(HAND, model=replace(model, threshold=th))
                stories = cluster(docs, extractions, settings, one_batch=True)
                held_in, held_out = _half(docs, stories, train), _half(docs, stories, test)
                print(c, th, train, held_in, held_out, file=sys.stderr, flush=True)
                if best is None or held_in["b3_f1"] > best[2]:
                    best = (c, th, held_in["b3_f1"], {"held_in": held_in, "held_out": held_out})
        assert best is not None
        chosen.append((best[0], best[1]))
        name = f"fit_{'even' if train == 0 else 'odd'}_report_{'odd' if test else 'even'}"
        result["folds"][name] = {"C": best[0], "threshold": best[1], **best[3]}
    c = min(x[0] for x in chosen)
    th = round(sum(x[1] for x in chosen) / len(chosen), 3)
    model = replace(fit(rows, c), threshold=th)
    stories = cluster(docs, extractions, replace(HAND, model=model), one_batch=True)
    result["shipped"] = {"C": c, "threshold": th, "in_sample": score(docs, stories)}
    if args.write:
        payload = {
            "weights": model.weights, "intercept": model.intercept, "threshold": model.threshold,
            "means": model.means, "scales": model.scales, "C": c,
            "held_out": result["folds"], "trained_on": "ECB+, 43 topics, gold sub-topics",
        }  # fmt: skip
        STORY_MODEL.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    print(json.dumps(result, indent=None if args.json else 1))
    return result


if __name__ == "__main__":
    main()
