"""Refutations: a report that denies, debunks or retracts a claim, and the claim it refutes.

'X denied reports that P', 'X denied P-ing', 'X disputed claims that P', 'the call turned
out to be a hoax', 'unfounded reports that P', 'contrary to what has been reported, P'.
Each gives the refuted content (the words of P, or the thing called a hoax), who refutes
it, and whether the content is the false claim (-1) or the truth set against it (+1, the
'contrary to reports' form). Mere attribution ('X said', 'reports say') is never one: only
a word that calls something false, or a verb that denies it, makes a refutation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span

from extractors.attribution import Attribution
from extractors.entities import EntityIndex, entity_id

REFUTATION = "refutation"  # the claims' value type and attribute, and the contradictions' kind
# every refutation of a story is looked up under one key: what it refutes is found by the
# overlap of its content with the story's statements, not by a subject the two must share
REFUTATION_SUBJECT = entity_id("CONCEPT", "refuted claim")

# nouns that name a claim: what a refutation's verb can take as its object
CLAIM_NOUNS = (
    r"reports?|claims?|allegations?|accusations?|suggestions?|rumou?rs?|speculation|charges?"
    r"|stor(?:y|ies)|assertions?|contentions?|notions?|suspicions?"
)
_CLAIM_NOUN_RE = re.compile(rf"\b(?:{CLAIM_NOUNS})\b", re.I)
# verbs that deny whatever follows them (a clause, a gerund, an offence)
_DENY = r"den(?:y|ies|ied|ying)|refut(?:e|es|ed|ing)|debunk(?:s|ed|ing)?"
# verbs that refute only a named claim ('dismissed reports that'), never a thing ('disputed
# control of Abyei', 'rejected the offer')
_REJECT = (
    r"disput(?:e|es|ed|ing)|dismiss(?:es|ed|ing)?|reject(?:s|ed|ing)?|discount(?:s|ed|ing)?"
    r"|retract(?:s|ed|ing)?|rul(?:e|es|ed|ing) out|contradict(?:s|ed|ing)?"
)
_ADVERBS = (
    r"(?:(?:repeatedly|vehemently|steadfastly|adamantly|strongly|flatly|firmly|categorically"
    r"|unequivocally|publicly|also|always|later|quickly|again|since|swiftly|emphatically"
    r"|previously|consistently|long|have|has|had|to|over the years|time and again),?\s+)*"
)
_CUE_RE = re.compile(rf"\b(?P<cue>{_DENY}|{_REJECT})\b\s*{_ADVERBS}", re.I)
# a claim noun phrase after the verb: 'reports', 'Israel Defense Forces claims', 'the
# accusations by the Sudanese government', 'his counterpart's accusations'
_CLAIM_NP_RE = re.compile(
    rf"^(?:(?:the|any|all|those|these|such|recent|earlier|initial|media|press|new|widespread"
    rf"|[\w'’-]+['’]s?|[A-Z][\w-]*)\s+){{0,4}}(?P<noun>{CLAIM_NOUNS})\b",
    re.I,
)
# what a claim noun's content opens with: 'reports that', 'charges of', 'rumors about'
_CONTENT_OPENER_RE = re.compile(
    r"^(?:\s*(?:by|from|against|made by|levelled by|leveled by)\s+[^,;:.]{1,50}?(?=\s)"
    r"|\s*(?:spread|circulat\w+|made|published|posted|levell?ed|swirling)\b[^,;:.]{0,50}?(?=\s))?"
    r"\s*(?:\b(?P<op>that|of|about|whether)\s+|\b(?=(?:he|she|they|it|I|we)\s+\w))(?P<rest>.+)$",
    re.I,
)
# the content ends at the end of its clause
_CLAUSE_END_RE = re.compile(
    r",\s*(?:calling|saying|and|but|adding|arguing|insisting|asserting|claiming|noting|telling"
    r"|despite|though|although|even though|while|which|who|according)\b"
    r"|\s+and\s+(?:said|says|told|added|insisted|stayed|reacted)\b"
    r"|,?\s*[\"”]\s*,?\s*(?:said|says|told|added|\w+\s+said)\b|,\s*[\"”]"
    r"|,\s+(?=[A-Z][\w.'’-]*\s+(?:has|have|had|was|were|is|are|said|says|would|will)\b)"
    r"|[\"”]\s*,?\s*(?:and|but)\b|;|:|\s[-–—]\s|[.!?]\s*[\"”’']?\s*$",
    re.I,
)
_NEGATED_CUE_RE = re.compile(
    r"\b(?:not|n't|never|without|no|nor|neither|refus\w*\s+to|declin\w*\s+to|can't|cannot)\s+"
    r"(?:\w+\s+){0,1}$",
    re.I,
)
# what a person is denied when 'deny' means 'refuse' ('denied bail', 'deny him the right')
_REFUSED = {
    "bail", "permit", "permits", "motion", "motions", "request", "requests", "offer", "loan",
    "loans", "coverage", "right", "rights", "access", "entry", "protection", "protections",
    "promotion", "promotions", "tenure", "time", "visa", "visas", "application", "appeal",
    "parole", "license", "licence", "service", "services", "benefits", "care", "treatment",
    "him", "her", "them", "us", "me", "you", "it", "this", "that", "everything", "anything",
    "the", "a", "an", "his", "their", "its", "our", "each", "all", "both",
}  # fmt: skip
# things a denial can deny outright: offences, involvement, existence
_DENIABLE = {
    "arson", "murder", "wrongdoing", "involvement", "knowledge", "link", "links", "connection",
    "connections", "responsibility", "guilt", "affair", "relationship", "ties",
    "presence", "existence", "bombing", "bombings", "attack", "attacks", "strike", "strikes",
    "charges", "charge", "assault", "rape", "fraud", "theft", "killing", "misconduct",
    "abuse", "harassment", "corruption", "bribery", "participation", "complicity",
}  # fmt: skip
_FALSE_WORDS = (
    r"hoax(?:es)?|fakes?|false|untrue|unfounded|baseless|bogus|fabricated|a fabrication|misleading"
    r"|incorrect|not true|groundless|a lie|lies|erroneous|inaccurate|debunked"
)
# 'X is/was/turned out to be a hoax'
_PREDICATIVE_RE = re.compile(
    r"\b(?P<cop>is|was|are|were|be|been|being|turned out to be|proved to be|proved|proven to be"
    r"|found to be|determined to be|shown to be|is being called|was called|were called)\s+"
    rf"(?:(?:a|an|all|completely|entirely|totally|utterly|simply|just|also|itself|an elaborate"
    rf"|a complete|a total|a cruel)\s+)*(?P<false>{_FALSE_WORDS})\b",
    re.I,
)
# 'unfounded reports that P', 'false claims of P', 'false rumours ... about P'
_FALSE_CLAIM_RE = re.compile(
    rf"\b(?P<false>false|untrue|unfounded|baseless|bogus|fabricated|fake|debunked|discredited"
    rf"|groundless|erroneous|inaccurate|misleading)\s+(?P<noun>{CLAIM_NOUNS}|news|pretext)\b",
    re.I,
)
# 'contrary to what has been reported', 'contrary to initial estimates', 'contrary to reports'
_CONTRARY_RE = re.compile(
    r"\b(?P<cue>contrary to|despite|counter to)\s+(?:(?:what|earlier|initial|some|media|press|recent"
    r"|the|early|widespread|many|popular|official|[\w'’-]+['’]s?)\s+){0,3}"
    r"(?:(?:has|had|have|was|were|is)\s+(?:been\s+)?)?(?:\w+\s+)?"
    r"(?P<noun>reported|reports?|claims?|claimed|rumou?rs?|rumou?red|estimates?|speculation|said"
    r"|suggested|suggestions?|believes|believed|beliefs?|expectations|accounts?|assertions?"
    r"|allegations?|alleged|stated)\b",
    re.I,
)
# 'this isn't the MacBook Pro the rumor mill suggested', 'was not a new iMac, all of which
# had been rumoured'
_NOT_RUMOURED_RE = re.compile(
    r"\b(?:is|was|are|were)(?:n't|\s+not)\s+(?P<what>[^;.]{3,80}?)\s*,?\s*"
    r"(?:(?:all\s+of\s+)?which|that|the\s+rumou?r\s+mill|reports|rumou?rs)\s+"
    r"(?:had\s+|has\s+|have\s+)?(?:been\s+)?(?:rumou?red|reported|suggested|speculated|predicted)\b",
    re.I,
)
_PRONOUN_SUBJECT = {
    "it", "this", "that", "these", "those", "they", "he", "she", "two", "both", "all", "which",
    "what", "everything", "anything", "some", "one", "none",
}  # fmt: skip
_ANAPHORIC_DETERMINERS = {"this", "that", "these", "those", "their", "his", "her", "its", "such"}
_CLAUSE_START_RE = re.compile(
    r"(?:^|[,;:]\s+|\b(?:after|when|because|since|while|although|though|but|and|that)\s+)", re.I
)
_LEAD_WORDS = re.compile(r"^(?:the|a|an|that|which|who|and|but|as|so)\s+", re.I)
_ANTECEDENT_RE = re.compile(
    r"\b(?:speculated|alleged|claimed|suggested|reported|rumou?red|accused\s+\w+\s+of|allegedly)"
    r"\s+(?:that\s+)?(?P<what>[^,;]{8,200})",
    re.I,
)
MIN_CONTENT_WORDS = 1


@dataclass(frozen=True)
class Refutation:
    """A refuted content within one sentence, who refutes it and with which word."""

    cue: str  # 'denied', 'hoax', 'contrary to'
    content: str  # the refuted claim's words (polarity -1) or the truth set against it (+1)
    content_start: int  # character offsets in the document
    content_end: int
    refuter: str | None  # the words naming who refutes it, when the sentence says
    polarity: int  # -1: the content is false; +1: the content is true and the report false


def _clause(text: str) -> str:
    m = _CLAUSE_END_RE.search(text)
    return (text[: m.start()] if m else text).strip(" ,;:\"“”'’")


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][\w'-]+|\d[\d,.]*", text) if w.lower() not in _STOP]


_STOP = {
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "that", "this", "it",
    "he", "she", "they", "his", "her", "their", "its", "was", "were", "is", "are", "be", "been",
    "had", "has", "have", "any", "all", "ever", "and", "or", "not", "no", "who", "which",
}  # fmt: skip


def _claim_content(after: str) -> tuple[int, str] | None:
    """After a claim noun: the offset and words of what the claim says, if the sentence says."""
    m = _CONTENT_OPENER_RE.match(after)
    if not m:
        return None
    rest = m.group("rest")
    # 'speculation about the rumor of several deaths': the innermost claim is the content
    inner = _CLAIM_NP_RE.match(rest)
    if inner:
        nested = _claim_content(rest[inner.end() :])
        if nested is not None:
            offset, words = nested
            return m.start("rest") + inner.end() + offset, words
    return m.start("rest"), _clause(rest)


def _refuter(sentence: str, at: int) -> str | None:
    """The words naming who refutes: the phrase before the verb, back to its clause's start."""
    before = sentence[:at].rstrip()
    before = re.sub(rf"\s*{_ADVERBS}$", "", before + " ").rstrip()
    before = re.sub(r"\b(?:has|have|had|also|who|which|then|now|later|,)\s*$", "", before).rstrip()
    # 'Felt, a dashing figure ..., denied': the appositive or relative clause is not who
    before = re.sub(r",[^,]{1,120},$", "", before).rstrip()
    before = re.sub(
        r"\s+(?:on\s+\w+day|last\s+\w+|earlier|this\s+week|yesterday|today)$", "", before
    )
    starts = [m.end() for m in _CLAUSE_START_RE.finditer(before)]
    phrase = before[max(starts) if starts else 0 :].strip(' ,"“”')
    phrase = _LEAD_WORDS.sub("", phrase)
    words = phrase.split()
    if len(words) == 1 and words[0].lower() in {"and", "but", "or", "so", "yet"}:
        return None
    if len(words) > 4 and re.search(r"\b[a-z]+(?:ed|s)\b", phrase):
        # a clause ('Nixon acknowledged his involvement, but denied'): its leading name
        lead = re.match(r"(?:(?:Mr|Mrs|Ms|Dr)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*", phrase)
        return lead.group(0) if lead else None
    if not words or len(words) > 8:
        return None
    return phrase


