"""A background archive of real articles that labelled pairs are checked on top of (the crowd)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from spacy.language import Language

from claimwatch.batches import load_and_detect
from evaluation.corpora import ecb_article, ecb_files, page_articles, read_ecb
from extractors.claims import extract_articles
from records import Article

# the pairs and the archive share one topic: the archive's stories are the pairs' neighbours
EVAL_TOPIC = "eval"
BATCH = 50


def is_ecb_root(path: Path) -> bool:
    """Whether a folder is ECB+'s folder of topic folders of token XML."""
    return path.is_dir() and any(path.glob("*/*ecb*.xml"))


def archive_articles(paths: list[Path]) -> list[Article]:
    """The archive's articles: ECB+ documents and cleaned pages, in file order."""
    articles: list[Article] = []
    for path in paths:
        if is_ecb_root(path):
            articles += [ecb_article(read_ecb(f), EVAL_TOPIC) for f in ecb_files(path)]
        elif path.is_dir() and any(path.glob("*ecb*.xml")):  # one ECB+ topic folder
            files = ecb_files(path.parent, {path.name})
            articles += [ecb_article(read_ecb(f), EVAL_TOPIC) for f in files]
        else:
            articles += list(page_articles([path], EVAL_TOPIC))
    return articles


def load_archive(con: duckdb.DuckDBPyConnection, paths: list[Path], nlp: Language) -> int:
    """Load the archive through the product path (stories, detection) and return its size."""
    articles = archive_articles(paths)
    for i in range(0, len(articles), BATCH):
        batch = articles[i : i + BATCH]
        con.begin()
        try:
            load_and_detect(con, batch, extract_articles(batch, nlp))
            con.commit()
        except Exception:
            con.rollback()
            raise
    return len(articles)
