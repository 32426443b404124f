"""Real article corpora for evaluation: ECB+ documents and the shared article pages, as Articles."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.cleaning import CleanFailure, clean_page, content_hash
from records import Article, stable_id

_T0 = datetime(2000, 1, 1, tzinfo=UTC)  # fetched_at only; ECB+ has no publication dates
_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "'re", "'ve",
                    "'ll", "'d", "'m", "''", "’s"}  # fmt: skip
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "#"}


@dataclass(frozen=True)
class EcbDocument:
    """One ECB+ document: its name, gold topic and sub-topic, text and sentence offsets."""

    name: str  # e.g. '1_10ecbplus'
    topic: str  # '1'
    subtopic: str  # '1_ecb' or '1_ecbplus'
    text: str
    sentence_starts: tuple[int, ...]  # character offset of each ECB+ sentence number

    def sentence_at(self, offset: int) -> int:
        """The ECB+ sentence number that holds a character offset."""
        number = 0
        for i, start in enumerate(self.sentence_starts):
            if start <= offset:
                number = i
            else:
                break
        return number


def _detokenise(tokens: list[str]) -> str:
    out = ""
    prev = ""
    for tok in tokens:
        tight = (
            tok in _NO_SPACE_BEFORE
            or prev in _NO_SPACE_AFTER
            or tok in {"-", "/", "’", "'"}
            or prev in {"-", "/", "’", "'"}
            or (prev == ":" and tok[:1].isdigit() and out[-2:-1].isdigit())
            or (tok == ":" and prev[-1:].isdigit())
            # ECB+ splits decimals ('6', '.', '4'): a point between digits is one number
            or (prev == "." and tok[:1].isdigit() and out[-2:-1].isdigit())
            # and thousands ('100', ',', '000')
            or (prev == "," and len(tok) == 3 and tok.isdigit() and out[-2:-1].isdigit())
        )
        if out and not tight:
            out += " "
        out += tok
        prev = tok
    out = out.replace("``", '"').replace("''", '"')
    # a web address split at its dots ('www. example. com/...') is one word again
    while True:
        joined = _URL_DOT.sub(r"\1.", out)
        if joined == out:
            return out
        out = joined


_URL_DOT = re.compile(r"(\b(?:https?://|www\.)\S*?)\. (?=[\w/])")


def _doc_key(path: Path) -> tuple[int, int, int]:
    m = re.match(r"(\d+)_(\d+)(ecb|ecbplus)\.xml$", path.name)
    if not m:
        return (10**9, 0, 0)
    return (int(m.group(1)), int(m.group(2)), 0 if m.group(3) == "ecb" else 1)


def ecb_files(root: Path, topics: set[str] | None = None) -> list[Path]:
    """ECB+ document files in file order (topic, document number, ecb before ecbplus)."""
    files = [
        p
        for d in root.iterdir()
        if d.is_dir() and (topics is None or d.name in topics)
        for p in d.glob("*.xml")
    ]
    return sorted(files, key=_doc_key)


def read_ecb(path: Path) -> EcbDocument:
    """Read one ECB+ token-XML document into text with one line per sentence."""
    sentences: dict[int, list[str]] = {}
    for tok in ET.parse(path).getroot().iter("token"):
        sentences.setdefault(int(tok.get("sentence", "0")), []).append(tok.text or "")
    text, starts = "", []
    for number in range(max(sentences, default=-1) + 1):
        starts.append(len(text))
        text += _detokenise(sentences.get(number, [])) + "\n"
    name = path.stem
    topic = name.split("_", 1)[0]
    kind = "ecbplus" if name.endswith("ecbplus") else "ecb"
    return EcbDocument(name, topic, f"{topic}_{kind}", text.strip() + "\n", tuple(starts))


def ecb_article(doc: EcbDocument, topic: str) -> Article:
    """An ECB+ document as an undated article of its own outlet, as `claimwatch import` makes it."""
    url = f"ecbplus://{doc.name}"
    title = doc.text.split("\n", 1)[0].strip()
    digest = content_hash(doc.text)
    return Article(
        article_id=stable_id(url, digest), topic=topic, url=url, canonical_url=url,
        outlet=doc.name, title=title, author=None, published=None, language="en",
        text=doc.text, content_hash=digest, fetched_at=_T0, source_key=doc.name,
    )  # fmt: skip


def page_files(root: Path) -> list[Path]:
    """The HTML pages of the shared article sets (fundus, newspaper4k, Mozilla readability, ...)."""
    found = []
    for p in sorted(root.rglob("*")):
        name = p.name
        if not p.is_file():
            continue
        if name.endswith((".html", ".html.gz", ".htm")) and not name.startswith("expected"):
            found.append(p)
    return found


def page_articles(roots: list[Path], topic: str) -> Iterator[Article]:
    """Clean every page under the roots into an article (pages that fail to clean are skipped)."""
    for root in roots:
        for path in page_files(root):
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            url = f"page://{root.name}/{path.relative_to(root).as_posix()}"
            result = clean_page(data, url, topic, outlet=path.parent.name, keep_html=False)
            if isinstance(result, CleanFailure):
                continue
            # each page is its own outlet: the shared sets hold many sites
            yield Article(**{**result.__dict__, "outlet": url, "source_key": url})