def find_refutations(text: str, sent: Span | None = None, sent_start: int = 0) -> list[Refutation]:
    """The refutations one sentence states, with the refuted content it gives."""
    # the tags of every token, read only after a denial verb (2% of the rule layer otherwise)
    tags: dict[int, str] | None = None
    found: list[Refutation] = []
    taken: list[tuple[int, int]] = []

    def add(cue: str, start: int, content: str, refuter: str | None, polarity: int) -> None:
        content = content.strip(" ,;:\"“”'’-")
        if len(_content_words(content)) < MIN_CONTENT_WORDS:
            return
        first = content.split()[0].lower() if content.split() else ""
        if first in _PRONOUN_SUBJECT and len(content.split()) == 1:
            return  # 'that is not true', 'two were fake': what is refuted is elsewhere
        begin = text.find(content, max(start - len(content) - 400, 0))
        if begin < 0:
            begin = start
        end = begin + len(content)
        if any(a < end and begin < b for a, b in taken):
            return
        taken.append((begin, end))
        found.append(
            Refutation(cue, content, sent_start + begin, sent_start + end, refuter, polarity)
        )

    for m in _CUE_RE.finditer(text):
        if tags is None:
            tags = _tags(sent) if sent is not None else {}
        if _NEGATED_CUE_RE.search(text[: m.start()]):
            continue  # 'did not deny', 'while not denying the story'
        cue = m.group("cue")
        after = text[m.end() :]
        refuter = _refuter(text, m.start())
        whether = re.match(r"^(?:on \w+\s+)?whether\s", after, re.I)
        if whether:  # 'disputed (on Tuesday) whether the plane had been hit'
            add(cue, m.end() + whether.end(), _clause(after[whether.end() :]), refuter, -1)
            continue
        if re.match(r"^(?:by|in|to|for|on|at)\b", after, re.I) or _passive(text, m.start()):
            # 'was denied bail', 'are disputed by': a refusal, or the claim stands before
            continue
        deny = re.match(_DENY, cue, re.I) is not None
        claim = _CLAIM_NP_RE.match(after)
        if claim:
            content = _claim_content(after[claim.end() :])
            if content is not None:
                offset, what = content
                add(cue, m.end() + claim.end() + offset, what, refuter, -1)
            else:
                ante = _ANTECEDENT_RE.search(text[: m.start()])
                if ante:  # 'speculated that P ..., he denied the accusations'
                    add(cue, ante.start("what"), _clause(ante.group("what")), refuter, -1)
            continue
        if not deny:
            continue
        rel = re.search(r"(?:,|\s[-–—])\s*which\s+(?:[\w'’-]+\s+){1,4}$", text[: m.start()])
        before_noun = re.search(
            rf"\b(?:{CLAIM_NOUNS})\s+(?:[\w'’-]+\s+){{1,4}}$", text[: m.start()]
        )
        if rel or before_noun:
            # 'accused of backing the attack, which Islamabad denies': the claim comes first
            cut = rel.start() if rel else before_noun.start()  # type: ignore[union-attr]
            head = re.sub(r"(?:\s*[-–—,]\s*|\s+)(?:an?|the|this|that)?\s*$", "", text[:cut])
            starts = [
                x.end()
                for x in re.finditer(
                    r"[-–—;:]\s|\bclaims?\s+(?:that\s+)?|\bthat\s+|\baccus\w+\s+(?:\w+\s+)?of\s+",
                    head,
                )
            ]
            begin = max(starts) if starts else 0
            add(cue, begin, head[begin:], None, -1)
            continue
        if re.match(r"^that\s", after, re.I):
            add(cue, m.end() + 5, _clause(after[5:]), refuter, -1)
            continue
        if m.start() == len(text) - len(text.lstrip()):  # 'Denying he was a gangster, Gigante ...'
            after = after.split(",", 1)[0]
        words = re.findall(r"[A-Za-z][\w'’-]*", after)
        if not words:
            continue
        first = words[0].lower()
        clause = _clause(after)
        if first in {"any", "ever"} or first.endswith("ing") or _tag(tags, text, m.end()) == "VBG":
            add(cue, m.end(), clause, refuter, -1)  # 'denied any links', 'denied having sex'
        elif first in _DENIABLE or (len(words) > 1 and words[1].lower() in _DENIABLE):
            add(cue, m.end(), clause, refuter, -1)  # 'denied arson', 'denied advance knowledge'
        elif first not in _REFUSED and _finite_clause(clause, tags, text, m.end()):
            add(cue, m.end(), clause, refuter, -1)  # 'denied he was a gangster'
    for m in _PREDICATIVE_RE.finditer(text):
        head = text[: m.start()]
        rel = re.search(r"\s(?:that|which)\s*$", head)
        starts = [x.end() for x in re.finditer(r"[,;:(]\s+|\b(?:after|when|because)\s+", head)]
        begin = max(starts) if starts else 0
        subject = head[begin : rel.start()] if rel else head[begin:]
        subject = re.sub(r"\s+(?:has|have|had|also|may|might|could|would|will)\s*$", "", subject)
        after = text[m.end() :]
        if re.match(r"^\s*(?:to|for)\b", after, re.I):
            continue  # 'it is wrong to say', 'false for'
        words = subject.strip().split()
        if not words or words[0].lower() in {"whatever", "whichever"}:
            continue
        if len(words) <= 3 and words[0].lower().strip("\"“‘'(") in _ANAPHORIC_DETERMINERS:
            continue  # 'this information is false', 'their memories were wrong'
        if re.search(r"\b(?:say|says|said|claim|claims|insist|insists)\s+(?:that\s+)?", subject):
            continue  # 'witnesses say that the account is false': whose account is elsewhere
        claim_noun = _CLAIM_NOUN_RE.search(subject)
        if claim_noun and words[-1].lower() not in {"it", "this"}:
            # 'the allegations were ... unfounded': the claim's content, if the sentence says
            content = _claim_content(subject[claim_noun.end() :])
            if content is not None:
                add(m.group("false"), begin + claim_noun.end() + content[0], content[1], None, -1)
            continue
        if words[-1].lower() in {"it", "this"} and re.match(r"^\s*that\s", after, re.I):
            add(m.group("false"), m.end(), _clause(re.sub(r"^\s*that\s", "", after)), None, -1)
        elif words[-1].lower() not in _PRONOUN_SUBJECT and words[0].lower() not in {
            "if",
            "whether",
        }:
            add(m.group("false"), begin, subject, None, -1)  # 'the call ... was a hoax'
    for m in _FALSE_CLAIM_RE.finditer(text):
        content = _claim_content(text[m.end() :])
        if content is None:
            continue
        offset, what = content
        add(m.group("false"), m.end() + offset, what, None, -1)
    for m in re.finditer(r"\b(?:was|were|is|are)\s+(?:\w+\s+)?incorrect\s+about\s+", text, re.I):
        after = text[m.end() :]
        claim = _CLAIM_NP_RE.match(after)
        content = _claim_content(after[claim.end() :]) if claim else (0, _clause(after))
        if content is not None:
            add(
                "incorrect",
                m.end() + (claim.end() if claim else 0) + content[0],
                content[1],
                None,
                -1,
            )
    for m in _CONTRARY_RE.finditer(text):
        if m.group("cue").lower() == "despite" and m.group("noun").lower() not in {
            "reports", "report", "claims", "rumors", "rumours", "reported", "claimed",
        }:  # fmt: skip
            continue
        after = text[m.end() :]
        tail = re.match(r"^[^,]*,\s*(?P<rest>.+)$", after)
        if tail and len(_content_words(tail.group("rest"))) >= 2:
            add(m.group("cue"), m.end() + tail.start("rest"), _clause(tail.group("rest")), None, 1)
        else:
            head = text[: m.start()].rstrip(" ,")
            starts = [x.end() for x in re.finditer(r"[;:]\s+|\bthat\s+", head)]
            begin = max(starts) if starts else 0
            add(m.group("cue"), begin, head[begin:], None, 1)
    for m in _NOT_RUMOURED_RE.finditer(text):
        add("not as rumoured", m.start("what"), m.group("what"), None, -1)
    return found


