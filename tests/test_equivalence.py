"""Equivalent is not different: values written two ways never make a conflict.

Each case is built from real ECB+ sentences (../shared), rebuilt from their token XML; where
two outlets' sentences differ in more than the value, the value is swapped into one sentence.
"""

from __future__ import annotations

from pathlib import Path

from detection.compare import _tokens, statement_difference
from detection.equivalence import canonical, places_differ, same_name, spelling_variant
from extractors.hedges import find_quantities, parse_number
from tests.ecbplus import sentence


def test_spelling_variants_and_plurals(shared: Path) -> None:
    advisers = sentence(shared, "18_11ecbplus", 16)  # ... the website of Gordon Advisers, ...
    advisors = sentence(shared, "18_2ecbplus", 16)  # ... the website of Gordon Advisors, ...
    assert statement_difference(advisers, advisors) is None
    other_firm = advisors.replace("Gordon Advisors", "Gordon Partners")
    assert statement_difference(advisers, other_firm) is not None
    rbis = sentence(shared, "10_3ecb", 6)  # ... hit 13 home runs and 43 RBIs in 54 games.
    assert statement_difference(rbis, rbis.replace("RBIs", "RBI")) is None
    assert spelling_variant("Rait", "Raite") and spelling_variant("AK-47", "AK-47s")
    assert not spelling_variant("Iran", "Iraq")


def test_abbreviations(shared: Path) -> None:
    spelled = sentence(
        shared, "44_14ecbplus", 5
    )  # ... offices in the United States and the United Kingdom.
    short = sentence(shared, "44_10ecbplus", 6)  # ... offices in the US and the UK.
    assert statement_difference(spelled, short) is None
    un = sentence(shared, "41_7ecbplus", 30)  # ... complaint to the UN Security Council, ...
    dotted = sentence(shared, "41_5ecbplus", 30)  # ... complaint to the U.N. Security Council, ...
    assert statement_difference(un, dotted) is None
    assert canonical("U.S.") == canonical("United States") == canonical("America")
    assert canonical("U.K.") == canonical("Britain")
    assert not same_name("UN", "UN", "EU", "EU")


def test_an_acronym_names_the_leading_words_of_a_longer_name(shared: Path) -> None:
    mvp = sentence(shared, "35_10ecbplus", 17)  # ... shared the team's MVP Award with ...
    spelled = sentence(shared, "35_1ecbplus", 17)  # ... Most Valuable Player Award with ...
    assert statement_difference(mvp, spelled) is None
    ucs = sentence(shared, "9_4ecbplus", 8)  # ... director of UCS's Scientific Integrity Program
    union = sentence(shared, "9_9ecbplus", 26)  # ... Union of Concerned Scientists' Scientific ...
    assert statement_difference(ucs, union) is None
    assert statement_difference(mvp, spelled.replace("Most Valuable", "Best Defensive")) is not None


def test_fractions_and_decimals(shared: Path) -> None:
    decimal = sentence(shared, "36_3ecbplus", 43)  # ... after 4.5 hours of testimony ...
    fraction = sentence(shared, "36_6ecbplus", 43)  # ... after 4 1/2 hours of testimony ...
    assert statement_difference(decimal, fraction) is None
    assert statement_difference(decimal, fraction.replace("4 1/2", "6")) is not None
    # '4½', '41/2 months' (the glyph lost) and 'four and a half months' are one figure
    # ('five points from Echenique in the first 3½ minutes': the five is a count of its own)
    assert 3.5 in [q.number for q in find_quantities(sentence(shared, "31_7ecbplus", 10))]
    assert [q.number for q in find_quantities(sentence(shared, "28_10ecbplus", 6))] == [4.5]
    assert [q.number for q in find_quantities(sentence(shared, "28_1ecbplus", 13))] == [4.5]
    assert parse_number("4½") == parse_number("4 1/2") == parse_number("4-1/2") == 4.5
    assert statement_difference(fraction, fraction.replace("4 1/2", "4½")) is None


def test_one_value_in_two_units_is_one_quantity(shared: Path) -> None:
    cable = sentence(
        shared, "30_1ecb", 17
    )  # ... with 20 kilometres (12.5 miles) of spare cable ...
    assert [q.number for q in find_quantities(cable)] == [20.0]
    depth = sentence(
        shared, "37_11ecbplus", 5
    )  # ... a depth of just 10 kilometres (6.2 miles), ...
    assert 6.2 not in [q.number for q in find_quantities(depth)]
    quake = sentence(shared, "20_1ecb", 4)  # ... struck seven km (4 miles) east of Dargahan.
    assert statement_difference(quake, quake.replace(" (4 miles)", "")) is None
    assert statement_difference(quake, quake.replace("seven km (4 miles)", "20 km")) is not None


