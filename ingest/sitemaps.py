"""Reading XML sitemaps, sitemap indexes and Google News sitemaps into items."""

from __future__ import annotations

import zlib

from lxml import etree

from ingest.feeds import FeedItem, FeedResult, gunzip, parse_date, web_url

MAX_CHILDREN = 50  # child sitemaps read per index, newest first


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *path: str) -> str | None:
    node: etree._Element | None = element
    for name in path:
        node = next((c for c in node if _local(c.tag) == name), None) if node is not None else None
    text = node.text if node is not None else None
    return text.strip() if text and text.strip() else None


def is_sitemap(content: bytes) -> bool:
    """Return whether XML bytes look like a sitemap or sitemap index."""
    head = content[:2048]
    return b"<urlset" in head or b"<sitemapindex" in head


def parse_sitemap(content: bytes, sitemap_url: str) -> FeedResult:
    """Parse a sitemap (or index, or Google News sitemap, or plain-text URL list); never raises."""
    try:
        content = gunzip(content)
    except (ValueError, zlib.error, EOFError) as exc:
        return FeedResult([], f"not a sitemap (broken gzip: {exc})")
    # no entities, no network, no huge trees: a sitemap is untrusted input
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return _text_sitemap(content, sitemap_url)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        return FeedResult([], f"not a sitemap (root element <{kind}>)")
    items: list[FeedItem] = []
    children: list[tuple[str, str]] = []
    for entry in root:
        loc = web_url(_child_text(entry, "loc"), sitemap_url)
        if not loc:
            continue
        if _local(entry.tag) == "sitemap":
            children.append((_child_text(entry, "lastmod") or "", loc))
        elif _local(entry.tag) == "url":
            published = parse_date(_child_text(entry, "news", "publication_date")) or parse_date(
                _child_text(entry, "lastmod")
            )
            title = _child_text(entry, "news", "title")
            outlet = _child_text(entry, "news", "publication", "name")
            items.append(FeedItem(loc, title, published, sitemap_url, outlet))
    error = "; ".join(f"line {e.line}: {e.message}" for e in list(parser.error_log)[:3]) or None
    newest = tuple(loc for _, loc in sorted(children, reverse=True)[:MAX_CHILDREN])
    if not items and not newest and error is None:
        error = "empty sitemap"
    return FeedResult(items, error, newest)


def _text_sitemap(content: bytes, sitemap_url: str) -> FeedResult:
    lines = content.decode("utf-8", "replace").splitlines()
    urls = [
        u
        for u in (web_url(line, sitemap_url) for line in lines if line.strip().startswith("http"))
        if u
    ]
    if not urls:
        return FeedResult([], "not a sitemap (neither XML nor a list of URLs)")
    return FeedResult([FeedItem(u, None, None, sitemap_url) for u in urls], None)
