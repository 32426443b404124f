"""Running a benchmark module in a fresh subprocess and reading back its JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

MARK = "BENCH-JSON "
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}


class WorkerFailed(RuntimeError):
    """A benchmark subprocess exited without printing its result."""


def emit(result: dict[str, Any]) -> None:
    """Print a worker's result as the one line the parent reads."""
    print(MARK + json.dumps(result, default=str), flush=True)


def run_worker(
    module: str,
    args: list[str],
    log: Path,
    env: dict[str, str] | None = None,
    timeout_s: float = 900,
) -> dict[str, Any]:
    """Run `python -m module args...` in a fresh process; its stderr goes to `log`."""
    full_env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        **(env or {}),
    }
    repo = str(Path(__file__).resolve().parents[1])
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, full_env.get("PYTHONPATH", "")) if p)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as err:
        proc = subprocess.run(
            [sys.executable, "-m", module, *args],
            stdout=subprocess.PIPE, stderr=err, text=True, env=full_env, timeout=timeout_s, cwd=repo,
        )  # fmt: skip
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            result: dict[str, Any] = json.loads(line[len(MARK) :])
            return result
    raise WorkerFailed(f"{module} exited {proc.returncode} without a result; see {log}")
