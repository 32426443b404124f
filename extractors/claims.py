"""Typed claims from an article: quantities, directions and negatable predicates."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from records import Article, Claim, Entity, Mention, stable_id
from extractors.ages import find_ages
from extractors.attribution import Attribution, Attributor, speaker_roles
from extractors.boilerplate import is_boilerplate
from extractors.entities import EntityIndex, build_index, entity_id, place_key
from extractors.hedges import PLURAL_NOUNS, TIME_SPANS, Quantity, find_quantities
from extractors.predicates import find_predicates
from extractors.refutations import REFUTATION, REFUTATION_SUBJECT, find_refutations
from extractors.refutations import refuter_attribution
from extractors.subjects import find_owner

# counted-noun lexicon -> attribute. Quantities whose noun is not here become "count of <noun>".
ATTRIBUTE_TERMS: dict[str, tuple[str, ...]] = {
    "force size": (
        "fighters", "troops", "soldiers", "militiamen", "militants", "combatants", "guerrillas",
        "recruits", "armed people", "armed men", "fighting force", "force of", "army of",
        "men under arms", "forces", "armed supporters",
    ),
    "displaced people": ("displaced", "refugees", "evacuees", "asylum seekers"),
    "death toll": ("killed", "dead", "deaths", "died", "fatalities", "bodies"),
    "injured": ("injured", "wounded", "hurt"),
    "arrests": ("arrested", "detained", "detentions", "arrests"),
}  # fmt: skip
# who may own a quantity of this attribute (a place hosts displaced people; it has no army)
OWNER_TYPES: dict[str, set[str]] = {
    "force size": {"PERSON", "ORG"},
    "displaced people": {"PLACE", "ORG", "PERSON"},
}
DEFAULT_OWNERS = {"PERSON", "ORG", "PLACE"}

UNKEYED_ATTRIBUTES = {"quantity", "percentage", "money amount"}
NOT_COUNTED = TIME_SPANS | {
    "percent",
    "points", "yards", "miles", "kilometres", "kilometers", "metres", "meters", "feet", "inches",
    "degrees", "pounds", "dollars", "euros", "is", "was", "has", "this", "its", "his",
    "grew", "rose", "fell", "jumped", "dropped", "climbed", "gained", "lost", "were", "are",
}  # fmt: skip
DIRECTIONS: dict[str, int] = {
    "north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180,
    "southwest": 225, "west": 270, "northwest": 315,
}  # fmt: skip
_DIR_RE = re.compile(
    r"\b(?P<dir>north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west|north|south|east|west)"
    r"(?:ern)?\s+of\s+(?:the\s+)?(?:capital\s+|city\s+of\s+)?(?P<ref>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    entities: list[Entity]
    mentions: list[Mention]
    claims: list[Claim]
    note: str | None = None  # what of the text was left out (a long text's cut)
    error: str | None = None  # why extraction failed; the lists are empty then


# A news article runs to 5,000-50,000 characters. Text beyond this is a page dump (an
# archive, a transcript) that would take minutes to parse, past spaCy's own limit of
# 1,000,000: its claims come from the first MAX_EXTRACT_CHARS, cut at a line or word end.
MAX_EXTRACT_CHARS = 100_000
# The parser holds one batch's activations together: an 80,000-character page alone costs
# about 260 MB, so sixteen long pages in one batch would cost gigabytes. A parsing batch is
# bounded by its characters as well as by its documents (one page of MAX_EXTRACT_CHARS fits).
PARSE_BATCH_CHARS = 100_000


def _attribute(sentence: str, q: Quantity, rel_start: int, rel_end: int) -> tuple[str, int | None]:
    """Return the attribute of a quantity and where its counted noun starts, if before it."""
    after = sentence[rel_end : rel_end + 40].lower()
    before = sentence[max(0, rel_start - 60) : rel_start].lower()
    after_words = re.findall(r"[a-z][a-z-]*", after)[:3]
    near = " ".join(after_words)
    for attribute, terms in ATTRIBUTE_TERMS.items():
        for term in terms:
            if term.endswith(" of"):
                hit = re.search(rf"{term}\s+(?:\w+\s+)?$", before)
                if hit:
                    return attribute, rel_start - len(before) + hit.start()
            elif re.search(rf"\b{term}\b", near):
                return attribute, None
    # noun before the number in the same clause ("his troops ... numbered more than 6,000")
    for attribute, terms in ATTRIBUTE_TERMS.items():
        for term in terms:
            hit = re.search(
                rf"\b{term}\b[^.]*\b(?:numbered|number|numbering|totalled|totaled|totals?|reached|stood at)\b",
                before,
            )
            if not term.endswith(" of") and hit:
                return attribute, rel_start - len(before) + hit.start()
    if q.unit in ("USD", "EUR", "GBP"):
        m = re.search(r"([a-z]+)\s+(?:of|was|were|is|at|to|reached|rose to|fell to)\s*$", before)
        return (f"amount of {m.group(1)}" if m else "money amount"), None
    if q.unit == "percent":
        m = re.search(r"([a-z]+)\s+(?:of|was|were|is|at|by|to|rose|fell)\s*$", before)
        named = m and not m.group(1).endswith("ed") and m.group(1) not in NOT_COUNTED
        return (f"share of {m.group(1)}" if named and m else "percentage"), None
    if after_words and after_words[0] not in {
        "of",
        "to",
        "and",
        "or",
        "in",
        "on",
        "at",
        "per",
        "from",
    }:
        noun = (
            after_words[1]
            if after_words[0] in {"more", "other", "new"} and len(after_words) > 1
            else after_words[0]
        )
        # a count names a plural thing; "5 years", "3 p.m." or "7 new" measure something else
        if (noun.endswith("s") or noun in PLURAL_NOUNS) and noun not in NOT_COUNTED:
            return f"count of {noun}", None
    return "quantity", None


def _main_actor(doc: Doc, index: EntityIndex, title: str | None) -> str | None:
    """The article's protagonist: the first person or organisation of the headline or lead."""
    # index.text is doc.text, which spaCy rebuilds from every token on each access
    lead_end = len(title) if title and index.text.startswith(title) else 0
    if not lead_end:
        first = next(iter(doc.sents), None)
        lead_end = first.end_char if first is not None else 0
    for start, _, eid, _ in sorted(index.mentions):
        if start < lead_end and index.types[eid] in {"PERSON", "ORG"}:
            return eid
    counts = index.counts()
    people = [e for e in counts if index.types[e] in {"PERSON", "ORG"}]
    return max(people, key=lambda e: counts[e]) if people else None


