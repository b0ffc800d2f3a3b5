"""An explicit proxy (``fetch.proxy``): requests go through it, and the destination guard still
applies to what it is asked for. The proxy is a small forwarding HTTP proxy on 127.0.0.1 that
records every URL it is asked for; the pages come from the local corpus server behind it."""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from guillemet.config import parse_config
from guillemet.errors import ConfigError, FetchError
from guillemet.fetch import FetchSettings, fetch
from guillemet.localserver import CorpusServer, Route

FAST = dict(connect_timeout_s=1, read_timeout_s=5, total_timeout_s=1.5, retries=0, backoff_s=0.01)
_DRIP_BYTES = 100
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.asked: list[str] = []
        self.dripped = 0
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]


class _ProxyHandler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - the base class's name
        self.server.asked.append(self.path)
        target = urlsplit(self.path)
        if target.path == "/proxy-drips":
            # A proxy that answers one header byte at a time, for ever: only a total deadline ends it.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            self.server.dripped = 0
            try:
                for _ in range(_DRIP_BYTES):
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    self.server.dripped += 1
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client cut the connection
            return
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=5)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
        response = upstream.getresponse()
        body = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def proxy():
    running = _Proxy()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("proxied")
    (root / "ok.html").write_text("<p>Bonjour par le mandataire</p>", encoding="utf-8")
    with CorpusServer(root) as running:
        port = running.base_url.rsplit(":", 1)[1]
        running.routes["/to-localhost.html"] = Route(redirect=f"http://localhost:{port}/ok.html")
        yield running


def _still_dripping(proxy) -> bool:
    before = proxy.dripped
    time.sleep(0.3)
    return proxy.dripped != before


def _settings(proxy_url: str, **more) -> FetchSettings:
    return FetchSettings(allow_private_hosts=("127.0.0.1",), proxy=proxy_url, **{**FAST, **more})


def test_requests_go_through_the_proxy(proxy, server):
    proxy.asked.clear()
    hits = server.hits["/ok.html"]
    # The proxy is named "localhost", a loopback name not allowed: the proxy is the operator's,
    # only what it is asked for is checked.
    page = fetch(server.url("/ok.html"), _settings(f"http://localhost:{proxy.port}"))
    assert page.status == 200 and "mandataire" in page.content.decode()
    assert proxy.asked == [server.url("/ok.html")] and server.hits["/ok.html"] == hits + 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://localhost:{port}/ok.html", "destination refused: localhost resolves to 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "destination refused: 169.254.169.254 is a non-public address"),
        ("http://10.0.0.7/admin", "destination refused: 10.0.0.7 is a non-public address"),
    ],
    ids=["name-to-loopback", "metadata", "private-literal"],
)
def test_the_destination_guard_applies_to_what_the_proxy_is_asked_for(proxy, server, url, reason):
    proxy.asked.clear()
    port = server.base_url.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match=reason):
        fetch(url.format(port=port), _settings(f"http://127.0.0.1:{proxy.port}"))
    assert proxy.asked == []  # refused before the proxy was asked


def test_a_redirect_through_the_proxy_is_checked_again(proxy, server):
    proxy.asked.clear()
    with pytest.raises(FetchError, match="destination refused: localhost resolves to"):
        fetch(server.url("/to-localhost.html"), _settings(f"http://127.0.0.1:{proxy.port}"))
    assert proxy.asked == [server.url("/to-localhost.html")]


def test_a_proxy_that_drips_is_cut_at_the_total_time_cap(proxy, server):
    with pytest.raises(FetchError, match="timeout"):
        fetch(server.url("/proxy-drips"), _settings(f"http://127.0.0.1:{proxy.port}"))
    # The socket to the proxy was shut down at the cap (1.5 s, ~15 bytes), not read to the end.
    for _ in range(100):
        if proxy.dripped < _DRIP_BYTES and not _still_dripping(proxy):
            break
    assert proxy.dripped < _DRIP_BYTES // 2


@pytest.mark.parametrize("value", ["ftp://proxy.example:21", "proxy.example:3128", "http://p.example/x", "http://"])
def test_a_proxy_setting_that_is_not_a_proxy_url_is_refused(value):
    text = f"name: t\noutput: out\nfeeds: [{{url: https://example.fr/rss.xml}}]\nfetch: {{proxy: '{value}'}}\n"
    with pytest.raises(ConfigError, match="fetch.proxy: .*must be an http"):
        parse_config(text, "p.yaml")
    assert parse_config(text.replace(value, "http://proxy.example:3128"), "p.yaml").fetch.settings().proxy
