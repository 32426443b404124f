"""Negatable claims: predicates ('did not order the seizures'), role holders, statements.

Three claim types come from here:
- predicate: '<subject> did not <verb> <object>' / '<subject> <verb>ed <object>', keyed by
  '<verb> <object>'. A verb that is the antonym of a canonical one ('lost the vote') is
  stored under the canonical verb ('win vote') with polarity -1 and hedge 'antonym', so the
  (subject, attribute) index finds it next to 'won the vote'.
- entity: 'X, the leader of ORG' -> subject ORG, attribute 'leader', value X.
- statement: a whole sentence keyed by its subject's head and its main verb's lemma; the
  detector aligns two statements by lexical overlap and looks for a polarity flip, an
  antonym, or different values in one exclusive slot (number, colour, nationality, name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.antonyms import is_adjective
from extractors.attribution import Attribution
from extractors.entities import EntityIndex, entity_id
from extractors.subjects import find_owner

_NEG_RE = re.compile(
    r"\b(?P<aux>did|does|do|will|would|could|can|has|have|had|is|was|are|were)\s*(?P<neg>not|n't|never)\s+"
    r"(?P<verb>[a-z]+)\b(?P<rest>[^.,;:!?]{0,60})",
    re.IGNORECASE,
)
_POS_VERB_RE = re.compile(r"^(?P<verb>[a-z]+(?:ed|s))\s+(?P<rest>[^.,;:!?]{0,60})", re.IGNORECASE)
_STOP_OBJ = {
    "the",
    "a",
    "an",
    "any",
    "his",
    "her",
    "their",
    "its",
    "our",
    "this",
    "that",
    "these",
    "those",
    "to",
}
_OBJ_BREAK = {
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
}

# the marked member of an antonym pair -> the canonical verb it is stored under
ANTONYM_VERBS: dict[str, str] = {
    "lose": "win", "deny": "confirm", "reject": "accept", "refuse": "accept",
    "acquit": "convict", "oppose": "support", "fail": "succeed", "close": "open",
    "decrease": "increase", "fall": "rise", "drop": "rise", "ban": "allow", "forbid": "allow",
}  # fmt: skip
# roles with one holder at a time (a company has several founders and spokespeople)
EXCLUSIVE_ROLES = (
    "leader", "head", "chief", "president", "chairman", "chairwoman", "ceo", "commander",
    "governor", "mayor", "prime minister", "chief executive",
)  # fmt: skip
_ROLE_RE = re.compile(
    r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}),\s+(?:the\s+)?(?:current\s+|new\s+)?"
    rf"(?P<role>{'|'.join(EXCLUSIVE_ROLES)})\s+of\s+(?:the\s+)?(?P<org>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){{0,4}})"
)
_PRONOUNS = {
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "you",
    "this",
    "that",
    "which",
    "who",
    "there",
    "these",
    "those",
}
_AUX = {
    "be", "have", "do", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
    "been", "being", "has", "had", "is", "was", "are", "were", "am", "did", "does",
}  # fmt: skip
NEGATORS = {"not", "n't", "never", "no"}
_FUNCTION_WORDS = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "and",
    "or", "but", "that", "which", "who", "whom", "whose", "this", "these", "those", "its",
    "his", "her", "their", "our", "my", "your", "it", "he", "she", "they", "we", "i", "you",
    "into", "onto", "over", "under", "about", "after", "before", "than", "then", "so", "if",
    "while", "also", "s", "'s", "’s", "up", "out", "off", "there", "here", "all", "some",
    "any", "each", "both", "such", "very", "just", "more", "most", "other", "only", "own",
    "said", "say", "says", "told", "according", "near", "between", "during", "amid", "since",
} | _AUX | NEGATORS  # fmt: skip
SPEECH_LEMMAS = {"say", "tell", "add", "write", "state", "claim", "announce", "report", "note"}
Make = Callable[..., None]


def annotated(doc: Doc, attr: str) -> bool:
    """Return doc.has_annotation(attr), computed once per document.

    has_annotation walks every token; asked once per sentence it made extraction
    quadratic in article length.
    """
    key = f"claimwatch_has_{attr}"
    if key not in doc.user_data:
        doc.user_data[key] = doc.has_annotation(attr)
    return bool(doc.user_data[key])


@functools.lru_cache(maxsize=1)
def _lemma_table() -> object | None:
    # spacy-lookups-data ships the table inside its wheel; a blank pipeline does not load it
    try:
        from spacy.lookups import load_lookups

        return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, ImportError):
        return None


def lemma(word: str) -> str:
    """Return the dictionary form of a word (lookup table; the word itself when unknown)."""
    w = word.lower()
    table = _lemma_table()
    return str(table.get(w, w)) if table is not None else w  # type: ignore[attr-defined]


def _tok_lemma(t: Token) -> str:
    return t.lemma_.lower() if t.lemma_ else lemma(t.text)


def find_predicates(
    doc: Doc,
    s_text: str,
    s_start: int,
    att: Attribution,
    index: EntityIndex,
    main_actor: str | None,
    make: object,
) -> None:
    """Negatable predicates, exclusive role holders and sentence statements of one sentence."""
    assert callable(make)
    _negated_predicates(doc, s_text, s_start, att, index, main_actor, make)
    _positive_predicates(doc, s_text, s_start, att, index, make)
    _role_holders(s_text, s_start, att, index, make)
    _statement(doc, s_text, s_start, att, index, make)


def _canonical(verb: str, polarity: int) -> tuple[str, int, str | None]:
    if verb in ANTONYM_VERBS:
        return ANTONYM_VERBS[verb], -polarity, "antonym"
    return verb, polarity, None


def _negated_predicates(
    doc: Doc, s_text: str, s_start: int, att: Attribution, index: EntityIndex,
    main_actor: str | None, make: Make,
) -> None:  # fmt: skip
    for m in _NEG_RE.finditer(s_text):
        abs_start = s_start + m.start()
        subject = find_owner(
            index.text,  # doc.text joins every token again on each access
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
        verb, polarity, hedge = _canonical(lemma(m.group("verb")), -1)
        modality = "predicted" if m.group("aux").lower() in {"will", "would"} else att.modality
        make(
            s_text, s_start, att, (abs_start, s_start + phrase_end),
            subject_id=subject, attribute=f"{verb} {lemma(obj)}", value_type="predicate",
            value_text=s_text[m.start() : phrase_end], polarity=polarity, modality=modality, hedge=hedge,
        )  # fmt: skip


def _positive_predicates(
    doc: Doc, s_text: str, s_start: int, att: Attribution, index: EntityIndex, make: Make
) -> None:
    """An entity directly followed by a past-tense or present verb and its object."""
    if not annotated(doc, "TAG"):
        return  # without tags a capitalised word before '-ed' is too often not a verb
    for s, e, eid, _ in index.mentions:
        if not (s_start <= s and e <= s_start + len(s_text)) or index.types[eid] not in {
            "PERSON",
            "ORG",
        }:
            continue
        tail = s_text[e - s_start :]
        rest = tail.lstrip()
        m = _POS_VERB_RE.match(rest)
        if not m:
            continue
        verb_start = e + len(tail) - len(rest)
        span = doc.char_span(verb_start, verb_start + len(m.group("verb")))
        if span is None or span[0].tag_ not in {"VBD", "VBZ"}:
            continue
        obj = _object_head(m.group("rest"))
        if obj is None:
            continue
        verb, polarity, hedge = _canonical((span[0].lemma_ or lemma(m.group("verb"))).lower(), 1)
        make(
            s_text, s_start, att, (s, verb_start + m.end()),
            subject_id=eid, attribute=f"{verb} {lemma(obj)}", value_type="predicate",
            value_text=f"{index.names[eid]} {m.group(0).strip()}", polarity=polarity, hedge=hedge,
        )  # fmt: skip


def _object_head(rest: str) -> str | None:
    obj: list[str] = []
    for w in re.findall(r"[A-Za-z][\w-]*", rest)[:5]:
        lw = w.lower()
        if lw in _STOP_OBJ and not obj:
            continue
        if lw in _OBJ_BREAK:
            break
        obj.append(lw)
    return obj[-1] if obj else None


def _role_holders(
    s_text: str, s_start: int, att: Attribution, index: EntityIndex, make: Make
) -> None:
    """'X, the leader of ORG': an entity-valued claim on ORG's exclusive role."""
    for m in _ROLE_RE.finditer(s_text):
        org = index.at(s_start + m.start("org"), s_start + m.end("org"))
        if org is None or index.types.get(org) not in {"ORG", "PLACE"}:
            continue
        person = index.at(s_start + m.start("name"), s_start + m.end("name"))
        holder = index.names[person] if person else m.group("name")
        make(
            s_text, s_start, att, (s_start + m.start(), s_start + m.end()),
            subject_id=org, attribute=m.group("role").lower(), value_type="entity", value_text=holder,
        )  # fmt: skip


