"""A real HTTP server on 127.0.0.1 that serves ../shared/data and misbehaves on demand."""

from __future__ import annotations

import gzip
import hashlib
import io
import mimetypes
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """A canned response: status, headers, body, and optional slowness."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the response starts
    conditional: bool = True  # answer If-None-Match / If-Modified-Since with 304


class Site:
    """State of one misbehaving server: canned pages, hit counts, robots.txt."""

    def __init__(self, data_root: Path | None) -> None:
        self.data_root = data_root
        self.pages: dict[str, Reply] = {}
        self.hits: Counter[str] = Counter()
        self.robots: str | int | None = None  # None: robots.txt is a 404; an int: that status
        self.base = ""
        self.lock = threading.Lock()
        self.hold: set[str] = set()  # paths whose response waits until released
        self.release = threading.Event()

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return self.base + (path if path.startswith("/") else "/" + path)

    def page(
        self, path: str, body: bytes | str, ctype: str = "text/html; charset=utf-8", **kw: object
    ) -> str:
        """Serve a canned page at path; returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {"Content-Type": ctype, **kw.pop("headers", {})}  # type: ignore[dict-item]
        self.pages[path] = Reply(body=data, headers=headers, **kw)  # type: ignore[arg-type]
        return self.url(path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            with site.lock:
                site.hits[path] += 1
                hits = site.hits[path]
            if path in site.hold:
                site.release.wait(60)
            try:
                self._route(path, query, hits)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send(
            self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            headers = headers or {}
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def _conditional(self, body: bytes, mtime: float, headers: dict[str, str]) -> bool:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers.setdefault("ETag", etag)
            headers.setdefault("Last-Modified", formatdate(mtime, usegmt=True))
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            fresh = inm == headers["ETag"] if inm else False
            if not inm and ims:
                try:
                    fresh = parsedate_to_datetime(ims).timestamp() >= int(mtime)
                except (TypeError, ValueError):
                    fresh = False
            if fresh:
                self._send(304, b"", {"ETag": headers["ETag"], "Content-Length": "0"})
            return fresh

        def _route(self, path: str, query: dict[str, list[str]], hits: int) -> None:
            if path == "/robots.txt":
                if site.robots is None:
                    return self._send(404, b"not found")
                if isinstance(site.robots, int):
                    return self._send(site.robots, b"robots.txt unavailable")
                return self._send(200, site.robots.encode(), {"Content-Type": "text/plain"})
            if path in site.pages:
                reply = site.pages[path]
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                headers = dict(reply.headers)
                if reply.conditional and 200 <= reply.status < 300:
                    if self._conditional(reply.body, 1_700_000_000, headers):
                        return None
                return self._send(reply.status, reply.body, headers)
            if path.startswith("/status/"):  # /status/503?retry_after=1&times=2 then 200
                code = int(path.split("/")[2])
                times = int(query.get("times", ["1000000"])[0])
                if hits > times:
                    return self._send(
                        200,
                        b"<html><body><p>recovered</p></body></html>",
                        {"Content-Type": "text/html"},
                    )
                headers = {"Content-Type": "text/plain"}
                if "retry_after" in query:
                    headers["Retry-After"] = query["retry_after"][0]
                return self._send(code, f"status {code}".encode(), headers)
            if path.startswith("/chain/"):  # /chain/3/target/path -> 3 redirects then /target/path
                _, _, n, rest = path.split("/", 3)
                target = f"/chain/{int(n) - 1}/{rest}" if int(n) > 1 else "/" + rest
                return self._send(301 if int(n) % 2 else 302, b"", {"Location": target})
            if path.startswith("/loop/"):
                other = "/loop/b" if path == "/loop/a" else "/loop/a"
                return self._send(302, b"", {"Location": other})
            if path == "/redirect":
                return self._send(302, b"", {"Location": query["to"][0]})
            if path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(600):
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                    time.sleep(0.1)
                return None
            if path == "/endless":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>more and more text</p>" * 4000
                for _ in range(100_000):
                    self.wfile.write(chunk)
                return None
            if path == "/bomb":
                # 100 MB of spaces inside a ~100 KB gzip body
                body = _bomb()
                return self._send(
                    200, body, {"Content-Type": "text/html", "Content-Encoding": "gzip"}
                )
            if path.startswith("/data/") and site.data_root is not None:
                return self._file(site.data_root / path[len("/data/") :])
            return self._send(404, b"not found", {"Content-Type": "text/plain"})

        def _file(self, file: Path) -> None:
            if not file.is_file():
                return self._send(404, b"not found", {"Content-Type": "text/plain"})
            body = file.read_bytes()
            name = file.name
            headers: dict[str, str] = {}
            if name.endswith(".gz") and not name.endswith(".xml.gz"):
                headers["Content-Encoding"] = "gzip"  # .html.gz pages travel compressed
                name = name[:-3]
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            headers["Content-Type"] = "application/xml" if ctype == "text/xml" else ctype
            if self._conditional(body, file.stat().st_mtime, headers):
                return None
            return self._send(200, body, headers)

    return Handler


_BOMB: list[bytes] = []


def _bomb() -> bytes:
    if not _BOMB:
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
            block = b" " * (1024 * 1024)
            for _ in range(100):
                gz.write(block)
        _BOMB.append(out.getvalue())
    return _BOMB[0]


@contextmanager
def serve(data_root: Path | None = None) -> Iterator[Site]:
    """Run a misbehaving server on 127.0.0.1 in a thread; yields its Site."""
    site = Site(data_root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.release.set()
        server.shutdown()
        server.server_close()
