"""Incremental runs on a local folder: nothing twice, changes as new versions, exactly once across
crashes. A copy of the demo corpus is served by the test on 127.0.0.1 (one port for all the runs
of a test, so article ids stay the same), and edited between runs. NLP is off: these tests are
about what gets written, not about quotes."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from apache_beam.io.filesystems import FileSystems

from guillemet.config import parse_config
from guillemet.localserver import CorpusServer, bundled_corpus
from guillemet.schema import schema_errors
from pipeline.run import run
from pipeline.slices import combined_summary, run_in_slices
from pipeline.store import committed_runs, read_json_lines
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

FEEDS = (
    "/feeds/le-courrier-du-rhone.xml",
    "/feeds/agence-francophone.atom",
    "/feeds/l-echo-des-alpes.xml",
    "/feeds/la-gazette-du-fleuve.xml",
)
CHANGED_PAGE = "articles/courrier/greve-tissages-berthollet.html"
OTHER_PAGE = "articles/courrier/proces-gerant-thermi-val.html"
COURRIER_FEED = "feeds/le-courrier-du-rhone.xml"
DEMO_ARTICLES = 12  # 13 entries, one page is gone (404)


def copy_demo_corpus(destination: Path) -> Path:
    """Our own demo corpus, copied so that a test can edit it between runs."""
    shutil.copytree(bundled_corpus("demo"), destination)
    return destination


def edit_page(corpus: Path, page: str, feed: str, sentence: str) -> None:
    """Adds a paragraph to a page's article text and touches its feed (a new lastBuildDate)."""
    path = corpus / page
    html = path.read_text(encoding="utf-8")
    marker = "      <p>Une réunion" if "Une réunion" in html else "      <p>À l’audience"
    assert marker in html
    path.write_text(html.replace(marker, f"      <p>{sentence}</p>\n{marker}", 1), encoding="utf-8")
    feed_path = corpus / feed
    xml = feed_path.read_text(encoding="utf-8")
    feed_path.write_text(
        xml.replace("<lastBuildDate>", f"<!-- {sentence} -->\n    <lastBuildDate>", 1), encoding="utf-8"
    )


def profile(base_url: str, nlp: bool = False):
    """A run profile reading the served copy's four feeds."""
    feeds = "\n".join(f"  - url: {base_url}{path}" for path in FEEDS)
    text = f"""
name: incremental-test
output: unused
feeds:
{feeds}
fetch:
  allow_private_hosts: [127.0.0.1]
  read_timeout_s: 10
  retries: 0
nlp:
  enabled: {"true" if nlp else "false"}
"""
    return text, parse_config(text, source="incremental-test.yaml")


def committed_articles(output: str) -> list[dict]:
    """Every record of every committed run (what a reader of the output should read)."""
    return [
        record
        for manifest in committed_runs(output)
        for record in read_json_lines(FileSystems.join(manifest["outputs"]["articles"], "part-*"))
    ]


def assert_exactly_once(output: str, expected_ids: set[str]) -> list[dict]:
    """No (id, version) twice across committed runs, every expected article there."""
    records = committed_articles(output)
    counts = Counter((record["id"], record["version"]) for record in records)
    assert [key for key, n in counts.items() if n > 1] == []
    assert {record["id"] for record in records} == expected_ids
    for record in records:
        assert schema_errors(record) == [], record["url"]
    return records


@pytest.fixture
def served(tmp_path):
    corpus = copy_demo_corpus(tmp_path / "corpus")
    with CorpusServer(corpus) as server:
        yield corpus, server


def touch_feed(corpus: Path, feed: str) -> None:
    """Changes a feed (a comment before its lastBuildDate) and none of its pages."""
    path = corpus / feed
    xml = path.read_text(encoding="utf-8")
    path.write_text(xml.replace("<lastBuildDate>", "<!-- rebuilt -->\n    <lastBuildDate>", 1), encoding="utf-8")


def test_second_run_writes_nothing_and_a_changed_page_is_a_new_version(served, tmp_path, caplog):
    corpus, server = served
    _, config = profile(server.base_url)
    output = str(tmp_path / "out")

    first = run(config, output=output)
    assert (first.state, first.articles_written, first.feeds_not_modified) == ("DONE", DEMO_ARTICLES, 0)
    records = assert_exactly_once(output, {r["id"] for r in committed_articles(output)})
    assert len(records) == DEMO_ARTICLES and {r["version"] for r in records} == {1}
    assert {r["first_seen"] for r in records} == {first.started_at}

    second = run(config, output=output)
    assert second.incremental["previous_run"] == first.run_id
    assert (second.articles_written, second.feeds_not_modified, second.entries_read) == (0, 4, 0)
    assert server.last_headers["/" + COURRIER_FEED]["If-None-Match"].startswith('"')
    assert second.count("dead_letters.written") == 0

    # A feed changed, its pages did not: its entries are fetched again and all found unchanged, so
    # the run loads no spaCy model even with NLP on (the model waits for the first fresh article;
    # what is skipped depends on the text's hash alone, so NLP may be off in the other runs).
    touch_feed(corpus, COURRIER_FEED)
    with caplog.at_level(logging.INFO, logger="guillemet.nlp"):
        unchanged = run(profile(server.base_url, nlp=True)[1], output=output)
    assert (unchanged.feeds_not_modified, unchanged.entries_read, unchanged.unchanged_skipped) == (3, 4, 4)
    assert unchanged.articles_written == 0 and unchanged.count("ParseArticles.in") == 0
    assert unchanged.count("ParseArticles.model_loads") == 0
    assert not [r for r in caplog.records if r.getMessage().startswith("loaded fr_core_news")]

    edit_page(corpus, CHANGED_PAGE, COURRIER_FEED, "Mise à jour : la direction a accepté de recevoir les grévistes.")
    third = run(config, output=output)
    assert (third.articles_written, third.feeds_not_modified) == (1, 3)
    # The courrier feed's other three entries were fetched again and found unchanged.
    assert third.unchanged_skipped == 3 and third.count("MarkVersions.changed") == 1
    (changed,) = read_json_lines(FileSystems.join(third.outputs["articles"], "part-*"))
    (original,) = [r for r in records if r["id"] == changed["id"]]
    assert changed["url"].endswith(CHANGED_PAGE)
    assert "la direction a accepté de recevoir" in changed["text"]
    assert (changed["version"], changed["previous_hash"]) == (2, original["content_hash"])
    assert changed["first_seen"] == original["first_seen"] == first.started_at
    assert changed["content_hash"] != original["content_hash"]
    assert_exactly_once(output, {r["id"] for r in records})

    full = run(config, output=output, full=True)
    assert (full.articles_written, full.feeds_not_modified, full.incremental["mode"]) == (DEMO_ARTICLES, 0, "full")