def test_one_value_in_two_units_across_articles(shared: Path) -> None:
    metres = sentence(shared, "18_11ecbplus", 18)  # The 15,800-square-metre building houses ...
    feet = sentence(shared, "18_2ecbplus", 20)  # The 170,000-square-foot building houses ...
    assert statement_difference(metres, feet) is None
    assert statement_difference(metres, feet.replace("170,000", "30,000")) is not None
    # the claims are the clauses: '... falling about 200ft from a ridge ...' / '... about 60m ...'
    fused_feet = sentence(shared, "23_3ecbplus", 6).partition("slipping and ")[2]
    fused_metres = sentence(shared, "23_6ecbplus", 6).partition("slipping and ")[2]
    assert statement_difference(fused_feet, fused_metres) is None
    assert statement_difference(fused_feet, fused_metres.replace("60m", "20m")) is not None


def test_amounts_in_two_currencies(shared: Path) -> None:
    # '... a 110-billion ($143-billion) ... bailout' vs '... 110 billion ($158 billion) ...':
    # the bracketed dollars restate the euros at two rates; the amount agreed is one
    rate_a = sentence(shared, "8_2ecbplus", 10)
    rate_b = sentence(shared, "8_4ecbplus", 15)
    assert statement_difference(rate_a, rate_b) is None
    pounds = sentence(shared, "24_11ecbplus", 8)  # ... jewellery worth £88m in one of ...
    euros = sentence(shared, "24_5ecbplus", 12)  # ... jewellery worth €103 million in one of ...
    assert statement_difference(pounds, euros) is None  # no rate to compare them by
    assert statement_difference(pounds, pounds.replace("£88m", "£103m")) is not None


def test_a_contracted_negation_is_a_negation(shared: Path) -> None:
    spelled = sentence(shared, "18_11ecbplus", 12)  # Police could not say how many shots ...
    contracted = sentence(shared, "18_2ecbplus", 12)  # Police couldn't say how many shots ...
    assert statement_difference(spelled, contracted) is None
    assert statement_difference(spelled.replace("could not", "could"), contracted) is not None


def test_a_contraction_without_its_apostrophe(shared: Path) -> None:
    typed = sentence(shared, "23_10ecbplus", 16)  # 'I cant speak for the first death, ...
    marked = sentence(shared, "23_11ecbplus", 15)  # ... "I can't speak for the first death, ...
    assert statement_difference(typed, marked) is None


def test_a_negation_raised_to_the_verb_of_feeling(shared: Path) -> None:
    lowered = sentence(shared, "5_1ecb", 6)  # "I feel on the floor we weren't executing ...
    raised = sentence(shared, "5_2ecb", 5)  # "I didn't feel on the floor we were executing ...
    assert statement_difference(lowered, raised) is None
    assert statement_difference(lowered, raised.replace("I didn't feel", "I feel")) is not None
    denied = sentence(shared, "35_3ecbplus", 16)  # Results of ... test have not been released.
    released = sentence(shared, "35_6ecbplus", 6)  # Results from a ... test ... were released
    assert statement_difference(denied, released) is not None


def test_a_hyphen_before_a_figure_ends_the_word(shared: Path) -> None:
    hyphened = sentence(shared, "37_14ecbplus", 5)  # The magnitude-6.1 quake struck at ...
    spaced = sentence(shared, "37_13ecbplus", 5)  # ... said the magnitude 6.1 quake struck ...
    assert "6.1" in [t.text for t in _tokens(hyphened)]
    assert statement_difference(hyphened, spaced) is None


def test_an_unlisted_place_in_the_slot_of_a_region(shared: Path) -> None:
    island = sentence(shared, "37_7ecbplus", 3)  # ... strikes Sumatra's Aceh province.
    country = sentence(shared, "37_2ecbplus", 1)  # ... quake strikes Indonesia's Aceh province
    assert statement_difference(island, country) is None
    assert statement_difference(country.replace("Indonesia", "Thailand"), country) is not None
    town = sentence(shared, "32_10ecbplus", 3)  # ... murder of his mother and sister in Millom.
    county = sentence(shared, "32_6ecbplus", 1)  # Man charged with murdering ... in Cumbria
    assert statement_difference(town, county) is None


def test_a_possessive_glued_to_a_figure(shared: Path) -> None:
    glued = sentence(shared, "29_9ecbplus", 11)  # ... behind Jamaal Charles'226 yards rushing ...
    spaced = sentence(shared, "29_5ecbplus", 12)  # ... behind Jamaal Charles' 226 yards ...
    assert statement_difference(glued, spaced) is None
    assert statement_difference(glued, spaced.replace("226", "126")) is not None


