"""Page furniture is never a claim: stamps, datelines, bylines, credits, addresses, share lines.

Each case is a line of a real ECB+ article page (../shared), rebuilt from its token XML.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.boilerplate import is_boilerplate
from extractors.hedges import find_quantities
from tests.ecbplus import sentence, text

FURNITURE = [
    ("1_2ecbplus", 3),  # Updated 4:08 p.m. ET
    ("1_17ecbplus", 3),  # Updated 5:40 p.m. ET
    ("2_7ecbplus", 2),  # Posted August 2nd, 2013 at 5:19 pm
    ("22_10ecbplus", 3),  # Monday, Sep 10, 2012 | Updated 9:01 AM EDT
    ("19_8ecbplus", 5),  # PUBLISHED: 02:31 GMT, 12 March 2013 | UPDATED: 22:19 GMT, ...
    ("18_1ecbplus", 2),  # POSTED: 1052 GMT (1852 HKT), April 10, 2007
    ("12_6ecbplus", 2),  # Posted on November 15, 2011 6:07:15 PM GMT+01:0
    ("21_10ecbplus", 2),  # On behalf of ..., Esq. posted in Pedestrian Accidents on ...
    ("20_2ecbplus", 1),  # 11/28/05
    ("34_9ecbplus", 2),  # Washington D.C., Jul 13, 2009/02:00 pm (CNA)
    ("13_4ecbplus", 0),  # the page's own address
    ("1_13ecbplus", 0),  # an address ending in a story number
    ("28_6ecbplus", 0),  # a photo's address and its credit
]
PROSE = [
    ("18_5ecbplus", 22),  # A message posted Monday afternoon on the ... Web site said ...
    ("13_13ecbplus", 5),  # By the time fire crews arrived, flames could be seen ...
    ("10_19ecbplus", 21),  # By all indications, he's a solid long-term investment.
    ("13_12ecbplus", 17),  # The fire was knocked down by 6:40 a.m.
    ("42_1ecbplus", 9),  # ... can register at http://explore.t-mobile.com/blackberry-q10.
]


@pytest.mark.parametrize(("doc", "number"), FURNITURE)
def test_stamps_datelines_and_addresses_are_furniture(shared: Path, doc: str, number: int) -> None:
    assert is_boilerplate(sentence(shared, doc, number)), sentence(shared, doc, number)


@pytest.mark.parametrize(("doc", "number"), PROSE)
def test_sentences_that_mention_a_posting_or_a_time_are_prose(
    shared: Path, doc: str, number: int
) -> None:
    assert not is_boilerplate(sentence(shared, doc, number)), sentence(shared, doc, number)


def test_bylines_credits_and_share_lines() -> None:
    # the page furniture of the shared RollingStone page, and the common forms around it
    assert is_boilerplate("(Photo by Perry Knotts/Getty Images)")
    assert is_boilerplate("By Jane Doe, Associated Press Writer")
    assert is_boilerplate("Share this story")
    assert is_boilerplate("Copyright 2013 The Associated Press. All rights reserved.")
    assert not is_boilerplate("By Monday, police had arrested three men.")


def test_clock_times_and_address_digits_count_nothing(shared: Path) -> None:
    assert find_quantities(sentence(shared, "1_2ecbplus", 3)) == []  # Updated 4:08 p.m. ET
    assert find_quantities(sentence(shared, "18_1ecbplus", 2)) == []  # 1052 GMT (1852 HKT)
    line = sentence(shared, "42_1ecbplus", 9)  # ... register at http://.../blackberry-q10.
    assert find_quantities(line) == []
    assert find_quantities("Read it at http://www.tsn.ca/mma/story/?id=392311 today") == []


def test_an_article_s_stamp_yields_no_claim(shared: Path) -> None:
    from extractors.claims import extract_article
    from extractors.pipeline import load_nlp
    from records import Article

    t0 = datetime(2013, 5, 3, tzinfo=UTC)
    body = text(shared, "1_2ecbplus")
    art = Article("a", "t", "u", "u", "o", None, None, t0, "en", body, "h", t0, "o")
    claims = extract_article(art, load_nlp()[0]).claims
    assert claims, "the article's prose still gives claims"
    assert not [c for c in claims if "4:08" in c.sentence or "Updated" in c.sentence]
