"""Story assignment: every loaded article joins the story (one real-world event) it reports.

Incremental and index-bound: an article's features are TF-IDF weighted per channel (content
lemmas, names of people and organisations, places, figures, word pairs) with document
frequencies kept up to date in `story_terms`; candidate stories come from the inverted index
`story_postings` (only the article's most salient terms, only terms posted to a bounded number
of stories), so the cost does not grow with the archive. The article joins the candidate whose
centroid is most similar (the weighted mean of the per-channel cosines) when that reaches the
threshold, and otherwise opens a new story. Two events of one kind (two earthquakes) share
words, so what separates them is carried by the specific channels: participants, places,
figures, and a publication year that differs (stated, or read from a dateline).
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any

import duckdb

from extractors.claims import Extraction
from records import Article, stable_id

CHANNELS = ("w", "e", "p", "n", "b")  # words, people/organisations, places, figures, word pairs


@dataclass(frozen=True)
class StorySettings:
    """What decides a story: channel weights, the joining threshold and the index bounds."""

    threshold: float = 0.12  # chosen on even topics, and on odd ones, of ECB+ (both: 0.12)
    weights: dict[str, float] = field(
        default_factory=lambda: {"w": 1.0, "e": 1.0, "p": 0.5, "n": 1.0, "b": 1.0}
    )
    top_terms: int = 150  # an article's most salient terms are looked up and posted
    max_stories_per_term: int = 1000  # a term posted to more stories names no one event
    window: timedelta = timedelta(days=14)  # dated articles join stories seen this close
    # pseudo-articles without any term: a young warehouse's few articles do not make the
    # words they share look common (their weight drops as real frequencies accumulate)
    prior_articles: int = 50


DEFAULT = StorySettings()

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|\d[\d,.:]*\d|\d|[.,;:!?\"“”()]")
_NAME_TOKEN = re.compile(r"[a-z0-9]+")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b"
    rf"|\b\d{{1,2}}\s+{_MONTH},?\s+((?:19|20)\d\d)\b"
    r"|\b((?:19|20)\d\d)[-/]\d\d[-/]\d\d\b"
)


@functools.lru_cache(maxsize=1)
def _lemmas() -> dict[str, str]:
    data = resources.files("spacy_lookups_data").joinpath("data/en_lemma_lookup.json.gz")
    with data.open("rb") as fh:
        return dict(json.loads(gzip.decompress(fh.read())))


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _lemma(word: str, lemmas: dict[str, str]) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return lemmas.get(w, w)


def features(article: Article, extraction: Extraction) -> Counter[str]:
    """Return an article's story features (channel-prefixed terms) with their counts."""
    stop, lemmas = _stop_words(), _lemmas()
    found: Counter[str] = Counter()
    types = {e.entity_id: e.type for e in extraction.entities}
    names = {e.entity_id: e.name for e in extraction.entities}
    for m in extraction.mentions:
        etype = types.get(m.entity_id)
        if etype == "PLACE":
            found["p:" + names[m.entity_id].lower()] += 1
        elif etype is not None:
            # a surname alone ("Lohan") and the full name share their tokens
            for tok in _NAME_TOKEN.findall(names[m.entity_id].lower()):
                if len(tok) > 1 and tok not in stop:
                    found["e:" + tok] += 1
    lines = ([article.title] if article.title else []) + article.text.split("\n")
    for line in lines:
        prev: str | None = None
        for tok in _TOKEN.findall(line):
            if tok[0].isdigit():
                found["n:" + tok.replace(",", "")] += 1
                prev = None
                continue
            low = tok.lower()
            if not tok[0].isalpha() or low in stop or len(low) < 3:
                prev = None
                continue
            lemma = _lemma(tok, lemmas)
            found["w:" + lemma] += 1
            if prev:
                found[f"b:{prev} {lemma}"] += 1
            prev = lemma
    return found


def article_year(article: Article) -> int | None:
    """Return the year an article is dated in: its publication, else a dateline near the top."""
    if article.published:
        return article.published.year
    head = "\n".join(article.text.split("\n")[:4])
    m = _DATELINE.search(head)
    return int(next(g for g in m.groups() if g)) if m else None


