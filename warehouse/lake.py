"""The DuckLake warehouse: the same tables in a DuckLake catalog (a file or PostgreSQL), Parquet data files.

A warehouse named `ducklake:<catalog>` opens as an in-memory DuckDB connection that attaches
the lake and uses it, so the product's SQL runs unchanged. DuckLake has no PRIMARY KEY,
UNIQUE, CHECK or index: its schema is the file's with those left out, and the product's
`INSERT ... ON CONFLICT` upserts become `MERGE INTO` on the same natural keys (read from the
file schema's primary keys). Several processes may write one lake whose catalog is in
PostgreSQL; DuckLake gives each transaction snapshot isolation, and every batch transaction
updates one guard row so that two concurrent batches always conflict and the loser is run
again (in_transaction), which keeps the natural keys unique without constraints.
"""

from __future__ import annotations

import functools
import os
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb

PREFIX = "ducklake:"
DATA_ENV = "CLAIMWATCH_LAKE_DATA"
ALIAS = "lake"
PAGES_VARIABLE = "claimwatch_pages"  # where store_pages writes raw pages for a lake
GUARD_TABLE = "lake_commits"
CONFLICT_RETRIES = 20
# conflicts this process met and retried (the bench and the tests read it)
STATS = {"conflicts_retried": 0}
T = TypeVar("T")


def is_lake(db: object) -> bool:
    """Whether a warehouse name is a DuckLake one (`ducklake:<catalog>`)."""
    return str(db).startswith(PREFIX)


@dataclass(frozen=True)
class LakeTarget:
    """Where a lake's catalog and data files live."""

    name: str  # the warehouse name as given
    attach: str  # the ATTACH string: ducklake:postgres:... or ducklake:/abs/path
    data_path: Path
    catalog_file: Path | None  # None for a PostgreSQL catalog

    @property
    def home(self) -> Path:
        """The folder things beside the warehouse go in (reports): the catalog file's, else the data's."""
        return self.catalog_file.parent if self.catalog_file else self.data_path


def target(db: str | Path) -> LakeTarget:
    """Parse `ducklake:postgres:<libpq>` or `ducklake:<catalog file>`; data in CLAIMWATCH_LAKE_DATA."""
    rest = str(db)[len(PREFIX) :]
    data = os.environ.get(DATA_ENV)
    if rest.startswith("postgres:"):
        if not data:
            raise ValueError(
                f"a DuckLake warehouse with a PostgreSQL catalog needs {DATA_ENV} "
                "(the folder or object-storage prefix of its data files)"
            )
        return LakeTarget(str(db), PREFIX + rest, Path(data).resolve(), None)
    if not rest:
        raise ValueError(
            "ducklake: needs a catalog: ducklake:/path/lake.ducklake or ducklake:postgres:<libpq>"
        )
    catalog = Path(rest).resolve()
    folder = Path(data).resolve() if data else catalog.with_name(catalog.stem + ".files")
    return LakeTarget(str(db), PREFIX + str(catalog), folder, catalog)


def exists(db: str | Path) -> bool:
    """Whether the lake's catalog is there (a PostgreSQL catalog is taken to be)."""
    t = target(db)
    return t.catalog_file is None or t.catalog_file.is_file()


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _attach(
    con: duckdb.DuckDBPyConnection, t: LakeTarget, alias: str, read_only: bool, wait_s: float
) -> None:
    options = [f"DATA_PATH {_sql_string(t.data_path.as_posix() + '/')}"]
    if read_only:
        options.append("READ_ONLY")
    sql = f"ATTACH {_sql_string(t.attach)} AS {alias} ({', '.join(options)})"
    # a file catalog is a DuckDB file: one writing process, like the single-file warehouse
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con.execute(sql)
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except duckdb.Error as exc:
            racing = "Failed to initialize DuckLake" in str(exc) or "already exists" in str(exc)
            if racing and time.monotonic() < deadline:
                # another process is creating this fresh catalog's tables right now: once it
                # has, the attach finds them
                time.sleep(random.uniform(0.1, 0.3))
                continue
            if "does not match existing data path" not in str(exc):
                raise
            # one line for the user (the CLI prints an IOException as one): the lake keeps
            # the data path it was created with
            raise duckdb.IOException(
                f"{DATA_ENV}={t.data_path} is not where the DuckLake warehouse {t.name} keeps its "
                f"data: {str(exc).splitlines()[0]}"
            ) from None


@dataclass
class _Attached:
    alias: str
    read_only: bool
    users: int