def test_places_that_contain_one_another(shared: Path) -> None:
    city = sentence(shared, "18_2ecb", 0)  # A 61-year-old Vancouver man was charged ...
    assert statement_difference(city, city.replace("Vancouver", "Canada")) is None
    assert statement_difference(city, city.replace("Vancouver", "Chicago")) is not None
    village = sentence(shared, "26_9ecbplus", 3)  # ... wandering the Greenwich Village streets ...
    nyc = village.replace("the Greenwich Village streets", "the streets of New York")
    assert statement_difference(village, nyc) is None
    gulf = sentence(shared, "12_8ecb", 16)  # ... sunk a pirate "mother vessel" in the Gulf of Aden.
    somalia = sentence(shared, "12_9ecb", 7)  # ... sunk a pirate "mother vessel" off Somalia.
    assert statement_difference(gulf, somalia) is None
    basin = sentence(shared, "37_6ecbplus", 16)  # ... fault lines encircling the Pacific Basin.
    ocean = sentence(shared, "37_13ecbplus", 11)  # ... fault lines encircling the Pacific Ocean.
    assert statement_difference(basin, ocean) is None
    somalian = sentence(shared, "12_10ecb", 0)  # The Indian navy has captured 23 Somalian pirates.
    in_gulf = sentence(shared, "12_13ecb", 0)  # ... captured 23 pirates in the Gulf of Aden ...
    assert statement_difference(somalian, in_gulf) is None
    assert places_differ("the Gulf of Aden", "the Gulf of Mexico")
    assert not places_differ("Brooklyn", "New York")
    assert places_differ("London", "Moscow")


def test_a_generic_word_against_a_specific_one(shared: Path) -> None:
    gis = sentence(shared, "4_10ecbplus", 5)  # ... a favorite pinup of GI's in World War II, ...
    people = sentence(shared, "4_1ecbplus", 9)  # ... a favourite pinup of US people in ...
    assert statement_difference(gis, people) is None
    # 'a patch for Web browser' / 'to hijack Internet Explorer browsers': WordNet holds
    # Internet Explorer as an instance of a Web browser; another browser still differs
    kind = sentence(shared, "27_17ecb", 0)
    named = sentence(shared, "27_11ecb", 1)
    assert statement_difference(kind, named) is None
    other = kind.replace("Web browser", "Firefox browser")
    assert statement_difference(other, named) is not None


def test_hedges_agree_with_the_figure_they_bound(shared: Path) -> None:
    seven = sentence(shared, "40_8ecbplus", 12)  # ... will feature 7 hours of battery life, ...
    # 40_6ecbplus 16 gives the same machine 'up to seven hours of battery life'
    assert "up to seven hours of battery life" in sentence(shared, "40_6ecbplus", 16)
    up_to = seven.replace("7 hours", "up to seven hours")
    assert statement_difference(seven, up_to) is None
    assert statement_difference(seven, seven.replace("7 hours", "up to eight hours")) is None
    assert statement_difference(seven, seven.replace("7 hours", "at least 9 hours")) is not None
    assert statement_difference(seven, seven.replace("7 hours", "5 hours")) is not None


def test_hedged_figures_in_two_units(shared: Path) -> None:
    # one report puts the camp 'less than 50 km (30 miles)' from the border, another 'less
    # than 25 kilometres': two upper bounds, both hold
    fifty = sentence(shared, "41_11ecbplus", 3)
    twenty_five = sentence(shared, "41_7ecbplus", 11)
    assert "less than 50 km" in fifty and "less than 25 kilometres" in twenty_five
    assert statement_difference(fifty, twenty_five) is None
    assert statement_difference(fifty.replace("less than 50", "at least 50"), twenty_five)
    assert statement_difference(fifty.replace("less than 50", "50"), twenty_five)


def test_a_fraction_the_page_mangled(shared: Path) -> None:
    # one syndicated sentence, three renderings of '4½ months': '41/2', '412' (the slash
    # lost) and '4\ufffd' (the glyph lost); none of them is another figure
    glyph_lost_slash = sentence(shared, "28_10ecbplus", 6)  # ... served 41/2 months in ...
    slash_lost = sentence(shared, "28_8ecbplus", 7)  # ... served 412 months in ...
    glyph_lost = sentence(shared, "28_9ecbplus", 7)  # ... served 4\ufffd months in ...
    assert "41/2 months" in glyph_lost_slash and "412 months" in slash_lost
    assert "4\ufffd months" in glyph_lost
    assert statement_difference(glyph_lost_slash, slash_lost) is None
    assert statement_difference(glyph_lost_slash, glyph_lost) is None
    # a figure that is another one still differs
    assert statement_difference(glyph_lost_slash, glyph_lost_slash.replace("41/2", "6"))
    assert statement_difference(slash_lost, slash_lost.replace("412", "41"))


