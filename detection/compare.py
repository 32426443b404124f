"""Typed comparison of two claims on one subject and attribute: conflict, or why not."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from detection.equivalence import (
    generalises,
    major_city,
    places,
    may_lie_within,
    places_differ,
    same_name,
    spelling_variant,
)
from detection.explanations import conflict, interval
from records import Claim, ClaimLink, Contradiction, stable_id
from extractors.antonyms import PARTICLES, antonym_table, are_antonyms, is_adjective
from extractors.boilerplate import CLOCK_RE, strip_urls
from extractors.hedges import HEDGES, conversion_spans, parse_number
from extractors.hedges import interval as hedged_interval
from extractors.predicates import NEGATORS, lemma
from extractors.valence import opposite_valence

# Relative gap two intervals must leave between them to count as a numeric conflict; round
# numbers in news ("7,000") are rarely exact, so a 5 % gap is treated as agreement.
NUMERIC_TOLERANCE = 0.05
# figures given exactly, never rounded: a person is 61 or 62, not 'around' either
EXACT_ATTRIBUTES: dict[str, float] = {"age": 0.0}
# Claims about an attribute this many days apart describe different moments (an update).
UPDATE_WINDOW_DAYS: dict[str, float] = {"death toll": 2, "injured": 2, "arrests": 7, "age": 180}
DEFAULT_UPDATE_WINDOW_DAYS = 30.0
# two undated ages of one person this many years apart may be a slip (a birthday, a typo);
# further apart they are ages at two dates
UNDATED_AGE_SLIP_YEARS = 2.0
# units a quantity may be stated in -> (base unit, factor to the base unit)
UNIT_BASE: dict[str, tuple[str, float]] = {
    "km": ("m", 1000.0), "kilometres": ("m", 1000.0), "kilometers": ("m", 1000.0),
    "miles": ("m", 1609.344), "mile": ("m", 1609.344), "m": ("m", 1.0), "metres": ("m", 1.0),
    "kg": ("kg", 1.0), "tonnes": ("kg", 1000.0), "tons": ("kg", 1000.0), "lb": ("kg", 0.4536),
    "pounds": ("kg", 0.4536), "$": ("USD", 1.0), "dollars": ("USD", 1.0), "usd": ("USD", 1.0),
    "€": ("EUR", 1.0), "euros": ("EUR", 1.0), "£": ("GBP", 1.0), "%": ("percent", 1.0),
}  # fmt: skip
# Two statements are about the same thing when this share of the shorter one's content
# words (and at least STATEMENT_MIN_SHARED of them) occur in the other.
STATEMENT_MIN_OVERLAP = 0.6
STATEMENT_MIN_SHARED = 4
DIRECTION_DEGREES: dict[str, int] = {
    "north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180,
    "southwest": 225, "west": 270, "northwest": 315,
}  # fmt: skip


def _gap(a: Claim, b: Claim, tolerance: float = NUMERIC_TOLERANCE) -> float | None:
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
    return gap if gap > tolerance else None


def _days_apart(a: Claim, b: Claim) -> float | None:
    da, db = a.ref_date or a.published, b.ref_date or b.published
    if da is None or db is None:
        return None
    return abs((da - db).total_seconds()) / 86400


def _link(a: Claim, b: Claim, relation: str, explanation: str) -> ClaimLink:
    first, second = sorted((a.claim_id, b.claim_id))
    return ClaimLink(stable_id("link", first, second), first, second, relation, explanation)


def compare(a: Claim, b: Claim, same_url: bool = False) -> Contradiction | ClaimLink | None:
    """Decide whether two claims on one subject and attribute conflict; None = unrelated."""
    if a.claim_id == b.claim_id or a.subject_id is None or a.subject_id != b.subject_id:
        return None
    if a.attribute != b.attribute or a.value_type != b.value_type:
        return None
    if a.article_id == b.article_id and a.sentence == b.sentence:
        return None  # one sentence does not disagree with itself: '30 of the 80 wounded'
    if a.value_type == "statement" and (
        a.article_id == b.article_id
        or alignment(a.value_text, b.value_text) < STATEMENT_MIN_OVERLAP
    ):
        # same subject and verb, but about different things; within one article two such
        # sentences are a list or a narrative ("Temp rating: 32°F" ... "Temp rating: 20°F"),
        # not a source disagreeing with itself
        return None
    conflict = _typedconflict(a, b)
    if conflict is None:
        if a.value_type in ("quantity", "direction", "predicate", "entity", "statement"):
            relation = "agreement" if a.value_text.lower() == b.value_text.lower() else "compatible"
            return _link(a, b, relation, f"{a.value_text} and {b.value_text} can both be true")
        return None
    # not a disagreement between sources, though the values differ
    if same_url and a.article_id != b.article_id:
        return _link(a, b, "revision", "the outlet revised its own article")
    if a.article_id != b.article_id and a.source_key and a.source_key == b.source_key:
        if a.outlet != b.outlet:
            return _link(a, b, "syndicated", "copies of one wire story: one source, not two")
    if _same_speaker(a, b) and a.article_id != b.article_id:
        return _link(a, b, "reported", f"both report {a.speaker}; the speaker changed their figure")
    days = _days_apart(a, b)
    window = UPDATE_WINDOW_DAYS.get(a.attribute, DEFAULT_UPDATE_WINDOW_DAYS)
    if days is not None and days > window:
        return _link(a, b, "update", f"{days:.0f} days apart: the value changed over time")
    years = _years_apart(a, b)
    if days is None and years is not None and years > UNDATED_AGE_SLIP_YEARS:
        # an age holds at a date: undated, '32' and '36' of one person are two moments
        # (a fight in 2008, another in 2012), not two sources disagreeing about one
        return _link(a, b, "update", f"ages {years:.0f} years apart and no date to place them")
    return conflict


def _years_apart(a: Claim, b: Claim) -> float | None:
    if a.attribute != "age" or a.low is None or b.low is None:
        return None
    return abs(a.low - b.low)


def _typedconflict(a: Claim, b: Claim) -> Contradiction | None:
    if a.value_type == "quantity":
        a, b = _normalised(a), _normalised(b)
        if (a.unit or "") != (b.unit or ""):
            return None
        gap = _gap(a, b, EXACT_ATTRIBUTES.get(a.attribute, NUMERIC_TOLERANCE))
        if gap is None:
            return None
        why = f"ranges {interval(a)} and {interval(b)} do not overlap"
        return conflict(a, b, "numeric", 0.6 + min(gap, 1.0) * 0.4, why)
    if a.value_type == "direction":
        if not (a.direction and b.direction) or a.place != b.place:
            return None
        da, db = DIRECTION_DEGREES[a.direction], DIRECTION_DEGREES[b.direction]
        angle = min(abs(da - db), 360 - abs(da - db))
        if angle < 90:
            return None
        why = f"{a.direction} and {b.direction} of {a.place} are {angle} degrees apart"
        return conflict(a, b, "direction", 0.7 + 0.3 * (angle - 90) / 90, why)
    if a.value_type == "predicate":
        if a.polarity == b.polarity:
            return None
        # extraction marks a predicate it mapped through an antonym ("lost" -> not "won")
        kind = "antonym" if "antonym" in (a.hedge, b.hedge) else "negation"
        why = "one asserts what the other denies"
        return conflict(a, b, kind, 0.8, why)
    if a.value_type == "entity":
        if _name_key(a.value_text) == _name_key(b.value_text) or same_name(
            a.value_text, a.value_text, b.value_text, b.value_text
        ):
            return None
        why = f"{a.attribute} can have one holder at a time"
        return conflict(a, b, "exclusive", 0.75, why)
    if a.value_type == "statement":
        found = statement_difference(a.value_text, b.value_text)
        if found is None:
            return None
        kind, score, why = found
        return conflict(a, b, kind, score, why)
    return None


def _same_speaker(a: Claim, b: Claim) -> bool:
    if not (a.speaker and b.speaker):
        return False
    return _name_key(a.speaker) == _name_key(b.speaker)


def _name_key(name: str) -> str:
    # 'Ali Maisam Nazary' and 'Nazary' are one speaker; so are 'Mr. Watson' and 'Carlos Watson'
    words = re.findall(r"[\w'-]+", name.lower())
    return words[-1] if words else ""


def _normalised(c: Claim) -> Claim:
    base = UNIT_BASE.get((c.unit or "").lower())
    if base is None:
        return c
    unit, factor = base
    low = c.low * factor if c.low is not None else None
    high = c.high * factor if c.high is not None else None
    return replace(c, unit=unit, low=low, high=high)


# --- statements: alignment, then a polarity flip, an antonym or an exclusive slot ------

# '4½', '4 1/2', '41/2 months', 'four and a half': one figure, read by hedges.parse_number
_FRACTION_TOKEN = (
    r"\d+(?:\s?|-)[½¼¾]|\d+(?:\s|-)[13]/[24](?![\d/])"
    r"|(?<![\d/])\d1/2(?=[\s-]+(?:months?|years?|weeks?|days?|hours?|minutes?|miles?|inch(?:es)?|feet|points?)\b)"
    r"|(?:(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+and\s+a\s+half"
)
_TOKEN_RE = re.compile(
    rf"{CLOCK_RE.pattern}|{_FRACTION_TOKEN}|"
    # a scale suffix ends the figure: '24km' is 24 and a unit, not 24 thousand
    r"[A-Z](?:\.[A-Z])+\.?|[$€£]?\d[\d,.]*\d(?:(?:bn|mn|m|k)(?![a-z]))?%?"
    # "couldn't" is 'could' and a negator; 'magnitude-6.1' a word and a figure
    r"|[$€£]?\d(?:(?:bn|mn|m|k)(?![a-z]))?%?|n['’]t\b"
    r"|[A-Za-z](?:(?!n['’]t\b)[\w’']|-(?!\d[\d,]*\.\d))*"
)
_STOP = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "and",
    "or", "but", "that", "which", "who", "this", "these", "those", "its", "his", "her", "their",
    "it", "he", "she", "they", "we", "be", "have", "do", "will", "would", "can", "could",
    "been", "has", "had", "is", "was", "are", "were", "did", "does", "s", "also", "than",
    "after", "before", "into", "about", "over", "while", "so", "there", "then", "said", "say",
}  # fmt: skip
COLOURS = {
    "red", "blue", "green", "yellow", "white", "black", "orange", "purple", "pink", "brown",
    "grey", "gray", "gold", "silver",
}  # fmt: skip
ORDINALS = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "last",
}  # fmt: skip
DEMONYMS = {
    "american", "british", "english", "scottish", "welsh", "irish", "french", "german",
    "italian", "spanish", "portuguese", "dutch", "belgian", "swiss", "austrian", "polish",
    "russian", "ukrainian", "belarusian", "turkish", "greek", "swedish", "norwegian", "danish",
    "finnish", "chinese", "japanese", "korean", "indian", "pakistani", "afghan", "iranian",
    "iraqi", "syrian", "israeli", "palestinian", "lebanese", "egyptian", "saudi", "qatari",
    "canadian", "mexican", "brazilian", "argentine", "australian", "african", "nigerian",
    "kenyan", "ethiopian", "european", "asian", "taiwanese", "vietnamese", "thai", "indonesian",
}  # fmt: skip
# people named by nationality: 'an American who fell' vs 'an Englishman who fell'
DEMONYMS |= {
    "englishman", "englishwoman", "frenchman", "frenchwoman", "scotsman", "scotswoman",
    "irishman", "irishwoman", "welshman", "welshwoman", "dutchman", "dutchwoman", "briton",
    "swede", "dane", "finn", "pole", "turk", "scot",
}  # fmt: skip
# criminal offences: one act is pleaded to or convicted of as one offence, not another
OFFENCES = {
    "murder", "manslaughter", "homicide", "fraud", "theft", "robbery", "burglary", "assault",
    "rape", "kidnapping", "arson", "bribery", "embezzlement", "extortion", "perjury", "treason",
    "terrorism", "espionage", "smuggling", "trafficking", "blackmail", "forgery", "larceny",
    "stalking", "harassment", "vandalism", "sedition",
}  # fmt: skip
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}  # fmt: skip
CALENDAR = WEEKDAYS | MONTHS
_SCALE = {"bn": 1e9, "mn": 1e6, "m": 1e6, "k": 1e3}
_SCALE_WORDS = {"thousand", "million", "billion", "trillion", "percent", "per", "cent"}
NUMBER_WORDS: dict[str, float] = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "hundred": 100.0, "dozen": 12.0}
# a spelled or written count fused with a unit of time or size: 'one-year', '5-mile', 'two-day'
_MEASURE_RE = re.compile(
    rf"(?:\d+|{'|'.join(NUMBER_WORDS)}|{'|'.join(sorted(ORDINALS))})-"
    r"(?:year|month|week|day|hour|minute|mile|metre|meter|kilometre|kilometer|storey|story|point|seat|game|match)s?"
    r"(?:-old|-long)?"
)


@dataclass(frozen=True)
class _Tok:
    text: str
    lower: str
    lemma: str
    kind: str  # word | stop | neg | number | money | percent | year | ordinal | colour | demonym | weekday | month | name | clock
    hedge: str | None = None  # 'up to' before 'seven hours'
    phrase: str = ""  # the capitalised name a name word stands in: 'United' -> 'United States'
    unit: str = ""  # the unit word after a figure: 'km' in '24 km north of Detroit'


def _tokens(text: str) -> list[_Tok]:
    return list(_token_tuple(text))


# a stored statement meets every new claim on its key: tokenise each text once, not per pair
# the two text caches spare a batch from reading a stored text once per new claim it meets;
# at about 5 KB a text, 4,096 texts each bound them near 40 MB (at 32,768 they grew a long
# run's steady memory by 300 MB as they filled)
@functools.lru_cache(maxsize=4096)
def _token_tuple(text: str) -> tuple[_Tok, ...]:
    # 'Noël' and 'Noel' are one name; decomposed accents would also split the word
    text = _VULGAR.sub(lambda m: " " + _VULGAR_TEXT[m.group(1)], text)  # '4½' -> '4 1/2'
    # "Jamaal Charles'226 yards": a possessive the page glued to the figure after it
    text = _GLUED_POSSESSIVE.sub(" ", text)
    # 'served 4\ufffd months': a figure beside a glyph the page lost can't be read
    text = _LOST_GLYPH.sub(" ", text)
    # 'AMD Opteron™ processor' is the Opteron (NFKD would glue the sign on as 'OpteronTM')
    text = _MARK_SIGNS.sub("", text)
    text = _PER_CENT.sub("percent", text)  # '5.4 per cent' and '3.9 percent' count one thing
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    # a web address's digits and a value restated in another unit ('7 km (4 miles)') say nothing
    text = strip_urls(text)
    spans = conversion_spans(text) + [m.span("paren") for m in _MONEY_RESTATED.finditer(text)]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " * (end - start) + text[end:]
    phrases = [(m.start(), m.end(), m.group(0)) for m in _PHRASE_RE.finditer(text)]
    headline = is_title_case(text)
    out: list[_Tok] = []
    ends: list[tuple[int, int]] = []
    for i, m in enumerate(_TOKEN_RE.finditer(text)):
        ends.append(m.span())
        raw = re.sub(r"['’]s$", "", m.group(0)).rstrip("'’") or m.group(0)
        low = (
            raw.lower().rstrip(".")
            if not re.fullmatch(r"[a-z](?:\.[a-z])+\.?", raw.lower())
            else raw.lower()
        )
        if low == "n’t" or low in _UNMARKED_CONTRACTIONS:
            low = "n't"  # "I cant speak": a contraction that lost its apostrophe
        kind = _kind(raw, low, i)
        if kind == "name" and headline:
            kind = "word"  # 'Lohan Checks Out Of Rehab': title case says nothing of names
        hedge = phrase = None
        if kind == "number":
            h = _HEDGE_BEFORE.search(text[max(0, m.start() - 30) : m.start()].lower())
            hedge = h.group(1) if h else None
        elif kind in ("name", "demonym"):
            phrase = next((p for a, b, p in phrases if a <= m.start() < b), raw)
        out.append(
            _Tok(raw, low, lemma(low) if raw[0].isalpha() else low, kind, hedge, phrase or "")
        )
    # '15-2', '65-53': two figures a hyphen joins are one score (or range); neither half is a
    # count to set against another figure ('a pivotal 15-2 run' / 'a 9-2 run')
    for k in range(len(out) - 1):
        if out[k].kind == "number" == out[k + 1].kind:
            if text[ends[k][1] : ends[k + 1][0]] in ("-", "–"):
                out[k], out[k + 1] = (
                    replace(out[k], kind="score"),
                    replace(out[k + 1], kind="score"),
                )
    none = _Tok("", "", "", "stop")
    after: list[_Tok] = [*out[1:], none, none]
    return tuple(
        replace(t, unit=_unit_after(after[i], after[i + 1])) if t.kind == "number" else t
        for i, t in enumerate(out)
    )


def _unit_after(nxt: _Tok, nxt2: _Tok) -> str:
    """The unit a figure is given in, from the words after it ('' when none)."""
    if nxt.lower in _LENGTH_UNITS:
        return nxt.lower
    # an area: '15,800-square-metre', '170,000 square feet', '200 sq ft'
    if nxt.lower in ("square", "sq") and nxt2.lower in _LENGTH_UNITS:
        return "square " + nxt2.lower
    m = re.fullmatch(r"-?square-(\w+)", nxt.lower)
    if m and m.group(1) in _LENGTH_UNITS:
        return "square " + m.group(1)
    return ""


def _unit_base(unit: str) -> tuple[str, float]:
    """A unit's dimension and its factor to that dimension's base unit."""
    if unit.startswith("square "):
        base, factor = _LENGTH_UNITS[unit[7:]]
        return base + "2", factor * factor
    return _LENGTH_UNITS[unit]


# units a figure in running text is given in, to one base: '24km' and '15 miles' agree
_LENGTH_UNITS: dict[str, tuple[str, float]] = {
    **{u: b for u, b in UNIT_BASE.items() if b[0] in ("m", "kg")},
    "kilometre": ("m", 1000.0), "kilometer": ("m", 1000.0), "metre": ("m", 1.0),
    "meter": ("m", 1.0), "meters": ("m", 1.0), "feet": ("m", 0.3048), "foot": ("m", 0.3048),
    "ft": ("m", 0.3048), "yards": ("m", 0.9144), "yard": ("m", 0.9144), "mi": ("m", 1609.344),
}  # fmt: skip


def is_title_case(text: str) -> bool:
    """Whether a text capitalises nearly every word, as headlines do."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if w.lower() not in _STOP]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) / len(words) >= 0.8