# --- statements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Predication:
    """The subject head and main verb of a sentence, and whether the verb is negated."""

    subject: str
    subject_start: int
    verb: str
    negated: bool


def _predication_dep(sent: Span) -> Predication | None:
    root = sent.root
    if root.pos_ not in {"VERB", "AUX"}:
        return None
    if _tok_lemma(root) in SPEECH_LEMMAS:  # 'X said (that) Y': the statement is Y
        inner = [
            c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ in {"VERB", "AUX"}
        ]
        root = inner[0] if inner else root
    # OntoNotes (en_core_web) and Universal Dependencies (the shipped model) labels
    subj = [c for c in root.children if c.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"}]
    # a dateline ('NEW YORK - The founder ... was arrested') parses as a second subject:
    # the one nearest the verb is the real one
    subj.sort(key=lambda c: abs(root.i - c.i))
    if not subj or subj[0].lower_ in _PRONOUNS or subj[0].pos_ == "PRON":
        return None
    negated = any(
        c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in NEGATORS) for c in root.children
    )
    return Predication(_tok_lemma(subj[0]), subj[0].idx, _tok_lemma(root), negated)


_VERB_RE = re.compile(
    r"\b(?:(?P<aux>has|have|had|was|were|is|are|will|would|did|does|do|could|can)(?:\s+|(?=n't)))?"
    r"(?P<neg>not\s+|n't\s+|never\s+)?(?:been\s+|be\s+)?(?P<verb>[a-z]+)\b"
)
_DETERMINERS = {
    "the",
    "a",
    "an",
    "its",
    "his",
    "her",
    "their",
    "our",
    "this",
    "that",
    "of",
    "in",
    "for",
}
_PREP = {"of", "in", "at", "from", "for", "with", "on", "by", "near", "outside"}


