"""Loading an export (one Parquet file per table) into a new warehouse file.

This is how a warehouse crosses DuckDB versions whose storage formats differ (a file written by
DuckDB 2.0 does not open in 1.5.5): export with the version that wrote it, restore with this
one (docs/duckdb-version.md). The new file gets today's schema, views and comments from the
migrations; the rows come from the export, column by column.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.lake import exists, is_lake
from warehouse.store import connect


def restore_export(folder: str | Path, db: str | Path) -> dict[str, int]:
    """Create the warehouse db from an export folder; returns the rows loaded per table."""
    if exists(db) if is_lake(db) else Path(db).exists():  # never rows twice into one warehouse
        raise FileExistsError(17, "a warehouse is already there; restore into a new file", str(db))
    folder = Path(folder)
    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        raise FileNotFoundError(2, "no <table>.parquet files in", str(folder))
    loaded: dict[str, int] = {}
    with connect(db) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND table_name <> 'schema_versions' ORDER BY 1"
            ).fetchall()
        ]
        con.begin()  # all tables or none: a half-restored warehouse would look complete
        try:
            for table in tables:
                source = folder / f"{table}.parquet"
                if not source.is_file():
                    continue
                wanted = [
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                        "AND table_name = ? ORDER BY column_index",
                        [table],
                    ).fetchall()
                ]
                present = {
                    r[0]
                    for r in con.execute(
                        "SELECT name FROM parquet_schema(?)", [str(source)]
                    ).fetchall()
                }
                cols = ", ".join(f'"{c}"' for c in wanted if c in present)
                con.execute(
                    f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM read_parquet(?)',
                    [str(source)],
                )
                loaded[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
            con.commit()
        except Exception:
            con.rollback()
            raise
    return loaded
