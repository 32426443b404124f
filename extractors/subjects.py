"""Whose claim is it: possessives, the clause's subject, and pronouns resolved to entities."""

from __future__ import annotations

import re

from extractors.attribution import Attribution
from extractors.entities import EntityIndex

_CLAUSE_BREAK = re.compile(r"[,;:–—()\"“”]|\b(?:and|but|while|since|because|after|before|when)\b")
_POSSESSIVE_RE = re.compile(
    r"(?:\b(?P<pron>his|her|their|its)|(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)['’]s?)\s+(?:[\w-]+\s+){0,4}$"
)


def find_owner(
    text: str,
    sent_start: int,
    q_abs_start: int,
    index: EntityIndex,
    attribution: Attribution,
    main_actor: str | None,
    types: set[str],
    noun_pos: int | None = None,
    allow_they: bool = True,
) -> str | None:
    """Find whose quantity this is: a possessive, the clause's subject, or a pronoun."""
    before = text[sent_start:q_abs_start]
    m = _POSSESSIVE_RE.search(before)
    if not m and noun_pos is not None and noun_pos > sent_start:
        m = _POSSESSIVE_RE.search(text[sent_start:noun_pos])
    if m:
        if m.group("pron"):
            pron = m.group("pron").lower()
            if pron in {"his", "her"}:
                if attribution.speaker_id and index.types.get(attribution.speaker_id) == "PERSON":
                    return attribution.speaker_id
                return index.antecedent(q_abs_start)
            return main_actor
        eid = index.at(sent_start + m.start("name"), sent_start + m.end("name"))
        if eid and index.types[eid] in types:
            return eid
    # nearest entity on the left within the same clause, that is not the speaker
    breaks = [mm.end() for mm in _CLAUSE_BREAK.finditer(before)]
    clause_start = sent_start + (breaks[-1] if breaks else 0)
    found = index.before(q_abs_start, types, lower=clause_start)
    if found and found[2] != attribution.speaker_id:
        return found[2]
    clause = text[clause_start:q_abs_start]
    pronouns = re.findall(r"\b(they|he|she)\b", clause, re.IGNORECASE)
    if not pronouns:
        return None
    if pronouns[-1].lower() == "they":
        return main_actor if allow_they else None
    return index.antecedent(clause_start)
