"""The whole pipeline against a server that misbehaves in every way we know, on 127.0.0.1.

One CorpusServer (real sockets) serves feeds whose entries point to pages that fail: statuses,
Retry-After, resets, silence, dripped bytes, redirect chains and loops, bodies over the cap, a gzip
bomb, missing or wrong Content-Type, undeclared Latin-1, empty bodies, a page robots.txt forbids, a
host that resolves to loopback; and feeds that are not feeds, are empty, or declare XML entities
(billion laughs, external entities). The run must complete, every failure be a dead letter with its
stage and reason, the counts add up, and no local file or private URL be read. Timeouts are made
small by the config, so no request waits more than about two seconds.
"""

from pathlib import Path

import pytest

from guillemet.config import parse_config
from guillemet.localserver import CorpusServer
from pipeline.run import run
from tests.test_end_to_end import _lines

pytestmark = pytest.mark.slow

SECRET = "SECRET-7f3a-DO-NOT-LEAK"

ROUTES = {
    "/articles/missing.html": {"status": 404},
    "/articles/gone.html": {"status": 410},
    "/articles/busy.html": {"status": 429, "fail_times": 1, "headers": {"Retry-After": "1"}},
    "/articles/broken.html": {"status": 500},
    "/articles/flaky.html": {"status": 503, "fail_times": 1},
    "/articles/reset.html": {"reset": True},
    "/articles/silent.html": {"delay_s": 5},
    "/articles/drip.html": {"drip_s": 0.05},
    "/articles/chain-1.html": {"redirect": "/articles/chain-2.html", "status": 301},
    "/articles/chain-2.html": {"redirect": "/articles/chain-3.html", "status": 302},
    "/articles/chain-3.html": {"redirect": "/articles/chained.html", "status": 307},
    "/articles/loop-a.html": {"redirect": "/articles/loop-b.html"},
    "/articles/loop-b.html": {"redirect": "/articles/loop-a.html"},
    "/articles/huge.html": {"body_bytes": 3_000_000},
    "/articles/bomb.html": {"gzip_bytes": 50_000_000},
    "/articles/no-type.html": {"content_type": ""},
    "/articles/wrong-type.html": {"content_type": "image/png"},
    "/articles/latin1.html": {"content_type": "text/html"},
    "/feeds/missing.xml": {"status": 404},
    "/feeds/no-type.xml": {"content_type": ""},
    "/feeds/latin1.xml": {"content_type": "application/xml"},
}

# Each article page of the corpus: its path and a distinct title; the text is long enough to pass.
GOOD_PAGES = [
    "ok",
    "busy",
    "flaky",
    "chained",
    "no-type",
    "wrong-type",
    "drip",
    "elsewhere",
    "accented",
    "private/page",
]

PROFILE = """
name: misbehaving
output: unused
feeds:
  - {{url: "{base}/feeds/news.xml", name: News}}
  - {{url: "{base}/feeds/no-type.xml", name: No Content-Type}}
  - {{url: "{base}/feeds/latin1.xml", name: Latin-1 undeclared}}
  - {{url: "{base}/feeds/missing.xml", name: Missing}}
  - {{url: "{base}/feeds/page.html", name: A web page}}
  - {{url: "{base}/feeds/empty.xml", name: Empty}}
  - {{url: "{base}/feeds/laughs.xml", name: Billion laughs}}
  - {{url: "{base}/feeds/xxe.xml", name: External entities}}
fetch:
  connect_timeout_s: 1
  read_timeout_s: 0.5
  total_timeout_s: 2
  retries: 1
  backoff_s: 0.05
  max_backoff_s: 2
  max_bytes: 1000000
  max_redirects: 4
  allow_private_hosts: [127.0.0.1]
  per_host_concurrency: 4
  per_host_delay_s: 0
nlp: {{enabled: false}}
"""


def _page(title: str) -> str:
    paragraph = (
        f"<p>{title} : la commune a présenté mardi son projet pour l'année prochaine, après plusieurs mois "
        "de concertation avec les habitants, les associations et les commerçants du centre-ville.</p>"
    )
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraph * 4}</article></body></html>"


