"""The claimwatch command line."""

from __future__ import annotations

import os

# Prefect reads these at import time: no telemetry calls from an offline monitor.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# a run without a server starts a temporary one; on a busy 2-core machine it can take longer
# than Prefect's 20 s default to answer, and the run would fail before fetching anything
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
if os.environ.get("PREFECT_HOME"):
    # Prefect makes its home folder without parents; a fresh checkout has no var/ yet
    os.makedirs(os.environ["PREFECT_HOME"], exist_ok=True)

import json  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, Any  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402
from rich.padding import Padding  # noqa: E402
from rich.text import Text  # noqa: E402
from rich.table import Table  # noqa: E402
from typer.core import TyperGroup  # noqa: E402


class UserError(Exception):
    """What the user asked for cannot be done: one line on the console, and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Debug:
    on = False  # set by --debug (global, or sql's own) before the command runs


def one_line(text: str) -> str:
    """A message's first paragraph as one line (DuckDB appends the query and a caret)."""
    head = text.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in head.splitlines() if line.strip())


def _user_error(exc: BaseException) -> tuple[str, int] | None:
    """The line and exit code for an exception caused by the user's input; None for a bug."""
    if isinstance(exc, UserError):
        return str(exc), exc.code
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        return f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc), 2
    import duckdb

    if isinstance(exc, duckdb.IOException) and "database file with version number" in str(exc):
        return (
            f"this warehouse file was written by another DuckDB version than {duckdb.__version__} "
            "(DuckDB 2.0?): export it with that version, then `claimwatch restore` "
            "(docs/duckdb-version.md)"
        ), 1
    if isinstance(exc, duckdb.IOException):  # another process holds the file, a full disk
        return one_line(str(exc)), 1
    return None


