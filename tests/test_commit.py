"""Runs committed by their own pipeline (CommitRun), as a Flex Template job must be: the same
manifest as a driver commit, incremental runs from it, and the flex entry point ending committed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apache_beam.io.filesystems import FileSystems

from guillemet.config import parse_config
from guillemet.localserver import CorpusServer, bundled_corpus
from pipeline import flex
from pipeline.run import run
from pipeline.store import committed_runs, read_json_lines
from tests.test_end_to_end import FIXTURE_PROFILE
from tests.test_incremental import DEMO_ARTICLES, FEEDS
from tests.test_incremental import profile as incremental_profile

pytestmark = pytest.mark.slow

# What the manifest says about the run, apart from its names, times and metrics.
COUNTS = ("state", "feeds", "entries", "articles_written", "articles_changed", "dead_letters")


def test_a_pipeline_commit_writes_the_manifest_the_driver_would(tmp_path):
    # The fixture corpus has failing feeds and pages of every kind; NLP on, for the join's counts.
    config = parse_config(FIXTURE_PROFILE.replace("enabled: false", "enabled: true, model: sm"), "fixture.yaml")
    output = tmp_path / "out"
    # The driver waits, so it has the job's metrics: what it would have committed.
    by_driver = run(config, output=str(output), commit_in_pipeline=True)
    (manifest,) = committed_runs(str(output))
    assert (manifest["committed_by"], manifest["run_id"]) == ("pipeline", by_driver.run_id)
    assert manifest["finished_at"] and by_driver.committed_by == "pipeline"
    expected = by_driver.to_dict()
    assert {key: manifest[key] for key in COUNTS} == {key: expected[key] for key in COUNTS}
    assert manifest["articles_written"] == 3 and manifest["dead_letters"]["total"] == 7
    assert len(manifest["dead_letters"]["by_stage"]) == 4 and manifest["entries"]["rejected"] == 2
    # Every count the pipeline made from its data is the metric the driver read.
    assert len(manifest["counters"]) >= 12
    assert manifest["counters"] == {name: by_driver.counters.get(name, 0) for name in manifest["counters"]}
    assert manifest["incremental"] == by_driver.incremental
    assert manifest["incremental"]["feeds"] == str(output / "state" / "feeds" / f"run={by_driver.run_id}.json")
    feed_state = json.loads(Path(manifest["incremental"]["feeds"]).read_text(encoding="utf-8"))
    assert sorted(feed_state["feeds"]) == [
        "/feeds/agence.atom",
        "/feeds/journal.xml",
        "/feeds/malformed.xml",
        "/feeds/not-a-feed.xml",
    ]


@pytest.fixture
def demo_server():
    with CorpusServer(bundled_corpus("demo")) as server:
        yield server


def test_the_flex_entry_point_ends_with_a_committed_run_and_the_next_writes_nothing(demo_server, tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text(incremental_profile("https://unused.invalid")[0], encoding="utf-8")
    output = str(tmp_path / "out")
    argv = [
        f"--config={profile}",
        f"--output={output}",
        "--feeds=" + ",".join(demo_server.base_url + path for path in FEEDS),
        # The local runner in place of Dataflow: launch() still returns without waiting itself.
        "--runner=FnApiRunner",
    ]
    assert flex.main(argv) == 0
    (manifest,) = committed_runs(output)
    assert (manifest["state"], manifest["committed_by"], manifest["articles_written"]) == (
        "DONE",
        "pipeline",
        DEMO_ARTICLES,
    )
    assert len(list(read_json_lines(FileSystems.join(manifest["outputs"]["articles"], "part-*")))) == DEMO_ARTICLES
    assert flex.main(argv) == 0
    first, second = committed_runs(output)
    assert second["incremental"]["previous_run"] == first["run_id"]
    assert (second["articles_written"], second["feeds"]["not_modified"], second["entries"]["read"]) == (
        0,
        len(FEEDS),
        0,
    )
    # A driver-committed run goes on from the state the pipeline committed.
    _, config = incremental_profile(demo_server.base_url)
    third = run(config, output=output)
    assert (third.incremental["previous_run"], third.articles_written) == (second["run_id"], 0)
    assert committed_runs(output)[-1]["committed_by"] == "driver"
