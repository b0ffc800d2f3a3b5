"""Fetching bytes over HTTP: the only module of the core that touches the network.

``fetch`` returns the body of one URL or raises ``FetchError`` with a reason a person can act on.
It bounds everything an unknown server could make unbounded: connect and read timeouts, a total
deadline (a server that drips one byte a second), the number of redirects, the size of the body
after decompression (a gzip bomb stops at the cap) and the number of retries, with exponential
backoff that honours ``Retry-After``. Parsing is left to pure functions elsewhere.

Destinations are checked where the socket is opened: the host name is resolved once, every address
is checked, and the connection goes to a checked address, never to the name again, so a DNS answer
that changes between the check and the connection (DNS rebinding) cannot reach a private address.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from guillemet import __version__
from guillemet.errors import FetchError
from guillemet.records import FetchResult

_LOGGER = logging.getLogger(__name__)

DEFAULT_USER_AGENT = f"guillemet/{__version__} (French news research pipeline; +https://pypi.org/project/guillemet/)"

# Statuses worth another try: the server says "later" or failed in a way that may pass.
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: every limit that protects a run from a misbehaving server.

    Attributes:
        connect_timeout_s: Seconds to wait for the TCP/TLS connection.
        read_timeout_s: Seconds to wait for any byte once connected.
        total_timeout_s: Seconds for the whole response, body included.
        retries: How many times to try again after a retryable failure.
        backoff_s: First backoff; doubled at each retry, with jitter.
        max_backoff_s: Upper bound of one wait, ``Retry-After`` included.
        max_bytes: Largest body accepted, counted after decompression.
        max_redirects: Longest redirect chain followed.
        user_agent: Sent with every request, so publishers can identify us.
        allow_private_hosts: Host names (as written in the URL, an IP literal included) that may
            resolve to private, loopback or link-local addresses (the local demo server). Every
            other such destination is refused, also after a redirect and whatever the DNS
            answers, so that a feed cannot point guillemet at its own network or a cloud
            metadata service.
        only_hosts: When not empty, the only hosts fetched; any other is refused before any
            lookup (a crawl kept to some sites, or a test kept off the internet).
        per_host_concurrency: Requests in flight at once to one host, per worker process
            (``guillemet.politeness``).
        per_host_delay_s: Least time between the starts of two requests to one host, per worker
            process; a longer ``Crawl-delay`` in robots.txt wins, up to ``max_backoff_s``.
        robots_txt: Whether article fetches obey the host's robots.txt.
        concurrency: Fetches in flight at once in one FetchArticles DoFn instance, across hosts.
        proxy: An HTTP proxy every request goes through (``http://proxy.example:3128``), for
            networks that need one; environment proxies are never used. The proxy itself may be
            private (it is the operator's); what it is asked for is checked as without one: the
            URL before each hop, and the target's name resolved here, every address public (a
            name that does not resolve here is left to the proxy to resolve). An https URL goes
            through a ``CONNECT host:port`` tunnel, TLS verified end to end with the target.
        ca_bundle: A PEM file of the certificate authorities https servers are verified against,
            in place of the default ones (certifi's): a network whose proxy or servers use a
            private authority. Verification is never switched off.
    """

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    total_timeout_s: float = 60.0
    retries: int = 2
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allow_private_hosts: tuple[str, ...] = ()
    only_hosts: tuple[str, ...] = ()
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    robots_txt: bool = True
    concurrency: int = 8
    proxy: str | None = None
    ca_bundle: str | None = None


class BlockedDestination(Exception):  # noqa: N818 - a public name, kept
    """A request to an address guillemet must not reach.

    Not an ``OSError`` on purpose: urllib3 would take one for a network failure and retry it.
    """


class DestinationRefusedError(FetchError):
    """The ``FetchError`` of a refused destination (``BlockedDestination``), which no retry changes."""


