import pytest

from guillemet.errors import FeedError
from guillemet.feeds import parse_feed
from tests.conftest import FIXTURE_CORPUS

BASE = "http://127.0.0.1:9/"


def _fixture(name: str) -> bytes:
    return (FIXTURE_CORPUS / "feeds" / name).read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:9")


def test_rss_entries_with_metadata_and_rejects():
    parsed = parse_feed(_fixture("journal.xml"), BASE + "feeds/journal.xml")
    assert parsed.format == "rss20"
    assert parsed.problem is None
    assert [e.title for e in parsed.entries][:2] == [
        "Le conseil municipal de Valmont vote le budget",
        "Grève du tramway : le trafic reprend",
    ]
    first = parsed.entries[0]
    assert first.url == "http://127.0.0.1:9/articles/conseil-municipal.html"
    assert first.published_at == "2026-11-20T07:30:00Z"
    assert first.authors == ("Claire Dufresne",)
    assert first.feed_language == "fr"
    assert [r.reason for r in parsed.rejected] == ["entry has no link"]
    video = parsed.entries[-1]
    assert "La Sorne est sortie de son lit" in video.content_html


def test_atom_link_keeps_query_and_resolves():
    parsed = parse_feed(_fixture("agence.atom"), BASE + "feeds/agence.atom")
    assert parsed.format == "atom10"
    (entry,) = parsed.entries
    assert entry.url.endswith("greve-tramway.html?utm_source=rss&utm_medium=feed")
    assert entry.published_at == "2026-11-20T09:05:00Z"


def test_latin1_feed_without_http_charset():
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>L\'Écho</title>'
        "<item><title>Été brûlant à Genève</title><link>/a.html</link></item></channel></rss>"
    ).encode("iso-8859-1")
    parsed = parse_feed(body, BASE + "feeds/echo.xml")
    assert parsed.entries[0].title == "Été brûlant à Genève"
    assert parsed.entries[0].url == "http://127.0.0.1:9/a.html"


def test_html_in_cdata_is_kept_as_html():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
        b"<link>http://e.fr/x</link><description><![CDATA[<p>Un <strong>chapo</strong></p>]]></description>"
        b"</item></channel></rss>"
    )
    (entry,) = parse_feed(body, BASE).entries
    assert "<strong>chapo</strong>" in entry.summary_html


def test_duplicate_entries_in_one_feed_are_counted():
    item = b"<item><title>x</title><link>http://e.fr/x?utm_source=a</link></item>"
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        + item
        + item.replace(b"utm_source=a", b"utm_source=b")
        + b"</channel></rss>"
    )
    parsed = parse_feed(body, BASE)
    assert len(parsed.entries) == 1
    assert parsed.duplicates == 1


def test_non_http_links_are_rejected():
    body = b'<rss version="2.0"><channel><title>t</title><item><title>x</title><link>javascript:alert(1)</link></item></channel></rss>'
    parsed = parse_feed(body, BASE)
    assert parsed.entries == ()
    assert "not http(s)" in parsed.rejected[0].reason


@pytest.mark.parametrize(
    ("name", "message"),
    [("malformed.xml", None), ("not-a-feed.xml", "not a feed")],
)
def test_broken_documents(name, message):
    if message is None:
        # Broken XML that still yields an entry: the problem is recorded with the feed.
        parsed = parse_feed(_fixture(name), BASE)
        assert parsed.problem and "SAXParseException" in parsed.problem
        assert parsed.rejected[0].reason == "entry has no link"
    else:
        with pytest.raises(FeedError, match=message):
            parse_feed(_fixture(name), BASE)


@pytest.mark.parametrize(
    "body", [b"", b"\x00\x01\x02", b"{}", b"<html><body>rien</body></html>", b"<?xml version='1.0'?><root/>"]
)
def test_garbage_raises_feed_error(body):
    with pytest.raises(FeedError):
        parse_feed(body, BASE)


@pytest.mark.realworld
def test_realworld_feeds_parse_or_fail_clearly(realworld):
    files = sorted((realworld / "feeds").glob("*.xml"))
    assert len(files) >= 30
    parsed_count = 0
    for path in files:
        try:
            parsed = parse_feed(path.read_bytes(), "https://example.invalid/" + path.name)
        except FeedError as error:
            assert "NOT_A_FEED" in path.name, f"{path.name}: {error}"
            continue
        parsed_count += 1
        assert parsed.entries, path.name
        for entry in parsed.entries:
            assert entry.url.startswith(("http://", "https://")), path.name
            assert entry.published_at is None or entry.published_at.endswith("Z")
    assert parsed_count == len(files) - 2
