"""From contradictions to one alert per disagreement, and its lifecycle."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import duckdb

from detection.compare import DIRECTION_DEGREES
from records import Alert, stable_id

LEVELS = ("low", "medium", "high")
# How far apart two values are, from 0 (the same) to 1 (as far as they go): a relative gap
# between quantities, the angle between directions over 180 degrees; a yes/no or word-swap
# conflict has no distance and counts as halfway.
CATEGORICAL_SPREAD = 0.5
UNSURE = 0.6
SPREAD_FLOORS: tuple[tuple[float, str], ...] = ((0.6, "high"), (0.2, "medium"), (0.0, "low"))
# an alert's body lists its strongest contradictions and counts the rest: a figure disputed
# in every report of a long story gathers thousands of pairs, and a body of one line each
# (megabytes) is rewritten every batch and sent whole to every notification target
BODY_LINES = 25


def severity(spread: float, outlets_a: int = 1, outlets_b: int = 1) -> str:
    """Severity from how far apart the values are, one level up when each side has two or more outlets."""
    level = next(name for floor, name in SPREAD_FLOORS if spread >= floor)
    if min(outlets_a, outlets_b) >= 2:  # independent outlets behind both values: not one slip
        level = LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]
    return level


def _midpoint(low: float | None, high: float | None, number: float | None) -> float | None:
    if number is not None and math.isfinite(number):
        return number
    finite = [v for v in (low, high) if v is not None and math.isfinite(v)]
    return sum(finite) / len(finite) if finite else None


def value_spread(kind: str, a: tuple[Any, ...], b: tuple[Any, ...]) -> float:
    """How far apart two claims' values are, 0..1 (claims as (low, high, number, direction))."""
    if kind == "numeric":
        ma, mb = _midpoint(*a[:3]), _midpoint(*b[:3])
        if ma is None or mb is None or max(abs(ma), abs(mb)) == 0:
            return CATEGORICAL_SPREAD
        return min(abs(ma - mb) / max(abs(ma), abs(mb)), 1.0)
    if kind == "direction" and a[3] in DIRECTION_DEGREES and b[3] in DIRECTION_DEGREES:
        d = abs(DIRECTION_DEGREES[a[3]] - DIRECTION_DEGREES[b[3]])
        return min(d, 360 - d) / 180
    return CATEGORICAL_SPREAD


def _sides(pairs: list[tuple[str, str]]) -> dict[str, int]:
    # claims that contradict each other stand on opposite sides (two-colouring the pairs)
    side: dict[str, int] = {}
    for a, b in pairs:
        if a not in side and b not in side:
            side[a] = 0
        if a in side and b not in side:
            side[b] = 1 - side[a]
        elif b in side and a not in side:
            side[a] = 1 - side[b]
    return side


def alert_severity(rows: list[tuple[Any, ...]], claims: dict[str, tuple[Any, ...]]) -> str:
    """Severity of one alert from its contradictions (claim_a, claim_b, kind, ...) and claims."""
    spread = max(
        (
            value_spread(r[2], claims[r[0]], claims[r[1]])
            for r in rows
            if r[0] in claims and r[1] in claims
        ),
        default=CATEGORICAL_SPREAD,
    )
    side = _sides([(r[0], r[1]) for r in rows])
    outlets: tuple[set[str], set[str]] = (set(), set())
    for cid, s in side.items():
        if cid in claims:
            outlets[s].add(claims[cid][4])
    level = severity(spread, len(outlets[0]), len(outlets[1]))
    # the learned decision's probability is the score of a weighed conflict: a doubtful one
    # (below UNSURE) is one level lower, however far apart its values are
    if max((float(r[3]) for r in rows), default=1.0) < UNSURE:
        level = LEVELS[max(LEVELS.index(level) - 1, 0)]
    return level


def _as_written(lemma: str, sentences: list[str]) -> str:
    # a key holds a lemma ("gather", "fighter"); the title uses the word as the claim wrote it
    stem = lemma[:-1] if lemma.endswith("e") and len(lemma) > 3 else lemma
    for text in sentences:
        for word in re.findall(r"[A-Za-z][A-Za-z'-]*", text):
            if word.lower().startswith(stem.lower()) and len(word) <= len(lemma) + 3:
                return word
    return lemma


def _lead_in(word: str, sentences: list[str], most: int = 8) -> str:
    # the claim's own words up to the thing it is about: "Ahmad Massoud has gathered around 9,000 fighters"
    for text in sentences:
        m = re.search(rf"\b{re.escape(word)}\b", text)
        if m:
            lead = text[: m.end()].split()
            return ("…" if len(lead) > most else "") + " ".join(lead[-most:])
    return ""


