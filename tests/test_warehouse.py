"""The warehouse: records match tables, loads are idempotent, the CLI lists its commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from records import Claim
from warehouse.loading import TABLES, load_batch, table_fields
from warehouse.store import connect, migrations


def test_records_match_their_tables(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        for record_type, (table, _, _) in TABLES.items():
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert cols == table_fields(record_type), table


def test_loading_twice_changes_nothing(tmp_path: Path) -> None:
    c = Claim(claim_id="c1", article_id="a", topic="t", subject_id="s", subject="S", attribute="x",
              value_type="quantity", value_text="9", low=9.0, high=9.0)  # fmt: skip
    with connect(tmp_path / "w.duckdb") as con:
        assert load_batch(con, [c, c]) == {"claims": 1}
        assert load_batch(con, [c]) == {"claims": 0}
        assert con.execute("SELECT count(*) FROM claims").fetchall()[0][0] == 1


def test_schema_version_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    for _ in range(2):
        with connect(db) as con:
            pass
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM schema_versions").fetchall()[0][0] == len(
            migrations()
        )


def test_cli_help_lists_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("demo", "run", "import", "sql", "alerts"):
        assert command in out
