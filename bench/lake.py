"""DuckLake against the single file: load rows/s, batches/s, and two concurrent writers into one lake.

`python -m bench.lake [--quick]` prints JSON; `python -m bench.lake writer ...` is one writer
process (ECB+ topics imported in batches through the product's load+detect transaction).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.loadrate import claim_records
from bench.timing import median
from warehouse.lake import COMMITS, STATS, natural_keys
from warehouse.loading import upsert
from warehouse.store import connect

REPO = Path(__file__).resolve().parents[1]
ECB = REPO.parent / "shared" / "data/events/ECBplus/ECB+_LREC2014/ECB+"
TOPICS = ("1", "2", "3", "4")  # ECB+ topic folders, each one monitored topic
WRITERS = 2  # writer i takes every WRITERS-th document from the i-th on: both write every topic
BATCH = 8  # articles per load+detect transaction: several commits per writer, so they interleave


def write_ecb(
    db: str,
    root: Path,
    topics: tuple[str, ...],
    batch: int = BATCH,
    part: int = 0,
    parts: int = 1,
) -> dict[str, Any]:
    """Import one part of ECB+ topic folders into db in batches of `batch` articles; returns what it did."""
    from claimwatch.batches import load_and_detect_batch
    from evaluation.corpora import ecb_article, ecb_files, read_ecb
    from extractors.claims import extract_articles
    from extractors.pipeline import load_nlp

    nlp, _ = load_nlp()
    docs = [read_ecb(p) for p in ecb_files(root, set(topics))][part::parts]
    articles = [ecb_article(d, f"ecb-{d.topic}") for d in docs]
    extractions = extract_articles(articles, nlp)
    start = time.perf_counter()
    batches = 0
    for i in range(0, len(articles), batch):
        load_and_detect_batch(db, articles[i : i + batch], extractions[i : i + batch])
        batches += 1
    seconds = time.perf_counter() - start
    return {
        "topics": list(topics),
        "part": f"{part}/{parts}",
        "articles": len(articles),
        "batches": batches,
        "load_s": round(seconds, 3),
        "conflicts_retried": STATS["conflicts_retried"],
        "commits": [list(c) for c in COMMITS],
    }


def table_counts(db: str) -> dict[str, list[int]]:
    """Rows and distinct natural keys of every keyed table (story_postings: rows only)."""
    out: dict[str, list[int]] = {}
    with connect(db, read_only=True) as con:
        for table, keys in sorted(natural_keys().items()):
            if table == "schema_versions":
                continue
            k = ", ".join(f'"{c}"' for c in keys)
            rows, distinct = con.execute(
                f"SELECT count(*), count(DISTINCT ({k})) FROM {table}"
            ).fetchall()[0]
            out[table] = [int(rows), int(distinct)]
        out["story_postings"] = [
            int(con.execute("SELECT count(*) FROM story_postings").fetchall()[0][0])
        ] * 2
    return out


def contradiction_pairs(db: str) -> set[tuple[str, str]]:
    """The (claim_a, claim_b) of every stored contradiction."""
    with connect(db, read_only=True) as con:
        return {
            (a, b) for a, b in con.execute("SELECT claim_a, claim_b FROM contradictions").fetchall()
        }


def run_writers(
    lake: str,
    root: Path,
    env: dict[str, str],
    batch: int = BATCH,
    topics: tuple[str, ...] = TOPICS,
) -> list[dict[str, Any]]:
    """Start the WRITERS writer processes at once into the lake; returns their reports."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.lake",
                "writer",
                "--db",
                lake,
                "--root",
                str(root),
                "--topics",
                ",".join(topics),
                "--batch",
                str(batch),
                "--part",
                str(i),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(WRITERS)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"writer failed ({proc.returncode}): {err[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


@dataclass
class WriterCheck:
    """Two concurrent writers into a lake against the same batches into one file, by one writer."""

    lake_counts: dict[str, list[int]]
    file_counts: dict[str, list[int]]
    lost: int  # file rows missing from the lake
    doubled: int  # lake rows beyond their distinct keys
    contradictions_lake: int
    contradictions_file: int
    contradictions_missing: int
    stories_differ: int  # articles whose story is not the one the single writer gave them
    writers: list[dict[str, Any]]


def compare(lake: str, file_db: str, writers: list[dict[str, Any]]) -> WriterCheck:
    """Count lost and doubled rows and missing contradictions of the lake against the file."""
    lc, fc = table_counts(lake), table_counts(file_db)
    lost = sum(max(0, fc[t][1] - lc[t][1]) for t in fc)
    doubled = sum(lc[t][0] - lc[t][1] for t in lc)
    pl, pf = contradiction_pairs(lake), contradiction_pairs(file_db)
    sl, sf = story_of_articles(lake), story_of_articles(file_db)
    stories = sum(1 for a in sf if sl.get(a) != sf[a])
    return WriterCheck(lc, fc, lost, doubled, len(pl), len(pf), len(pf - pl), stories, writers)


def story_of_articles(db: str) -> dict[str, str | None]:
    """Each article's story."""
    with connect(db, read_only=True) as con:
        return dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())


