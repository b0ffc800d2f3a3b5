"""Metadata a researcher counts on (schema 1.3), through the pipeline over the local server: the
detected language when the markup says another, URLs without tracking parameters, a paywall teaser
marked ``truncated``, and the date taken from the feed or the page as ``extract.prefer_date`` says."""

from __future__ import annotations

import pytest

from guillemet.article import ends_at_a_paywall
from guillemet.config import parse_config
from guillemet.ids import article_id, strip_tracking
from guillemet.records import Block
from guillemet.schema import schema_errors
from pipeline.run import run
from tests.test_run_safety import FILLER, _lines

PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="2026-11-18T09:00:00+01:00">
</head><body><main><article><h1>{title}</h1>
{paragraphs}
</article></main></body></html>
"""

PAGES = {
    "balise-anglaise": PAGE.format(lang="en", title="Le conseil municipal vote le budget", paragraphs=FILLER * 3),
    "abonnes": PAGE.format(
        lang="fr",
        title="Enquête sur les marchés publics",
        paragraphs=FILLER * 2 + "<p>Il vous reste 80 % de l’article à lire. Déjà abonné ? Connectez-vous.</p>",
    ),
    "complet": PAGE.format(
        lang="fr", title="La crue de la rivière", paragraphs="<p>Réservé aux abonnés</p>" + FILLER * 3
    ),
}
TRACKING = "?utm_source=rss&amp;utm_medium=flux&amp;xtor=RSS-3&amp;fbclid=IwAR0&amp;page=2"


def _corpus(root):
    (root / "articles").mkdir(parents=True)
    (root / "feeds").mkdir()
    items = ""
    for slug, html in PAGES.items():
        (root / "articles" / f"{slug}.html").write_text(html, encoding="utf-8")
        items += (
            f"<item><title>{slug}</title><link>{{{{BASE_URL}}}}/articles/{slug}.html{TRACKING}</link>"
            f"<guid>g-{slug}</guid><pubDate>Fri, 20 Nov 2026 07:30:00 GMT</pubDate></item>"
        )
    (root / "feeds" / "essai.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Essai</title>'
        f"<link>{{{{BASE_URL}}}}/</link><description>d</description>{items}</channel></rss>",
        encoding="utf-8",
    )
    return root


def _profile(root, prefer_date: str) -> str:
    return f"""
name: metadata
output: unused
serve: {{root: {root}}}
feeds: [{{url: /feeds/essai.xml, name: Essai}}]
fetch: {{retries: 0, per_host_delay_s: 0, allow_private_hosts: [127.0.0.1], robots_txt: false}}
extract: {{prefer_date: {prefer_date}}}
nlp: {{enabled: false}}
"""


@pytest.mark.slow
def test_language_tracking_paywall_and_date_in_the_records(tmp_path):
    root = _corpus(tmp_path / "corpus")
    by_date = {}
    for prefer in ("feed", "page"):
        config = parse_config(_profile(root, prefer), "metadata.yaml")
        summary = run(config, ["--runner=FnApiRunner"], output=str(tmp_path / prefer))
        records = {r["url"].rsplit("/", 1)[-1]: r for r in _lines(summary.outputs["articles"])}
        assert sorted(records) == ["abonnes.html?page=2", "balise-anglaise.html?page=2", "complet.html?page=2"]
        by_date[prefer] = records
        for record in records.values():
            assert schema_errors(record) == [] and record["schema_version"] == "1.3"
            assert record["entry_url"].endswith("?page=2")  # utm_*, xtor and fbclid gone
    records = by_date["feed"]
    english_tag = records["balise-anglaise.html?page=2"]
    assert (english_tag["language"], english_tag["language_declared"]) == ("fr", "en")
    assert (records["complet.html?page=2"]["language"], records["complet.html?page=2"]["language_declared"]) == (
        "fr",
        None,
    )
    assert [name for name, r in records.items() if r["truncated"]] == ["abonnes.html?page=2"]
    assert {(r["published_at"], r["published_at_source"]) for r in records.values()} == {
        ("2026-11-20T07:30:00Z", "feed")
    }
    assert {(r["published_at"], r["published_at_source"]) for r in by_date["page"].values()} == {("2026-11-18", "page")}


def test_tracking_parameters_are_courlans_and_the_rest_of_the_url_stays():
    url = "https://www.lemonde.fr/a/b.html?utm_source=rss&id=5&xtor=RSS-3&fbclid=AbC&at_medium=x#commentaires"
    assert strip_tracking(url) == "https://www.lemonde.fr/a/b.html?id=5#commentaires"
    assert strip_tracking("https://x.fr/a?page=2&q=gr%C3%A8ve") == "https://x.fr/a?page=2&q=gr%C3%A8ve"
    assert strip_tracking("https://x.fr/a?ns_campaign=1&cmpid=2&xtref=3&ito=4") == "https://x.fr/a"
    assert article_id("https://x.fr/a?gclid=1&page=2") == article_id("https://x.fr/a?page=2")


def test_a_paywall_label_above_a_whole_article_is_not_a_teaser():
    def blocks(*kinds):
        return tuple(Block(i, i + 1, kind) for i, kind in enumerate(kinds))

    assert ends_at_a_paywall(blocks("heading", "paragraph", "paragraph", "paywall"))
    assert ends_at_a_paywall(blocks("paragraph", "paywall", "related"))
    assert not ends_at_a_paywall(blocks("paywall", "paragraph", "paragraph"))
    assert not ends_at_a_paywall(blocks("paragraph", "paragraph"))