def _predication_rules(s_text: str) -> Predication | None:
    """Without a parser: the first past-tense verb and the noun heading the phrase before it."""
    for m in _VERB_RE.finditer(s_text):
        word = m.group("verb")
        verb = lemma(word)
        if word in _FUNCTION_WORDS or (
            m.group("aux") is None and (verb == word or word.endswith("s"))
        ):
            continue  # not a past-tense verb: a plural noun, an adjective ('red'), a stem
        prev = re.findall(r"[\w'’]+", s_text[: m.start()])
        if prev and prev[-1].lower() in _DETERMINERS:
            continue  # 'the troubled start-up': a participle used as an adjective
        words = list(re.finditer(r"[\w'’.-]+|[,;:()“”\"]", s_text[: m.start()]))
        head = _head_before(words)
        if head is None:
            return None
        neg = bool(m.group("neg")) or bool(re.search(r"n't\s*$", s_text[: m.start("verb")]))
        neg = neg or bool(re.match(r"\s+(?:not|never)\b", s_text[m.end() :]))
        return Predication(lemma(head.group(0).strip(".")), head.start(), verb, neg)
    return None


def _head_before(words: list[re.Match[str]]) -> re.Match[str] | None:
    """The head noun of the phrase ending just before the verb, skipping trailing PPs."""
    i = len(words) - 1
    while i >= 0 and words[i].group(0).lower() in {
        "also",
        "reportedly",
        "allegedly",
        "then",
        "now",
    }:
        i -= 1
    if i < 0 or not re.match(r"\w", words[i].group(0)) or words[i].group(0).lower() in _PRONOUNS:
        return None
    head = i
    j = i
    # '<noun> of the troubled start-up Ozy Media' -> the noun before the preposition
    while j >= 0 and re.match(r"\w", words[j].group(0)) and i - j < 8:
        if words[j].group(0).lower() in _PREP and j > 0 and re.match(r"\w", words[j - 1].group(0)):
            head = j - 1
            i = j - 1
        j -= 1
    word = words[head].group(0).lower()
    if word in _FUNCTION_WORDS or word in _PRONOUNS:
        return None
    return words[head]


def _statement(
    doc: Doc, s_text: str, s_start: int, att: Attribution, index: EntityIndex, make: Make
) -> None:
    if "\n\n" in s_text.strip():  # a sentencizer without a parser runs across paragraphs
        cut = s_text.rindex("\n\n") + 2
        s_text, s_start = s_text[cut:], s_start + cut
    text = s_text.strip()
    if len(text) < 20 or len(text) > 400:
        return
    pred: Predication | None = None
    sent: Span | None = None
    if annotated(doc, "DEP"):
        sent = doc.char_span(s_start, s_start + len(s_text), alignment_mode="expand")
        if sent is not None and len(sent):
            pred = _predication_dep(sent)
        if pred is not None:
            pred = Predication(pred.subject, pred.subject_start - s_start, pred.verb, pred.negated)
    if pred is None:  # no parser, or a parse without a verbal root (datelines, headlines)
        pred = _predication_rules(s_text)
    lead = len(s_text) - len(s_text.lstrip())
    span = (s_start + lead, s_start + lead + len(text))
    subject_head: str | None = None
    # a pronoun subject ("it is", "they said") would key every such sentence of the archive
    # together: no comparison is possible without knowing who it is
    if (
        pred is not None
        and pred.verb not in SPEECH_LEMMAS
        and pred.verb not in _AUX - {"be"}
        and pred.subject.lower() not in _PRONOUN_SUBJECTS
    ):
        abs_subj = s_start + pred.subject_start
        entity = index.at(abs_subj, abs_subj + len(pred.subject))
        subject_id = entity or entity_id("CONCEPT", pred.subject)
        subject_head = pred.subject
        make(
            s_text, s_start, att, span,
            subject_id=subject_id, attribute=f"statement {pred.verb}", value_type="statement",
            value_text=text, polarity=-1 if pred.negated else 1,
        )  # fmt: skip
    if sent is None:
        return
    # a noun's key carries the clause it stands in; one key holding both the sentence and
    # its clause would align each with the other, the article with itself
    for part in _clauses(sent) or [sent]:
        p_text = part.text.strip(" ,;\n")
        p_start = part.start_char + part.text.find(p_text)
        for noun in _framed_nouns(part):
            if noun != subject_head:
                make(
                    s_text, s_start, att, (p_start, p_start + len(p_text)),
                    subject_id=entity_id("CONCEPT", noun), attribute=f"phrase {noun}",
                    value_type="statement", value_text=p_text, polarity=1,
                )  # fmt: skip


