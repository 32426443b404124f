"""Delivering alerts through Apprise to every configured URL, recording each attempt."""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import apprise
import duckdb

from claimwatch.report import report_url
from warehouse.store import scalar

from records import stable_id

URLS_ENV = "CLAIMWATCH_APPRISE_URLS"
COOLDOWN_ENV = "CLAIMWATCH_ALERT_COOLDOWN_S"
DEFAULT_COOLDOWN_S = 600.0
SECRET_BLOCK = "claimwatch-apprise-urls"
# generic JSON webhooks get the alert as a JSON document beside the prose
JSON_SCHEMES = ("json", "jsons")
PAYLOAD_NAME = "alert.json"


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one alert version to one target."""

    alert_id: str
    target: str
    ok: bool
    error: str | None
    title: str = ""


def configured_urls(explicit: list[str] | None = None) -> list[str]:
    """Return notification URLs: explicit ones, else the env variable, else a Prefect Secret."""
    if explicit:
        return list(explicit)
    raw = os.environ.get(URLS_ENV, "")
    if not raw:
        raw = _secret_block_value()
    return [u for u in re.split(r"[\s,]+", raw) if u]


def _secret_block_value() -> str:
    if not os.environ.get("PREFECT_API_URL"):
        return ""  # no server configured: no blocks to read, and no temporary server to start
    try:
        from prefect.blocks.system import Secret

        block = Secret.load(SECRET_BLOCK)
        return str(block.get())  # type: ignore[union-attr]
    except Exception:  # a missing block means "no URLs configured"
        return ""


def redact(url: str) -> str:
    """Hide credentials and tokens in a notification URL before storing it."""
    scheme, _, rest = url.partition("://")
    host = re.split(r"[/?@]", rest.split("@")[-1])[0]
    return f"{scheme}://{host}/…" if rest else url


def cooldown_s() -> float:
    """Return the minimum seconds between two notifications of one alert to one target."""
    return float(os.environ.get(COOLDOWN_ENV, DEFAULT_COOLDOWN_S))


def pending(
    con: duckdb.DuckDBPyConnection, targets: list[str]
) -> list[tuple[str, str, str, str, str]]:
    """Alert versions not yet delivered to some target: (alert_id, fingerprint, title, body, target)."""
    out = []
    rows = con.execute(
        "SELECT alert_id, fingerprint, title, body, severity FROM alerts WHERE state = 'open' ORDER BY alert_id"
    ).fetchall()
    now = datetime.now(UTC)
    for alert_id, fingerprint, title, body, sev in rows:
        for target in targets:
            tag = redact(target)
            sent = con.execute(
                "SELECT fingerprint, attempted_at FROM deliveries WHERE alert_id = ? AND target = ? AND ok ORDER BY attempted_at DESC",
                [alert_id, tag],
            ).fetchall()
            if any(f == fingerprint for f, _ in sent):
                continue
            if sent and now - sent[0][1] < timedelta(seconds=cooldown_s()):
                continue  # an earlier version went out recently: the update waits for the cooldown
            out.append((alert_id, fingerprint, f"[{sev}] {title}", body, target))
    return out


def _side(row: tuple[Any, ...]) -> dict[str, Any]:
    value, low, high, unit, outlet, speaker, role, published, url, sentence = row
    return {
        "value": value, "low": low, "high": high, "unit": unit, "outlet": outlet,
        "speaker": speaker, "speaker_role": role,
        "published": published.isoformat() if published else None, "url": url, "sentence": sentence,
    }  # fmt: skip


def alert_payload(
    con: duckdb.DuckDBPyConnection, alert_id: str, db: str | None = None
) -> dict[str, Any]:
    """The alert as a JSON document a receiver can act on without reading prose."""
    row = con.execute(
        "SELECT alert_id, topic, state, severity, kind, score, subject_id, attribute, title, fingerprint, "
        "first_seen, updated_at FROM alerts WHERE alert_id = ?",
        [alert_id],
    ).fetchall()
    if not row:
        return {}
    (
        aid,
        topic,
        state,
        sev,
        kind,
        score,
        subject_id,
        attribute,
        title,
        fingerprint,
        first,
        updated,
    ) = row[0]
    top = con.execute(
        "SELECT claim_a, claim_b, explanation FROM contradictions WHERE topic = ? AND subject_id = ? "
        "AND attribute = ? ORDER BY score DESC, contradiction_id LIMIT 1",
        [topic, subject_id, attribute],
    ).fetchall()
    sides = []
    subject = None
    for claim_id in top[0][:2] if top else ():
        rows = con.execute(
            "SELECT c.value_text, c.low, c.high, c.unit, coalesce(c.outlet, a.outlet), c.speaker, c.speaker_role, "
            "coalesce(c.published, a.published), a.url, c.sentence, coalesce(e.name, c.subject) "
            "FROM claims c LEFT JOIN articles a USING (article_id) LEFT JOIN entities e ON e.entity_id = c.subject_id "
            "WHERE c.claim_id = ?",
            [claim_id],
        ).fetchall()
        if rows:
            sides.append({"claim_id": claim_id, **_side(rows[0][:10])})
            subject = subject or rows[0][10]
    path = db or scalar(
        con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )
    return {
        "alert_id": aid, "topic": topic, "state": state, "severity": sev, "kind": kind,
        "score": round(float(score), 3), "subject": subject, "subject_id": subject_id,
        "attribute": attribute, "title": title, "version": fingerprint,
        "first_seen": first.isoformat(), "updated_at": updated.isoformat(),
        "explanation": top[0][2] if top else None, "sides": sides,
        "report": report_url(str(path), topic) if path else None,
    }  # fmt: skip


@contextmanager
def _apprise_log() -> Iterator[io.StringIO]:
    """Collect Apprise's own log lines (why a delivery failed, the receiver's reply) and nothing else sees them."""
    logger = logging.getLogger("apprise")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # its debug lines carry the payload: not for the run's log
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _reason(log: str) -> str:
    # Apprise reports why on its logger, not in notify()'s boolean
    noise = ("JSON POST URL", "JSON Payload", "Appending", "Response Details", "b''", 'b""')
    keep = [
        line.strip() for line in log.splitlines() if line.strip() and not line.startswith(noise)
    ]
    return " | ".join(keep)[:1000] or "delivery failed (no reason given)"


def send_and_record(
    con: duckdb.DuckDBPyConnection,
    alert_id: str,
    fingerprint: str,
    target: str,
    title: str,
    body: str,
    payload: dict[str, Any] | None = None,
) -> Delivery:
    """Send one message to one Apprise target (JSON webhooks also get the payload) and record the attempt."""
    sender = apprise.Apprise()
    error = None
    if not sender.add(target):
        ok, error = False, "invalid notification URL"
    else:
        attach = None
        if payload and target.partition("://")[0].lower() in JSON_SCHEMES:
            from apprise.attachment.memory import AttachMemory

            attach = apprise.AppriseAttachment()
            attach.add(AttachMemory(content=json.dumps(payload, default=str), name=PAYLOAD_NAME,
                                    mimetype="application/json"))  # fmt: skip
        try:
            with _apprise_log() as log:
                ok = bool(sender.notify(title=title, body=body, attach=attach))
            error = None if ok else _reason(log.getvalue())
        except Exception as exc:  # a broken target must not stop the run
            ok, error = False, f"{type(exc).__name__}: {exc}"
    now = datetime.now(UTC)
    tag = redact(target)
    con.execute(
        "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
        [stable_id("delivery", alert_id, fingerprint, tag, now.isoformat()), alert_id, fingerprint, tag, now, ok, error],
    )  # fmt: skip
    return Delivery(alert_id, tag, ok, error, title)


def deliver(
    con: duckdb.DuckDBPyConnection, targets: list[str], db: str | None = None
) -> list[Delivery]:
    """Send every undelivered alert version to its targets and record each attempt."""
    results: list[Delivery] = []
    for alert_id, fingerprint, title, body, target in pending(con, targets):
        payload = alert_payload(con, alert_id, db)
        if payload.get("report"):
            body = f"{body}\n\nReport: {payload['report']}"
        results.append(send_and_record(con, alert_id, fingerprint, target, title, body, payload))
    return results


def delivery_lines(results: list[Delivery]) -> list[str]:
    """One console line per delivery attempt: what went where, or why it did not."""
    return [
        f"delivered {r.title or r.alert_id} to {r.target}"
        if r.ok
        else f"delivery of {r.title or r.alert_id} to {r.target} failed: {r.error}"
        for r in results
    ]