def check_destination(url: str, allow: tuple[str, ...] = (), only: tuple[str, ...] = ()) -> None:
    """Raises ``BlockedDestination`` when ``url`` may not be requested, before any DNS lookup.

    Checks the scheme, ``only`` and a host written as an IP address. A host name is checked where
    the connection is opened (``resolve_checked``), on the addresses actually connected to.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise BlockedDestination(f"unsupported URL scheme {parts.scheme!r}: only http and https are fetched")
    host = (parts.hostname or "").lower()
    if not host:
        raise BlockedDestination(f"no host in {url!r}")
    if only and host not in only:
        raise BlockedDestination(f"destination refused: {host} is not among the hosts to fetch ({', '.join(only)})")
    if host in allow:
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return
    if not is_public_address(str(literal)):
        raise BlockedDestination(f"destination refused: {host} is a non-public address")


def resolve_checked(host: str, port: int, allow: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """Resolves ``host`` once and returns its ``(family, address)`` pairs, all of them public.

    Raises:
        BlockedDestination: when any address is private, loopback, link-local, multicast,
            reserved or unspecified and ``host`` is not in ``allow``: one bad answer among good
            ones refuses the host, as a resolver may rotate them.
        socket.gaierror: when the name does not resolve.
    """
    host = host.strip("[]").rstrip(".").lower()
    infos = socket.getaddrinfo(host, port, urllib3.util.connection.allowed_gai_family(), socket.SOCK_STREAM)
    resolved = [(info[0], info[4][0]) for info in infos]
    if host not in allow:
        for _, address in resolved:
            if not is_public_address(address.split("%", 1)[0]):
                raise BlockedDestination(f"destination refused: {host} resolves to {address}, a non-public address")
    return resolved


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public one (not private, loopback, link-local, multicast, reserved)."""
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


class _Deadline:
    """Ends one attempt at ``total_timeout_s`` by shutting its sockets down.

    Read timeouts bound the wait for each byte, not the whole response: a server dripping one
    byte a second would hold a read open for ever, in the headers as in the body. A timer that
    shuts the socket down makes the blocked read return, wherever it is.
    """

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    @contextmanager
    def running(self) -> Iterator[_Deadline]:
        _CURRENT.deadline = self
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.cancel()
            _CURRENT.deadline = None


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to interrupt


# The deadline of the attempt running on this thread; requests is synchronous, so the connections
# it opens or reuses for one attempt do so on the thread that called fetch().
_CURRENT = threading.local()


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _GuardedConnectionMixin:
    """Opens the socket to an address checked by ``resolve_checked``, never to the name."""

    allow: tuple[str, ...] = ()

    def _new_conn(self) -> socket.socket:
        try:
            resolved = resolve_checked(self._dns_host, self.port, self.allow)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        last_error: OSError | None = None
        for _, address in resolved:
            try:
                sock = urllib3.util.connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from error
            except OSError as error:
                last_error = error
                continue
            _watch(sock)
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")

    def request(self, *args, **kwargs):
        _watch(self.sock)  # a kept-alive connection, or the TLS socket wrapped around ours
        return super().request(*args, **kwargs)


