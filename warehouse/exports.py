"""Exporting the warehouse to Parquet (or CSV) for other tools."""

from __future__ import annotations

from pathlib import Path

from warehouse.store import connect


def export_database(db: str | Path, out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write every table to out_dir in the given format; returns the files written."""
    if fmt not in ("parquet", "csv"):
        raise ValueError("format must be parquet or csv")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with connect(db, read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
            ).fetchall()
        ]
        written = []
        for table in tables:
            path = out / f"{table}.{fmt}"
            options = (
                "(FORMAT parquet, COMPRESSION zstd)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
            )
            con.execute(f"COPY {table} TO '{path}' {options}")
            written.append(path)
    return written