def _rss(items: list[str], encoding_declaration: str = ' encoding="utf-8"') -> str:
    entries = "".join(f"<item><title>{url.rsplit('/', 1)[-1]}</title><link>{url}</link></item>" for url in items)
    return f'<?xml version="1.0"{encoding_declaration}?><rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'


def _laughs() -> str:
    levels = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">' + levels + ']><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>&lol9;</title><link>http://127.0.0.1/x</link></item></channel></rss>"
    )


def _xxe(secret_file: Path, base: str) -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY file SYSTEM "file://{secret_file}">\n'
        f'<!ENTITY probe SYSTEM "{base}/xxe-probe">\n]>\n<rss version="2.0"><channel><title>&file;</title>'
        f"<item><title>&file; &probe;</title><link>{base}/articles/ok.html</link></item></channel></rss>"
    )


def _write_corpus(root: Path, base: str, localhost_base: str, secret_file: Path) -> None:
    (root / "articles" / "private").mkdir(parents=True)
    (root / "feeds").mkdir()
    for name in GOOD_PAGES:
        (root / "articles" / f"{name}.html").write_text(_page(f"Article {name}"), encoding="utf-8")
    (root / "articles" / "empty.html").write_bytes(b"")
    latin1 = _page("Article latin1").replace("présenté", "présenté l'été").encode("latin-1")
    (root / "articles" / "latin1.html").write_bytes(latin1)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /articles/private/\n", encoding="utf-8")
    bad_pages = [
        "missing",
        "gone",
        "busy",
        "broken",
        "flaky",
        "reset",
        "silent",
        "drip",
        "chain-1",
        "loop-a",
        "huge",
        "bomb",
        "no-type",
        "wrong-type",
        "latin1",
        "empty",
        "private/page",
    ]
    news = [f"{base}/articles/{name}.html" for name in ["ok", *bad_pages]]
    news += [f"{localhost_base}/articles/ok.html", f"{base}/articles/ok.html"]  # a loopback name; a duplicate
    (root / "feeds" / "news.xml").write_text(_rss(news), encoding="utf-8")
    (root / "feeds" / "no-type.xml").write_text(_rss([f"{base}/articles/elsewhere.html"]), encoding="utf-8")
    latin1_feed = _rss([f"{base}/articles/accented.html"], encoding_declaration="").replace("<title>T", "<title>Été")
    (root / "feeds" / "latin1.xml").write_bytes(latin1_feed.encode("latin-1"))
    (root / "feeds" / "page.html").write_text(_page("Pas un flux"), encoding="utf-8")
    (root / "feeds" / "empty.xml").write_bytes(b"")
    (root / "feeds" / "laughs.xml").write_text(_laughs(), encoding="utf-8")
    (root / "feeds" / "xxe.xml").write_text(_xxe(secret_file, base), encoding="utf-8")


@pytest.fixture(scope="module")
def misbehaving_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("misbehaving")
    secret_file = tmp_path_factory.mktemp("private") / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    with CorpusServer(root, routes=ROUTES) as server:
        port = server.base_url.rsplit(":", 1)[1]
        _write_corpus(root, server.base_url, f"http://localhost:{port}", secret_file)
        config = parse_config(PROFILE.format(base=server.base_url), "misbehaving.yaml")
        output = tmp_path_factory.mktemp("out")
        summary = run(config, output=str(output))
        yield summary, server, output


def _dead(summary) -> dict[str, dict]:
    return {(d["url"] or "").split("/", 3)[-1]: d for d in _lines(summary.outputs["dead"])}


def test_the_run_completes_and_writes_the_good_pages(misbehaving_run):
    summary, _, _ = misbehaving_run
    assert summary.state == "DONE"
    titles = sorted(a["title"] for a in _lines(summary.outputs["articles"]))
    assert titles == [
        "Article accented",
        "Article busy",
        "Article chained",
        "Article elsewhere",
        "Article flaky",
        "Article latin1",
        "Article no-type",
        "Article ok",
        "Article wrong-type",
    ]


