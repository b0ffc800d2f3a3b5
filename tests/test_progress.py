"""Progress while a job runs (``pipeline/progress.py``): a live line on a terminal, log lines
elsewhere, from the stages' own counters tallied in the driver's process (FnApiRunner)."""

from __future__ import annotations

import io
import logging

import pytest

from guillemet.localserver import CorpusServer
from pipeline.progress import ProgressSettings, describe
from pipeline.run import run
from tests.test_incremental import copy_demo_corpus, profile


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_says_feeds_pages_articles_rate_and_time_left():
    counts = {"ReadFeeds.out": 3, "ReadFeeds.failed": 1, "ParseEntries.out": 40, "FetchArticles.out": 9}
    counts |= {"FetchArticles.failed": 1, "ParseArticles.out": 8, "articles.written": 5}
    line = describe(counts, feeds_total=4, elapsed_s=5.0, nlp=True)
    assert (
        line
        == "feeds 4/4 · pages 10/40 fetched · 8 parsed · 5 written · 2 dead letters · 2.0 pages/s · ~15 s left · 5 s"
    )
    assert describe({}, 4, 0.0, nlp=False) == "feeds 0/4 · pages 0 fetched · 0 written · 0 dead letters · 0 s"


@pytest.mark.slow
def test_a_run_shows_its_progress_live_on_a_terminal_and_in_the_log_elsewhere(tmp_path, caplog):
    with CorpusServer(copy_demo_corpus(tmp_path / "corpus")) as server:
        _, config = profile(server.base_url)
        terminal = _Terminal()
        summary = run(config, output=str(tmp_path / "a"), progress=ProgressSettings(terminal, live_every_s=0.01))
        assert summary.articles_written == 12
        redraws = terminal.getvalue().split("\r")[1:]
        assert redraws and all(line.endswith("\x1b[K") for line in redraws[:-1])
        assert redraws[-1].startswith("feeds 4/4 · pages 13/13 fetched · 12 written · 1 dead letters · ")
        assert redraws[-1].endswith("\x1b[K\n")

        caplog.set_level(logging.INFO, logger="pipeline.progress")
        run(config, output=str(tmp_path / "b"), full=True, progress=ProgressSettings(io.StringIO(), interval_s=0.01))
    lines = [r.getMessage() for r in caplog.records if r.name == "pipeline.progress"]
    assert lines and lines[-1].startswith("progress: feeds 4/4 · pages 13/13 fetched · 12 written")
    counts = [line.split(" · ")[:4] for line in lines]
    assert len(counts) == len({tuple(c) for c in counts})  # a line only when something moved