# apostrophe-less contractions in quotes ('I cant speak for ...'); the words are negators
_UNMARKED_CONTRACTIONS = {
    "cant", "dont", "didnt", "doesnt", "isnt", "wasnt", "werent", "arent", "couldnt",
    "wouldnt", "shouldnt", "hasnt", "havent", "hadnt",
}  # fmt: skip
# verbs whose negation is read in their complement: 'I don't think he came' denies the coming
NEG_RAISING = {"think", "believe", "feel", "expect", "suppose", "seem", "appear", "want", "imagine"}
_GLUED_POSSESSIVE = re.compile(r"(?<=[A-Za-z]['’])(?=\d)")
_VULGAR = re.compile(r"\s*([½¼¾])")
_LOST_GLYPH = re.compile(r"\d[\d,.]*\ufffd+|\ufffd+\d[\d,.]*")
_MARK_SIGNS = re.compile("[\u2122\u00ae\u2120]")  # trade mark, registered, service mark
_PER_CENT = re.compile(r"\bper\s+cent\b", re.IGNORECASE)
# an amount restated in another currency: '110 billion ($158 billion)' is one amount
_MONEY_RESTATED = re.compile(
    r"\d[\d,.]*(?:[\s-]?(?:bn|mn|m|billion|million|trillion|thousand))?\b\s*"
    r"(?P<paren>\(\s*(?:about|around|some|roughly|nearly|approximately|~)?\s*(?:US|C|A)?[$€£]\s?"
    r"\d[\d,.]*(?:[\s-]?(?:bn|mn|m|billion|million|trillion|thousand))?\s*\))",
    re.IGNORECASE,
)
_VULGAR_TEXT = {"½": "1/2", "¼": "1/4", "¾": "3/4"}
_HEDGE_BEFORE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(h) for h in HEDGES), key=len, reverse=True)) + r")\s+$"
)
# a capitalised name of several words: 'United States', 'Gulf of Aden', 'US Geological Survey'
_PHRASE_RE = re.compile(r"[A-Z][\w.’'-]*(?:\s+(?:(?:of|the|de|al)\s+)*[A-Z][\w.’'-]*)*")