class _Host:
    """One in-memory DuckDB per process with ducklake (and postgres) loaded, lakes attached on demand.

    Loading the extension costs ~0.3 s, attaching ~0.02 s: a batch's connection is a cursor
    of this instance, not a new database. A file catalog is detached when its last cursor
    closes, so its lock is let go between batches as the single file's is.
    """

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None
        self.attached: dict[str, _Attached] = {}
        self.migrated: set[str] = set()
        self.lock = threading.Lock()
        self.count = 0

    def _instance(self, postgres: bool) -> duckdb.DuckDBPyConnection:
        from warehouse.extensions import load_extension
        from warehouse.store import engine_config

        if self.con is None:
            con = duckdb.connect(":memory:", config=engine_config())
            load_extension(con, "ducklake")
            self.con = con
        if postgres:
            load_extension(self.con, "postgres")
        return self.con

    def acquire(
        self, t: LakeTarget, read_only: bool, wait_s: float
    ) -> tuple[duckdb.DuckDBPyConnection, str]:
        """A cursor of the instance and the alias of the lake attached there."""
        deadline = time.monotonic() + wait_s
        while True:
            with self.lock:
                con = self._instance(t.catalog_file is None)
                entry = self.attached.get(t.attach)
                if entry is None:
                    self._detach_idle(con)
                    self.count += 1
                    alias = f"{ALIAS}{self.count}" if self.count > 1 else ALIAS
                    # read-only only where it lets other processes in: a file catalog, in a
                    # process that has not written it (a writer would wait for its readers)
                    mode = (
                        read_only and t.catalog_file is not None and t.attach not in self.migrated
                    )
                    _attach(con, t, alias, mode, max(0.0, deadline - time.monotonic()))
                    entry = self.attached[t.attach] = _Attached(alias, mode, 0)
                if read_only or not entry.read_only:
                    entry.users += 1
                    return con.cursor(), entry.alias
                if entry.users == 0:  # attached read-only and idle: attach again writable
                    con.execute(f"DETACH {entry.alias}")
                    del self.attached[t.attach]
                    continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"{t.name} is open read-only in this process")
            time.sleep(0.05)

    def _detach_idle(self, con: duckdb.DuckDBPyConnection) -> None:
        # a lake kept attached for its next batch is let go when another lake is opened: a
        # catalog whose server has gone would fail every query that lists the databases
        for attach, entry in list(self.attached.items()):
            if entry.users == 0:
                try:
                    con.execute(f"DETACH {entry.alias}")
                except duckdb.Error:
                    pass  # its server is gone: nothing left to close
                del self.attached[attach]

    def release(self, t: LakeTarget) -> None:
        """One cursor of the lake closed; detach a file catalog that nothing uses any more."""
        with self.lock:
            entry = self.attached.get(t.attach)
            if entry is None:
                return
            entry.users -= 1
            if entry.users == 0 and t.catalog_file is not None and self.con is not None:
                self.con.execute(f"DETACH {entry.alias}")
                del self.attached[t.attach]


_HOST = _Host()


