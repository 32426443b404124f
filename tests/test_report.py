"""The static HTML report: content from a real demo run, escaping, and a look in real Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.importing import read_article
from records import Alert, Article, Claim, stable_id
from claimwatch.report import (
    build_report,
    render_report,
    report_after_run,
    report_dir,
    write_report,
)
from demo.site import serve_site, topic_file
from flows.monitor import monitor_topic
from warehouse.loading import upsert
from warehouse.store import connect

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE_HEADLINE = (
    'Massoud\'s army <script>window.__pwned = "headline"; document.title = "pwned"</script> grows'
)
HOSTILE_SENTENCE = 'NRF spokesman Ali Maisam Nazary said the front has around 20,000 fighters <img src=x onerror="window.__pwned=1">.'
HOSTILE_OUTLET = '<b onmouseover="window.__pwned = 2">Evil</b> Times'


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A warehouse filled by one real monitor_topic run over the demo site."""
    db = tmp_path_factory.mktemp("report") / "cw.duckdb"
    with serve_site() as site:
        monitor_topic(
            topic="panjshir", db=str(db), topic_file=str(topic_file()), site=site, notify=[]
        )
    return db


def _copy(db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy.duckdb"
    shutil.copy(db, out)
    return out


def _add_places(db: Path, tmp_path: Path, state: str = "open") -> None:
    """Load two articles that disagree on where a place lies, and the alert for them."""
    texts = {
        "Ridge Post": "The pass lies north of Kabul, officials said.",
        "Plain Herald": "The pass lies south of Kabul, according to the ministry.",
    }
    ids = []
    with connect(db) as con:
        for i, (outlet, text) in enumerate(texts.items()):
            page = tmp_path / f"place{i}.txt"
            page.write_text(f"Where is the pass\n\n{text}\n", encoding="utf-8")
            article = read_article(page, "panjshir", outlet=outlet, url=f"https://example.org/{i}",
                                   published=datetime(2021, 8, 25 + i, tzinfo=UTC))  # fmt: skip
            assert isinstance(article, Article)
            direction = text.split(" of Kabul")[0].rsplit(" ", 1)[1]
            start = article.text.index(f"{direction} of Kabul")
            claim = Claim(
                claim_id=stable_id("place", i), article_id=article.article_id, topic="panjshir",
                subject_id="the-pass", subject="the pass", attribute="location relative to Kabul",
                value_type="direction", value_text=f"{direction} of Kabul", direction=direction,
                place="Kabul", outlet=outlet, published=article.published, sentence=text,
                span_start=start, span_end=start + len(f"{direction} of Kabul"),
            )  # fmt: skip
            upsert(con, [article])
            upsert(con, [claim])
            ids.append(claim.claim_id)
        now = datetime.now(UTC)
        con.execute(
            "INSERT INTO contradictions (contradiction_id, topic, subject_id, attribute, claim_a, claim_b,"
            " kind, score, explanation, detected_at) VALUES (?, 'panjshir', 'the-pass', 'location relative to Kabul', ?, ?,"
            " 'direction', 0.9, 'north and south of Kabul are opposite', ?)",
            [stable_id("pass"), ids[0], ids[1], now],
        )
        alert = Alert(stable_id("pass-alert"), "panjshir", "the-pass", "location relative to Kabul",
                      "direction", "high", 0.9, "t", "b", tuple(ids), state, now, now, "f")  # fmt: skip
        upsert(con, [alert])


@pytest.fixture(scope="module")
def report_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo run's warehouse plus a direction disagreement loaded by hand."""
    tmp = tmp_path_factory.mktemp("places")
    db = _copy(demo_db, tmp)
    _add_places(db, tmp)
    return db


def _article_text(db: Path, article_id: str) -> str:
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT text FROM articles WHERE article_id = ?", [article_id]
        ).fetchall()
    return str(rows[0][0])


def test_run_writes_the_report_beside_the_warehouse(demo_db: Path) -> None:
    path = report_dir(demo_db, "panjshir") / "index.html"
    assert path == demo_db.parent / "reports" / "panjshir" / "index.html"
    html = path.read_text(encoding="utf-8")
    assert "Force size of" in html and 'class="card alert' in html
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["claimwatch-panjshir"]))
        )
    assert any(path.as_uri() in str(a.data) for a in artifacts), "the run's artifact links it"