def _kind(raw: str, low: str, position: int) -> str:
    if low in NEGATORS:
        return "neg"
    if raw[0] in "$€£":
        return "money"
    if CLOCK_RE.fullmatch(raw):
        return "clock"  # 'Updated 4:08 p.m.': a time of day is not a count
    if parse_number(low) is not None and not raw[0].isdigit() and " " in raw:
        return "number"  # 'four and a half'
    if raw[0].isdigit():
        if raw.endswith("%"):
            return "percent"
        if re.fullmatch(r"(18|19|20)\d\d", raw):
            return "year"
        return "number"
    if _MEASURE_RE.fullmatch(low):
        return "measure"
    if low in NUMBER_WORDS and low != "one":  # 'one' is as often a pronoun as a count
        return "number"
    if low in ORDINALS:
        return "ordinal"
    if low in COLOURS:
        return "colour"
    if low in DEMONYMS or lemma(low) in DEMONYMS:
        return "demonym"
    if low in OFFENCES:
        return "offence"
    if low in CALENDAR:
        # one event has one date: 'arrested on Thursday' vs 'on Friday'. A weekday and a
        # month can both be true; lower case 'may' and 'march' are a modal and a verb.
        if not raw[0].isupper():
            return "word"
        return "weekday" if low in WEEKDAYS else "month"
    if low in _STOP:
        return "stop"
    if raw[0].isupper() and position > 0:
        return "name"
    return "word"


