"""From contradictions to one alert per disagreement, and its lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from records import Alert, stable_id

SEVERITY_LEVELS: tuple[tuple[float, str], ...] = ((0.85, "high"), (0.7, "medium"), (0.0, "low"))


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
