"""Only comparable claims meet: event facts within a story, stable facts across stories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from detection.keys import comparison_key
from detection.pairing import detect
from evaluation.corpora import read_ecb
from extractors.claims import extract_article
from extractors.pipeline import load_nlp
from records import Article, Claim
from warehouse.loading import upsert
from warehouse.store import connect

T0 = datetime(2021, 8, 22, tzinfo=UTC)
ECB = "data/events/ECBplus/ECB+_LREC2014/ECB+"


def sentence(shared: Path, doc: str, number: int) -> str:
    """One sentence of an ECB+ document, as the stream evaluation rebuilds it."""
    d = read_ecb(shared / ECB / doc.split("_", 1)[0] / f"{doc}.xml")
    end = d.sentence_starts[number + 1] if number + 1 < len(d.sentence_starts) else None
    return d.text[d.sentence_starts[number] : end].strip()


def claims_of(text: str, article_id: str = "a") -> list[Claim]:
    art = Article(article_id, "t", f"u{article_id}", f"u{article_id}", f"o{article_id}", None,
                  None, T0, "en", text, "h", T0, f"o{article_id}")  # fmt: skip
    return extract_article(art, load_nlp()[0]).claims


def test_an_age_belongs_to_the_person_it_describes(shared: Path) -> None:
    # 'Police allege <the gunman>, 61, opened fire ..., killing <the victim>, 40.'
    claims = claims_of(sentence(shared, "18_3ecb", 1))
    ages = {(c.subject, c.number) for c in claims if c.attribute == "age"}
    assert len(ages) == 2
    assert {n for _, n in ages} == {61.0, 40.0}
    assert len({s for s, _ in ages}) == 2  # two people, two subjects


def test_an_age_before_or_after_the_name_is_that_persons(shared: Path) -> None:
    # '... <victim>, a 59-year-old grandmother, ...' and '59-year-old <victim> was walking'
    for doc, n in (("21_14ecbplus", 5), ("21_11ecbplus", 3)):
        ages = {(c.subject, c.number) for c in claims_of(sentence(shared, doc, n))
                if c.attribute == "age"}  # fmt: skip
        assert any(s and "Chohan" in s and a == 59.0 for s, a in ages), ages


def test_a_unit_of_measure_keys_nothing(shared: Path) -> None:
    # every 'N-year-old' of a story met under 'phrase year'; '35 yards' vs '364 yards' too
    for doc, n in (("21_11ecbplus", 3), ("29_4ecbplus", 37), ("29_1ecb", 2)):
        attributes = {c.attribute for c in claims_of(sentence(shared, doc, n))}
        assert not {a for a in attributes if a.split()[-1] in {"year", "yard", "minute"}}


def _quantity(cid: str, article: str, story: str | None, number: float) -> Claim:
    return Claim(
        claim_id=cid, article_id=article, topic="t", subject_id="nrf", subject="NRF",
        attribute="force size", value_type="quantity", value_text=str(number), number=number,
        low=number, high=number, outlet=article, source_key=article, published=T0,
        story_id=story,
    )  # fmt: skip


def _direction(cid: str, article: str, story: str | None, direction: str) -> Claim:
    return Claim(
        claim_id=cid, article_id=article, topic="t", subject_id="panjshir", subject="Panjshir",
        attribute="location relative to Kabul", value_type="direction", value_text=direction,
        direction=direction, place="Kabul", outlet=article, source_key=article, published=T0,
        story_id=story,
    )  # fmt: skip


def test_event_facts_meet_only_within_their_story(tmp_path: Path) -> None:
    stored = [_quantity("c1", "a1", "story-1", 9000), _quantity("c2", "a2", "story-2", 7000)]
    new = _quantity("c3", "a3", "story-1", 7000)
    with connect(str(tmp_path / "w.duckdb")) as con:
        upsert(con, [*stored, new])
        found, _ = detect(con, [new])
    assert [(x.claim_a, x.claim_b) for x in found] == [("c1", "c3")]
    assert found[0].story_id == "story-1"


def test_an_event_fact_without_a_story_is_never_compared() -> None:
    assert comparison_key(_quantity("c1", "a1", None, 9000)) is None


def test_stable_facts_meet_across_stories(tmp_path: Path) -> None:
    stored = _direction("d1", "a1", "story-1", "northeast")
    new = _direction("d2", "a2", "story-2", "northwest")
    with connect(str(tmp_path / "w.duckdb")) as con:
        upsert(con, [stored, new])
        found, _ = detect(con, [new])
    assert len(found) == 1 and found[0].kind == "direction" and found[0].story_id is None
    assert comparison_key(replace(new, story_id=None)) == comparison_key(new)


def test_one_sentence_never_contradicts_itself(shared: Path, tmp_path: Path) -> None:
    # 'He said 30 of the 80 wounded remained in hospital ...': a part and its whole
    claims = [replace(c, story_id="s") for c in claims_of(sentence(shared, "20_4ecbplus", 6))]
    assert len([c for c in claims if c.attribute == "injured"]) == 2
    with connect(str(tmp_path / "w.duckdb")) as con:
        upsert(con, claims)
        found, _ = detect(con, claims)
    assert found == []


def test_a_generic_count_is_never_compared(shared: Path) -> None:
    # 'hit his last 6 passes of the day' and 'connected on 1 of 13 passes' count two sets
    for doc, n in (("29_1ecbplus", 15), ("29_4ecbplus", 12)):
        counts = [replace(c, story_id="s") for c in claims_of(sentence(shared, doc, n))
                  if c.attribute.startswith("count of")]  # fmt: skip
        assert counts and all(comparison_key(c) is None for c in counts)


def test_a_hedge_of_a_figure_is_no_opposite(shared: Path) -> None:
    # 'injuring at least 50 people' and 'injured more than 200 people': 'least' (lemma
    # 'little') and 'more' ('much') bound two figures; they are not opposite claims
    from detection.compare import statement_difference

    a, b = sentence(shared, "37_10ecbplus", 9), sentence(shared, "37_13ecbplus", 4)
    found = statement_difference(a, b)
    assert found is None or "little" not in found[2]


def test_title_case_says_nothing_of_names(shared: Path) -> None:
    # two headlines of one story: capitalised words there are not names to tell apart
    from detection.compare import is_title_case, statement_difference

    a, b = sentence(shared, "1_3ecbplus", 1), sentence(shared, "1_7ecbplus", 1)
    assert is_title_case(a) and is_title_case(b)
    assert statement_difference(a, b) is None
    assert not is_title_case(sentence(shared, "37_10ecbplus", 9))


def test_one_event_happens_in_one_city(shared: Path) -> None:
    # SummEdits news pair 8: the act in London against the same act at the Moscow embassy
    import json

    from detection.compare import statement_difference

    rows = json.loads(
        (shared / "data/contradiction/summedits_news/summedits_news_evaluation.json").read_text()
    )
    doc, summary = rows[8]["doc"], rows[8]["summary"]
    act = next(s for s in doc.split("\n") if s.startswith("Activists in London")).split(". ")[0]
    found = statement_difference(act, summary)
    assert found is not None and found[0] == "exclusive" and "city" in found[2]
    # the same act in its own city (the summary of pair 12 places it in London too) agrees
    assert statement_difference(act, act.replace("Activists in London", "London activists")) is None


def test_a_distance_in_two_units_agrees(shared: Path) -> None:
    # one report gives the building's distance from the city in km, another in miles
    from detection.compare import statement_difference

    a, b = sentence(shared, "18_11ecbplus", 19), sentence(shared, "18_2ecbplus", 21)
    assert "km" in a and "miles" in b
    assert statement_difference(a, b) is None
    # while two depths of the same quake in one unit still differ
    c, d = sentence(shared, "38_10ecbplus", 5), sentence(shared, "38_2ecbplus", 5)
    found = statement_difference(c, d)
    assert found is not None and found[0] == "numeric"


def test_a_statement_without_words_is_no_statement() -> None:
    from detection.compare import alignment

    assert alignment("", "—") == 0.0


def test_a_small_towns_name_places_nothing(shared: Path) -> None:
    # 'David', 'Lu', 'Nov', 'Bush', 'Police', 'SAP', 'Bell' are also towns somewhere: read as
    # cities they made 'one event, one city' conflicts between reports of one event
    from detection.compare import statement_difference

    pairs = "12_4ecbplus:4|12_9ecbplus:4 43_13ecbplus:10|43_5ecbplus:12 29_1ecb:5|29_4ecb:15 "
    pairs += "9_11ecbplus:3|9_2ecbplus:2 8_6ecb:0|8_7ecb:0 7_2ecb:0|7_8ecb:0 25_10ecbplus:1|25_8ecbplus:2"
    for key in pairs.split():
        (a, i), (b, j) = (p.split(":") for p in key.split("|"))
        found = statement_difference(sentence(shared, a, int(i)), sentence(shared, b, int(j)))
        assert found is None or "city" not in found[2], key


def test_undated_ages_years_apart_are_two_moments(shared: Path) -> None:
    # 'The win over Rahman was the 32-year-old Klitschko's third of the year' (a 2008 fight)
    # and 'The 36-year-old champion Klitschko ... floored Thompson' (2012): no date says so
    from detection.compare import compare
    from records import ClaimLink, Contradiction

    def age(doc: str, n: int, article: str) -> Claim:
        c = next(c for c in claims_of(sentence(shared, doc, n), article) if c.attribute == "age")
        return replace(c, published=None, ref_date=None, subject_id="klitschko")

    link = compare(age("7_7ecb", 10, "a"), age("7_1ecbplus", 4, "b"))
    assert isinstance(link, ClaimLink) and link.relation == "update"
    # a year apart is a slip one of them made: the same climber aged 31 and 32
    slip = compare(age("23_3ecbplus", 10, "a"), age("23_9ecbplus", 10, "b"))
    assert isinstance(slip, Contradiction)


def test_a_count_spelled_out_is_a_count(shared: Path) -> None:
    # news style spells out counts below ten: 'injuring five people', 'has injured three
    # people' (one quake), 'as well as seven bridges, two of which collapsed'
    a = claims_of(sentence(shared, "20_2ecb", 2))
    b = claims_of(sentence(shared, "20_5ecb", 0))
    assert [c.number for c in a if c.attribute == "count of people"] == [5]
    assert [c.number for c in b if c.attribute == "count of people"] == [3]
    bridges = claims_of(sentence(shared, "37_3ecb", 5))
    # 'two of which' counts part of the seven, nothing new
    assert [c.number for c in bridges if c.attribute.startswith("count of")] == [7]