def _place_subject(text: str, sent_start: int, abs_start: int, index: EntityIndex) -> str | None:
    found = index.before(abs_start, {"PLACE"}, lower=max(sent_start, abs_start - 40))
    if found:
        return found[2]
    m = re.search(
        r"\bthe\s+(valley|province|region|district|city|town|village)\s*$",
        text[sent_start:abs_start],
        re.IGNORECASE,
    )
    if m:
        head = m.group(1).lower()
        counts = index.counts()
        candidates = [
            e
            for e in counts
            if index.types[e] == "PLACE" and any(head in a.lower() for a in index.aliases[e])
        ]
        if candidates:
            return max(candidates, key=lambda e: counts[e])
    return None


def _lemma(word: str, doc: Doc) -> str:
    lookup = (
        doc.vocab.lookups.get_table("lemma_lookup", {})
        if doc.vocab.lookups.has_table("lemma_lookup")
        else {}
    )
    w = word.lower()
    return str(lookup.get(w, w)) if lookup else w


def bounded(article: Article) -> tuple[Article, str | None]:
    """Return the article cut to MAX_EXTRACT_CHARS for extraction, and a note saying where, if cut."""
    text = article.text
    if len(text) <= MAX_EXTRACT_CHARS:
        return article, None
    cut = text.rfind("\n", 0, MAX_EXTRACT_CHARS)
    if cut < MAX_EXTRACT_CHARS // 2:
        cut = text.rfind(" ", 0, MAX_EXTRACT_CHARS)
    if cut <= 0:
        cut = MAX_EXTRACT_CHARS
    note = f"claims extracted from the first {cut} of {len(text)} characters"
    return replace(article, text=text[:cut]), note


