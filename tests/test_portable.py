"""The demo job through Beam's portable job API: ``PortableRunner`` against Beam's own Python job
service on 127.0.0.1 (the API Flink and Spark job servers speak, ``docs/deploy.md``), with the
SDK harness in this process (``LOOPBACK``): no Docker, no network. Its records must be the local
runner's, but for what differs from run to run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apache_beam.runners.portability.local_job_service import LocalJobServicer

from guillemet.config import load_config
from guillemet.localserver import CorpusServer, bundled_corpus
from pipeline.run import run
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# What two runs of the same job never share: when they fetched, and what the port of the corpus
# server made of the URLs (the article id is a digest of the canonical URL).
RUN_SPECIFIC = ("id", "first_seen", "fetched_at")


class _LoopbackJobService(LocalJobServicer):
    """Beam's local job service, bound to 127.0.0.1 only (its default is ``localhost``)."""

    def get_service_address(self) -> str:
        return "127.0.0.1"


@pytest.fixture
def job_service():
    """The job service and its endpoint."""
    service = _LoopbackJobService()
    port = service.start_grpc_server(0)
    try:
        yield service, f"127.0.0.1:{port}"
    finally:
        service.stop()


def _records(folder: str, base_url: str) -> list[dict]:
    records = []
    for path in sorted(Path(folder).glob("part-*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line.replace(base_url, "BASE_URL"))
            for field in RUN_SPECIFIC:
                record.pop(field, None)
            records.append(record)
    return sorted(records, key=lambda record: record["url"])


def _dead_letters(folder: str, base_url: str) -> list[tuple]:
    return sorted(
        (dead["stage"], dead["url"].replace(base_url, "BASE_URL"), dead["error"])
        for path in Path(folder).glob("part-*")
        for dead in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    )


def test_demo_on_the_portable_runner_writes_what_the_local_runner_writes(demo, job_service, tmp_path):
    service, job_endpoint = job_service
    config = load_config(ROOT / "configs" / "demo.yaml")
    with CorpusServer(bundled_corpus("demo")) as server:
        # The portable runner is not a local runner to us (``pipeline/options.py``): it gets the
        # served corpus by URL, as it would get real feeds.
        feeds = tuple(feed.model_copy(update={"url": server.base_url + feed.url}) for feed in config.feeds)
        portable = config.model_copy(update={"serve": None, "feeds": feeds})
        summary = run(
            portable,
            ["--runner=PortableRunner", f"--job_endpoint={job_endpoint}", "--environment_type=LOOPBACK"],
            output=str(tmp_path / "out"),
        )
        base_url = server.base_url
    assert (summary.state, summary.runner) == ("DONE", "PortableRunner")
    assert len(service._jobs) == 1  # noqa: SLF001 - the job went through the job service
    local = demo.summary
    assert summary.articles_written == local.articles_written == 12
    for name in ("ParseArticles.out", "ExtractQuotes.out", "ExtractEntities.out", "dead_letters.written"):
        assert summary.count(name) == local.count(name), name
    assert summary.count("ParseArticles.model_loads") == 1
    assert _records(summary.outputs["articles"], base_url) == _records(local.outputs["articles"], demo.base_url)
    assert _dead_letters(summary.outputs["dead"], base_url) == _dead_letters(local.outputs["dead"], demo.base_url)