def test_cli_writes_a_self_contained_page(report_db: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    result = CliRunner().invoke(
        app, ["report", "--topic", "panjshir", "--out", out, "--db", str(report_db)]
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"<link\b|\bsrc\s*=|url\((?!#)", html, re.I), (
        "nothing loads from elsewhere"
    )
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # the force-size chart, the compass and the runs chart, all inline SVG
    assert html.count("<svg") >= 3
    missing = tmp_path / "no.duckdb"
    result = CliRunner().invoke(app, ["report", "--topic", "x", "--out", out, "--db", str(missing)])
    assert result.exit_code == 1


def test_cards_put_the_conflicting_values_side_by_side(report_db: Path) -> None:
    report = build_report(report_db, "panjshir")
    numeric = next(d for d in report.disagreements if d.kind == "numeric")
    assert [c.value_text for c in numeric.claims] == ["7,000", "around 9,000"]
    for c in numeric.claims:
        text = _article_text(report_db, c.article_id)
        with connect(report_db, read_only=True) as con:
            ((start, end),) = con.execute(
                "SELECT span_start, span_end FROM claims WHERE claim_id = ?", [c.claim_id]
            ).fetchall()
        # the highlighted words are the claim's span of the article, inside its sentence
        assert c.evidence.hit == text[start:end] == c.value_text
        assert c.url and c.url.startswith("http://127.0.0.1") and c.outlet and c.when
    assert "more than 6,000" in [c.value_text for c, _ in numeric.others]
    assert numeric.chart is not None and "8,100–9,900" in numeric.chart
    html = render_report(report)
    for needle in ("<mark>7,000</mark>", "<mark>around 9,000</mark>", "Russia&#39;s envoy to Afghanistan",
                   "around: 8,100–9,900", f"score {numeric.score:.2f}"):  # fmt: skip
        assert needle in html, needle


def test_chart_draws_intervals_open_bars_and_the_conflict(report_db: Path) -> None:
    report = build_report(report_db, "panjshir")
    (force,) = [q for q in report.figures if q.attribute == "force size"]
    svg = str(force.chart)
    assert svg.startswith("<svg")
    labels = ["in conflict", "8,100–9,900", "from 6,000, no upper bound"]
    labels += [c.value_text for c in force.claims] + [c.series for c in force.claims]
    for label in labels:
        assert label in svg, label
    assert force.conflicting == {
        c.claim_id for c in force.claims if c.value_text != "more than 6,000"
    }
    (where,) = [q for q in report.places if q.subject_id == "the-pass"]
    assert [label for label, _ in where.groups] == ["north of Kabul", "south of Kabul"]
    assert where.chart is not None and "Ridge Post" in where.chart
    assert report.health.runs and report.health.runs[0]["articles_new"] == 4


def test_cards_come_open_then_acknowledged_then_resolved(report_db: Path, tmp_path: Path) -> None:
    db = _copy(report_db, tmp_path)
    with connect(db) as con:
        con.execute("UPDATE alerts SET state = 'resolved' WHERE kind = 'direction'")
    states = [d.state for d in build_report(db, "panjshir").disagreements]
    assert states[0] == "open" and states[-1] == "resolved"
    with connect(db) as con:
        con.execute("UPDATE alerts SET state = 'acknowledged' WHERE kind = 'numeric'")
    report = build_report(db, "panjshir")
    assert [d.state for d in report.disagreements] == sorted(
        (d.state for d in report.disagreements), key=["open", "acknowledged", "resolved"].index
    )
    html = render_report(report)
    assert html.index('data-state="acknowledged"') < html.index('data-state="resolved"')
    # a resolved disagreement no longer marks its claims as conflicting
    assert not [q for q in report.places if q.conflicting]


def test_fetch_errors_and_silent_sources(demo_db: Path, tmp_path: Path) -> None:
    db = _copy(demo_db, tmp_path)
    now = datetime.now(UTC)
    with connect(db) as con:
        feed = con.execute("SELECT url FROM fetches WHERE kind = 'feed' LIMIT 1").fetchall()[0][0]
        for i in range(3):
            run = f"later-{i}"
            con.execute(
                "INSERT INTO flow_runs (run_id, topic, started_at, status) VALUES (?, 'panjshir', ?, 'completed')",
                [run, now],
            )
            con.execute(
                "INSERT INTO fetches VALUES (?, ?, 'panjshir', ?, 'article', 'error', 503, 'HTTP 503 after retries', 0, 1.0, ?)",
                [stable_id(run), run, feed.replace("feed.xml", f"a{i}.html"), now],
            )
    health = build_report(db, "panjshir").health
    assert health.errors[0][:2] == ("HTTP 503 after retries", 3)
    (source,) = health.sources
    assert source["url"] == feed and source["silent"] and source["runs_since"] == 3


def _load_hostile(db: Path, tmp_path: Path) -> None:
    """Load an article whose headline, sentence and outlet carry markup, with a claim in the numeric alert."""
    page = tmp_path / "hostile.txt"
    page.write_text(f"{HOSTILE_HEADLINE}\n\n{HOSTILE_SENTENCE}\n", encoding="utf-8")
    article = read_article(page, "panjshir", outlet=HOSTILE_OUTLET, url='javascript:window.__pwned = "link"',
                           published=datetime(2021, 8, 24, tzinfo=UTC))  # fmt: skip
    assert isinstance(article, Article)
    start = article.text.index("around 20,000")
    with connect(db) as con:
        (subject_id, alert_id, claim_ids), *_ = con.execute(
            "SELECT subject_id, alert_id, claim_ids FROM alerts WHERE kind = 'numeric'"
        ).fetchall()
        claim = Claim(
            claim_id=stable_id("hostile"), article_id=article.article_id, topic="panjshir", subject_id=subject_id,
            subject="Ahmad Massoud", attribute="force size", value_type="quantity", value_text="around 20,000",
            number=20000.0, low=18000.0, high=22000.0, hedge="around", modality="reported",
            speaker='Nazary <script>window.__pwned = "speaker"</script>', speaker_role="<i>spokesman</i>",
            outlet=HOSTILE_OUTLET, published=article.published, sentence=HOSTILE_SENTENCE,
            span_start=start, span_end=start + len("around 20,000"),
        )  # fmt: skip
        upsert(con, [article])
        upsert(con, [claim])
        now = datetime.now(UTC)
        alert = Alert(alert_id, "panjshir", subject_id, "force size", "numeric", "high", 0.9, "t", "b",
                      (*claim_ids, claim.claim_id), "open", now, now)  # fmt: skip
        upsert(con, [replace(alert, fingerprint="hostile")])


def test_markup_from_the_web_is_escaped(demo_db: Path, tmp_path: Path) -> None:
    db = _copy(demo_db, tmp_path)
    _load_hostile(db, tmp_path)
    html = write_report(db, "panjshir", tmp_path / "out").read_text(encoding="utf-8")
    assert (
        "<script" not in html.lower()
        and "<img" not in html.lower()
        and "<b onmouseover" not in html
    )
    assert "&lt;script&gt;window.__pwned = &#34;headline&#34;" in html
    assert "&lt;img src=x onerror=" in html
    assert "javascript:" not in html, "a javascript: URL never becomes a link"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run .ci/browser.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_report_in_chromium(report_db: Path, tmp_path: Path, browser: Any) -> None:
    expected = build_report(report_db, "panjshir").disagreements
    path = write_report(report_db, "panjshir", tmp_path / "out")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    cards = page.locator("article.card.alert")
    assert cards.count() == len(expected) >= 2
    assert all(cards.nth(i).is_visible() for i in range(len(expected)))
    assert cards.first.get_attribute("data-state") == "open"
    sides = sum(len(d.claims) for d in expected)
    assert page.locator("article.card.alert .side.claim").count() == sides
    chart = page.locator("article.card.alert figure.chart svg").last
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 150
    # the first screen shows the disagreements, before anything else
    assert cards.first.bounding_box()["y"] < 900  # type: ignore[index]
    assert requests == [path.as_uri()], "the page loads nothing else"
    out = REPO / "artifacts"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "report.png"), full_page=True)
    page.close()


def test_script_from_the_web_does_not_run_in_chromium(
    demo_db: Path, tmp_path: Path, browser: Any
) -> None:
    db = _copy(demo_db, tmp_path)
    _load_hostile(db, tmp_path)
    path = write_report(db, "panjshir", tmp_path / "out")
    page = browser.new_page()
    page.goto(path.as_uri())
    assert page.evaluate("window.__pwned") is None
    assert "pwned" not in page.title()
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    assert page.get_by_text('<script>window.__pwned = "headline"', exact=False).first.is_visible()
    card = page.locator("article.card.alert", has_text="around 20,000")
    assert card.locator(".side.claim").count() == 3
    page.hover("text=Evil")
    assert page.evaluate("window.__pwned") is None
    page.close()


def test_an_empty_warehouse_still_gets_a_report(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with connect(db):
        pass
    html = write_report(db, "nothing", tmp_path / "out").read_text(encoding="utf-8")
    assert "No disagreements found for this topic yet." in html
    assert "No recorded runs for this topic" in html


def test_a_report_failure_never_fails_the_run(tmp_path: Path) -> None:
    assert report_after_run(tmp_path / "missing" / "cw.duckdb", "panjshir") == ""
