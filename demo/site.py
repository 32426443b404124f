"""The bundled sample news site, served on 127.0.0.1 for the demo and the tests."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path


def site_dir() -> Path:
    """Return the folder holding the sample site's feed and articles."""
    return Path(str(resources.files("demo").joinpath("site")))


def topic_file() -> Path:
    """Return the demo topic's configuration file."""
    return Path(str(resources.files("demo").joinpath("topics", "panjshir.toml")))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve_site(directory: Path | None = None, port: int = 0) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 in a background thread; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory or site_dir()))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:  # the preferred port is taken: any free one will do
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
