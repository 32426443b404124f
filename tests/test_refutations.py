"""Refutations: real denials, hoaxes and 'contrary to reports' from ECB+ and the shared pages.

The sentences are read from ../shared by document id and sentence number (the judged set in
evaluation/judged/refutations.jsonl); no third-party text is stored here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from detection import refutations as detect_refutations
from evaluation.refutations import (
    JUDGED,
    load_judged,
    sentence,
    sentence_article,
    sentence_figures,
)
from extractors.claims import extract_article
from extractors.pipeline import load_nlp
from extractors.refutations import REFUTATION, find_refutations
from records import Claim, ClaimLink, Contradiction

REPO = Path(__file__).resolve().parents[1]
FLOORS = tomllib.loads((REPO / "quality_floors.toml").read_text())["refutations"]
STORY = "story-1"


def _text(shared: Path, key: str) -> str:
    text = sentence(key, shared)
    assert text, f"{key} is not in the shared data"
    return text


def _refutations(shared: Path, key: str) -> list:  # type: ignore[type-arg]
    nlp, _ = load_nlp()
    text = _text(shared, key)
    return find_refutations(text, nlp(text)[:], 0)


def _claims(shared: Path, key: str) -> list[Claim]:
    nlp, _ = load_nlp()
    article = sentence_article(key, _text(shared, key))
    return [replace(c, story_id=STORY) for c in extract_article(article, nlp).claims]


def _one(claims: list[Claim], value_type: str) -> Claim:
    found = [c for c in claims if c.value_type == value_type]
    assert found, f"no {value_type} claim"
    return found[0]


def test_judged_set_is_large_enough_and_holds_attribution(shared: Path) -> None:
    judged = load_judged(JUDGED, shared)
    assert len(judged) >= 60
    assert sum(j.refutation for j in judged) >= 30
    assert sum(j.why.startswith("attribution") for j in judged) >= 20


def test_sentence_figures_meet_their_floors(shared: Path) -> None:
    nlp, _ = load_nlp()
    figures = sentence_figures(load_judged(JUDGED, shared), nlp)
    assert figures["precision"] >= FLOORS["sentence_precision"]
    assert figures["recall"] >= FLOORS["sentence_recall"]


@pytest.mark.parametrize(
    "key",
    [
        "ecb:42_11ecb:10",  # 'Rumors say that the debut could be ...'
        "ecb:22_4ecbplus:3",  # 'According to reports, ...'
        "ecb:20_3ecbplus:17",  # '..., the report said.'
        "ecb:6_5ecb:2",  # 'EW.com reports that ...'
        "ecb:12_6ecb:5",  # '..., navy sources said, ...'
        "ecb:36_5ecb:4",  # '"... it is alleged that he has committed polygamy ...," Oppal said.'
        "ecb:42_11ecb:0",  # rumours confirmed
    ],
)
def test_mere_attribution_is_no_refutation(shared: Path, key: str) -> None:
    assert _refutations(shared, key) == []


@pytest.mark.parametrize(
    "key",
    [
        "ecb:14_9ecbplus:5",  # 'He has been denied bail'
        "ecb:36_9ecbplus:23",  # 'would deny him the right to a speedy trial'
        "ecb:33_3ecb:27",  # 'Lynch did not deny his client was at ...'
        "ecb:41_3ecbplus:6",  # 'has denied the claims.' (what they said is elsewhere)
        "ecb:41_9ecbplus:33",  # 'a border dispute'
        "ecb:6_2ecbplus:32",  # 'fake posters'
    ],
)
def test_refusals_disputes_and_anaphora_are_not_refutations(shared: Path, key: str) -> None:
    assert _refutations(shared, key) == []


def test_denied_reports_that_gives_the_refuted_clause(shared: Path) -> None:
    # 'The director denied reports that his talks with the studio, Lionsgate, hit a snag.'
    (found,) = _refutations(shared, "ecb:6_8ecbplus:7")
    assert "talks" in found.content and "snag" in found.content
    assert found.refuter == "director" and found.polarity == -1


def test_contrary_to_reports_gives_the_truth_set_against_them(shared: Path) -> None:
    # 'no one was killed or injured in the attack, contrary to initial estimates ...'
    (found,) = _refutations(shared, "ecb:41_1ecbplus:4")
    assert found.polarity == 1 and "killed" in found.content


def test_a_hoax_refutes_the_thing_called_a_hoax(shared: Path) -> None:
    # 'The call to an abuse hotline that spurred the raid turned out to be a hoax, ...'
    (found,) = _refutations(shared, "ecb:36_3ecbplus:14")
    assert found.cue == "hoax" and "call to an abuse hotline" in found.content


def test_refutation_claim_carries_who_refuted_and_its_story_key(shared: Path) -> None:
    # 'Sudan's armed forces denied they carried out the strike.'
    ref = _one(_claims(shared, "ecb:41_5ecbplus:7"), REFUTATION)
    assert ref.attribute == REFUTATION and ref.modality == "denied"
    assert ref.value_text == "they carried out the strike" and ref.speaker
    assert (ref.subject_id, ref.attribute, ref.story_id) == detect_refutations.refutation_key(STORY)


def test_disputed_claim_meets_the_report_it_refutes(shared: Path) -> None:
    # 41_9ecb:8 (a UN official disputed Israel's claim that mortars were fired from inside)
    # against 41_4ecb:15 (the Israeli forces maintained that mortars had been fired from the
    # school): one refutation, explained by who, where and what
    ref = _one(_claims(shared, "ecb:41_9ecb:8"), REFUTATION)
    stated = _claims(shared, "ecb:41_4ecb:15")[0]
    result = detect_refutations.decide(ref, stated)
    assert isinstance(result, Contradiction) and result.kind == REFUTATION
    assert "mortars were fired from inside" in result.explanation
    assert "ecb:41_9ecb:8" in result.explanation and "ecb:41_4ecb:15" in result.explanation
    assert "undated" in result.explanation and "disputed" in result.explanation


def test_a_rumour_reported_as_a_rumour_is_not_contradicted(shared: Path) -> None:
    # 28_4ecbplus:11 (LaRue discounted rumors that he was Deep Throat) against 28_8ecbplus:3
    # (he 'was among those rumored to be Deep Throat'): both agree the rumour existed
    ref = _one(_claims(shared, "ecb:28_4ecbplus:11"), REFUTATION)
    for stated in _claims(shared, "ecb:28_8ecbplus:3"):
        assert detect_refutations.decide(ref, stated) is None


def test_an_identification_by_others_is_not_contradicted(shared: Path) -> None:
    # 28_11ecbplus:9 (he 'was occasionally identified as Deep Throat') against the same denial
    ref = _one(_claims(shared, "ecb:28_4ecbplus:11"), REFUTATION)
    for stated in _claims(shared, "ecb:28_11ecbplus:9"):
        assert detect_refutations.decide(ref, stated) is None


def test_a_denial_quoted_in_other_words_agrees(shared: Path) -> None:
    # 41_9ecbplus:32 (Sudan's government denied any bombing in South Sudan) against
    # 41_3ecbplus:25 (a quoted "We didn't bomb any camps ... inside the borders of South Sudan")
    ref = _one(_claims(shared, "ecb:41_9ecbplus:32"), REFUTATION)
    for stated in _claims(shared, "ecb:41_3ecbplus:25"):
        assert not isinstance(detect_refutations.decide(ref, stated), Contradiction)


def test_refutation_of_a_pronoun_needs_the_refuter_named(shared: Path) -> None:
    # 'Sudan's armed forces denied they carried out the strike' against a sentence about the
    # strike that names no armed forces: whose strike it was is not said, so no conflict
    ref = _one(_claims(shared, "ecb:41_5ecbplus:7"), REFUTATION)
    for stated in _claims(shared, "ecb:41_5ecbplus:3"):
        assert not isinstance(detect_refutations.decide(ref, stated), Contradiction)


@pytest.mark.parametrize(
    ("refuting", "stated"),
    [
        # 'unfounded reports that "Deep Throat" was gravely ill' against 'often with gravely
        # voices': 'Deep' begins the refuted words yet is a name in its sentence, so only
        # 'gravely' is shared of what is said of him
        ("ecb:28_9ecb:13", "ecb:28_5ecb:3"),
        # 'This isn't the revolutionary MacBook Pro the rumor mill suggested' against 'the
        # latest MacBook Pro is its revolutionary battery system': one word said of a name
        ("ecb:40_10ecbplus:8", "ecb:40_10ecb:7"),
        # 'denied militants were at the school' against 'she had come to the school ...
        # because one son was a Hamas militant': the shared words are two clauses apart
        ("ecb:41_9ecb:12", "ecb:41_7ecb:26"),
        # the same denial against 'an impartial probe ... that could also determine whether
        # militants had used the school': an open question asserts nothing
        ("ecb:41_9ecb:12", "ecb:41_7ecb:19"),
    ],
)
def test_a_word_or_two_shared_by_chance_is_no_refutation(
    shared: Path, refuting: str, stated: str
) -> None:
    ref = _one(_claims(shared, refuting), REFUTATION)
    for claim in _claims(shared, stated):
        assert not isinstance(detect_refutations.decide(ref, claim), Contradiction)


@pytest.mark.parametrize("order", [("41_4ecb", "41_9ecb"), ("41_9ecb", "41_4ecb")])
def test_product_path_raises_the_refutation_in_either_order(
    shared: Path, tmp_path: Path, order: tuple[str, str]
) -> None:
    # two whole ECB+ reports of one event, loaded one batch each through the product path
    # (stories, pairing, alerts): the UN official's dispute (41_9ecb:8) meets the Israeli
    # forces' claim (41_4ecb:15) whichever arrives first
    from claimwatch.batches import load_and_detect
    from evaluation.corpora import ecb_article, read_ecb
    from evaluation.refutations import ECB
    from warehouse.store import connect

    nlp, _ = load_nlp()
    with connect(str(tmp_path / "w.duckdb")) as con:
        for name in order:
            article = ecb_article(read_ecb(shared / ECB / "41" / f"{name}.xml"), "ecb-41")
            con.begin()
            load_and_detect(con, [article], [extract_article(article, nlp)])
            con.commit()
        rows = con.execute(
            """
            SELECT ca.sentence, cb.sentence, x.explanation FROM contradictions x
            JOIN claims ca ON ca.claim_id = x.claim_a JOIN claims cb ON cb.claim_id = x.claim_b
            WHERE x.kind = 'refutation'
            """
        ).fetchall()
        alerts = con.execute("SELECT title FROM alerts WHERE kind = 'refutation'").fetchall()
    pairs = [{a, b} for a, b, _ in rows]
    assert {_text(shared, "ecb:41_9ecb:8"), _text(shared, "ecb:41_4ecb:15")} in pairs
    assert [t for (t,) in alerts] == [
        "Sources disagree on whether a report holds that another report denies (refutation)"
    ]


def test_refutation_decision_is_symmetric_and_never_pairs_two_refutations(shared: Path) -> None:
    ref = _one(_claims(shared, "ecb:41_9ecb:8"), REFUTATION)
    stated = _claims(shared, "ecb:41_4ecb:15")[0]
    assert isinstance(detect_refutations.decide(stated, ref), Contradiction)
    other = replace(ref, claim_id="other", article_id="other")
    assert detect_refutations.decide(ref, other) is None
    assert detect_refutations.decide(ref, ref) is None


def test_a_stated_sentence_that_agrees_with_the_refutation_is_a_link(shared: Path) -> None:
    # the same report negated ('mortars had not been fired ...') agrees with the dispute
    ref = _one(_claims(shared, "ecb:41_9ecb:8"), REFUTATION)
    stated = _claims(shared, "ecb:41_4ecb:15")[0]
    negated = replace(stated, sentence=stated.sentence.replace("had been", "had not been"))
    result = detect_refutations.decide(ref, negated)
    assert isinstance(result, ClaimLink) and result.relation == "agreement"


def test_stream_of_one_topic_raises_the_arson_denial(shared: Path) -> None:
    # ECB+ topic 14 (a supermarket fire): one report says a man denied arson, others that he
    # was charged with it; the stream raises that refutation within the one event only
    from evaluation.refutations import stream_figures

    figures = stream_figures(shared, {"14"})
    assert figures["refutation_contradictions"] >= 1
    assert figures["cross_event"] == 0
    assert figures["judged_precision"] == 1.0


# a whole-corpus evaluation runs for minutes: past the suite-wide 300 s timeout
@pytest.mark.timeout(3600)
@pytest.mark.skipif(not os.environ.get("CLAIMWATCH_FULL_EVAL"), reason="about 4 minutes")
def test_full_stream_refutations_meet_their_floors(shared: Path) -> None:
    from evaluation.refutations import stream_figures

    figures = stream_figures(shared)
    assert figures["judged_precision"] >= FLOORS["stream_judged_precision"]
    assert figures["judged_true"] >= FLOORS["stream_min_true"]
    assert figures["cross_event"] <= FLOORS["stream_max_cross_event"]


def test_migration_keeps_stored_contradictions_and_admits_the_new_kind(tmp_path: Path) -> None:
    # a warehouse written before refutations (schema 7) is rebuilt by migration 8: its
    # contradictions, their comments and the contradictions view stay; 'refutation' is allowed
    from datetime import UTC, datetime

    import duckdb

    from warehouse.store import connect, migrations

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_versions (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)"
    )
    for version, sql in migrations():
        if version <= 7:
            con.execute(sql)
            con.execute("INSERT INTO schema_versions VALUES (?, ?)", [version, datetime.now(UTC)])
    row = ["x1", "t", "s", "a", "c1", "c2", "numeric", 0.7, "why", datetime.now(UTC), "st"]
    con.execute("INSERT INTO contradictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    con.close()
    with connect(path) as con:
        assert con.execute(
            "SELECT contradiction_id, kind, story_id FROM contradictions"
        ).fetchall() == [("x1", "numeric", "st")]
        row[0], row[6] = "x2", REFUTATION
        con.execute("INSERT INTO contradictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        with pytest.raises(duckdb.ConstraintException):
            row[0], row[6] = "x3", "made-up"
            con.execute("INSERT INTO contradictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        con.execute("SELECT count(*) FROM contradictions_side_by_side").fetchone()
