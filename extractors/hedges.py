"""Quantities in text and the hedge table that turns "around 9,000" into an interval.

The hedge table is a product decision: wider intervals mean fewer false alarms. Every
quantity becomes a closed or half-open interval [low, high]; None is unbounded.

| hedge (examples)                               | interval for N         |
|------------------------------------------------|------------------------|
| bare number ("7,000")                          | [N, N]                 |
| around, about, approximately, roughly, some,   | [0.9 N, 1.1 N]         |
|   an estimated, close to, circa, ~             |                        |
| nearly, almost, just under, fewer than / less   | [0.9 N, N]  (below N)  |
|   than (upper bound only for fewer/less/under)  | [0, N] for fewer/under |
| more than, over, above, in excess of           | (N, +inf)              |
| at least, no fewer than, N or more              | [N, +inf)              |
| up to, as many as, at most, no more than        | [0, N]                 |
| just over, slightly more than                  | (N, 1.1 N]             |
| ranges: "6,000-7,000", "between 6,000 and 7,000", "6,000 to 7,000" | [6,000, 7,000] |
| a dozen / dozen                                | [12, 12]               |
| dozens of                                      | [24, 99]               |
| scores of                                      | [40, 199]              |
| hundreds of                                    | [200, 999]             |
| thousands of                                   | [1,000, 9,999]         |
| tens of thousands of                           | [10,000, 99,999]       |
| hundreds of thousands of                       | [100,000, 999,999]     |
| millions of                                    | [1e6, 999e6]           |
| several hundred / several thousand             | [300, 999] / [3,000, 9,999] |
| a few hundred / a few thousand                 | [200, 500] / [2,000, 5,000] |

"thousands of" starts at 1,000 rather than 2,000: a looser reading can only hide a
conflict, never invent one, and precision comes first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from extractors.boilerplate import clock_spans, url_spans

INF = math.inf

# hedge word(s) -> (kind, low factor, high factor, low open, high open); factors multiply N.
HEDGES: dict[str, tuple[str, float, float, bool, bool]] = {
    "around": ("approximate", 0.9, 1.1, False, False),
    "about": ("approximate", 0.9, 1.1, False, False),
    "approximately": ("approximate", 0.9, 1.1, False, False),
    "roughly": ("approximate", 0.9, 1.1, False, False),
    "some": ("approximate", 0.9, 1.1, False, False),
    "an estimated": ("approximate", 0.9, 1.1, False, False),
    "estimated": ("approximate", 0.9, 1.1, False, False),
    "close to": ("approximate", 0.9, 1.1, False, False),
    "circa": ("approximate", 0.9, 1.1, False, False),
    "nearly": ("below", 0.9, 1.0, False, False),
    "almost": ("below", 0.9, 1.0, False, False),
    "just under": ("below", 0.9, 1.0, False, True),
    "fewer than": ("upper", 0.0, 1.0, False, True),
    "less than": ("upper", 0.0, 1.0, False, True),
    "under": ("upper", 0.0, 1.0, False, True),
    "below": ("upper", 0.0, 1.0, False, True),
    "more than": ("lower", 1.0, INF, True, False),
    "over": ("lower", 1.0, INF, True, False),
    "above": ("lower", 1.0, INF, True, False),
    "in excess of": ("lower", 1.0, INF, True, False),
    "at least": ("lower", 1.0, INF, False, False),
    "no fewer than": ("lower", 1.0, INF, False, False),
    "no less than": ("lower", 1.0, INF, False, False),
    "up to": ("upper", 0.0, 1.0, False, False),
    "as many as": ("upper", 0.0, 1.0, False, False),
    "at most": ("upper", 0.0, 1.0, False, False),
    "no more than": ("upper", 0.0, 1.0, False, False),
    "just over": ("above", 1.0, 1.1, True, False),
    "slightly more than": ("above", 1.0, 1.1, True, False),
}

# vague quantity phrases -> (low, high)
VAGUE: dict[str, tuple[float, float]] = {
    "a dozen": (12, 12),
    "dozens of": (24, 99),
    "scores of": (40, 199),
    "hundreds of thousands of": (100_000, 999_999),
    "tens of thousands of": (10_000, 99_999),
    "hundreds of": (200, 999),
    "thousands of": (1_000, 9_999),
    "millions of": (1_000_000, 999_999_999),
    "several hundred": (300, 999),
    "several thousand": (3_000, 9_999),
    "a few hundred": (200, 500),
    "a few thousand": (2_000, 5_000),
}

SCALES: dict[str, float] = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}

WORD_NUMBERS: dict[str, float] = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
WORD_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100})

CURRENCIES: dict[str, str] = {"$": "USD", "€": "EUR", "£": "GBP", "us$": "USD"}

_HEDGE_RE = "|".join(sorted((re.escape(h) for h in HEDGES), key=len, reverse=True))
_VAGUE_RE = "|".join(sorted((re.escape(v) for v in VAGUE), key=len, reverse=True))
# a whole number and a half or quarter: '4½', '4 1/2', '4-1/2' (before the plain forms)
# ... and '41/2 months', a '4½' whose glyph the page lost (only before a unit of measure)
_HALF_UNITS = r"(?:months?|years?|weeks?|days?|hours?|minutes?|miles?|inch(?:es)?|feet|points?)\b"
_FRACTION = (
    r"\d+(?:\s?|-)[½¼¾]|\d+(?:\s|-)[13]/[24](?![\d/])"
    rf"|(?<![\d/])\d1/2(?=[\s-]+{_HALF_UNITS})"
)
_NUM = rf"{_FRACTION}|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?"
FRACTIONS: dict[str, float] = {"½": 0.5, "¼": 0.25, "¾": 0.75, "1/2": 0.5, "1/4": 0.25, "3/4": 0.75}
# a value restated in another unit: 'seven km (4 miles)', '55 miles (90 km)'; one value
UNITS = (
    r"km|kms|kilomet(?:re|er)s?|miles?|mi|metres?|meters?|m|feet|foot|ft|yards?|inches|inch|cm|"
    r"centimet(?:re|er)s?|kg|kilograms?|kilos?|pounds?|lbs?|tonnes?|tons?|acres?|hectares?|"
    r"litres?|liters?|gallons?|mph|km/h|kph|degrees|°[cf]?"
)
CONVERSION_RE = re.compile(
    rf"(?<=[\w½¼¾])\s*(?:{UNITS})\b\.?\s*(?P<paren>\(\s*(?:about|around|some|roughly|nearly|almost|approximately|~)?\s*"
    rf"[\d][\d,.]*(?:\s?[\d,.]+)?\s*(?:{UNITS})\b\.?\s*\))",
    re.IGNORECASE,
)
_WORDNUM = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
_WORDHALF = rf"(?:{_WORDNUM})\s+and\s+a\s+half"  # 'four and a half months' = 4.5
_SCALE = r"(?:\s*(?:thousand|million|billion|trillion|bn|mn|tn)\b|(?<=\d)(?:k|m|b)\b)"
_CUR = r"(?:us\$|\$|€|£)"

QUANTITY_RE = re.compile(
    rf"""
    (?:(?P<hedge>{_HEDGE_RE})\s+)?
    (?:
        (?P<vague>{_VAGUE_RE})
      |
        (?:between\s+)?(?P<cur>{_CUR})?\s?(?<![\w@#/.:-])(?P<num>{_NUM}|{_WORDHALF}|{_WORDNUM})(?P<scale>{_SCALE})?
        (?:\s*(?:-|–|to|and)\s*(?P=cur)?\s?(?P<num2>{_NUM})(?P<scale2>{_SCALE})?)?
        (?P<pct>\s*(?:%|per\s?cent|percent))?
    )
    (?P<ormore>\s+or\s+more)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Every QUANTITY_RE match holds a digit, a number word at a word's start, or a vague phrase:
# a sentence with none has no quantity, and skipping the pattern there (and the URL, clock
# and conversion masks) saves most of its 9 ms an article. Built from the same parts, so a
# new vague phrase or number word cannot slip past it
_MAY_COUNT = re.compile(rf"\d|{_VAGUE_RE}|(?<!\w)(?:{_WORDNUM})", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its hedge and the interval it stands for."""

    text: str
    start: int
    end: int
    number: float
    low: float | None
    high: float | None
    hedge: str | None
    unit: str | None


def _to_float(raw: str) -> float:
    value = parse_number(raw)
    if value is None:
        raise ValueError(raw)
    return value


def parse_number(raw: str) -> float | None:
    """Read a written number: '7,000', '4.5', '4½', '4 1/2', '4-1/2', 'seven'; None if not one."""
    raw = raw.strip().lower()
    if raw in WORD_NUMBERS:
        return WORD_NUMBERS[raw]
    m = re.fullmatch(r"(\d+)(?:\s?|-)([½¼¾]|[13]/[24])", raw)
    if m and (m.group(2) in FRACTIONS):
        return float(m.group(1)) + FRACTIONS[m.group(2)]
    if raw in FRACTIONS:
        return FRACTIONS[raw]
    m = re.fullmatch(r"([a-z]+)\s+and\s+a\s+half", raw)
    if m and m.group(1) in WORD_NUMBERS:
        return WORD_NUMBERS[m.group(1)] + 0.5
    m = re.fullmatch(r"(\d)1/2", raw)  # '41/2 months' (see _FRACTION)
    if m:
        return float(m.group(1)) + 0.5
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def conversion_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of a value restated in another unit in brackets: the '(4 miles)' of '7 km (4 miles)'."""
    return [m.span("paren") for m in CONVERSION_RE.finditer(text)]


def _scale(raw: str | None) -> float:
    return SCALES.get(raw.strip().lower(), 1.0) if raw else 1.0


def interval(number: float, hedge: str | None) -> tuple[float | None, float | None]:
    """Return the [low, high] interval of a hedged number (None = unbounded)."""
    if hedge is None:
        return number, number
    _, lo, hi, _, _ = HEDGES[hedge.lower()]
    low = number * lo
    high = None if hi == INF else number * hi
    return low, high


def find_quantities(text: str) -> list[Quantity]:
    """Find the quantities in a sentence, with hedges resolved to intervals."""
    found: list[Quantity] = []
    if not _MAY_COUNT.search(text):
        return found
    # a web address's digits and a clock time ('Updated 4:08 p.m.') count nothing
    masked = url_spans(text) + clock_spans(text) + conversion_spans(text)
    for m in QUANTITY_RE.finditer(text):
        if not (m.group("num") or m.group("vague")):
            continue
        if any(s < m.end() and m.start() < e for s, e in masked):
            continue
        if (
            m.group("num")
            and m.group("num").lower() in WORD_NUMBERS
            and not m.group("hedge")
            and not _counts_things(text, m)
        ):
            # bare small number words ("one of the", "two days") are rarely claims
            continue
        hedge = m.group("hedge").lower() if m.group("hedge") else None
        unit = None
        if m.group("vague"):
            low, high = VAGUE[m.group("vague").lower()]
            number = low
            if hedge and HEDGES[hedge][0] == "lower":
                high = INF
            q = Quantity(m.group(0).strip(), m.start(), m.end(), number, low, high, hedge, None)
            found.append(_trim(q, text))
            continue
        raw = m.group("num")
        if _looks_like_year_or_date(text, m, raw) or _is_modifier(text, m):
            continue
        number = _to_float(raw) * _scale(m.group("scale"))
        if m.group("cur"):
            unit = CURRENCIES[m.group("cur").lower()]
        elif m.group("pct"):
            unit = "percent"
        if m.group("num2"):
            number2 = _to_float(m.group("num2")) * _scale(m.group("scale2") or m.group("scale"))
            low_v: float | None = min(number, number2)
            high_v: float | None = max(number, number2)
            hedge = hedge or "range"
            if hedge != "range":
                # "around 6,000-7,000": widen the range by the hedge
                lo_f, hi_f = HEDGES[hedge][1], HEDGES[hedge][2]
                low_v = (low_v or 0) * lo_f
                high_v = None if hi_f == INF else (high_v or 0) * hi_f
            number = (number + number2) / 2
        elif m.group("ormore"):
            low_v, high_v = number, None
            hedge = "or more"
        else:
            low_v, high_v = interval(number, hedge)
        q = Quantity(m.group(0).strip(), m.start(), m.end(), number, low_v, high_v, hedge, unit)
        found.append(_trim(q, text))
    return found


# what a bare number word counts when it is a claim: a plural noun right after it, perhaps
# behind one modifier ('seven bridges', 'three life sentences', 'five injured people'); news
# style spells out the counts below ten, so a toll of five is written 'five'
# plural nouns without the plural's 's' (claims.py counts them too)
PLURAL_NOUNS = {"people", "children", "men", "women", "police", "personnel", "staff", "cattle"}
_COUNTED = re.compile(
    rf"\s+(?:[a-z]+[\s-])?(?P<noun>{'|'.join(sorted(PLURAL_NOUNS))}|[a-z]{{2,}}[^s\W]s)\b"
    r"(?!\s+of\b|-)",
    re.IGNORECASE,
)
# spans of time ('two days later', 'four years ago'; claims.py's NOT_COUNTED holds them too)
TIME_SPANS = {"seconds", "minutes", "hours", "days", "weeks", "months", "years", "times"}
# ... and a number word's own multiples
_NOT_COUNTED = TIME_SPANS | {
    "decades", "centuries", "others", "ones", "thirds", "halves", "tens", "dozens", "hundreds",
    "thousands",
}  # fmt: skip


def _counts_things(text: str, m: re.Match[str]) -> bool:
    # 'one' names a single thing, not a count another report could give differently
    if WORD_NUMBERS[m.group("num").lower()] < 2:
        return False
    after = _COUNTED.match(text, m.end())
    return after is not None and after.group("noun").lower() not in _NOT_COUNTED


def _trim(q: Quantity, text: str) -> Quantity:
    # the verbose pattern may swallow surrounding whitespace; keep spans on the visible text
    start = q.start + (len(text[q.start : q.end]) - len(text[q.start : q.end].lstrip()))
    end = start + len(q.text)
    high = None if q.high is not None and q.high == INF else q.high
    return Quantity(q.text, start, end, q.number, q.low, high, q.hedge, q.unit)


_MODIFIER_AFTER = re.compile(
    r"^(?:-[a-z]|\w|\s+out\s+of\b|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|:\d))", re.IGNORECASE
)


_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+\s$")


def _is_modifier(text: str, m: re.Match[str]) -> bool:
    # "3-year-old", "Level 3 out of 5", "10 p.m.", "Fox21", "Highway 287": numbers that count nothing
    if m.group("pct") or m.group("num2") or m.group("cur"):
        return False
    if _MODIFIER_AFTER.match(text[m.end() :]):
        return True
    before = text[: m.start("num")]
    return (
        not m.group("hedge")
        and "," not in m.group("num")
        and bool(_NAME_BEFORE.search(before))
        and not _SENTENCE_START.search(before)
    )


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)[A-Z][a-z]+\s$")


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_BEFORE = re.compile(rf"(?:{_MONTHS})\.?\s*$", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"^\s*(?:{_MONTHS})\b", re.IGNORECASE)


def _looks_like_year_or_date(text: str, m: re.Match[str], raw: str) -> bool:
    if m.group("cur") or m.group("pct") or m.group("scale"):
        return False
    if re.fullmatch(r"1[89]\d\d|20\d\d", raw) and not m.group("hedge"):
        return True
    before, after = text[: m.start("num")], text[m.end("num") :]
    return bool(_DATE_BEFORE.search(before) or _DATE_AFTER.match(after))
