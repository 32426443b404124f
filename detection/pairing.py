"""Which stored claims a new claim is compared with, and the comparison of each pair."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb

from detection.compare import alignment, compare
from detection.decision import weigh
from detection import refutations
from detection.keys import Key, comparison_key
from records import Claim, ClaimLink, Contradiction
from warehouse.lookups import claims_by_key

# Agreeing links a new claim keeps: a wire story run by dozens of outlets would otherwise link
# every copy's claims with every earlier copy's, a count that grows with the square of the
# copies. Ten outlets that agree say what a reader needs; conflicts are always all kept.
AGREEING = frozenset({"agreement", "compatible"})
MAX_AGREEING_LINKS = 10


@dataclass(frozen=True)
class Candidates:
    """New claims with their comparison keys, and the stored claims each key holds."""

    keyed: list[tuple[Claim, Key]]
    by_key: dict[Key, list[tuple[Claim, str]]]  # key -> stored claims and their article URL
    urls: dict[str, str]  # claim id -> its article's canonical URL


def detect(
    con: duckdb.DuckDBPyConnection, new_claims: Sequence[Claim]
) -> tuple[list[Contradiction], list[ClaimLink]]:
    """Compare new claims (already stored) with stored claims under the same comparison key."""
    return decide(candidates(con, new_claims))


def candidates(con: duckdb.DuckDBPyConnection, new_claims: Sequence[Claim]) -> Candidates:
    """Look up, through the index, the stored claims under each new claim's comparison key."""
    keyed = [(c, k) for c in new_claims if (k := comparison_key(c)) is not None]
    # a refutation meets the stated sentences of its story, whatever their keys
    refuting, story_claims = refutations.candidates(con, new_claims)
    keyed += refuting
    by_key: dict[Key, list[tuple[Claim, str]]] = defaultdict(list)
    urls: dict[str, str] = {}
    for claim, url in claims_by_key(con, {k for _, k in keyed}):
        key = comparison_key(claim)
        if key is not None:
            by_key[key].append((claim, url))
            urls[claim.claim_id] = url
    for key, rows in story_claims.items():
        by_key[key] += rows
        urls.update((c.claim_id, u) for c, u in rows)
    return Candidates(keyed, dict(by_key), urls)


class ArticleOverlap:
    """For a new article and a stored one: the share of the new one's keys the stored one has.

    A rewrite or a summary of a stored article meets it under most of its keys; an independent
    report of the same story under a few. Computed only for the pairs asked about.
    """

    def __init__(self, found: Candidates) -> None:
        self.new_keys: dict[str, set[Key]] = defaultdict(set)
        for claim, key in found.keyed:
            self.new_keys[claim.article_id].add(key)
        self.stored_keys: dict[str, set[Key]] = defaultdict(set)
        for key, stored in found.by_key.items():
            for claim, _ in stored:
                self.stored_keys[claim.article_id].add(key)

    def share(self, new_article: str, stored_article: str) -> float:
        """The share of the new article's keys the stored article has (0 for itself)."""
        keys = self.new_keys.get(new_article)
        if not keys or new_article == stored_article:
            return 0.0
        return len(keys & self.stored_keys.get(stored_article, set())) / len(keys)


def decide(found: Candidates) -> tuple[list[Contradiction], list[ClaimLink]]:
    """Compare each new claim with its candidates: contradictions, and links that are not."""
    contradictions: dict[str, Contradiction] = {}
    links: dict[str, ClaimLink] = {}
    agreeing: dict[str, list[tuple[Claim, ClaimLink]]] = defaultdict(list)
    new_ids = {c.claim_id for c, _ in found.keyed}
    overlap = ArticleOverlap(found)
    last = {claim.claim_id: i for i, (claim, _) in enumerate(found.keyed)}
    for i, (claim, key) in enumerate(found.keyed):
        others = found.by_key.get(key, [])
        if key[1] == refutations.REFUTATION:
            refuting_claim = refutations.is_refutation(claim)
            others = (refutations.refuted if refuting_claim else refutations.refuting)(
                claim, others
            )
        elif claim.value_type == "statement":
            others = _best_aligned(claim, others)
        for other, url in others:
            if other.claim_id == claim.claim_id:
                continue
            if other.claim_id in new_ids and other.claim_id < claim.claim_id:
                continue  # each new pair once
            same_url = bool(url) and url == found.urls.get(claim.claim_id)
            if key[1] == refutations.REFUTATION:
                result = refutations.decide(claim, other, same_url=same_url)
            else:
                result = compare(claim, other, same_url=same_url)
            if isinstance(result, Contradiction):
                shared = overlap.share(claim.article_id, other.article_id)
                result = weigh(claim, other, replace(result, story_id=key[2]), shared)
            if isinstance(result, Contradiction):
                contradictions[result.contradiction_id] = result
            elif isinstance(result, ClaimLink) and result.relation in AGREEING:
                agreeing[claim.claim_id].append((other, result))
            elif isinstance(result, ClaimLink):
                links[result.link_id] = result
        if last[claim.claim_id] == i and claim.claim_id in agreeing:
            kept = bounded_agreements(agreeing.pop(claim.claim_id))
            links.update((link.link_id, link) for link in kept)
    return list(contradictions.values()), list(links.values())


def bounded_agreements(found: list[tuple[Claim, ClaimLink]]) -> list[ClaimLink]:
    """One new claim's agreeing links, at most MAX_AGREEING_LINKS: one per outlet first, earliest first."""
    unique = {link.link_id: (other, link) for other, link in found}
    ordered = sorted(unique.values(), key=lambda o: (_when(o[0]), o[0].claim_id))
    if len(ordered) <= MAX_AGREEING_LINKS:
        return [link for _, link in ordered]
    seen: set[str | None] = set()
    first: list[ClaimLink] = []
    rest: list[ClaimLink] = []
    for other, link in ordered:
        (rest if other.outlet in seen else first).append(link)
        seen.add(other.outlet)
    return (first + rest)[:MAX_AGREEING_LINKS]


def _when(claim: Claim) -> float:
    return claim.published.timestamp() if claim.published else math.inf


def _best_aligned(claim: Claim, candidates: list[tuple[Claim, str]]) -> list[tuple[Claim, str]]:
    """A statement is checked against the stored statement(s) that say most nearly the same.

    A stored copy of its very words is met as well, but does not stand in for the rest: a
    wire sentence two outlets ran word for word ('had a depth of 1.2 miles') still meets the
    nearest sentence of a third outlet ('with a depth of 12 miles').
    """
    words = " ".join(claim.value_text.split())
    copies: list[tuple[Claim, str]] = []
    scored = []
    for c, u in candidates:
        if c.claim_id == claim.claim_id:
            continue
        if " ".join(c.value_text.split()) == words:
            copies.append((c, u))
        else:
            scored.append((alignment(claim.value_text, c.value_text), c, u))
    best = max((s for s, _, _ in scored), default=0.0)
    return copies + [(c, u) for s, c, u in scored if s == best and s > 0]