def commit_order(lake: str) -> list[list[str]]:
    """The article ids of each committed batch of a lake, in commit (snapshot) order."""
    with connect(lake, read_only=True) as con:
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        last = con.execute(f"SELECT max(snapshot_id) FROM ducklake_snapshots('{name}')").fetchall()
        rows = con.execute(
            f"SELECT snapshot_id, article_id FROM ducklake_table_changes('{name}', 'main', "
            f"'articles', 0, {int(last[0][0])}) WHERE change_type = 'insert' ORDER BY snapshot_id, rowid"
        ).fetchall()
    batches: dict[int, list[str]] = {}
    for snapshot, article_id in rows:
        batches.setdefault(int(snapshot), []).append(str(article_id))
    return [batches[k] for k in sorted(batches)]


def single_writer_file(
    file_db: str | list[str],
    root: Path,
    batch: int = BATCH,
    topics: tuple[str, ...] = TOPICS,
    order: list[list[str]] | None = None,
) -> list[float]:
    """The same batches into one DuckDB file (or each of several warehouses) by one process.

    Story assignment, bare-name resolution and the IDF depend on what is stored before a
    batch, so the comparison replays the order the lake committed the batches in (order);
    without one, writer 0's batches go first, then writer 1's. Returns the seconds of
    load+detect per warehouse.
    """
    dbs = [file_db] if isinstance(file_db, str) else file_db
    if order is None:
        return [
            sum(write_ecb(db, root, topics, batch, i, WRITERS)["load_s"] for i in range(WRITERS))
            for db in dbs
        ]
    from claimwatch.batches import load_and_detect_batch
    from evaluation.corpora import ecb_article, ecb_files, read_ecb
    from extractors.claims import extract_articles
    from extractors.pipeline import load_nlp

    nlp, _ = load_nlp()
    articles = [
        ecb_article(d, f"ecb-{d.topic}") for d in map(read_ecb, ecb_files(root, set(topics)))
    ]
    extractions: dict[str, Any] = {}
    for i in range(WRITERS):  # extracted as each writer extracted its part
        part = articles[i::WRITERS]
        ids = [a.article_id for a in part]
        extractions.update(zip(ids, extract_articles(part, nlp), strict=True))
    by_id = {a.article_id: a for a in articles}
    position = {a.article_id: n for n, a in enumerate(articles)}
    seconds = []
    for db in dbs:
        start = time.perf_counter()
        for batch_ids in order:
            # a batch's articles in the writer's order (MERGE inserts them in no particular order)
            ids = sorted(batch_ids, key=position.__getitem__)
            load_and_detect_batch(db, [by_id[i] for i in ids], [extractions[i] for i in ids])
        seconds.append(time.perf_counter() - start)
    return seconds


def _upsert_rate(db: str, rows: int, repeats: int) -> tuple[float, list[float]]:
    claims = claim_records(rows)
    runs = []
    for i in range(repeats):
        name = db.replace("{i}", str(i))
        with connect(name) as con:
            start = time.perf_counter()
            con.begin()
            upsert(con, claims)
            con.commit()
            runs.append(time.perf_counter() - start)
    return rows / median(runs), runs


def _batch_rate(db: str, batches: int, rows: int) -> float:
    """Load transactions per second: fresh connection, `rows` new claims, commit (as a batch does)."""
    claims = claim_records(batches * rows, seed=5)
    with connect(db):  # created and migrated before the clock starts, as a running warehouse is
        pass
    start = time.perf_counter()
    for i in range(batches):
        with connect(db) as con:
            con.begin()
            upsert(con, claims[i * rows : (i + 1) * rows])
            con.commit()
    return batches / (time.perf_counter() - start)


def load_figures(
    workdir: Path, rows: int, repeats: int, batches: int, batch_rows: int
) -> dict[str, Any]:
    """Rows/s of one bulk upsert and load transactions/s, for the file and a lake with a file catalog."""
    os.environ.pop("CLAIMWATCH_LAKE_DATA", None)
    file_rate, file_runs = _upsert_rate(str(workdir / "file-{i}.duckdb"), rows, repeats)
    lake_rate, lake_runs = _upsert_rate(f"ducklake:{workdir}/lake-{{i}}.ducklake", rows, repeats)
    return {
        "upsert_rows": rows,
        "file_rows_per_s": round(file_rate),
        "lake_rows_per_s": round(lake_rate),
        "lake_over_file": round(file_rate / lake_rate, 2),
        "file_runs_s": [round(x, 3) for x in file_runs],
        "lake_runs_s": [round(x, 3) for x in lake_runs],
        "batch_rows": batch_rows,
        "file_batches_per_s": round(
            _batch_rate(str(workdir / "batches.duckdb"), batches, batch_rows), 2
        ),
        "lake_batches_per_s": round(
            _batch_rate(f"ducklake:{workdir}/batches.ducklake", batches, batch_rows), 2
        ),
    }


