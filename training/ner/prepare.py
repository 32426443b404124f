"""Merge UD English-EWT (tags, morphology, parse) with UNER English-EWT (PER/ORG/LOC) into DocBins.

Usage: python -m training.ner.prepare [--shared ../shared] [--out build/ner/corpus]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab
from evaluation.ner import iob_to_spans

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO.parent / "shared"
UD_DIR = Path("data/ner/UD_English-EWT")
UNER_DIR = Path("data/ner/UNER_English-EWT")
SPLITS = {
    "train": ("en_ewt-ud-train.rebuilt.conllu", "en_ewt-ud-train.v0.iob2"),
    "dev": ("en_ewt-ud-dev.conllu", "en_ewt-ud-dev.iob2"),
}
LABELS = ("PER", "ORG", "LOC")
# Several sentences per Doc, so the parser learns where sentences end (it is our segmenter).
SENTS_PER_DOC = 10


@dataclass
class UDSentence:
    """One CoNLL-U sentence reduced to what a spaCy Doc needs."""

    sent_id: str
    newdoc: bool = False
    words: list[str] = field(default_factory=list)
    spaces: list[bool] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    morphs: list[str] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    deps: list[str] = field(default_factory=list)


def _blocks(path: Path) -> Iterator[list[str]]:
    block: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.strip():
                block.append(line)
            elif block:
                yield block
                block = []
    if block:
        yield block


def _sent_id(block: list[str]) -> str | None:
    for line in block:
        if line.startswith("# sent_id"):
            return line.split("=", 1)[1].strip()
    return None


def read_conllu(path: Path) -> Iterator[UDSentence]:
    """Yield sentences as syntactic words, with spacing rebuilt from multiword-token lines."""
    for block in _blocks(path):
        sent = UDSentence(_sent_id(block) or "", any(x.startswith("# newdoc") for x in block))
        rows = [line.split("\t") for line in block if not line.startswith("#")]
        # A multiword token ("don't" -> do + n't) carries SpaceAfter for its last part only.
        mwt_end: dict[int, bool] = {}
        mwt_inner: set[int] = set()
        for cols in rows:
            if "-" in cols[0]:
                start, end = (int(x) for x in cols[0].split("-"))
                mwt_end[end] = "SpaceAfter=No" not in cols[9]
                mwt_inner.update(range(start, end))
        for cols in rows:
            if "-" in cols[0] or "." in cols[0]:
                continue
            idx = int(cols[0])
            sent.words.append(cols[1])
            if idx in mwt_inner:
                sent.spaces.append(False)
            elif idx in mwt_end:
                sent.spaces.append(mwt_end[idx])
            else:
                sent.spaces.append("SpaceAfter=No" not in cols[9])
            sent.lemmas.append(cols[2])
            sent.pos.append(cols[3])
            sent.tags.append(cols[4])
            sent.morphs.append("" if cols[5] == "_" else cols[5])
            sent.heads.append(int(cols[6]) - 1 if cols[6] != "0" else idx - 1)
            sent.deps.append("ROOT" if cols[7] == "root" else cols[7])
        if sent.words:
            sent.spaces[-1] = False
            yield sent


def read_iob2(path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """Yield (sent_id, tokens, tags) from a UNER IOB2 file; OTH and stray B-O become O."""
    for block in _blocks(path):
        rows = [line.split("\t") for line in block if not line.startswith("#")]
        tokens = [r[1] for r in rows]
        tags = [_clean_tag(r[2]) for r in rows]
        yield _sent_id(block) or "", tokens, tags


def _clean_tag(tag: str) -> str:
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, label = tag.split("-", 1)
    return f"{prefix}-{label}" if label in LABELS else "O"


def build_docs(conllu: Path, iob2: Path, vocab: Vocab) -> tuple[list[Doc], dict[str, int]]:
    """Build Docs carrying tags, morphology, parse and (where UNER has the sentence) entities."""
    ner = {sid: (toks, tags) for sid, toks, tags in read_iob2(iob2)}
    stats = {"sentences": 0, "with_ner": 0, "no_ner": 0, "token_mismatch": 0}
    docs: list[Doc] = []
    group: list[Doc] = []
    for s in read_conllu(conllu):
        if group and (s.newdoc or len(group) >= SENTS_PER_DOC):
            docs.append(Doc.from_docs(group))
            group = []
        sent_starts: list[bool | int | None] = [True]
        sent_starts.extend([False] * (len(s.words) - 1))
        doc = Doc(
            vocab,
            words=s.words,
            spaces=s.spaces,
            lemmas=s.lemmas,
            pos=s.pos,
            tags=s.tags,
            morphs=s.morphs,
            heads=s.heads,
            deps=s.deps,
            sent_starts=sent_starts,
        )
        stats["sentences"] += 1
        entry = ner.get(s.sent_id)
        if entry is None:
            stats["no_ner"] += 1
        elif entry[0] != s.words:
            # Entities left unset are treated as missing, not as O, so the parse still trains.
            stats["token_mismatch"] += 1
        else:
            spans = [Span(doc, a, b, label=lab) for a, b, lab in iob_to_spans(entry[1])]
            doc.set_ents(spans, default="outside")
            stats["with_ner"] += 1
        group.append(doc)
    if group:
        docs.append(Doc.from_docs(group))
    return docs, stats


def main(argv: list[str] | None = None) -> int:
    """Write train.spacy and dev.spacy from the shared UD and UNER files."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "ner" / "corpus")
    args = parser.parse_args(argv)
    vocab = spacy.blank("en").vocab
    args.out.mkdir(parents=True, exist_ok=True)
    for split, (ud_name, uner_name) in SPLITS.items():
        ud_path = args.shared / UD_DIR / ud_name
        uner_path = args.shared / UNER_DIR / uner_name
        for p in (ud_path, uner_path):
            if not p.exists():
                print(f"missing {p}", file=sys.stderr)
                return 1
        docs, stats = build_docs(ud_path, uner_path, vocab)
        DocBin(docs=docs, store_user_data=False).to_disk(args.out / f"{split}.spacy")
        print(split, stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