def extract_articles(
    articles: list[Article], nlp: Language, batch_size: int = 16
) -> list[Extraction]:
    """Extract many articles, parsing them in batches; one article's failure is its own error.

    Each parse is extracted as soon as it comes, so no more than one parsing batch of docs
    is held at a time (a doc keeps its tokens' vectors: 50 long pages held together cost
    hundreds of MB).
    """
    english = [bounded(a) for a in articles if is_english(a)]
    done: dict[str, Extraction] = {}
    try:
        for group in parse_batches(english, batch_size):
            parsed = nlp.pipe((a.text for a, _ in group), batch_size=len(group))
            for (cut, note), doc in zip(group, parsed, strict=True):
                done[cut.article_id] = _extracted(cut, note, nlp, doc)
    except Exception:
        pass  # one text broke the batch: parse the rest each alone, so only it fails
    for cut, note in english:
        if cut.article_id not in done:
            done[cut.article_id] = _extracted(cut, note, nlp)
    return [done.get(a.article_id, Extraction([], [], [])) for a in articles]


def parse_batches(
    items: list[tuple[Article, str | None]], batch_size: int
) -> list[list[tuple[Article, str | None]]]:
    """Consecutive groups of at most batch_size articles and PARSE_BATCH_CHARS characters."""
    groups: list[list[tuple[Article, str | None]]] = []
    chars = 0
    for item in items:
        size = len(item[0].text)
        if not groups or len(groups[-1]) >= batch_size or chars + size > PARSE_BATCH_CHARS:
            groups.append([])
            chars = 0
        groups[-1].append(item)
        chars += size
    return groups


def _extracted(cut: Article, note: str | None, nlp: Language, doc: Doc | None = None) -> Extraction:
    """One article's extraction from its parse (parsed here when not given), or its error."""
    try:
        return replace(extract_doc(cut, doc if doc is not None else nlp(cut.text)), note=note)
    except Exception as exc:
        why = f"extraction failed: {type(exc).__name__}: {exc}"
        return Extraction([], [], [], error=why[:500])


def extract_article(article: Article, nlp: Language) -> Extraction:
    """Extract entities, mentions and typed claims from one article."""
    if not is_english(article):
        # the parser, the entity model and every claim rule are English: elsewhere they
        # would only produce noise (topics choose their languages in their config)
        return Extraction([], [], [])
    cut, note = bounded(article)
    return replace(extract_doc(cut, nlp(cut.text)), note=note)


