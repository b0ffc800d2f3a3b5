"""No bad feed entry or page loses good data: the whole pipeline against a local server (issue 15).

One feed mixes good entries with entries that cannot become articles (a port out of range, character
references to code points no text may hold, a host IDNA cannot encode, a ``javascript:`` link, a
1 MB title; 10 MB is over the feed size cap); pages are written in Windows-1252 under a UTF-8 header or in Latin-1 named only in the
header; pages refused with 403 and 451 whose entries carry the full text in the feed.
"""

from pathlib import Path

import pytest

from guillemet.config import parse_config
from guillemet.feeds import parse_feed
from guillemet.fetch import decode_page
from guillemet.localserver import CorpusServer
from pipeline.run import run
from tests.test_end_to_end import _lines

PARAGRAPH = (
    "<p>Le maire est arrivé après la réunion : « Nous présenterons le projet à l'été », a-t-il déclaré "
    "devant les habitants, les associations et les commerçants du centre-ville.</p>"
)

# A text that charset detection, left to itself, reads as Central European when written in
# Windows-1252 or Latin-1 ("aprčs", "ŕ Genčve").
LEGACY_PARAGRAPH = "<p>Il est arrivé après la réunion, a déclaré le maire à Genève. « Nous verrons », dit-il.</p>"

ROUTES = {
    "/articles/forbidden.html": {"status": 403},
    "/articles/legal.html": {"status": 451},
    "/articles/teaser-only.html": {"status": 403},
    "/articles/latin1-header.html": {"content_type": "text/html; charset=iso-8859-1"},
}

PROFILE = """
name: fetchsafe
output: unused
feeds:
  - {{url: "{base}/feeds/news.xml", name: News}}
  - {{url: "{base}/feeds/pages.xml", name: Pages}}
fetch:
  connect_timeout_s: 1
  read_timeout_s: 1
  total_timeout_s: 3
  retries: 0
  allow_private_hosts: [127.0.0.1]
  per_host_delay_s: 0
nlp: {{enabled: false}}
"""


def _page(title: str, paragraph: str = PARAGRAPH) -> str:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraph * 5}</article></body></html>"


def _item(link: str, title: str, content: str | None = None, summary: str | None = None) -> str:
    extra = ""
    if content is not None:
        extra += f"<content:encoded><![CDATA[{content}]]></content:encoded>"
    if summary is not None:
        extra += f"<description><![CDATA[{summary}]]></description>"
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def _feeds(base: str) -> tuple[str, str]:
    """Two feeds: the bad entries among good ones, and (apart, so that each case fails on its own)
    the pages in legacy encodings and the pages that cannot be fetched."""
    bad = [
        _item(f"{base}/articles/ok.html", "Article ok"),
        _item("http://127.0.0.1:99999/articles/port.html", "Port out of range"),
        _item(f"{base}/articles/surrogate.html", "Un titre &#xD800; cassé"),
        _item(f"{base}/articles/beyond.html", "Un titre &#x110000; cassé"),
        _item(f"http://{'é' * 70}.example/x.html", "Host too long for IDNA"),
        _item("javascript:alert(1)", "Script"),
        _item(f"{base}/articles/long-title.html", "x" * 1_000_000),
    ]
    pages = [
        _item(f"{base}/articles/cp1252-under-utf8.html", "Windows-1252"),
        _item(f"{base}/articles/latin1-header.html", "Latin-1"),
        _item(f"{base}/articles/forbidden.html", "Forbidden", content=PARAGRAPH * 3),
        _item(f"{base}/articles/legal.html", "Unavailable", summary=PARAGRAPH * 3),
        _item(f"{base}/articles/teaser-only.html", "Teaser", summary="<p>Un court chapeau.</p>"),
    ]
    return tuple(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        + "".join(items)
        + "</channel></rss>"
        for items in (bad, pages)
    )