# words that bound a figure ('at least 50', 'more than 300'): 'least' and 'most' are a
# hedge's, never two claims about what happened
QUANTIFIERS = {"least", "little", "most", "much", "more", "less", "many", "few", "fewer"}

_VALUE_KINDS = {
    "number", "money", "percent", "year", "ordinal", "colour", "demonym", "name", "measure",
    "offence", "weekday", "month",
}  # fmt: skip


_FIGURE_KINDS = {"number", "money", "percent", "year", "ordinal", "measure"}


def _content(toks: list[_Tok]) -> set[str]:
    return {t.lemma for t in toks if t.kind not in {"stop", "neg"}}


# a new statement meets each stored one on its key and a stored one meets every new claim
# on it: read a text's content words and figures once, not per pair
@functools.lru_cache(maxsize=4096)
def _aligned_words(text: str) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    toks = _token_tuple(text)
    content = frozenset(t.lemma for t in toks if t.kind not in {"stop", "neg"})
    figures = tuple((t.lemma, t.kind) for t in toks if t.kind in _FIGURE_KINDS)
    return content, figures


def content_lemmas(text: str) -> set[str]:
    """The lemmas of a text's content words (no stop words, no negators)."""
    return _content(_tokens(text))


def alignment(a_text: str, b_text: str) -> float:
    """Share of the shorter statement's content words found in the other (0 when too few).

    A word whose antonym stands in the other statement is matched too: an edit that swaps
    'decline' for 'increase' keeps the statement about the same thing.
    """
    (a, fa), (b, fb) = _aligned_words(a_text), _aligned_words(b_text)
    a_only, b_only = a - b, b - a
    table, b_lower = antonym_table(), {y.lower() for y in b_only}
    opposed = sum(1 for x in a_only if table.get(x.lower(), frozenset()) & b_lower)
    # a figure swapped for another of its kind ('$5bn' / '$4bn') leaves its slot in place
    slots = {kind for lemma, kind in fa if lemma in a_only} & {
        kind for lemma, kind in fb if lemma in b_only
    }
    shared = len(a & b) + opposed + len(slots)
    if shared < STATEMENT_MIN_SHARED or not a or not b:
        return 0.0
    return shared / min(len(a), len(b))