def _without_run_fields(records: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in ("first_seen", "fetched_at")} for r in records), key=str)


def test_slices_of_the_feed_list_write_what_one_run_writes(served, tmp_path):
    """Three slices (two feeds, two, then the first feed again) commit three runs whose records are
    those of one run, each slice starting from the state the one before it committed."""
    _, server = served
    _, config = profile(server.base_url)
    whole = run(config, output=str(tmp_path / "whole"))
    sliced_output = str(tmp_path / "sliced")
    slices = run_in_slices(
        config.model_copy(update={"feeds": config.feeds + config.feeds[:1]}), 2, output=sliced_output
    )
    assert [s.state for s in slices] == ["DONE"] * 3
    assert [s.feeds_total for s in slices] == [2, 2, 1]
    assert [m["run_id"] for m in committed_runs(sliced_output)] == [s.run_id for s in slices]
    assert [s.incremental["previous_run"] for s in slices] == [None, slices[0].run_id, slices[1].run_id]
    # The first feed again, in the last slice: answered 304 from the first slice's state.
    assert slices[2].feeds_not_modified == 1
    combined = combined_summary(slices)
    assert combined.articles_written == whole.articles_written == DEMO_ARTICLES
    assert combined.count("dead_letters.written") == whole.count("dead_letters.written") == 1
    records = assert_exactly_once(sliced_output, {r["id"] for r in committed_articles(str(tmp_path / "whole"))})
    assert _without_run_fields(records) == _without_run_fields(committed_articles(str(tmp_path / "whole")))


_DIE_BEFORE_COMMIT = """
import os, signal, sys
sys.path.insert(0, {root!r})
from guillemet.config import load_config
from pipeline.run import run
from pipeline.slices import combined_summary, run_in_slices
run(load_config({profile!r}), output={output!r}, before_commit=lambda summary: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_run_killed_before_its_commit_is_written_again_once(served, tmp_path):
    corpus, server = served
    text, config = profile(server.base_url)
    profile_path = tmp_path / "profile.yaml"
    profile_path.write_text(text, encoding="utf-8")
    output = str(tmp_path / "out")
    first = run(config, output=output)
    ids = {r["id"] for r in committed_articles(output)}

    edit_page(corpus, CHANGED_PAGE, COURRIER_FEED, "Mise à jour : la médiation est reportée.")
    died = subprocess.run(
        [sys.executable, "-c", _DIE_BEFORE_COMMIT.format(root=str(ROOT), profile=str(profile_path), output=output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    # It died with its records and state written but no manifest: an uncommitted run.
    written = sorted(Path(output, "articles").glob("dt=*/run=*/part-*.jsonl"))
    assert len(written) == 2 and len(list(Path(output, "state", "seen").glob("run=*"))) == 2
    assert [m["run_id"] for m in committed_runs(output)] == [first.run_id]

    again = run(config, output=output)
    assert again.incremental["previous_run"] == first.run_id
    assert again.articles_written == 1 and again.count("MarkVersions.changed") == 1
    records = assert_exactly_once(output, ids)
    assert sorted(r["version"] for r in records if r["url"].endswith(CHANGED_PAGE)) == [1, 2]
    assert len(records) == DEMO_ARTICLES + 1


def test_run_killed_mid_pipeline_then_rerun_writes_everything_once(tmp_path):
    corpus = copy_demo_corpus(tmp_path / "corpus")
    # One slow page keeps the killed run inside its fetch stage.
    (corpus / "_routes.yaml").write_text(f"/{OTHER_PAGE}:\n  delay_s: 4\n", encoding="utf-8")
    with CorpusServer(corpus) as server:
        text, config = profile(server.base_url)
        profile_path = tmp_path / "profile.yaml"
        profile_path.write_text(text, encoding="utf-8")
        output = str(tmp_path / "out")
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "run", "--config", str(profile_path), "--output", output, "-q"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while server.hits["/" + OTHER_PAGE] == 0 and process.poll() is None:
                time.sleep(0.02)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait()
        assert process.returncode == -signal.SIGKILL
        assert committed_runs(output) == []

        summary = run(config, output=output)
    assert summary.incremental["previous_run"] is None
    records = assert_exactly_once(output, {r["id"] for r in committed_articles(output)})
    assert len(records) == summary.articles_written == DEMO_ARTICLES