class _WatchedConnectionMixin:
    """A connection the attempt's deadline can cut, to an address not checked: the proxy's."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args, **kwargs):
        _watch(self.sock)
        return super().request(*args, **kwargs)


def _check_proxied_target(url: str, allow: tuple[str, ...]) -> None:
    """Through a proxy, the target's name is resolved here and each address checked (the socket
    goes to the proxy, so the connection cannot check it); a name that does not resolve here is the
    proxy's to resolve, as on networks whose DNS only the proxy reaches."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return  # an IP literal: check_destination has judged it
    except ValueError:
        pass
    try:
        resolve_checked(host, parts.port or (443 if parts.scheme == "https" else 80), allow)
    except socket.gaierror:
        _LOGGER.debug("%s does not resolve here; the proxy resolves it", host)


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """Checks every hop, redirects included: the URL before sending, the addresses on connecting."""

    def __init__(self, allow: tuple[str, ...], only: tuple[str, ...] = (), proxy: str | None = None):
        self._allow = allow
        self._only = only
        self._proxy = proxy
        super().__init__()
        http = type("_GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), {"allow": allow})
        https = type("_GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), {"allow": allow})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("_GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("_GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }

    def send(self, request, *args, **kwargs):
        check_destination(request.url, self._allow, self._only)
        if self._proxy:
            _check_proxied_target(request.url, self._allow)
        return super().send(request, *args, **kwargs)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        http = type("_WatchedHTTPConnection", (_WatchedConnectionMixin, HTTPConnection), {})
        https = type("_WatchedHTTPSConnection", (_WatchedConnectionMixin, HTTPSConnection), {})
        manager.pool_classes_by_scheme = {
            "http": type("_WatchedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("_WatchedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }
        return manager


_SESSIONS = threading.local()


def _session(settings: FetchSettings) -> requests.Session:
    # One pooled session per thread and settings: requests.Session is not thread-safe, and a pool
    # per thread keeps connections to the same host alive across the entries of one bundle.
    cache = getattr(_SESSIONS, "by_settings", None)
    if cache is None:
        cache = _SESSIONS.by_settings = {}
    session = cache.get(settings)
    if session is None:
        session = requests.Session()
        adapter = _GuardedAdapter(
            tuple(h.lower() for h in settings.allow_private_hosts),
            tuple(h.lower() for h in settings.only_hosts),
            settings.proxy,
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # No proxy from the environment: one set by chance would carry every request past the
        # connection's address check. An explicit one (``proxy``) has the target checked instead.
        session.trust_env = False
        if settings.proxy:
            session.proxies = {"http": settings.proxy, "https": settings.proxy}
        if settings.ca_bundle:
            session.verify = settings.ca_bundle
        session.max_redirects = settings.max_redirects
        session.headers["User-Agent"] = settings.user_agent
        session.headers["Accept-Encoding"] = "gzip, deflate"
        cache[settings] = session
    return session


def _retry_after_s(value: str | None) -> float | None:
    """Parses a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def utc_now_iso() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _read_capped(response: requests.Response, settings: FetchSettings, started: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        raise FetchError(
            f"body too large: Content-Length {declared} exceeds the cap of {settings.max_bytes} bytes",
            url=response.url,
            status=response.status_code,
        )
    chunks: list[bytes] = []
    size = 0
    # iter_content decompresses gzip/deflate, so the cap applies to the decompressed size.
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > settings.max_bytes:
            raise FetchError(
                f"body too large: more than {settings.max_bytes} bytes after decompression",
                url=response.url,
                status=response.status_code,
            )
        if time.monotonic() - started > settings.total_timeout_s:
            raise FetchError(
                f"timeout: body not complete after {settings.total_timeout_s:g} s",
                url=response.url,
                status=response.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    settings: FetchSettings = FetchSettings(),
    *,
    sleep: Callable[[float], None] = time.sleep,
    headers: Mapping[str, str] | None = None,
) -> FetchResult:
    """Fetches one URL and returns its body, or raises ``FetchError``.

    Args:
        url: An http or https URL.
        settings: The limits to apply.
        sleep: Called with the backoff between attempts (tests pass a recorder).
        headers: Extra request headers, e.g. ``If-None-Match`` for a conditional request.

    Returns:
        The body and what the server said about it. A ``304 Not Modified`` answer to a
        conditional request is a result (status 304, empty body), not an error.

    Raises:
        FetchError: with the reason (HTTP status, timeout, size cap, redirects, connection error),
            after the allowed retries for the failures that may pass.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {scheme!r}: only http and https are fetched", url=url)
    session = _session(settings)
    attempt = 0
    while True:
        attempt += 1
        started = time.monotonic()
        deadline = _Deadline(settings.total_timeout_s)
        wait: float | None = None
        try:
            with (
                deadline.running(),
                session.get(
                    url,
                    timeout=(settings.connect_timeout_s, settings.read_timeout_s),
                    headers=dict(headers) if headers else None,
                    stream=True,
                    allow_redirects=True,
                ) as response,
            ):
                _check_deadline(deadline, settings, url, attempt)
                if response.status_code >= 400:
                    message = f"HTTP {response.status_code} {response.reason or ''}".strip()
                    if response.status_code not in _RETRY_STATUSES or attempt > settings.retries:
                        raise FetchError(message, url=url, status=response.status_code, attempts=attempt)
                    wait = _retry_after_s(response.headers.get("Retry-After"))
                    if wait is not None and wait > settings.max_backoff_s:
                        raise FetchError(
                            f"{message}: Retry-After {wait:g} s exceeds the longest wait ({settings.max_backoff_s:g} s)",
                            url=url,
                            status=response.status_code,
                            attempts=attempt,
                        )
                    _LOGGER.info("%s for %s, attempt %d: retrying", message, url, attempt)
                else:
                    body = _read_capped(response, settings, started)
                    # A socket shut down by the deadline may look like a response that simply ended.
                    _check_deadline(deadline, settings, url, attempt)
                    return _result(url, response, body, started, attempt)
        except FetchError as error:
            error.attempts = attempt
            raise
        except BlockedDestination as error:
            raise DestinationRefusedError(str(error), url=url, attempts=attempt) from error
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            _check_deadline(deadline, settings, url, attempt)
            if isinstance(error, requests.TooManyRedirects):
                raise FetchError(
                    f"too many redirects (more than {settings.max_redirects})", url=url, attempts=attempt
                ) from error
            if not isinstance(error, (requests.Timeout, requests.ConnectionError)):
                raise FetchError(
                    f"request failed: {error.__class__.__name__}: {error}", url=url, attempts=attempt
                ) from error
            kind = "timeout" if isinstance(error, requests.Timeout) else "connection error"
            if attempt > settings.retries:
                raise FetchError(f"{kind}: {error.__class__.__name__}", url=url, attempts=attempt) from error
            _LOGGER.info("%s for %s, attempt %d: retrying", kind, url, attempt)
        backoff = settings.backoff_s * (2 ** (attempt - 1)) * (1 + random.random() / 4)
        sleep(min(settings.max_backoff_s, wait if wait is not None else backoff))


def _check_deadline(deadline: _Deadline, settings: FetchSettings, url: str, attempt: int) -> None:
    if deadline.expired:
        raise FetchError(
            f"timeout: no complete response after {settings.total_timeout_s:g} s (total time cap)",
            url=url,
            attempts=attempt,
        )


def _result(url: str, response: requests.Response, body: bytes, started: float, attempt: int) -> FetchResult:
    content_type = response.headers.get("Content-Type")
    return FetchResult(
        requested_url=url,
        final_url=response.url,
        status=response.status_code,
        content=body,
        content_type=content_type,
        encoding=requests.utils.get_encoding_from_headers(response.headers)
        if "charset" in (content_type or "").lower()
        else None,
        fetched_at=utc_now_iso(),
        elapsed_s=round(time.monotonic() - started, 3),
        attempts=attempt,
        headers=tuple(
            (k, v)
            for k, v in response.headers.items()
            if k.lower() in ("etag", "last-modified", "content-type", "content-length")
        ),
    )


# Labels that browsers read as Windows-1252 (WHATWG Encoding Standard): a page "in Latin-1" uses
# its printable 0x80-0x9F characters (curly quotes, the euro sign, "œ").
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, browsers' aliases applied; None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value
    return None


def decode_page(content: bytes, content_type: str | None = None) -> str:
    """Decodes an HTML page once, as a browser would choose its encoding.

    Precedence (the WHATWG HTML "encoding sniffing" order): a byte-order mark, then the charset of
    the HTTP Content-Type header, then a ``<meta charset>`` in the first 1,024 bytes, then
    detection. A declared charset is used only when the bytes decode with it: servers label pages
    UTF-8 that their CMS wrote in Windows-1252, and decoding those as UTF-8 with replacement
    characters (or letting a detector guess Central European, "aprčs") loses the accents. So
    each declared charset is tried strictly in that order, then UTF-8, then Windows-1252, the
    legacy encoding of French pages, which decodes any byte (the five it leaves undefined become
    U+FFFD).

    Args:
        content: The body, decompressed.
        content_type: The HTTP Content-Type header, if any.

    Returns:
        The page as text.
    """
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    meta = _META_CHARSET.search(content[:1024])
    candidates = [_codec(_header_charset(content_type)), _codec(meta.group(1).decode("ascii") if meta else None)]
    for codec in [*candidates, "utf-8"]:
        # A page "in UTF-16" without a BOM is almost always mislabelled ASCII-compatible text.
        if codec is None or codec.startswith("utf-16") or codec.startswith("utf-32"):
            continue
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            continue
    return content.decode("cp1252", errors="replace")
