"""What a new user trips over: commands that crash, stale reads, thin alerts and notifications."""

from __future__ import annotations

import base64
import json
import re
import socket
import time
from pathlib import Path

import httpx
import prefect  # noqa: F401  # its log handler binds to the stderr open at import: the test's, not a CliRunner call's
import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.report import report_dir, write_report
from claimwatch.notify import deliver
from demo.site import site_dir
from detection.alerts import severity, value_spread
import os

from warehouse.snapshots import read_connection, refresh_snapshot, snapshot_note, snapshot_path
from warehouse.store import connect

# Our own sentence: one more outlet's figure for the force the demo articles describe.
EXTRA = (
    "Resistance grows in the valley\n"
    "Ahmad Massoud has gathered around 15,000 fighters in the Panjshir valley, his aides said on Tuesday.\n"
)
HEX_ID = re.compile(r"\b[0-9a-f]{16}\b")


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80", **(env or {})})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four demo articles imported, then one undated article with a third figure."""
    folder = tmp_path_factory.mktemp("friction")
    db = folder / "demo.duckdb"
    pages = sorted(str(p) for p in (site_dir() / "articles").glob("*.html"))
    code, out = cli("import", *pages, "--topic", "panjshir", "--db", str(db), "--no-notify")
    assert code == 0, out
    extra = folder / "extra.txt"
    extra.write_text(EXTRA, encoding="utf-8")
    code, out = cli(
        "import", str(extra), "--topic", "panjshir", "--outlet", "Valley Post", "--db", str(db),
        "--no-notify",
    )  # fmt: skip
    assert code == 0 and "not delivered (--no-notify)" in out, out
    return db


@pytest.fixture
def db_copy(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    refresh_snapshot(copy)
    return copy


def _alerts(db: Path) -> list[tuple[str, str, str, str, str]]:
    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT alert_id, attribute, kind, severity, title FROM alerts ORDER BY attribute"
        ).fetchall()


# --- commands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["backfill", "panjshir", "--since", "2021-08-22"], ["run", "panjshir"]]
)
def test_shipped_topic_without_site_says_what_to_pass(command: list[str], tmp_path: Path) -> None:
    started = time.monotonic()
    code, out = cli(*command, "--db", str(tmp_path / "x.duckdb"))
    assert code == 2
    assert out.count("\n") == 1 and "Traceback" not in out
    assert "uses {site}" in out and "--site URL" in out and "--site sample" in out
    assert time.monotonic() - started < 5  # said before Prefect starts


