"""Load: bulk claim rows/s through warehouse.loading.upsert against executemany, in one run."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from bench.growth import synthetic_claims
from bench.timing import median
from records import Claim
from warehouse.loading import upsert
from warehouse.store import connect


@dataclass
class LoadRates:
    """Rows per second for the product's Arrow upsert and for executemany (medians)."""

    upsert_rows: int
    upsert_rows_per_s: float
    executemany_rows: int
    executemany_rows_per_s: float
    upsert_runs_s: list[float]
    executemany_runs_s: list[float]


def claim_records(n: int, seed: int = 11) -> list[Claim]:
    """Return n synthetic Claim records."""
    return [Claim(**row) for row in synthetic_claims(0, n, seed=seed).to_pylist()]


def _upsert_once(db: Path, claims: list[Claim]) -> float:
    with connect(db) as con:
        start = time.perf_counter()
        con.begin()
        upsert(con, claims)
        con.commit()
        return time.perf_counter() - start


def _executemany_once(db: Path, claims: list[Claim]) -> float:
    columns = [f.name for f in dataclasses.fields(Claim)]
    rows = [[getattr(c, name) for name in columns] for c in claims]
    marks = ", ".join("?" for _ in columns)
    with connect(db) as con:
        start = time.perf_counter()
        con.begin()
        con.executemany(f"INSERT INTO claims VALUES ({marks}) ON CONFLICT DO NOTHING", rows)
        con.commit()
        return time.perf_counter() - start


def load_rates(
    workdir: Path, rows: int = 100_000, executemany_rows: int = 1_000, repeats: int = 3
) -> LoadRates:
    """Load `rows` claims with upsert and `executemany_rows` with executemany into fresh files."""
    workdir.mkdir(parents=True, exist_ok=True)
    claims = claim_records(rows)
    few = claims[:executemany_rows]
    upserts, manys = [], []
    for i in range(repeats):
        upserts.append(_upsert_once(workdir / f"upsert-{i}.duckdb", claims))
        manys.append(_executemany_once(workdir / f"executemany-{i}.duckdb", few))
    return LoadRates(
        upsert_rows=rows,
        upsert_rows_per_s=rows / median(upserts),
        executemany_rows=len(few),
        executemany_rows_per_s=len(few) / median(manys),
        upsert_runs_s=upserts,
        executemany_runs_s=manys,
    )