def test_a_trade_mark_sign_is_no_other_name(shared: Path) -> None:
    plain = sentence(shared, "43_14ecbplus", 9)  # ... the first AMD Opteron processor-based ...
    marked = sentence(shared, "43_2ecbplus", 8)  # ... the first AMD Opteron™ processor-based ...
    assert "Opteron\u2122" in marked
    assert statement_difference(plain, marked) is None
    assert statement_difference(plain, plain.replace("Opteron", "Athlon"))


def test_a_letter_dropped_inside_a_word_is_a_slip(shared: Path) -> None:
    threat = sentence(shared, "8_1ecb", 3)  # ... a telephoned bomb threat received by ...
    treat = sentence(shared, "8_2ecb", 3)  # ... a telephoned bomb treat received by ...
    assert "bomb treat" in treat
    assert statement_difference(threat, treat) is None
    # a letter at the front is a prefix: 'typical' and 'atypical' still oppose
    from detection.compare import _typo

    assert _typo("threat", "treat") and not _typo("typical", "atypical")


def test_two_sole_figures_of_two_things(shared: Path) -> None:
    # the same police chief, 'with the Police Department for two decades' in one report and
    # 'a 46-year-old' in another: each gives one figure, of two different things
    decades = sentence(shared, "8_1ecb", 10)
    age = sentence(shared, "8_6ecb", 3)
    assert "two decades" in decades and "46-year-old" in age
    assert statement_difference(decades, age) is None
    # one thing counted in both, spelt two ways ('per cent' / 'percent'), still differs
    plunged = sentence(shared, "8_1ecbplus", 22)  # ... Greek stocks plunged 5.4 per cent.
    closed = sentence(shared, "8_2ecbplus", 23)  # ... Greek stocks closed down 3.9 percent.
    found = statement_difference(plunged, closed)
    assert found is not None and found[0] == "numeric"


def test_a_figure_meets_the_figure_of_its_own_slot(shared: Path) -> None:
    # 'ran for 226 yards ..., including an 84-yard scamper on the first play' against 'an
    # 86-yard touchdown run on the first play': the run is 84 against 86, not 226
    total = sentence(shared, "29_6ecbplus", 21)
    run = sentence(shared, "29_9ecbplus", 25)
    found = statement_difference(total, run)
    assert found is not None and found[2].endswith("84 vs 86")


def test_one_person_is_a_count_beside_another(shared: Path) -> None:
    # 'killing at least one person and leaving two others missing' against 'injuring at least
    # five people': the first gives two counts, so its 'two' is no sole figure to set
    # against the injured; a lone count against a lone count still differs
    killed = sentence(shared, "37_14ecbplus", 3)
    injured = sentence(shared, "37_13ecbplus", 4)
    assert statement_difference(killed, injured) is None
    lone = killed.replace("killing at least one person and leaving two", "leaving two")
    found = statement_difference(lone, injured)
    assert found is not None and found[0] == "numeric"


def test_a_plea_is_no_verdict(shared: Path) -> None:
    # 'was found guilty Thursday on two first-degree murder charges' against 'has pleaded not
    # guilty to two first-degree murder charges': the plea came first, the verdict after;
    # two pleas still oppose
    verdict = sentence(shared, "45_4ecbplus", 2)
    plea = sentence(shared, "45_9ecbplus", 1)
    assert "found guilty" in verdict and "pleaded not guilty" in plea
    assert statement_difference(verdict, plea) is None
    assert statement_difference(plea, verdict) is None
    found = statement_difference(plea.replace("not guilty", "guilty"), plea)
    assert found is not None and found[0] == "negation"


def test_a_score_is_no_count(shared: Path) -> None:
    # 'five points during a pivotal 15-2 run as top-seeded Creighton defeated Drake, 65-53'
    # against 'Drake countered with a 9-2 run': two runs of one game, and a hyphen joins each
    # score's halves; neither half is a count to set against the other's
    pivotal = sentence(shared, "31_4ecbplus", 3)
    countered = sentence(shared, "31_9ecbplus", 14)
    assert "15-2 run" in pivotal and "9-2 run" in countered
    assert statement_difference(pivotal, countered) is None
