"""Each stage's composite transform on the local runner, with its good and dead-letter outputs."""

import json

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from guillemet.fetch import FetchSettings
from guillemet.records import ArticlePage, ExtractedArticle, FeedEntry, FeedSource, FetchResult
from tests.conftest import FIXTURE_CORPUS, test_pipeline
from transforms import DedupEntries, ExtractText, FetchArticles, NormalizeText, ParseEntries, ReadFeeds, WriteJsonLines

FAST = FetchSettings(read_timeout_s=1, total_timeout_s=3, retries=0, allow_private_hosts=("127.0.0.1",))


def _entry(url: str, feed_url: str = "http://127.0.0.1:9/f.xml", entry_id: str | None = None) -> FeedEntry:
    from guillemet.ids import article_id

    return FeedEntry(
        entry_id=entry_id or article_id(url),
        url=url,
        feed_url=feed_url,
        feed_title="Journal",
        feed_language="fr",
        title="Titre",
        authors=(),
        published_at=None,
        summary_html=None,
        content_html=None,
    )


def _fetched(name: str) -> FetchResult:
    body = (FIXTURE_CORPUS / "feeds" / name).read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:9")
    url = "http://127.0.0.1:9/feeds/" + name
    return FetchResult(url, url, 200, body, "application/xml", None, "2026-11-27T10:00:00Z", 0.1, 1)


def test_read_feeds(fixture_server):
    with test_pipeline() as p:
        result = (
            p
            | beam.Create(
                [
                    FeedSource(fixture_server.url("/feeds/journal.xml"), "Journal"),
                    FeedSource(fixture_server.url("/feeds/gone.xml"), "Gone"),
                ]
            )
            | ReadFeeds(FAST)
        )
        assert_that(
            result.good | "Names" >> beam.Map(lambda pair: (pair[0].name, pair[1].status)),
            equal_to([("Journal", 200)]),
            label="Good",
        )
        assert_that(
            result.dead_letters | "Why" >> beam.Map(lambda d: (d.stage, d.input_id, d.error, d.details["status"])),
            equal_to([("ReadFeeds", "Gone", "HTTP 404 Not Found", 404)]),
            label="Dead",
        )


def test_parse_entries():
    source = FeedSource("http://127.0.0.1:9/feeds/journal.xml", "Journal")
    with test_pipeline() as p:
        entries, dead, reports = (
            p
            | beam.Create(
                [
                    (source, _fetched("journal.xml")),
                    (FeedSource("http://127.0.0.1:9/feeds/not-a-feed.xml"), _fetched("not-a-feed.xml")),
                ]
            )
            | ParseEntries()
        )
        assert_that(entries | "Count" >> beam.combiners.Count.Globally(), equal_to([6]), label="Entries")
        assert_that(
            dead | "Why" >> beam.Map(lambda d: (d.stage, d.error)),
            equal_to(
                [
                    ("ParseEntries", "entry has no link"),
                    ("ParseEntries", "not a feed: no RSS, Atom or RDF document found"),
                ]
            ),
            label="Dead",
        )
        assert_that(
            reports | "Ok" >> beam.Map(lambda r: (r.feed_url.rsplit("/", 1)[1], r.ok, r.entries)),
            equal_to([("journal.xml", True, 6), ("not-a-feed.xml", False, 0)]),
            label="Reports",
        )


def test_dedup_entries_keeps_one_per_article_deterministically():
    entries = [
        _entry("http://e.fr/a?utm_source=x", feed_url="http://e.fr/z.xml"),
        _entry("http://e.fr/a", feed_url="http://e.fr/b.xml"),
        _entry("http://e.fr/c"),
    ]
    assert entries[0].entry_id == entries[1].entry_id
    with test_pipeline() as p:
        unique = p | beam.Create(entries) | DedupEntries()
        assert_that(unique | beam.Map(lambda e: e.url), equal_to(["http://e.fr/a", "http://e.fr/c"]))


def test_fetch_articles(fixture_server):
    with test_pipeline() as p:
        result = (
            p
            | beam.Create(
                [
                    _entry(fixture_server.url("/articles/greve-tramway.html")),
                    _entry(fixture_server.url("/articles/removed.html")),
                ]
            )
            | FetchArticles(FAST)
        )
        assert_that(result.good | "Status" >> beam.Map(lambda page: page.page.status), equal_to([200]), label="Good")
        assert_that(
            result.dead_letters | "Why" >> beam.Map(lambda d: (d.stage, d.url.rsplit("/", 1)[1], d.error)),
            equal_to([("FetchArticles", "removed.html", "HTTP 404 Not Found")]),
            label="Dead",
        )


def test_extract_text():
    page = (FIXTURE_CORPUS / "articles" / "greve-tramway.html").read_bytes()
    url = "http://127.0.0.1:9/articles/greve-tramway.html"

    def fetched(body: bytes) -> FetchResult:
        return FetchResult(url, url, 200, body, "text/html", "utf-8", "2026-11-27T10:00:00Z", 0.1, 1)

    with test_pipeline() as p:
        result = (
            p
            | beam.Create(
                [
                    ArticlePage(_entry(url), fetched(page)),
                    ArticlePage(_entry(url + "?empty", entry_id="empty"), fetched(b"")),
                ]
            )
            | ExtractText()
        )
        assert_that(
            result.good | "Source" >> beam.Map(lambda a: (a.text_source, a.title)),
            equal_to([("page", "Grève du tramway : le trafic reprend progressivement")]),
            label="Good",
        )
        assert_that(
            result.dead_letters | "Why" >> beam.Map(lambda d: (d.stage, d.input_id, d.error_class)),
            equal_to([("ExtractText", "empty", "ExtractionError")]),
            label="Dead",
        )


def test_normalize_text():
    extracted = ExtractedArticle(
        entry=None,
        url="http://e.fr/a",
        canonical_url="http://e.fr/a",
        fetched_at=None,
        title="Titre",
        authors=(),
        published_at=None,
        language="fr",
        site="e.fr",
        text_source="page",
        raw_text="«\u202fC’est\u00a0bien\u202f», dit-il.",
    )
    with test_pipeline() as p:
        result = p | beam.Create([extracted]) | NormalizeText()
        assert_that(result.good | beam.Map(lambda a: a.text), equal_to(["« C'est bien », dit-il."]), label="Good")
        assert_that(result.dead_letters, equal_to([]), label="Dead")


def test_write_json_lines(tmp_path):
    entries = [_entry(f"http://e.fr/{n}") for n in range(5)]
    with test_pipeline() as p:
        p | beam.Create(entries) | WriteJsonLines(str(tmp_path / "out"), num_shards=1)
    (written,) = list((tmp_path / "out").glob("part-*.jsonl"))
    assert written.name == "part-00000-of-00001.jsonl"
    lines = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["url"] for line in lines) == [f"http://e.fr/{n}" for n in range(5)]
