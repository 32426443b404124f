"""The contradiction evaluation runs the product path and stays above the pinned floors."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from evaluation.contradictions import PairChecker, evaluate, format_report, read_pairs, to_json

REPO = Path(__file__).resolve().parents[1]
FLOORS = tomllib.loads((REPO / "quality_floors.toml").read_text())["contradictions"]


def test_summedits_contradiction_types_above_floors(shared: Path) -> None:
    path = shared / "data/contradiction/summedits_news/summedits_news_evaluation.json"
    result = CliRunner().invoke(app, ["eval", "contradictions", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"overall", "by_type", "contradiction_types", "by_domain"}
    assert report["by_domain"]["news"]["contradiction_types"] == report["contradiction_types"]
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


def test_pairs_checked_in_a_crowd(shared: Path) -> None:
    # a small crowd keeps the test short; the floors are measured on the full one (README)
    path = shared / "data/contradiction/summedits_news/summedits_news_evaluation.json"
    ecb = shared / "data/events/ECBplus/ECB+_LREC2014/ECB+"
    archive = [ecb / "37", ecb / "41", shared / "data/articles/newspaper4k_testdata"]
    result = CliRunner().invoke(
        app,
        ["eval", "contradictions", str(path), "--json", "--limit", "40"]
        + [a for p in archive for a in ("--archive", str(p))],
    )
    assert result.exit_code == 0, result.output
    crowd = json.loads(result.output)["crowd"]
    assert crowd["archive_articles"] >= 40
    assert crowd["pairs_in_one_story"] >= 30  # a document and its summary form one story
    target = crowd["contradiction_types"]
    floors = tomllib.loads((REPO / "quality_floors.toml").read_text())["crowd"]
    assert target["precision"] >= floors["crowd_summedits_precision"]
    # FEVER's consistent pairs stay quiet in the same crowd

    fever = read_pairs(shared / "data/contradiction/fever_symmetric/fever_symmetric_dev.jsonl")
    crowded = evaluate(fever[:120], PairChecker(archive))["crowd"]["overall"]
    assert crowded["false_positive_rate"] <= floors["crowd_fever_dev_max_false_positive_rate"]


# --- each new labelled set read in its native format (a few pairs each, kept short)


def test_summedits_domains_read_per_domain(shared: Path) -> None:
    folder = shared / "data/contradiction/summedits_domains"
    pairs = read_pairs(folder)
    domains = {p.domain for p in pairs}
    assert domains == {"ectsum", "podcast", "qmsumm", "sales_call", "sales_email", "samsum",
                       "scitldr"}  # fmt: skip
    assert len(pairs) == 3862
    one = read_pairs(folder / "summedits_samsum.json")
    assert {p.domain for p in one} == {"samsum"}
    # label 0 = inconsistent (422 of samsum's 664 pairs); most name their edit
    assert sum(p.inconsistent for p in one) == 422 and len(one) == 664
    news = read_pairs(shared / "data/contradiction/summedits_news/summedits_news_evaluation.json")
    assert {p.domain for p in news} == {"news"}


def test_summedits_report_has_a_row_per_domain(shared: Path) -> None:
    folder = shared / "data/contradiction/summedits_domains"
    sample = []
    for name in ("samsum", "scitldr"):
        pairs = read_pairs(folder / f"summedits_{name}.json")
        doc = pairs[0].stored  # one document each, its consistent and edited summaries
        sample += [p for p in pairs if p.stored == doc][:4]
    result = evaluate(sample)
    assert set(result["by_domain"]) == {"samsum", "scitldr"}
    for d in result["by_domain"].values():
        assert {"contradiction_types", "overall"} <= set(d)
    report = format_report({"file": str(folder), **result})
    assert "samsum" in report and "scitldr" in report and "all types" in report
    assert set(json.loads(to_json(result))["by_domain"]) == {"samsum", "scitldr"}


def test_docnli_binary_read_natively(shared: Path) -> None:
    folder = shared / "data/nli/docnli_binary"
    mnli = read_pairs(folder / "binary-MNLI.dev.tsv")
    fever = read_pairs(folder / "binary-FEVER-NLI.dev.tsv")
    assert len(mnli) == 6647 and len(fever) == 8108
    # not_entailment (contradiction or neutral) is the positive class
    assert all(p.inconsistent == (p.edit_types == ("docnli_not_entailment",)) for p in fever)
    # FEVER-NLI's PTB tokens are undone for the extractors
    assert not any(" , " in p.stored or "-LRB-" in p.stored for p in fever[:200])
    result = evaluate(mnli[:6])
    assert result["by_type"]["docnli_entailment"]["recall"] is None


def test_med_read_natively(shared: Path) -> None:
    pairs = read_pairs(shared / "data/nli/med/MED.tsv")
    assert len(pairs) == 5382
    # MED has entailment and neutral pairs only: its figure is a false-positive rate
    assert not any(p.inconsistent for p in pairs)
    kinds = {t for p in pairs for t in p.edit_types}
    assert {
        "med_entailment",
        "med_neutral",
        "med_downward_monotone",
        "med_upward_monotone",
    } <= kinds
    result = evaluate(pairs[:6])
    assert result["overall"]["false_positive_rate"] is not None
    assert result["overall"]["recall"] is None


def test_cannot_read_natively(shared: Path) -> None:
    folder = shared / "data/nli/cannot"
    labelled = read_pairs(folder / "sem_anto_neg.tsv")
    assert len(labelled) == 8596
    assert {p.edit_types for p in labelled} == {("cannot_0",), ("cannot_1",)}
    assert sum(p.inconsistent for p in labelled) == 5516
    negated = read_pairs(folder / "wikifactcheck_english_0.tsv")
    # a sentence and its negation: every pair is inconsistent, so only recall is defined
    assert negated and all(p.inconsistent and p.edit_types == ("cannot_negated",) for p in negated)
    assert len(read_pairs(folder / "glue_diagnostic.tsv")) == 154
    result = evaluate(labelled[:4] + negated[:4])
    # its 4 pairs against the label-0 ones
    assert result["by_type"]["cannot_negated"]["n"] == 4 + sum(
        not p.inconsistent for p in labelled[:4]
    )


def test_cli_unreadable_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(app, ["eval", "contradictions", str(bad)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def test_generalise_folds_on_cached_evidence(shared: Path, tmp_path: Path) -> None:
    from evaluation.generalise import (
        SHIPPED,
        RulesAt,
        collect,
        examples,
        fold_means,
        grid,
        run_folds,
        threshold_search,
    )

    pairs = read_pairs(shared / "data/contradiction/summedits_news/summedits_news_evaluation.json")
    docs = list(dict.fromkeys(p.stored for p in pairs))[:2]
    sample = [p for d in docs for p in [q for q in pairs if q.stored == d][:4]]
    evidence = collect(sample, PairChecker(), folder=tmp_path)
    assert len(list(tmp_path.glob("*.pkl"))) == len(sample)
    again = collect(sample, folder=tmp_path)  # read back from the cache
    assert [e.pair_ids for e in again] == [e.pair_ids for e in evidence]
    exs = examples(sample, evidence)
    # the rules over the cached evidence decide as the product path did
    assert RulesAt(SHIPPED).predict(exs) == [bool(e.evidence.product_kinds) for e in exs]
    folds = run_folds(exs, lambda e: str(e.document), threshold_search(grid("small")))
    assert [f["held_out"] for f in folds] == ["0", "1"]
    for f in folds:
        assert f["held_in"]["target"]["n"] + f["held_out_figures"]["target"]["n"] == sum(
            e.target for e in exs
        )
    assert set(fold_means(folds)) == {"held_in", "held_out_figures"}


# a whole-corpus evaluation runs for minutes: past the suite-wide 300 s timeout
@pytest.mark.timeout(3600)
@pytest.mark.skipif(not os.environ.get("CLAIMWATCH_FULL_EVAL"), reason="about 10 minutes")
def test_summedits_in_the_full_crowd(shared: Path) -> None:
    from evaluation.contradictions import evaluate_file

    path = shared / "data/contradiction/summedits_news/summedits_news_evaluation.json"
    archive = [shared / "data/events/ECBplus/ECB+_LREC2014/ECB+"] + [
        shared / "data/articles" / d
        for d in ("fundus_parser_testdata", "newspaper4k_testdata", "mozilla_readability_testpages")
    ]
    floors = tomllib.loads((REPO / "quality_floors.toml").read_text())["crowd"]
    target = evaluate_file(path, archive=archive)["crowd"]["contradiction_types"]
    assert target["precision"] >= floors["crowd_summedits_precision"]
    assert target["recall"] >= floors["crowd_summedits_recall"]


def test_entailment_passages_align_a_summary_sentence(shared: Path) -> None:
    """The cross-encoder evaluation checks each summary sentence against the passages it aligns with."""
    from evaluation.edit_evidence import target_pairs
    from evaluation.entailment import passages, sentences, sentence_examples

    path = shared / "data/contradiction/summedits_news/summedits_news_evaluation.json"
    pair = next(p for p in target_pairs(read_pairs(path)) if "U.K. demonstrators" in p.new)
    # "U.K." before a lower-case word ends no sentence
    assert any("U.K. demonstrators splashed" in s for s in sentences(pair.new))
    found = passages(pair.stored, "demonstrators splashed gallons of yellow and blue paint")
    assert len(found) == 3
    assert "dumped gallons of yellow and blue paint" in found[0]
    news = sentence_examples(shared / "data/contradiction", frozenset({"news"}))
    # an inconsistent summary lends only its edited sentences; a consistent one all of them
    assert {e[2] for e in news} == {True, False}
    assert all(e[0] and e[1] for e in news)
