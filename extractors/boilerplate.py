"""Page furniture that states nothing: datelines, update stamps, bylines, credits, URLs, share lines.

A news page prints "Updated 4:08 p.m. ET", "By Jane Doe, Staff Writer", "Photo: AP" or the
story's own address between its sentences; two outlets' stamps differ without disagreeing.
"""

from __future__ import annotations

import re

URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|co\.uk|html?|php|aspx?)\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# a clock time: '4:08 p.m.', '06:55 GMT', '5:19 pm', '8:45AM', '1052 GMT'
CLOCK_RE = re.compile(
    r"\b\d{1,2}(?::\d\d){1,2}(?:\s?(?:[ap]\.\s?m\.|[ap]m\b|[ap]\b|hrs\b|gmt\b))?|\b\d{1,2}\s?(?:[ap]\.m\.|[ap]m\b)"
    r"|\b\d{3,4}\s(?=GMT\b|UTC\b|HKT\b|IST\b|[ECMP][SD]T\b)",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAYS = r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
_ZONES = (
    r"gmt|utc|bst|cest|cet|ist|hkt|aest|akdt|edt|est|cdt|cst|mdt|mst|pdt|pst|et|pt|ct|local|time"
)
# words a stamp or dateline is made of, besides numbers, dates and clock times
_STAMP_WORDS = rf"(?:{_MONTHS}|{_DAYS}|{_ZONES}|uk|edited|released|first|originally|last|updated?|posted|published|modified|created|story|on|at|by|hrs|am|pm|a\.m|p\.m|th|st|nd|rd|of|the|date|time|ago|years?|days?|hours?|minutes?|downloaded|[ap])"
_STAMP_TOKEN = re.compile(
    rf"^(?:{_STAMP_WORDS}|[\d/:.,+\-|–—()\[\]@]+|\d+(?:st|nd|rd|th)|\(?(?:{_ZONES})[+\-]?[\d:]*\)?"
    r"|\((?:AP|Reuters|AFP|UPI|CNA|CNN|Xinhua|dpa|IANS|PTI|ANI|BBC)\))$",
    re.IGNORECASE,
)
_STAMP_START = re.compile(
    r"^\W*(?:(?:last\s+|originally\s+|first\s+|date\s+)?(?:updated|posted|published|modified)|story\s+created|filed)\b",
    re.IGNORECASE,
)
_DATE_OR_TIME = re.compile(
    rf"\d{{1,2}}:\d\d|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\b(?:{_MONTHS})\.?\s+\d|\d\s+(?:{_MONTHS})\b|\b(?:{_DAYS})\b|\bago\b",
    re.IGNORECASE,
)
# '... posted in Pedestrian Accidents on Wednesday, September 18, 2013.'
_FILED_UNDER = re.compile(r"\bposted\s+in\s+[\w &-]+\s+on\s+", re.IGNORECASE)
_BYLINE = re.compile(
    r"^\W*(?i:by|written by|reporting by|words by|story by|posted by)\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
    r"(?P<rest>(?:\s*[,|/–—-]\s*|\s+and\s+|\s+)[\w .'’,&|/–—-]*)?\W*$"
)
# what may follow a byline's name: 'By Jane Doe, Associated Press Writer | Staff'
_BYLINE_WORDS = {
    "staff", "writer", "writers", "reporter", "reporters", "correspondent", "editor", "and",
    "the", "for", "of", "contributor", "senior", "special", "news", "press", "wire", "services",
    "in", "at", "with", "chief", "political", "business", "sports", "bureau", "columnist",
}  # fmt: skip
_CREDIT = re.compile(
    r"^\W*(?:(?:file\s+)?photo(?:graph)?s?|images?|pictures?|video|credit|caption)\s*(?:credit|by|courtesy)?\s*[:|/]"
    r"|\b(?:photo|image|picture)s?\s*(?:credit|courtesy of|by)\b"
    r"|\b(?:AP|AFP|Reuters|EPA|Getty)\s*(?:Photo|Images)\b"
    r"|/\s*(?:Getty Images|AP|AFP|Reuters|EPA)\W*$",
    re.IGNORECASE,
)
# a share or subscribe line opens with its verb and stays short ('Share this story', 'Related:')
_SHARE_START = re.compile(
    r"^\W*(?:share|tweet|e-?mail|print|follow|subscribe|sign up|like us|join us|click here|read more|"
    r"related|comments?|recommend|advertisement|more from|see also|watch|listen)\b",
    re.IGNORECASE,
)
MAX_SHARE_WORDS = 8
_SHARE = re.compile(
    r"\b(?:share (?:this|on)|follow us|subscribe to (?:our|the)|sign up for (?:our|the) newsletter|"
    r"like us on|all rights reserved|may not be (?:published|reproduced))\b"
    r"|^\W*(?:©|copyright\b|\(c\)\s*\d{4})",
    re.IGNORECASE,
)
_AGENCY_DATELINE = re.compile(
    r"^[A-Z][\w.' -]*(?:,\s*[\w.' /:]+)*\s*\((?:AP|Reuters|AFP|UPI|CNA|CNN|Xinhua|dpa|IANS|PTI|ANI|BBC)\)\s*[-–—:]*\s*$"
)
# a line of furniture is short; a sentence that merely mentions a posting is not one
MAX_FURNITURE_WORDS = 25
MAX_URL_LABEL_WORDS = 6


def strip_urls(text: str) -> str:
    """Blank out the web addresses in a text, keeping every other offset in place."""
    return URL_RE.sub(lambda m: " " * len(m.group(0)), text)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the web addresses in a text."""
    return [m.span() for m in URL_RE.finditer(text)]


def clock_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the clock times in a text ('4:08 p.m.')."""
    return [m.span() for m in CLOCK_RE.finditer(text)]


def is_boilerplate(sentence: str) -> bool:
    """Whether a sentence is page furniture (stamp, dateline, byline, credit, URL, share line)."""
    text = sentence.strip()
    if not text:
        return True
    words = text.split()
    if len(words) > MAX_FURNITURE_WORDS:
        return False
    rest = strip_urls(text).strip()
    if len(rest) < len(text) and len(re.findall(r"[A-Za-z]{2,}", rest)) <= MAX_URL_LABEL_WORDS:
        return True  # an address with at most a label around it ('Her biography appears at:')
    if _only_stamp(rest) or _AGENCY_DATELINE.match(rest):
        return True
    if (_STAMP_START.match(rest) or _FILED_UNDER.search(rest)) and _DATE_OR_TIME.search(rest):
        return True
    if _SHARE_START.match(rest) and len(words) <= MAX_SHARE_WORDS:
        return True
    return _is_byline(rest) or bool(_CREDIT.search(rest) or _SHARE.search(rest))


def _is_byline(text: str) -> bool:
    m = _BYLINE.match(text)
    if not m or _DATE_OR_TIME.search(m.group("name")):
        return False  # 'By Monday, police had ...' dates an event
    rest = re.findall(r"[\w'’.-]+", m.group("rest") or "")
    return all(w[0].isupper() or w.lower() in _BYLINE_WORDS for w in rest)


def _only_stamp(text: str) -> bool:
    # 'Monday, Sep 10, 2012 | Updated 9:01 AM EDT', '11/28/05', 'Posted 1 year, 160 days ago'
    if not _DATE_OR_TIME.search(text) and not re.search(r"\d", text):
        return False
    tokens = re.split(r"[\s,|@]+|(?<=\d)-|-(?=\d)", CLOCK_RE.sub(" ", text))
    return all(_STAMP_TOKEN.match(t.strip(".;:[]()")) or not t.strip(".;:[]()") for t in tokens)
