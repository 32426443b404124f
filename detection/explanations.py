"""What a person reads about a contradiction: who said what, where and when, and why not both."""

from __future__ import annotations

from datetime import UTC, datetime

from records import Claim, Contradiction, stable_id


def who(c: Claim) -> str:
    """Name who makes a claim: the speaker with their role, else the outlet."""
    if c.speaker and c.speaker_role:
        return f"{c.speaker_role} {c.speaker.split()[-1]}"
    return c.speaker or (c.outlet or "the outlet")


def where(c: Claim, other: Claim | None = None) -> str:
    """Say where and when a claim was made, relative to the claim it is set against."""
    if other is not None and other.article_id == c.article_id:
        return "same article"
    day = c.published.date().isoformat() if c.published else "undated"
    if not c.speaker:
        return day  # the outlet speaks in its own voice and is already named
    return f"{c.outlet or 'unknown outlet'}, {day}"


def fmt(v: float | None) -> str:
    """Format a number for a person (thousands separators, ∞ for no bound)."""
    if v is None:
        return "∞"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def interval(c: Claim) -> str:
    """Format a quantity claim's interval."""
    if c.low is not None and c.high is not None and c.low == c.high:
        return fmt(c.low)
    if c.high is None:
        return f"above {fmt(c.low)}"
    return f"{fmt(c.low)}-{fmt(c.high)}"


def conflict(a: Claim, b: Claim, kind: str, score: float, why: str) -> Contradiction:
    """Build the contradiction between two claims with its readable explanation."""
    first, second = sorted((a, b), key=lambda c: c.claim_id)
    explanation = (
        f"{who(first)} ({where(first)}) says {first.value_text}; "
        f"{who(second)} ({where(second, first)}) says {second.value_text}: {why}"
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


def refutation_conflict(ref: Claim, stated: Claim, score: float) -> Contradiction:
    """A refutation against the report it refutes: who refuted what, where and when."""
    first, second = sorted((ref, stated), key=lambda c: c.claim_id)
    cue = ref.verb or "refuted"
    if ref.polarity > 0:  # 'contrary to reports, P': P is what the refuter holds true
        refuted = f"holds, contrary to reports ({cue}), that {ref.value_text}"
    else:
        refuted = f"says '{ref.value_text}' is false ({cue})"
    explanation = (
        f"{who(ref)} ({where(ref, stated)}) {refuted}; "
        f"{who(stated)} ({where(stated, ref)}) reported: {stated.sentence or stated.value_text} "
        f"- a report the refutation denies"
    )
    return Contradiction(
        contradiction_id=stable_id("contradiction", first.claim_id, second.claim_id),
        topic=ref.topic,
        subject_id=ref.subject_id or "",
        attribute=ref.attribute,
        claim_a=first.claim_id,
        claim_b=second.claim_id,
        kind="refutation",
        score=round(min(1.0, max(0.0, score)), 3),
        explanation=explanation,
        detected_at=datetime.now(UTC),
        story_id=ref.story_id,
    )