def _tf(count: float) -> float:
    return 1.0 + math.log(count) if count >= 1 else count


def _in_list(n: int) -> str:
    # explicit placeholders: DuckDB answers `col IN (?, ?, ...)` from the ART index,
    # a list parameter (= ANY(?)) scans the table
    return "(" + ", ".join(["?"] * n) + ")"


def _match_extractions(
    articles: Sequence[Article], extractions: Sequence[Extraction]
) -> dict[str, Extraction]:
    # the caller may pass the whole batch's extractions: each one names its article in
    # its mentions and claims; positional pairing is the fallback for empty ones
    ids = {a.article_id for a in articles}
    by_article: dict[str, Extraction] = {}
    for x in extractions:
        owner = next((m.article_id for m in x.mentions), None) or next(
            (c.article_id for c in x.claims), None
        )
        if owner in ids:
            by_article[owner] = x
    if len(extractions) == len(articles):
        for a, x in zip(articles, extractions, strict=True):
            by_article.setdefault(a.article_id, x)
    return by_article


def assign_stories(
    con: duckdb.DuckDBPyConnection,
    articles: list[Article],
    extractions: list[Extraction],
    settings: StorySettings | None = None,
) -> dict[str, str]:
    """Give each (already stored) article a story, in order, inside the caller's transaction.

    Returns article_id -> story_id, and writes stories, the index and articles.story_id.
    """
    settings = settings or DEFAULT
    by_article = _match_extractions(articles, extractions)
    assigned: dict[str, str] = {}
    if articles:
        # an article assigned before (a rerun of its batch) keeps its story, counted once
        ids = [a.article_id for a in articles]
        assigned = dict(
            con.execute(
                "SELECT article_id, story_id FROM articles "
                f"WHERE article_id IN {_in_list(len(ids))} AND story_id IS NOT NULL",
                ids,
            ).fetchall()
        )
    for article in articles:
        if article.article_id in assigned:
            continue
        extraction = by_article.get(article.article_id, Extraction([], [], []))
        assigned[article.article_id] = _assign_one(con, article, extraction, settings)
    return assigned


def _assign_one(
    con: duckdb.DuckDBPyConnection, article: Article, extraction: Extraction, s: StorySettings
) -> str:
    counts = features(article, extraction)
    terms = sorted(counts)
    stats: dict[str, tuple[int, int]] = {}
    if terms:
        rows = con.execute(
            f"SELECT term, df, stories FROM story_terms WHERE term IN {_in_list(len(terms))}",
            terms,
        ).fetchall()
        stats = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    n_rows = con.execute("SELECT value FROM story_totals WHERE name = 'articles'").fetchall()
    n_articles = (int(n_rows[0][0]) if n_rows else 0) + 1

    def idf(term: str) -> float:
        return math.log((n_articles + s.prior_articles) / (stats.get(term, (0, 0))[0] + 1 + 0.5))

    weights = {t: _tf(counts[t]) * idf(t) for t in terms}
    salient = sorted(
        (t for t in terms if stats.get(t, (0, 0))[1] < s.max_stories_per_term and weights[t] > 0),
        key=lambda t: (-weights[t], t),
    )[: s.top_terms]
    qnorm = {c: 0.0 for c in CHANNELS}
    for t in salient:
        qnorm[t[0]] += weights[t] ** 2

    # candidate stories: postings of the salient terms, same topic
    story_tf: dict[str, dict[str, float]] = {}
    if salient:
        rows = con.execute(
            "SELECT story_id, term, sum(tf) FROM story_postings "
            f"WHERE term IN {_in_list(len(salient))} AND topic = ? GROUP BY ALL",
            [*salient, article.topic],
        ).fetchall()
        for sid, term, tf in rows:
            story_tf.setdefault(sid, {})[term] = float(tf)
    year = article_year(article)
    best_id, best_score, best_state = None, 0.0, None
    if story_tf:
        ids = sorted(story_tf)
        states = {
            r[0]: r
            for r in con.execute(
                "SELECT story_id, norms, years, first_published, last_published FROM story_state "
                f"WHERE story_id IN {_in_list(len(ids))}",
                ids,
            ).fetchall()
        }
        total_weight = sum(s.weights.values())
        for sid in ids:
            state = states.get(sid)
            if state is None or not _compatible(article, year, state, s):
                continue
            dots = {c: 0.0 for c in CHANNELS}
            for term, tf in story_tf[sid].items():
                dots[term[0]] += weights[term] * tf * idf(term)
            score = (
                sum(
                    s.weights[c] * dots[c] / math.sqrt(qnorm[c] * state[1][i])
                    for i, c in enumerate(CHANNELS)
                    if dots[c] > 0 and qnorm[c] > 0 and state[1][i] > 0
                )
                / total_weight
            )
            if score > best_score:
                best_id, best_score, best_state = sid, score, state
    if best_id is None or best_score < s.threshold:
        best_id, best_state = None, None
    return _store(con, article, counts, salient, weights, idf, story_tf, best_id, best_state, year)


