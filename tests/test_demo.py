"""The demo profile (what `make run` runs): the bundled corpus through the real fetch path. The
session's one demo run (``tests/conftest.py``) is read here; a second run goes to a copy."""

import json
import logging
import shutil
from pathlib import Path

import pytest

from guillemet.analysis.runs import read_archive
from guillemet.config import load_config
from guillemet.ids import article_id
from guillemet.schema import schema_errors
from pipeline.run import run
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _lines(folder: str) -> list[dict]:
    return [
        json.loads(line)
        for path in Path(folder).glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


@pytest.fixture(scope="module")
def demo_files(demo):
    """The session's demo run (``tests/conftest.py``): summary, articles, dead letters, hits."""
    summary = demo.summary
    return summary, _lines(summary.outputs["articles"]), _lines(summary.outputs["dead"]), demo.hits


def test_demo_writes_every_article_but_the_removed_one(demo_files):
    summary, articles, dead, _ = demo_files
    assert summary.state == "DONE"
    assert (summary.feeds_total, summary.feeds_failed) == (4, 0)
    assert summary.entries_read == 13
    assert len(articles) == 12 == summary.articles_written
    assert [(d["stage"], d["url"].rsplit("/", 1)[1], d["error"]) for d in dead] == [
        ("FetchArticles", "article-retire.html", "HTTP 404 Not Found")
    ]
    for article in articles:
        assert schema_errors(article) == [], article["url"]
        assert article["language"] == "fr"
        assert "\u00a0" not in article["text"] and "\u202f" not in article["text"] and "’" not in article["text"]


def test_demo_articles_have_quotes_with_speakers(demo_files):
    summary, articles, _, _ = demo_files
    assert summary.count("ParseArticles.out") == 12
    assert summary.count("ExtractQuotes.out") == summary.count("ExtractEntities.out") == 12
    quotes = [quote for article in articles for quote in article["quotes"]]
    assert len(quotes) >= 60
    for article in articles:
        for quote in article["quotes"]:
            assert article["text"][quote["start"] : quote["end"]] == quote["text"]
    assert {q["kind"] for q in quotes} == {"direct", "fragment", "indirect"}
    named = [q for q in quotes if q["speaker"]["name"]]
    assert len(named) >= 0.8 * len(quotes)


def test_demo_went_through_http(demo_files):
    *_, hits = demo_files
    assert hits["/feeds/l-echo-des-alpes.xml"] == 1
    assert sum(n for path, n in hits.items() if path.startswith("/articles/")) == 13


def test_second_run_over_an_unchanged_server_loads_no_model(demo_output_copy, caplog):
    """Nothing fresh: every feed answers 304, so the run parses nothing and loads no model (the
    model loads on the first article that reaches the parse, not when the stage starts)."""
    output, before = demo_output_copy
    with caplog.at_level(logging.INFO, logger="guillemet.nlp"):
        again = run(load_config(ROOT / "configs" / "demo.yaml"), output=str(output))
    assert again.state == "DONE"
    assert (again.feeds_not_modified, again.articles_written) == (4, 0)
    assert again.count("ParseArticles.model_loads") == 0
    assert not [r for r in caplog.records if r.getMessage().startswith("loaded fr_core_news")]
    after = read_archive(str(output))
    assert len(after.runs) == 2
    assert after.articles == before


def test_latin1_feed_titles_are_decoded(demo_files):
    _, articles, _, _ = demo_files
    echo = [a for a in articles if a["feed"]["url"].endswith("l-echo-des-alpes.xml")]
    assert len(echo) == 3
    assert all("Ã" not in a["title"] for a in echo)


def test_tracking_parameters_do_not_change_the_id(demo_files):
    _, articles, _, _ = demo_files
    # The feed links this page with ?utm_source=rss&utm_medium=feed: no URL of the record keeps them.
    (tracked,) = [a for a in articles if a["url"].endswith("agriculteurs-bloquent-vernolles.html")]
    assert tracked["entry_url"].endswith("agriculteurs-bloquent-vernolles.html")
    assert tracked["id"] == article_id(tracked["canonical_url"]) == article_id(tracked["entry_url"] + "?utm_source=rss")
    assert not [a["id"] for a in articles for key in ("url", "canonical_url", "entry_url") if "utm_" in (a[key] or "")]


def test_video_page_falls_back_to_feed_content(demo_files):
    _, articles, _, _ = demo_files
    (video,) = [a for a in articles if a["url"].endswith("breve-video.html")]
    assert video["text_source"] == "feed_content"
    assert "kayakiste" in video["text"]
    assert "Activez JavaScript" not in video["text"]


def test_mojibake_is_repaired(demo_files):
    _, articles, _, _ = demo_files
    (derby,) = [a for a in articles if "derby" in a["url"]]
    assert derby["normalization"]["changes"].get("encoding_repairs", 0) >= 1
    assert "Ã" not in derby["text"]


@pytest.fixture
def demo_output_copy(demo, tmp_path):
    """A copy of the session's demo output (which other tests read unchanged) and its articles."""
    output = tmp_path / "out"
    shutil.copytree(demo.output, output)
    return output, read_archive(str(output)).articles
