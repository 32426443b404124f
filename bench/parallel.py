"""Extraction on two processes, three ways: spaCy's nlp.pipe(n_process), our StagePool, Prefect's process runner.

Run as a subprocess (`python -m bench.parallel ARTICLES.pkl LIMIT`) so each way starts from a
fresh interpreter state; prints one JSON object. Every way must give the one-process claims.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from bench.corpus import is_english, word_count
from bench.workers import emit
from claimwatch.pool import EXTRACT_CHUNK, StagePool, cores
from extractors.claims import Extraction, bounded, extract_articles, extract_doc
from extractors.pipeline import load_nlp
from records import Article


def _claims(extractions: list[Extraction]) -> list[str]:
    return [c.claim_id for x in extractions for c in x.claims]


def spacy_n_process(articles: list[Article], processes: int) -> list[Extraction]:
    """Parse with nlp.pipe(n_process=N); the claim rules run on the parsed docs in this process."""
    nlp, _ = load_nlp()
    cuts = [bounded(a)[0] for a in articles]
    docs = nlp.pipe((a.text for a in cuts), n_process=processes, batch_size=EXTRACT_CHUNK)
    return [extract_doc(a, doc) for a, doc in zip(cuts, docs, strict=True)]


def prefect_processes(articles: list[Article], processes: int) -> list[Extraction]:
    """Extract chunks as tasks of a flow on Prefect's ProcessPoolTaskRunner."""
    from prefect import flow
    from prefect.task_runners import ProcessPoolTaskRunner

    from flows.monitor import extract_claims

    @flow(task_runner=ProcessPoolTaskRunner(max_workers=processes), log_prints=False)  # type: ignore[arg-type]
    def extract_flow(chunks: list[list[Article]]) -> list[Extraction]:
        futures = [extract_claims.submit(c) for c in chunks]
        return [x for f in futures for x in f.result()[0]]

    chunks = [articles[i : i + EXTRACT_CHUNK] for i in range(0, len(articles), EXTRACT_CHUNK)]
    return extract_flow(chunks)


def compare(articles: list[Article], processes: int) -> dict[str, Any]:
    """Time each way over the same articles; check each gives the one-process claims."""
    nlp, _ = load_nlp()
    out: dict[str, Any] = {"articles": len(articles), "processes": processes}
    out["words"] = sum(word_count(a.text) for a in articles)
    extract_articles(
        articles[:EXTRACT_CHUNK], nlp
    )  # the rules' lazily built tables, as workers get
    start = time.perf_counter()
    reference = _claims(extract_articles(articles, nlp))
    out["one_process_s"] = time.perf_counter() - start
    start = time.perf_counter()
    got = _claims(spacy_n_process(articles, processes))
    out["spacy_n_process_s"] = time.perf_counter() - start
    out["spacy_n_process_same"] = got == reference
    start = time.perf_counter()
    with StagePool(processes) as pool:
        pool.extract(articles[:1] * EXTRACT_CHUNK * processes)  # start the workers
        out["pool_start_s"] = time.perf_counter() - start
        start = time.perf_counter()
        got = _claims(pool.extract(articles))
        out["pool_s"] = time.perf_counter() - start
    out["pool_same"] = got == reference
    prefect_articles = [dataclasses.replace(a, raw_html=None) for a in articles]
    prefect_processes(prefect_articles[:2], processes)  # starts Prefect's temporary API
    start = time.perf_counter()
    got = _claims(prefect_processes(prefect_articles, processes))
    out["prefect_s"] = time.perf_counter() - start
    out["prefect_same"] = got == reference
    return out


if __name__ == "__main__":
    with Path(sys.argv[1]).open("rb") as fh:
        loaded: list[Article] = pickle.load(fh)
    english = [dataclasses.replace(a, raw_html=None) for a in loaded if is_english(a.text)]
    emit(compare(english[: int(sys.argv[2])], max(2, cores())))
