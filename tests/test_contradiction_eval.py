"""The contradiction evaluation runs the product path and stays above the pinned floors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from claimwatch.cli import app
from evaluation.contradictions import evaluate, read_pairs

REPO = Path(__file__).resolve().parents[1]
FLOORS = tomllib.loads((REPO / "quality_floors.toml").read_text())["contradictions"]


def test_summedits_contradiction_types_above_floors(shared: Path) -> None:
    path = shared / "data/contradiction/summedits_news/summedits_news_evaluation.json"
    result = CliRunner().invoke(app, ["eval", "contradictions", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"overall", "by_type", "contradiction_types"}
    target = report["contradiction_types"]
    assert set(target) == {"precision", "recall", "balanced_accuracy", "false_positive_rate", "n"}
    assert target["precision"] >= FLOORS["summedits_precision"]
    assert target["balanced_accuracy"] >= FLOORS["summedits_balanced_accuracy"]
    assert target["recall"] >= FLOORS["summedits_recall"]
    assert "hallucinated_fact_insertion" in report["by_type"]


def test_fever_dev_supports_false_positive_rate(shared: Path) -> None:
    # the first 300 pairs keep the test short; the full file is scored by the CLI
    pairs = read_pairs(shared / "data/contradiction/fever_symmetric/fever_symmetric_dev.jsonl")[
        :300
    ]
    assert any(p.inconsistent for p in pairs) and any(not p.inconsistent for p in pairs)
    result = evaluate(pairs)
    assert result["overall"]["false_positive_rate"] <= FLOORS["fever_dev_max_false_positive_rate"]
    assert result["contradiction_types"] is None


def test_snli_read_in_its_native_format(shared: Path) -> None:
    path = shared / "data/contradiction/snli_partial/snli_1.0_dev.first1289.jsonl"
    pairs = read_pairs(path)
    labels = {p.edit_types for p in pairs}
    # pairs whose annotators had no majority ('-') are left out
    assert labels == {("snli_entailment",), ("snli_neutral",), ("snli_contradiction",)}
    assert all(p.inconsistent == (p.edit_types == ("snli_contradiction",)) for p in pairs)
    result = evaluate(pairs[:150])
    # entailment and neutral pairs are each reported by their own false-positive rate
    assert result["by_type"]["snli_neutral"]["false_positive_rate"] is not None
    assert result["by_type"]["snli_neutral"]["recall"] is None
    assert result["contradiction_types"] is None


def test_any_pairing_ceiling_bounds_the_product(shared: Path) -> None:
    # the ceiling lets every statement meet every other; it finds at least what the keys find
    pairs = read_pairs(shared / "data/contradiction/summedits_news/summedits_news_evaluation.json")
    sample = pairs[:24]
    keyed = evaluate(sample)["overall"]
    ceiling = evaluate(sample, any_pairing=True)["overall"]
    assert ceiling["tp"] >= keyed["tp"] and ceiling["fp"] >= keyed["fp"]