def _asserted(toks: list[_Tok], word: str) -> bool:
    """Whether a content word occurs with no negator anywhere before it."""
    for t in toks:
        if t.kind == "neg":
            return False
        if t.lemma == word:
            return True
    return False


def _negation_scope(toks: list[_Tok]) -> set[str]:
    """Content words in the few words after each negator."""
    out: set[str] = set()
    for i, t in enumerate(toks):
        if t.kind == "neg":
            out |= {n.lemma for n in toks[i + 1 : i + 7] if n.kind not in {"stop", "neg"}}
    return out


def _asserted_words(toks: list[_Tok]) -> set[str]:
    """Content words with no negator in the few words before them."""
    return {
        t.lemma
        for i, t in enumerate(toks)
        if t.kind not in {"stop", "neg"}
        and not any(p.kind == "neg" for p in toks[max(0, i - 3) : i])
    }


def _detail_denied(toks: list[_Tok], other: set[str]) -> bool:
    """Whether a negation has in its scope a value the other statement does not give.

    'Halsey did not sign her first contract in 2014' denies the year, not the signing.
    """
    for i, t in enumerate(toks):
        if t.kind == "neg":
            scope = toks[i + 1 : i + 12]
            if any(n.kind in _VALUE_KINDS and n.lemma not in other for n in scope):
                return True
    return False


# words that deny what follows them as 'not' does: 'incapable of appearing in multiple shows'
_NEGATIVE_CUES = {"unable", "incapable", "fail", "failed", "refuse", "refused", "without", "lack"}


def _denied(toks: list[_Tok], word: str) -> bool:
    """Whether a word stands in the scope of a negator or a negative verb or adjective."""
    for i, t in enumerate(toks):
        if word in (t.lemma, t.lower):
            window = toks[max(0, i - 5) : i]
            if any(p.kind == "neg" or p.lower in _NEGATIVE_CUES for p in window):
                return True
    return False


def _contrasts(lemmas: set[str], word: str) -> bool:
    # 'a 30% decrease for the quarter, a 4% increase for the year' holds both sides of the
    # pair itself: its 'increase' is not the one a rival text's 'decline' denies
    return any(are_antonyms(word, other) for other in lemmas if other != word)


def _negated_words(toks: list[_Tok]) -> set[str]:
    """Content words under a negator: 'was not known as' -> {'know'}."""
    out: set[str] = set()
    for i, t in enumerate(toks):
        if t.kind != "neg":
            continue
        for nxt in toks[i + 1 : i + 4]:
            if nxt.kind not in {"stop", "neg"}:
                out.add(nxt.lemma)
                break
    return out


def _pleaded(toks: list[_Tok], word: str) -> bool:
    """Whether a negated word is the content of a plea: 'pleaded not guilty'."""
    return any(
        t.kind == "neg" and i > 0 and toks[i - 1].lemma == "plead"
        and any(n.lemma == word for n in toks[i + 1 : i + 4])
        for i, t in enumerate(toks)
    )  # fmt: skip


def _anchors(toks: list[_Tok], i: int) -> set[str]:
    """The content words a value attaches to: the head after it, the word before it."""
    found: set[str] = set()
    for t in toks[i + 1 : i + 4]:
        if t.lower in _SCALE_WORDS:
            continue  # '$1 million' and '$160 million' share a scale, not a slot
        if t.kind == "word":
            found.add(t.lemma)
            break
        if t.kind not in _VALUE_KINDS and t.lower not in {"and", "or", "-"}:
            break
    for k in range(i - 1, max(-1, i - 5), -1):
        t = toks[k]
        if k == i - 1 and t.kind == "word" and is_adjective(t.lower):
            continue  # the value's own modifier ('culpable homicide'), not what it attaches to
        if t.kind == "word" and t.lower not in _SCALE_WORDS:
            found.add(t.lemma)
            break
    return found


