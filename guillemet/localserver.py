"""A small HTTP server on the loopback interface that serves a corpus of feeds and pages.

The demo profile and the tests use it so that every run goes through the real fetch path (sockets,
headers, encodings, redirects, errors), never through files read directly. Files are served from a
folder; the literal ``{{BASE_URL}}`` in them becomes the server's own address, so feeds can link to
their pages. A ``_routes.yaml`` in the folder (or the ``routes`` argument) can make paths
misbehave for tests: status codes (for the first hits only, with ``fail_times``), delays before
answering, redirects, huge bodies, gzip bombs, bytes dripped slowly, connection resets and a
missing Content-Type. Files are served
with an ``ETag`` and a ``Last-Modified`` and answer conditional requests with ``304 Not Modified``,
as news sites' feeds do.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import logging
import socket
import struct
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import yaml

_LOGGER = logging.getLogger(__name__)

BASE_URL_MARKER = b"{{BASE_URL}}"

_CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


@dataclass(frozen=True)
class Route:
    """How one path misbehaves.

    Attributes:
        status: The status to answer (an error gets a short text body).
        fail_times: When set, ``status`` is answered to the first that many hits only; later
            hits get the file (a server that recovers).
        delay_s: Seconds of silence before answering (longer than the read timeout: no response).
        redirect: Where to redirect to (``status`` defaults to 302).
        body_bytes: Answer that many bytes of filler instead of a file.
        gzip_bytes: Answer that many zero bytes, gzip-compressed (``Content-Encoding: gzip``).
        encoding: With ``gzip_bytes``, the Content-Encoding to use instead: ``deflate`` (zlib), or
            ``gzip, gzip`` (compressed twice: a bomb inside a bomb).
        drip_s: Send the body one byte every ``drip_s`` seconds.
        reset: Close the connection with a TCP reset instead of answering.
        content_type: The Content-Type to send; an empty string sends none.
        headers: More headers to send.
    """

    status: int | None = None
    fail_times: int | None = None
    delay_s: float = 0.0
    redirect: str | None = None
    body_bytes: int | None = None
    gzip_bytes: int | None = None
    encoding: str = "gzip"
    drip_s: float | None = None
    reset: bool = False
    content_type: str | None = None
    headers: dict | None = None


@functools.lru_cache(maxsize=8)
def _gzip_of_zeros(size: int, encoding: str = "gzip") -> bytes:
    if encoding == "deflate":
        return zlib.compress(bytes(size), 9)
    if encoding == "gzip, gzip":
        return gzip.compress(_gzip_of_zeros(size), compresslevel=9)
    return gzip.compress(bytes(size), compresslevel=9)


def bundled_corpus(name: str) -> Path:
    """The folder of a corpus shipped inside the package (``bundled:demo``)."""
    return Path(str(resources.files("guillemet") / name / "corpus"))


def resolve_root(root: str, base_dir: str | None = None) -> Path:
    """Resolves a ``serve.root`` value: ``bundled:NAME`` or a folder relative to ``base_dir``."""
    if root.startswith("bundled:"):
        return bundled_corpus(root.split(":", 1)[1])
    path = Path(root)
    if not path.is_absolute() and base_dir:
        path = Path(base_dir) / path
    return path


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Clients that give up (timeouts, size caps) are what the tests are about: not an error.
        _LOGGER.debug("corpus server: client %s went away", client_address, exc_info=True)


class CorpusServer:
    """Serves a corpus folder on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0, routes: dict | None = None):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"corpus folder not found: {self.root}")
        self.routes: dict[str, Route] = {}
        routes_file = self.root / "_routes.yaml"
        specs = dict(yaml.safe_load(routes_file.read_text(encoding="utf-8")) or {}) if routes_file.exists() else {}
        for path, spec in {**specs, **(routes or {})}.items():
            self.routes[path] = Route(**spec)
            if self.routes[path].gzip_bytes:
                _gzip_of_zeros(
                    self.routes[path].gzip_bytes, self.routes[path].encoding
                )  # compressed now, not while a client waits
        self.hits: Counter[str] = Counter()
        self.hit_times: defaultdict[str, list[float]] = defaultdict(list)
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        self.last_headers: dict[str, dict[str, str]] = {}
        self._stop = threading.Event()
        self._httpd = _QuietServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}" if ":" not in str(host) else f"http://[{host}]:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> CorpusServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="guillemet-corpus-server", daemon=True)
        self._thread.start()
        _LOGGER.info("serving %s at %s", self.root, self.base_url)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> CorpusServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "guillemet-corpus/1"

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                _LOGGER.debug("corpus server: " + format, *args)

            def _not_modified(self, validators: dict[str, str]) -> bool:
                # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts without it.
                if_none_match = self.headers.get("If-None-Match")
                if if_none_match is not None:
                    return validators["ETag"] in [tag.strip() for tag in if_none_match.split(",")]
                since = self.headers.get("If-Modified-Since")
                if since is None:
                    return False
                try:
                    return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(
                        validators["Last-Modified"]
                    )
                except (TypeError, ValueError):
                    return False

            def do_GET(self):  # noqa: N802 - the base class's name
                path = urlsplit(self.path).path
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
                with server._count_lock:
                    server.hits[path] += 1
                    hit = server.hits[path]
                    server.hit_times[path].append(time.monotonic())
                    server.in_flight[host] += 1
                    server.most_in_flight[host] = max(server.most_in_flight[host], server.in_flight[host])
                server.last_headers[path] = dict(self.headers.items())
                try:
                    self._answer(path, server.routes.get(path, Route()), hit)
                finally:
                    with server._count_lock:
                        server.in_flight[host] -= 1

            def _answer(self, path: str, route: Route, hit: int) -> None:
                if route.fail_times is not None and hit > route.fail_times:
                    route = Route(content_type=route.content_type)  # recovered
                if route.reset:
                    # SO_LINGER with a zero timeout: close() sends a TCP reset, not a clean end.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if route.delay_s:
                    # Sleep in small steps so that stopping the server is not held up.
                    deadline = time.monotonic() + route.delay_s
                    while time.monotonic() < deadline and not server._stop.is_set():
                        time.sleep(0.05)
                if route.redirect:
                    self.send_response(route.status or 302)
                    self.send_header("Location", route.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                extra_headers = dict(route.headers or {})
                if route.body_bytes is not None:
                    body = b"x" * route.body_bytes
                    content_type = route.content_type or "text/html; charset=utf-8"
                elif route.gzip_bytes is not None:
                    body = _gzip_of_zeros(route.gzip_bytes, route.encoding)
                    content_type = route.content_type or "text/html; charset=utf-8"
                    extra_headers["Content-Encoding"] = route.encoding
                elif route.status and route.status >= 400:
                    body = f"error {route.status}".encode()
                    content_type = "text/plain"
                else:
                    file = (server.root / path.lstrip("/")).resolve()
                    if server.root not in file.parents or not file.is_file() or file.name.startswith("_"):
                        self.send_error(404, "Not Found")
                        return
                    raw = file.read_bytes()
                    # The validators follow the file, not the port its links are rewritten to: the
                    # same corpus served again on another port is the same feed.
                    validators = {
                        "ETag": '"' + hashlib.sha256(raw).hexdigest()[:16] + '"',
                        "Last-Modified": email.utils.formatdate(int(file.stat().st_mtime), usegmt=True),
                    }
                    if route.status is None and self._not_modified(validators):
                        self.send_response(304)
                        for key, value in validators.items():
                            self.send_header(key, value)
                        self.end_headers()
                        return
                    body = raw.replace(BASE_URL_MARKER, server.base_url.encode("ascii"))
                    content_type = route.content_type or _CONTENT_TYPES.get(file.suffix, "application/octet-stream")
                    extra_headers = {**validators, **extra_headers}
                self.send_response(route.status or 200)
                if route.content_type != "":
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in extra_headers.items():
                    self.send_header(key, str(value))
                self.end_headers()
                try:
                    if route.drip_s:
                        for position in range(len(body)):
                            if server._stop.is_set():
                                break
                            self.wfile.write(body[position : position + 1])
                            self.wfile.flush()
                            time.sleep(route.drip_s)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