_PRONOUN_SUBJECTS = {
    "it", "he", "she", "they", "we", "i", "you", "this", "that", "there", "these", "those",
    "who", "which", "what", "one", "some", "many", "most", "all", "both", "others",
}  # fmt: skip
_FRAME_DEPS = {"nmod:poss", "poss", "nmod", "compound", "nummod"}
_ORDINAL_WORDS = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "last",
}  # fmt: skip
# words that open a clause of its own: 'sales fell 30% for the quarter, while for the year
# they rose 4%' states two things
_CLAUSE_OPENERS = {"and", "but", "while", "whereas", "although", "though"}


def _framed_nouns(sent: Span) -> list[str]:
    """Nouns pinned down by a name, a count, an ordinal or a noun modifier.

    "Russia's invasion", "the one-year anniversary", "the fourth quarter", "vaccine sales":
    a summary often fuses two of an article's sentences; keying the sentence under these
    nouns as well lets it meet the sentence that states the same event in other words.
    """
    out: list[str] = []
    for t in sent:
        if t.pos_ != "NOUN" or t.dep_ in {"nsubj", "nsubj:pass", "nsubjpass"}:
            continue
        prev = t.doc[t.i - 1] if t.i > sent.start else None
        if prev is not None and prev.lower_ in _ORDINAL_WORDS:
            framed = True  # 'the fourth quarter', whatever the parser attached 'fourth' to
        elif t.dep_ == "compound":
            continue
        else:
            framed = any(
                d.dep_ in _FRAME_DEPS
                and (
                    d.pos_ in {"PROPN", "NUM"}
                    or (d.dep_ == "compound" and any(g.dep_ == "nummod" for g in d.children))
                    or _noun_modifier(d, t)
                )
                for d in t.children
            )
        key = _tok_lemma(t)
        if framed and key not in out and key not in MEASURE_NOUNS:
            out.append(key)
    return out


# A unit a number measures with ('a 15-year-old boy', '35 yards', '10 minutes left') names
# no thing of its own: under such a key every age, distance and clock of a story would meet.
MEASURE_NOUNS = {
    "year", "month", "week", "day", "hour", "minute", "second", "time", "mile", "yard", "foot",
    "feet", "inch", "metre", "meter", "kilometre", "kilometer", "km", "point", "percent",
    "per cent", "degree", "pound", "dollar", "euro", "game", "times",
}  # fmt: skip


def _noun_modifier(d: Token, head: Token) -> bool:
    """'vaccine sales', 'meeting place': a noun right before the noun it narrows down.

    The compact parser also tags adjectives as compound nouns ('her eldest son'); WordNet's
    adjectives are left out.
    """
    return (
        d.dep_ == "compound"
        and d.i == head.i - 1
        and d.pos_ in {"NOUN", "ADJ"}
        and d.text.isalpha()
        and not is_adjective(d.lower_)
    )


def _clauses(sent: Span) -> list[Span]:
    """The coordinated or contrasted clauses of a sentence, when it has more than one.

    A clause boundary is a coordinator or contrast marker whose head is a verb (so 'yellow
    and blue paint' stays whole). Each clause is compared on its own: a summary sentence
    often restates one clause of an article's sentence, or fuses clauses of two.
    """
    cuts = [
        t.i
        for t in sent
        if t.lower_ in _CLAUSE_OPENERS
        and t.dep_ in {"cc", "mark"}
        and t.head.pos_ in {"VERB", "AUX"}
        and t.head.i > t.i
        and t.i - sent.start >= 4
        and sent.end - t.i >= 4
    ]
    if not cuts:
        return []
    bounds = [sent.start, *cuts, sent.end]
    return [sent.doc[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b - a >= 4]