def _amount(t: _Tok) -> float | None:
    if t.lower in NUMBER_WORDS:
        return NUMBER_WORDS[t.lower]
    if re.search(r"[½¼¾/]|\s", t.lower):
        return parse_number(t.lower)
    m = re.match(r"[$€£]?([\d,.]*\d)(bn|mn|m|k)?", t.lower)
    if not m:
        return None
    try:
        return float(m.group(1).replace(",", "")) * _SCALE.get(m.group(2) or "", 1.0)
    except ValueError:
        return None


def _values_differ(x: _Tok, y: _Tok) -> bool:
    if x.kind in {"number", "money", "percent"}:
        vx, vy = _amount(x), _amount(y)
        if vx is None or vy is None:
            return False
        if x.kind == "money" and x.text[0] != y.text[0]:
            return False  # '£88m' and '€103 million': two currencies, and no rate to compare
        if _slash_lost(x.text, y.text):
            return False  # '41/2 months' and '412 months': one '4½' the two pages mangled
        # '60m' beside '200 ft' is metres, not millions
        if x.unit and not y.unit and _fused_metres(y):
            y, vy = replace(y, unit="m"), float(y.lower[:-1].replace(",", ""))
        elif y.unit and not x.unit and _fused_metres(x):
            x, vx = replace(x, unit="m"), float(x.lower[:-1].replace(",", ""))
        converted = False
        if x.unit and y.unit:
            (bx, fx), (by, fy) = _unit_base(x.unit), _unit_base(y.unit)
            if bx != by:
                return False  # a distance and a weight answer two questions
            if x.unit != y.unit:
                vx, vy, converted = vx * fx, vy * fy, True
        scale = max(abs(vx), abs(vy), 1e-9)
        if x.hedge or y.hedge:
            # 'up to seven hours' and '7 hours' agree: a hedged figure is an interval, in
            # whatever unit ('less than 50 km' and 'less than 25 kilometres' both hold)
            return not _overlap(hedged_interval(vx, x.hedge), hedged_interval(vy, y.hedge))
        if converted:
            # a conversion is rounded ('24 km' is 14.9 miles, written '15 miles')
            return abs(vx - vy) / scale > NUMERIC_TOLERANCE
        # round figures in news are approximate; small counts ('35 years') are exact
        return abs(vx - vy) / scale > (NUMERIC_TOLERANCE if scale >= 1000 else 0.0)
    if x.kind == "name":
        if _standalone(x) and _standalone(y) and may_lie_within(x.text, y.text):
            return False
        return x.lower != y.lower and not same_name(x.text, x.phrase, y.text, y.phrase)
    if x.kind == "demonym":
        return x.lower != y.lower and not spelling_variant(x.text, y.text)  # Somali/Somalian
    return x.lower != y.lower


def _slash_lost(a: str, b: str) -> bool:
    """Whether two figures are one fraction, its slash lost in one: '41/2' and '412'."""
    return ("/" in a) != ("/" in b) and re.sub(r"\D", "", a) == re.sub(r"\D", "", b)


def _standalone(t: _Tok) -> bool:
    """A name word that is its whole name: 'Sumatra' in "Sumatra's Aceh", not 'Rivers' in 'Philip Rivers'."""
    return re.split(r"['’]s\b", t.phrase or t.text)[0].strip().rstrip(".") == t.text


def _fused_metres(t: _Tok) -> bool:
    return t.kind == "number" and re.fullmatch(r"\d[\d,.]*m", t.lower) is not None


