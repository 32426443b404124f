"""Who says what: quotations, reporting verbs, speakers' roles and pronoun speakers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.entities import _NAME, ROLE_NOUNS, SPEECH_VERBS, EntityIndex, clean_name

_QUOTE_RE = re.compile(r"“([^”]{3,}?)”|\"([^\"\n]{3,}?)\"")
_PRONOUNS = {"he", "she", "they", "him", "her"}
_WHO = (
    rf"(?:(?:[A-Z][\w'’]*\s+)?(?:[a-z][\w-]*\s+){{0,2}}?(?:{ROLE_NOUNS})\s+{_NAME}"
    rf"|he|she|they|{_NAME}|(?:the|a|an)\s+[\w\s'-]{{1,40}}?)"
)
_AFTER_RE = re.compile(
    rf"^\s*,?\s*(?:(?P<who>{_WHO})\s+(?P<verb>{SPEECH_VERBS})|(?P<verb2>{SPEECH_VERBS})\s+(?P<who2>{_WHO}))\b"
)
_BEFORE_RE = re.compile(rf"(?P<who>{_WHO})\s+(?P<verb>{SPEECH_VERBS})(?:\s+\w+)?\s*[:,]?\s*$")
_TRAILING_RE = re.compile(
    rf",\s*(?:(?P<who>{_WHO})\s+(?P<verb>{SPEECH_VERBS})|(?P<verb2>{SPEECH_VERBS})\s+(?P<who2>{_WHO}))"
    rf"(?:[^.!?]{{0,60}})?[.!?]?\s*$"
)
_LEADING_RE = re.compile(
    rf"^[\s\W]*(?:(?i:but|and|however|yet|so|meanwhile),?\s+)?(?:\w+,\s*)?(?P<who>{_WHO})(?:,[^,]{{1,80}},)?\s+(?P<verb>{SPEECH_VERBS})\b"
)
_ACCORDING_RE = re.compile(rf"\baccording to\s+(?P<who>{_WHO})")

DENY_VERBS = {"denied", "denies", "rejected", "dismissed"}
PREDICT_VERBS = {"warned", "warns", "predicted", "expects"}


@dataclass(frozen=True)
class Attribution:
    """The speaker of a stretch of text, with the verb that introduced them."""

    speaker_id: str | None
    speaker: str | None
    verb: str | None
    modality: str


OUTLET_VOICE = Attribution(None, None, None, "asserted")


def _modality(verb: str | None) -> str:
    if verb is None:
        return "asserted"
    if verb in DENY_VERBS:
        return "denied"
    if verb in PREDICT_VERBS:
        return "predicted"
    return "reported"


class Attributor:
    """Attributes each sentence of a document to a speaker or to the outlet's own voice."""

    def __init__(self, text: str, index: EntityIndex) -> None:
        self.text = text
        self.index = index
        self.quotes: list[tuple[int, int, Attribution]] = []
        for m in _QUOTE_RE.finditer(text):
            who = self._quote_speaker(m.start(), m.end())
            self.quotes.append((m.start(), m.end(), who))

    def _resolve(self, who: str, verb: str, pos: int) -> Attribution:
        who_clean = who.strip()
        if who_clean.lower() in _PRONOUNS:
            found = self.index.antecedent(pos, lower=max(0, pos - 3000))
            if found:
                return Attribution(found, self.index.names[found], verb, _modality(verb))
            return Attribution(None, None, verb, _modality(verb))
        start = self.text.find(who_clean, max(0, pos - 400))
        if start >= 0:
            inside = self.index.within(start, start + len(who_clean))
            eid: str | None = inside[0] if inside else self.index.at(start, start + len(who_clean))
            if eid and self.index.types[eid] in {"PERSON", "ORG"}:
                return Attribution(eid, self.index.names[eid], verb, _modality(verb))
        name = clean_name(who_clean)
        return Attribution(None, name or None, verb, _modality(verb))

    def _quote_speaker(self, start: int, end: int) -> Attribution:
        after = self.text[end : end + 120].split("\n")[0]
        m = _AFTER_RE.match(after)
        if m:
            who = m.group("who") or m.group("who2")
            verb = m.group("verb") or m.group("verb2")
            return self._resolve(who, verb, start)
        line_start = self.text.rfind("\n", 0, start) + 1
        before = self.text[max(line_start, start - 160) : start]
        m = _BEFORE_RE.search(before)
        if m:
            return self._resolve(m.group("who"), m.group("verb"), start - len(before) + m.start())
        return Attribution(None, None, None, "reported")

    def sentence(self, start: int, end: int) -> Attribution:
        """Return who says the sentence at [start, end)."""
        for qs, qe, who in self.quotes:
            if qs <= start + 2 and end - 2 <= qe and who.verb is not None:
                return who
        sent = self.text[start:end]
        for rx in (_TRAILING_RE, _LEADING_RE, _ACCORDING_RE):
            m = rx.search(sent)
            if m:
                speaker = m.groupdict().get("who") or m.groupdict().get("who2")
                verb = m.groupdict().get("verb") or m.groupdict().get("verb2") or "according to"
                if speaker:
                    return self._resolve(speaker, verb, start + m.start())
        for qs, qe, who in self.quotes:
            if qs < end and start < qe and who.verb is not None:
                return who
        return OUTLET_VOICE


_ROLE_AFTER_RE = (
    r",\s+(?:the\s+|a\s+|an\s+)?(?P<role>[^,.;()]{0,40}?\b(?:"
    + ROLE_NOUNS
    + r")\b[^,.;]{0,60}?)[,.;]"
)
_ROLE_BEFORE_RE = (
    r"(?P<role>(?:[A-Z][\w'’]*[^\S\n]+)?(?:[\w'’-]+[^\S\n]+){0,3}?(?:" + ROLE_NOUNS + r")"
    r"(?:[^\S\n]+(?:of|to|for)[^\S\n]+[A-Z][\w'’]*(?:[^\S\n]+[A-Z][\w'’]*)*)?),?[^\S\n]+$"
)


def speaker_roles(text: str, index: EntityIndex) -> dict[str, str]:
    """Return a role ("Russia's envoy to Afghanistan") for each person introduced with one."""
    roles: dict[str, str] = {}
    for start, end, eid, _ in index.mentions:
        if index.types[eid] != "PERSON" or eid in roles:
            continue
        m = re.match(_ROLE_AFTER_RE, text[end : end + 140])
        if m:
            roles[eid] = m.group("role").strip()
            continue
        m = re.search(_ROLE_BEFORE_RE, text[max(0, start - 80) : start])
        if m:
            roles[eid] = m.group("role").strip()
    return roles
