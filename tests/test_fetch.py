"""fetch() against a real HTTP server on 127.0.0.1."""

import tracemalloc

import pytest
import yaml

from guillemet.errors import FetchError
from guillemet.fetch import FetchSettings, fetch, is_public_address
from guillemet.localserver import CorpusServer

LOCAL = ("127.0.0.1",)
FAST = FetchSettings(
    connect_timeout_s=2,
    read_timeout_s=0.5,
    total_timeout_s=3,
    retries=2,
    backoff_s=0.01,
    max_bytes=10_000,
    allow_private_hosts=LOCAL,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    (root / "ok.html").write_text("<html><body><p>Bonjour</p></body></html>", encoding="utf-8")
    (root / "feed.xml").write_bytes(b"<rss/>")
    (root / "drip.html").write_bytes(b"<p>" + b"goutte " * 300 + b"</p>")
    routes = {
        "/missing-on-purpose.html": {"status": 404},
        "/unavailable.html": {"status": 503},
        "/busy.html": {"status": 429, "headers": {"Retry-After": "1"}},
        "/very-busy.html": {"status": 429, "headers": {"Retry-After": "3600"}},
        "/slow.html": {"delay_s": 2},
        "/big.html": {"body_bytes": 50_000},
        "/moved.html": {"redirect": "/ok.html", "status": 301},
        "/loop-a.html": {"redirect": "/loop-b.html"},
        "/loop-b.html": {"redirect": "/loop-a.html"},
        "/to-other-loopback.html": {"redirect": "http://127.0.0.2:9/private"},
        "/drip.html": {"drip_s": 0.05},
        "/bomb.html": {"gzip_bytes": 20_000_000},
        "/deflate-bomb.html": {"gzip_bytes": 20_000_000, "encoding": "deflate"},
        "/double-bomb.html": {"gzip_bytes": 200_000_000, "encoding": "gzip, gzip"},
        "/reset.html": {"reset": True},
    }
    (root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")
    with CorpusServer(root) as running:
        yield running


def test_ok_body_and_headers(server):
    result = fetch(server.url("/ok.html"), FAST)
    assert result.status == 200
    assert b"Bonjour" in result.content
    assert result.encoding == "utf-8"
    assert result.attempts == 1
    assert result.fetched_at.endswith("Z")


def test_user_agent_identifies_us(server):
    fetch(server.url("/feed.xml"), FAST)
    assert server.last_headers["/feed.xml"]["User-Agent"].startswith("guillemet/0.")
    custom = FetchSettings(user_agent="newsroom-bot/2 (+mailto:tech@example.org)", allow_private_hosts=LOCAL)
    fetch(server.url("/feed.xml"), custom)
    assert server.last_headers["/feed.xml"]["User-Agent"] == "newsroom-bot/2 (+mailto:tech@example.org)"


def test_404_is_not_retried(server):
    before = server.hits["/missing-on-purpose.html"]
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetch(server.url("/missing-on-purpose.html"), FAST)
    assert caught.value.status == 404
    assert server.hits["/missing-on-purpose.html"] - before == 1


def test_503_is_retried_with_backoff(server):
    waits = []
    before = server.hits["/unavailable.html"]
    with pytest.raises(FetchError, match="HTTP 503") as caught:
        fetch(server.url("/unavailable.html"), FAST, sleep=waits.append)
    assert server.hits["/unavailable.html"] - before == 3
    assert caught.value.attempts == 3
    assert len(waits) == 2 and waits[1] > waits[0]


def test_retry_after_is_honoured(server):
    waits = []
    with pytest.raises(FetchError, match="HTTP 429"):
        fetch(server.url("/busy.html"), FAST, sleep=waits.append)
    assert waits == [1.0, 1.0]


def test_retry_after_beyond_the_longest_wait_gives_up(server):
    waits = []
    with pytest.raises(FetchError, match="Retry-After 3600"):
        fetch(server.url("/very-busy.html"), FAST, sleep=waits.append)
    assert waits == []


def test_timeout_after_retries(server):
    settings = FetchSettings(read_timeout_s=0.3, retries=1, backoff_s=0.01, allow_private_hosts=LOCAL)
    with pytest.raises(FetchError, match="timeout") as caught:
        fetch(server.url("/slow.html"), settings)
    assert caught.value.attempts == 2


def test_size_cap(server):
    with pytest.raises(FetchError, match="too large"):
        fetch(server.url("/big.html"), FAST)


def test_redirect_is_followed_and_final_url_kept(server):
    result = fetch(server.url("/moved.html"), FAST)
    assert result.final_url == server.url("/ok.html")
    assert result.requested_url == server.url("/moved.html")


def test_redirect_loop(server):
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/loop-a.html"), FAST)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="unsupported URL scheme"):
        fetch(url, FAST)


def test_connection_refused_is_a_fetch_error():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection error"):
        fetch(f"http://127.0.0.1:{port}/", FetchSettings(retries=0, allow_private_hosts=LOCAL))


# Only loopback addresses are fetched here: the refusal happens before any connection, and were it
# ever broken, the attempt would still stay on this machine.
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/", "http://127.0.0.2:9/"]
)
def test_private_destinations_are_refused_by_default(url):
    with pytest.raises(FetchError, match="destination refused"):
        fetch(url, FetchSettings(retries=0))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("127.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1", False),
        ("224.0.0.1", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_address_classification(address, public):
    assert is_public_address(address) is public


def test_redirects_to_private_destinations_are_refused(server):
    # The server's own address is allowed; where it redirects is checked again.
    with pytest.raises(FetchError, match="destination refused"):
        fetch(server.url("/to-other-loopback.html"), FAST)


def test_only_hosts_refuses_everything_else_before_any_lookup(server):
    settings = FetchSettings(retries=0, allow_private_hosts=LOCAL, only_hosts=LOCAL)
    assert fetch(server.url("/ok.html"), settings).status == 200
    with pytest.raises(FetchError, match="not among the hosts to fetch"):
        fetch("https://www.lemonde.fr/rss/une.xml", settings)


def test_a_dripping_body_is_cut_at_the_total_time_cap(server):
    # Each byte comes well within the read timeout; only the total cap can end this.
    settings = FetchSettings(read_timeout_s=1, total_timeout_s=1, retries=2, allow_private_hosts=LOCAL)
    with pytest.raises(FetchError, match=r"total time cap") as caught:
        fetch(server.url("/drip.html"), settings)
    assert caught.value.attempts == 1  # a server that drips once drips again: not retried


def test_dripping_headers_are_cut_at_the_total_time_cap():
    # A raw server that answers the status line, then one header byte at a time, for ever.
    import socket
    import threading
    import time

    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.is_set():
                try:
                    connection.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    settings = FetchSettings(read_timeout_s=1, total_timeout_s=1, retries=0, allow_private_hosts=LOCAL)
    try:
        with pytest.raises(FetchError, match=r"total time cap"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", settings)
    finally:
        stop.set()
        listener.close()


def test_a_gzip_bomb_stops_at_the_cap(server):
    with pytest.raises(FetchError, match="after decompression"):
        fetch(server.url("/bomb.html"), FetchSettings(max_bytes=100_000, retries=0, allow_private_hosts=LOCAL))


@pytest.mark.parametrize("path", ["/bomb.html", "/deflate-bomb.html", "/double-bomb.html"])
def test_a_decompression_bomb_is_never_expanded_into_memory(server, path):
    # The decompression is streamed (urllib3 >= 2.6 decodes at most what each read asks for), so
    # the memory a bomb costs is bounded by the cap, not by what the body would expand to (20 MB,
    # 200 MB for the gzip inside a gzip, whose compressed body is about 200 bytes).
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="more than 1000000 bytes after decompression"):
            fetch(server.url(path), FetchSettings(max_bytes=1_000_000, retries=0, allow_private_hosts=LOCAL))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000


def test_a_connection_reset_is_retried_then_a_dead_letter_reason(server):
    before = server.hits["/reset.html"]
    with pytest.raises(FetchError, match="connection error") as caught:
        fetch(server.url("/reset.html"), FAST)
    assert server.hits["/reset.html"] - before == 3
    assert caught.value.attempts == 3