def _passive(text: str, at: int) -> bool:
    return bool(re.search(r"\b(?:was|were|been|being|be|is|are)\s+(?:\w+ly\s+)?$", text[:at], re.I))


def _tags(sent: Span) -> dict[int, str]:
    base = sent.start_char
    return {t.idx - base: t.tag_ for t in sent if t.tag_}


def _tag(tags: dict[int, str], text: str, at: int) -> str | None:
    rest = text[at:]
    return tags.get(at + len(rest) - len(rest.lstrip()))


_FINITE = {"VBD", "VBZ", "VBP", "MD"}


def _finite_clause(clause: str, tags: dict[int, str], text: str, at: int) -> bool:
    """Whether the words after a verb form a clause of their own ('he was a gangster')."""
    if tags:
        offset = at + (len(text[at:]) - len(text[at:].lstrip()))
        end = offset + len(clause)
        return any(offset < i < end and t in _FINITE for i, t in tags.items())
    return bool(re.search(r"\b(?:was|were|is|are|had|has|did|would|could|\w+ed)\b", clause, re.I))


_PRONOUN_REFUTERS = {"he", "she", "they", "we", "i", "it", "his", "her", "their", "who"}


def refuter_attribution(
    ref: Refutation, att: Attribution, index: EntityIndex, s_text: str, s_start: int
) -> Attribution:
    """Who refutes: the named entity in the refuter's words, else those words, else the
    sentence's own speaker (a pronoun refuter is that speaker when the sentence quotes one)."""
    modality = "denied"
    if ref.refuter and ref.refuter.lower() not in _PRONOUN_REFUTERS:
        at = s_text.rfind(ref.refuter, 0, max(ref.content_start - s_start, 0))
        if at >= 0:
            found = index.within(s_start + at, s_start + at + len(ref.refuter))
            named = [e for e in found if index.types.get(e) in {"PERSON", "ORG", "PLACE"}]
            if named:
                return Attribution(named[0], index.names[named[0]], ref.cue, modality)
        return Attribution(None, ref.refuter, ref.cue, modality)
    return Attribution(att.speaker_id, att.speaker, ref.cue, modality)
