"""Per-host politeness and robots.txt, against real servers on 127.0.0.1 (two ports: two hosts)."""

from concurrent.futures import ThreadPoolExecutor

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from guillemet.errors import FetchError
from guillemet.fetch import FetchSettings
from guillemet.localserver import CorpusServer
from guillemet.politeness import PoliteFetcher, RobotsDisallowedError
from guillemet.records import FeedEntry
from tests.conftest import test_pipeline
from transforms import FetchArticles

LOCAL = ("127.0.0.1",)
ROUTES = {"/slow.html": {"delay_s": 0.3}, "/robots-down/robots.txt": {"status": 503}}


def _settings(**overrides) -> FetchSettings:
    base = dict(read_timeout_s=2, total_timeout_s=5, retries=0, allow_private_hosts=LOCAL, per_host_delay_s=0)
    return FetchSettings(**{**base, **overrides})


def _corpus(root, robots: str | None):
    (root / "private").mkdir(parents=True)
    for name in ("ok", "slow", "private/page"):
        (root / f"{name}.html").write_text(f"<p>{name}</p>", encoding="utf-8")
    if robots is not None:
        (root / "robots.txt").write_text(robots, encoding="utf-8")
    return root


@pytest.fixture
def server(tmp_path):
    robots = "User-agent: *\nDisallow: /private/\n\nUser-agent: rude-bot\nDisallow: /\n"
    with CorpusServer(_corpus(tmp_path / "a", robots), routes=ROUTES) as running:
        yield running


@pytest.fixture
def other_server(tmp_path):
    with CorpusServer(_corpus(tmp_path / "b", None), routes=ROUTES) as running:  # no robots.txt
        yield running


def test_at_most_n_requests_in_flight_per_host(server):
    fetcher = PoliteFetcher(_settings(per_host_concurrency=2, robots_txt=False))
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: fetcher.fetch(server.url("/slow.html")), range(6)))
    assert server.hits["/slow.html"] == 6
    assert server.most_in_flight["127.0.0.1"] == 2


def test_hosts_are_fetched_in_parallel_each_within_its_limit(server, other_server):
    fetcher = PoliteFetcher(_settings(per_host_concurrency=1, robots_txt=False))
    urls = [server.url("/slow.html"), other_server.url("/slow.html")] * 2
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetcher.fetch, urls))
    assert server.most_in_flight["127.0.0.1"] == 1 and other_server.most_in_flight["127.0.0.1"] == 1


def test_the_delay_between_starts_on_one_host(server):
    waits: list[float] = []
    fetcher = PoliteFetcher(_settings(per_host_delay_s=0.5, robots_txt=False), clock=lambda: 100.0, sleep=waits.append)
    for _ in range(3):
        fetcher.fetch(server.url("/ok.html"))
    assert waits == [0.5, 1.0]  # the clock stands still: each start waits behind the one before


def test_the_delay_is_real_between_server_hits(server):
    fetcher = PoliteFetcher(_settings(per_host_delay_s=0.3, robots_txt=False))
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: fetcher.fetch(server.url("/ok.html")), range(3)))
    times = sorted(server.hit_times["/ok.html"])
    assert all(later - earlier >= 0.25 for earlier, later in zip(times, times[1:], strict=False))


def test_robots_txt_forbids_and_is_read_once(server):
    fetcher = PoliteFetcher(_settings())
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: fetcher.fetch(server.url("/ok.html")), range(4)))
    with pytest.raises(RobotsDisallowedError, match=r"^robots.txt: .*disallows"):
        fetcher.fetch(server.url("/private/page.html"))
    assert server.hits["/robots.txt"] == 1
    assert server.hits["/private/page.html"] == 0


def test_robots_txt_groups_match_our_user_agent(server):
    with pytest.raises(RobotsDisallowedError):
        PoliteFetcher(_settings(user_agent="rude-bot/1.0")).fetch(server.url("/ok.html"))


def test_robots_txt_can_be_switched_off(server):
    assert PoliteFetcher(_settings(robots_txt=False)).fetch(server.url("/private/page.html")).status == 200
    assert server.hits["/robots.txt"] == 0


def test_a_missing_robots_txt_allows_everything(other_server):
    assert PoliteFetcher(_settings()).fetch(other_server.url("/private/page.html")).status == 200
    assert other_server.hits["/robots.txt"] == 1


def test_an_unreadable_robots_txt_forbids_everything(other_server):
    other_server.routes["/robots.txt"] = other_server.routes["/robots-down/robots.txt"]
    fetcher = PoliteFetcher(_settings())
    with pytest.raises(FetchError, match="robots.txt: .* could not be read .*HTTP 503"):
        fetcher.fetch(other_server.url("/ok.html"))
    assert other_server.hits["/ok.html"] == 0


def test_crawl_delay_lengthens_the_delay(tmp_path):
    root = _corpus(tmp_path, "User-agent: *\nCrawl-delay: 2\n")
    with CorpusServer(root) as server:
        waits: list[float] = []
        fetcher = PoliteFetcher(_settings(per_host_delay_s=0.5), clock=lambda: 0.0, sleep=waits.append)
        fetcher.fetch(server.url("/ok.html"))
        fetcher.fetch(server.url("/ok.html"))
    # robots.txt itself went out at the configured delay; the pages wait its Crawl-delay.
    assert waits == [0.5, 2.5]


def test_fetch_articles_fetches_concurrently_within_the_limits_and_keeps_every_entry(server, other_server):
    # One bundle with entries on two hosts, each limited to one request at a time, on a pool of four
    # threads: every entry comes out once, as a page or a dead letter, and no host sees two at once.
    entries = [
        FeedEntry(f"{host}-{name}", url, "http://127.0.0.1/feed.xml", None, None, None, (), None, None, None)
        for host, srv in (("a", server), ("b", other_server))
        for name, url in (("slow", srv.url("/slow.html")), ("ok", srv.url("/ok.html")), ("gone", srv.url("/gone")))
    ]
    settings = _settings(per_host_concurrency=1, concurrency=4)
    with test_pipeline() as pipeline:
        result = pipeline | beam.Create(entries) | FetchArticles(settings)
        assert_that(
            result.good | "Ids" >> beam.Map(lambda page: page.entry.entry_id),
            equal_to(["a-slow", "a-ok", "b-slow", "b-ok"]),
            label="Pages",
        )
        assert_that(
            result.dead_letters | "DeadIds" >> beam.Map(lambda d: (d.input_id, d.error)),
            equal_to([("a-gone", "HTTP 404 Not Found"), ("b-gone", "HTTP 404 Not Found")]),
            label="DeadLetters",
        )
    assert server.most_in_flight["127.0.0.1"] == 1 and other_server.most_in_flight["127.0.0.1"] == 1


def test_robots_txt_is_read_again_after_a_day(server):
    now = [0.0]
    fetcher = PoliteFetcher(_settings(), clock=lambda: now[0], sleep=lambda seconds: None)
    fetcher.fetch(server.url("/ok.html"))
    now[0] = 23 * 3600.0
    fetcher.fetch(server.url("/ok.html"))
    assert server.hits["/robots.txt"] == 1
    now[0] = 25 * 3600.0
    fetcher.fetch(server.url("/ok.html"))
    assert server.hits["/robots.txt"] == 2
