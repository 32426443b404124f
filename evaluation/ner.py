"""Named-entity evaluation on UNER-style IOB2 files (PER/ORG/LOC, exact spans).

Our pipeline's finer types are folded onto UNER's three before scoring:
PERSON/PER -> PER; ORG -> ORG; GPE/LOC/FAC -> LOC (UNER's LOC covers countries, cities,
regions and named facilities). NORP (nationalities, religious and political groups) is
dropped: UNER tags "American", "Syrian" etc. as OTH, which it does not score, so counting
NORP as ORG would only add false positives. Every other type is dropped as well.

Usage: python -m evaluation.ner FILE.iob2 [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

GOLD_TYPES = ("PER", "ORG", "LOC")
PRED_TO_GOLD = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "LOC": "LOC",
    "GPE": "LOC",
    "FAC": "LOC",
}


@dataclass
class GoldSentence:
    """One IOB2 sentence: gold tokens, the whitespace after each, and typed entity spans."""

    words: list[str]
    spaces: list[bool]
    spans: set[tuple[int, int, str]]


def _spaces_from_text(text: str | None, words: list[str]) -> list[bool]:
    # Rebuild whitespace from "# text =" so the model sees the sentence as it was written.
    spaces = [True] * len(words)
    if not text:
        return spaces
    pos = 0
    for i, word in enumerate(words):
        found = text.find(word, pos)
        if found < 0:
            return [True] * len(words)
        pos = found + len(word)
        spaces[i] = pos < len(text) and text[pos].isspace()
    spaces[-1] = False
    return spaces


def iob_to_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Turn IOB2 tags into (start, end, label) token spans; an orphan I- opens a new span."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, lab = tag.partition("-")
        if prefix == "I" and lab == label and start >= 0:
            continue
        if start >= 0:
            spans.append((start, i, label))
            start, label = -1, ""
        if prefix in ("B", "I"):
            start, label = i, lab
    return spans


def _iob_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    cleaned = [t if t.partition("-")[2] in GOLD_TYPES else "O" for t in tags]
    return set(iob_to_spans(cleaned))


def read_iob2(path: Path) -> Iterator[GoldSentence]:
    """Yield sentences from a UNER IOB2 file (index, token, tag, ...; '#' comments)."""
    words: list[str] = []
    tags: list[str] = []
    text: str | None = None
    with path.open(encoding="utf-8") as fh:
        for raw in [*fh, "\n"]:
            line = raw.rstrip("\n")
            if line.startswith("#"):
                if line.startswith("# text =") and not words:
                    text = line.split("=", 1)[1].strip()
                continue
            if not line.strip():
                if words:
                    yield GoldSentence(words, _spaces_from_text(text, words), _iob_spans(tags))
                words, tags, text = [], [], None
                continue
            cols = line.split("\t")
            words.append(cols[1])
            tags.append(cols[2] if len(cols) > 2 else "O")


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": n_gold}


def evaluate_ner(path: Path, nlp: Language | None = None) -> dict[str, Any]:
    """Run the pipeline on the gold tokens of an IOB2 file and score exact-span P/R/F1."""
    if nlp is None:
        from extractors.pipeline import load_nlp

        nlp = load_nlp()[0]
    gold = list(read_iob2(Path(path)))
    docs = [Doc(nlp.vocab, words=s.words, spaces=s.spaces) for s in gold]
    n_words = sum(len(d) for d in docs)
    start = time.perf_counter()
    predicted = list(nlp.pipe(docs, batch_size=256))
    elapsed = time.perf_counter() - start
    counts = {t: [0, 0, 0] for t in GOLD_TYPES}  # true positives, predicted, gold
    for sent, doc in zip(gold, predicted, strict=True):
        pred = {
            (e.start, e.end, PRED_TO_GOLD[e.label_]) for e in doc.ents if e.label_ in PRED_TO_GOLD
        }
        for t in GOLD_TYPES:
            p = {s for s in pred if s[2] == t}
            g = {s for s in sent.spans if s[2] == t}
            counts[t][0] += len(p & g)
            counts[t][1] += len(p)
            counts[t][2] += len(g)
    result: dict[str, Any] = {t: _prf(*counts[t]) for t in GOLD_TYPES}
    result["overall"] = _prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    result["words_per_s"] = n_words / elapsed if elapsed else 0.0
    return result


def format_ner_report(result: dict[str, Any]) -> str:
    """Render an evaluate_ner result as a plain-text table."""
    lines = [f"{'type':<8}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for key in (*GOLD_TYPES, "overall"):
        r = result[key]
        lines.append(
            f"{key:<8}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}{r['support']:>10d}"
        )
    lines.append(f"speed: {result['words_per_s']:,.0f} words/s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the NER report (or JSON) for an IOB2 file."""
    parser = argparse.ArgumentParser(description="Evaluate claimwatch NER on an IOB2 file.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--model", type=Path, help="a spaCy pipeline directory to evaluate")
    args = parser.parse_args(argv)
    nlp = None
    if args.model:
        import spacy

        nlp = spacy.load(args.model)
    result = evaluate_ner(args.path, nlp)
    print(json.dumps(result, indent=2) if args.json else format_ner_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
