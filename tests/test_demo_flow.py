"""The walking skeleton: the demo topic end to end through the real flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.site import serve_site, topic_file
from flows.monitor import RunSummary, monitor_topic
from warehouse.store import connect

TABLES = (
    "articles",
    "entities",
    "mentions",
    "claims",
    "contradictions",
    "claim_links",
    "alerts",
    "deliveries",
)


def _counts(db: Path) -> dict[str, int]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def _article_fetches(db: Path) -> int:
    with connect(db, read_only=True) as con:
        return int(
            con.execute("SELECT count(*) FROM fetches WHERE kind = 'article'").fetchall()[0][0]
        )


def _monitor(db: Path, site: str, notify: list[str] | None = None) -> RunSummary:
    return monitor_topic(
        topic="panjshir", db=str(db), topic_file=str(topic_file()), site=site, notify=notify
    )


@pytest.fixture
def demo_run(tmp_path: Path, prefect_harness: None, webhook):  # type: ignore[no-untyped-def]
    db = tmp_path / "cw.duckdb"
    with serve_site() as site:
        summary = _monitor(db, site, [webhook.url])
    return db, summary, webhook, site


def test_demo_raises_exactly_the_two_alerts(demo_run) -> None:  # type: ignore[no-untyped-def]
    db, summary, webhook, _ = demo_run
    assert summary.articles_new == 4
    with connect(db, read_only=True) as con:
        rows = con.execute(
            """SELECT x.kind, x.attribute, x.explanation, a.value_text, b.value_text
               FROM contradictions x JOIN claims a ON a.claim_id = x.claim_a JOIN claims b ON b.claim_id = x.claim_b
               ORDER BY x.kind"""
        ).fetchall()
        alerts = con.execute("SELECT kind, state, claim_ids FROM alerts ORDER BY kind").fetchall()
    kinds = [r[0] for r in rows]
    assert kinds == ["direction", "numeric"]
    direction, numeric = rows
    assert {direction[3], direction[4]} == {"northeast of Kabul", "northwest of Kabul"}
    assert {numeric[3], numeric[4]} == {"around 9,000", "7,000"}
    # the explanation names both speakers and both outlets
    for needle in ("Nazary", "Zhirnov", "Valley Courier", "Steppe Wire", "8,100-9,900"):
        assert needle in numeric[2]
    assert [a[0] for a in alerts] == ["direction", "numeric"]
    assert all(a[1] == "open" for a in alerts)
    # both alerts went to the webhook, once each
    assert len(webhook.bodies) == 2
    assert any("force size" in str(b.get("title")) for b in webhook.bodies)


def test_more_than_6000_is_compatible_with_both(demo_run) -> None:  # type: ignore[no-untyped-def]
    db, *_ = demo_run
    with connect(db, read_only=True) as con:
        six = con.execute(
            "SELECT claim_id FROM claims WHERE value_text = 'more than 6,000'"
        ).fetchall()
        assert len(six) == 1
        sid = six[0][0]
        assert (
            con.execute(
                "SELECT count(*) FROM contradictions WHERE claim_a = ? OR claim_b = ?", [sid, sid]
            ).fetchall()[0][0]
            == 0
        )
        relations = {
            r[0]
            for r in con.execute(
                "SELECT relation FROM claim_links WHERE claim_a = ? OR claim_b = ?", [sid, sid]
            ).fetchall()
        }
    assert relations == {"compatible"}


def test_rerun_adds_nothing_and_resends_nothing(demo_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, _, webhook, _ = demo_run
    before = _counts(db)
    with serve_site() as site:
        summary = _monitor(db, site, [webhook.url])
        article_rows = _article_fetches(db)
        # the same feed again: every item's decision is already on record, none is repeated
        again = _monitor(db, site)
    assert again.articles_new == 0 and _article_fetches(db) == article_rows
    assert summary.articles_new == 0 and summary.alerts_sent == 0
    assert _counts(db) == before
    assert len(webhook.bodies) == 2
    with connect(db, read_only=True) as con:
        runs = con.execute(
            "SELECT articles_new, status, nlp_backend FROM flow_runs ORDER BY started_at"
        ).fetchall()
        outcomes = con.execute(
            "SELECT outcome, count(*) FROM fetches WHERE kind = 'article' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in runs] == [4, 0, 0] and all(r[1] == "completed" and r[2] for r in runs)
    # the site came back on another port: new URLs, the same texts
    assert outcomes == [("duplicate", 4), ("new", 4)]
