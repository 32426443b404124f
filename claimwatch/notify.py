"""Delivering alerts through Apprise to every configured URL, recording each attempt."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import apprise
import duckdb

from records import stable_id

URLS_ENV = "CLAIMWATCH_APPRISE_URLS"
COOLDOWN_ENV = "CLAIMWATCH_ALERT_COOLDOWN_S"
DEFAULT_COOLDOWN_S = 600.0
SECRET_BLOCK = "claimwatch-apprise-urls"


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one alert version to one target."""

    alert_id: str
    target: str
    ok: bool
    error: str | None


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


def send_and_record(
    con: duckdb.DuckDBPyConnection,
    alert_id: str,
    fingerprint: str,
    target: str,
    title: str,
    body: str,
) -> Delivery:
    """Send one message to one Apprise target and record the attempt in deliveries."""
    sender = apprise.Apprise()
    error = None
    if not sender.add(target):
        ok, error = False, "invalid notification URL"
    else:
        try:
            ok = bool(sender.notify(title=title, body=body))
            error = None if ok else "delivery failed"
        except Exception as exc:  # a broken target must not stop the run
            ok, error = False, f"{type(exc).__name__}: {exc}"
    now = datetime.now(UTC)
    tag = redact(target)
    con.execute(
        "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
        [stable_id("delivery", alert_id, fingerprint, tag, now.isoformat()), alert_id, fingerprint, tag, now, ok, error],
    )  # fmt: skip
    return Delivery(alert_id, tag, ok, error)


def deliver(con: duckdb.DuckDBPyConnection, targets: list[str]) -> list[Delivery]:
    """Send every undelivered alert version to its targets and record each attempt."""
    results: list[Delivery] = []
    for alert_id, fingerprint, title, body, target in pending(con, targets):
        results.append(send_and_record(con, alert_id, fingerprint, target, title, body))
    return results
