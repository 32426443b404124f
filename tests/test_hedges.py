"""The hedge table: each hedge turns a number into the documented interval."""

from __future__ import annotations

import pytest

from extractors.hedges import find_quantities


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("a force of around 9,000 people", 8100, 9900),
        ("about 500 troops", 450, 550),
        ("nearly 2,000 refugees", 1800, 2000),
        ("more than 6,000 fighters", 6000, None),
        ("at least 40 dead", 40, None),
        ("up to 300 arrests", 0, 300),
        ("some 1,200 people", 1080, 1320),
        ("thousands of people", 1000, 9999),
        ("hundreds of fighters", 200, 999),
        ("a dozen soldiers", 12, 12),
        ("dozens of recruits", 24, 99),
        ("between 6,000 and 7,000 troops", 6000, 7000),
        ("6,000-7,000 fighters", 6000, 7000),
        ("7,000 armed people", 7000, 7000),
        ("2.5 million people", 2_500_000, 2_500_000),
        ("fewer than 100 protesters", 0, 100),
        ("500 or more", 500, None),
    ],
)
def test_hedge_intervals(text: str, low: float, high: float | None) -> None:
    (q,) = find_quantities(text)
    assert q.low == pytest.approx(low)
    assert (q.high is None and high is None) or q.high == pytest.approx(high)


@pytest.mark.parametrize("text", ["on August 21, 2021, days later", "in the 1980s", "since 2001"])
def test_dates_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_units() -> None:
    (money,) = find_quantities("a loss of $5 million")
    assert money.unit == "USD" and money.number == 5_000_000
    (pct,) = find_quantities("up 12 percent")
    assert pct.unit == "percent"
