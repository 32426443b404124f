"""Label the ECB+ news articles in ../shared with a teacher checkpoint, as extra NER training data.

Usage: python -m training.ner.silver TEACHER_DIR [--shared ../shared] [--out build/ner/silver/silver.spacy]

ECB+ (data/events/ECBplus) comes tokenised and split into sentences; its event annotations
are not used. The output DocBin has words, sentence starts and the teacher's PER/ORG/LOC
entities, 10 sentences per Doc like the gold corpus, and no tags or parses (those stay
missing, so the tagger and parser learn from the gold data only). Train on gold + silver with
    python -m spacy train training/ner/config.cfg --output build/ner/run6 \
        --paths.train DIR_WITH_train.spacy_AND_silver.spacy --paths.dev build/ner/corpus/dev.spacy
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

from evaluation.ner import iob_to_spans
from training.ner import prepare
from training.ner.teacher import predict

REPO = Path(__file__).resolve().parents[2]
ECB_DIR = Path("data/events/ECBplus")
_TOKEN = re.compile(r'<token t_id="\d+" sentence="(\d+)" number="\d+">(.*?)</token>')


def ecb_documents(shared: Path) -> Iterator[list[list[str]]]:
    """Yield each ECB+ document as a list of tokenised sentences."""
    for path in sorted((shared / ECB_DIR).glob("**/*.xml")):
        sentences: dict[int, list[str]] = {}
        for m in _TOKEN.finditer(path.read_text(encoding="utf-8")):
            sentences.setdefault(int(m.group(1)), []).append(html.unescape(m.group(2)))
        yield [sentences[k] for k in sorted(sentences) if sentences[k]]


def main(argv: list[str] | None = None) -> int:
    """Label every ECB+ sentence with the teacher and write the silver DocBin."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("teacher", type=Path)
    parser.add_argument("--shared", type=Path, default=prepare.DEFAULT_SHARED)
    parser.add_argument(
        "--out", type=Path, default=REPO / "build" / "ner" / "silver" / "silver.spacy"
    )
    parser.add_argument(
        "--missing",
        nargs="*",
        default=[],
        help="teacher labels to leave missing rather than teach, e.g. ORG (teacher dev F1 0.54)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(str(args.teacher))
    model = AutoModelForTokenClassification.from_pretrained(str(args.teacher)).eval()
    vocab = spacy.blank("en").vocab
    docbin = DocBin(store_user_data=False)
    n_words = 0
    for sentences in ecb_documents(args.shared):
        tags = [
            t
            for i in range(0, len(sentences), 32)
            for t in predict(model, tokenizer, sentences[i : i + 32])
        ]
        for g in range(0, len(sentences), prepare.SENTS_PER_DOC):
            group = sentences[g : g + prepare.SENTS_PER_DOC]
            words = [w for s in group for w in s]
            starts = [k == 0 for s in group for k in range(len(s))]
            doc = Doc(vocab, words=words, sent_starts=starts)
            ents, unsure, offset = [], [], 0
            for sent, sent_tags in zip(group, tags[g : g + prepare.SENTS_PER_DOC], strict=True):
                for a, b, t in iob_to_spans(sent_tags):
                    span = Span(doc, offset + a, offset + b, label=t)
                    (unsure if t in args.missing else ents).append(span)
                offset += len(sent)
            # a weak label is taught neither as an entity nor as 'outside'
            doc.set_ents(ents, missing=unsure, default="outside")
            docbin.add(doc)
            n_words += len(words)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(args.out)
    print(f"wrote {args.out}: {len(docbin)} docs, {n_words} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
