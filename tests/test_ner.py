"""The shipped NLP pipeline finds people, organisations and places, and holds its NER floor."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from evaluation.ner import evaluate_ner, format_ner_report
from extractors.pipeline import LABEL_TO_TYPE, load_nlp

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "ner" / "UNER_English-EWT" / "en_ewt-ud-dev.iob2"


def _entities(text: str) -> set[tuple[str, str]]:
    nlp, _ = load_nlp()
    return {(e.text, LABEL_TO_TYPE.get(e.label_, e.label_)) for e in nlp(text).ents}


def test_backend_is_a_trained_pipeline() -> None:
    nlp, backend = load_nlp()
    assert backend != "blank-en", "the shipped model in extractors/models/claimwatch_en is missing"
    assert {"parser", "ner", "claimwatch_rules"} <= set(nlp.pipe_names)


def test_tags_people_organisations_and_places() -> None:
    ents = _entities(
        "Maria Hernandez, a spokeswoman for the World Health Organization, said on Tuesday "
        "that the outbreak had spread from Kenya to Uganda."
    )
    assert ("Maria Hernandez", "PERSON") in ents
    assert ("World Health Organization", "ORG") in ents
    assert ("Kenya", "LOC") in ents
    assert ("Uganda", "LOC") in ents


def test_rule_layer_titles_and_suffixes() -> None:
    ents = _entities("Mr. Okafor met executives of Brightwater Holdings Ltd in Lagos last week.")
    assert ("Okafor", "PERSON") in ents
    assert ("Brightwater Holdings Ltd", "ORG") in ents
    assert ("Lagos", "LOC") in ents


def test_parse_and_sentences() -> None:
    nlp, _ = load_nlp()
    doc = nlp("The minister resigned on Friday. Protesters gathered outside the parliament.")
    assert len(list(doc.sents)) == 2
    assert doc[2].pos_ == "VERB" and doc[2].dep_ == "ROOT"
    assert doc[1].head.i == 2 and doc[1].dep_ == "nsubj"


@pytest.mark.timeout(60)
def test_dev_f1_holds_the_floor() -> None:
    if not DEV.exists():
        pytest.skip(f"UNER dev set not found at {DEV} (../shared is absent)")
    floors = tomllib.loads((REPO / "quality_floors.toml").read_text())["ner"]
    result = evaluate_ner(DEV)
    report = format_ner_report(result)
    assert result["overall"]["f1"] >= floors["overall_f1"], report
    for label in ("PER", "ORG", "LOC"):
        key = f"{label.lower()}_f1"
        if key in floors:
            assert result[label]["f1"] >= floors[key], report
