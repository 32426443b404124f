"""The real article pages the benchmarks serve: fundus and newspaper4k test pages from ../shared."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE_SETS = ("fundus_parser_testdata", "newspaper4k_testdata")
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|to|in|that|is|was|said)\b", re.IGNORECASE)


class CorpusMissing(RuntimeError):
    """The shared article pages are not beside the checkout."""


@dataclass(frozen=True)
class SourcePage:
    """One real page: where it is served from and its decompressed HTML bytes."""

    slug: str
    outlet: str
    body: bytes


def articles_dir(shared: Path = SHARED) -> Path:
    """Return the folder of shared article pages, or raise CorpusMissing with a clear message."""
    folder = shared / "data" / "articles"
    if not all((folder / name).is_dir() for name in ARTICLE_SETS):
        raise CorpusMissing(
            f"{folder} lacks {' and '.join(ARTICLE_SETS)}: the benchmarks serve those real pages"
        )
    return folder


def load_pages(shared: Path = SHARED, limit: int | None = None) -> list[SourcePage]:
    """Read every fundus and newspaper4k page (decompressed), in a stable order."""
    folder = articles_dir(shared)
    paths = sorted((folder / "fundus_parser_testdata").glob("*/*.html.gz"))
    paths += sorted((folder / "newspaper4k_testdata" / "html").glob("*.html.gz"))
    if limit:  # spread the sample over outlets and languages rather than taking the first ones
        paths = paths[:: max(1, len(paths) // limit)][:limit]
    pages = []
    for path in paths:
        stem = path.name.removesuffix(".html.gz")
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{path.parent.name}-{stem}")
        outlet = stem.split("_")[0]
        pages.append(SourcePage(slug=slug, outlet=outlet, body=gzip.decompress(path.read_bytes())))
    return pages


def is_english(text: str) -> bool:
    """Return whether a cleaned text reads as English (common function words are dense)."""
    words = max(1, len(text.split()))
    return len(_ENGLISH_WORDS.findall(text)) / words > 0.08


def word_count(text: str) -> int:
    """Return the number of whitespace-separated words in a text."""
    return len(text.split())
