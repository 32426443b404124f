"""Bulk, idempotent loading of records into DuckDB through Arrow."""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.pages import store_pages
from warehouse.store import registered, scalar
from records import (
    Alert,
    Article,
    Claim,
    ClaimLink,
    Contradiction,
    Entity,
    Mention,
    Story,
)

# record type -> (table, natural key, columns updated on conflict; None = keep the first row)
TABLES: dict[type, tuple[str, str, tuple[str, ...] | None]] = {
    Article: ("articles", "article_id", None),
    Story: ("stories", "story_id", ("last_seen", "articles", "outlets")),
    Entity: ("entities", "entity_id", ("aliases",)),
    Mention: ("mentions", "mention_id", None),
    Claim: ("claims", "claim_id", None),
    Contradiction: ("contradictions", "contradiction_id", None),
    ClaimLink: ("claim_links", "link_id", None),
    Alert: (
        "alerts",
        "alert_id",
        ("kind", "severity", "score", "title", "body", "claim_ids", "updated_at", "fingerprint"),
    ),
}

# fields kept outside their record's table: raw pages go to files (warehouse.pages)
ELSEWHERE: dict[type, tuple[str, ...]] = {Article: ("raw_html",)}


def table_fields(record_type: type) -> list[str]:
    """Return the record fields that are columns of its table, in order."""
    skip = ELSEWHERE.get(record_type, ())
    return [f.name for f in dataclasses.fields(record_type) if f.name not in skip]


_ARROW_TYPES: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: pa.timestamp("us", tz="UTC"),
}


def _arrow_type(hint: Any) -> pa.DataType:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _arrow_type(inner[0])
    if origin is tuple:
        return pa.list_(_arrow_type(typing.get_args(hint)[0]))
    return _ARROW_TYPES[hint]


@functools.lru_cache(maxsize=None)
def arrow_schema(record_type: type) -> pa.Schema:
    """Return the Arrow schema of a record type, field by field."""
    hints = typing.get_type_hints(record_type)
    return pa.schema(
        [pa.field(f.name, _arrow_type(hints[f.name])) for f in dataclasses.fields(record_type)]
    )


def to_arrow(records: Sequence[Any], record_type: type) -> pa.Table:
    """Turn records into an Arrow table of their table's columns, keeping the last record per key."""
    key = TABLES[record_type][1]
    unique = {getattr(r, key): r for r in records}
    names = table_fields(record_type)
    schema = arrow_schema(record_type)
    rows = list(unique.values())
    columns: dict[str, list[Any]] = {}
    for name in names:
        values = list(map(operator.attrgetter(name), rows))
        # only list columns hold tuples (a batch's claims: 300,000 values, most of them not)
        columns[name] = (
            [_plain(v) for v in values] if pa.types.is_list(schema.field(name).type) else values
        )
    return pa.Table.from_pydict(columns, schema=pa.schema([schema.field(n) for n in names]))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def upsert(con: duckdb.DuckDBPyConnection, records: Sequence[Any]) -> int:
    """Insert records of one type; rows whose key exists are kept (or updated). Returns new rows."""
    if not records:
        return 0
    record_type = type(records[0])
    table, key, update = TABLES[record_type]
    batch = to_arrow(records, record_type)
    cols = ", ".join(f'"{c}"' for c in batch.column_names)
    before = _count(con, table)
    with registered(con, "_batch", batch):
        if update:
            sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
            conflict = f"DO UPDATE SET {sets}"
        else:
            conflict = "DO NOTHING"
        con.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch ON CONFLICT ({key}) {conflict}"
        )
    if record_type is Article:
        store_pages(con, records)
    return _count(con, table) - before


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(scalar(con, f"SELECT count(*) FROM {table}") or 0)


def load_batch(con: duckdb.DuckDBPyConnection, *groups: Sequence[Any]) -> dict[str, int]:
    """Load several record groups in one transaction; returns new rows per table."""
    counts: dict[str, int] = {}
    con.begin()
    try:
        for group in groups:
            if group:
                table = TABLES[type(group[0])][0]
                counts[table] = counts.get(table, 0) + upsert(con, group)
        con.commit()
    except Exception:
        con.rollback()
        raise
    return counts
