"""Run policies shared by the flows: which failures to retry, late runs, failure alerts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb
import httpx
from prefect.client.schemas.objects import FlowRun, TaskRun
from prefect.context import FlowRunContext
from prefect.logging.loggers import flow_run_logger
from prefect.states import State
from prefect.tasks import exponential_backoff

from ingest.fetching import TransientHTTPError

# Task retry policy: three more tries, 2 s, 4 s, 8 s apart, jittered so that many workers
# hitting one flaky host or one locked file do not retry in step.
RETRIES = 3
RETRY_DELAYS = exponential_backoff(backoff_factor=2)
RETRY_JITTER = 0.5


def retry_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry only transient errors, never bad input or bugs."""
    try:
        state.result()
    except BaseException as exc:  # a failed state re-raises the task's own exception here
        return is_transient(exc)
    return False


# Keyword arguments for @task: transient failures only, jittered exponential backoff.
TRANSIENT_RETRIES: dict[str, Any] = {
    "retries": RETRIES,
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_jitter_factor": RETRY_JITTER,
    "retry_condition_fn": retry_transient,
}

# Flow time limits: a monitor run must end well inside its 15-minute interval; a backfill
# reads days of archives and gets longer.
MONITOR_TIMEOUT_S = 12 * 60
BACKFILL_TIMEOUT_S = 6 * 60 * 60

FAILURE_TITLE = "claimwatch run failed"


def is_transient(exc: BaseException) -> bool:
    """Return whether an exception is worth retrying: network trouble or the DuckDB writer lock."""
    if isinstance(exc, TransientHTTPError | httpx.TransportError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, duckdb.IOException):
        return "lock" in str(exc).lower()
    return False


def run_id() -> str:
    """Return the Prefect flow run id (so DuckDB rows link to the UI), or a fresh id outside one."""
    ctx = FlowRunContext.get()
    return str(ctx.flow_run.id) if ctx and ctx.flow_run else str(uuid.uuid4())


def lateness_s() -> float:
    """Return how many seconds after its scheduled start this flow run began (0 when unscheduled)."""
    ctx = FlowRunContext.get()
    run = ctx.flow_run if ctx else None
    expected = run.expected_start_time if run else None
    if expected is None:
        return 0.0
    return max(0.0, (datetime.now(UTC) - expected).total_seconds())


def skip_if_late(limit_s: float | None) -> str | None:
    """Return why this run should be skipped when it starts more than limit_s late, else None."""
    if not limit_s:
        return None
    late = lateness_s()
    if late <= limit_s:
        return None
    return f"skipped: started {late:.0f} s after its scheduled time (limit {limit_s:.0f} s)"


def failure_message(flow_name: str, flow_run: FlowRun, state: State[Any]) -> str:
    """Describe a failed flow run for a person reading a notification."""
    params = ", ".join(f"{k}={v}" for k, v in sorted(flow_run.parameters.items()) if k != "notify")
    return (
        f"Flow {flow_name} run {flow_run.name} ({flow_run.id}) ended {state.name}: "
        f"{state.message or 'no message'}\nParameters: {params}"
    )


def notify_failure(flow: Any, flow_run: FlowRun, state: State[Any]) -> None:
    """Prefect on_failure/on_crashed hook: send the failure through the alert channels."""
    from claimwatch.notify import configured_urls, redact

    explicit = flow_run.parameters.get("notify")
    targets = configured_urls(explicit if isinstance(explicit, list) else None)
    if not targets:
        return
    import apprise

    sender = apprise.Apprise()
    for target in targets:
        sender.add(target)
    ok = sender.notify(
        title=f"[error] {FAILURE_TITLE}: {flow.name}",
        body=failure_message(flow.name, flow_run, state),
    )
    outcome = "sent" if ok else "not delivered"
    flow_run_logger(flow_run, flow).warning(
        "failure notice to %s: %s", [redact(t) for t in targets], outcome
    )


def _user_error(state: State[Any]) -> bool:
    from ingest.topics import TopicError

    try:
        state.result()
    except TopicError:
        return True
    except BaseException:  # noqa: S110  (any other failure is the run's)
        pass
    return False


def record_failure(flow_run: FlowRun, state: State[Any]) -> None:
    """Store a failed or crashed run in flow_runs, keeping any counts the run recorded itself."""
    from flows.monitor import default_db
    from warehouse.store import connect

    if _user_error(state):
        return  # a bad topic file is its author's error: the run never started

    params = flow_run.parameters
    db = params.get("db") or default_db()
    topic = str(params.get("topic") or flow_run.flow_id)
    started = flow_run.start_time or flow_run.expected_start_time or datetime.now(UTC)
    status = "timed out" if state.name == "TimedOut" else (state.name or "failed").lower()
    with connect(db) as con:
        con.execute(
            "INSERT INTO flow_runs (run_id, topic, started_at, finished_at, status) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at",
            [str(flow_run.id), topic, started, datetime.now(UTC), status],
        )


def on_run_failure(flow: Any, flow_run: FlowRun, state: State[Any]) -> None:
    """Prefect on_failure/on_crashed hook: record the failed run, then notify the alert channels."""
    logger = flow_run_logger(flow_run, flow)
    try:
        record_failure(flow_run, state)
    except Exception as exc:  # the notification matters more than the row
        logger.error("could not record the failed run: %s", exc)
    notify_failure(flow, flow_run, state)