def extract_doc(article: Article, doc: Doc) -> Extraction:
    """Extract entities, mentions and typed claims from an article's parsed text."""
    text = article.text
    index = build_index(doc)
    attributor = Attributor(text, index)
    roles = speaker_roles(text, index)
    main_actor = _main_actor(doc, index, article.title)

    entities = [
        Entity(eid, index.names[eid], index.types[eid], tuple(sorted(index.aliases[eid])))
        for eid in index.names
    ]
    mentions = [
        Mention(stable_id(article.article_id, s, e), article.article_id, eid, surface, s, e)
        for s, e, eid, surface in index.mentions
    ]

    claims: list[Claim] = []

    def make(
        sent_text: str, sent_start: int, att: Attribution, span: tuple[int, int], **kw: object
    ) -> None:
        subject_id = kw.pop("subject_id")
        attribute = str(kw["attribute"])
        claim_id = stable_id(article.article_id, attribute, span[0], span[1])
        subject_id_s = subject_id if isinstance(subject_id, str) else None
        claims.append(
            Claim(
                claim_id=claim_id,
                article_id=article.article_id,
                topic=article.topic,
                subject_id=subject_id_s,
                subject=index.names.get(subject_id_s) if subject_id_s else None,
                speaker=att.speaker,
                speaker_role=roles.get(att.speaker_id) if att.speaker_id else None,
                verb=att.verb,
                modality=str(kw.pop("modality", att.modality)),
                outlet=article.outlet,
                source_key=article.source_key,
                published=article.published,
                sentence=sent_text.strip(),
                span_start=span[0],
                span_end=span[1],
                **kw,  # type: ignore[arg-type]
            )
        )

    for sent in doc.sents:
        s_text, s_start = sent.text, sent.start_char
        if is_boilerplate(s_text):
            continue  # 'Updated 4:08 p.m. ET', a byline, the page's own address
        att = attributor.sentence(s_start, sent.end_char)
        for q in find_quantities(s_text):
            attribute, noun_at = _attribute(s_text, q, q.start, q.end)
            owners = OWNER_TYPES.get(attribute, DEFAULT_OWNERS)
            noun_pos = s_start + noun_at if noun_at is not None else None
            owner = find_owner(
                text, s_start, s_start + q.start, index, att, main_actor, owners, noun_pos
            )
            make(
                s_text, s_start, att, (s_start + q.start, s_start + q.end),
                subject_id=owner, attribute=attribute, value_type="quantity",
                value_text=q.text, number=q.number, low=q.low, high=q.high, unit=q.unit, hedge=q.hedge,
            )  # fmt: skip
        for m in _DIR_RE.finditer(s_text):
            ref = m.group("ref")
            ref_id = index.at(s_start + m.start("ref"), s_start + m.end("ref"))
            ref_name = index.names.get(ref_id, ref) if ref_id else ref
            subject = _place_subject(text, s_start, s_start + m.start(), index)
            if subject is None or place_key(index.names[subject]) == place_key(ref_name):
                continue
            direction = m.group("dir").lower().replace("-", "").replace(" ", "")
            make(
                s_text, s_start, att, (s_start + m.start(), s_start + m.end()),
                subject_id=subject, attribute=f"location relative to {place_key(ref_name).title()}",
                value_type="direction", value_text=m.group(0), direction=direction,
                place=place_key(ref_name).title(),
            )  # fmt: skip
        for age in find_ages(text, s_start, sent.end_char, index):
            make(
                s_text, s_start, att, (age.start, age.end),
                subject_id=age.person_id, attribute="age", value_type="quantity",
                value_text=str(age.age), number=float(age.age), low=float(age.age),
                high=float(age.age), unit="years",
            )  # fmt: skip
        find_predicates(doc, s_text, s_start, att, index, main_actor, make)
        for ref in find_refutations(s_text, sent, s_start):
            make(
                s_text, s_start, refuter_attribution(ref, att, index, s_text, s_start),
                (ref.content_start, ref.content_end), subject_id=REFUTATION_SUBJECT,
                attribute=REFUTATION, value_type=REFUTATION, value_text=ref.content,
                polarity=ref.polarity, modality="denied",
            )  # fmt: skip

    return Extraction(entities, mentions, _drop_ambiguous_counts(claims))


def is_english(article: Article) -> bool:
    """Return whether an article is English (or of unknown language but reads as English)."""
    if article.language:
        return article.language.lower().startswith("en")
    words = re.findall(r"[a-z]+", article.text[:2000].lower())
    if not words:
        return False
    common = sum(1 for w in words if w in _ENGLISH_STOPWORDS)
    return common / len(words) > 0.05  # English prose runs at 30-40 %; other languages near 0


_ENGLISH_STOPWORDS = {
    "the", "and", "of", "to", "a", "in", "is", "that", "for", "on", "with", "as", "was",
    "it", "he", "she", "by", "at", "from", "his", "her", "are", "be", "this", "have", "has",
    "said", "not", "but", "they", "were", "an", "their", "its", "who", "will", "would",
}  # fmt: skip


def _drop_ambiguous_counts(claims: list[Claim]) -> list[Claim]:
    """Unresolve generic counts one article gives two values for: they count different sets."""
    values: dict[tuple[str | None, str], set[str]] = {}
    for c in claims:
        if c.attribute.startswith("count of ") or c.attribute in UNKEYED_ATTRIBUTES:
            values.setdefault((c.subject_id, c.attribute), set()).add(c.value_text)
    # an attribute that names nothing ("a percentage of Mexico") is never compared at all
    ambiguous = {k for k, v in values.items() if len(v) > 1 or k[1] in UNKEYED_ATTRIBUTES}
    return [
        replace(c, subject_id=None, subject=None)
        if (c.subject_id, c.attribute) in ambiguous and c.subject_id
        else c
        for c in claims
    ]


def canonical_entity_id(etype: str, name: str) -> str:
    """Return the entity id a canonical name has in the warehouse."""
    return entity_id(etype, place_key(name) if etype == "PLACE" else name)
