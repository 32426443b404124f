"""Entity mentions in a document and their canonical forms (aliases, acronyms, places)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

import pycountry

from records import stable_id
from extractors.pipeline import LABEL_TO_TYPE

COUNTRIES = {c.name.lower() for c in pycountry.countries} | {
    "russia", "iran", "syria", "britain", "america", "u.s.", "us", "uk", "afghanistan",
    "pakistan", "china", "taiwan", "vietnam", "korea", "venezuela", "bolivia", "tanzania",
}  # fmt: skip

# model labels (the shipped pipeline's PER/ORG/LOC and en_core_web's OntoNotes) -> our types
# the pipeline's entity types, folded for canonical entities: every kind of place is a
# PLACE (a valley may come back as LOC, GPE or FAC), and a group named by nationality or
# creed is an organisation that can own a claim
LABEL_TYPES: dict[str, str] = {
    label: {"LOC": "PLACE", "GPE": "PLACE", "NORP": "ORG"}.get(etype, etype)
    for label, etype in LABEL_TO_TYPE.items()
}

TITLES = {
    "mr", "mrs", "ms", "dr", "sir", "president", "prime", "minister", "general", "gen",
    "commander", "sheikh", "mullah", "king", "queen", "prince", "ambassador", "envoy",
    "spokesman", "spokeswoman", "spokesperson", "senator", "governor", "mayor", "chief",
    "colonel", "col", "captain", "lt", "sgt", "professor", "prof", "former", "late",
}  # fmt: skip
PLACE_WORDS = {
    "valley", "province", "region", "district", "mount", "mountains", "city", "county",
    "state", "river", "gorge", "pass", "island", "islands",
}  # fmt: skip
ROLE_NOUNS = (
    "spokesman|spokeswoman|spokesperson|envoy|ambassador|leader|minister|president|commander|"
    "chief|head|official|officer|governor|mayor|general|secretary|director|chairman|adviser|"
    "advisor|analyst|founder|ceo|spokespeople|representative|diplomat|negotiator"
)
SPEECH_VERBS = (
    "said|says|told|tells|added|adds|wrote|writes|stated|claimed|claims|announced|"
    "estimated|estimates|warned|warns|denied|denies|insisted|noted|explained|argued|"
    "confirmed|confirms|reported|reports|tweeted|posted"
)

_CAP = r"[A-Z][\w'’-]*"
_SP = r"[^\S\n]+"  # spaces within one line: names never cross a line break
_NAME = rf"{_CAP}(?:{_SP}(?:al-|bin{_SP}|de{_SP}|van{_SP})?{_CAP}){{0,3}}"
_ACRONYM_RE = re.compile(
    rf"(?P<long>{_CAP}(?:\s+(?:of|for|and|the|{_CAP}))*\s+{_CAP})\s+\((?P<short>[A-Z]{{2,6}})\)"
)
_ROLE_NAME_RE = re.compile(
    rf"\b(?:{ROLE_NOUNS})\b(?:{_SP}(?:of|to|for){_SP}{_CAP})?,?{_SP}(?P<name>{_NAME})"
)
_NAME_ROLE_RE = re.compile(
    rf"(?P<name>{_NAME})(?:,|{_SP}[–-]){_SP}(?:the{_SP}|a{_SP})?(?:[\w-]+{_SP})?(?:{ROLE_NOUNS})\b"
)
_NAME_SAID_RE = re.compile(rf"(?P<name>{_NAME}){_SP}(?:{SPEECH_VERBS})\b")
_SAID_NAME_RE = re.compile(rf"\b(?:said|added|says){_SP}(?P<name>{_NAME})")
_PLACE_RE = re.compile(
    rf"(?P<name>(?:{_CAP}\s+)+(?:Valley|Province|Region|District|Mountains|Gorge|Pass))\b"
)
COMPASS = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "north-east", "north-west", "south-east", "south-west",
}  # fmt: skip
_PREP_BEFORE = re.compile(r"\b(?:of|to|with|by|for|from|against|about)\s+$")
ORG_WORDS = {
    "front", "party", "army", "council", "ministry", "government", "movement", "union",
    "agency", "group", "forces", "force", "committee", "court", "police", "taliban",
    "company", "inc", "corp", "ltd", "bank", "university", "emirate", "state", "news",
}  # fmt: skip
_NOT_NAMES = {
    "The", "A", "An", "But", "And", "If", "In", "On", "At", "As", "It", "He", "She", "They",
    "We", "I", "There", "This", "That", "Meanwhile", "However", "Since", "While", "When",
    "Last", "Source", "READ", "MORE", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "His", "Her", "Their", "Its", "Our", "Mr", "Mrs", "Ms",
}  # fmt: skip


@dataclass
class EntityIndex:
    """The entities of one document: canonical names, types and mention offsets."""

    names: dict[str, str] = field(default_factory=dict)  # entity_id -> canonical name
    types: dict[str, str] = field(default_factory=dict)  # entity_id -> type
    aliases: dict[str, set[str]] = field(default_factory=dict)
    mentions: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, id, text
    text: str = ""

    def at(self, start: int, end: int) -> str | None:
        """Return the entity id of a mention overlapping [start, end)."""
        for s, e, eid, _ in self.mentions:
            if s < end and start < e:
                return eid
        return None

    def within(self, start: int, end: int) -> list[str]:
        """Return the entity ids mentioned inside [start, end), people first."""
        found = [eid for s, e, eid, _ in self.mentions if start <= s and e <= end]
        return sorted(found, key=lambda eid: self.types[eid] != "PERSON")

    def before(self, pos: int, types: set[str], lower: int = 0) -> tuple[int, int, str] | None:
        """Return the last mention of one of `types` ending at or before pos (and after lower)."""
        best: tuple[int, int, str] | None = None
        for s, e, eid, _ in self.mentions:
            if lower <= s and e <= pos and self.types[eid] in types:
                if best is None or s > best[0]:
                    best = (s, e, eid)
        return best

    def antecedent(self, pos: int, lower: int = 0) -> str | None:
        """Return the person a 'he'/'she' at pos most likely refers to.

        The last person mentioned, skipping those named as the object of a preposition
        ("the son of Ahmad Shah Massoud", "talks with Abdullah"): a following pronoun
        seldom points back at them.
        """
        for s, e, eid, _ in sorted(self.mentions, reverse=True):
            if e <= pos and s >= lower and self.types[eid] == "PERSON":
                if not _PREP_BEFORE.search(self.text[max(0, s - 8) : s]):
                    return eid
        found = self.before(pos, {"PERSON"}, lower)
        return found[2] if found else None

    def counts(self) -> Counter[str]:
        """Return how often each entity is mentioned."""
        return Counter(eid for _, _, eid, _ in self.mentions)


def clean_name(text: str) -> str:
    """Strip possessives, titles and stray punctuation from a name."""
    text = re.sub(r"['’]s?$", "", text.strip(" \t\n\"'“”‘’.,;:()–-"))
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words)


def place_key(name: str) -> str:
    """Return the comparison key of a place: 'Mount Panjshir Valley' -> 'panjshir'."""
    words = [w for w in name.lower().split() if w not in PLACE_WORDS and w != "the"]
    return " ".join(words) or name.lower()


def entity_id(etype: str, key: str) -> str:
    """Return the stable id of a canonical entity."""
    return stable_id("entity", etype, key.lower())


def _raw_mentions(doc: Doc, text: str) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []
    for ent in doc.ents:
        etype = LABEL_TYPES.get(ent.label_)
        if etype:
            surface, end = ent.text, ent.end_char
            # "Mount Panjshir Valley Northwest (of Kabul)": the compass word is not the name
            words = surface.split()
            if len(words) > 1 and words[-1].lower() in COMPASS:
                surface = surface[: surface.rfind(words[-1])].rstrip()
                end = ent.start_char + len(surface)
            # "Panjshir Valley" is a place whatever a small model guessed
            if surface.split()[-1].lower() in PLACE_WORDS - {"state"}:
                etype = "PLACE"
            found.append((ent.start_char, end, etype, surface))
    speaker_spans: list[tuple[int, int]] = []
    # rule layer: patterns a weak model misses (speakers, role holders, named valleys)
    for rx in (_ROLE_NAME_RE, _NAME_ROLE_RE, _NAME_SAID_RE, _SAID_NAME_RE):
        for m in rx.finditer(text):
            s, e = m.span("name")
            name = m.group("name")
            # "envoy to Afghanistan Dmitry Zhirnov said": a country is not part of the name
            words = name.split()
            while len(words) > 1 and (words[0] in _NOT_NAMES or words[0].lower() in COUNTRIES):
                s += len(words[0]) + (len(name) - len(name.lstrip())) + 1
                name = name[len(words[0]) :].lstrip()
                s = e - len(name)
                words = words[1:]
            if (
                words[0] in _NOT_NAMES
                or name.isupper()
                or words[0].lower() in COUNTRIES
                or words[-1].lower() in ORG_WORDS
                or text[max(0, s - 4) : s].lower() == "the "
            ):
                continue
            found.append((s, e, "PERSON", name))
            speaker_spans.append((s, e))
    for m in _PLACE_RE.finditer(text):
        if m.group("name").split()[0] not in _NOT_NAMES:
            found.append((m.start("name"), m.end("name"), "PLACE", m.group("name")))
    for m in _ACRONYM_RE.finditer(text):
        long_start = m.start("long") + _owner_prefix_len(m.group("long"))
        found.append((long_start, m.end("long"), "ORG", text[long_start : m.end("long")]))
        found.append((m.start("short"), m.end("short"), "ORG", m.group("short")))
    # keep the longest of overlapping mentions; on equal spans a speaker or role pattern
    # ("leader Okoro", "Okoro said") outranks the model's guess, the model the other rules
    people = set(speaker_spans)
    found.sort(key=lambda x: (x[0], -(x[1] - x[0]), (x[0], x[1]) not in people or x[2] != "PERSON"))
    kept: list[tuple[int, int, str, str]] = []
    for mention in found:
        if kept and mention[0] < kept[-1][1]:
            continue
        kept.append(mention)
    return kept


def build_index(doc: Doc) -> EntityIndex:
    """Find entity mentions in a document and collapse aliases onto canonical entities."""
    # doc.text joins every token on each access: read it once (twice was 2 ms an article)
    text = doc.text
    raw = _raw_mentions(doc, text)
    acronyms = {
        m.group("short"): clean_name(m.group("long")[_owner_prefix_len(m.group("long")) :])
        for m in _ACRONYM_RE.finditer(text)
    }
    # acronyms also appear bare and possessive elsewhere ("NRF's"); find those mentions too
    for short in acronyms:
        for m in re.finditer(rf"\b{re.escape(short)}\b", text):
            if not any(s <= m.start() < e for s, e, _, _ in raw):
                raw.append((m.start(), m.end(), "ORG", short))
    raw.sort()

    person_full: Counter[str] = Counter()
    places: set[str] = set()
    for _, _, etype, surface in raw:
        name = clean_name(surface)
        if etype == "PERSON" and len(name.split()) >= 2:
            person_full[name] += 1
        elif etype == "PLACE" and place_key(name) != name.lower():
            places.add(place_key(name))
    # surnames of people and bare names of places seen in full ("Massoud", "Panjshir")
    short_forms = {n.split()[-1]: "PERSON" for n in person_full}
    short_forms.update({p.title(): "PLACE" for p in places if " " not in p})
    for word, etype in short_forms.items():
        for m in re.finditer(rf"\b{re.escape(word)}\b", text):
            if not any(s <= m.start() < e for s, e, _, _ in raw):
                raw.append((m.start(), m.end(), etype, word))
    # a lone word the model called a place or group but that is the surname of a person
    # named in full here ("Okoro's aides" after "John Okoro") is that person
    surnames = {n.split()[-1] for n in person_full}
    raw = [
        (s, e, "PERSON", surface)
        if etype != "PERSON" and clean_name(surface) in surnames
        else (s, e, etype, surface)
        for s, e, etype, surface in raw
    ]

    index = EntityIndex(text=text)
    for start, end, etype, surface in raw:
        name = clean_name(surface)
        if not name or name.lower() in {"he", "she", "they", "it"}:
            continue
        if etype == "ORG" and name in acronyms:
            canonical = acronyms[name]
        elif etype == "PERSON" or (etype == "ORG" and len(name.split()) == 1):
            canonical = _person_canonical(name, person_full) if etype == "PERSON" else name
            if etype == "ORG" and canonical != name:
                etype = "PERSON"
            elif etype == "ORG":
                surname_match = _person_canonical(name, person_full)
                if surname_match != name:
                    canonical, etype = surname_match, "PERSON"
        else:
            canonical = name
        key = place_key(canonical) if etype == "PLACE" else canonical
        eid = entity_id(etype, key)
        if eid not in index.names or (etype == "PLACE" and len(canonical) < len(index.names[eid])):
            index.names[eid] = canonical
        index.types[eid] = etype
        index.aliases.setdefault(eid, set()).update({surface.strip(), name})
        index.mentions.append((start, end, eid, surface))
    return index


def _owner_prefix_len(long_name: str) -> int:
    # "Massoud's National Resistance Front (NRF)": the owner is not part of the name
    m = re.match(r"^.*['’]s\s+", long_name)
    return m.end() if m else 0


def _person_canonical(name: str, full_names: Counter[str]) -> str:
    # "Massoud" -> the most frequent full name ending in that surname ("Ahmad Massoud", not
    # his father "Ahmad Shah Massoud" mentioned once); ties go to the shorter name.
    last = name.split()[-1]
    candidates = [(n, c) for n, c in full_names.items() if n.split()[-1] == last]
    if not candidates:
        return name
    if len(name.split()) >= 2 and name in full_names:
        return name
    return max(candidates, key=lambda nc: (nc[1], -len(nc[0])))[0]
