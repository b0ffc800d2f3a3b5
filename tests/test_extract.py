import pytest

from guillemet.errors import ExtractionError
from guillemet.extract import choose_canonical_url, extract_article, html_fragment_to_text
from guillemet.records import FeedEntry
from tests.conftest import FIXTURE_CORPUS

URL = "http://127.0.0.1:9/articles/conseil-municipal.html"


def _page(name: str) -> bytes:
    return (FIXTURE_CORPUS / "articles" / name).read_bytes().replace(b"{{BASE_URL}}", b"http://127.0.0.1:9")


def _entry(**fields) -> FeedEntry:
    values = dict(
        entry_id="x",
        url=URL,
        feed_url="http://127.0.0.1:9/feeds/journal.xml",
        feed_title="Journal",
        feed_language="fr",
        title="Titre du flux",
        authors=("Auteur du flux",),
        published_at="2026-11-20T07:30:00Z",
        summary_html=None,
        content_html=None,
    )
    values.update(fields)
    return FeedEntry(**values)


def test_page_text_and_metadata_without_boilerplate():
    article = extract_article(_page("conseil-municipal.html"), URL, _entry(), fetched_at="2026-11-27T10:00:00Z")
    assert article.text_source == "page"
    assert "« Nous reviendrons à la charge au printemps »" in article.raw_text
    for boilerplate in ("cookies", "Mentions légales", "À lire aussi", "Accueil"):
        assert boilerplate not in article.raw_text
    assert article.title == "Le conseil municipal de Valmont vote le budget"
    assert article.authors == ("Claire Dufresne",)
    assert article.language == "fr"
    assert article.site == "Le Journal d'essai"
    assert article.canonical_url == URL
    assert article.published_at == "2026-11-20T07:30:00Z"  # the feed's full timestamp wins over the page's date


def test_near_empty_page_falls_back_to_feed_content():
    content = (
        "<p>"
        + "La Sorne est sortie de son lit dans la nuit de jeudi à vendredi. " * 5
        + "</p><p>Deuxième paragraphe.</p>"
    )
    article = extract_article(_page("short.html"), URL, _entry(content_html=content, summary_html="<p>Court.</p>"))
    assert article.text_source == "feed_content"
    assert article.raw_text.endswith("Deuxième paragraphe.")


def test_falls_back_to_summary_last():
    article = extract_article(
        b"", URL, _entry(summary_html="<p>Un <b>résumé</b> seulement, mais assez long pour un article.</p>")
    )
    assert article.text_source == "feed_summary"
    assert article.raw_text == "Un résumé seulement, mais assez long pour un article."
    with pytest.raises(ExtractionError, match="at least 40 needed"):
        extract_article(b"", URL, _entry(summary_html="<p>Trop court.</p>"))


def test_empty_page_and_no_feed_text_is_an_error():
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article(b"", URL, _entry())
    with pytest.raises(ExtractionError):
        extract_article(b"<html><body><nav>Menu</nav></body></html>", URL, None)


def test_fragment_to_text_keeps_paragraphs():
    text = html_fragment_to_text("<p>Un <a href='#'>lien</a></p><ul><li>a</li><li>b</li></ul>deux<br>lignes")
    assert text.split("\n") == ["Un lien", "a", "b", "deux", "lignes"]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (None, URL),
        ("http://127.0.0.1:9/articles/x.html", "http://127.0.0.1:9/articles/x.html"),
        ("http://127.0.0.1:9/", URL),  # the home page as canonical of every article
        ("https://autre-site.example/a.html", URL),  # another site
        ("/relative", URL),
    ],
)
def test_canonical_url_is_trusted_only_when_sane(declared, expected):
    assert choose_canonical_url(URL, declared) == expected


@pytest.mark.realworld
def test_realworld_pages_extract_without_error(realworld):
    pages = sorted((realworld / "html").glob("*.html"))
    assert len(pages) >= 30
    extracted = 0
    for path in pages:
        try:
            article = extract_article(path.read_bytes(), "https://example.invalid/" + path.name)
        except ExtractionError:
            continue
        extracted += 1
        assert article.raw_text.strip()
    assert extracted >= len(pages) - 4


def test_feed_fragment_with_control_characters_gives_its_text():
    # A real feed carried a vertical tab in an entry's content: lxml refuses such text.
    fragment = "<p>Le maire a\x0b annoncé\x01 la fermeture.</p><p>Deuxième\x0c paragraphe.</p>"
    assert html_fragment_to_text(fragment) == "Le maire a annoncé la fermeture.\nDeuxième paragraphe."


@pytest.mark.parametrize("as_bytes", [False, True])
def test_page_served_as_a_bare_fragment_gives_its_text(as_bytes):
    # A CMS partial or a reader-mode export served as the page: no <html>, no <body>, one root
    # element. trafilatura's load_html refuses it alone; parsed inside a body it is an article.
    paragraphs = "".join(
        f"<p>Le conseil municipal de Valbonne a voté le budget de l'année, paragraphe {n}, "
        "après trois heures de débats sur les écoles, les routes et la piscine du quartier.</p>"
        for n in range(6)
    )
    fragment = f'<div id="article">\n  <h1>Budget voté à Valbonne</h1>\n  {paragraphs}\n</div>'
    article = extract_article(fragment.encode() if as_bytes else fragment, "https://example.org/budget")
    assert article.text_source == "page"
    assert "paragraphe 5" in article.raw_text
    assert "trois heures de débats" in article.raw_text
