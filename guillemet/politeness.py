"""Per-host politeness: how many requests at once, how often, and what robots.txt allows.

``PoliteFetcher.fetch`` wraps ``guillemet.fetch.fetch``: it waits for a slot on the URL's host (at
most ``per_host_concurrency`` requests in flight, starts at least ``per_host_delay_s`` apart) and,
for articles, asks the host's robots.txt first. The state lives in the worker process: every DoFn
instance and thread of one process shares it through ``polite_fetcher``, but two processes (two
Dataflow workers, or two SDK harness processes on one worker) each keep their own, so the limits
hold per worker process, not per job. robots.txt is fetched once per host and process, and again
after 24 hours.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from protego import Protego

from guillemet.errors import FetchError
from guillemet.fetch import BlockedDestination, DestinationRefusedError, FetchSettings, check_destination, fetch
from guillemet.records import FetchResult

_LOGGER = logging.getLogger(__name__)

# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; larger files are refused whole.
ROBOTS_MAX_BYTES = 512_000
# RFC 9309 2.4: a cached robots.txt should not be used for more than 24 hours.
ROBOTS_MAX_AGE_S = 24 * 3600.0


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL to guillemet's user agent, or could not be read (RFC 9309)."""


@dataclass
class _Host:
    slots: threading.BoundedSemaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0
    robots: Protego | None = None
    robots_problem: str | None = None
    robots_read_at: float | None = None
    robots_lock: threading.Lock = field(default_factory=threading.Lock)


def host_key(url: str) -> str:
    """The politeness key of a URL: scheme, host and port, as robots.txt scopes them."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class PoliteFetcher:
    """Fetches with per-host limits and robots.txt; thread-safe, one per process and settings.

    Args:
        settings: The fetch limits, politeness included.
        clock: Monotonic seconds (tests pass their own).
        sleep: Waits that long (tests pass their own).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self._allow = tuple(host.lower() for host in settings.allow_private_hosts)
        self._only = tuple(host.lower() for host in settings.only_hosts)

    def _host(self, key: str) -> _Host:
        with self._lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host(threading.BoundedSemaphore(self.settings.per_host_concurrency))
            return host

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Holds one of the host's request slots, once its delay since the last start is over."""
        host = self._host(host_key(url))
        host.slots.acquire()
        try:
            delay = self._delay(host)
            with host.lock:
                now = self._clock()
                start = max(now, host.next_start)
                host.next_start = start + delay
            if start > now:
                self._sleep(start - now)
            yield
        finally:
            host.slots.release()

    def _delay(self, host: _Host) -> float:
        delay = self.settings.per_host_delay_s
        if host.robots is not None:
            crawl_delay = host.robots.crawl_delay(self.settings.user_agent)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), self.settings.max_backoff_s))
        return delay

    def robots_verdict(self, url: str) -> str | None:
        """Why robots.txt forbids ``url`` to us, or ``None`` when it allows it."""
        key = host_key(url)
        host = self._host(key)
        with host.robots_lock:  # one read per host: the other threads wait for its answer
            now = self._clock()
            if host.robots_read_at is None or now - host.robots_read_at > ROBOTS_MAX_AGE_S:
                host.robots, host.robots_problem = self._read_robots(key)
                host.robots_read_at = now
        if host.robots_problem:
            return host.robots_problem
        if host.robots is not None and not host.robots.can_fetch(url, self.settings.user_agent):
            return f"robots.txt: {key}/robots.txt disallows this URL to our user agent"
        return None

    def _read_robots(self, key: str) -> tuple[Protego | None, str | None]:
        robots_url = f"{key}/robots.txt"
        settings = replace(self.settings, max_bytes=min(self.settings.max_bytes, ROBOTS_MAX_BYTES))
        try:
            with self.slot(robots_url):
                result = fetch(robots_url, settings, sleep=self._sleep)
        except DestinationRefusedError:
            return None, None  # the URL itself will be refused, with that reason
        except FetchError as error:
            # RFC 9309 2.3.1: a robots.txt that is missing (4xx) allows everything; one that cannot
            # be read (5xx, 429, network, too large) forbids everything until it can.
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                _LOGGER.info("robots.txt: %s: HTTP %s, every URL allowed", robots_url, error.status)
                return None, None
            _LOGGER.warning("robots.txt: %s unreadable (%s): every URL of the host refused", robots_url, error)
            return None, f"robots.txt: {robots_url} could not be read ({error}), so nothing is fetched from the host"
        text = result.content.decode(result.encoding or "utf-8", errors="replace")
        return Protego.parse(text), None

    def fetch(self, url: str, *, check_robots: bool = True, headers: Mapping[str, str] | None = None) -> FetchResult:
        """Fetches ``url`` politely.

        Args:
            url: An http or https URL.
            check_robots: Whether to obey robots.txt (when the settings ask for it); feeds are
                published to be read and are fetched without asking.
            headers: Extra request headers (the conditional ``If-None-Match`` / ``If-Modified-Since``).

        Raises:
            RobotsDisallowedError: when robots.txt forbids the URL (reason starting with ``robots.txt``).
            FetchError: as ``guillemet.fetch.fetch``.
        """
        try:
            # What can be refused without a lookup is refused before taking a slot or reading robots.txt.
            check_destination(url, self._allow, self._only)
        except BlockedDestination as error:
            raise DestinationRefusedError(str(error), url=url, attempts=0) from error
        if check_robots and self.settings.robots_txt:
            problem = self.robots_verdict(url)
            if problem:
                raise RobotsDisallowedError(problem, url=url, attempts=0)
        with self.slot(url):
            return fetch(url, self.settings, sleep=self._sleep, headers=headers)


_FETCHERS: dict[FetchSettings, PoliteFetcher] = {}
_FETCHERS_LOCK = threading.Lock()


def polite_fetcher(settings: FetchSettings) -> PoliteFetcher:
    """The process-wide fetcher for ``settings``: all the DoFn instances of a worker share its limits."""
    with _FETCHERS_LOCK:
        fetcher = _FETCHERS.get(settings)
        if fetcher is None:
            fetcher = _FETCHERS[settings] = PoliteFetcher(settings)
        return fetcher
