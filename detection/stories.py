"""Story assignment: every loaded article joins the story (one real-world event) it reports.

Incremental and index-bound: an article's features are TF-IDF weighted per channel (content
lemmas, names of people and organisations, places, figures, word pairs) with document
frequencies kept up to date in `story_terms`; candidate stories come from the inverted index
`story_postings` (only the article's most salient terms, only terms posted to a bounded number
of stories), so the cost does not grow with the archive. The article joins the candidate whose
centroid is most similar (the weighted mean of the per-channel cosines) when that reaches the
threshold, and otherwise opens a new story. Two events of one kind (two earthquakes) share
words, so what separates them is carried by the specific channels: participants, places,
figures, and a publication year that differs (stated, or read from a dateline); a calendar
date both state raises the score.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from detection.decision import Model, load_model
from extractors.claims import Extraction
from records import Article, stable_id
from warehouse.store import registered

STORY_MODEL = Path(__file__).parent / "models" / "stories.json"
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
    # what tells two events of one kind apart: the score drops by this much when the article
    # and the story both state years (y), weekdays (a), dates (d) or full names (k) and share
    # none of that kind (chosen on odd ECB+ topics, and better than none on even ones too)
    penalties: dict[str, float] = field(
        default_factory=lambda: {"y": 0.05, "d": 0.0, "k": 0.0, "a": 0.05}
    )
    # what ties a report to its event: the score rises by this much when the article and the
    # story state one calendar date (d: month and day) in common. A date is rarely shared by
    # chance, and its absence says little (chosen by even/odd ECB+ topic cross-validation)
    bonuses: dict[str, float] = field(default_factory=lambda: {"d": 0.03})
    # a learned fit of an article to a story (logistic regression over the candidate's
    # evidence, see training/stories.py); it replaces the weights, threshold and penalties
    model: Model | None = field(default_factory=lambda: load_model(STORY_MODEL))

    def threshold_of(self) -> float:
        """The joining threshold: the model's where one decides, else the hand-set one."""
        return self.model.threshold if self.model is not None else self.threshold


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
    # the loop runs once per token of every article loaded: dict.get and inlined lemma
    # lookup, not Counter's missing-key call and a function per word
    get, tokens = found.get, _TOKEN.findall
    for line in lines:
        prev: str | None = None
        for tok in tokens(line):
            if tok[0].isdigit():
                key = "n:" + tok.replace(",", "")
                found[key] = get(key, 0) + 1
                prev = None
                continue
            low = tok.lower()
            if not tok[0].isalpha() or low in stop or len(low) < 3:
                prev = None
                continue
            w = low.replace("’", "'")
            if w.endswith("'s"):
                w = w[:-2]
            lemma = lemmas.get(w, w)
            key = "w:" + lemma
            found[key] = get(key, 0) + 1
            if prev:
                key = f"b:{prev} {lemma}"
                found[key] = get(key, 0) + 1
            prev = lemma
    return found


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_WEEKDAY = re.compile(r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_MONTH_DAY = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
)


def marks(article: Article, extraction: Extraction) -> frozenset[str]:
    """Return what pins an article to one event: years, dates, weekdays and full names stated."""
    text = (article.title or "") + "\n" + article.text
    found = {"y:" + y for y in _YEAR.findall(text)}
    found |= {"a:" + w.lower() + "day" for w in _WEEKDAY.findall(text)}
    for m in _MONTH_DAY.finditer(text):
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(day) <= 31:
            found.add(f"d:{month.lower()} {int(day)}")
    for e in extraction.entities:
        if e.type in ("PERSON", "ORG") and " " in e.name.strip():
            found.add("k:" + " ".join(_NAME_TOKEN.findall(e.name.lower())))
    return frozenset(found)