def _compatible(
    article: Article, year: int | None, state: tuple[Any, ...], s: StorySettings
) -> bool:
    years, first, last = state[2], state[3], state[4]
    if year is not None and years and year not in years:
        return False  # a story of another year is another event of the same kind
    if article.published and first is not None and last is not None:
        return first - s.window <= article.published <= last + s.window
    return True


def _store(
    con: duckdb.DuckDBPyConnection,
    article: Article,
    counts: Counter[str],
    salient: list[str],
    weights: dict[str, float],
    idf_of: Callable[[str], float],
    story_tf: dict[str, dict[str, float]],
    story_id: str | None,
    state: tuple[Any, ...] | None,
    year: int | None,
) -> str:
    seen = article.published or article.fetched_at
    old_tf = story_tf.get(story_id, {}) if story_id else {}
    if story_id is None or state is None:
        story_id = stable_id("story", article.topic, article.article_id)
        norms = [0.0] * len(CHANNELS)
        years: list[int] = []
        first_pub = last_pub = None
        con.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
            [
                story_id, article.topic, article.title or article.text.split("\n", 1)[0][:200],
                seen, seen, [article.outlet],
            ],
        )  # fmt: skip
    else:
        norms = list(state[1])
        years = list(state[2])
        first_pub, last_pub = state[3], state[4]
        con.execute(
            "UPDATE stories SET first_seen = least(first_seen, ?), last_seen = greatest(last_seen, ?), "
            "articles = articles + 1, "
            "outlets = CASE WHEN list_contains(outlets, ?) THEN outlets "
            "ELSE list_sort(list_append(outlets, ?)) END WHERE story_id = ?",
            [seen, seen, article.outlet, article.outlet, story_id],
        )
    index = {c: i for i, c in enumerate(CHANNELS)}
    for t in salient:
        old = old_tf.get(t, 0.0)
        new = old + _tf(counts[t])
        norms[index[t[0]]] += (new * new - old * old) * idf_of(t) ** 2
    if year is not None and year not in years:
        years = sorted([*years, year])
    if article.published:
        first_pub = min(first_pub, article.published) if first_pub else article.published
        last_pub = max(last_pub, article.published) if last_pub else article.published
    con.execute(
        "INSERT INTO story_state VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "norms = excluded.norms, years = excluded.years, "
        "first_published = excluded.first_published, last_published = excluded.last_published",
        [story_id, article.topic, norms, years, first_pub, last_pub],
    )
    if salient:
        con.execute(
            "INSERT INTO story_postings SELECT unnest(?), ?, ?, unnest(?)",
            [salient, story_id, article.topic, [_tf(counts[t]) for t in salient]],
        )
    terms = sorted(counts)
    if terms:
        posted = set(salient) - set(old_tf)
        con.execute(
            "INSERT INTO story_terms SELECT unnest(?), 1, unnest(?) "
            "ON CONFLICT DO UPDATE SET df = story_terms.df + 1, "
            "stories = story_terms.stories + excluded.stories",
            [terms, [1 if t in posted else 0 for t in terms]],
        )
    con.execute(
        "INSERT INTO story_totals VALUES ('articles', 1) "
        "ON CONFLICT DO UPDATE SET value = story_totals.value + 1"
    )
    con.execute(
        "UPDATE articles SET story_id = ? WHERE article_id = ?", [story_id, article.article_id]
    )
    return story_id