@pytest.mark.parametrize(
    "command",
    [
        ["export", "out"],
        ["alerts", "list"],
        ["alerts", "ack", "fa936f"],
        ["prune"],
        ["sql", "SELECT 1"],
    ],
)
def test_missing_warehouse_is_one_line_naming_the_file(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = cli(*command)
    assert code == 1 and "Traceback" not in out
    assert out.count("\n") == 1
    assert str(tmp_path / "var" / "claimwatch.duckdb") in out and "--db" in out


def test_alert_ids_are_never_cut_and_a_unique_prefix_names_one(db_copy: Path) -> None:
    ids = [a[0] for a in _alerts(db_copy)]
    code, out = cli("alerts", "list", "--db", str(db_copy))
    assert code == 0 and all(i in out for i in ids) and "…" not in out
    code, out = cli("alerts", "ack", ids[0][:6], "--db", str(db_copy))
    assert code == 0 and f"alert {ids[0]} is now acknowledged" in out
    code, out = cli("alerts", "resolve", "", "--db", str(db_copy))
    assert code == 1 and "ambiguous" in out
    # the snapshot (what `sql` and the README's backlog query read) shows the change at once
    with read_connection(db_copy) as con:
        states = dict(con.execute("SELECT alert_id, state FROM alerts").fetchall())
    assert states[ids[0]] == "acknowledged"
    code, out = cli("alerts", "resolve", ids[1][:8], "--db", str(db_copy))
    assert code == 0 and f"alert {ids[1]} is now resolved" in out
    code, out = cli("alerts", "reopen", ids[1][:8], "--db", str(db_copy))  # resolved by mistake
    assert code == 0 and f"alert {ids[1]} is now open" in out
    with read_connection(db_copy) as con:
        assert dict(con.execute("SELECT alert_id, state FROM alerts").fetchall())[ids[1]] == "open"


def test_listing_as_json_and_csv(db_copy: Path) -> None:
    code, out = cli("alerts", "list", "--json", "--db", str(db_copy))
    rows = json.loads(out)
    assert code == 0 and {r["id"] for r in rows} == {a[0] for a in _alerts(db_copy)}
    code, out = cli("alerts", "list", "--csv", "--db", str(db_copy))
    lines = out.strip().splitlines()
    assert lines[0] == "id,state,severity,kind,title,updated" and len(lines) == len(rows) + 1


def test_sql_at_80_columns_never_cuts_a_header_an_id_or_a_value(db_copy: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", readme, re.S)
    backlog = next(q for q in queries if "FROM alerts" in q)
    history = next(q for q in queries if "FROM flow_runs" in q)
    code, out = cli("sql", backlog, "--db", str(db_copy))
    assert code == 0 and all(a[0] in out for a in _alerts(db_copy)) and "…" not in out
    code, out = cli("sql", history, "--db", str(db_copy))  # imported articles: no runs
    assert code == 0 and out.startswith("started_at, topic, fetched, failed, articles_new,")
    assert "contradictions_new, alerts_sent, status: no rows" in out
    code, out = cli("sql", queries[0], "--db", str(db_copy))
    # eight columns do not fit 80: one block per row, each header and value whole
    with connect(db_copy, read_only=True) as con:
        sides = con.execute("SELECT value_a, value_b FROM contradictions_side_by_side").fetchall()
    n = len(sides)
    assert code == 0 and "…" not in out and out.count("-- row ") == n > 1, out
    for header in ("kind", "subject", "attribute", "value_a", "outlet_a", "explanation"):
        assert len(re.findall(rf"^{header} ", out, re.M)) == n, out
    for a, b in sides:  # a short value on its own line, whole
        for name, value in (("value_a", a), ("value_b", b)):
            if len(value) < 40:
                assert re.search(rf"^{name} +{re.escape(value)} *$", out, re.M), (value, out)
    result = CliRunner().invoke(app, ["sql", backlog, "--csv", "--db", str(db_copy)])
    lines = result.stdout.splitlines()  # the snapshot's age goes to stderr
    assert result.exit_code == 0 and lines[0] == "alert_id,state,severity,kind,title,first_seen"
    assert len([ln for ln in lines if HEX_ID.match(ln)]) == len(_alerts(db_copy))


def test_export_reads_the_snapshot_and_says_so(db_copy: Path, tmp_path: Path) -> None:
    taken = time.time() - 60  # the snapshot is a minute old
    os.utime(snapshot_path(db_copy), (taken, taken))
    with connect(db_copy) as con:  # a change the snapshot has not seen
        con.execute("UPDATE alerts SET state = 'resolved'")
    assert "the live file changed since" in snapshot_note(db_copy)
    code, out = cli("export", str(tmp_path / "out"), "--db", str(db_copy))
    assert code == 0 and "snapshot" in out.splitlines()[0]
    import duckdb

    exported = duckdb.sql(f"SELECT DISTINCT state FROM '{tmp_path / 'out' / 'alerts.parquet'}'")
    assert exported.fetchall() == [("open",)]  # what `sql` shows, not the live file
    code, out = cli("export", str(tmp_path / "live"), "--live", "--db", str(db_copy))
    assert code == 0 and "live file" in out.splitlines()[0]


# --- alerts -----------------------------------------------------------------------------


def test_titles_name_subject_and_question_never_an_id(demo_db: Path) -> None:
    titles = {a[1]: a[4] for a in _alerts(demo_db)}
    assert titles["force size"].startswith("Sources disagree on the force size of Ahmad Massoud")
    assert "where Panjshir" in titles["location relative to Kabul"]
    # the one article saying "around 15,000 fighters" updates the force-size alert and opens
    # no other one (it once opened two more, one titled with a hash)
    assert set(titles) == {"force size", "location relative to Kabul"}, titles
    assert not any(HEX_ID.search(t) for t in titles.values()), titles


def test_severity_follows_distance_and_outlets(demo_db: Path) -> None:
    by_attribute = {a[1]: a[3] for a in _alerts(demo_db)}
    # 15,000 against 7,000 is far apart; northeast vs northwest a quarter turn
    assert by_attribute["force size"] == "medium"
    assert by_attribute["location relative to Kabul"] == "medium"
    nine, seven, three = (
        (8100, 9900, 9000, None),
        (7000, 7000, 7000, None),
        (3000, 3000, 3000, None),
    )
    assert severity(value_spread("numeric", nine, seven)) == "medium"  # 22 % apart
    assert severity(value_spread("numeric", nine, three)) == "high"
    assert (
        severity(value_spread("numeric", (9000, 9000, 9000, None), (8500, 8500, 8500, None)))
        == "low"
    )
    north, south = (None, None, None, "north"), (None, None, None, "south")
    assert severity(value_spread("direction", north, south)) == "high"
    assert severity(0.22, 2, 3) == "high"  # two outlets behind each value: one level up


def test_webhook_gets_the_alert_as_json(db_copy: Path, webhook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLAIMWATCH_REPORTS_URL", "http://127.0.0.1:8643")
    with connect(db_copy) as con:
        results = deliver(con, [webhook.url], str(db_copy))
    assert results and all(r.ok for r in results)
    body = next(b for b in webhook.bodies if "force size" in str(b["title"]))
    [attachment] = body["attachments"]  # type: ignore[misc]
    assert attachment["mimetype"] == "application/json"
    doc = json.loads(base64.b64decode(attachment["base64"]))
    assert doc["state"] == "open" and doc["kind"] == "numeric" and doc["attribute"] == "force size"
    assert (
        doc["subject"] == "Ahmad Massoud"
        and doc["alert_id"] in str(body["title"])
        or doc["alert_id"]
    )
    assert 0 < doc["score"] <= 1
    assert len(doc["sides"]) == 2
    for side in doc["sides"]:
        assert side["value"] and side["outlet"] and "url" in side and "published" in side
        assert "speaker" in side
    assert any(s["speaker"] for s in doc["sides"])
    assert doc["report"] == "http://127.0.0.1:8643/panjshir/index.html"
    assert doc["report"] in str(body["message"])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_failed_delivery_stores_apprises_reason(db_copy: Path, webhook) -> None:  # type: ignore[no-untyped-def]
    webhook.fail = True
    dead = f"json://127.0.0.1:{_closed_port()}/hook"
    with connect(db_copy) as con:
        results = deliver(con, [webhook.url, dead], str(db_copy))
        stored = {r[0] for r in con.execute("SELECT error FROM deliveries").fetchall()}
    assert results and not any(r.ok for r in results)
    assert any("500" in (e or "") for e in stored), stored
    assert any("Connection error" in (e or "") for e in stored), stored
    assert "delivery failed" not in stored


def test_import_delivers_like_a_run(demo_db: Path, tmp_path: Path, webhook) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "import.duckdb"
    db.write_bytes(demo_db.read_bytes())
    code, out = cli("import", str(tmp_path / "none.txt"), "--db", str(db))
    assert code == 2 and "no such file" in out
    write_report(db, "panjshir", report_dir(db, "panjshir"))
    extra = tmp_path / "again.txt"
    extra.write_text(EXTRA.replace("15,000", "4,000"), encoding="utf-8")
    code, out = cli(
        "import", str(extra), "--topic", "panjshir", "--db", str(db),
        env={"CLAIMWATCH_APPRISE_URLS": webhook.url},
    )  # fmt: skip
    assert code == 0, out
    assert webhook.bodies and re.search(
        r"^delivered \[\w+\] Sources disagree .* to json://", out, re.M
    )
    # the report written before the import shows the imported figure
    assert "4,000" in (report_dir(db, "panjshir") / "index.html").read_text(encoding="utf-8")


# --- runs: summary, console, progress --------------------------------------------------


def test_run_with_sample_site_counts_and_reports_deliveries(
    tmp_path: Path,
    webhook,
    prefect_harness: None,  # type: ignore[no-untyped-def]
) -> None:
    from demo.site import serve_site, topic_file
    from flows.monitor import monitor_topic

    db = str(tmp_path / "run.duckdb")
    webhook.fail = True
    with serve_site() as site:
        summary = monitor_topic(
            topic="panjshir", db=db, topic_file=str(topic_file()), site=site, notify=[webhook.url]
        )
    assert summary.deliveries_failed == 2 and summary.alerts_sent == 0
    assert all("error=500" in line for line in summary.deliveries)
    webhook.fail = False
    # the receiver is back: the CLI's run retries and says what went out
    code, out = cli("run", "panjshir", "--site", "sample", "--db", db, "--notify", webhook.url)
    assert code == 0, out
    assert "0 failed deliveries" in out and len(re.findall(r"^delivered \[", out, re.M)) == 2, out
    with read_connection(db) as con:  # a run that only delivered still refreshes the snapshot
        assert con.execute("SELECT count(*) FROM flow_runs").fetchall()[0][0] == 2
    # a third run loads and delivers nothing: the report's run health still counts it
    code, out = cli("run", "panjshir", "--site", "sample", "--db", db)
    assert code == 0 and "0 new articles" in out and "0 deliveries" in out, out
    page = (report_dir(db, "panjshir") / "index.html").read_text(encoding="utf-8")
    assert "Last 3 runs, oldest first." in page
    # the snapshot is left as it was, and `sql` says so
    assert "the live file changed since" in snapshot_note(db)


def test_backfill_as_the_readme_gives_it_refreshes_snapshot_and_report(
    tmp_path: Path,
    prefect_harness: None,
) -> None:
    db = str(tmp_path / "backfill.duckdb")
    code, out = cli("backfill", "panjshir", "--since", "2021-08-22", "--site", "sample", "--db", db)
    assert code == 0 and "4 new articles" in out, out
    assert snapshot_path(db).is_file()  # `sql` reads what the backfill loaded
    with read_connection(db) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(4,)]
    page = (report_dir(db, "panjshir") / "index.html").read_text(encoding="utf-8")
    assert "Last 1 run, oldest first." in page and page.count('id="alert-') == 2


def test_progress_bar_carries_prefect_log_lines(tmp_path: Path) -> None:
    import io
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler
    from rich.console import Console

    from flows.backfill import progress_bar

    handler = PrefectConsoleHandler(stream=io.StringIO())
    logger = logging.getLogger("prefect.friction-test")
    logger.addHandler(handler)
    screen = Console(file=io.StringIO(), force_terminal=True, width=80)
    try:
        before = handler.console
        with progress_bar(True, 3, "backfill", console=screen) as advance:
            assert handler.console is screen  # printed above the bar, not over it
            logger.warning("a log line during the bar")
            advance(3)
        assert handler.console is before
    finally:
        logger.removeHandler(handler)
    assert "a log line during the bar" in screen.file.getvalue()  # type: ignore[attr-defined]


# --- report and artifact ---------------------------------------------------------------


def test_report_links_copies_says_undated_ticks_days_and_hides_junk(
    db_copy: Path, tmp_path: Path
) -> None:
    from claimwatch.report import write_report

    page = write_report(db_copy, "panjshir", tmp_path / "report").read_text(encoding="utf-8")
    copies = re.findall(r'href="(articles/[^"]+\.txt)"', page)
    assert copies and all((tmp_path / "report" / c).is_file() for c in copies)
    text = (tmp_path / "report" / copies[0]).read_text(encoding="utf-8")
    assert "Original: " in text
    # the imported article has no date: its card says so instead of the import time
    card = page[page.index("Valley Post") : page.index("Valley Post") + 400]
    assert "undated" in card
    assert "22 Aug 2021" in page and ">12:00<" not in page and "2021-Aug" not in page
    assert "Thousands of" not in page and "gathered around 9<" not in page
    assert "Not shown:" in page and "figures without a subject" in page


def test_artifact_links_the_served_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from claimwatch.report import report_after_run, write_report
    from claimwatch.serve import start_reports_site, stop_process

    db = tmp_path / "var" / "claimwatch.duckdb"
    with connect(db):
        pass
    write_report(db, "panjshir", db.parent / "reports" / "panjshir")
    state = tmp_path / "serve"
    url = start_reports_site(tmp_path, {"CLAIMWATCH_DB": str(db), "PATH": "/usr/bin:/bin"} | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[1])}, state)  # fmt: skip
    try:
        monkeypatch.setenv("CLAIMWATCH_REPORTS_URL", url)
        link = re.search(r"\]\((http[^)]+)\)", report_after_run(db, "panjshir"))
        assert link, "the artifact links an http URL, not a file:// path"
        deadline = time.monotonic() + 10
        while True:
            try:
                reply = httpx.get(link.group(1), timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert reply.status_code == 200 and "claimwatch" in reply.text
    finally:
        stop_process("reports", state)


def test_sql_says_how_old_its_snapshot_is(tmp_path: Path) -> None:
    # a run that loaded nothing leaves the snapshot as it was: the reader is told its age
    from warehouse.snapshots import refresh_snapshot
    from warehouse.store import connect

    db = tmp_path / "w.duckdb"
    with connect(str(db)):
        pass
    refresh_snapshot(str(db))
    result = CliRunner().invoke(app, ["sql", "--db", str(db), "SELECT 1 AS one"])
    assert result.exit_code == 0, result.output
    assert "snapshot of" in result.stderr and "snapshot of" not in result.stdout


# --- user errors: one line, the traceback only with --debug ---------------------------


def _user_error_commands(db: Path, tmp_path: Path) -> list[list[str]]:
    gone, page = str(tmp_path / "gone.duckdb"), tmp_path / "page.txt"
    page.write_text(EXTRA, encoding="utf-8")
    d = ["--db", str(db)]
    return [
        ["sql", "SELECT 1", "--db", gone],  # no warehouse file
        ["report", "--topic", "panjshir", "--out", str(tmp_path / "r"), "--db", gone],
        ["report", "--topic", "panjshr", "--out", str(tmp_path / "r"), *d],  # unknown topic
        ["run", "panjshr", *d],
        ["sql", "SELEC 1", *d],  # bad SQL
        ["sql", "SELECT * FROM alert", *d],
        ["alerts", "ack", "0000000", *d],  # no such alert
        ["alerts", "resolve", "", *d],  # a prefix every alert has
        ["alerts", "list", "--state", "closed", *d],  # bad option values
        ["export", str(tmp_path / "x"), "--format", "xlsx", *d],
        ["prune", "--older-than", "3 months", *d],
        ["import", str(tmp_path / "gone.txt"), *d],  # missing import file
        ["import", str(page), "--published", "last Tuesday", *d],
        ["backfill", "panjshir", "--since", "22/08/2021", "--site", "sample", *d],  # bad date
        ["backfill", "panjshir", "--since", "2021-08-22", "--until", "2021-02-30", *d],
        ["eval", "ner", str(tmp_path / "gone.iob2")],
    ]


def test_each_user_error_is_one_line_and_debug_shows_its_traceback(
    db_copy: Path, tmp_path: Path
) -> None:
    for command in _user_error_commands(db_copy, tmp_path):
        result = CliRunner().invoke(app, command, env={"COLUMNS": "80"})
        assert result.exit_code in (1, 2), (command, result.output)
        assert isinstance(result.exception, SystemExit), (command, result.exception)
        assert result.output.count("\n") == 1 and "Traceback" not in result.output, (
            command,
            result.output,
        )
        debug = CliRunner().invoke(app, ["--debug", *command])
        assert debug.exception is not None and not isinstance(debug.exception, SystemExit), command
    # sql's own --debug still lets the error through
    sql_debug = CliRunner().invoke(app, ["sql", "SELEC 1", "--debug", "--db", str(db_copy)])
    assert sql_debug.exception is not None and not isinstance(sql_debug.exception, SystemExit)


def test_a_terminal_sees_one_line_and_with_debug_the_traceback(db_copy: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "claimwatch.cli", "alerts", "ack", "0000000"]
    env = {**os.environ, "COLUMNS": "100"}
    plain = subprocess.run(
        [*command, "--db", str(db_copy)], capture_output=True, text=True, env=env
    )
    assert plain.returncode == 1 and "Traceback" not in plain.stdout + plain.stderr
    assert plain.stdout.strip().startswith("no alert 0000000") and plain.stdout.count("\n") == 1
    debug = subprocess.run(
        [command[0], *command[1:3], "--debug", *command[3:], "--db", str(db_copy)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert debug.returncode == 1 and "Traceback" in debug.stdout + debug.stderr
