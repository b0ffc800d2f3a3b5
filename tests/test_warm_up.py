"""When the spaCy model is loaded: during the fetch when an entry is new to the seen store
(WarmUpNlp), else by the parse's first batch when a known article changed, and never when nothing
is fresh (tests/test_incremental.py, tests/test_demo.py). Asserted on the order of the log records
of one in-process run, not on time."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest

from guillemet.localserver import CorpusServer
from tests.conftest import ROOT
from tests.test_incremental import CHANGED_PAGE, COURRIER_FEED, DEMO_ARTICLES, copy_demo_corpus, edit_page, profile

pytestmark = pytest.mark.slow

BACKGROUND = "loading model md in the background"
FIRST_BATCH = "ParseArticles: first batch"


def _messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "transforms.nlp"]


def _index(messages: list[str], prefix: str) -> int:
    (index,) = [n for n, message in enumerate(messages) if message.startswith(prefix)]
    return index


def test_a_new_entry_loads_the_model_during_the_fetch_a_changed_one_at_the_parse(tmp_path, caplog):
    from pipeline.run import run

    corpus = copy_demo_corpus(tmp_path / "corpus")
    output = str(tmp_path / "out")
    with CorpusServer(corpus) as server, caplog.at_level(logging.INFO, logger="transforms.nlp"):
        _, config = profile(server.base_url, nlp=True)
        first = run(config, ["--runner=FnApiRunner"], output=output)
        assert first.articles_written == DEMO_ARTICLES
        # One process, one model, whose load began on a new entry, before the parse's first batch.
        assert first.count("ParseArticles.model_loads") == 1
        messages = _messages(caplog)
        assert _index(messages, BACKGROUND) < _index(messages, FIRST_BATCH)
        assert "already loading or loaded" in messages[_index(messages, FIRST_BATCH)]

        # A known URL whose page changed: nothing says it before the fetch, so the parse loads it.
        caplog.clear()
        edit_page(corpus, CHANGED_PAGE, COURRIER_FEED, "Mise à jour : la direction a reçu les grévistes.")
        second = run(config, ["--runner=FnApiRunner"], output=output)
    assert (second.articles_written, second.count("MarkVersions.changed")) == (1, 1)
    assert second.count("ParseArticles.model_loads") == 1
    messages = _messages(caplog)
    assert not [message for message in messages if message.startswith(BACKGROUND)]
    assert "loaded by this batch" in messages[_index(messages, FIRST_BATCH)]


EXIT_PROGRAM = textwrap.dedent(
    """
    import atexit, sys
    from transforms.nlp import exit_without_teardown

    class Held:
        def __del__(self):
            print("torn down", flush=True)

    held = Held()
    atexit.register(print, "earlier exit function", flush=True)  # runs after the hook (last in, first out)
    atexit.register(exit_without_teardown)
    print("done", flush=True)
    if sys.argv[1] == "fail":
        raise RuntimeError("the harness failed")
    """
)


def test_a_worker_ends_without_teardown_unless_it_failed():
    from transforms.nlp import _in_sdk_worker_process

    assert not _in_sdk_worker_process()  # pytest is a driver: its exit is never cut short
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ended = subprocess.run([sys.executable, "-c", EXIT_PROGRAM, "ok"], capture_output=True, text=True, env=env)
    assert (ended.returncode, ended.stdout.split()) == (0, ["done"]), ended.stderr
    # A failure keeps its exit code and the usual end: the hook stood aside.
    failed = subprocess.run([sys.executable, "-c", EXIT_PROGRAM, "fail"], capture_output=True, text=True, env=env)
    assert failed.returncode == 1 and "the harness failed" in failed.stderr
    assert "earlier exit function" in failed.stdout


def test_an_entry_whose_link_is_not_its_canonical_url_is_known_at_the_next_run(tmp_path, caplog):
    """A redirector-style entry (its link is not the page's canonical URL) gives an article id that
    the entry URL does not: the seen store keeps the entry's id beside it, so that the next run
    reading the same entry again knows it before the fetch and loads no model."""
    import json

    from pipeline.run import run

    corpus = copy_demo_corpus(tmp_path / "corpus")
    page = corpus / "articles/courrier/proces-gerant-thermi-val.html"
    html = page.read_text(encoding="utf-8")
    own = "{{BASE_URL}}/articles/courrier/proces-gerant-thermi-val.html"
    assert html.count(own) == 3  # <link rel="canonical">, og:url, the JSON-LD @id
    page.write_text(html.replace(own, "{{BASE_URL}}/2026/proces-thermi-val"), "utf-8")
    output = tmp_path / "out"
    with CorpusServer(corpus) as server, caplog.at_level(logging.INFO, logger="transforms.nlp"):
        _, config = profile(server.base_url, nlp=True)
        first = run(config, ["--runner=FnApiRunner"], output=str(output))
        assert first.articles_written == DEMO_ARTICLES
        lines = [json.loads(line) for path in output.glob("state/seen/run=*/part-*") for line in path.open()]
        assert len([line for line in lines if line.get("entry_id")]) == 1  # only the page moved

        # The feed is read again (a new lastBuildDate) but none of its articles changed.
        caplog.clear()
        feed = corpus / COURRIER_FEED
        xml = feed.read_text(encoding="utf-8")
        feed.write_text(xml.replace("<lastBuildDate>", "<!-- relu -->\n    <lastBuildDate>", 1), "utf-8")
        second = run(config, ["--runner=FnApiRunner"], output=str(output))
    assert second.articles_written == 0
    assert second.count("MarkVersions.unchanged") >= 1
    assert second.count("ParseArticles.model_loads") == 0
    assert not [message for message in _messages(caplog) if message.startswith(BACKGROUND)]
