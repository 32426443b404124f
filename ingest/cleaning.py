"""Cleaning pages with trafilatura: bytes in (charset from header, meta tag or detection), text and metadata out."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer
import lxml.html
import trafilatura
from htmldate import find_date

from records import Article, stable_id
from ingest.feeds import gunzip
from ingest.fetching import looks_binary
from ingest.languages import guess_language
from ingest.urls import canonical_url

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# labels pages declare that browsers read as a superset (WHATWG encoding standard)
_SUPERSETS = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
              "us-ascii": "cp1252", "iso-8859-9": "cp1254", "gb2312": "gb18030", "gbk": "gb18030",
              "x-sjis": "shift_jis", "tis-620": "cp874", "iso-8859-11": "cp874"}  # fmt: skip


MIN_WORDS = 10  # fewer words than this is a menu, a paywall stub or an error page, not an article


@dataclass(frozen=True)
class CleanFailure:
    """A page that yielded no article, and why."""

    url: str
    reason: str


@dataclass(frozen=True)
class Cleaned:
    """The article body and metadata trafilatura found in a page."""

    text: str
    title: str | None
    author: str | None
    date: str | None
    sitename: str | None
    language: str | None
    charset: str  # the encoding used and where it came from, e.g. "cp1252 (meta)"
    html: str  # the decoded page


def content_hash(text: str) -> str:
    """Return the digest of an article's normalised text."""
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    name = _SUPERSETS.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_page(content: bytes, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """Decode page bytes: byte-order mark, then HTTP charset, then meta tag, then detection."""
    for bom, bom_codec in _BOMS:
        if content.startswith(bom):
            return content.decode(bom_codec, "replace"), f"{bom_codec} (byte-order mark)"
    header = (headers or {}).get("content-type", "")
    found = _HEADER_CHARSET.search(header)
    head = content[:4096]
    meta = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = [
        (_codec(found.group(1) if found else None), "header"),
        (_codec(meta.group(1) if meta else None), "meta"),
    ]
    for codec, origin in candidates:
        if codec is None:
            continue
        try:
            # strict: a declared charset the bytes do not fit is wrong (servers often lie)
            return content.decode(codec), f"{codec} ({origin})"
        except UnicodeDecodeError:
            continue
    try:
        return content.decode("utf-8"), "utf-8 (valid)"
    except UnicodeDecodeError:
        pass
    for codec, origin in candidates:
        # a declared charset with a stray bad byte or two is still the page's charset
        if codec is not None:
            lenient = content.decode(codec, "replace")
            if lenient.count("\ufffd") <= max(3, len(lenient) // 2000):
                return lenient, f"{codec} ({origin}, bad bytes replaced)"
    matches = list(charset_normalizer.from_bytes(content[:200_000]))
    if matches:
        best = matches[0]
        # single-byte code pages are hard to tell apart on short pages; windows-1252 is the
        # web's own fallback (WHATWG), so it wins when it reads the bytes about as well
        western = next((m for m in matches if _codec(m.encoding) == "cp1252"), None)
        if (
            western is not None
            and western.chaos <= best.chaos + 0.01
            and not best.encoding.startswith(("utf", "big5", "gb", "shift", "euc", "iso2022"))
        ):
            best = western
        codec = _codec(best.encoding) or "utf-8"
        return content.decode(codec, "replace"), f"{codec} (detected)"
    return content.decode("utf-8", "replace"), "utf-8 (fallback, bytes replaced)"


# where a page names its own address: htmldate reads a date from it ('.../2022/07/141_333387.html'
# became 2022-07-14), which is the path's digits, not the outlet's date
URL_HINTS = '//link[@rel="canonical"] | //meta[@property="og:url"] | //meta[@name="twitter:url"]'


def _date_without_urls(html: str) -> str | None:
    """Return the page's date as its markup and text give it, never from a URL."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for element in tree.xpath(URL_HINTS):
        element.getparent().remove(element)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    found = find_date(tree, url="", original_date=True, extensive_search=True, max_date=today)
    return found if isinstance(found, str) else None


def _page_date(date: str | None, html: str, url: str) -> str | None:
    if not date:
        return None
    # one search for the year inside an attribute value, not a list of every value with four
    # digits (that list took about 80 ms a page on the benchmark pages, more than a third of
    # trafilatura's own time)
    year = re.escape(date[:4])
    in_page = re.search(rf"""(?:href|content)=["'][^"']*?{year}[^"']*["']""", html[:200_000])
    if date[:4] not in url and not in_page:
        return date  # no address of the page holds the year: the date is not from one
    return _date_without_urls(html)


def _field(doc: Any, name: str) -> str | None:
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def extract(
    content: bytes, url: str, headers: dict[str, str] | None = None
) -> Cleaned | CleanFailure:
    """Extract an article body and metadata from page bytes; failures carry their reason."""
    try:
        content = gunzip(content, 20 * 1024 * 1024)
    except Exception as exc:
        return CleanFailure(url, f"broken gzip body: {exc}")
    if not content.strip():
        return CleanFailure(url, "empty body")
    if looks_binary(content):
        return CleanFailure(url, "binary body, not a page")
    html, charset = decode_page(content, headers)
    # an XML declaration naming an encoding makes lxml refuse an already-decoded string
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura raises on some malformed markup
        return CleanFailure(url, f"extraction error: {type(exc).__name__}: {exc}")
    body = _field(doc, "text") if doc is not None else None
    if doc is None or not body:
        return CleanFailure(url, f"no article text found (decoded as {charset})")
    return Cleaned(
        text=body,
        title=_field(doc, "title"),
        author=_field(doc, "author"),
        date=_page_date(_field(doc, "date"), html, url),
        sitename=_field(doc, "sitename"),
        language=_field(doc, "language"),
        charset=charset,
        html=html,
    )


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def clean_page(
    content: bytes,
    url: str,
    topic: str,
    outlet: str | None = None,
    feed_published: datetime | None = None,
    keep_html: bool = True,
    headers: dict[str, str] | None = None,
    final_url: str | None = None,
) -> Article | CleanFailure:
    """Extract an article from raw page bytes; url is as listed, final_url where redirects ended."""
    doc = extract(content, final_url or url, headers)
    if isinstance(doc, CleanFailure):
        return doc
    words = len(doc.text.split())
    if words < MIN_WORDS:
        return CleanFailure(
            url, f"no article text found (only {words} words: navigation or a stub)"
        )
    text = doc.text
    title = doc.title
    if title and not text.startswith(title):
        # the headline names the article's protagonist; keep it with the text it heads
        text = f"{title}\n\n{text}"
    canon = canonical_url(final_url or url)
    digest = content_hash(text)
    site = outlet or doc.sitename or urlsplit(final_url or url).hostname or "unknown"
    published = _parse_date(doc.date) or feed_published
    if feed_published and published and published.date() == feed_published.date():
        published = feed_published  # trafilatura keeps the day only; the feed has the time
    return Article(
        article_id=stable_id(canon, digest),
        topic=topic,
        url=url,
        canonical_url=canon,
        outlet=site,
        title=title,
        author=doc.author,
        published=published,
        language=doc.language or guess_language(doc.text),
        text=text,
        content_hash=digest,
        fetched_at=datetime.now(UTC),
        source_key=site,
        raw_html=doc.html if keep_html else None,
    )


@dataclass(frozen=True)
class CleanJob:
    """One fetched page to clean: the arguments of clean_page."""

    content: bytes
    url: str
    topic: str
    final_url: str | None = None
    outlet: str | None = None
    feed_published: datetime | None = None
    headers: dict[str, str] | None = None


def clean_job(job: CleanJob) -> Article | CleanFailure:
    """Clean one page as described by a job (what a worker process runs)."""
    return clean_page(
        job.content,
        job.url,
        job.topic,
        final_url=job.final_url,
        outlet=job.outlet,
        feed_published=job.feed_published,
        headers=job.headers,
    )
