"""Loading DuckDB extensions from their PyPI wheels (duckdb-extension-<name>), never the network."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import duckdb

KNOWN = ("fts", "vss", "ducklake", "postgres")
# the wheel's file name differs from the name DuckDB knows the extension by (and derives its
# entry point from): postgres.duckdb_extension holds postgres_scanner
_ENGINE_NAME = {"postgres": "postgres_scanner"}


class ExtensionMissing(RuntimeError):
    """An extension's wheel is not installed in this environment."""


def extension_file(name: str) -> Path:
    """Return the .duckdb_extension file that the installed duckdb-extension-<name> wheel holds."""
    package = f"duckdb_extension_{name}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionMissing(
            f"DuckDB extension {name!r} is not installed: "
            f"pip install duckdb-extension-{name}=={duckdb.__version__}"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    # the wheel keeps it under extensions/v<duckdb version>/; prefer the running version's
    exact = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if exact.is_file():
        return exact
    found = sorted(root.rglob(f"{name}.duckdb_extension"))
    if not found:
        raise ExtensionMissing(
            f"duckdb-extension-{name} holds no {name}.duckdb_extension: "
            f"pip install --force-reinstall duckdb-extension-{name}=={duckdb.__version__}"
        )
    return found[-1]


def _link_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "claimwatch" / "duckdb_extensions" / f"v{duckdb.__version__}"


def _loadable(name: str, path: Path) -> Path:
    """A path whose file name is the engine's name for the extension (a symlink when they differ)."""
    engine = _ENGINE_NAME.get(name, name)
    if path.name == f"{engine}.duckdb_extension":
        return path
    for folder in (_link_dir(), Path(tempfile.gettempdir()) / f"claimwatch-ext-{os.getuid()}"):
        link = folder / f"{engine}.duckdb_extension"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() and link.resolve() == path.resolve():
                return link
            tmp = folder / f".{engine}.{os.getpid()}"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(path)
            os.replace(tmp, link)  # atomic: a concurrent loader sees the old link or the new
            return link
        except OSError:
            continue
    raise ExtensionMissing(
        f"no writable folder for a link to {path} named {engine}.duckdb_extension"
    )


def is_loaded(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the extension is already loaded in this connection's database."""
    rows = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = ?",
        [_ENGINE_NAME.get(name, name)],
    ).fetchall()
    return bool(rows and rows[0][0])


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD the named extension (fts, vss, ducklake, postgres) from its wheel; a no-op when loaded."""
    if is_loaded(con, name):
        return
    path = _loadable(name, extension_file(name))
    try:
        con.execute(f"LOAD '{path.as_posix()}'")
    except duckdb.Error as exc:
        raise ExtensionMissing(
            f"DuckDB extension {name!r} at {path} does not load into DuckDB "
            f"{duckdb.__version__} ({exc}): pip install duckdb-extension-{name}=={duckdb.__version__}"
        ) from exc


def unavailable(name: str) -> str | None:
    """Why the named extension cannot be loaded here (None when it can)."""
    try:
        with duckdb.connect() as con:
            load_extension(con, name)
    except ExtensionMissing as exc:
        return str(exc)
    return None
