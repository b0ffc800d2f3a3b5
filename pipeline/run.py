"""Running one batch job: start the corpus server if any, run the graph, summarise, write the manifest."""

from __future__ import annotations

import json
import logging
import platform
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter

from guillemet import __version__
from guillemet.config import GuillemetConfig
from guillemet.localserver import CorpusServer, resolve_root
from pipeline.graph import RunLayout, build_graph, feed_sources
from pipeline.options import is_local, pipeline_options, runner_name
from transforms.common import METRICS_NAMESPACE

_LOGGER = logging.getLogger(__name__)

STAGES = (
    "ReadFeeds",
    "ParseEntries",
    "FetchArticles",
    "ExtractText",
    "NormalizeText",
    "ParseArticles",
    "ExtractQuotes",
    "ExtractEntities",
)


@dataclass
class RunSummary:
    """What a run did, from its metrics: the basis of the printed summary and the manifest."""

    run_id: str
    config: str | None
    config_digest: str
    runner: str
    started_at: str
    finished_at: str | None = None
    state: str = "RUNNING"
    counters: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return self.counters.get(name, 0)

    @property
    def feeds_total(self) -> int:
        return self.count("ReadFeeds.in")

    @property
    def feeds_failed(self) -> int:
        return self.count("ReadFeeds.failed") + self.count("feeds.unparsable")

    @property
    def entries_read(self) -> int:
        return (
            self.count("ParseEntries.out")
            + self.count("ParseEntries.rejected_entries")
            + self.count("ParseEntries.duplicate_entries")
        )

    @property
    def dead_letters_by_stage(self) -> dict[str, int]:
        return {stage: self.count(f"{stage}.failed") for stage in STAGES if self.count(f"{stage}.failed")}

    @property
    def dead_letter_share(self) -> float:
        """Dead letters (feeds and entries) over entries read, 0 when nothing was read."""
        read = max(self.entries_read, 1)
        return self.count("dead_letters.written") / read

    @property
    def articles_written(self) -> int:
        return self.count("articles.written")

    @property
    def skipped_duplicates(self) -> int:
        return (
            self.count("ParseEntries.duplicate_entries")
            + self.count("DedupEntries.duplicates")
            + self.count("JoinAnnotations.duplicates")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "state": self.state,
            "config": self.config,
            "config_digest": self.config_digest,
            "runner": self.runner,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "feeds": {
                "total": self.feeds_total,
                "ok": self.feeds_total - self.feeds_failed,
                "failed": self.feeds_failed,
            },
            "entries": {
                "read": self.entries_read,
                "skipped_duplicates": self.skipped_duplicates,
                "rejected": self.count("ParseEntries.rejected_entries"),
            },
            "articles_written": self.articles_written,
            "dead_letters": {
                "total": self.count("dead_letters.written"),
                "share_of_entries": round(self.dead_letter_share, 4),
                "by_stage": self.dead_letters_by_stage,
            },
            "counters": dict(sorted(self.counters.items())),
            "outputs": self.outputs,
            "versions": self.versions,
        }

    def render(self) -> str:
        """The human summary printed at the end of a run."""
        by_stage = ", ".join(f"{stage} {n}" for stage, n in self.dead_letters_by_stage.items()) or "none"
        lines = [
            f"guillemet run {self.run_id}: {self.state}",
            f"  feeds      {self.feeds_total - self.feeds_failed} ok, {self.feeds_failed} failed",
            f"  entries    {self.entries_read} read, {self.skipped_duplicates} duplicates skipped",
            f"  articles   {self.articles_written} written",
            f"  dead letters {self.count('dead_letters.written')} ({by_stage})",
        ]
        lines += [f"  {name:<10} {path}" for name, path in self.outputs.items()]
        return "\n".join(lines)


def _versions() -> dict[str, str]:
    versions = {"guillemet": __version__, "python": platform.python_version()}
    for package in ("apache-beam", "trafilatura", "feedparser", "ftfy", "spacy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _counters(result) -> dict[str, int]:
    counters: dict[str, int] = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace(METRICS_NAMESPACE))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        counters[counter.key.metric.name] = counters.get(counter.key.metric.name, 0) + int(value or 0)
    return counters


def write_manifest(summary: RunSummary, path: str) -> None:
    """Writes the run manifest; written last, so a run without one is visibly incomplete."""
    with FileSystems.create(path, mime_type="application/json") as handle:
        handle.write(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2).encode("utf-8"))


def run(
    config: GuillemetConfig,
    beam_args: list[str] | None = None,
    output: str | None = None,
    on_server: Callable[[CorpusServer], None] | None = None,
) -> RunSummary:
    """Runs one batch job and returns its summary (raises if the pipeline itself fails)."""
    options = pipeline_options(config, beam_args)
    layout = RunLayout.new(output or config.output)
    summary = RunSummary(
        run_id=layout.run_id,
        config=config.source,
        config_digest=config.digest(),
        runner=runner_name(options),
        started_at=_utc_now(),
        versions=_versions(),
        outputs={
            "articles": layout.articles,
            "dead": layout.dead_letters,
            "feeds": layout.feed_reports,
            "manifest": layout.manifest,
        },
    )
    with ExitStack() as stack:
        base_url = None
        if config.serve is not None:
            if not is_local(options):
                raise ValueError(f"the profile serves a local corpus, which runner {summary.runner} cannot reach")
            server = stack.enter_context(
                CorpusServer(resolve_root(config.serve.root, config.base_dir), config.serve.host, config.serve.port)
            )
            base_url = server.base_url
            if on_server is not None:
                on_server(server)
        sources = feed_sources(config, base_url)
        _LOGGER.info(
            "run %s: %d feeds, runner %s, output %s", layout.run_id, len(sources), summary.runner, layout.output
        )
        started = time.monotonic()
        pipeline = beam.Pipeline(options=options)
        build_graph(pipeline, config, sources, layout)
        result = pipeline.run()
        result.wait_until_finish()
        summary.state = str(result.state)
        summary.counters = _counters(result)
        _LOGGER.info("run %s finished in %.1f s", layout.run_id, time.monotonic() - started)
    summary.finished_at = _utc_now()
    write_manifest(summary, layout.manifest)
    return summary
