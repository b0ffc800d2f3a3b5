"""A small HTTP server on the loopback interface that serves a corpus of feeds and pages.

The demo profile and the tests use it so that every run goes through the real fetch path (sockets,
headers, encodings, redirects, errors), never through files read directly. Files are served from a
folder; the literal ``{{BASE_URL}}`` in them becomes the server's own address, so feeds can link to
their pages. A ``_routes.yaml`` in the folder can make paths misbehave (status codes, delays,
redirects, huge bodies) for tests. Files are served with an ``ETag`` and a ``Last-Modified`` and
answer conditional requests with ``304 Not Modified``, as news sites' feeds do.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
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
    """How one path misbehaves."""

    status: int | None = None
    delay_s: float = 0.0
    redirect: str | None = None
    body_bytes: int | None = None
    content_type: str | None = None
    headers: dict | None = None


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


class CorpusServer:
    """Serves a corpus folder on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"corpus folder not found: {self.root}")
        self.routes: dict[str, Route] = {}
        routes_file = self.root / "_routes.yaml"
        if routes_file.exists():
            for path, spec in (yaml.safe_load(routes_file.read_text(encoding="utf-8")) or {}).items():
                self.routes[path] = Route(**spec)
        self.hits: Counter[str] = Counter()
        self.last_headers: dict[str, dict[str, str]] = {}
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
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
                server.hits[path] += 1
                server.last_headers[path] = dict(self.headers.items())
                route = server.routes.get(path, Route())
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
                if route.body_bytes is not None:
                    body = b"x" * route.body_bytes
                    content_type = route.content_type or "text/html; charset=utf-8"
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
                    route = replace(route, headers={**validators, **(route.headers or {})})
                self.send_response(route.status or 200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (route.headers or {}).items():
                    self.send_header(key, str(value))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
