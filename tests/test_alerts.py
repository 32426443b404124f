"""Alerts: one per disagreement, updated as sides grow, state changes, delivery never lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detection.alerts import build_alerts, severity
from detection.pairing import MAX_AGREEING_LINKS, detect
from claimwatch.cli import app
from claimwatch.notify import deliver
from records import Article, Claim
from warehouse.loading import upsert
from warehouse.store import connect

T0 = datetime(2021, 8, 22, tzinfo=UTC)


def article(aid: str, outlet: str) -> Article:
    return Article(
        article_id=aid, topic="t", url=f"https://{outlet}/{aid}", canonical_url=f"https://{outlet}/{aid}",
        outlet=outlet, title=None, author=None, published=T0, language="en", text="x",
        content_hash=aid, fetched_at=T0, source_key=outlet,
    )  # fmt: skip


def claim(cid: str, aid: str, low: float, high: float, outlet: str) -> Claim:
    return Claim(
        claim_id=cid, article_id=aid, topic="t", subject_id="nrf", subject="NRF",
        attribute="force size", value_type="quantity", value_text=f"{low:,.0f}", low=low, high=high,
        outlet=outlet, source_key=outlet, published=T0, sentence=f"{outlet} says {low:,.0f}",
        story_id="story-1",
    )  # fmt: skip


def add(db: Path, art: Article, claims: list[Claim]) -> list:  # type: ignore[type-arg]
    with connect(db) as con:
        con.begin()
        upsert(con, [art])
        upsert(con, claims)
        found, links = detect(con, claims)
        upsert(con, found)
        upsert(con, links)
        alerts = build_alerts(
            con, {(c.topic, c.subject_id, c.attribute, c.story_id) for c in found}
        )
        upsert(con, alerts)
        con.commit()
    return alerts


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "alerts.duckdb"
    add(path, article("a1", "one.example"), [claim("c1", "a1", 9000, 9000, "one.example")])
    return path


def test_one_alert_updated_when_another_outlet_takes_a_side(db: Path) -> None:
    first = add(db, article("a2", "two.example"), [claim("c2", "a2", 7000, 7000, "two.example")])
    assert len(first) == 1 and first[0].kind == "numeric"
    second = add(
        db, article("a3", "three.example"), [claim("c3", "a3", 7000, 7000, "three.example")]
    )
    assert len(second) == 1 and second[0].alert_id == first[0].alert_id
    assert set(second[0].claim_ids) == {"c1", "c2", "c3"}
    assert second[0].fingerprint != first[0].fingerprint
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM alerts").fetchall()[0][0] == 1
        # the two 7,000 claims agree with each other
        assert con.execute("SELECT relation FROM claim_links").fetchall() == [("agreement",)]


def test_a_wire_figure_run_by_many_outlets_keeps_ten_agreements_and_every_conflict(
    db: Path,
) -> None:
    # the seed's "7,000" as a wire figure that 14 outlets run: every copy agrees with every
    # earlier one, so agreeing links are bounded per claim; the "9,000" outlet (db fixture)
    # still meets every one of them as a conflict
    for n in range(14):
        outlet = f"copy{n}.example"
        add(db, article(f"w{n}", outlet), [claim(f"w{n:02d}", f"w{n}", 7000, 7000, outlet)])
    with connect(db, read_only=True) as con:
        per_claim = con.execute(
            "SELECT greatest(claim_a, claim_b) c, count(*) FROM claim_links "
            "WHERE relation = 'agreement' GROUP BY c ORDER BY c"
        ).fetchall()
        conflicts = con.execute("SELECT count(*) FROM contradictions").fetchall()[0][0]
    assert max(n for _, n in per_claim) == MAX_AGREEING_LINKS
    assert dict(per_claim)["w05"] == 5  # below the bound, every earlier copy
    assert conflicts == 14


def test_severity_follows_how_far_apart() -> None:
    # how far apart the values are (0..1), then one level up with two outlets on each side
    assert [severity(s) for s in (0.7, 0.3, 0.1)] == ["high", "medium", "low"]
    assert severity(0.1, 2, 2) == "medium"


def test_failed_delivery_is_retried_next_run(db: Path, webhook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLAIMWATCH_ALERT_COOLDOWN_S", "0")
    add(db, article("a2", "two.example"), [claim("c2", "a2", 7000, 7000, "two.example")])
    webhook.fail = True
    with connect(db) as con:
        assert [d.ok for d in deliver(con, [webhook.url])] == [False]
    webhook.fail = False
    with connect(db) as con:
        assert [d.ok for d in deliver(con, [webhook.url])] == [True]
        assert deliver(con, [webhook.url]) == []  # delivered once, not again
        attempts = con.execute(
            "SELECT ok, error IS NULL FROM deliveries ORDER BY attempted_at"
        ).fetchall()
    assert attempts == [(False, False), (True, True)]
    assert len(webhook.bodies) == 1 and "force size" in str(webhook.bodies[0]["title"])


def test_updated_alert_waits_for_cooldown(db: Path, webhook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLAIMWATCH_ALERT_COOLDOWN_S", "3600")
    add(db, article("a2", "two.example"), [claim("c2", "a2", 7000, 7000, "two.example")])
    with connect(db) as con:
        assert len(deliver(con, [webhook.url])) == 1
    add(db, article("a3", "three.example"), [claim("c3", "a3", 7000, 7000, "three.example")])
    with connect(db) as con:
        assert deliver(con, [webhook.url]) == []  # the update waits for the cooldown
    monkeypatch.setenv("CLAIMWATCH_ALERT_COOLDOWN_S", "0")
    with connect(db) as con:
        assert len(deliver(con, [webhook.url])) == 1
    assert len(webhook.bodies) == 2


def test_ack_resolve_and_reopen(db: Path) -> None:
    [alert] = add(db, article("a2", "two.example"), [claim("c2", "a2", 7000, 7000, "two.example")])
    runner = CliRunner()
    assert runner.invoke(app, ["alerts", "ack", alert.alert_id, "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["alerts", "resolve", alert.alert_id, "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["alerts", "ack", "nope", "--db", str(db)]).exit_code == 1
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT state FROM alerts").fetchall() == [("resolved",)]
    # a new outlet taking a side reopens a resolved disagreement
    [again] = add(
        db, article("a3", "three.example"), [claim("c3", "a3", 7000, 7000, "three.example")]
    )
    assert again.state == "open"


def test_daily_digest_lists_open_disagreements(db: Path, webhook, prefect_harness: None) -> None:  # type: ignore[no-untyped-def]
    from flows.digest import daily_digest

    add(db, article("a2", "two.example"), [claim("c2", "a2", 7000, 7000, "two.example")])
    markdown = daily_digest(db=str(db), notify=[webhook.url])
    assert "## t" in markdown and "force size" in markdown and "| open |" in markdown
    assert len(webhook.bodies) == 1 and "digest" in str(webhook.bodies[0]["title"])
    with connect(db, read_only=True) as con:
        assert (
            con.execute(
                "SELECT count(*) FROM deliveries WHERE alert_id LIKE 'digest:%' AND ok"
            ).fetchall()[0][0]
            == 1
        )


def test_statement_pairs_only_with_best_aligned(tmp_path: Path) -> None:
    base = dict(topic="t", subject_id="founder", subject=None, attribute="statement arrest", value_type="statement",
                published=T0, story_id="story-1")  # fmt: skip
    stored = Claim(
        claim_id="s1",
        article_id="a1",
        value_text="The founder of Ozy Media was arrested on fraud charges in New York.",
        outlet="one.example",
        source_key="one.example",
        **base,
    )  # type: ignore[arg-type]
    other = Claim(
        claim_id="s2",
        article_id="a1",
        value_text="The founder was arrested in 2019 at a protest against the city council.",
        outlet="one.example",
        source_key="one.example",
        **base,
    )  # type: ignore[arg-type]
    new = replace(stored, claim_id="s3", article_id="a2", outlet="two.example", source_key="two.example",
                  value_text="The founder of Ozy Media was not arrested on fraud charges in New York.")  # fmt: skip
    db = tmp_path / "s.duckdb"
    add(db, article("a1", "one.example"), [stored, other])
    alerts = add(db, article("a2", "two.example"), [new])
    assert len(alerts) == 1 and alerts[0].kind == "negation"
    assert set(alerts[0].claim_ids) == {"s1", "s3"}


def test_a_stored_copy_does_not_hide_the_nearest_other_report(tmp_path: Path, shared: Path) -> None:
    # 38_10ecbplus:5 and 38_9ecbplus:4 run one wire sentence word for word ('had a depth of 1.2
    # miles'); 38_2ecbplus:5 gives 'a depth of 12 miles'. The copy is met (an agreement), and
    # the new sentence still meets the other outlet's
    from detection.decision import rules_only
    from tests.ecbplus import sentence

    base = dict(topic="t", subject_id="quake", subject=None, attribute="statement occur",
                value_type="statement", published=T0, story_id="story-1")  # fmt: skip
    copy_a = sentence(shared, "38_10ecbplus", 5)
    copy_b = sentence(shared, "38_9ecbplus", 4)
    other = sentence(shared, "38_2ecbplus", 5)
    assert copy_a == copy_b and "1.2 miles" in copy_a and "12 miles" in other
    db = tmp_path / "s.duckdb"
    rows = [("a1", "one.example", copy_a), ("a2", "two.example", other)]
    for aid, outlet, text in rows:
        stored = Claim(claim_id=f"c{aid}", article_id=aid, value_text=text, sentence=text,
                       outlet=outlet, source_key=outlet, **base)  # type: ignore[arg-type]  # fmt: skip
        add(db, article(aid, outlet), [stored])
    new = Claim(claim_id="ca3", article_id="a3", value_text=copy_b, sentence=copy_b,
                outlet="three.example", source_key="three.example", **base)  # type: ignore[arg-type]  # fmt: skip
    with connect(db) as con:
        upsert(con, [article("a3", "three.example")])
        upsert(con, [new])
        with rules_only():
            found, links = detect(con, [new])
    assert [(x.claim_a, x.claim_b) for x in found] in ([("ca2", "ca3")], [("ca3", "ca2")])
    assert any({link.claim_a, link.claim_b} == {"ca1", "ca3"} for link in links)


def test_a_long_alert_lists_its_strongest_and_counts_the_rest() -> None:
    from detection.alerts import BODY_LINES, alert_body

    rows = [("a", "b", "numeric", 1 - i / 100, f"pair {i}", "") for i in range(BODY_LINES + 5)]
    lines = alert_body(rows).splitlines()
    assert len(lines) == BODY_LINES + 1
    assert lines[0] == "- [numeric, 1.00] pair 0"
    assert lines[-1] == "- … and 5 more contradictions"
    assert alert_body(rows[:3]).count("\n") == 2
