"""From new claims to contradictions, and from contradictions to one alert per disagreement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from claimwatch.detection import alignment, compare
from claimwatch.records import Alert, Claim, ClaimLink, Contradiction, stable_id
from warehouse.lookups import claims_by_key

SEVERITY_LEVELS: tuple[tuple[float, str], ...] = ((0.85, "high"), (0.7, "medium"), (0.0, "low"))


def detect(
    con: duckdb.DuckDBPyConnection, new_claims: Sequence[Claim]
) -> tuple[list[Contradiction], list[ClaimLink]]:
    """Compare new claims (already stored) with stored claims sharing subject and attribute."""
    comparable = [c for c in new_claims if c.subject_id]
    keys = {(c.subject_id or "", c.attribute) for c in comparable}
    by_key: dict[tuple[str, str], list[tuple[Claim, str]]] = defaultdict(list)
    urls: dict[str, str] = {}
    for claim, url in claims_by_key(con, keys):
        by_key[(claim.subject_id or "", claim.attribute)].append((claim, url))
        urls[claim.claim_id] = url
    contradictions: dict[str, Contradiction] = {}
    links: dict[str, ClaimLink] = {}
    new_ids = {c.claim_id for c in comparable}
    for claim in comparable:
        candidates = by_key[(claim.subject_id or "", claim.attribute)]
        if claim.value_type == "statement":
            candidates = _best_aligned(claim, candidates)
        for other, url in candidates:
            if other.claim_id == claim.claim_id:
                continue
            if other.claim_id in new_ids and other.claim_id < claim.claim_id:
                continue  # each new pair once
            same_url = bool(url) and url == urls.get(claim.claim_id)
            result = compare(claim, other, same_url=same_url)
            if isinstance(result, Contradiction):
                contradictions[result.contradiction_id] = result
            elif isinstance(result, ClaimLink):
                links[result.link_id] = result
    return list(contradictions.values()), list(links.values())


def _best_aligned(claim: Claim, candidates: list[tuple[Claim, str]]) -> list[tuple[Claim, str]]:
    """A statement is checked against the stored statement(s) that say most nearly the same."""
    scored = [
        (alignment(claim.value_text, c.value_text), c, u)
        for c, u in candidates
        if c.claim_id != claim.claim_id
    ]
    best = max((s for s, _, _ in scored), default=0.0)
    return [(c, u) for s, c, u in scored if s == best and s > 0]


def severity(score: float) -> str:
    """Map a contradiction score to an alert severity."""
    return next(level for floor, level in SEVERITY_LEVELS if score >= floor)


def build_alerts(con: duckdb.DuckDBPyConnection, keys: set[tuple[str, str, str]]) -> list[Alert]:
    """Build or refresh one alert per (topic, subject, attribute) from all its contradictions."""
    alerts: list[Alert] = []
    now = datetime.now(UTC)
    for topic, subject_id, attribute in sorted(keys):
        rows = con.execute(
            """
            SELECT x.claim_a, x.claim_b, x.kind, x.score, x.explanation, coalesce(c.subject, '')
            FROM contradictions x JOIN claims c ON c.claim_id = x.claim_a
            WHERE x.topic = ? AND x.subject_id = ? AND x.attribute = ?
            ORDER BY x.score DESC, x.contradiction_id
            """,
            [topic, subject_id, attribute],
        ).fetchall()
        if not rows:
            continue
        claim_ids = tuple(sorted({r[0] for r in rows} | {r[1] for r in rows}))
        top = rows[0]
        alert_id = stable_id("alert", topic, subject_id, attribute)
        existing = con.execute(
            "SELECT state, first_seen, fingerprint FROM alerts WHERE alert_id = ?", [alert_id]
        ).fetchall()
        state, first_seen, old_fingerprint = existing[0] if existing else ("open", now, "")
        fingerprint = stable_id("fingerprint", *claim_ids)
        if state == "resolved" and fingerprint != old_fingerprint:
            state = "open"  # a new claim took a side after the alert was closed: look again
        subject = top[5] or subject_id
        body = "\n".join(f"- [{r[2]}, {r[3]:.2f}] {r[4]}" for r in rows)
        alerts.append(
            Alert(
                alert_id=alert_id,
                topic=topic,
                subject_id=subject_id,
                attribute=attribute,
                kind=top[2],
                severity=severity(top[3]),
                score=top[3],
                title=f"Sources disagree on the {attribute} of {subject} ({top[2]})",
                body=body,
                claim_ids=claim_ids,
                state=state,
                first_seen=first_seen,
                updated_at=now,
                fingerprint=fingerprint,
            )
        )
    return alerts
