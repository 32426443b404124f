"""The claimwatch command line."""

from __future__ import annotations

import os

# Prefect reads these at import time: no telemetry calls from an offline monitor.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
if os.environ.get("PREFECT_HOME"):
    # Prefect makes its home folder without parents; a fresh checkout has no var/ yet
    os.makedirs(os.environ["PREFECT_HOME"], exist_ok=True)

import json  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

app = typer.Typer(
    help="claimwatch: a news monitor that alerts when sources contradict each other.",
    no_args_is_help=True,
)
alerts_app = typer.Typer(help="List, acknowledge and resolve alerts.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
eval_app = typer.Typer(help="Measure quality on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console()

DbOption = Annotated[str, typer.Option("--db", help="DuckDB file", envvar="CLAIMWATCH_DB")]
DEMO_DB = "var/demo/claimwatch.duckdb"
DEMO_PORT = 8642  # a stable port keeps the demo's article URLs the same from run to run


def _print_alerts(alerts: list, heading: str) -> None:  # type: ignore[type-arg]
    if not alerts:
        console.print(f"{heading}: none")
        return
    console.print(f"[bold]{heading}: {len(alerts)}[/bold]")
    for a in alerts:
        console.print(f"\n[bold red]ALERT[/bold red] \\[{a.severity}] {a.title}  (id {a.alert_id})")
        console.print(a.body, highlight=False, markup=False)


@app.command()
def demo(db: DbOption = DEMO_DB) -> None:
    """Serve the bundled sample site on 127.0.0.1 and run monitor_topic for 'panjshir' on it."""
    from claimwatch.report import report_dir
    from demo.site import serve_site, topic_file
    from flows.monitor import monitor_topic

    with serve_site(port=DEMO_PORT) as site:
        console.print(f"sample news site at {site}/feed.xml")
        summary = monitor_topic(topic="panjshir", db=db, topic_file=str(topic_file()), site=site)
    console.print(
        f"\nrun {summary.run_id}: {summary.articles_new} new articles, {summary.claims_new} new claims, "
        f"{summary.contradictions_new} new contradictions (NLP backend {summary.nlp_backend})"
    )
    _print_alerts(summary.alerts, "Alerts raised or updated in this run")
    if not os.environ.get("CLAIMWATCH_APPRISE_URLS"):
        console.print(
            "\n(no notification URLs configured: set CLAIMWATCH_APPRISE_URLS to deliver alerts)"
        )
    console.print(f"\nDuckDB file: {Path(db).resolve()}")
    console.print(f"Report (open in a browser): {report_dir(db, 'panjshir') / 'index.html'}")
    console.print(f'Try: claimwatch sql --db {db} "SELECT kind, explanation FROM contradictions"')


@app.command()
def run(
    topic: Annotated[str, typer.Argument(help="topic name (topics/NAME.toml)")],
    db: DbOption = "var/claimwatch.duckdb",
    topic_file: Annotated[str | None, typer.Option(help="topic TOML file")] = None,
    notify: Annotated[list[str] | None, typer.Option(help="Apprise URL (repeatable)")] = None,
) -> None:
    """Run monitor_topic once for a topic."""
    from flows.monitor import monitor_topic
    from ingest.topics import TopicError, load_topic

    try:
        load_topic(Path(topic_file) if topic_file else Path("topics") / f"{topic}.toml")
    except TopicError as exc:
        console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    summary = monitor_topic(topic=topic, db=db, topic_file=topic_file, notify=notify)
    if summary.skipped:
        console.print(summary.skipped, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1)
    _print_alerts(summary.alerts, "Alerts raised or updated in this run")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help=".txt or .html files")],
    db: DbOption = "var/claimwatch.duckdb",
    topic: Annotated[str, typer.Option(help="topic to file the articles under")] = "imported",
    outlet: Annotated[str | None, typer.Option(help="outlet name")] = None,
    published: Annotated[str | None, typer.Option(help="publication date, ISO 8601")] = None,
    url: Annotated[str | None, typer.Option(help="original URL (single file)")] = None,
) -> None:
    """Load local articles through the extract, load and detect path."""
    from claimwatch.importing import import_files

    when = datetime.fromisoformat(published) if published else None
    if when and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        console.print(f"no such file: {missing[0]}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2)
    notes: list[str] = []
    articles, failures, claims_new, contradictions_new, alerts = import_files(
        paths, db, topic=topic, outlet=outlet, published=when, url=url, notes=notes
    )
    for note in notes:
        console.print(f"[yellow]cut[/yellow] {note}", highlight=False)
    for f in failures:
        console.print(f"[yellow]skipped[/yellow] {f.url}: {f.reason}")
    console.print(
        f"{len(articles)} articles, {claims_new} new claims, {contradictions_new} new contradictions"
    )
    _print_alerts(alerts, "Alerts raised or updated")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run")],
    db: DbOption = "var/claimwatch.duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="print rows as JSON")] = False,
    live: Annotated[
        bool, typer.Option("--live", help="read the live file, not the snapshot")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="show a failing query's traceback")
    ] = False,
) -> None:
    """Run read-only SQL on the latest snapshot (never blocks a running flow) and print it."""
    import duckdb

    from warehouse.snapshots import NoSnapshotYet, refused_statement, user_connection

    try:
        con = user_connection(db, live=live)
    except FileNotFoundError:
        console.print(
            f"no warehouse at {Path(db).resolve()}", highlight=False, markup=False, soft_wrap=True
        )
        raise typer.Exit(1) from None
    except NoSnapshotYet as exc:
        console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    try:
        refused = refused_statement(con, query)
        if refused:
            console.print(
                f"claimwatch sql only reads: {refused} statements are refused",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(2)
        cur = con.execute(query)
        cols = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        if debug:
            raise
        console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    if as_json:
        print(json.dumps([dict(zip(cols, r, strict=True)) for r in rows], default=str, indent=2))
        return
    table = Table(*cols)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    console.print(table)


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="folder to write one file per table into")],
    db: DbOption = "var/claimwatch.duckdb",
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
) -> None:
    """Export every table of the warehouse to Parquet (or CSV) files."""
    from warehouse.exports import export_database

    for path in export_database(db, out_dir, fmt):
        console.print(str(path))