@pytest.mark.parametrize(
    ("path", "stage", "reason"),
    [
        ("articles/missing.html", "FetchArticles", "HTTP 404 Not Found"),
        ("articles/gone.html", "FetchArticles", "HTTP 410 Gone"),
        ("articles/broken.html", "FetchArticles", "HTTP 500 Internal Server Error"),
        ("articles/reset.html", "FetchArticles", "connection error: ConnectionError"),
        ("articles/silent.html", "FetchArticles", "timeout: ReadTimeout"),
        ("articles/drip.html", "FetchArticles", "timeout: no complete response after 2 s (total time cap)"),
        ("articles/loop-a.html", "FetchArticles", "too many redirects (more than 4)"),
        ("articles/huge.html", "FetchArticles", "body too large: Content-Length 3000000 exceeds the cap"),
        ("articles/bomb.html", "FetchArticles", "body too large: more than 1000000 bytes after decompression"),
        ("articles/private/page.html", "FetchArticles", "robots.txt: http://127.0.0.1:"),
        ("articles/empty.html", "ExtractText", "no article text"),
        ("feeds/missing.xml", "ReadFeeds", "HTTP 404 Not Found"),
        ("feeds/page.html", "ParseEntries", "not a feed"),
        ("feeds/empty.xml", "ParseEntries", "not a feed"),
        ("feeds/laughs.xml", "ParseEntries", "declares XML entities"),
        ("feeds/xxe.xml", "ParseEntries", "declares XML entities"),
    ],
)
def test_each_failure_is_a_dead_letter_with_its_stage_and_reason(misbehaving_run, path, stage, reason):
    summary, _, _ = misbehaving_run
    letter = _dead(summary)[path]
    assert letter["stage"] == stage
    assert reason in letter["error"]


def test_a_host_name_resolving_to_loopback_is_refused(misbehaving_run):
    summary, server, _ = misbehaving_run
    refused = [d for d in _lines(summary.outputs["dead"]) if (d["url"] or "").startswith("http://localhost:")]
    assert len(refused) == 1
    assert "destination refused: localhost resolves to" in refused[0]["error"]


def test_counts_add_up(misbehaving_run):
    summary, _, _ = misbehaving_run
    news_entries, other_entries = 20, 2
    assert summary.entries_read == news_entries + other_entries
    entry_dead_letters = sum(n for stage, n in summary.dead_letters_by_stage.items() if stage != "ReadFeeds")
    feed_dead_letters = summary.count("feeds.unparsable")  # ParseEntries dead letters that are feeds
    assert (
        summary.articles_written + (entry_dead_letters - feed_dead_letters) + summary.skipped_duplicates
        == summary.entries_read
    )
    assert summary.skipped_duplicates == 1
    assert summary.count("dead_letters.written") == len(_lines(summary.outputs["dead"]))
    assert (summary.feeds_total, summary.feeds_failed) == (8, 5)


def test_retries_follow_the_server(misbehaving_run):
    _, server, _ = misbehaving_run
    assert server.hits["/articles/missing.html"] == 1  # a 404 is final
    assert server.hits["/articles/gone.html"] == 1
    assert server.hits["/articles/broken.html"] == 2  # one retry, then the dead letter
    assert server.hits["/articles/flaky.html"] == 2  # one 503, then the page
    assert server.hits["/articles/busy.html"] == 2  # one 429, then the page
    first, second = server.hit_times["/articles/busy.html"]
    assert second - first >= 1.0  # Retry-After: 1 was honoured


def test_no_external_entity_is_read(misbehaving_run):
    summary, server, output = misbehaving_run
    assert server.hits["/xxe-probe"] == 0
    for path in output.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace")


def test_robots_txt_is_read_once_per_host(misbehaving_run):
    _, server, _ = misbehaving_run
    assert server.hits["/robots.txt"] == 1
    assert server.hits["/articles/private/page.html"] == 0


def test_undeclared_latin1_is_decoded(misbehaving_run):
    summary, _, _ = misbehaving_run
    articles = {a["title"]: a for a in _lines(summary.outputs["articles"])}
    assert "l'été" in articles["Article latin1"]["text"]
    reports = {r["feed_url"].rsplit("/", 1)[-1]: r for r in _lines(summary.outputs["feeds"])}
    assert reports["latin1.xml"]["ok"] and reports["latin1.xml"]["entries"] == 1
