"""Typed comparisons: conflicts, and the decisions that are not conflicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from claimwatch.detection import compare
from claimwatch.records import Claim, ClaimLink, Contradiction

T0 = datetime(2021, 8, 22, tzinfo=UTC)


def claim(cid: str, low: float | None, high: float | None, **kw: object) -> Claim:
    base = Claim(
        claim_id=cid, article_id=f"art-{cid}", topic="t", subject_id="s", subject="S",
        attribute="force size", value_type="quantity", value_text=f"{low}-{high}", low=low, high=high,
        outlet=f"outlet-{cid}", source_key=f"outlet-{cid}", published=T0,
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def test_non_overlapping_intervals_conflict() -> None:
    result = compare(claim("a", 8100, 9900), claim("b", 7000, 7000))
    assert isinstance(result, Contradiction) and result.kind == "numeric"
    assert "8,100-9,900" in result.explanation and "7,000" in result.explanation


def test_open_interval_is_compatible() -> None:
    result = compare(claim("a", 6000, None), claim("b", 7000, 7000))
    assert isinstance(result, ClaimLink) and result.relation == "compatible"


def test_small_gap_within_tolerance() -> None:
    assert isinstance(compare(claim("a", 7000, 7000), claim("b", 7200, 7200)), ClaimLink)


def test_same_url_is_a_revision() -> None:
    result = compare(claim("a", 9000, 9000), claim("b", 7000, 7000), same_url=True)
    assert isinstance(result, ClaimLink) and result.relation == "revision"


def test_syndicated_copies_are_one_source() -> None:
    result = compare(claim("a", 9000, 9000, source_key="wire"), claim("b", 7000, 7000, source_key="wire"))
    assert isinstance(result, ClaimLink) and result.relation == "syndicated"


def test_far_apart_dates_are_an_update() -> None:
    later = claim("b", 7000, 7000, published=T0 + timedelta(days=90))
    result = compare(claim("a", 9000, 9000), later)
    assert isinstance(result, ClaimLink) and result.relation == "update"


def test_directions() -> None:
    ne = claim("a", None, None, value_type="direction", direction="northeast", place="Kabul", attribute="loc")
    nw = claim("b", None, None, value_type="direction", direction="northwest", place="Kabul", attribute="loc")
    n = claim("c", None, None, value_type="direction", direction="north", place="Kabul", attribute="loc")
    assert isinstance(compare(ne, nw), Contradiction)
    assert isinstance(compare(ne, n), ClaimLink)


def test_negation() -> None:
    pos = claim("a", None, None, value_type="predicate", attribute="organize seizure", polarity=1)
    neg = claim("b", None, None, value_type="predicate", attribute="organize seizure", polarity=-1)
    result = compare(pos, neg)
    assert isinstance(result, Contradiction) and result.kind == "negation"
    assert isinstance(compare(neg, replace(neg, claim_id="c", article_id="x")), ClaimLink)


def test_different_subjects_are_unrelated() -> None:
    assert compare(claim("a", 9000, 9000), claim("b", 7000, 7000, subject_id="other")) is None