def writer_figures(workdir: Path, repetitions: int, batch: int = BATCH) -> dict[str, Any]:
    """Two concurrent writers into a lake on PostgreSQL, `repetitions` times, against one file."""
    from bench.postgres import find_bindir, postgres

    if find_bindir() is None or not ECB.is_dir():
        return {"skipped": "no PostgreSQL binaries or no ECB+ corpus"}
    reps = []
    names = tuple(f"lake{i}" for i in range(repetitions)) + ("lake_one",)
    with postgres(workdir / "pg", names) as server:
        for i in range(repetitions):
            env = {**os.environ, "CLAIMWATCH_LAKE_DATA": str(workdir / f"lake{i}-data")}
            lake = f"ducklake:postgres:{server.libpq(f'lake{i}')}"
            start = time.perf_counter()
            writers = run_writers(lake, ECB, env, batch)
            wall = time.perf_counter() - start
            os.environ["CLAIMWATCH_LAKE_DATA"] = env["CLAIMWATCH_LAKE_DATA"]
            order = commit_order(lake)
            file_db = str(workdir / f"one-writer-{i}.duckdb")
            targets = [file_db]
            if (
                i == 0
            ):  # the same batches by one writer into a lake on PostgreSQL and a file catalog
                targets += [
                    f"ducklake:postgres:{server.libpq('lake_one')}",
                    f"ducklake:{workdir}/one.ducklake",
                ]
            seconds = single_writer_file(targets, ECB, batch, order=order)
            check = compare(lake, file_db, writers)
            rep = {"wall_s": round(wall, 2), "one_writer_file_load_s": round(seconds[0], 2),
                   "batches_committed": len(order), **check.__dict__}  # fmt: skip
            if i == 0:
                rep["one_writer_postgres_lake_load_s"] = round(seconds[1], 2)
                rep["one_writer_file_lake_load_s"] = round(seconds[2], 2)
            reps.append(rep)
    first = reps[0]
    batches = first["batches_committed"]
    # load+detect transactions per second: one writer each way, and the two writers together
    two = [max(w["load_s"] for w in r["writers"]) for r in reps]
    return {
        "batches": batches,
        "articles": sum(w["articles"] for w in first["writers"]),
        "file_batches_per_s": round(batches / first["one_writer_file_load_s"], 3),
        "postgres_lake_batches_per_s": round(batches / first["one_writer_postgres_lake_load_s"], 3),
        "file_lake_batches_per_s": round(batches / first["one_writer_file_lake_load_s"], 3),
        "two_writers_batches_per_s": round(batches / median(two), 3),
        "conflicts_retried": [sum(w["conflicts_retried"] for w in r["writers"]) for r in reps],
        "repetitions": reps,
        "lost_total": sum(r["lost"] for r in reps),
        "doubled_total": sum(r["doubled"] for r in reps),
        "contradictions_missing_total": sum(r["contradictions_missing"] for r in reps),
        "stories_differ_total": sum(r["stories_differ"] for r in reps),
    }


def unavailable() -> str | None:
    """Why a lake cannot be opened here (None when it can): the ducklake wheel must match DuckDB."""
    from warehouse.extensions import unavailable as missing

    return missing("ducklake")


def figures(work: Path, quick: bool = False, repetitions: int = 3) -> dict[str, Any]:
    """The sub-bench: load rates of lake and file, then two writers into a lake on PostgreSQL."""
    missing = unavailable()
    if missing:
        return {"skipped": missing}
    rows, repeats, batches = (2_000, 1, 5) if quick else (100_000, 3, 40)
    return {
        "load": load_figures(work / "load", rows, repeats, batches, 300),
        "writers": writer_figures(work / "writers", 1 if quick else repetitions),
    }


def summary(result: dict[str, Any]) -> str:
    """One line of the sub-bench's figures."""
    if "skipped" in result:
        return f"skipped ({result['skipped']})"
    load, writers = result["load"], result["writers"]
    line = (
        f"upsert {load['lake_rows_per_s']:,} rows/s (file {load['file_rows_per_s']:,}), "
        f"{load['lake_batches_per_s']} batches/s (file {load['file_batches_per_s']})"
    )
    if "skipped" in writers:
        return line + f"; writers skipped ({writers['skipped']})"
    return line + (
        f"; {len(writers['repetitions'])} x two writers: lost {writers['lost_total']}, "
        f"doubled {writers['doubled_total']}, stories differ {writers['stories_differ_total']}"
    )


def main(argv: list[str] | None = None) -> int:
    """One writer process, or the DuckLake sub-bench (JSON on stdout)."""
    parser = argparse.ArgumentParser(prog="python -m bench.lake", description=__doc__)
    sub = parser.add_subparsers(dest="cmd")
    w = sub.add_parser("writer")
    w.add_argument("--db", required=True)
    w.add_argument("--root", type=Path, required=True)
    w.add_argument("--topics", required=True)
    w.add_argument("--batch", type=int, default=BATCH)
    w.add_argument("--part", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    if args.cmd == "writer":
        topics = tuple(args.topics.split(","))
        print(json.dumps(write_ecb(args.db, args.root, topics, args.batch, args.part, WRITERS)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-lake-") as tmp:
        result = figures(Path(tmp), args.quick, args.repetitions)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