class Commands(TyperGroup):
    """Runs a command; a user error prints one line, its traceback only with --debug."""

    # Any: the Context type lives in typer's private copy of click
    def invoke(self, ctx: Any) -> Any:
        """Invoke the command, turning a user error into one line and its exit code."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            found = _user_error(exc)
            if found is None or _Debug.on:
                raise
            console.print(found[0], highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(found[1]) from None


app = typer.Typer(
    help="claimwatch: a news monitor that alerts when sources contradict each other.",
    no_args_is_help=True,
    cls=Commands,
)
alerts_app = typer.Typer(help="List, acknowledge and resolve alerts.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
eval_app = typer.Typer(help="Measure quality on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console()

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        help="DuckDB file, or a DuckLake warehouse: ducklake:<catalog file> | ducklake:postgres:<libpq>",
        envvar=["CLAIMWATCH_DB", "CLAIMWATCH_WAREHOUSE"],
    ),
]
DEMO_DB = "var/demo/claimwatch.duckdb"
DEMO_PORT = 8642  # a stable port keeps the demo's article URLs the same from run to run
SAMPLE_SITE = "sample"  # --site sample: serve the bundled sample site for the command's run
NotifyOption = Annotated[
    bool, typer.Option("--notify/--no-notify", help="deliver alerts to the configured URLs")
]


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="show the traceback when a command fails")
    ] = False,
) -> None:
    """claimwatch: a news monitor that alerts when sources contradict each other."""
    _Debug.on = debug


def _missing_db(db: str) -> UserError:
    return UserError(
        f"no warehouse at {db if db.startswith('ducklake:') else Path(db).resolve()}: "
        "pass --db FILE or set CLAIMWATCH_DB "
        f"(`claimwatch demo` writes {DEMO_DB}, `claimwatch serve` and `run` write var/claimwatch.duckdb)"
    )


def _require_db(db: str) -> None:
    """Stop with one line naming the file when there is no warehouse there."""
    from warehouse.lake import exists, is_lake

    if not (exists(db) if is_lake(db) else Path(db).is_file()):
        raise _missing_db(db)


def _topic_path(topic: str, topic_file: str | None) -> Path:
    return Path(topic_file) if topic_file else Path("topics") / f"{topic}.toml"


@contextmanager
def _site_for(topic: str, topic_file: str | None, site: str | None) -> Iterator[str | None]:
    """Check the topic before Prefect starts; serve the bundled sample site for --site sample."""
    from ingest.topics import TopicError, load_topic

    probe = "http://127.0.0.1" if site == SAMPLE_SITE else site
    try:
        load_topic(_topic_path(topic, topic_file), site=probe)
    except TopicError as exc:
        hint = (
            ": pass --site URL (--site sample serves the bundled sample site for this run)"
            if "{site}" in str(exc)
            else ""
        )
        raise UserError(f"{exc}{hint}", 2) from exc
    if site != SAMPLE_SITE:
        yield site
        return
    from demo.site import serve_site

    with serve_site(port=DEMO_PORT) as url:
        console.print(f"sample news site at {url}/feed.xml")
        yield url


def _print_deliveries(lines: list[str]) -> None:
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


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
    _print_deliveries(summary.deliveries)
    if not os.environ.get("CLAIMWATCH_APPRISE_URLS"):
        console.print(
            "\n(no notification URLs configured: set CLAIMWATCH_APPRISE_URLS to deliver alerts)"
        )
    console.print(f"\nDuckDB file: {Path(db).resolve()}", soft_wrap=True)
    console.print(
        f"Report (open in a browser): {report_dir(db, 'panjshir') / 'index.html'}", soft_wrap=True
    )
    console.print(  # one line whatever the width: it is copied as it stands
        f'Try: claimwatch sql --db {db} "SELECT kind, explanation FROM contradictions"',
        soft_wrap=True,
    )


@app.command()
def run(
    topic: Annotated[str, typer.Argument(help="topic name (topics/NAME.toml)")],
    db: DbOption = "var/claimwatch.duckdb",
    topic_file: Annotated[str | None, typer.Option(help="topic TOML file")] = None,
    notify: Annotated[list[str] | None, typer.Option(help="Apprise URL (repeatable)")] = None,
    site: Annotated[
        str | None,
        typer.Option(
            help="URL that replaces {site} in the topic's sources ('sample': the bundled site)"
        ),
    ] = None,
) -> None:
    """Run monitor_topic once for a topic."""
    with _site_for(topic, topic_file, site) as site_url:
        from flows.monitor import monitor_topic

        summary = monitor_topic(
            topic=topic, db=db, topic_file=topic_file, site=site_url, notify=notify
        )
        if summary.skipped:
            console.print(summary.skipped, highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(1)
    console.print(
        f"{summary.articles_new} new articles, {summary.claims_new} new claims, "
        f"{summary.contradictions_new} new contradictions, {summary.alerts_sent} deliveries, "
        f"{summary.deliveries_failed} failed deliveries",
        soft_wrap=True,
    )
    _print_alerts(summary.alerts, "Alerts raised or updated in this run")
    _print_deliveries(summary.deliveries)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help=".txt or .html files")],
    db: DbOption = "var/claimwatch.duckdb",
    topic: Annotated[str, typer.Option(help="topic to file the articles under")] = "imported",
    outlet: Annotated[str | None, typer.Option(help="outlet name")] = None,
    published: Annotated[str | None, typer.Option(help="publication date, ISO 8601")] = None,
    url: Annotated[str | None, typer.Option(help="original URL (single file)")] = None,
    notify: NotifyOption = True,
) -> None:
    """Load local articles through the extract, load and detect path, then deliver alerts like a run."""
    from claimwatch.importing import deliver_alerts, import_files

    try:
        when = datetime.fromisoformat(published) if published else None
    except ValueError as exc:
        raise UserError(
            f"--published {published!r} is not an ISO 8601 date (e.g. 2021-08-22)", 2
        ) from exc
    if when and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise UserError(f"no such file: {missing[0]}", 2)
    notes: list[str] = []
    articles, failures, claims_new, contradictions_new, alerts = import_files(
        paths, db, topic=topic, outlet=outlet, published=when, url=url, notes=notes
    )
    for note in notes:
        # one line whatever the width (a file's address is copied as it stands), and a name
        # with brackets is text, not console markup
        console.print(f"[yellow]cut[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
    for f in failures:
        line = f"[yellow]skipped[/yellow] {escape(f.url)}: {escape(f.reason)}"
        console.print(line, highlight=False, soft_wrap=True)
    console.print(
        f"{len(articles)} articles, {claims_new} new claims, {contradictions_new} new contradictions"
    )
    _print_alerts(alerts, "Alerts raised or updated")
    if not notify:
        console.print("alerts not delivered (--no-notify)")
        return
    from claimwatch.notify import delivery_lines

    results = deliver_alerts(db)
    if results is None:
        console.print("alerts not delivered: no notification URLs (set CLAIMWATCH_APPRISE_URLS)")
        return
    _print_deliveries(delivery_lines(results))


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run")],
    db: DbOption = "var/claimwatch.duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="print rows as JSON")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="print rows as CSV")] = False,
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

    _Debug.on = _Debug.on or debug  # `claimwatch sql --debug` as well as `claimwatch --debug sql`
    try:
        con = user_connection(db, live=live)
    except FileNotFoundError as exc:
        raise _missing_db(db) from exc
    except NoSnapshotYet as exc:
        raise UserError(str(exc)) from exc
    try:
        refused = refused_statement(con, query)
        if refused:
            raise UserError(f"claimwatch sql only reads: {refused} statements are refused", 2)
        cur = con.execute(query)
        cols = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        # DuckDB's message alone: its first paragraph (the query and a caret follow it)
        raise UserError(one_line(str(exc))) from exc
    finally:
        con.close()
    fmt = "json" if as_json else "csv" if as_csv else "table"
    print_rows(tuple(cols), rows, fmt)
    if not live and fmt == "table":  # JSON and CSV stay data alone, whatever reads them
        from warehouse.snapshots import snapshot_note

        # a snapshot can be older than the live file: say so, where a pipe will not read it
        typer.echo(snapshot_note(db), err=True)


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="folder to write one file per table into")],
    db: DbOption = "var/claimwatch.duckdb",
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    live: Annotated[
        bool, typer.Option("--live", help="read the live file, not the snapshot")
    ] = False,
) -> None:
    """Export every table of the snapshot `sql` reads (or the live file) to Parquet or CSV files."""
    from warehouse.exports import export_database
    from warehouse.snapshots import read_source

    if fmt not in ("parquet", "csv"):
        raise UserError(f"--format must be parquet or csv, not {fmt!r}", 2)
    _require_db(db)
    source, note = read_source(db, live=live)
    console.print(note, highlight=False, soft_wrap=True)
    for path in export_database(source, out_dir, fmt):
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

    from warehouse.snapshots import refresh_snapshot

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        raise UserError(f"--older-than: {exc}", 2) from exc
    _require_db(db)
    n = prune_raw_html(db, age)
    refresh_snapshot(db)  # the snapshot would otherwise keep the raw HTML just dropped
    console.print(f"removed raw HTML from {n} articles")


@app.command()
def snapshot(db: DbOption = "var/claimwatch.duckdb") -> None:
    """Refresh the read-only snapshot analysts query (runs do this at their end)."""
    from warehouse.snapshots import refresh_snapshot

    _require_db(db)
    console.print(str(refresh_snapshot(db)))


@app.command()
def report(
    topic: Annotated[str, typer.Option("--topic", help="topic name")],
    out: Annotated[Path, typer.Option("--out", help="folder to write index.html into")],
    db: DbOption = "var/claimwatch.duckdb",
) -> None:
    """Write a self-contained HTML report of a topic: disagreements, charts, entities, run health."""
    from claimwatch.report import write_report
    from warehouse.snapshots import read_connection

    _require_db(db)
    with read_connection(db, live=True) as con:
        topics = [
            r[0]
            for r in con.execute(
                "SELECT topic FROM articles UNION SELECT topic FROM flow_runs "
                "UNION SELECT topic FROM alerts ORDER BY 1"
            ).fetchall()
        ]
    if topic not in topics:
        raise UserError(
            f"no topic {topic!r} in {db} (topics there: {', '.join(topics) or 'none yet'})", 2
        )
    console.print(str(write_report(db, topic, out)))


@app.command()
def search(
    words: Annotated[
        str | None, typer.Argument(help="words to find (BM25 over title and text)")
    ] = None,
    db: DbOption = "var/claimwatch.duckdb",
    topic: Annotated[str | None, typer.Option(help="only articles of this topic")] = None,
    limit: Annotated[int, typer.Option(help="at most N articles")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    query: Annotated[
        str | None, typer.Option("--sql", help="read-only SQL on the search index (see README)")
    ] = None,
    live: Annotated[
        bool, typer.Option("--live", help="index the live file, not the snapshot")
    ] = False,
) -> None:
    """Find articles, and the claim sentences in them, by full text (BM25), best first."""
    from dataclasses import asdict

    import duckdb

    from warehouse.search import search as find
    from warehouse.search import search_connection
    from warehouse.snapshots import refused_statement

    _require_db(db)
    if query is not None:
        con = search_connection(db, live=live)
        try:
            if refused := refused_statement(con, query):
                raise UserError(f"claimwatch search --sql only reads: {refused} is refused", 2)
            cur = con.execute(query)
            cols, rows = tuple(d[0] for d in cur.description or []), cur.fetchall()
        except duckdb.Error as exc:
            raise UserError(one_line(str(exc))) from exc
        finally:
            con.close()
        print_rows(cols, rows, "json" if as_json else "table")
        return
    if not words or not words.strip():
        raise UserError('give the words to find, e.g. claimwatch search "Panjshir fighters"', 2)
    try:
        hits = find(db, words, topic=topic, limit=limit, live=live)
    except ValueError as exc:
        raise UserError(str(exc), 2) from exc
    for n, hit in enumerate(hits, 1):
        if as_json:
            print(json.dumps(asdict(hit)))
            continue
        console.print(
            f"{n}. {hit.score:.2f}  {hit.title or '(no title)'}", highlight=False, markup=False
        )
        console.print(
            f"   {hit.url}  [{hit.topic}] {hit.article_id}", highlight=False, markup=False
        )
        for c in hit.claims:
            console.print(f"   - {c.sentence}", highlight=False, markup=False)
    if not hits and not as_json:
        console.print(f"no articles match {words!r}", highlight=False, markup=False)


@app.command()
def restore(
    folder: Annotated[Path, typer.Argument(help="an export: one <table>.parquet per table")],
    db: DbOption = "var/claimwatch.duckdb",
) -> None:
    """Create a new warehouse file from an export (how a warehouse moves across DuckDB versions)."""
    from warehouse.restore import restore_export
    from warehouse.snapshots import refresh_snapshot

    from warehouse.lake import exists, is_lake

    if exists(db) if is_lake(db) else Path(db).exists():
        raise UserError(f"{db} exists: restore into a new file (or move that one aside)", 2)
    loaded = restore_export(folder, db)
    refresh_snapshot(db)  # a snapshot left by the old version would not open
    console.print(
        f"{sum(loaded.values())} rows in {len(loaded)} tables restored into {db}", highlight=False
    )


ALERT_COLUMNS = ("id", "state", "severity", "kind", "title", "updated")
ALERT_STATES = ("open", "acknowledged", "resolved")


def print_rows(cols: tuple[str, ...], rows: list[tuple[object, ...]], fmt: str = "table") -> None:
    """Print rows as a table whose cells wrap (ids never cut), or as JSON or CSV."""
    if fmt == "json":
        print(json.dumps([dict(zip(cols, r, strict=True)) for r in rows], default=str, indent=2))
        return
    if fmt == "csv":
        import csv
        import sys

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows(["" if v is None else str(v) for v in r] for r in rows)
        return
    cells = [["" if v is None else str(v) for v in r] for r in rows]
    if not cells:  # an empty table would still squeeze its headers
        console.print(f"{', '.join(cols)}: no rows", highlight=False, markup=False)
        return
    # the width every header and a short word under it needs: past the screen, a table
    # would cut its headers into pieces, so each row prints as a block of 'name: value'
    needed = 1 + sum(
        3 + max(len(c), min(12, max((len(r[i]) for r in cells), default=0)))
        for i, c in enumerate(cols)
    )
    if needed > console.width:
        for n, r in enumerate(cells, 1):
            block = Table.grid(padding=(0, 2))
            block.add_column(no_wrap=True, style="bold")
            block.add_column(overflow="fold")  # a long value wraps under itself
            for name, value in zip(cols, r, strict=True):
                block.add_row(name, Text(value))
            console.print(f"-- row {n}", highlight=False)
            console.print(block, soft_wrap=False)
        return
    table = Table(show_lines=False)
    for i, name in enumerate(cols):
        widest = max((len(str(r[i])) for r in rows), default=len(name))
        if name in ("id", "alert_id"):  # an id goes into the next command: never cut
            table.add_column(name, no_wrap=True, min_width=max(widest, len(name)))
        else:  # the other cells wrap, a long word folds
            table.add_column(name, overflow="fold")
    for r in cells:
        table.add_row(*r)
    console.print(table, soft_wrap=False)


@alerts_app.command("list")
def alerts_list(
    db: DbOption = "var/claimwatch.duckdb",
    state: Annotated[str | None, typer.Option(help="open, acknowledged or resolved")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print rows as JSON")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="print rows as CSV")] = False,
) -> None:
    """List alerts, newest first."""
    from warehouse.snapshots import read_connection

    if state is not None and state not in ALERT_STATES:
        raise UserError(f"--state must be one of {', '.join(ALERT_STATES)}, not {state!r}", 2)
    _require_db(db)
    with read_connection(db, live=True) as con:
        rows = con.execute(
            "SELECT alert_id, state, severity, kind, title, strftime(updated_at, '%Y-%m-%d %H:%M') "
            "FROM alerts WHERE ? IS NULL OR state = ? ORDER BY updated_at DESC",
            [state, state],
        ).fetchall()
    if as_json or as_csv:
        print_rows(ALERT_COLUMNS, rows, "json" if as_json else "csv")
        return
    if not rows:
        console.print("no alerts" + (f" in state {state}" if state else ""))
    # one block per alert: the whole id on its first line, the title wrapped under it
    for alert_id, st, sev, kind, title, updated in rows:
        console.print(f"[bold]{alert_id}[/bold]  {st}  {sev}  {kind}  {updated}", highlight=False)
        console.print(Padding(Text(title), (0, 0, 0, 4)))


def _set_state(alert_id: str, db: str, state: str) -> None:
    from claimwatch.report import report_after_change
    from warehouse.snapshots import refresh_snapshot
    from warehouse.store import connect

    _require_db(db)
    with connect(db) as con:
        # any unique prefix names an alert, as git does with commits
        found = con.execute(
            "SELECT alert_id, topic FROM alerts WHERE starts_with(alert_id, ?) ORDER BY 1",
            [alert_id.strip()],
        ).fetchall()
        if len(found) != 1 or not alert_id.strip():
            which = ", ".join(r[0] for r in found[:5])
            raise UserError(
                f"no alert {alert_id} (`claimwatch alerts list --db {db}` shows their ids)"
                if not found
                else f"{alert_id} is ambiguous: {len(found)} alerts start with it ({which})"
            )
        full, topic = found[0]
        con.execute(
            "UPDATE alerts SET state = ?, updated_at = ? WHERE alert_id = ?",
            [state, datetime.now(UTC), full],
        )
    # readers of the snapshot and the report see the change at once
    refresh_snapshot(db)
    report_after_change(db, topic)
    console.print(f"alert {full} is now {state}")


@alerts_app.command("ack")
def alerts_ack(alert_id: str, db: DbOption = "var/claimwatch.duckdb") -> None:
    """Acknowledge an alert: seen, being looked at."""
    _set_state(alert_id, db, "acknowledged")


@alerts_app.command("resolve")
def alerts_resolve(alert_id: str, db: DbOption = "var/claimwatch.duckdb") -> None:
    """Resolve an alert: no further notifications."""
    _set_state(alert_id, db, "resolved")


@alerts_app.command("reopen")
def alerts_reopen(alert_id: str, db: DbOption = "var/claimwatch.duckdb") -> None:
    """Reopen an acknowledged or resolved alert."""
    _set_state(alert_id, db, "open")


@eval_app.command("ner")
def eval_ner(
    path: Annotated[Path, typer.Argument(help="UNER-style IOB2 file")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Score entity recognition (PER/ORG/LOC, exact spans) against an IOB2 file."""
    from evaluation.ner import evaluate_ner, format_ner_report

    if not path.is_file():
        raise UserError(f"no such file: {path}", 2)
    result = evaluate_ner(path)
    print(json.dumps(result) if as_json else format_ner_report(result))