def _overlap(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    a_lo, a_hi = a[0] or 0.0, a[1]
    b_lo, b_hi = b[0] or 0.0, b[1]
    return not ((a_hi is not None and a_hi < b_lo) or (b_hi is not None and b_hi < a_lo))


def _under_negation(toks: list[_Tok], i: int) -> bool:
    # 'was not the first woman' is compatible with 'the second woman'
    return any(t.kind == "neg" for t in toks[max(0, i - 3) : i])


def _present(t: _Tok, others: list[_Tok]) -> bool:
    """Whether a name the other statement also gives, however written ('US' / 'United States')."""
    return t.kind in ("name", "demonym") and any(
        o.kind == t.kind and not _values_differ(t, o) for o in others
    )


def _head(toks: list[_Tok], i: int) -> list[str]:
    """A value and the words that follow it in its noun phrase: 'US people'."""
    # a name stands whole: 'Explorer' is 'Internet Explorer'
    x = toks[i]
    out = x.phrase.split() if x.kind == "name" and x.text in x.phrase.split() else [x.text]
    rest = [t for t in toks[i + 1 : i + 3 + len(out)] if not (t.phrase and t.phrase == x.phrase)]
    for t in rest[:2]:
        if t.kind not in ("word", "name"):
            break
        out.append(t.text)
    return out


def _slotconflict(new: list[_Tok], old: list[_Tok]) -> tuple[str, str, str] | None:
    old_words = {t.lower for t in old}
    new_words = {t.lower for t in new}
    for i, x in enumerate(new):
        if x.kind not in _VALUE_KINDS or x.lower in old_words or _under_negation(new, i):
            continue
        if _present(x, old):
            continue
        ax = _anchors(new, i)
        # of the other statement's values in x's slot, x answers the one it shares most words
        # with: 'an 86-yard touchdown run' meets 'an 84-yard scamper', not 'ran for 226 yards'
        slot = [(len(ax & _anchors(old, j)), j) for j, y in enumerate(old) if y.kind == x.kind]
        most = max((n for n, _ in slot), default=0)
        for shared, j in slot:
            y = old[j]
            if shared < most or y.lower in new_words or not shared:
                continue
            if _under_negation(old, j) or _present(y, new):
                continue
            if x.kind != "offence" and generalises(_head(new, i), _head(old, j)):
                continue  # 'a pinup of GIs' / 'of US people': a kind, not another value
                # (an offence is one in law: manslaughter is a homicide, yet not culpable homicide)
            if _values_differ(x, y):
                return x.kind, y.text, x.text
    return None


def _replaced_runs(new: list[_Tok], old: list[_Tok]) -> list[tuple[int, int, int, int]]:
    """Short runs (old i1:i2, new j1:j2) one statement swaps for another between shared words.

    The word-level alignment must replace at most three words by at most three and keep
    both neighbours, at least one of them a content word.
    """
    ops = SequenceMatcher(None, [t.lower for t in old], [t.lower for t in new], autojunk=False)
    codes = ops.get_opcodes()
    runs = []
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "replace" or i2 - i1 > 3 or j2 - j1 > 3 or k == 0 or k == len(codes) - 1:
            continue
        if codes[k - 1][0] != "equal" or codes[k + 1][0] != "equal":
            continue
        if old[i1 - 1].kind == "stop" and old[i2].kind == "stop":
            continue  # only function words hold the run in place
        runs.append((i1, i2, j1, j2))
    return runs


def _substitution(
    new: list[_Tok], old: list[_Tok], runs: list[tuple[int, int, int, int]]
) -> tuple[str, str, str] | None:
    """A value swapped for another of its kind between words both statements share.

    'dumped paint in front of the London embassy' vs '... of the Moscow embassy'.
    """
    old_words = {t.lower for t in old}
    new_words = {t.lower for t in new}
    for i1, i2, j1, j2 in runs:
        if all(t.kind != "offence" for t in old[i1:i2] + new[j1:j2]) and generalises(
            [t.text for t in old[i1:i2]], [t.text for t in new[j1:j2]]
        ):
            continue  # 'a pinup of US people' / 'of GIs': a kind, not another value
        for j in range(j1, j2):
            x = new[j]
            if x.kind not in _VALUE_KINDS or x.lower in old_words or _under_negation(new, j):
                continue
            if _present(x, old):
                continue
            for i in range(i1, i2):
                y = old[i]
                if y.kind != x.kind or y.lower in new_words or _under_negation(old, i):
                    continue
                if _present(y, new):
                    continue
                if _values_differ(x, y):
                    return x.kind, y.text, x.text
    return None


def _swapped_opposite(
    new: list[_Tok], old: list[_Tok], runs: list[tuple[int, int, int, int]]
) -> tuple[str, str] | None:
    """A word swapped for its opposite in the same place: 'sales were up' / 'down'.

    Evaluative words rarely have a listed antonym ('troubled' has none in WordNet); in the
    same slot between shared words, a clearly negative and a clearly positive one cannot
    describe the same thing either ('the troubled start-up' / 'the triumphant start-up').
    """
    for i1, i2, j1, j2 in runs:
        for j in range(j1, j2):
            x = new[j]
            if x.kind != "word" or x.lower in QUANTIFIERS or _under_negation(new, j):
                continue
            for i in range(i1, i2):
                y = old[i]
                if y.kind != "word" or y.lower in QUANTIFIERS or _under_negation(old, i):
                    continue
                if _typo(x.lower, y.lower):
                    continue  # 'a bomb threat' / 'a bomb treat': one outlet's slip
                if are_antonyms(y.lower, x.lower) or opposite_valence(x.lower, y.lower):
                    return y.lower, x.lower
    return None


def _typo(a: str, b: str) -> bool:
    """Whether two words of five letters or more are one with a letter dropped inside it.

    'threat' / 'treat'; a letter at the front is a prefix, not a slip ('typical' / 'atypical').
    """
    short, long = sorted((a, b), key=len)
    if len(short) < 5 or len(long) != len(short) + 1:
        return False
    return any(long[:k] + long[k + 1 :] == short for k in range(1, len(long)))


def _sole_figure(new: list[_Tok], old: list[_Tok]) -> tuple[str, str, str] | None:
    """Each aligned statement gives one figure of a kind, and the two differ.

    'guided for sales of $4bn in 2023' against 'expects sales of $5bn for 2023': when each
    side states a single amount (a single year, a single count), the two answer one question.
    """
    if any(t.kind == "neg" for t in new + old):
        return None  # 'did not sign in 2014': a denied statement asserts no figure
    # 'a 30% decrease from the comparable period in 2021' states a 2022 figure against a
    # 2021 baseline: a kind with a baseline figure on either side answers two questions
    compared = _baseline_kinds(new) | _baseline_kinds(old)
    for kind in sorted(_FIGURE_KINDS - compared):
        xs = [i for i, t in enumerate(new) if t.kind == kind]
        ys = [i for i, t in enumerate(old) if t.kind == kind]
        if len(xs) != 1 or len(ys) != 1:
            continue
        if kind == "number" and (_counts_one(new) or _counts_one(old)):
            continue  # 'killing at least one person and leaving two others missing': two counts
        x, y = new[xs[0]], old[ys[0]]
        # a unit of measure is compared by its dimension ('50 km' / '25 kilometres')
        if not (x.unit and y.unit) and _counts_other_things(
            _counted(new, xs[0]), _counted(old, ys[0])
        ):
            continue  # 'for two decades' / 'a 46-year-old': two figures of two things
        if _values_differ(x, y):
            return kind, y.text, x.text
    return None


def _counts_one(toks: list[_Tok]) -> bool:
    """Whether a statement counts one of something ('one person'): 'one' is read as a word,
    since it is more often a pronoun ('one of them'), yet here it is a second figure."""
    return any(t.lower == "one" and toks[i + 1].kind == "word" for i, t in enumerate(toks[:-1]))


def _counted(toks: list[_Tok], i: int) -> _Tok | None:
    """The word right after a figure, the thing it counts ('two decades'), if a word follows."""
    after = toks[i + 1] if i + 1 < len(toks) else None
    return after if after is not None and after.kind == "word" else None


def _counts_other_things(x: _Tok | None, y: _Tok | None) -> bool:
    return (
        x is not None
        and y is not None
        and x.lemma != y.lemma
        and not spelling_variant(x.text, y.text)
        and not generalises([x.text], [y.text])
        and not generalises([y.text], [x.text])
    )


_BASELINE_MARKERS = {"from", "than", "compared", "versus", "vs", "since", "against"}


def _baseline_kinds(toks: list[_Tok]) -> set[str]:
    """Kinds of the figures a comparison marker introduces ('from ... 2021', 'than in 2021').

    'more than 400' is a hedged figure of the statement's own, not a baseline.
    """
    return {
        t.kind
        for i, m in enumerate(toks)
        if m.lower in _BASELINE_MARKERS
        and not (m.lower == "than" and i > 0 and toks[i - 1].lower in _HEDGED_THAN)
        for t in toks[i + 1 : i + 6]
        if t.kind in _FIGURE_KINDS
    }


_HEDGED_THAN = {"more", "less", "fewer"}


def statement_difference(a_text: str, b_text: str) -> tuple[str, float, str] | None:
    """Why two aligned statements cannot both be true: (kind, score, reason), or None."""
    a, b = _tokens(a_text), _tokens(b_text)
    a_lemmas, b_lemmas = {t.lemma for t in a}, {t.lemma for t in b}
    for x, y, xl in ((a, b, b_lemmas), (b, a, a_lemmas)):
        if _negated_words(y) & _negation_scope(x):
            continue  # 'not an album by Linkin Park' and 'by Metallica, not Linkin Park' agree
        if _detail_denied(x, xl):
            continue  # 'did not sign in 2014' and 'signed in 2018' agree
        for word in sorted(_negated_words(x) - _negated_words(y) - _asserted_words(x)):
            if word in NEG_RAISING and any(t.kind == "neg" for t in y):
                continue  # "I didn't feel we were executing" = "I feel we weren't executing"
            if _pleaded(x, word) and "plead" not in xl:
                continue  # 'pleaded not guilty' is a plea, 'was found guilty' a verdict
            if word in xl and _asserted(y, word):
                return "negation", 0.8, f"one says '{word}', the other 'not {word}'"
    # surface forms too: the lemma of 'struggling' is 'struggle', the listed pair is the adjective
    a_only = {
        f for t in a if t.kind == "word" and t.lemma not in b_lemmas for f in (t.lemma, t.lower)
    }
    b_only = {
        f for t in b if t.kind == "word" and t.lemma not in a_lemmas for f in (t.lemma, t.lower)
    }
    for word in sorted(a_only - PARTICLES - QUANTIFIERS):
        for other in sorted(b_only - PARTICLES - QUANTIFIERS):
            if are_antonyms(word, other) and not (
                _contrasts(a_lemmas, word)
                or _contrasts(b_lemmas, other)
                or _denied(a, word)
                or _denied(b, other)
            ):
                return "antonym", 0.75, f"'{word}' and '{other}' are opposites"
    runs = _replaced_runs(b, a)  # one word-level alignment serves both checks
    swap = _swapped_opposite(b, a, runs)
    if swap is not None:
        return "antonym", 0.7, f"'{swap[0]}' and '{swap[1]}' are opposites in the same place"
    slot = (
        _slotconflict(b, a)
        or _slotconflict(a, b)
        or _substitution(b, a, runs)
        or _sole_figure(b, a)
    )
    if slot is not None:
        kind, old, new = slot
        label = {"number": "numbers", "money": "amounts", "percent": "shares", "year": "years"}
        return (
            ("numeric" if kind in label else "exclusive"),
            0.7,
            (f"{label.get(kind, kind + 's')} differ in the same place: {old} vs {new}"),
        )
    cities = _one_city_each(a, b)
    if cities is not None:
        return "exclusive", 0.65, f"one event, one city: {cities[0]} vs {cities[1]}"
    return None


def _cities(toks: list[_Tok]) -> set[str]:
    """The names in a statement that can only be big cities (no country or region of that name)."""
    found = set()
    for t in toks:
        if t.kind != "name":
            continue
        # the capitalised phrase when it is a place ('New York'), else the word ('Moscow
        # Russian embassy')
        name = next((n for n in (t.phrase, t.text) if n and places(n)), None)
        if name and major_city(name):
            found.add(name)
    return found


def _one_city_each(a: list[_Tok], b: list[_Tok]) -> tuple[str, str] | None:
    """Two aligned statements that each place what happened in one city, and not the same one.

    As with a weekday, one event happens in one city: 'activists in London dumped paint' and
    '... dumped paint in front of the Moscow embassy' cannot both be right.
    """
    ca, cb = _cities(a), _cities(b)
    if len(ca) != 1 or len(cb) != 1 or any(t.kind == "neg" for t in a + b):
        return None
    x, y = next(iter(ca)), next(iter(cb))
    if same_name(x, x, y, y) or not places_differ(x, y):
        return None
    return x, y
