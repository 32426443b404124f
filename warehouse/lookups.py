"""Index lookups the detector needs: stored claims that share a subject and attribute."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import duckdb
import pyarrow as pa

from records import Claim
from warehouse.store import registered

_CLAIM_COLUMNS = [f.name for f in dataclasses.fields(Claim)]


MAX_CLAIMS_PER_KEY = 200


def claims_by_key(
    con: duckdb.DuckDBPyConnection,
    keys: Iterable[tuple[str, str, str | None]],
    per_key: int = MAX_CLAIMS_PER_KEY,
) -> list[tuple[Claim, str]]:
    """Return the most recent stored claims (with their article's canonical URL) for each key.

    A key is (subject, attribute, story): a story of None matches claims of every story.
    """
    keys = sorted(set(keys), key=lambda k: (k[0], k[1], k[2] or ""))
    if not keys:
        return []
    wanted = pa.table(
        {
            "subject_id": [k[0] for k in keys],
            "attribute": [k[1] for k in keys],
            "story_id": pa.array([k[2] for k in keys], pa.string()),
        }
    )
    cols = ", ".join(f'c."{c}"' for c in _CLAIM_COLUMNS)
    with registered(con, "_wanted", wanted):
        # an equi-join on the indexed (subject_id, attribute) pair, narrowed to the story for
        # event facts: cost grows with the
        # number of matching claims, not with the size of the table; a busy key (a much
        # reported figure) is capped at its most recent claims so a batch's cost stays bounded
        result = con.execute(
            f"""
            SELECT {cols}, a.canonical_url
            FROM _wanted w
            JOIN claims c ON c.subject_id = w.subject_id AND c.attribute = w.attribute
                AND (w.story_id IS NULL OR c.story_id = w.story_id)
            LEFT JOIN articles a ON a.article_id = c.article_id
            QUALIFY row_number() OVER (
                PARTITION BY w.subject_id, w.attribute, w.story_id
                ORDER BY c.published DESC NULLS LAST, c.claim_id
            ) <= ?
            """,
            [per_key],
        )
        return _claims(result)


MAX_SENTENCES_PER_STORY = 2000


def claims_of_stories(
    con: duckdb.DuckDBPyConnection,
    story_ids: Iterable[str],
    per_story: int = MAX_SENTENCES_PER_STORY,
) -> list[tuple[Claim, str]]:
    """One stored claim per stated sentence of each story (a statement where the sentence has
    one), most recent first, with its article's canonical URL: what a refutation may refute."""
    stories = sorted(set(story_ids))
    if not stories:
        return []
    cols = ", ".join(f'c."{c}"' for c in _CLAIM_COLUMNS)
    result = con.execute(
        f"""
        SELECT {cols}, a.canonical_url FROM (
            SELECT * FROM claims
            WHERE story_id IN (SELECT unnest(?::VARCHAR[])) AND value_type <> 'refutation'
            QUALIFY row_number() OVER (
                PARTITION BY article_id, sentence
                ORDER BY value_type = 'statement' DESC, claim_id
            ) = 1
        ) c
        LEFT JOIN articles a ON a.article_id = c.article_id
        QUALIFY row_number() OVER (
            PARTITION BY c.story_id ORDER BY c.published DESC NULLS LAST, c.claim_id
        ) <= ?
        """,
        [stories, per_story],
    )
    return _claims(result)


_FETCH_ROWS = 2048


def _claims(result: duckdb.DuckDBPyConnection) -> list[tuple[Claim, str]]:
    """Claims (and their article's URL) from a query's rows, read a slice at a time.

    Claims of one key or story repeat their article's id, URL, outlet and sentence, and
    copies of a wire story repeat one another's texts: each distinct string is kept once
    rather than once per row (a batch meets tens of thousands of stored claims).
    """
    n = len(_CLAIM_COLUMNS)
    seen: dict[str, str] = {}
    out: list[tuple[Claim, str]] = []
    while rows := result.fetchmany(_FETCH_ROWS):
        for row in rows:
            values: list[Any] = [seen.setdefault(v, v) if isinstance(v, str) else v for v in row]
            claim = Claim(**dict(zip(_CLAIM_COLUMNS, values[:n], strict=True)))
            out.append((claim, values[n] or ""))
    return out
