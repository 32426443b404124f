"""Retention: drop raw HTML after a while, keep articles' text, claims and evidence."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warehouse.pages import remove_pages
from warehouse.store import connect

_AGE_RE = re.compile(r"^(\d+)\s*([dhw])$")


def parse_age(text: str) -> timedelta:
    """Parse an age like '90d', '12h' or '2w'."""
    m = _AGE_RE.match(text.strip().lower())
    if not m:
        raise ValueError(f"age must look like 90d, 12h or 2w, not {text!r}")
    n, unit = int(m.group(1)), m.group(2)
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]


def prune_raw_html(db: str | Path, older_than: timedelta) -> int:
    """Remove raw HTML of articles fetched before now - older_than; returns rows pruned."""
    cutoff = datetime.now(UTC) - older_than
    with connect(db) as con:
        rows = con.execute(
            "SELECT p.article_id, p.path FROM article_pages p JOIN articles a USING (article_id) "
            "WHERE a.fetched_at < ?",
            [cutoff],
        ).fetchall()
        con.begin()
        n = remove_pages(con, rows)
        con.commit()
        con.execute("CHECKPOINT")
    return n
