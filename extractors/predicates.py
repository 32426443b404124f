"""Negatable predicates: '<subject> did not <verb> <object>' and '<subject> <verb>ed <object>'."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from extractors.attribution import Attribution
from extractors.entities import EntityIndex
from extractors.subjects import find_owner

_NEG_RE = re.compile(
    r"\b(?P<aux>did|does|do|will|would|could|can|has|have|had|is|was|are|were)\s*(?P<neg>not|n't|never)\s+"
    r"(?P<verb>[a-z]+)\b(?P<rest>[^.,;:!?]{0,60})",
    re.IGNORECASE,
)
_POS_VERB_RE = re.compile(r"^(?P<verb>[a-z]+(?:ed|s))\s+(?P<rest>[^.,;:!?]{0,60})", re.IGNORECASE)
_STOP_OBJ = {"the", "a", "an", "any", "his", "her", "their", "its", "our", "this", "that", "these", "those", "to"}


def _lemma(word: str, doc: Doc) -> str:
    lookup = doc.vocab.lookups.get_table("lemma_lookup", {}) if doc.vocab.lookups.has_table("lemma_lookup") else {}
    w = word.lower()
    return str(lookup.get(w, w)) if lookup else w


def find_predicates(
    doc: Doc,
    s_text: str,
    s_start: int,
    att: Attribution,
    index: EntityIndex,
    main_actor: str | None,
    make: object,
) -> None:
    """Negatable predicates: '<subject> did not <verb> <object>' and '<subject> <verb>ed <object>'."""
    assert callable(make)
    for m in _NEG_RE.finditer(s_text):
        abs_start = s_start + m.start()
        subject = find_owner(
            doc.text,
            s_start,
            abs_start,
            index,
            att,
            main_actor,
            {"PERSON", "ORG"},
            allow_they=False,
        )
        obj = _object_head(m.group("rest"))
        if subject is None or obj is None:
            continue
        phrase_end = m.start("rest") + m.group("rest").lower().find(obj) + len(obj)
        verb = _lemma(m.group("verb"), doc)
        modality = "predicted" if m.group("aux").lower() in {"will", "would"} else att.modality
        make(
            s_text, s_start, att, (abs_start, s_start + phrase_end),
            subject_id=subject, attribute=f"{verb} {_lemma(obj, doc)}", value_type="predicate",
            value_text=s_text[m.start() : phrase_end], polarity=-1, modality=modality,
        )  # fmt: skip
    # positive forms: an entity directly followed by a past-tense verb and its object
    for s, e, eid, _ in index.mentions:
        if not (s_start <= s and e <= s_start + len(s_text)) or index.types[eid] not in {
            "PERSON",
            "ORG",
        }:
            continue
        rest = s_text[e - s_start :].lstrip()
        m = _POS_VERB_RE.match(rest)
        if not m:
            continue
        span = doc.char_span(
            e + (len(s_text[e - s_start :]) - len(rest)),
            e + (len(s_text[e - s_start :]) - len(rest)) + len(m.group("verb")),
        )
        if (
            span is None
            or (doc.has_annotation("TAG") and span[0].tag_ not in {"VBD", "VBZ"})
            or not doc.has_annotation("TAG")
        ):
            continue
        obj = _object_head(m.group("rest"))
        if obj is None:
            continue
        verb = span[0].lemma_ or _lemma(m.group("verb"), doc)
        make(
            s_text, s_start, att, (s, s_start + (e - s_start) + len(s_text[e - s_start:]) - len(rest) + m.end()),
            subject_id=eid, attribute=f"{verb.lower()} {_lemma(obj, doc)}", value_type="predicate",
            value_text=f"{index.names[eid]} {m.group(0).strip()}", polarity=1,
        )  # fmt: skip


def _object_head(rest: str) -> str | None:
    words = re.findall(r"[A-Za-z][\w-]*", rest)
    obj: list[str] = []
    for w in words[:5]:
        lw = w.lower()
        if lw in _STOP_OBJ and not obj:
            continue
        if lw in {
            "for",
            "to",
            "in",
            "on",
            "at",
            "with",
            "by",
            "from",
            "of",
            "that",
            "because",
            "but",
            "and",
        }:
            break
        obj.append(lw)
    return obj[-1] if obj else None


