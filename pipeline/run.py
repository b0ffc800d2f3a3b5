"""Running one batch job: read the committed state, start the corpus server if any, run the graph,
summarise, write the state and, last, the manifest (the commit point: ``pipeline/store.py``)."""

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
from guillemet.state import conditional_headers, dump_feed_states, update_feed_states
from pipeline.graph import PreviousState, RunLayout, build_graph, feed_sources
from pipeline.options import is_local, pipeline_options, runner_name
from pipeline.store import find_committed_state, read_feed_states, read_json_lines, write_text_atomically
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
    incremental: dict[str, Any] = field(default_factory=dict)

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

    @property
    def feeds_not_modified(self) -> int:
        return self.count("feeds.not_modified")

    @property
    def unchanged_skipped(self) -> int:
        """Articles already written with the same content by a committed run."""
        return self.count("MarkVersions.unchanged")

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
                "not_modified": self.feeds_not_modified,
                "failed": self.feeds_failed,
            },
            "entries": {
                "read": self.entries_read,
                "skipped_duplicates": self.skipped_duplicates,
                "skipped_unchanged": self.unchanged_skipped,
                "rejected": self.count("ParseEntries.rejected_entries"),
            },
            "articles_written": self.articles_written,
            "articles_changed": self.count("MarkVersions.changed"),
            "dead_letters": {
                "total": self.count("dead_letters.written"),
                "share_of_entries": round(self.dead_letter_share, 4),
                "by_stage": self.dead_letters_by_stage,
            },
            "counters": dict(sorted(self.counters.items())),
            "outputs": self.outputs,
            "versions": self.versions,
            "incremental": self.incremental,
        }

    def render(self) -> str:
        """The human summary printed at the end of a run."""
        by_stage = ", ".join(f"{stage} {n}" for stage, n in self.dead_letters_by_stage.items()) or "none"
        lines = [
            f"guillemet run {self.run_id}: {self.state}",
            f"  feeds      {self.feeds_total - self.feeds_failed} ok, {self.feeds_failed} failed,"
            f" {self.feeds_not_modified} not modified",
            f"  entries    {self.entries_read} read, {self.skipped_duplicates} duplicates skipped,"
            f" {self.unchanged_skipped} unchanged skipped",
            f"  articles   {self.articles_written} written ({self.count('MarkVersions.changed')} new versions)",
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
    """Writes the run manifest, whole or not at all; written last, it commits the run."""
    write_text_atomically(path, json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))


def _write_feed_state(layout: RunLayout, previous, keys: dict[str, str]) -> None:
    reports = read_json_lines(FileSystems.join(layout.feed_reports, "part-*"))
    states = update_feed_states(previous, reports, keys, layout.started_at)
    write_text_atomically(layout.feed_state, dump_feed_states(states))


def run(
    config: GuillemetConfig,
    beam_args: list[str] | None = None,
    output: str | None = None,
    on_server: Callable[[CorpusServer], None] | None = None,
    full: bool = False,
    before_commit: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Runs one batch job and returns its summary (raises if the pipeline itself fails).

    Args:
        config: The run profile.
        beam_args: Beam flags, which win over the profile's.
        output: Overrides the profile's output.
        on_server: Called with the corpus server once it runs (tests).
        full: Ignore the committed state: read every feed and write every article, and start
            the state afresh from this run.
        before_commit: Called after the records and state are written and before the manifest
            commits the run (tests make the process die there).
    """
    options = pipeline_options(config, beam_args)
    layout = RunLayout.new(output or config.output, state=config.incremental.state)
    incremental = config.incremental.enabled and not full
    committed = find_committed_state(layout.output) if incremental else None
    feed_states = read_feed_states(committed)
    summary = RunSummary(
        run_id=layout.run_id,
        config=config.source,
        config_digest=config.digest(),
        runner=runner_name(options),
        started_at=layout.started_at,
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
        # Feed state is kept per configured URL: a served corpus's port changes from run to run.
        keys = {source.url: feed.url for feed, source in zip(config.feeds, sources, strict=True)}
        previous = PreviousState(
            seen_pattern=FileSystems.join(committed.seen, "part-*") if committed else None,
            conditional={url: conditional_headers(feed_states.get(key)) for url, key in keys.items()},
        )
        _LOGGER.info(
            "run %s: %d feeds, runner %s, output %s, %s",
            layout.run_id,
            len(sources),
            summary.runner,
            layout.output,
            f"incremental from run {committed.run_id}" if committed else "full",
        )
        started = time.monotonic()
        pipeline = beam.Pipeline(options=options)
        build_graph(pipeline, config, sources, layout, previous)
        result = pipeline.run()
        result.wait_until_finish()
        summary.state = str(result.state)
        summary.counters = _counters(result)
        _LOGGER.info("run %s finished in %.1f s", layout.run_id, time.monotonic() - started)
    if summary.state == "DONE":
        _write_feed_state(layout, feed_states, keys)
        summary.incremental = {
            "mode": "incremental" if incremental else "full",
            "previous_run": committed.run_id if committed else None,
            "seen": layout.seen_store,
            "feeds": layout.feed_state,
        }
    if before_commit is not None:
        before_commit(summary)
    summary.finished_at = _utc_now()
    write_manifest(summary, layout.manifest)
    return summary
