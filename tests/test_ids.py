import pytest

from guillemet.ids import article_id, canonicalize_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Example.FR:443/a/b.html#top", "https://www.example.fr/a/b.html"),
        ("http://example.fr:80/a?utm_source=rss&utm_medium=feed&id=3", "http://example.fr/a?id=3"),
        ("http://example.fr/a?xtor=RSS-3&page=2&fbclid=abc", "http://example.fr/a?page=2"),
        ("http://127.0.0.1:8765/a.html", "http://127.0.0.1:8765/a.html"),
        ("https://example.fr", "https://example.fr/"),
    ],
)
def test_canonicalize(url, canonical):
    assert canonicalize_url(url) == canonical


def test_id_is_stable_and_ignores_tracking():
    assert article_id("https://example.fr/a?utm_source=x") == article_id("https://EXAMPLE.fr/a#comments")
    assert article_id("https://example.fr/a") != article_id("https://example.fr/b")
    assert len(article_id("https://example.fr/a")) == 32
