"""The typed records every stage passes on; each matches one warehouse table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def stable_id(*parts: object) -> str:
    """Return a short deterministic id (natural key digest) for the given parts."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    """A cleaned article (one version of one URL) ready for extraction."""

    article_id: str
    topic: str
    url: str
    canonical_url: str
    outlet: str
    title: str | None
    author: str | None
    published: datetime | None
    language: str | None
    text: str
    content_hash: str
    fetched_at: datetime
    source_key: str  # outlet, or the syndication cluster when the text is a wire copy
    raw_html: str | None = None
    story_id: str | None = None  # set by detection.stories when the article is loaded


@dataclass(frozen=True)
class Story:
    """One real-world event or development, as reported across outlets."""

    story_id: str
    topic: str
    title: str | None
    first_seen: datetime
    last_seen: datetime
    articles: int
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    """A canonical entity (person, organisation, place) known to the warehouse."""

    entity_id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in an article."""

    mention_id: str
    article_id: str
    entity_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Claim:
    """One checkable statement with its typed value, attribution and evidence."""

    claim_id: str
    article_id: str
    topic: str
    subject_id: str | None
    subject: str | None
    attribute: str
    value_type: str  # quantity | direction | predicate | statement
    value_text: str
    number: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    hedge: str | None = None
    direction: str | None = None
    place: str | None = None
    polarity: int = 1
    modality: str = "asserted"  # asserted | reported | denied | predicted
    speaker: str | None = None
    speaker_role: str | None = None
    verb: str | None = None
    outlet: str | None = None
    source_key: str | None = None
    published: datetime | None = None
    ref_date: datetime | None = None
    sentence: str = ""
    span_start: int = 0
    span_end: int = 0
    story_id: str | None = None  # the article's story; event facts are compared within it


@dataclass(frozen=True)
class Contradiction:
    """Two claims about the same subject and attribute that cannot both be true."""

    contradiction_id: str
    topic: str
    subject_id: str
    attribute: str
    claim_a: str
    claim_b: str
    kind: str  # numeric | direction | antonym | negation | exclusive
    score: float
    explanation: str
    detected_at: datetime
    story_id: str | None = None  # None: a stable fact compared across stories


@dataclass(frozen=True)
class ClaimLink:
    """A non-conflicting relation between two claims (compatible, revision, update, ...)."""

    link_id: str
    claim_a: str
    claim_b: str
    relation: str  # compatible | agreement | revision | syndicated | update | reported
    explanation: str


@dataclass(frozen=True)
class Alert:
    """One disagreement (a cluster of conflicting claims) a person should look at."""

    alert_id: str
    topic: str
    subject_id: str
    attribute: str
    kind: str
    severity: str
    score: float
    title: str
    body: str
    claim_ids: tuple[str, ...]
    state: str
    first_seen: datetime
    updated_at: datetime
    fingerprint: str = field(default="")
    story_id: str | None = None
