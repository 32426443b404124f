"""Storing one batch of extracted articles and detecting its contradictions, atomically."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING

import duckdb

from detection.alerts import build_alerts
from detection.pairing import detect
from detection.stories import assign_stories
from records import Alert, Article, Claim, Entity, Mention
from extractors.claims import Extraction
from warehouse.lake import in_transaction
from warehouse.loading import upsert
from warehouse.store import connect

if TYPE_CHECKING:
    from ingest.stages import RunFetches


def load_and_detect_batch(
    db: str,
    articles: list[Article],
    extractions: list[Extraction],
    fetches: RunFetches | None = None,
) -> tuple[int, int, list[Alert]]:
    """Load one batch and detect its contradictions in a single transaction (with its fetch rows, if given).

    On a DuckLake warehouse with concurrent writers the whole transaction is run again when
    DuckLake refuses its commit for a conflict (warehouse.lake.in_transaction).
    """

    with connect(db) as con:
        # a batch is many small statements, and the pool's workers hold the other cores: a
        # second DuckDB thread only contends (ECB+ batches: 38.7 -> 33.7 ms an article,
        # `python -m bench.loaddetect time --ecb`)
        con.execute("SET threads = 1")

        def work() -> tuple[int, int, list[Alert]]:
            result = load_and_detect(con, articles, extractions)
            if fetches is not None:  # a killed run keeps the record of what it stored
                fetches.write(con)
            return result

        return in_transaction(con, work)


def load_and_detect(
    con: duckdb.DuckDBPyConnection, articles: list[Article], extractions: list[Extraction]
) -> tuple[int, int, list[Alert]]:
    """Store a batch, assign its stories, detect and build alerts in the caller's transaction."""
    entities = [e for x in extractions for e in x.entities]
    mentions = [m for x in extractions for m in x.mentions]
    claims: list[Claim] = [c for x in extractions for c in x.claims]
    stored = {
        r[0]
        for r in con.execute(
            "SELECT article_id FROM articles WHERE list_contains(?, article_id)",
            [[a.article_id for a in articles]],
        ).fetchall()
    }
    fresh_ids = {a.article_id for a in articles} - stored
    mapping = resolve_bare_names(con, entities)
    entities, mentions, claims = _apply(mapping, entities, mentions, claims)
    new_claims = [c for c in claims if c.article_id in fresh_ids]
    fresh = [
        (a, x) for a, x in zip(articles, extractions, strict=True) if a.article_id in fresh_ids
    ]
    upsert(con, [a for a, _ in fresh])
    upsert(con, merge_entities(con, entities))
    upsert(con, [m for m in mentions if m.article_id in fresh_ids])
    # each new article joins a story before its claims are compared: event facts meet only
    # the claims of their own story
    story_of = assign_stories(con, [a for a, _ in fresh], [x for _, x in fresh])
    new_claims = [_with_story(c, story_of.get(c.article_id)) for c in new_claims]
    claims_new = upsert(con, new_claims)
    contradictions, links = detect(con, new_claims)
    contradictions_new = upsert(con, contradictions)
    upsert(con, links)
    keys = {(c.topic, c.subject_id, c.attribute, c.story_id) for c in contradictions}
    alerts = build_alerts(con, keys)
    upsert(con, alerts)
    return claims_new, contradictions_new, alerts


def _with_story(claim: Claim, story_id: str | None) -> Claim:
    # the same record as dataclasses.replace gives, without running the frozen __init__ over
    # all 28 fields again (a batch holds thousands of claims)
    new = copy.copy(claim)
    object.__setattr__(new, "story_id", story_id)
    return new


def resolve_bare_names(
    con: duckdb.DuckDBPyConnection, entities: list[Entity]
) -> dict[str, tuple[str, str]]:
    """Map a one-word person or organisation ('Massoud', 'NRF') to the stored entity that has it as an alias.

    An article that only says "Massoud" gets the same subject as earlier articles that
    introduced "Ahmad Massoud"; when several stored entities share the alias (a father and
    a son), the name stays unresolved rather than guessed.
    """
    bare = {e.entity_id: e for e in entities if e.type in ("PERSON", "ORG") and " " not in e.name}
    if not bare:
        return {}
    names = sorted({e.name for e in bare.values()})
    rows = con.execute(
        "SELECT entity_id, name, type, aliases FROM entities WHERE list_has_any(aliases, ?) AND name LIKE '% %'",
        [names],
    ).fetchall()
    mapping: dict[str, tuple[str, str]] = {}
    for eid, e in bare.items():
        hits = {(r[0], r[1]) for r in rows if r[2] == e.type and e.name in r[3] and r[0] != eid}
        if len(hits) == 1:
            mapping[eid] = hits.pop()
    return mapping


def _apply(
    mapping: dict[str, tuple[str, str]],
    entities: list[Entity],
    mentions: list[Mention],
    claims: list[Claim],
) -> tuple[list[Entity], list[Mention], list[Claim]]:
    if not mapping:
        return entities, mentions, claims
    kept = [e for e in entities if e.entity_id not in mapping]
    # the bare name becomes one more alias of the stored entity
    kept += [
        Entity(mapping[e.entity_id][0], mapping[e.entity_id][1], e.type, e.aliases)
        for e in entities
        if e.entity_id in mapping
    ]
    mentions = [
        replace(m, entity_id=mapping[m.entity_id][0]) if m.entity_id in mapping else m
        for m in mentions
    ]
    claims = [
        replace(c, subject_id=mapping[c.subject_id][0], subject=mapping[c.subject_id][1])
        if c.subject_id in mapping
        else c
        for c in claims
    ]
    return kept, mentions, claims


def merge_entities(con: duckdb.DuckDBPyConnection, entities: list[Entity]) -> list[Entity]:
    """Union the aliases of entities seen in this batch with those already stored."""
    merged: dict[str, Entity] = {}
    for e in entities:
        prev = merged.get(e.entity_id)
        aliases = set(e.aliases) | (set(prev.aliases) if prev else set())
        name = prev.name if prev and len(prev.name) >= len(e.name) else e.name
        merged[e.entity_id] = Entity(e.entity_id, name, e.type, tuple(sorted(aliases)))
    if not merged:
        return []
    rows = con.execute(
        "SELECT entity_id, name, aliases FROM entities WHERE list_contains(?, entity_id)",
        [list(merged)],
    ).fetchall()
    for eid, name, aliases in rows:
        e = merged[eid]
        merged[eid] = Entity(eid, name, e.type, tuple(sorted(set(e.aliases) | set(aliases))))
    return list(merged.values())