def _conflict(article_marks: frozenset[str], story_marks: Counter[str], kind: str) -> float:
    """1 when the article and the story both state marks of a kind and share none, else 0."""
    mine = [m for m in article_marks if m[0] == kind]
    if not mine or not any(m[0] == kind for m in story_marks):
        return 0.0
    return 0.0 if any(m in story_marks for m in mine) else 1.0


def article_year(article: Article) -> int | None:
    """Return the year an article is dated in: its publication, else a dateline near the top."""
    if article.published:
        return article.published.year
    head = "\n".join(article.text.split("\n")[:4])
    m = _DATELINE.search(head)
    return int(next(g for g in m.groups() if g)) if m else None


def _tf(count: float) -> float:
    return 1.0 + math.log(count) if count >= 1 else count


def _select_keyed(
    con: duckdb.DuckDBPyConnection, sql: str, keys: Sequence[str], *params: object
) -> list[tuple[Any, ...]]:
    """Run a query that reads its keys from `_keys` (column k, an Arrow table); return its rows."""
    # keys travel as one Arrow column, not as `IN (?, ?, ...)` placeholders: DuckDB 1.5.5
    # converts each placeholder in Python (an import attempt per value), so a batch's 11,000
    # terms cost 0.6 s that way against 0.04 s here. The semi-join scans the table, and still
    # wins as the index grows: 7,500 terms over 10M postings 0.9 s against 6.2 s, 11,000 over
    # 3M terms 0.12 s against 1.6 s; 50 articles among 1M about even (30-40 ms)
    with registered(con, "_keys", pa.table({"k": pa.array(list(keys), type=pa.string())})):
        return con.execute(sql, list(params)).fetchall() if params else con.execute(sql).fetchall()


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
    choose: Chooser | None = None,
) -> dict[str, str]:
    """Give each (already stored) article a story, in order, inside the caller's transaction.

    The batch reads the index rows it needs once, assigns in memory (an article may join a
    story opened earlier in the batch) and writes back in bulk. Returns article_id -> story_id,
    and writes stories, the index and articles.story_id. `choose` replaces the decision
    among the candidates (training follows the gold stories with it).
    """
    settings = settings or DEFAULT
    by_article = _match_extractions(articles, extractions)
    assigned: dict[str, str] = {}
    if articles:
        # an article assigned before (a rerun of its batch) keeps its story, counted once
        ids = sorted({a.article_id for a in articles})
        assigned.update(
            _select_keyed(
                con,
                "SELECT article_id, story_id FROM articles "
                "WHERE article_id IN (SELECT k FROM _keys) AND story_id IS NOT NULL",
                ids,
            )
        )
    todo: dict[str, tuple[Article, Counter[str], frozenset[str]]] = {}
    for a in articles:
        if a.article_id not in assigned and a.article_id not in todo:
            x = by_article.get(a.article_id, Extraction([], [], []))
            todo[a.article_id] = (a, features(a, x), marks(a, x))
    if not todo:
        return assigned
    index = _BatchIndex(con, settings)
    index.read_terms(sorted({t for _, counts, _ in todo.values() for t in counts}))
    # document frequencies do not depend on the assignment, so the terms each article will
    # look up are known beforehand (a term that reaches its story bound within the batch can
    # let another one in: that one is read when it is needed)
    wanted: set[tuple[str, str]] = set()
    for i, (a, counts, _) in enumerate(todo.values()):
        wanted.update((a.topic, t) for t in index.salient(counts, index.n_articles + i + 1)[0])
        index.df_added.update(counts.keys())
    index.df_added.clear()
    index.read_postings(wanted)
    for a, counts, pins in todo.values():
        assigned[a.article_id] = index.assign(a, counts, pins, choose)
    index.write()
    return assigned


def _compatible(article: Article, year: int | None, story: _Story, s: StorySettings) -> bool:
    if year is not None and story.years and year not in story.years:
        return False  # a story of another year is another event of the same kind
    first, last = story.first_published, story.last_published
    if article.published and first is not None and last is not None:
        return first - s.window <= article.published <= last + s.window
    return True