@app.command()
def prune(
    older_than: Annotated[
        str, typer.Option("--older-than", help="age such as 90d, 12h, 2w")
    ] = "90d",
    db: DbOption = "var/claimwatch.duckdb",
) -> None:
    """Remove raw HTML older than the given age; claims and their evidence stay."""
    from warehouse.retention import parse_age, prune_raw_html

    n = prune_raw_html(db, parse_age(older_than))
    console.print(f"removed raw HTML from {n} articles")


@app.command()
def snapshot(db: DbOption = "var/claimwatch.duckdb") -> None:
    """Refresh the read-only snapshot analysts query (runs do this at their end)."""
    from warehouse.snapshots import refresh_snapshot

    console.print(str(refresh_snapshot(db)))


@app.command()
def report(
    topic: Annotated[str, typer.Option("--topic", help="topic name")],
    out: Annotated[Path, typer.Option("--out", help="folder to write index.html into")],
    db: DbOption = "var/claimwatch.duckdb",
) -> None:
    """Write a self-contained HTML report of a topic: disagreements, charts, entities, run health."""
    from claimwatch.report import write_report

    if not Path(db).is_file():
        console.print(f"no warehouse at {db}")
        raise typer.Exit(1)
    console.print(str(write_report(db, topic, out)))


@alerts_app.command("list")
def alerts_list(
    db: DbOption = "var/claimwatch.duckdb",
    state: Annotated[str | None, typer.Option(help="open, acknowledged or resolved")] = None,
) -> None:
    """List alerts, newest first."""
    from warehouse.snapshots import read_connection

    with read_connection(db, live=True) as con:
        rows = con.execute(
            "SELECT alert_id, state, severity, kind, title, updated_at FROM alerts "
            "WHERE ? IS NULL OR state = ? ORDER BY updated_at DESC",
            [state, state],
        ).fetchall()
    table = Table("id", "state", "severity", "kind", "title", "updated")
    for r in rows:
        table.add_row(*(str(v) for v in r))
    console.print(table)


def _set_state(alert_id: str, db: str, state: str) -> None:
    from warehouse.store import connect

    with connect(db) as con:
        found = con.execute(
            "SELECT count(*) FROM alerts WHERE alert_id = ?", [alert_id]
        ).fetchall()[0][0]
        if not found:
            console.print(f"no alert {alert_id}")
            raise typer.Exit(1)
        con.execute(
            "UPDATE alerts SET state = ?, updated_at = ? WHERE alert_id = ?",
            [state, datetime.now(UTC), alert_id],
        )
    console.print(f"alert {alert_id} is now {state}")


@alerts_app.command("ack")
def alerts_ack(alert_id: str, db: DbOption = "var/claimwatch.duckdb") -> None:
    """Acknowledge an alert: seen, being looked at."""
    _set_state(alert_id, db, "acknowledged")