def open_lake(
    db: str | Path,
    read_only: bool,
    wait_s: float,
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the lake as a DuckDB connection that uses it (migrated when writable).

    With config (SQL literals set in order, as user SQL needs) the connection is a database
    of its own, since those settings hold for a whole database, and it refuses the
    functions that reach the catalog's database (USER_REFUSED).
    """
    t = target(db)
    if read_only and not exists(db):
        raise FileNotFoundError(2, "No such file or directory", str(t.catalog_file))
    if not read_only:
        t.data_path.mkdir(parents=True, exist_ok=True)
        if t.catalog_file:
            t.catalog_file.parent.mkdir(parents=True, exist_ok=True)
    if config:
        return _open_alone(t, read_only, wait_s, config)
    cur, alias = _HOST.acquire(t, read_only, wait_s)
    con = LakeConnection(cur, lambda: _HOST.release(t))
    try:
        cur.execute(f"USE {alias}")
        cur.execute(f"SET VARIABLE {PAGES_VARIABLE} = ?", [(t.data_path / "pages").as_posix()])
        if not read_only and t.attach not in _HOST.migrated:
            migrate(cast(duckdb.DuckDBPyConnection, con))
            _HOST.migrated.add(t.attach)
    except BaseException:
        con.close()
        raise
    return cast(duckdb.DuckDBPyConnection, con)


def _open_alone(
    t: LakeTarget, read_only: bool, wait_s: float, config: dict[str, Any]
) -> duckdb.DuckDBPyConnection:
    from warehouse.extensions import load_extension
    from warehouse.store import engine_config

    raw = duckdb.connect(":memory:", config=engine_config())
    try:
        load_extension(raw, "ducklake")
        if t.catalog_file is None:
            load_extension(raw, "postgres")
        _attach(raw, t, ALIAS, read_only, wait_s)
        raw.execute(f"USE {ALIAS}")
        raw.execute(f"SET VARIABLE {PAGES_VARIABLE} = ?", [(t.data_path / "pages").as_posix()])
        for name, value in config.items():  # values are SQL literals, applied in order
            raw.execute(f"SET {name} = {value}")
    except BaseException:
        raw.close()
        raise
    return cast(duckdb.DuckDBPyConnection, LakeConnection(raw, user_sql=True))


# ---- the lake flavour of the schema -------------------------------------------------------

_CHECK = re.compile(r"\s+CHECK\s*\(", re.IGNORECASE)


def _strip_checks(sql: str) -> str:
    out, pos = [], 0
    for m in _CHECK.finditer(sql):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while depth and i < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        out.append(sql[pos : m.start()])
        pos = i
    out.append(sql[pos:])
    return "".join(out)


def lake_flavour(sql: str) -> str:
    """The schema step for DuckLake: no PRIMARY KEY, CHECK, index or list DEFAULT (unsupported there)."""
    sql = re.sub(r"\s+PRIMARY\s+KEY\b", "", sql, flags=re.IGNORECASE)
    sql = _strip_checks(sql)
    sql = re.sub(r"CREATE\s+INDEX[^;]*;", "", sql, flags=re.IGNORECASE)
    return re.sub(r"\s+DEFAULT\s+\[\]", "", sql, flags=re.IGNORECASE)


@functools.cache
def natural_keys() -> dict[str, tuple[str, ...]]:
    """Each table's primary key in the file schema, read from a migrated in-memory warehouse."""
    from warehouse.store import migrate as migrate_file

    with duckdb.connect(":memory:") as mem:
        migrate_file(mem)
        rows = mem.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    return {str(table): tuple(cols) for table, cols in rows}


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Create or upgrade the lake's schema, step by step as the file's; returns the version.

    Several processes may open a fresh lake at once: each step is a transaction that
    re-reads the version, and a step that conflicts with another process's is run again
    (and then finds it done).
    """
    from warehouse.store import migrations

    def bootstrap() -> None:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER, applied_at TIMESTAMPTZ NOT NULL)"
        )
        con.execute(f"CREATE TABLE IF NOT EXISTS {GUARD_TABLE} (commits BIGINT NOT NULL)")
        if not con.execute(f"SELECT count(*) FROM {GUARD_TABLE}").fetchall()[0][0]:
            con.execute(f"INSERT INTO {GUARD_TABLE} VALUES (0)")

    def version() -> int:
        rows = con.execute("SELECT coalesce(max(version), 0) FROM schema_versions").fetchall()
        return int(rows[0][0])

    in_transaction(con, bootstrap, guard=False)
    current = version()
    for number, sql in migrations():
        if number <= current:
            continue

        def step(number: int = number, sql: str = sql) -> None:
            if version() >= number:  # another process applied it meanwhile
                return
            for statement in con.extract_statements(lake_flavour(sql)):
                con.execute(statement.query)
            con.execute("INSERT INTO schema_versions VALUES (?, ?)", [number, datetime.now(UTC)])

        in_transaction(con, step)
        current = number
    return current


# ---- upserts without constraints ----------------------------------------------------------

_UPSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<table>\w+)\s*(?:\((?P<cols>[^()]*)\))?\s*(?P<source>.*?)\s+"
    r"ON\s+CONFLICT\s*(?:\((?P<keys>[^()]*)\))?\s*DO\s+(?:NOTHING|UPDATE\s+SET\s+(?P<sets>.*?))\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _names(text: str) -> list[str]:
    return [c.strip().strip('"') for c in text.split(",") if c.strip()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def merge_sql(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """Rewrite `INSERT ... ON CONFLICT` into the `MERGE INTO` that does the same on the natural key.

    The source is aliased `excluded`, the target keeps its name, so the DO UPDATE SET
    expressions (`excluded.c`, `table.c`) carry over as written.
    """
    m = _UPSERT.match(sql)
    if m is None:
        return sql
    table = m["table"]
    cols = _names(m["cols"]) if m["cols"] else _columns(con, table)
    keys = _names(m["keys"]) if m["keys"] else list(natural_keys()[table])
    source = m["source"].strip()
    on = " AND ".join(f"{table}.{_quote(k)} = excluded.{_quote(k)}" for k in keys)
    col_list = ", ".join(_quote(c) for c in cols)
    values = ", ".join(f"excluded.{_quote(c)}" for c in cols)
    merge = f"MERGE INTO {table} USING ({source}) AS excluded({col_list}) ON {on} "
    if m["sets"]:
        merge += f"WHEN MATCHED THEN UPDATE SET {m['sets']} "
    return merge + f"WHEN NOT MATCHED THEN INSERT ({col_list}) VALUES ({values})"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return [str(r[0]) for r in rows]


_ON_CONFLICT = re.compile(r"\bON\s+CONFLICT\b", re.IGNORECASE)
# user SQL on a lake: the postgres extension's functions connect and write where external
# access settings do not reach, the catalog's own tables are not the warehouse, and query()
# would run a statement assembled from strings
USER_REFUSED = re.compile(
    r"\b(postgres_\w+|ducklake_\w+|__ducklake_metadata\w*|query(?:_table)?\s*\()", re.IGNORECASE
)


class LakeConnection:
    """A DuckDB connection to a lake that turns the product's ON CONFLICT upserts into MERGE."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        on_close: Callable[[], None] | None = None,
        user_sql: bool = False,
    ) -> None:
        self._con = con
        self._on_close = on_close
        self._user_sql = user_sql

    def _rewrite(self, sql: str) -> str:
        if self._user_sql:
            refused = USER_REFUSED.search(sql)
            if refused:
                raise duckdb.PermissionException(
                    f"claimwatch sql on a DuckLake warehouse refuses {refused.group(1)}: "
                    "it reaches the catalog database itself"
                )
        return merge_sql(self._con, sql) if _ON_CONFLICT.search(sql) else sql

    def execute(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run one statement (an upsert rewritten for the lake)."""
        if parameters is None:
            return self._con.execute(self._rewrite(query))
        return self._con.execute(self._rewrite(query), parameters)

    def executemany(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run one statement per parameter row (an upsert rewritten for the lake)."""
        if parameters is None:
            return self._con.executemany(self._rewrite(query))
        return self._con.executemany(self._rewrite(query), parameters)

    def sql(self, query: str, *args: Any, **kwargs: Any) -> Any:
        """A relation of one query (an upsert rewritten for the lake)."""
        return self._con.sql(self._rewrite(query), *args, **kwargs)

    def close(self) -> None:
        """Close the connection (and let the process's instance detach a file catalog nobody uses)."""
        self._con.close()
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()

    def __enter__(self) -> LakeConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def is_lake_connection(con: object) -> bool:
    """Whether an open connection is a lake's."""
    return isinstance(con, LakeConnection)


# ---- many writers -------------------------------------------------------------------------


def is_conflict(exc: BaseException) -> bool:
    """Whether an error is DuckLake refusing a commit that conflicts with a concurrent one."""
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


# (snapshot read, snapshot committed) of each guarded commit of this process: serialised
# batches commit the snapshot right after the one they read
COMMITS: deque[tuple[int, int]] = deque(maxlen=10_000)


def _snapshot(con: duckdb.DuckDBPyConnection) -> int:
    name = con.execute("SELECT current_database()").fetchall()[0][0]
    return int(con.execute(f"FROM {name}.current_snapshot()").fetchall()[0][0])


def in_transaction(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[], T],
    retries: int = CONFLICT_RETRIES,
    on_conflict: Callable[[int], None] | None = None,
    guard: bool = True,
) -> T:
    """Run work in one transaction; on a lake, serialise it with concurrent writers and rerun it on a conflict.

    On the single file this is begin, work, commit (rollback on error). On a lake each
    transaction also bumps the guard row, so two transactions that overlap in time conflict
    at commit; DuckLake refuses the second, which rolls back and runs work again on the
    snapshot that now holds the first one's rows.
    """
    lake = is_lake_connection(con)
    attempt = 0
    while True:
        con.begin()
        try:
            read = _snapshot(con) if lake and guard else None
            result = work()
            if lake and guard:
                con.execute(f"UPDATE {GUARD_TABLE} SET commits = commits + 1")
            con.commit()
            if read is not None:
                COMMITS.append((read, _snapshot(con)))
            return result
        except Exception as exc:
            try:
                con.rollback()
            except duckdb.Error:
                pass  # a failed commit has already ended the transaction
            if not (lake and is_conflict(exc)) or attempt >= retries:
                raise
        attempt += 1
        STATS["conflicts_retried"] += 1
        if on_conflict is not None:
            on_conflict(attempt)
        time.sleep(random.uniform(0.02, 0.1) * min(attempt, 10))