@dataclass
class _Story:
    """A story as the batch sees it: its assignment state and what the batch adds."""

    story_id: str
    topic: str
    norms: list[float]
    years: list[int]
    first_published: datetime | None
    last_published: datetime | None
    stored: bool  # a row exists in `stories` (else the batch opens it)
    title: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    added: int = 0
    outlets: set[str] = field(default_factory=set)
    marks: Counter[str] = field(default_factory=Counter)


# given an article and its candidates (story id, evidence), the story it joins (None: a new one)
Chooser = Callable[[Article, list[tuple[str, dict[str, float]]]], str | None]
_SPECIFIC = ("e", "p", "n")  # the channels that name who, where and how many
_MARK_KINDS = ("y", "a", "d", "k")


@dataclass(frozen=True)
class _Lookup:
    """What one article's index lookup found, kept to record the article afterwards."""

    salient: list[str]
    idf: dict[str, float]
    story_tf: dict[str, dict[str, float]]
    year: int | None


class _BatchIndex:
    """The index rows one batch needs, read once, updated in memory, written back in bulk."""

    def __init__(self, con: duckdb.DuckDBPyConnection, s: StorySettings) -> None:
        self.con, self.s = con, s
        self.stats: dict[str, tuple[int, int]] = {}  # term -> (df, stories posted to)
        self.df_added: Counter[str] = Counter()
        self.posted_added: Counter[str] = Counter()
        self.postings: dict[tuple[str, str], dict[str, float]] = {}  # (topic, term) -> story -> tf
        self.fetched: set[tuple[str, str]] = set()
        self.stories: dict[str, _Story] = {}
        self.new_postings: list[tuple[str, str, str, float]] = []
        self.story_of: dict[str, str] = {}
        self.n_articles = 0
        self.n_added = 0

    def read_terms(self, terms: Sequence[str]) -> None:
        """Read the document frequencies of the batch's terms and the article count."""
        rows = _select_keyed(
            self.con,
            "SELECT term, df, stories FROM story_terms WHERE term IN (SELECT k FROM _keys)",
            terms,
        )
        self.stats.update({r[0]: (int(r[1]), int(r[2])) for r in rows})
        n = self.con.execute("SELECT value FROM story_totals WHERE name = 'articles'").fetchall()
        self.n_articles = int(n[0][0]) if n else 0

    def read_postings(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read the stored postings (and their stories' states) of (topic, term) pairs not read yet."""
        missing = sorted(set(wanted) - self.fetched)
        by_topic: dict[str, list[str]] = {}
        for topic, term in missing:
            by_topic.setdefault(topic, []).append(term)
            self.fetched.add((topic, term))
            self.postings.setdefault((topic, term), {})
        found: set[str] = set()
        for topic, terms in by_topic.items():
            rows = _select_keyed(
                self.con,
                "SELECT story_id, term, sum(tf) FROM story_postings "
                "WHERE term IN (SELECT k FROM _keys) AND topic = ? GROUP BY ALL",
                terms,
                topic,
            )
            for sid, term, tf in rows:
                got = self.postings[(topic, term)]
                got[sid] = got.get(sid, 0.0) + float(tf)
                found.add(sid)
        ids = sorted(found - set(self.stories))
        if ids:
            for r in _select_keyed(
                self.con,
                "SELECT story_id, topic, norms, years, first_published, last_published, "
                "marks, mark_counts FROM story_state WHERE story_id IN (SELECT k FROM _keys)",
                ids,
            ):
                self.stories[r[0]] = _Story(
                    r[0], r[1], list(r[2]), list(r[3]), r[4], r[5], stored=True,
                    marks=Counter(dict(zip(r[6] or [], r[7] or [], strict=True))),
                )  # fmt: skip

    def df(self, term: str) -> int:
        return self.stats.get(term, (0, 0))[0] + self.df_added[term]

    def posted(self, term: str) -> int:
        return self.stats.get(term, (0, 0))[1] + self.posted_added[term]

    def salient(self, counts: Counter[str], n_articles: int) -> tuple[list[str], dict[str, float]]:
        """The article's most salient terms (those looked up and posted) and every term's weight."""
        s = self.s
        # df(), posted(), _idf() and _tf() inlined (the same arithmetic): this runs twice per
        # article over each of its thousands of terms
        stats, df_added, posted_added, log = self.stats, self.df_added, self.posted_added, math.log
        total = n_articles + s.prior_articles
        bound = s.max_stories_per_term
        weights: dict[str, float] = {}
        kept: list[tuple[float, str]] = []
        for t, c in counts.items():
            st = stats.get(t)
            df = (st[0] if st else 0) + df_added.get(t, 0)
            w = (1.0 + log(c) if c >= 1 else c) * log(total / (df + 1 + 0.5))
            weights[t] = w
            if w > 0 and (st[1] if st else 0) + posted_added.get(t, 0) < bound:
                kept.append((-w, t))
        kept.sort()
        return [t for _, t in kept[: s.top_terms]], weights

    def _idf(self, term: str, n_articles: int) -> float:
        return math.log((n_articles + self.s.prior_articles) / (self.df(term) + 1 + 0.5))

    def candidates(
        self, article: Article, counts: Counter[str], pins: frozenset[str]
    ) -> tuple[_Lookup, list[tuple[_Story, dict[str, float]]]]:
        """The index's candidate stories for one article, each with its evidence (features)."""
        s = self.s
        n_articles = self.n_articles + self.n_added + 1
        salient, weights = self.salient(counts, n_articles)
        self.read_postings((article.topic, t) for t in salient)  # only terms that became salient
        qnorm = {c: 0.0 for c in CHANNELS}
        for t in salient:
            qnorm[t[0]] += weights[t] ** 2
        idf = {t: self._idf(t, n_articles) for t in salient}
        story_tf: dict[str, dict[str, float]] = {}
        for t in salient:
            for sid, tf in self.postings[(article.topic, t)].items():
                story_tf.setdefault(sid, {})[t] = tf
        year = article_year(article)
        lookup = _Lookup(salient, idf, story_tf, year)
        # the weight of the article's salient names, places and figures, per channel: what
        # a story lacks of it is what this article adds that the story never reported
        own = {c: sum(weights[t] for t in salient if t[0] == c) for c in _SPECIFIC}
        found: list[tuple[_Story, dict[str, float]]] = []
        for sid in sorted(story_tf):
            story = self.stories.get(sid)
            if story is None or not _compatible(article, year, story, s):
                continue
            dots = {c: 0.0 for c in CHANNELS}
            have = {c: 0.0 for c in _SPECIFIC}
            for term, tf in story_tf[sid].items():
                dots[term[0]] += weights[term] * tf * idf[term]
                if term[0] in have:
                    have[term[0]] += weights[term]
            f = {
                f"cos_{c}": dots[c] / math.sqrt(qnorm[c] * story.norms[i])
                for i, c in enumerate(CHANNELS)
                if dots[c] > 0 and qnorm[c] > 0 and story.norms[i] > 0
            }
            for c in _SPECIFIC:
                f[f"new_{c}"] = 1.0 - have[c] / own[c] if own[c] > 0 else 0.0
            for k in _MARK_KINDS:
                f[f"apart_{k}"] = _conflict(pins, story.marks, k)
                f[f"share_{k}"] = float(any(m[0] == k and m in story.marks for m in pins))
            found.append((story, f))
        return lookup, found

    def score(self, f: dict[str, float]) -> float:
        """How well an article fits a candidate story (compared with the threshold)."""
        s = self.s
        if s.model is not None:
            return s.model.probability(f)
        total_weight = sum(s.weights.values())
        score = sum(s.weights[c] * f.get(f"cos_{c}", 0.0) for c in CHANNELS) / total_weight
        score += sum(b * f[f"share_{k}"] for k, b in s.bonuses.items() if b)
        return score - sum(p * f[f"apart_{k}"] for k, p in s.penalties.items() if p)

    def assign(
        self,
        article: Article,
        counts: Counter[str],
        pins: frozenset[str],
        choose: Chooser | None = None,
    ) -> str:
        """Give one article its story (a candidate of the index, or a new one) and record it."""
        lookup, found = self.candidates(article, counts, pins)
        if choose is not None:
            picked = choose(article, [(st.story_id, f) for st, f in found])
            return self.join(article, counts, pins, lookup, self.stories.get(picked or ""))
        best: _Story | None = None
        best_score = 0.0
        for story, f in found:
            score = self.score(f)
            if score > best_score:
                best, best_score = story, score
        if best is None or best_score < self.s.threshold_of():
            best = None
        return self.join(article, counts, pins, lookup, best)

    def join(
        self,
        article: Article,
        counts: Counter[str],
        pins: frozenset[str],
        lookup: _Lookup,
        story: _Story | None,
    ) -> str:
        """Record an article in a story (None: a new one of its own); returns the story id."""
        story_id = self._record(
            article, counts, lookup.salient, lookup.idf, lookup.story_tf, story, lookup.year
        )
        self.stories[story_id].marks.update(pins)
        return story_id

    def _record(
        self,
        article: Article,
        counts: Counter[str],
        salient: list[str],
        idf: dict[str, float],
        story_tf: dict[str, dict[str, float]],
        story: _Story | None,
        year: int | None,
    ) -> str:
        seen = article.published or article.fetched_at
        if story is None:
            sid = stable_id("story", article.topic, article.article_id)
            story = self.stories.get(sid)
            if story is None:
                story = _Story(sid, article.topic, [0.0] * len(CHANNELS), [], None, None, False)
                self.stories[sid] = story
            old_tf: dict[str, float] = {}
        else:
            old_tf = story_tf.get(story.story_id, {})
        if story.title is None and not story.stored:
            story.title = article.title or article.text.split("\n", 1)[0][:200]
        story.first_seen = min(story.first_seen, seen) if story.first_seen else seen
        story.last_seen = max(story.last_seen, seen) if story.last_seen else seen
        story.added += 1
        story.outlets.add(article.outlet)
        index = {c: i for i, c in enumerate(CHANNELS)}
        for t in salient:
            old = old_tf.get(t, 0.0)
            tf = _tf(counts[t])
            new = old + tf
            story.norms[index[t[0]]] += (new * new - old * old) * idf[t] ** 2
            postings = self.postings[(article.topic, t)]
            if story.story_id not in postings:
                self.posted_added[t] += 1
            postings[story.story_id] = postings.get(story.story_id, 0.0) + tf
            self.new_postings.append((t, story.story_id, article.topic, tf))
        if year is not None and year not in story.years:
            story.years = sorted([*story.years, year])
        if article.published:
            p = article.published
            story.first_published = min(story.first_published, p) if story.first_published else p
            story.last_published = max(story.last_published, p) if story.last_published else p
        self.df_added.update(counts.keys())
        self.n_added += 1
        self.story_of[article.article_id] = story.story_id
        return story.story_id

    def write(self) -> None:
        """Write the batch's stories, index rows, counters and article stories in bulk."""
        con = self.con
        touched = [st for st in self.stories.values() if st.added]
        if not touched:
            return
        new = [st for st in touched if not st.stored]
        old = [st for st in touched if st.stored]
        if new:
            _bulk(
                con,
                "INSERT INTO stories SELECT story_id, topic, title, first_seen, last_seen, "
                "articles, list_sort(outlets) FROM _rows ON CONFLICT DO NOTHING",
                {
                    "story_id": [st.story_id for st in new],
                    "topic": [st.topic for st in new],
                    "title": [st.title for st in new],
                    "first_seen": [st.first_seen for st in new],
                    "last_seen": [st.last_seen for st in new],
                    "articles": [st.added for st in new],
                    "outlets": [sorted(st.outlets) for st in new],
                },
            )
        if old:
            _bulk(
                con,
                "UPDATE stories SET first_seen = least(stories.first_seen, r.first_seen), "
                "last_seen = greatest(stories.last_seen, r.last_seen), "
                "articles = stories.articles + r.articles, "
                "outlets = list_sort(list_distinct(list_concat(stories.outlets, r.outlets))) "
                "FROM _rows r WHERE stories.story_id = r.story_id",
                {
                    "story_id": [st.story_id for st in old],
                    "first_seen": [st.first_seen for st in old],
                    "last_seen": [st.last_seen for st in old],
                    "articles": [st.added for st in old],
                    "outlets": [sorted(st.outlets) for st in old],
                },
            )
        _bulk(
            con,
            "INSERT INTO story_state SELECT * FROM _rows ON CONFLICT DO UPDATE SET "
            "norms = excluded.norms, years = excluded.years, "
            "first_published = excluded.first_published, last_published = excluded.last_published, "
            "marks = excluded.marks, mark_counts = excluded.mark_counts",
            {
                "story_id": [st.story_id for st in touched],
                "topic": [st.topic for st in touched],
                "norms": [st.norms for st in touched],
                "years": [st.years for st in touched],
                "first_published": [st.first_published for st in touched],
                "last_published": [st.last_published for st in touched],
                "marks": [sorted(st.marks) for st in touched],
                "mark_counts": [[st.marks[m] for m in sorted(st.marks)] for st in touched],
            },
        )
        if self.new_postings:
            term, sid, topic, tf = zip(*self.new_postings, strict=True)
            _bulk(
                con,
                "INSERT INTO story_postings SELECT * FROM _rows",
                {"term": term, "story_id": sid, "topic": topic, "tf": tf},
            )
        terms = sorted(self.df_added)
        _bulk(
            con,
            "INSERT INTO story_terms SELECT * FROM _rows "
            "ON CONFLICT DO UPDATE SET df = story_terms.df + excluded.df, "
            "stories = story_terms.stories + excluded.stories",
            {
                "term": terms,
                "df": [self.df_added[t] for t in terms],
                "stories": [self.posted_added[t] for t in terms],
            },
        )
        con.execute(
            "INSERT INTO story_totals VALUES ('articles', ?) "
            "ON CONFLICT DO UPDATE SET value = story_totals.value + excluded.value",
            [self.n_added],
        )
        _bulk(
            con,
            "UPDATE articles SET story_id = r.story_id FROM _rows r "
            "WHERE articles.article_id = r.article_id",
            {"article_id": list(self.story_of), "story_id": list(self.story_of.values())},
        )


_TS = pa.timestamp("us", tz="UTC")
_COLUMN_TYPES: dict[str, pa.DataType] = {
    "first_seen": _TS,
    "last_seen": _TS,
    "first_published": _TS,
    "last_published": _TS,
    "articles": pa.int64(),
    "outlets": pa.list_(pa.string()),
    "norms": pa.list_(pa.float64()),
    "years": pa.list_(pa.int32()),
    "marks": pa.list_(pa.string()),
    "mark_counts": pa.list_(pa.int32()),
    "df": pa.int64(),
    "stories": pa.int64(),
    "tf": pa.float64(),
}


def _bulk(con: duckdb.DuckDBPyConnection, sql: str, columns: dict[str, Sequence[Any]]) -> None:
    """Run one statement over rows given as columns (registered as the Arrow table _rows)."""
    table = pa.table(
        {k: pa.array(list(v), type=_COLUMN_TYPES.get(k, pa.string())) for k, v in columns.items()}
    )
    with registered(con, "_rows", table):
        con.execute(sql)