@eval_app.command("contradictions")
def eval_contradictions(
    path: Annotated[
        Path,
        typer.Argument(
            help="SummEdits .json (or a folder of them), FEVER-Symmetric/SNLI .jsonl, "
            "DocNLI/MED/CANNOT .tsv"
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    limit: Annotated[int | None, typer.Option(help="only the first N pairs")] = None,
    sample: Annotated[
        int | None, typer.Option(help="only N pairs drawn at random (seed 0)")
    ] = None,
    cache: Annotated[
        bool, typer.Option(help="reuse and keep extractions under var/cache/pair_extractions")
    ] = False,
    archive: Annotated[
        list[Path] | None,
        typer.Option(help="load these real articles first (ECB+ folder, page folders): the crowd"),
    ] = None,
) -> None:
    """Score contradiction detection (extract, store, compare) on labelled text pairs."""
    from evaluation.contradictions import evaluate_file, format_report, to_json

    if not path.exists():
        raise UserError(f"no such file: {path}", 2)
    try:
        result = evaluate_file(path, limit=limit, archive=archive, sample=sample, cache=cache)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise UserError(
            f"{path}: not a labelled set this command reads ({type(exc).__name__}: {exc})", 2
        ) from exc
    print(to_json(result) if as_json else format_report(result))


@eval_app.command("stories")
def eval_stories(
    path: Annotated[Path, typer.Argument(help="ECB+ folder of topic folders of token XML")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    topics: Annotated[
        str | None, typer.Option(help="comma-separated topic folders (default: all)")
    ] = None,
) -> None:
    """Score story assignment (B-cubed against ECB+ gold topics and sub-topics)."""
    from evaluation.stories import evaluate, format_report, topic_list

    try:
        result = evaluate(path, topic_list(topics))
    except (OSError, ValueError) as exc:
        raise UserError(str(exc), 2) from exc
    print(json.dumps(result) if as_json else format_report(result))


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
        raise UserError(str(exc), 2) from exc
    print(json.dumps(result) if as_json else report(result))


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Prefect server port on 127.0.0.1")] = 4200,
    demo_site: Annotated[
        bool, typer.Option(help="also serve the sample site for monitor-panjshir")
    ] = True,
    postgres: Annotated[
        str | None,
        typer.Option(
            help="Prefect's database: postgresql://user@host:port/db (default SQLite under PREFECT_HOME)"
        ),
    ] = None,
) -> None:
    """Start a local Prefect server, the work pool, the deployments and a worker on 127.0.0.1."""
    from claimwatch.serve import ServeError
    from claimwatch.serve import serve as start_stack

    project = Path.cwd()
    if not (project / "prefect.yaml").exists():
        raise UserError("run this from the claimwatch folder (where prefect.yaml is)")
    with console.status("starting the Prefect server, work pool, deployments and worker"):
        try:
            stack = start_stack(project, port=port, demo_site=demo_site, postgres=postgres)
        except ServeError as exc:
            raise UserError(str(exc)) from exc
    console.print(f"Prefect UI:  {stack.ui_url}")
    # soft_wrap: a command or path cut across two lines cannot be pasted
    console.print(
        f"API:         {stack.api_url}   (export PREFECT_API_URL={stack.api_url})", soft_wrap=True
    )
    console.print(f"deployments: {', '.join(stack.deployments) or 'none'}")
    console.print(
        f"warehouse:   {stack.db}   (claimwatch demo writes {DEMO_DB}; pass --db to choose)",
        soft_wrap=True,
    )
    if stack.reports_url:
        console.print(f"reports:     {stack.reports_url}")
    for failure in stack.failed_deployments:
        console.print(f"[yellow]not deployed[/yellow] {failure}")
    console.print(
        f"logs and PID files: {stack.state_dir}    stop with: claimwatch stop", soft_wrap=True
    )


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
        str | None,
        typer.Option(
            help="URL that replaces {site} in the topic's sources ('sample': the bundled site)"
        ),
    ] = None,
) -> None:
    """Load a topic's articles published in a date range from its feeds and sitemaps."""
    from datetime import date

    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise UserError(f"--since and --until are YYYY-MM-DD dates: {exc}", 2) from exc
    with _site_for(topic, topic_file, site) as site_url:
        from flows.backfill import backfill as backfill_flow

        summary = backfill_flow(
            topic=topic,
            since=first,
            until=last,
            db=db,
            topic_file=topic_file,
            site=site_url,
            show_progress=console.is_terminal,
        )
    console.print(
        f"{summary.articles_new} new articles, {summary.claims_new} new claims, "
        f"{summary.contradictions_new} new contradictions, {summary.failed} failed fetches, "
        f"{summary.deliveries_failed} failed deliveries",
        soft_wrap=True,
    )
    _print_alerts(summary.alerts, "Alerts raised or updated")
    _print_deliveries(summary.deliveries)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="tiny sizes: a quick check")] = False,
) -> None:
    """Run the benchmarks: BENCHMARKS.md, bench/results.json and a chart (10-15 min on 2 cores)."""
    from bench.__main__ import main

    raise typer.Exit(main(["--quick"] if quick else []))


if __name__ == "__main__":
    app()