@pytest.fixture(scope="module")
def safety_run(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("fetchsafe")
    (root / "articles").mkdir()
    (root / "feeds").mkdir()
    with CorpusServer(root, routes=ROUTES) as server:
        news, pages = _feeds(server.base_url)
        (root / "feeds" / "news.xml").write_text(news, encoding="utf-8")
        (root / "feeds" / "pages.xml").write_text(pages, encoding="utf-8")
        for name in ("ok", "surrogate", "beyond", "long-title"):
            (root / "articles" / f"{name}.html").write_text(_page(f"Article {name}"), encoding="utf-8")
        # Served as "text/html; charset=utf-8" (the server's default for .html), written in Windows-1252.
        (root / "articles" / "cp1252-under-utf8.html").write_bytes(
            _page("Article cp1252", LEGACY_PARAGRAPH).encode("cp1252")
        )
        # Latin-1, named only in the Content-Type header (ROUTES), no <meta charset>.
        (root / "articles" / "latin1-header.html").write_bytes(
            _page("Article latin1", LEGACY_PARAGRAPH).encode("latin-1")
        )
        config = parse_config(PROFILE.format(base=server.base_url), "fetchsafe.yaml")
        summary = run(config, output=str(tmp_path_factory.mktemp("out")))
        yield summary


def _articles(summary) -> dict[str, dict]:
    return {(a["entry_url"] or "").rsplit("/", 1)[-1]: a for a in _lines(summary.outputs["articles"])}


def _dead(summary) -> list[dict]:
    return _lines(summary.outputs["dead"])


def test_bad_entries_are_dead_letters_and_the_others_go_on(safety_run):
    summary = safety_run
    assert summary.state == "DONE"
    articles = _articles(summary)
    for name in ("ok.html", "surrogate.html", "beyond.html"):
        assert name in articles
    rejected = [d for d in _dead(summary) if d["stage"] == "ParseEntries"]
    reasons = sorted(d["error"] for d in rejected)
    assert len(rejected) == 4, reasons
    assert any("Port out of range" in r for r in reasons)
    assert any("IDNA" in r for r in reasons)
    assert any("not http(s)" in r for r in reasons)
    assert any("title too long" in r for r in reasons)
    assert all(d["url"] or d["input_id"] for d in rejected if "not http(s)" not in d["error"])
    reports = {r["feed_url"].rsplit("/", 1)[-1]: r for r in _lines(summary.outputs["feeds"])}
    assert reports["news.xml"]["ok"] and reports["news.xml"]["rejected"] == 4
    assert reports["news.xml"]["entries"] == 3


def test_invalid_character_references_become_replacement_characters(safety_run):
    articles = _articles(safety_run)
    assert articles["surrogate.html"]["title"] == "Article surrogate"  # the page's title wins
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a &#xD800; &amp;#x110000; b</title><link>http://e.fr/x</link></item></channel></rss>'
    (entry,) = parse_feed(body, "http://e.fr/feed").entries
    assert "\ufffd" in entry.title and "\ud800" not in entry.title


def test_the_http_charset_reaches_extraction(safety_run):
    articles = _articles(safety_run)
    for name in ("cp1252-under-utf8.html", "latin1-header.html"):
        text = articles[name]["text"]
        assert "après la réunion" in text and "à Genève" in text, name
        assert "aprčs" not in text and "Genčve" not in text


def test_decode_page_precedence():
    text = "Le maire est arrivé après « l'été » – 5 €"
    assert decode_page(text.encode("utf-8"), "text/html; charset=utf-8") == text
    assert decode_page(text.encode("cp1252"), "text/html; charset=utf-8") == text  # declared, does not decode
    assert decode_page(text.encode("cp1252"), "text/html; charset=ISO-8859-1") == text  # Latin-1 read as 1252
    assert decode_page(text.encode("cp1252"), None) == text  # no declaration: UTF-8 fails, 1252
    assert decode_page(b"\xef\xbb\xbf" + text.encode("utf-8"), "text/html; charset=iso-8859-1") == text  # BOM wins
    meta = f'<meta charset="windows-1252"><p>{text}</p>'
    assert text in decode_page(meta.encode("cp1252"), "text/html")
    assert decode_page(text.encode("utf-8"), "text/html; charset=no-such-charset") == text


def test_a_page_that_cannot_be_fetched_falls_back_to_the_feed_text(safety_run):
    summary = safety_run
    articles = _articles(summary)
    forbidden, legal = articles["forbidden.html"], articles["legal.html"]
    assert forbidden["text_source"] == "feed_content"
    assert "HTTP 403" in forbidden["fetch_error"]
    assert legal["text_source"] == "feed_summary"
    assert "HTTP 451" in legal["fetch_error"]
    assert "après la réunion" in forbidden["text"]
    assert articles["ok.html"]["fetch_error"] is None
    assert summary.count("FetchArticles.feed_fallback") == 2
    # A teaser is not an article: that page's failure stays a dead letter.
    assert "teaser-only.html" not in articles
    (teaser,) = [d for d in _dead(summary) if (d["url"] or "").endswith("teaser-only.html")]
    assert teaser["stage"] == "FetchArticles" and "HTTP 403" in teaser["error"]


def test_counts_add_up(safety_run):
    summary = safety_run
    entry_letters = sum(n for stage, n in summary.dead_letters_by_stage.items() if stage != "ReadFeeds")
    assert summary.articles_written + entry_letters == 12