def question(attribute: str, subject: str | None, sentences: list[str]) -> str:
    """The question an alert is about, in words: 'the force size of NRF', 'what Ahmad Massoud gathered'."""
    words = attribute.split(" ", 1)
    if words[0] in ("phrase", "statement") and len(words) == 2:
        written = _as_written(words[1], sentences)
        if words[0] == "phrase":
            asked = f"the {written}" + (f" of {subject}" if subject else "")
        else:
            asked = f"what {subject} {written}" if subject else f"what was {written}"
        lead = "" if subject else _lead_in(written, sentences)
        return f"{asked} (“{lead}”)" if lead else asked
    if attribute == "refutation":  # a denial against the report it denies, any subject
        return "whether a report holds that another report denies"
    if attribute.startswith("count of "):
        attribute = "number of " + attribute[len("count of ") :]
    place = re.fullmatch(r"location relative to (.+)", attribute)
    if place:
        return (
            f"where {subject} lies relative to {place.group(1)}"
            if subject
            else (f"a location relative to {place.group(1)}")
        )
    return f"the {attribute}" + (f" of {subject}" if subject else "")


def alert_title(attribute: str, kind: str, subject: str | None, sentences: list[str]) -> str:
    """An alert's title: the subject and the question in words, never an id."""
    return f"Sources disagree on {question(attribute, subject, sentences)} ({kind})"


def alert_body(rows: list[tuple[Any, ...]]) -> str:
    """One line per contradiction (kind, score, explanation), strongest first, at most BODY_LINES."""
    lines = [f"- [{r[2]}, {r[3]:.2f}] {r[4]}" for r in rows[:BODY_LINES]]
    if len(rows) > BODY_LINES:
        lines.append(f"- … and {len(rows) - BODY_LINES:,} more contradictions")
    return "\n".join(lines)


def _subject_name(con: duckdb.DuckDBPyConnection, subject_id: str, named: str) -> str | None:
    if named:
        return named
    rows = con.execute("SELECT name FROM entities WHERE entity_id = ?", [subject_id]).fetchall()
    return rows[0][0] if rows and rows[0][0] else None


def build_alerts(
    con: duckdb.DuckDBPyConnection, keys: set[tuple[str, str, str, str | None]]
) -> list[Alert]:
    """Build or refresh one alert per (topic, subject, attribute, story) from its contradictions."""
    alerts: list[Alert] = []
    now = datetime.now(UTC)
    for topic, subject_id, attribute, story_id in sorted(keys, key=lambda k: (*k[:3], k[3] or "")):
        rows = con.execute(
            """
            SELECT x.claim_a, x.claim_b, x.kind, x.score,
                -- only the body's lines carry their explanation
                CASE WHEN row_number() OVER (ORDER BY x.score DESC, x.contradiction_id) <= ?
                    THEN x.explanation END,
                coalesce(c.subject, '')
            FROM contradictions x JOIN claims c ON c.claim_id = x.claim_a
            WHERE x.topic = ? AND x.subject_id = ? AND x.attribute = ?
                AND x.story_id IS NOT DISTINCT FROM ?
            ORDER BY x.score DESC, x.contradiction_id
            """,
            [BODY_LINES, topic, subject_id, attribute, story_id],
        ).fetchall()
        if not rows:
            continue
        claim_ids = tuple(sorted({r[0] for r in rows} | {r[1] for r in rows}))
        top = rows[0]
        # one disagreement per story: the same figure disputed in two events is two alerts
        alert_id = stable_id("alert", topic, subject_id, attribute, story_id)
        existing = con.execute(
            "SELECT state, first_seen, fingerprint FROM alerts WHERE alert_id = ?", [alert_id]
        ).fetchall()
        state, first_seen, old_fingerprint = existing[0] if existing else ("open", now, "")
        fingerprint = stable_id("fingerprint", *claim_ids)
        if state == "resolved" and fingerprint != old_fingerprint:
            state = "open"  # a new claim took a side after the alert was closed: look again
        claims = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT claim_id, low, high, number, direction, coalesce(source_key, outlet, claim_id), value_text "
                "FROM claims WHERE list_contains(?, claim_id)",
                [list(claim_ids)],
            ).fetchall()
        }
        subject = _subject_name(con, subject_id, top[5])
        sentences = [claims[c][5] for c in (top[0], top[1]) if c in claims and claims[c][5]]
        body = alert_body(rows)
        alerts.append(
            Alert(
                alert_id=alert_id,
                topic=topic,
                subject_id=subject_id,
                attribute=attribute,
                kind=top[2],
                severity=alert_severity(rows, claims),
                score=top[3],
                title=alert_title(attribute, top[2], subject, sentences),
                body=body,
                claim_ids=claim_ids,
                state=state,
                first_seen=first_seen,
                updated_at=now,
                fingerprint=fingerprint,
                story_id=story_id,
            )
        )
    return alerts
