"""A local Prefect stack on 127.0.0.1: server, process work pool, deployments, worker, demo site."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

POOL = "claimwatch"
DEFAULT_PORT = 4200
DEMO_SITE_PORT = 8642  # the monitor-panjshir deployment's `site` parameter points here
REPORTS_PORT = 8643  # the reports folder, so a run's artifact links a page a browser opens
STATE_DIR = Path("var/serve")
PREFECT_HOME_DIR = Path("var/prefect")
# Prefect reads these at start-up: an offline monitor makes no telemetry calls.
QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


class ServeError(RuntimeError):
    """A step of starting the local stack failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Stack:
    """Where a started local stack lives: its API, UI and state folder."""

    api_url: str
    ui_url: str
    state_dir: Path
    deployments: tuple[str, ...]
    failed_deployments: tuple[str, ...]
    db: str = ""
    reports_url: str = ""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    """Return whether a TCP port on 127.0.0.1 can be bound."""
    with socket.socket() as s:
        # as the servers themselves do: connections in TIME_WAIT after a stop do not block a restart
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def prefect_bin() -> str:
    """Return the prefect executable installed beside this Python."""
    candidate = Path(sys.executable).parent / "prefect"
    return str(candidate) if candidate.exists() else "prefect"


def stack_env(project: Path, prefect_home: Path, api_url: str) -> dict[str, str]:
    """Return the environment for the server, the CLI calls and the worker."""
    env = dict(os.environ)
    env.update(QUIET)
    env["PREFECT_HOME"] = str(prefect_home.resolve())
    env["PREFECT_API_URL"] = api_url
    # The deployments' pull step changes into this folder before importing the flow.
    env["CLAIMWATCH_HOME"] = str(project.resolve())
    return env


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def start_process(
    name: str, argv: list[str], env: dict[str, str], cwd: Path, state_dir: Path
) -> int:
    """Start a background process in its own session, logging to state_dir/NAME.log; record its PID."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / f"{name}.log").open("ab")
    # A new session makes the process a group leader: stop() then ends it and every child it
    # spawned (a worker's flow-run processes) and nothing else.
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    record = {"pid": proc.pid, "argv": argv, "started": time.time()}
    (state_dir / f"{name}.pid").write_text(json.dumps(record) + "\n", encoding="utf-8")
    return proc.pid


def stop_process(name: str, state_dir: Path, grace_s: float = 10.0) -> str:
    """Stop the process recorded in state_dir/NAME.pid (and its group), if it is still the one we started."""
    pid_file = state_dir / f"{name}.pid"
    if not pid_file.exists():
        return f"{name}: not running (no PID file)"
    record = json.loads(pid_file.read_text(encoding="utf-8"))
    pid = int(record["pid"])
    marker = " ".join(record["argv"][-3:])
    if not _pid_alive(pid) or marker not in _cmdline(pid):
        pid_file.unlink()
        return f"{name}: already stopped (PID {pid})"
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _pid_alive(pid) and marker in _cmdline(pid):
        time.sleep(0.2)
    if _pid_alive(pid) and marker in _cmdline(pid):
        os.killpg(pid, signal.SIGKILL)
    try:  # reap it when it is our own child (tests start and stop in one process)
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    pid_file.unlink()
    return f"{name}: stopped (PID {pid})"


def wait_healthy(api_url: str, timeout_s: float = 120.0, log: Path | None = None) -> None:
    """Wait until the Prefect API answers its health check."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ServeError(
        f"Prefect server at {api_url} did not become healthy in {timeout_s:.0f} s (log: {log})"
    )