@alerts_app.command("resolve")
def alerts_resolve(alert_id: str, db: DbOption = "var/claimwatch.duckdb") -> None:
    """Resolve an alert: no further notifications."""
    _set_state(alert_id, db, "resolved")


@eval_app.command("ner")
def eval_ner(
    path: Annotated[Path, typer.Argument(help="UNER-style IOB2 file")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Score entity recognition (PER/ORG/LOC, exact spans) against an IOB2 file."""
    from evaluation.ner import evaluate_ner, format_ner_report

    result = evaluate_ner(path)
    print(json.dumps(result) if as_json else format_ner_report(result))


@eval_app.command("contradictions")
def eval_contradictions(
    path: Annotated[Path, typer.Argument(help="SummEdits .json or FEVER-Symmetric .jsonl file")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    limit: Annotated[int | None, typer.Option(help="only the first N pairs")] = None,
) -> None:
    """Score contradiction detection (extract, store, compare) on labelled text pairs."""
    from evaluation.contradictions import evaluate_file, format_report, to_json

    result = evaluate_file(path, limit=limit)
    print(to_json(result) if as_json else format_report(result))


@eval_app.command("clean")
def eval_clean(
    pages_dir: Annotated[Path, typer.Argument(help="folder of <id>.html or <id>.html.gz pages")],
    gold: Annotated[
        Path,
        typer.Argument(
            help="JSON {id: {articleBody, url}}, a fundus INDEX_paired.json, or a newspaper4k metadata folder"
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Score cleaned article bodies (token precision/recall/F1), ours beside bare trafilatura."""
    from evaluation.clean import report, run

    try:
        result = run(pages_dir, gold)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    print(json.dumps(result) if as_json else report(result))


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Prefect server port on 127.0.0.1")] = 4200,
    demo_site: Annotated[
        bool, typer.Option(help="also serve the sample site for monitor-panjshir")
    ] = True,
) -> None:
    """Start a local Prefect server, the work pool, the deployments and a worker on 127.0.0.1."""
    from claimwatch.serve import ServeError
    from claimwatch.serve import serve as start_stack

    project = Path.cwd()
    if not (project / "prefect.yaml").exists():
        console.print("run this from the claimwatch folder (where prefect.yaml is)")
        raise typer.Exit(1)
    with console.status("starting the Prefect server, work pool, deployments and worker"):
        try:
            stack = start_stack(project, port=port, demo_site=demo_site)
        except ServeError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Prefect UI:  {stack.ui_url}")
    console.print(f"API:         {stack.api_url}   (export PREFECT_API_URL={stack.api_url})")
    console.print(f"deployments: {', '.join(stack.deployments) or 'none'}")
    for failure in stack.failed_deployments:
        console.print(f"[yellow]not deployed[/yellow] {failure}")
    console.print(f"logs and PID files: {stack.state_dir}    stop with: claimwatch stop")


@app.command()
def stop() -> None:
    """Stop what `claimwatch serve` started (and nothing else), using its PID files."""
    from claimwatch.serve import STATE_DIR
    from claimwatch.serve import stop as stop_stack

    for line in stop_stack(Path.cwd() / STATE_DIR):
        console.print(line)


@app.command()
def backfill(
    topic: Annotated[str, typer.Argument(help="topic name (topics/NAME.toml)")],
    since: Annotated[str, typer.Option(help="first publication day, YYYY-MM-DD")],
    until: Annotated[str | None, typer.Option(help="last publication day (default today)")] = None,
    db: DbOption = "var/claimwatch.duckdb",
    topic_file: Annotated[str | None, typer.Option(help="topic TOML file")] = None,
    site: Annotated[
        str | None, typer.Option(help="URL that replaces {site} in the topic's sources")
    ] = None,
) -> None:
    """Load a topic's articles published in a date range from its feeds and sitemaps."""
    from datetime import date

    from flows.backfill import backfill as backfill_flow

    summary = backfill_flow(
        topic=topic,
        since=date.fromisoformat(since),
        until=date.fromisoformat(until) if until else None,
        db=db,
        topic_file=topic_file,
        site=site,
        show_progress=console.is_terminal,
    )
    console.print(
        f"{summary.articles_new} new articles, {summary.claims_new} new claims, "
        f"{summary.contradictions_new} new contradictions, {summary.failed} failed fetches"
    )
    _print_alerts(summary.alerts, "Alerts raised or updated")


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="tiny sizes: a quick check")] = False,
) -> None:
    """Run the benchmarks: BENCHMARKS.md, bench/results.json and a chart (10-15 min on 2 cores)."""
    from bench.__main__ import main

    raise typer.Exit(main(["--quick"] if quick else []))


if __name__ == "__main__":
    app()
