"""Near-duplicate detection with MinHash: syndicated copies of one story share a source_key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import duckdb
import numpy as np
import pyarrow as pa

from records import Article
from warehouse.store import registered

SHINGLE = 5  # words per shingle: long enough that unrelated articles share almost none
PERMUTATIONS = 64
BANDS = 16  # 16 bands of 4 rows: a pair with Jaccard 0.5 shares a band 64 % of the time, 0.7: 99 %
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.5  # estimated Jaccard of word shingles above which two texts are one story
_WORD = re.compile(r"\w+", re.UNICODE)
_rng = np.random.default_rng(20240822)  # fixed: signatures must compare across runs
_A = _rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)


@dataclass(frozen=True)
class Fingerprint:
    """One article's MinHash signature and LSH band keys, as stored in the fingerprints table."""

    article_id: str
    topic: str
    outlet: str
    source_key: str
    canonical_url: str
    minhash: tuple[int, ...]
    bands: tuple[int, ...]


@dataclass(frozen=True)
class Match:
    """The stored or earlier article a text is a near-duplicate of."""

    article_id: str
    canonical_url: str
    outlet: str
    source_key: str
    similarity: float


def _shingles(text: str) -> np.ndarray:
    words = [w.lower() for w in _WORD.findall(text)]
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 1))}
    digests = [
        int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "little")
        for g in grams
    ]
    return np.array(digests, dtype=np.uint64)


def minhash(text: str) -> np.ndarray:
    """Return the MinHash signature (PERMUTATIONS 32-bit values) of a text's word shingles."""
    x = _shingles(text)
    with np.errstate(over="ignore"):
        # multiply-shift hashing: the high 32 bits of a*x+b (mod 2**64) for odd a
        hashed = (_A[:, None] * x[None, :] + _B[:, None]) >> np.uint64(32)
    return hashed.min(axis=1).astype(np.int64)


def band_keys(signature: np.ndarray) -> tuple[int, ...]:
    """Return one key per LSH band; texts sharing a key are candidate near-duplicates."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].astype(np.int64).tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def similarity(a: tuple[int, ...] | np.ndarray, b: tuple[int, ...] | np.ndarray) -> float:
    """Return the Jaccard similarity two signatures estimate."""
    return float(np.mean(np.asarray(a) == np.asarray(b)))


def fingerprint(article: Article) -> Fingerprint:
    """Return an article's fingerprint."""
    sig = minhash(article.text)
    return Fingerprint(
        article.article_id, article.topic, article.outlet, article.source_key, article.canonical_url,
        tuple(int(v) for v in sig), band_keys(sig),
    )  # fmt: skip


def _stored(con: duckdb.DuckDBPyConnection, bands: set[int]) -> list[Fingerprint]:
    if not bands:
        return []
    # only fingerprints of stored articles count: a run killed before loading leaves orphans
    rows = con.execute(
        """SELECT f.article_id, f.topic, f.outlet, f.source_key, a.canonical_url, f.minhash, f.bands
           FROM fingerprints f JOIN articles a ON a.article_id = f.article_id
           WHERE list_has_any(f.bands, ?)""",
        [sorted(bands)],
    ).fetchall()
    return [Fingerprint(r[0], r[1], r[2], r[3], r[4], tuple(r[5]), tuple(r[6])) for r in rows]


def link_syndicated(
    con: duckdb.DuckDBPyConnection, articles: list[Article]
) -> tuple[list[Article], dict[str, Match], list[Fingerprint]]:
    """Give near-duplicates of a stored or earlier article that article's source_key.

    Returns the articles (source_key set), the match found per article id, and the
    fingerprints to store.
    """
    prints = [fingerprint(a) for a in articles]
    known = _stored(con, {k for p in prints for k in p.bands})
    by_band: dict[int, list[Fingerprint]] = {}
    for fp in known:
        for k in fp.bands:
            by_band.setdefault(k, []).append(fp)
    out: list[Article] = []
    matches: dict[str, Match] = {}
    stored_prints: list[Fingerprint] = []
    for article, fp in zip(articles, prints, strict=True):
        candidates = {
            c.article_id: c
            for k in fp.bands
            for c in by_band.get(k, [])
            if c.article_id != article.article_id
        }
        best: Match | None = None
        for c in candidates.values():
            score = similarity(fp.minhash, c.minhash)
            if score >= THRESHOLD and (best is None or score > best.similarity):
                best = Match(c.article_id, c.canonical_url, c.outlet, c.source_key, score)
        if best is not None and best.canonical_url != article.canonical_url:
            article = replace(article, source_key=best.source_key)
            fp = replace(fp, source_key=best.source_key)
            matches[article.article_id] = best
        out.append(article)
        stored_prints.append(fp)
        for k in fp.bands:  # later articles of this batch match earlier ones
            by_band.setdefault(k, []).append(fp)
    return out, matches, stored_prints


def store_fingerprints(con: duckdb.DuckDBPyConnection, prints: list[Fingerprint]) -> None:
    """Insert fingerprints in bulk (existing article ids are kept)."""
    if not prints:
        return
    unique = {p.article_id: p for p in prints}
    now = datetime.now(UTC)
    table = pa.table(
        {
            "article_id": [p.article_id for p in unique.values()],
            "topic": [p.topic for p in unique.values()],
            "outlet": [p.outlet for p in unique.values()],
            "source_key": [p.source_key for p in unique.values()],
            "minhash": pa.array([list(p.minhash) for p in unique.values()], pa.list_(pa.int64())),
            "bands": pa.array([list(p.bands) for p in unique.values()], pa.list_(pa.int64())),
            "seen_at": pa.array([now] * len(unique), pa.timestamp("us", tz="UTC")),
        }
    )
    with registered(con, "_fingerprints", table):
        con.execute(
            "INSERT INTO fingerprints SELECT * FROM _fingerprints ON CONFLICT (article_id) DO NOTHING"
        )