def start_server(project: Path, port: int, env: dict[str, str], state_dir: Path) -> str:
    """Start `prefect server start` on 127.0.0.1:port (SQLite under PREFECT_HOME); return its API URL."""
    api_url = f"http://127.0.0.1:{port}/api"
    argv = [prefect_bin(), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    start_process("server", argv, env, project, state_dir)
    wait_healthy(api_url, log=state_dir / "server.log")
    return api_url


def prefect_cli(args: list[str], env: dict[str, str], cwd: Path, timeout_s: float = 180.0) -> str:
    """Run one prefect CLI command without prompts; return its output or raise ServeError."""
    proc = subprocess.run(
        [prefect_bin(), *args, "--no-prompt"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        raise ServeError(
            f"prefect {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return proc.stdout


def create_pool(env: dict[str, str], project: Path, pool: str = POOL) -> None:
    """Create (or update) the process work pool."""
    prefect_cli(["work-pool", "create", pool, "--type", "process", "--overwrite"], env, project)


def deployment_names(project: Path) -> list[str]:
    """Return the deployment names declared in the project's prefect.yaml."""
    data = yaml.safe_load((project / "prefect.yaml").read_text(encoding="utf-8"))
    return [str(d["name"]) for d in data.get("deployments", [])]


def deploy(
    env: dict[str, str], project: Path, names: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Deploy from prefect.yaml one deployment at a time; return (deployed, failed) names."""
    deployed: list[str] = []
    failed: list[str] = []
    for name in names or deployment_names(project):
        try:
            prefect_cli(["deploy", "--name", name], env, project)
            deployed.append(name)
        except ServeError as exc:  # one broken entrypoint must not keep the others off the schedule
            failed.append(
                f"{name}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc}"
            )
    return deployed, failed


def start_worker(project: Path, env: dict[str, str], state_dir: Path, pool: str = POOL) -> int:
    """Start a process worker polling the pool; return its PID."""
    argv = [
        prefect_bin(),
        "worker",
        "start",
        "--pool",
        pool,
        "--type",
        "process",
        "--name",
        f"{pool}-local",
    ]
    return start_process("worker", argv, env, project, state_dir)


def start_demo_site(
    project: Path, env: dict[str, str], state_dir: Path, port: int = DEMO_SITE_PORT
) -> str:
    """Serve the bundled sample site on 127.0.0.1:port in a background process; return its URL."""
    if not port_free(port):
        raise ServeError(
            f"port {port} is taken: the demo site (and monitor-panjshir's `site`) needs it"
        )
    code = (
        "import signal; from demo.site import serve_site\n"
        f"with serve_site(port={port}):\n    signal.sigwait([signal.SIGTERM, signal.SIGINT])"
    )
    start_process(
        "site",
        [sys.executable, "-c", code, "claimwatch-demo-site", f"port={port}"],
        env,
        project,
        state_dir,
    )
    return f"http://127.0.0.1:{port}"


DATABASE_ENV = "PREFECT_API_DATABASE_CONNECTION_URL"


def postgres_url(url: str) -> str:
    """Prefect's form of a PostgreSQL URL: postgresql:// and postgres:// take the asyncpg driver."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    return url


def warehouse_path(project: Path, env: dict[str, str]) -> Path:
    """The DuckDB file the deployments write: CLAIMWATCH_DB, else var/claimwatch.duckdb.

    For a DuckLake warehouse (CLAIMWATCH_WAREHOUSE=ducklake:...) the folder its reports go
    in is that of warehouse.lake's home, so this returns a path in it.
    """
    from warehouse.lake import is_lake, target

    name = env.get("CLAIMWATCH_DB") or env.get("CLAIMWATCH_WAREHOUSE", "var/claimwatch.duckdb")
    if is_lake(name):
        return target(name).home / "lake"
    return (project / name).resolve()


def start_reports_site(
    project: Path, env: dict[str, str], state_dir: Path, port: int = REPORTS_PORT
) -> str:
    """Serve the warehouse's reports folder on 127.0.0.1 in a background process; return its URL."""
    folder = warehouse_path(project, env).parent / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    port = port if port_free(port) else free_port()
    code = (
        "import signal, sys; from pathlib import Path; from demo.site import serve_site\n"
        f"with serve_site(Path(sys.argv[1]), port={port}):\n"
        "    signal.sigwait([signal.SIGTERM, signal.SIGINT])"
    )
    start_process(
        "reports",
        [sys.executable, "-c", code, str(folder), "claimwatch-reports", f"port={port}"],
        env,
        project,
        state_dir,
    )
    return f"http://127.0.0.1:{port}"


def serve(
    project: Path,
    port: int = DEFAULT_PORT,
    state_dir: Path | None = None,
    prefect_home: Path | None = None,
    demo_site: bool = True,
    postgres: str | None = None,
) -> Stack:
    """Start server, work pool, deployments, worker (and the demo site); stop all on failure.

    postgres: the server's database (postgresql+asyncpg://user@host:port/db) instead of
    SQLite under PREFECT_HOME; the same as setting PREFECT_API_DATABASE_CONNECTION_URL.
    """
    state_dir = (state_dir or project / STATE_DIR).resolve()
    prefect_home = prefect_home or project / PREFECT_HOME_DIR
    if (state_dir / "server.pid").exists():
        raise ServeError(f"already started (PID files in {state_dir}): run `claimwatch stop` first")
    if not port_free(port):
        raise ServeError(f"port {port} on 127.0.0.1 is taken: pass --port")
    api_url = f"http://127.0.0.1:{port}/api"
    env = stack_env(project, prefect_home, api_url)
    if postgres:
        env[DATABASE_ENV] = postgres_url(postgres)
    try:
        if demo_site:
            start_demo_site(project, env, state_dir)
        reports_url = start_reports_site(project, env, state_dir)
        env["CLAIMWATCH_REPORTS_URL"] = reports_url  # the worker's runs link the served report
        start_server(project, port, env, state_dir)
        create_pool(env, project)
        deployed, failed = deploy(env, project)
        start_worker(project, env, state_dir)
    except BaseException:
        stop(state_dir)
        raise
    (state_dir / "api_url").write_text(api_url, encoding="utf-8")
    lake_name = env.get("CLAIMWATCH_WAREHOUSE", "") if not env.get("CLAIMWATCH_DB") else ""
    return Stack(
        api_url,
        f"http://127.0.0.1:{port}",
        state_dir,
        tuple(deployed),
        tuple(failed),
        lake_name or str(warehouse_path(project, env)),
        reports_url,
    )


def stop(state_dir: Path) -> list[str]:
    """Stop what serve() started, worker first, using its PID files; return what happened."""
    lines = [stop_process(name, state_dir) for name in ("worker", "server", "site", "reports")]
    (state_dir / "api_url").unlink(missing_ok=True)
    return lines
