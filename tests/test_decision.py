"""The learned decision: the shipped model, its held-out figures, and what it does to a pair."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from claimwatch.importing import import_files
from detection.alerts import UNSURE, alert_severity
from detection.compare import compare
from detection.decision import MODEL_PATH, Model, features, load_model, rules_only, weigh
from records import Claim, ClaimLink, Contradiction
from warehouse.store import connect

REPO = Path(__file__).resolve().parents[1]
FLOORS = tomllib.loads((REPO / "quality_floors.toml").read_text())["decision"]


@pytest.fixture(scope="module")
def seeds_db(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("decision") / "seeds.duckdb"
    files = sorted((shared / "seeds").glob("*.txt"))
    import_files(files[:1], str(db), topic="panjshir", outlet="TRT World")
    import_files(files[1:], str(db), topic="panjshir", outlet="Reuters (re-translated)")
    return db


def _claims(db: Path, ids: list[str]) -> dict[str, Claim]:
    cols = list(Claim.__dataclass_fields__)
    with connect(db, read_only=True) as con:
        rows = con.execute(
            f"SELECT {', '.join(cols)} FROM claims WHERE list_contains(?, claim_id)", [ids]
        ).fetchall()
    return {r[0]: Claim(**dict(zip(cols, r, strict=True))) for r in rows}


def test_the_model_ships_with_its_held_out_figures_at_their_floors() -> None:
    raw = json.loads(MODEL_PATH.read_text())
    report = raw["trained_on"]
    ecb = report["ecb_leave_one_topic_out"]
    assert ecb["precision"] >= FLOORS["ecb_held_out_precision"]
    assert ecb["recall"] >= FLOORS["ecb_held_out_true_kept"]
    news = report["leave_one_news_document_out"]["mean_held_out"]
    assert news["balanced_accuracy"] >= FLOORS["news_document_held_out_balanced_accuracy"]
    lodo = report["leave_one_domain_out"]["summedits_mean_held_out"]
    assert lodo["precision"] >= FLOORS["summedits_domain_held_out_precision"]
    assert 0.0 < raw["threshold"] < 1.0


def test_the_seed_conflicts_are_typed_and_decided_by_their_rules(seeds_db: Path) -> None:
    # 9,000 vs 7,000 fighters and northeast vs northwest of Kabul are typed claims (a force
    # size, a direction): the lexicon names subject and attribute, so the rule decides
    with connect(seeds_db, read_only=True) as con:
        rows = con.execute(
            "SELECT kind, score, explanation FROM contradictions ORDER BY kind"
        ).fetchall()
    assert [r[0] for r in rows] == ["direction", "numeric"]
    assert all("weighed most" not in r[2] for r in rows)


def test_every_weight_names_a_feature_the_code_computes(seeds_db: Path) -> None:
    model = load_model()
    assert model is not None
    with connect(seeds_db, read_only=True) as con:
        cols = list(Contradiction.__dataclass_fields__)
        row = con.execute(f"SELECT {', '.join(cols)} FROM contradictions LIMIT 1").fetchall()[0]
    x = Contradiction(**dict(zip(cols, row, strict=True)))
    claims = _claims(seeds_db, [x.claim_a, x.claim_b])
    f = features(claims[x.claim_b], claims[x.claim_a], x, 0.5)
    assert set(model.weights) <= set(f)


def _negated_pair() -> tuple[Claim, Claim, Contradiction]:
    base = dict(topic="t", subject_id="founder", subject=None, attribute="statement arrest",
                value_type="statement", story_id="story-1")  # fmt: skip
    stored = Claim(claim_id="s1", article_id="a1", outlet="one.example",
                   value_text="The founder of Ozy Media was arrested on fraud charges in New York.",
                   **base)  # type: ignore[arg-type]  # fmt: skip
    new = replace(stored, claim_id="s3", article_id="a2", outlet="two.example",
                  value_text="The founder of Ozy Media was not arrested on fraud charges in New York.")  # fmt: skip
    x = compare(new, stored)
    assert isinstance(x, Contradiction) and x.kind == "negation"
    return new, stored, replace(x, story_id="story-1")


def test_a_statement_conflict_gets_the_models_probability_and_its_evidence() -> None:
    model = load_model()
    assert model is not None
    new, stored, x = _negated_pair()
    # a rewrite of the stored article (every key shared) that denies what it said
    out = weigh(new, stored, x, 1.0)
    assert isinstance(out, Contradiction)
    assert out.score == round(model.probability(features(new, stored, x, 1.0)), 3)
    assert "weighed most: how much the two articles cover the same ground" in out.explanation


def test_below_the_threshold_a_conflict_is_a_recorded_doubtful_link() -> None:
    model = load_model()
    assert model is not None
    new, stored, x = _negated_pair()
    p = model.probability(features(new, stored, x, 0.0))
    strict = Model(model.weights, model.intercept, min(p + 0.01, 1.0), model.means, model.scales)
    out = weigh(new, stored, x, 0.0, strict)
    assert isinstance(out, ClaimLink) and out.relation == "doubtful"
    assert "judged unlikely" in out.explanation
    with rules_only():
        assert weigh(new, stored, x, 0.0, strict) is x  # the rules alone decide inside rules_only()


def test_a_doubtful_conflict_lowers_the_alerts_severity() -> None:
    # a weighed word swap halfway apart is 'medium'; at a probability under UNSURE, 'low'
    claims = {
        "a": (None, None, None, None, "one.example"),
        "b": (None, None, None, None, "two.example"),
    }
    sure = alert_severity([("a", "b", "negation", 0.9, "")], claims)
    unsure = alert_severity([("a", "b", "negation", UNSURE - 0.1, "")], claims)
    assert (sure, unsure) == ("medium", "low")
