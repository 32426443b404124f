"""Typed comparisons: conflicts, and the decisions that are not conflicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from detection.compare import compare
from records import Claim, ClaimLink, Contradiction

T0 = datetime(2021, 8, 22, tzinfo=UTC)


def claim(cid: str, low: float | None, high: float | None, **kw: object) -> Claim:
    base = Claim(
        claim_id=cid, article_id=f"art-{cid}", topic="t", subject_id="s", subject="S",
        attribute="force size", value_type="quantity", value_text=f"{low}-{high}", low=low, high=high,
        outlet=f"outlet-{cid}", source_key=f"outlet-{cid}", published=T0,
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def extracted(text: str) -> list[Claim]:
    """The claims the shipped pipeline extracts from one short article."""
    from records import Article
    from extractors.claims import extract_article
    from extractors.pipeline import load_nlp

    art = Article("a", "t", "u", "u", "o", None, None, T0, "en", text, "h", T0, "o")
    return extract_article(art, load_nlp()[0]).claims


def test_non_overlapping_intervals_conflict() -> None:
    result = compare(claim("a", 8100, 9900), claim("b", 7000, 7000))
    assert isinstance(result, Contradiction) and result.kind == "numeric"
    assert "8,100-9,900" in result.explanation and "7,000" in result.explanation


def test_open_interval_is_compatible() -> None:
    result = compare(claim("a", 6000, None), claim("b", 7000, 7000))
    assert isinstance(result, ClaimLink) and result.relation == "compatible"


def test_small_gap_within_tolerance() -> None:
    assert isinstance(compare(claim("a", 7000, 7000), claim("b", 7200, 7200)), ClaimLink)


def test_same_url_is_a_revision() -> None:
    result = compare(claim("a", 9000, 9000), claim("b", 7000, 7000), same_url=True)
    assert isinstance(result, ClaimLink) and result.relation == "revision"


def test_syndicated_copies_are_one_source() -> None:
    result = compare(
        claim("a", 9000, 9000, source_key="wire"), claim("b", 7000, 7000, source_key="wire")
    )
    assert isinstance(result, ClaimLink) and result.relation == "syndicated"


def test_far_apart_dates_are_an_update() -> None:
    later = claim("b", 7000, 7000, published=T0 + timedelta(days=90))
    result = compare(claim("a", 9000, 9000), later)
    assert isinstance(result, ClaimLink) and result.relation == "update"


def test_directions() -> None:
    ne = claim(
        "a",
        None,
        None,
        value_type="direction",
        direction="northeast",
        place="Kabul",
        attribute="loc",
    )
    nw = claim(
        "b",
        None,
        None,
        value_type="direction",
        direction="northwest",
        place="Kabul",
        attribute="loc",
    )
    n = claim(
        "c", None, None, value_type="direction", direction="north", place="Kabul", attribute="loc"
    )
    assert isinstance(compare(ne, nw), Contradiction)
    assert isinstance(compare(ne, n), ClaimLink)


def test_negation() -> None:
    pos = claim("a", None, None, value_type="predicate", attribute="organize seizure", polarity=1)
    neg = claim("b", None, None, value_type="predicate", attribute="organize seizure", polarity=-1)
    result = compare(pos, neg)
    assert isinstance(result, Contradiction) and result.kind == "negation"
    assert isinstance(compare(neg, replace(neg, claim_id="c", article_id="x")), ClaimLink)


def test_different_subjects_are_unrelated() -> None:
    assert compare(claim("a", 9000, 9000), claim("b", 7000, 7000, subject_id="other")) is None


def test_antonym_encoded_predicate() -> None:
    won = claim("a", None, None, value_type="predicate", attribute="win vote", polarity=1)
    lost = claim(
        "b", None, None, value_type="predicate", attribute="win vote", polarity=-1, hedge="antonym"
    )
    result = compare(won, lost)
    assert isinstance(result, Contradiction) and result.kind == "antonym"


def test_lost_is_stored_under_win() -> None:
    from extractors.predicates import ANTONYM_VERBS, _canonical

    assert ANTONYM_VERBS["lose"] == "win"
    assert _canonical("lose", 1) == ("win", -1, "antonym")
    assert _canonical("lose", -1) == ("win", 1, "antonym")  # 'did not lose' asserts a win


def test_units_are_normalised() -> None:
    km = claim("a", 10, 10, unit="km")
    miles = claim("b", 6.2, 6.2, unit="miles")
    far = claim("c", 30, 30, unit="miles")
    assert isinstance(compare(km, miles), ClaimLink)
    result = compare(km, far)
    assert isinstance(result, Contradiction) and result.kind == "numeric"


def test_exclusive_role_holders() -> None:
    kw = dict(value_type="entity", attribute="leader")
    a = claim("a", None, None, value_text="Ahmad Massoud", **kw)  # type: ignore[arg-type]
    b = claim("b", None, None, value_text="Amrullah Saleh", **kw)  # type: ignore[arg-type]
    c = claim("c", None, None, value_text="Massoud", **kw)  # type: ignore[arg-type]
    result = compare(a, b)
    assert isinstance(result, Contradiction) and result.kind == "exclusive"
    assert isinstance(compare(a, c), ClaimLink)


def test_same_speaker_in_two_articles_is_reported_not_a_conflict() -> None:
    a = claim("a", 9000, 9000, speaker="Ali Maisam Nazary")
    b = claim("b", 7000, 7000, speaker="Nazary")
    result = compare(a, b)
    assert isinstance(result, ClaimLink) and result.relation == "reported"


def statement(cid: str, text: str) -> Claim:
    return claim(
        cid, None, None, value_type="statement", attribute="statement plead", value_text=text
    )


def test_statements_negation_slot_antonym_and_unrelated() -> None:
    base = statement(
        "a",
        "An Australian pleaded guilty to manslaughter in the death 35 years ago of an American who fell from a Sydney clifftop.",
    )
    cases = {
        "negation": "An Australian pleaded not guilty to manslaughter in the death 35 years ago of an American who fell from a Sydney clifftop.",
        "numeric": "An Australian pleaded guilty to manslaughter in the death 20 years ago of an American who fell from a Sydney clifftop.",
        "exclusive": "An Australian pleaded guilty to manslaughter in the death 35 years ago of a Canadian who fell from a Sydney clifftop.",
    }  # fmt: skip
    for kind, text in cases.items():
        result = compare(base, statement("b", text))
        assert isinstance(result, Contradiction) and result.kind == kind, (kind, result)
    paraphrase = statement(
        "c",
        "An Australian admitted to manslaughter in the death 35 years ago of an American who tumbled from a Sydney cliff.",
    )
    assert isinstance(compare(base, paraphrase), ClaimLink)
    unrelated = statement("d", "An Australian pleaded for calm after the storm hit the coast.")
    assert compare(base, unrelated) is None
    sales = claim("e", None, None, value_type="statement", attribute="statement report",
                  value_text="The company reported a fourth quarter decline in vaccine sales and weaker profits.")  # fmt: skip
    rise = replace(
        sales,
        claim_id="f",
        article_id="x",
        value_text="The company reported a fourth quarter increase in vaccine sales and weaker profits.",
    )
    result = compare(sales, rise)
    assert isinstance(result, Contradiction) and result.kind == "antonym"


def test_wordnet_antonyms_installed() -> None:
    from extractors.antonyms import are_antonyms, has_wordnet

    assert has_wordnet()
    assert are_antonyms("increase", "decrease") and are_antonyms("known", "unknown")
    assert not are_antonyms("say", "deny")


def test_statement_rules_found_beyond_exact_words() -> None:
    from detection.compare import statement_difference

    base = "The founder of the troubled start-up Ozy Media was arrested as part of a scheme to prop up the financially struggling company."
    thriving = base.replace("financially struggling", "financially thriving")
    assert (statement_difference(base, thriving) or ("",))[0] == "antonym"  # satellite adjectives
    years = "Activists dumped paint on the eve of the one-year anniversary of the invasion of the country."
    month = years.replace("one-year", "one-month")
    assert (statement_difference(years, month) or ("",))[0] == "exclusive"
    plea = "An Australian pleaded guilty to manslaughter in the death of an American who fell from a clifftop."
    for swapped in (
        plea.replace("manslaughter", "murder"),
        plea.replace("an American", "an Englishman"),
        plea.replace("manslaughter", "attempted murder"),  # the offence's own modifier
    ):
        assert (statement_difference(plea, swapped) or ("",))[0] == "exclusive", swapped


def test_dates_and_opposite_words_in_one_slot() -> None:
    from detection.compare import statement_difference

    arrest = (
        "The founder of the digital start-up Ozy Media was arrested on Thursday on fraud charges."
    )
    # one event has one date; a weekday and a month can both hold
    assert (statement_difference(arrest, arrest.replace("Thursday", "Friday")) or ("",))[
        0
    ] == "exclusive"
    assert statement_difference(arrest, arrest.replace("on Thursday", "in February")) is None
    # 'may' and 'march' in lower case are a modal and a verb, not months
    assert statement_difference(
        "The board may approve the merger of the two regional banks this year.",
        "The board will approve the merger of the two regional banks this year.",
    ) is None  # fmt: skip
    # evaluative words of opposite lean in the same place (the VADER lexicon's ratings)
    troubled = (
        "The founder of the troubled digital start-up Ozy Media was arrested on fraud charges."
    )
    assert (statement_difference(troubled, troubled.replace("troubled", "triumphant")) or ("",))[
        0
    ] == "antonym"
    assert statement_difference(troubled, troubled.replace("troubled", "embattled")) is None
    # particles are opposites only in each other's place
    sales = "Sales of the vaccine were up 4% in the fourth quarter, the company said."
    assert (statement_difference(sales, sales.replace("up", "down")) or ("",))[0] == "antonym"
    assert statement_difference(
        "People dressed in costumes walking down a street in the city centre.",
        "People dressed up in costumes walking along a street in the city centre.",
    ) is None  # fmt: skip


def test_statement_rules_keep_compatible_statements_apart() -> None:
    from detection.compare import statement_difference

    # a value under a negation is not a rival value; accents and scale words are not slots
    assert statement_difference(
        "Thatcher was not the first woman to lead a major political party in the United Kingdom.",
        "Thatcher became the second woman to lead a major political party in the United Kingdom.",
    ) is None  # fmt: skip
    assert statement_difference(
        "Private Lives is a 1930 comedy in three acts by Noel Coward.",
        "Private Lives is a 1930 comedy of manners in three acts by Noël Coward.",
    ) is None  # fmt: skip
    assert statement_difference(
        "Poseidon grossed more than $ 1 million at the worldwide box office.",
        "Poseidon grossed $ 181,674,817 at the worldwide box office on a budget of $ 160 million.",
    ) is None  # fmt: skip
    # a figure a comparison introduces is a baseline, not the statement's own figure
    assert statement_difference(
        "For the fourth quarter, vaccine sales represented a 30% decrease from the comparable period in 2021.",
        "The company reported a fourth quarter decline in vaccine sales and guided for sales of $5bn in 2023.",
    ) is None  # fmt: skip
    assert statement_difference(
        "Meteora is not an album by Linkin Park.",
        "Meteora is the second studio album by American rock band Metallica, not Linkin Park.",
    ) is None  # fmt: skip


def test_statements_keyed_past_datelines_and_by_framed_nouns() -> None:
    def keys(text: str) -> set[str]:
        return {c.attribute for c in extracted(text) if c.value_type == "statement"}

    dated = keys(
        "NEW YORK - The founder of the start-up Ozy Media was arrested Thursday on fraud charges."
    )
    plain = keys(
        "The founder of the start-up Ozy Media was not arrested Thursday on fraud charges."
    )
    assert "statement arrest" in dated & plain
    fused = keys(
        "On the eve of the anniversary of Russia's invasion of Ukraine, activists dumped paint on the road."
    )
    assert "phrase invasion" in fused


def test_statements_within_one_article_never_conflict() -> None:
    a = claim("a", None, None, value_type="statement", attribute="statement rate",
              value_text="Temp rating: 32°F / 0°C for the summer bag", article_id="same")  # fmt: skip
    b = claim("b", None, None, value_type="statement", attribute="statement rate",
              value_text="Temp rating: 20°F / -6°C for the summer bag", article_id="same")  # fmt: skip
    assert compare(a, b) is None


def test_clauses_are_keyed_and_compared_on_their_own() -> None:
    text = (
        "For the fourth quarter, the sales figure for the vaccines represented a 30% decrease "
        "from the comparable period, while for the full year it represented a 4% increase."
    )
    phrases = {c.value_text for c in extracted(text) if c.attribute.startswith("phrase ")}
    # each noun key carries its own clause, never the sentence that holds both sides
    assert phrases and all(not ("decrease" in p and "increase" in p) for p in phrases)
    assert any(p.startswith("For the fourth quarter") for p in phrases)


def test_opposites_keep_statements_aligned_unless_one_text_holds_both() -> None:
    from detection.compare import alignment, statement_difference

    stored = "For the fourth quarter, the sales figure for the vaccines represented a 30% decrease"
    swapped = "The company reported a fourth quarter increase in vaccine sales"
    assert alignment(stored, swapped) >= 0.5  # 'decrease' / 'increase' still count as shared
    assert (statement_difference(stored, swapped) or ("",))[0] == "antonym"
    both = stored + ", while for the full year it represented a 4% increase."
    assert statement_difference(both, swapped.replace("increase", "decline")) is None
    # 'not guilty to murder and guilty to manslaughter' both denies and asserts 'guilty'
    plea = "White pleaded not guilty to murder and guilty to manslaughter in the death of Johnson."
    assert statement_difference(
        plea, "White pleaded guilty to manslaughter in the death of Johnson."
    ) is None  # fmt: skip


def test_one_figure_each_side_answers_one_question() -> None:
    from detection.compare import statement_difference

    stored = "First Motion Picture Unit produced more than 400 propaganda and training films."
    assert (statement_difference(stored, "First Motion Picture Unit produced 40 training films.")
            or ("",))[0] == "numeric"  # fmt: skip
    # two figures on one side: which one the other side's figure answers is unknown
    two = "Between 1942 and 1945 the unit produced training films."
    assert statement_difference(two, "In 1943 the unit produced training films.") is None


def test_a_denied_detail_or_a_negative_verb_decides_nothing() -> None:
    from detection.compare import statement_difference

    signed = "In 2018, she signed her first recording contract with Astralwerks."
    # the negation may deny the year, not the signing; a denied statement gives no figure
    assert statement_difference(
        "Halsey did not sign her first recording contract in 2014.", signed
    ) is None  # fmt: skip
    assert statement_difference(
        "Lizzy Caplan is incapable of appearing in multiple television shows.",
        "Lizzy Caplan also starred only in television show The Class.",
    ) is None  # fmt: skip


def test_noun_modifiers_key_a_statement_but_adjectives_do_not() -> None:
    def phrases(text: str) -> set[str]:
        return {c.attribute for c in extracted(text)}

    assert "phrase sale" in phrases(
        "It is forecasting a steep drop in coronavirus vaccine sales this year."
    )
    assert "phrase son" not in phrases(
        "She became queen mother when her eldest son, Edward, ascended the throne."
    )
