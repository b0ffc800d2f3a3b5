"""Fetching bytes over HTTP: the only module of the core that touches the network.

``fetch`` returns the body of one URL or raises ``FetchError`` with a reason a person can act on.
It bounds everything an unknown server could make unbounded: connect and read timeouts, a total
deadline (a server that drips one byte a second), the number of redirects, the size of the body
after decompression (a gzip bomb stops at the cap) and the number of retries, with exponential
backoff that honours ``Retry-After``. Parsing is left to pure functions elsewhere.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

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
        allow_private_hosts: Host names or addresses that may resolve to private, loopback or
            link-local addresses (the local demo server). Every other such destination is
            refused, also after a redirect, so that a feed cannot point guillemet at its own
            network or a cloud metadata service.
        only_hosts: When not empty, the only hosts fetched; any other is refused before any
            lookup (a crawl kept to some sites, or a test kept off the internet).
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


class BlockedDestination(requests.exceptions.InvalidURL):
    """A request to an address guillemet must not reach."""


def check_destination(url: str, allow: tuple[str, ...] = (), only: tuple[str, ...] = ()) -> None:
    """Raises ``BlockedDestination`` when ``url``'s host resolves to a non-public address.

    Private, loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved and
    unspecified addresses are refused unless the host is in ``allow``.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise BlockedDestination(f"no host in {url!r}")
    if only and host not in only:
        raise BlockedDestination(f"destination refused: {host} is not among the hosts to fetch ({', '.join(only)})")
    if host in allow:
        return
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except socket.gaierror as error:
        raise requests.exceptions.ConnectionError(f"cannot resolve {host}: {error}") from error
    for info in infos:
        address = info[4][0].split("%", 1)[0]
        if not is_public_address(address) and address not in allow:
            raise BlockedDestination(f"destination refused: {host} resolves to {address}, a non-public address")


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public one (not private, loopback, link-local, multicast, reserved)."""
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """Checks every hop's destination, redirects included, before connecting."""

    def __init__(self, allow: tuple[str, ...], only: tuple[str, ...] = ()):
        super().__init__()
        self._allow = allow
        self._only = only

    def send(self, request, *args, **kwargs):
        check_destination(request.url, self._allow, self._only)
        return super().send(request, *args, **kwargs)


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
            tuple(h.lower() for h in settings.allow_private_hosts), tuple(h.lower() for h in settings.only_hosts)
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
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
        wait: float | None = None
        try:
            with session.get(
                url,
                timeout=(settings.connect_timeout_s, settings.read_timeout_s),
                headers=dict(headers) if headers else None,
                stream=True,
                allow_redirects=True,
            ) as response:
                if response.status_code >= 400:
                    message = f"HTTP {response.status_code} {response.reason or ''}".strip()
                    if response.status_code in _RETRY_STATUSES and attempt <= settings.retries:
                        wait = _retry_after_s(response.headers.get("Retry-After"))
                        if wait is not None and wait > settings.max_backoff_s:
                            raise FetchError(
                                f"{message}: Retry-After {wait:g} s exceeds the longest wait "
                                f"({settings.max_backoff_s:g} s)",
                                url=url,
                                status=response.status_code,
                                attempts=attempt,
                            )
                        _LOGGER.info("%s for %s, attempt %d: retrying", message, url, attempt)
                    else:
                        raise FetchError(message, url=url, status=response.status_code, attempts=attempt)
                else:
                    body = _read_capped(response, settings, started)
                    return FetchResult(
                        requested_url=url,
                        final_url=response.url,
                        status=response.status_code,
                        content=body,
                        content_type=response.headers.get("Content-Type"),
                        encoding=requests.utils.get_encoding_from_headers(response.headers)
                        if "charset" in response.headers.get("Content-Type", "").lower()
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
        except FetchError as error:
            error.attempts = attempt
            raise
        except BlockedDestination as error:
            raise FetchError(str(error), url=url, attempts=attempt) from error
        except requests.TooManyRedirects as error:
            raise FetchError(
                f"too many redirects (more than {settings.max_redirects})", url=url, attempts=attempt
            ) from error
        except (requests.Timeout, requests.ConnectionError) as error:
            kind = "timeout" if isinstance(error, requests.Timeout) else "connection error"
            if attempt > settings.retries:
                raise FetchError(f"{kind}: {error.__class__.__name__}", url=url, attempts=attempt) from error
            _LOGGER.info("%s for %s, attempt %d: retrying", kind, url, attempt)
        except requests.RequestException as error:
            raise FetchError(
                f"request failed: {error.__class__.__name__}: {error}", url=url, attempts=attempt
            ) from error
        backoff = settings.backoff_s * (2 ** (attempt - 1)) * (1 + random.random() / 4)
        sleep(min(settings.max_backoff_s, wait if wait is not None else backoff))
