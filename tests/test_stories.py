"""Stories: articles about one event join one story, incrementally, through the index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from detection.stories import StorySettings, assign_stories
from evaluation.stories import EcbDocument, read_corpus
from extractors.claims import Extraction, extract_article
from extractors.pipeline import load_nlp
from records import Article
from tests.conftest import REPO
from warehouse.loading import upsert
from warehouse.store import connect

ECB = Path("data/events/ECBplus/ECB+_LREC2014/ECB+")
T0 = datetime(2013, 6, 13, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def topic1(shared: Path) -> dict[str, tuple[Article, Extraction]]:
    """Topic 1 of ECB+: Tara Reid enters rehab (sub-topic A), Lindsay Lohan does (B)."""
    docs: list[EcbDocument] = read_corpus(shared / ECB, ["1"])
    nlp = load_nlp()[0]
    wanted = {"1_10ecb.xml", "1_11ecb.xml", "1_14ecb.xml", "1_10ecbplus.xml", "1_11ecbplus.xml"}
    return {
        d.name: (replace(d.article, topic="t"), extract_article(d.article, nlp))
        for d in docs
        if d.name in wanted
    }


def _load(db: Path, pairs: list[tuple[Article, Extraction]], **kw: object) -> dict[str, str]:
    with connect(db) as con:
        con.begin()
        upsert(con, [a for a, _ in pairs])
        got = assign_stories(con, [a for a, _ in pairs], [x for _, x in pairs], **kw)  # type: ignore[arg-type]
        con.commit()
    return got


def test_one_event_across_outlets_is_one_story(tmp_path: Path, topic1: dict) -> None:  # type: ignore[type-arg]
    db = tmp_path / "w.duckdb"
    reid_a, reid_b, lohan = topic1["1_10ecb.xml"], topic1["1_11ecb.xml"], topic1["1_10ecbplus.xml"]
    got = _load(db, [reid_a, reid_b, lohan])
    assert got[reid_a[0].article_id] == got[reid_b[0].article_id]
    assert got[lohan[0].article_id] != got[reid_a[0].article_id]
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT story_id, articles, outlets FROM story_overview ORDER BY articles DESC"
        ).fetchall()
        stored = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
    assert [r[1] for r in rows] == [2, 1]
    assert sorted(rows[0][2]) == sorted({reid_a[0].outlet, reid_b[0].outlet})
    assert stored == got


def test_a_later_article_joins_incrementally(tmp_path: Path, topic1: dict) -> None:  # type: ignore[type-arg]
    db = tmp_path / "w.duckdb"
    first = _load(db, [topic1["1_11ecb.xml"], topic1["1_10ecbplus.xml"]])
    # the stored texts are not read again: the story is found through the index tables
    with connect(db) as con:
        con.execute("UPDATE articles SET text = ''")
    later = _load(db, [topic1["1_14ecb.xml"]])
    reid = topic1["1_11ecb.xml"][0].article_id
    assert later[topic1["1_14ecb.xml"][0].article_id] == first[reid]
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM stories").fetchall()[0][0] == 2
        assert con.execute(
            "SELECT articles FROM stories WHERE story_id = ?", [first[reid]]
        ).fetchall() == [(2,)]


def test_dated_articles_join_within_the_window(tmp_path: Path, topic1: dict) -> None:  # type: ignore[type-arg]
    db = tmp_path / "w.duckdb"
    (a, xa), (b, xb), (c, xc) = (topic1[n] for n in ("1_10ecb.xml", "1_11ecb.xml", "1_14ecb.xml"))
    got = _load(
        db, [(replace(a, published=T0), xa), (replace(b, published=T0 + timedelta(days=2)), xb)]
    )
    assert got[a.article_id] == got[b.article_id]
    # the same words a year later are another development
    late = _load(db, [(replace(c, published=T0 + timedelta(days=365)), xc)])
    assert late[c.article_id] != got[a.article_id]


def test_lookups_stay_bounded(tmp_path: Path, topic1: dict) -> None:  # type: ignore[type-arg]
    db = tmp_path / "w.duckdb"
    tight = StorySettings(top_terms=20, max_stories_per_term=1)
    pairs = [topic1["1_10ecb.xml"], topic1["1_10ecbplus.xml"], topic1["1_11ecbplus.xml"]]
    got = _load(db, pairs, settings=tight)
    with connect(db, read_only=True) as con:
        per_article = con.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM story_postings GROUP BY story_id)"
        ).fetchall()[0][0]
        most_posted = con.execute("SELECT max(stories) FROM story_terms").fetchall()[0][0]
    assert per_article <= 20  # each story holds one article here
    # a term already posted to one story is neither looked up nor posted again, so the
    # Lohan articles find no candidate at all: candidates only ever come from the index
    assert most_posted == 1
    assert len(set(got.values())) == 3


def test_eval_stories_on_two_topics(shared: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "eval", "stories", str(shared / ECB),
         "--topics", "1,2", "--json"],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=120,
    ).stdout  # fmt: skip
    result = json.loads(out)
    assert result["documents"] == 60
    floors = tomllib.loads((REPO / "quality_floors.toml").read_text())["stories"]
    assert result["subtopic"]["b3_precision"] >= floors["subtopic_b3_precision"]
    assert result["topic"]["b3_precision"] >= floors["subtopic_b3_precision"]
    assert 0.5 <= result["subtopic"]["b3_f1"] <= 1.0


def test_assigning_again_changes_nothing(tmp_path: Path, topic1: dict) -> None:  # type: ignore[type-arg]
    db = tmp_path / "w.duckdb"
    pairs = [topic1["1_10ecb.xml"], topic1["1_11ecb.xml"]]
    first = _load(db, pairs)
    assert _load(db, pairs) == first
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT sum(articles) FROM stories").fetchall() == [(2,)]


# a whole-corpus evaluation runs for minutes: past the suite-wide 300 s timeout
@pytest.mark.timeout(3600)
@pytest.mark.skipif(
    not os.environ.get("CLAIMWATCH_FULL_EVAL"), reason="whole ECB+ (~90 s): CLAIMWATCH_FULL_EVAL=1"
)
def test_stories_hold_their_floors_on_all_of_ecb_plus(shared: Path) -> None:
    from evaluation.stories import evaluate

    result = evaluate(shared / ECB)
    floors = tomllib.loads((REPO / "quality_floors.toml").read_text())["stories"]
    assert result["subtopic"]["b3_f1"] >= floors["subtopic_b3_f1"]
    assert result["subtopic"]["b3_precision"] >= floors["subtopic_b3_precision"]


def test_a_batch_assigns_as_one_article_at_a_time(tmp_path: Path, topic1: dict) -> None:  # type: ignore[type-arg]
    names = ["1_10ecb.xml", "1_11ecb.xml", "1_10ecbplus.xml", "1_14ecb.xml", "1_11ecbplus.xml"]
    pairs = [topic1[n] for n in names]
    one_by_one = {}
    for pair in pairs:
        one_by_one.update(_load(tmp_path / "a.duckdb", [pair]))
    batch = _load(tmp_path / "b.duckdb", pairs)
    assert batch == one_by_one
    # a later article joins a story opened earlier in the same batch
    assert batch[topic1["1_14ecb.xml"][0].article_id] == batch[topic1["1_10ecb.xml"][0].article_id]
    queries = (
        "SELECT topic, title, articles, outlets FROM stories ORDER BY ALL",
        "SELECT * FROM story_terms ORDER BY ALL",
        "SELECT * FROM story_totals",
    )
    with connect(tmp_path / "a.duckdb", read_only=True) as a:
        expected = [a.execute(q).fetchall() for q in queries]
    with connect(tmp_path / "b.duckdb", read_only=True) as b:
        assert [b.execute(q).fetchall() for q in queries] == expected


def test_marks_pin_an_article_to_its_event(topic1: dict) -> None:  # type: ignore[type-arg]
    from detection.stories import marks

    # Tara Reid's check-in is reported "Tuesday"; Lindsay Lohan's states its years
    assert "a:tuesday" in marks(*topic1["1_10ecb.xml"])
    assert {"y:2013"} <= marks(*topic1["1_10ecbplus.xml"])


def test_a_date_both_state_ties_a_report_to_its_event(tmp_path: Path, shared: Path) -> None:
    # ECB+ topic 13, sub-topic B: two reports of the Matanuska Maid dairy fire, both saying
    # "August 7"; on words alone (a young warehouse) the second falls just short of the story
    docs = {d.name: d for d in read_corpus(shared / ECB, ["13"])}
    nlp = load_nlp()[0]
    pairs = [
        (replace(docs[n].article, topic="t"), extract_article(docs[n].article, nlp))
        for n in ("13_5ecbplus.xml", "13_6ecbplus.xml")
    ]
    first, second = (a.article_id for a, _ in pairs)
    from detection.stories import marks

    assert "d:aug 7" in marks(*pairs[0]) & marks(*pairs[1])
    joined = _load(tmp_path / "a.duckdb", pairs)
    assert joined[first] == joined[second]
    plain = _load(tmp_path / "b.duckdb", pairs, settings=StorySettings(bonuses={}))
    assert plain[first] != plain[second]
