"""A person's age, as news gives it: 'Eric Allen Kirkpatrick, 61,' or '59-year-old Raj Chohan'."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.entities import EntityIndex

# 'Name, 61,' / 'Name, 61.' / 'Name (61)' / 'Name, aged 61' right after a person's mention
_AFTER_NAME = re.compile(
    r"^\s*(?:,\s*(?:aged\s+)?|\(\s*)(?P<age>\d{1,3})(?=\s*[,.)]|\s+(?:and|of|from|who)\b)"
    # 'Name, a 59-year-old grandmother,'
    r"|^\s*,\s*(?:a|an|the)\s+(?P<apposed>\d{1,3})[- ]year[- ]old\b"
)
# '61-year-old Name' / 'a 61-year-old, Name' right before it
# (a first name the entity model missed may stand between: '59-year-old Raj <Chohan>')
_BEFORE_NAME = re.compile(r"\b(?P<age>\d{1,3})[- ]year[- ]old,?\s+(?:[\w'-]+\s+){0,2}$")
MAX_AGE = 120


@dataclass(frozen=True)
class Age:
    """An age and the person it belongs to, with the character span of the figure."""

    person_id: str
    age: int
    start: int
    end: int


def find_ages(text: str, sent_start: int, sent_end: int, index: EntityIndex) -> list[Age]:
    """Ages stated next to a named person's mention within one sentence.

    An age belongs to the person it describes; an age with no named person ('a 57-year-old
    man') is left out, since one story may hold several such men.
    """
    found: list[Age] = []
    for start, end, eid, _ in index.mentions:
        if not (sent_start <= start and end <= sent_end) or index.types.get(eid) != "PERSON":
            continue
        after = _AFTER_NAME.match(text[end:sent_end])
        if after:
            group = "age" if after.group("age") else "apposed"
            age = int(after.group(group))
            if 0 < age <= MAX_AGE:
                found.append(Age(eid, age, end + after.start(group), end + after.end(group)))
            continue
        before = _BEFORE_NAME.search(text[sent_start:start])
        if before:
            age = int(before.group("age"))
            if 0 < age <= MAX_AGE:
                s = sent_start + before.start("age")
                found.append(Age(eid, age, s, s + len(before.group("age"))))
    return found
