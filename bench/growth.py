"""Growth: the cost of checking a batch of new claims as the stored claims grow 10k -> 1M."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from bench.timing import median
from detection.pairing import detect
from records import Article, Claim
from warehouse.loading import arrow_schema, table_fields, upsert
from warehouse.lookups import claims_by_key
from detection.keys import comparison_key
from warehouse.store import connect

ATTRIBUTES = (
    "force size", "death toll", "displaced people", "injured", "arrests", "location",
    "leader", "will surrender", "ordered the seizures", "budget", "revenue", "casualties",
    "count of protesters", "count of votes", "count of vehicles", "count of flights",
    "count of cases", "count of schools", "count of homes", "count of prisoners",
    "count of tanks", "count of aircraft", "count of villages", "count of districts",
    "turnout", "inflation", "unemployment", "price", "population", "distance",
)  # fmt: skip
UNITS = (None, "USD", "EUR", "km", "percent")
CLAIMS_PER_ARTICLE = 8
PROBE_KEYS = 100
PROBE_CLAIMS_PER_KEY = 10
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class GrowthPoint:
    """Lookup and detection cost for one batch at one stored-claims size (median of repeats)."""

    stored: int
    lookup_s: float
    detect_s: float
    matched: int
    zipf_detect_s: float
    zipf_matched: int
    lookups: list[float] = field(default_factory=list)
    load_s: float = 0.0  # one batch of new claims upserted and committed on the run's connection
    checkpoint_s: float = 0.0  # CHECKPOINT after those batches, timed on its own


def _zipf(rng: np.random.Generator, n: int, vocabulary: int, s: float = 1.1) -> np.ndarray:
    """Zipf-like ranks in [0, vocabulary): a few hot subjects, a long tail."""
    weights = 1.0 / np.arange(1, vocabulary + 1) ** s
    return rng.choice(vocabulary, size=n, p=weights / weights.sum())


def synthetic_claims(start: int, n: int, seed: int, subjects: int = 200_000) -> pa.Table:
    """Return n realistic-looking claim rows (Zipf subjects and attributes) as an Arrow table."""
    rng = np.random.default_rng(seed)
    ids = np.arange(start, start + n)
    subj = _zipf(rng, n, subjects)
    attr = _zipf(rng, n, len(ATTRIBUTES), s=1.0)
    number = np.round(rng.lognormal(7, 2, n))
    unit = rng.integers(0, len(UNITS), n)
    minutes = rng.integers(0, 60 * 24 * 700, n)
    columns = {
        "claim_id": [f"syn{i:013d}" for i in ids],
        "article_id": [f"art{i // CLAIMS_PER_ARTICLE:013d}" for i in ids],
        "topic": [f"topic-{t}" for t in _zipf(rng, n, 20)],
        "subject_id": [f"ent{s:07d}" for s in subj],
        "subject": [f"Entity {s}" for s in subj],
        "attribute": [ATTRIBUTES[a] for a in attr],
        "value_type": ["quantity"] * n,
        "value_text": [f"around {v:,.0f}" for v in number],
        "number": number,
        "low": number * 0.9,
        "high": number * 1.1,
        "unit": [UNITS[u] for u in unit],
        "hedge": ["around"] * n,
        "direction": [None] * n,
        "place": [None] * n,
        "polarity": np.where(rng.random(n) < 0.05, -1, 1),
        "modality": np.where(rng.random(n) < 0.6, "reported", "asserted").tolist(),
        "speaker": [f"Speaker {s % 5000}" for s in subj],
        "speaker_role": [None] * n,
        "verb": ["said"] * n,
        "outlet": [f"outlet-{o}" for o in rng.integers(0, 300, n)],
        "source_key": [f"outlet-{o}" for o in rng.integers(0, 300, n)],
        "published": [EPOCH + timedelta(minutes=int(m)) for m in minutes],
        "ref_date": [None] * n,
        "sentence": [f"Entity {s} has around {v:,.0f} according to officials quoted on the day." for s, v in zip(subj, number, strict=True)],
        "span_start": np.zeros(n, dtype=np.int64),
        "span_end": np.full(n, 40, dtype=np.int64),
        # event facts are compared within their story: a subject's claims share a few stories
        "story_id": [f"story{s:07d}-{a % 3}" for s, a in zip(subj, attr, strict=True)],
    }  # fmt: skip
    return pa.Table.from_pydict(columns, schema=arrow_schema(Claim))


def synthetic_articles(first: int, last: int) -> pa.Table:
    """Return article rows art<first>..art<last-1> (short texts, no raw HTML)."""
    ids = range(first, last)
    n = len(ids)
    columns = {
        "article_id": [f"art{i:013d}" for i in ids],
        "topic": ["topic-0"] * n,
        "url": [f"https://news.example/{i}" for i in ids],
        "canonical_url": [f"https://news.example/{i}" for i in ids],
        "outlet": [f"outlet-{i % 300}" for i in ids],
        "title": [f"Story {i}" for i in ids],
        "author": [None] * n,
        "published": [EPOCH + timedelta(hours=i % 17000) for i in ids],
        "language": ["en"] * n,
        "text": [f"Story {i} text." for i in ids],
        "content_hash": [f"h{i:015d}" for i in ids],
        "fetched_at": [EPOCH] * n,
        "source_key": [f"outlet-{i % 300}" for i in ids],
        "raw_html": [None] * n,
        "story_id": [None] * n,
    }
    return pa.Table.from_pydict(columns, schema=arrow_schema(Article)).select(table_fields(Article))


def _probe_claims() -> pa.Table:
    """Stored claims on the probe keys: the same number of matches at every size."""
    n = PROBE_KEYS * PROBE_CLAIMS_PER_KEY
    base = synthetic_claims(10**12, n, seed=7).to_pydict()
    base["subject_id"] = [f"probe{i % PROBE_KEYS:04d}" for i in range(n)]
    base["attribute"] = ["force size"] * n
    base["story_id"] = [f"probe-story{i % PROBE_KEYS:04d}" for i in range(n)]
    return pa.Table.from_pydict(base, schema=arrow_schema(Claim))


def new_batch(table: pa.Table, prefix: str) -> list[Claim]:
    """Turn Arrow claim rows into new Claim records (fresh ids, values shifted to provoke conflicts)."""
    out = []
    for row in table.to_pylist():
        claim = Claim(**row)
        number = (claim.number or 1.0) * 1.7
        out.append(replace(claim, claim_id=f"{prefix}{claim.claim_id}", article_id=f"new-{claim.article_id}",
                           number=number, low=number * 0.9, high=number * 1.1))  # fmt: skip
    return out


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, target: str) -> None:
    con.register(name, table)
    try:
        con.execute(f"INSERT INTO {target} SELECT * FROM {name} ON CONFLICT DO NOTHING")
    finally:
        con.unregister(name)


def grow(
    db: Path,
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
    batch: int = 100,
    repeats: int = 7,
) -> tuple[list[GrowthPoint], float]:
    """Bulk-load synthetic claims up to each size and time one batch check; returns points and build seconds."""
    probe_batch = new_batch(_probe_claims().slice(0, batch), "probe-new-")
    zipf_batch = new_batch(synthetic_claims(2 * 10**12, batch, seed=99), "zipf-new-")
    points: list[GrowthPoint] = []
    stored = 0
    build_s = 0.0
    with connect(db) as con:
        start = time.perf_counter()
        _insert(con, "_probe", _probe_claims(), "claims")
        build_s += time.perf_counter() - start
        stored = PROBE_KEYS * PROBE_CLAIMS_PER_KEY
        for size in sizes:
            start = time.perf_counter()
            while stored < size:
                step = min(size - stored, 250_000)
                _insert(con, "_syn", synthetic_claims(stored, step, seed=stored), "claims")
                first, last = (
                    stored // CLAIMS_PER_ARTICLE,
                    (stored + step - 1) // CLAIMS_PER_ARTICLE + 1,
                )
                _insert(con, "_arts", synthetic_articles(first, last), "articles")
                stored += step
            con.execute("CHECKPOINT")
            build_s += time.perf_counter() - start
            keys = [k for c in probe_batch if (k := comparison_key(c))]
            claims_by_key(con, keys)  # warm the buffer pool like a running monitor's would be
            lookups: list[float] = []
            detects: list[float] = []
            zipf: list[float] = []
            matched = zipf_matched = 0
            for _ in range(repeats):
                t = time.perf_counter()
                matched = len(claims_by_key(con, keys))
                lookups.append(time.perf_counter() - t)
                t = time.perf_counter()
                detect(con, probe_batch)
                detects.append(time.perf_counter() - t)
                if len(zipf) < 3:  # hot keys match many rows: three repeats are enough
                    t = time.perf_counter()
                    detect(con, zipf_batch)
                    zipf.append(time.perf_counter() - t)
            zipf_matched = len(
                claims_by_key(con, [k for c in zipf_batch if (k := comparison_key(c))])
            )
            loads: list[float] = []
            for r in range(repeats):
                fresh = [replace(c, claim_id=f"load{size}-{r}-{c.claim_id}") for c in zipf_batch]
                t = time.perf_counter()
                con.begin()
                upsert(con, fresh)
                con.commit()
                loads.append(time.perf_counter() - t)
            t = time.perf_counter()
            con.execute("CHECKPOINT")
            checkpoint_s = time.perf_counter() - t
            points.append(
                GrowthPoint(
                    stored,
                    median(lookups),
                    median(detects),
                    matched,
                    median(zipf),
                    zipf_matched,
                    lookups,
                    median(loads),
                    checkpoint_s,
                )
            )
    return points, build_s
