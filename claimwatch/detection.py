"""Typed comparison of two claims on one subject and attribute: conflict, or why not."""

from __future__ import annotations

from datetime import UTC, datetime

from claimwatch.records import Claim, ClaimLink, Contradiction, stable_id

# Relative gap two intervals must leave between them to count as a numeric conflict; round
# numbers in news ("7,000") are rarely exact, so a 5 % gap is treated as agreement.
NUMERIC_TOLERANCE = 0.05
# Claims about an attribute this many days apart describe different moments (an update).
UPDATE_WINDOW_DAYS: dict[str, float] = {"death toll": 2, "injured": 2, "arrests": 7}
DEFAULT_UPDATE_WINDOW_DAYS = 30.0
DIRECTION_DEGREES: dict[str, int] = {
    "north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180,
    "southwest": 225, "west": 270, "northwest": 315,
}  # fmt: skip


def _who(c: Claim) -> str:
    if c.speaker and c.speaker_role:
        return f"{c.speaker_role} {c.speaker.split()[-1]}"
    return c.speaker or (c.outlet or "the outlet")


def _where(c: Claim, other: Claim | None = None) -> str:
    if other is not None and other.article_id == c.article_id:
        return "same article"
    day = c.published.date().isoformat() if c.published else "undated"
    if not c.speaker:
        return day  # the outlet speaks in its own voice and is already named
    return f"{c.outlet or 'unknown outlet'}, {day}"


def _fmt(v: float | None) -> str:
    if v is None:
        return "∞"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _range(c: Claim) -> str:
    if c.low is not None and c.high is not None and c.low == c.high:
        return _fmt(c.low)
    if c.high is None:
        return f"above {_fmt(c.low)}"
    return f"{_fmt(c.low)}-{_fmt(c.high)}"


def _gap(a: Claim, b: Claim) -> float | None:
    """Relative gap between two intervals, or None when they overlap."""
    a_lo, a_hi = a.low or 0.0, a.high
    b_lo, b_hi = b.low or 0.0, b.high
    if a_hi is not None and a_hi < b_lo:
        lo_end, hi_start = a_hi, b_lo
    elif b_hi is not None and b_hi < a_lo:
        lo_end, hi_start = b_hi, a_lo
    else:
        return None
    scale = max(abs(lo_end), abs(hi_start), 1e-9)
    gap = (hi_start - lo_end) / scale
    return gap if gap > NUMERIC_TOLERANCE else None


def _days_apart(a: Claim, b: Claim) -> float | None:
    da, db = a.ref_date or a.published, b.ref_date or b.published
    if da is None or db is None:
        return None
    return abs((da - db).total_seconds()) / 86400


def _link(a: Claim, b: Claim, relation: str, explanation: str) -> ClaimLink:
    first, second = sorted((a.claim_id, b.claim_id))
    return ClaimLink(stable_id("link", first, second), first, second, relation, explanation)


def _conflict(a: Claim, b: Claim, kind: str, score: float, why: str) -> Contradiction:
    first, second = sorted((a, b), key=lambda c: c.claim_id)
    explanation = (
        f"{_who(first)} ({_where(first)}) says {first.value_text}; "
        f"{_who(second)} ({_where(second, first)}) says {second.value_text}: {why}"
    )
    return Contradiction(
        contradiction_id=stable_id("contradiction", first.claim_id, second.claim_id),
        topic=a.topic,
        subject_id=a.subject_id or "",
        attribute=a.attribute,
        claim_a=first.claim_id,
        claim_b=second.claim_id,
        kind=kind,
        score=round(min(1.0, max(0.0, score)), 3),
        explanation=explanation,
        detected_at=datetime.now(UTC),
    )


def compare(a: Claim, b: Claim, same_url: bool = False) -> Contradiction | ClaimLink | None:
    """Decide whether two claims on one subject and attribute conflict; None = unrelated."""
    if a.claim_id == b.claim_id or a.subject_id is None or a.subject_id != b.subject_id:
        return None
    if a.attribute != b.attribute or a.value_type != b.value_type:
        return None
    conflict = _typed_conflict(a, b)
    if conflict is None:
        if a.value_type in ("quantity", "direction", "predicate"):
            relation = "agreement" if a.value_text.lower() == b.value_text.lower() else "compatible"
            return _link(a, b, relation, f"{a.value_text} and {b.value_text} can both be true")
        return None
    # not a disagreement between sources, though the values differ
    if same_url and a.article_id != b.article_id:
        return _link(a, b, "revision", "the outlet revised its own article")
    if a.article_id != b.article_id and a.source_key and a.source_key == b.source_key:
        if a.outlet != b.outlet:
            return _link(a, b, "syndicated", "copies of one wire story: one source, not two")
    if a.speaker and a.speaker == b.speaker and a.article_id != b.article_id:
        return _link(a, b, "reported", f"both report {a.speaker}; the speaker changed their figure")
    days = _days_apart(a, b)
    window = UPDATE_WINDOW_DAYS.get(a.attribute, DEFAULT_UPDATE_WINDOW_DAYS)
    if days is not None and days > window:
        return _link(a, b, "update", f"{days:.0f} days apart: the value changed over time")
    return conflict


def _typed_conflict(a: Claim, b: Claim) -> Contradiction | None:
    if a.value_type == "quantity":
        if (a.unit or "") != (b.unit or ""):
            return None
        gap = _gap(a, b)
        if gap is None:
            return None
        why = f"ranges {_range(a)} and {_range(b)} do not overlap"
        return _conflict(a, b, "numeric", 0.6 + min(gap, 1.0) * 0.4, why)
    if a.value_type == "direction":
        if not (a.direction and b.direction) or a.place != b.place:
            return None
        da, db = DIRECTION_DEGREES[a.direction], DIRECTION_DEGREES[b.direction]
        angle = min(abs(da - db), 360 - abs(da - db))
        if angle < 90:
            return None
        why = f"{a.direction} and {b.direction} of {a.place} are {angle} degrees apart"
        return _conflict(a, b, "direction", 0.7 + 0.3 * (angle - 90) / 90, why)
    if a.value_type == "predicate":
        if a.polarity == b.polarity:
            return None
        # extraction marks a predicate it mapped through an antonym ("lost" -> not "won")
        kind = "antonym" if "antonym" in (a.hedge, b.hedge) else "negation"
        why = "one asserts what the other denies"
        return _conflict(a, b, kind, 0.8, why)
    if a.value_type == "entity":
        if a.value_text.lower() == b.value_text.lower():
            return None
        why = f"{a.attribute} can have one holder at a time"
        return _conflict(a, b, "exclusive", 0.75, why)
    return None
