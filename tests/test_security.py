"""guillemet cannot be turned against its own network, nor read local files through a feed.

Every request here goes to 127.0.0.1 or is refused before any packet leaves. The DNS-rebinding
test replaces the resolver (there is no DNS server to rebind here) and the socket opener, which
refuses anything but loopback, to see which address is checked and which is connected to.
"""

import socket

import pytest
import urllib3
import yaml

from guillemet.errors import FeedError, FetchError
from guillemet.feeds import parse_feed
from guillemet.fetch import FetchSettings, fetch
from guillemet.localserver import CorpusServer, Route

FAST = dict(connect_timeout_s=1, read_timeout_s=1, total_timeout_s=3, retries=0, backoff_s=0.01)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("security")
    (root / "ok.html").write_text("<p>Bonjour</p>", encoding="utf-8")
    with CorpusServer(root) as running:
        # The redirect to localhost needs the port, known once the server listens.
        running.routes["/to-localhost.html"] = Route(redirect=f"http://localhost:{_port(running)}/ok.html")
        running.routes["/to-metadata.html"] = Route(redirect="http://169.254.169.254/latest/meta-data/")
        running.routes["/to-file.html"] = Route(redirect="file:///etc/passwd")
        yield running


def _port(server) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


def test_a_name_resolving_to_loopback_is_refused_unless_allowed_by_name(server):
    url = f"http://localhost:{_port(server)}/ok.html"
    before = server.hits["/ok.html"]
    # 127.0.0.1 is allowed, but allowing an address does not allow every name that resolves to it.
    with pytest.raises(FetchError, match="destination refused: localhost resolves to"):
        fetch(url, FetchSettings(allow_private_hosts=("127.0.0.1",), **FAST))
    assert server.hits["/ok.html"] == before
    assert fetch(url, FetchSettings(allow_private_hosts=("localhost",), **FAST)).status == 200


@pytest.mark.parametrize("path", ["/to-localhost.html", "/to-metadata.html"])
def test_redirects_are_checked_again(server, path):
    with pytest.raises(FetchError, match="destination refused"):
        fetch(server.url(path), FetchSettings(allow_private_hosts=("127.0.0.1",), **FAST))


def test_a_redirect_to_a_file_is_not_followed(server):
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/to-file.html"), FetchSettings(allow_private_hosts=("127.0.0.1",), **FAST))
    assert "root:" not in str(caught.value)


@pytest.fixture
def connections(monkeypatch):
    """Records every address a socket is opened to; refuses all but loopback, so nothing leaves."""
    opened: list[str] = []
    real = urllib3.util.connection.create_connection

    def loopback_only(address, *args, **kwargs):
        opened.append(address[0])
        if address[0] not in ("127.0.0.1", "::1"):
            raise ConnectionRefusedError(f"test: not connecting to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", loopback_only)
    return opened


def test_dns_rebinding_the_address_checked_is_the_address_connected_to(server, monkeypatch, connections):
    # rebind.test answers a public address first, then loopback: a check that resolves apart from
    # the connection would pass the first answer and connect to the second.
    answers = iter(["8.8.8.8", "127.0.0.1", "127.0.0.1"])
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    before = server.hits["/ok.html"]
    with pytest.raises(FetchError, match="connection error"):
        fetch(f"http://rebind.test:{_port(server)}/ok.html", FetchSettings(**FAST))
    assert lookups == ["rebind.test"]  # resolved once
    assert connections == ["8.8.8.8"]  # and the checked address is the one connected to
    assert server.hits["/ok.html"] == before


def test_metadata_and_private_literals_are_refused_before_any_connection(connections):
    for url in ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fd00::1]/"]:
        with pytest.raises(FetchError, match="destination refused"):
            fetch(url, FetchSettings(**FAST))
    assert connections == []


def test_only_http_and_https_even_when_allowed(connections):
    with pytest.raises(FetchError, match="unsupported URL scheme"):
        fetch("file:///etc/passwd", FetchSettings(allow_private_hosts=("127.0.0.1", ""), **FAST))
    assert connections == []


def test_proxies_from_the_environment_are_not_used(server, monkeypatch):
    # Through a proxy, the address checked would be the proxy's: guillemet connects directly.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    settings = FetchSettings(allow_private_hosts=("127.0.0.1",), user_agent="proxy-test", **FAST)
    assert fetch(server.url("/ok.html"), settings).status == 200


SECRET_PATH = "/etc/hostname"


def _entity_feeds() -> dict[str, bytes]:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    item = "<item><title>{title}</title><link>http://127.0.0.1/a</link></item></channel></rss>"
    one_line = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{laughs}]><rss version="2.0"><channel>'
        + item.format(title="&l9;")
    )
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{SECRET_PATH}">]>'
        '<rss version="2.0"><channel>' + item.format(title="&x;")
    )
    parameter = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "file://{SECRET_PATH}">\n%p;\n]>\n'
        '<rss version="2.0"><channel>' + item.format(title="t")
    )
    return {
        "billion laughs on one line": one_line.encode(),
        "billion laughs on lines": one_line.replace("<!ENTITY", "\n<!ENTITY").encode(),
        "external entity": xxe.encode(),
        "parameter entity": parameter.encode(),
        "external entity in UTF-16": xxe.replace('"?>', '" encoding="utf-16"?>').encode("utf-16"),
    }


@pytest.mark.parametrize("name", list(_entity_feeds()))
def test_feeds_declaring_entities_are_refused(name):
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(_entity_feeds()[name], "http://127.0.0.1/feed.xml")


def test_a_doctype_without_entities_still_parses():
    rss091 = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel><title>T</title>'
        b"<item><title>Un</title><link>http://127.0.0.1/a</link></item></channel></rss>"
    )
    parsed = parse_feed(rss091, "http://127.0.0.1/feed.xml")
    assert [entry.title for entry in parsed.entries] == ["Un"]


def test_routes_file_is_not_served(tmp_path):
    (tmp_path / "_routes.yaml").write_text(yaml.safe_dump({"/x": {"status": 404}}), encoding="utf-8")
    with CorpusServer(tmp_path) as running, pytest.raises(FetchError, match="HTTP 404"):
        fetch(running.url("/_routes.yaml"), FetchSettings(allow_private_hosts=("127.0.0.1",), **FAST))
