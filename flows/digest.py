"""The daily_digest flow: open disagreements per topic and the day's activity, once a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from claimwatch.notify import configured_urls, send_and_record
from records import stable_id
from flows.monitor import default_db
from warehouse.store import connect


@dataclass(frozen=True)
class TopicDigest:
    """One topic's section of the digest."""

    topic: str
    new_claims: int
    new_contradictions: int
    open_alerts: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (alert_id, state, severity, kind, title)


@task(name="collect_digest")
def collect_digest(db: str, since: datetime, topic: str | None = None) -> list[TopicDigest]:
    """Read open and acknowledged alerts per topic and what the last period added."""
    with connect(db) as con:
        topics = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT topic FROM alerts WHERE ? IS NULL OR topic = ? "
                "UNION SELECT DISTINCT topic FROM contradictions WHERE ? IS NULL OR topic = ? ORDER BY 1",
                [topic, topic, topic, topic],
            ).fetchall()
        ]
        out = []
        for t in topics:
            alerts = con.execute(
                "SELECT alert_id, state, severity, kind, title FROM alerts "
                "WHERE topic = ? AND state <> 'resolved' ORDER BY score DESC, updated_at DESC",
                [t],
            ).fetchall()
            claims = con.execute(
                "SELECT count(*) FROM claims c JOIN articles a ON a.article_id = c.article_id "
                "WHERE c.topic = ? AND a.fetched_at >= ?",
                [t, since],
            ).fetchall()[0][0]
            contradictions = con.execute(
                "SELECT count(*) FROM contradictions WHERE topic = ? AND detected_at >= ?",
                [t, since],
            ).fetchall()[0][0]
            out.append(TopicDigest(t, int(claims), int(contradictions), [tuple(r) for r in alerts]))
    return out


def digest_markdown(digests: list[TopicDigest], since: datetime) -> str:
    """Render the digest as markdown: one section per topic, open disagreements first."""
    lines = [f"# claimwatch digest since {since:%Y-%m-%d %H:%M} UTC", ""]
    if not digests:
        lines.append("No topic has disagreements yet.")
    for d in digests:
        lines += [
            f"## {d.topic}",
            "",
            f"{len(d.open_alerts)} open disagreements; in the period: {d.new_claims} new claims, "
            f"{d.new_contradictions} new contradictions.",
            "",
        ]
        if d.open_alerts:
            lines += ["| alert | state | severity | kind | title |", "|---|---|---|---|---|"]
            lines += [f"| {a[0]} | {a[1]} | {a[2]} | {a[3]} | {a[4]} |" for a in d.open_alerts]
            lines.append("")
    return "\n".join(lines)


@task(name="send_digest")
def send_digest(db: str, markdown: str, title: str, notify: list[str] | None) -> int:
    """Send the digest to every configured URL and record each attempt in deliveries."""
    sent = 0
    digest_id = stable_id("digest", title)
    with connect(db) as con:
        for target in configured_urls(notify):
            delivery = send_and_record(
                con, f"digest:{digest_id}", digest_id, target, title, markdown
            )
            sent += int(delivery.ok)
    return sent


@flow(name="daily_digest", log_prints=True)
def daily_digest(
    db: str | None = None,
    topic: str | None = None,
    hours: float = 24.0,
    notify: list[str] | None = None,
) -> str:
    """Summarise open disagreements per topic and the last day's activity; send and store it."""
    db = db or default_db()
    since = datetime.now(UTC) - timedelta(hours=hours)
    digests = collect_digest(db, since, topic)
    markdown = digest_markdown(digests, since)
    title = f"claimwatch digest {datetime.now(UTC):%Y-%m-%d}" + (f" ({topic})" if topic else "")
    send_digest(db, markdown, title, notify)
    create_markdown_artifact(markdown=markdown, key="claimwatch-digest", description=title)
    return markdown
