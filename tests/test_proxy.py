"""An explicit proxy (``fetch.proxy``): requests go through it, and the destination guard still
applies to what it is asked for. The proxy is a small forwarding HTTP proxy on 127.0.0.1 that
records every URL it is asked for (and every ``CONNECT host:port`` tunnel); the pages come from the
local corpus server behind it, or from a TLS server on 127.0.0.1 whose certificate is signed by an
authority made here (``fetch.ca_bundle``)."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import selectors
import socket
import ssl
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

    def do_CONNECT(self):  # noqa: N802 - the base class's name
        # A tunnel, as a proxy gives for https: the bytes are relayed, TLS runs end to end.
        self.server.asked.append(f"CONNECT {self.path}")
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=5)
        except (OSError, ValueError):
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        with upstream, selectors.DefaultSelector() as selector:
            selector.register(self.connection, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, self.connection)
            for _ in range(10_000):  # bounded: a test's tunnel carries a few records
                events = selector.select(timeout=5)
                if not events:
                    return
                for key, _ in events:
                    try:
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        key.data.sendall(data)
                    except OSError:
                        return

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


def _authority_and_certificate(folder):
    """A certificate authority and a certificate for ``localhost`` it signs, as PEM files."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, public_key, signing_key, extensions):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    def usage(*granted):
        flags = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment")
        flags += ("key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
        return x509.KeyUsage(**{flag: flag in granted for flag in flags}), True

    authority = "guillemet test authority"
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_extensions = [(x509.BasicConstraints(ca=True, path_length=0), True), usage("key_cert_sign", "crl_sign")]
    ca = build(authority, authority, ca_key.public_key(), ca_key, ca_extensions)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server_extensions = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectAlternativeName(names), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        usage("digital_signature"),
    ]
    certificate = build("localhost", authority, key.public_key(), ca_key, server_extensions)
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert_file, key_file):
        self.hits = 0
        super().__init__(("127.0.0.1", 0), _TlsHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        # The handshake runs on accept; a client that refuses the certificate is an OSError there,
        # which the server drops.
        self.socket = context.wrap_socket(self.socket, server_side=True)


class _TlsHandler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - the base class's name
        self.server.hits += 1
        body = "<p>Bonjour à travers le tunnel</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    ca_file, cert_file, key_file = _authority_and_certificate(tmp_path_factory.mktemp("tls"))
    running = _TlsServer(cert_file, key_file)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running, str(ca_file)
    running.shutdown()
    running.server_close()


def test_https_goes_through_a_connect_tunnel_verified_end_to_end(proxy, tls):
    server, ca_bundle = tls
    port = server.server_address[1]
    proxy.asked.clear()
    settings = FetchSettings(
        allow_private_hosts=("localhost",), proxy=f"http://127.0.0.1:{proxy.port}", ca_bundle=ca_bundle, **FAST
    )
    page = fetch(f"https://localhost:{port}/ok.html", settings)
    assert page.status == 200 and "à travers le tunnel" in page.content.decode()
    # The proxy saw a tunnel to the name, never the URL: the request itself went inside TLS.
    assert proxy.asked == [f"CONNECT localhost:{port}"] and server.hits == 1


def test_the_authority_also_serves_direct_https(proxy, tls):
    server, ca_bundle = tls
    port = server.server_address[1]
    proxy.asked.clear()
    hits = server.hits
    settings = FetchSettings(allow_private_hosts=("localhost",), ca_bundle=ca_bundle, **FAST)
    page = fetch(f"https://localhost:{port}/ok.html", settings)
    assert page.status == 200 and server.hits == hits + 1 and proxy.asked == []
    with pytest.raises(FetchError, match="SSLError"):
        fetch(f"https://localhost:{port}/ok.html", FetchSettings(allow_private_hosts=("localhost",), **FAST))


def test_through_the_tunnel_the_certificate_is_still_verified(proxy, tls):
    server, _ = tls
    port = server.server_address[1]
    proxy.asked.clear()
    hits = server.hits
    # Without the authority, the default ones (certifi) do not know this certificate.
    settings = FetchSettings(allow_private_hosts=("localhost",), proxy=f"http://127.0.0.1:{proxy.port}", **FAST)
    with pytest.raises(FetchError, match="SSLError"):
        fetch(f"https://localhost:{port}/ok.html", settings)
    assert proxy.asked == [f"CONNECT localhost:{port}"] and server.hits == hits


@pytest.mark.parametrize(
    ("host", "allow", "reason"),
    [
        ("localhost", ("127.0.0.1",), "destination refused: localhost resolves to 127.0.0.1"),
        ("127.0.0.1", ("localhost",), "destination refused: 127.0.0.1 is a non-public address"),
    ],
    ids=["name-to-loopback", "loopback-literal"],
)
def test_an_https_target_is_checked_before_the_proxy_is_asked(proxy, tls, host, allow, reason):
    server, ca_bundle = tls
    port = server.server_address[1]
    proxy.asked.clear()
    hits = server.hits
    settings = FetchSettings(
        allow_private_hosts=allow, proxy=f"http://127.0.0.1:{proxy.port}", ca_bundle=ca_bundle, **FAST
    )
    with pytest.raises(FetchError, match=reason):
        fetch(f"https://{host}:{port}/ok.html", settings)
    assert proxy.asked == [] and server.hits == hits


def test_a_ca_bundle_that_holds_no_certificate_is_refused(tls, tmp_path):
    _, ca_bundle = tls
    text = "name: t\noutput: out\nfeeds: [{{url: https://example.fr/rss.xml}}]\nfetch: {{ca_bundle: '{}'}}\n"
    assert parse_config(text.format(ca_bundle), "p.yaml").fetch.settings().ca_bundle == ca_bundle
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello\n", encoding="utf-8")
    for value, reason in [
        (tmp_path / "missing.pem", "is not a file"),
        (tmp_path, "is not a file"),
        (not_pem, "holds no usable PEM certificate"),
    ]:
        with pytest.raises(ConfigError, match=f"fetch.ca_bundle: .*{reason}"):
            parse_config(text.format(value), "p.yaml")
