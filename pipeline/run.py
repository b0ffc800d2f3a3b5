"""Running one batch job: read the committed state, start the corpus server if any, run the graph,
summarise, write the state and, last, the manifest (the commit point: ``pipeline/store.py``).

The driver commits the run after waiting for its job, from the job's metrics. A launcher that does
not wait (the Flex Template, ``--commit-in-pipeline``) has the pipeline commit it instead: its last
step writes the same state and manifest, from counts of the data (``transforms/commit.py``)."""

from __future__ import annotations

import importlib.util
import json
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from guillemet import counters
from guillemet.config import GuillemetConfig
from guillemet.errors import ConfigError
from guillemet.localserver import CorpusServer, resolve_root
from guillemet.nlp import MODELS
from guillemet.state import (
    CommittedState,
    FeedState,
    conditional_headers,
    dump_feed_states,
    update_feed_states,
)
from pipeline.graph import PreviousState, RunLayout, build_graph, feed_sources
from pipeline.lock import LockHandle, LockSettings, OutputLock
from pipeline.options import is_local, pipeline_options, runner_name
from pipeline.progress import ProgressReporter
from pipeline.session import job_counters, utc_now, versions
from pipeline.store import find_committed_state, read_feed_states, read_json_lines, write_text_atomically

_LOGGER = logging.getLogger(__name__)

STAGES = counters.DEAD_LETTER_STAGES


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
    committed_by: str = "driver"

    def count(self, name: str) -> int:
        return self.counters.get(name, 0)

    @property
    def feeds_total(self) -> int:
        return self.count(counters.FEEDS_READ)

    @property
    def feeds_failed(self) -> int:
        return self.count(counters.stage_failed(counters.READ_FEEDS)) + self.count(counters.FEEDS_UNPARSABLE)

    @property
    def entries_read(self) -> int:
        return (
            self.count(counters.ENTRIES_PARSED)
            + self.count(counters.REJECTED_ENTRIES)
            + self.count(counters.DUPLICATE_ENTRIES)
        )

    @property
    def dead_letters_by_stage(self) -> dict[str, int]:
        return {
            stage: self.count(counters.stage_failed(stage))
            for stage in STAGES
            if self.count(counters.stage_failed(stage))
        }

    @property
    def dead_letter_share(self) -> float:
        """Dead letters (feeds and entries) over entries read, 0 when nothing was read."""
        read = max(self.entries_read, 1)
        return self.count(counters.DEAD_LETTERS_WRITTEN) / read

    @property
    def articles_written(self) -> int:
        return self.count(counters.ARTICLES_WRITTEN)

    @property
    def skipped_duplicates(self) -> int:
        return (
            self.count(counters.DUPLICATE_ENTRIES)
            + self.count(counters.ENTRY_DUPLICATES)
            + self.count(counters.JOIN_DUPLICATES)
        )

    @property
    def feeds_not_modified(self) -> int:
        return self.count(counters.FEEDS_NOT_MODIFIED)

    @property
    def unchanged_skipped(self) -> int:
        """Articles already written with the same content by a committed run."""
        return self.count(counters.VERSIONS_UNCHANGED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "state": self.state,
            "config": self.config,
            "config_digest": self.config_digest,
            "runner": self.runner,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "committed_by": self.committed_by,
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
                "rejected": self.count(counters.REJECTED_ENTRIES),
            },
            "articles_written": self.articles_written,
            "articles_changed": self.count(counters.VERSIONS_CHANGED),
            "dead_letters": {
                "total": self.count(counters.DEAD_LETTERS_WRITTEN),
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
            f"  articles   {self.articles_written} written ({self.count(counters.VERSIONS_CHANGED)} new versions)",
            f"  dead letters {self.count(counters.DEAD_LETTERS_WRITTEN)} ({by_stage})",
        ]
        lines += [f"  {name:<10} {path}" for name, path in self.outputs.items()]
        return "\n".join(lines)


def write_manifest(summary: RunSummary, path: str) -> None:
    """Writes the run manifest, whole or not at all; written last, it commits the run."""
    write_text_atomically(path, json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))


def _write_feed_state(layout: RunLayout, previous, keys: dict[str, str]) -> None:
    reports = read_json_lines(FileSystems.join(layout.feed_reports, "part-*"))
    states = update_feed_states(previous, reports, keys, layout.started_at)
    write_text_atomically(layout.feed_state, dump_feed_states(states))


@dataclass
class RunPlan:
    """What a run decides before its pipeline starts: where it writes and which state it starts from."""

    layout: RunLayout
    incremental: bool
    committed: CommittedState | None
    feed_states: dict[str, FeedState]
    summary: RunSummary
    lock: LockHandle | None = None

    @classmethod
    def new(
        cls,
        config: GuillemetConfig,
        options,
        output: str | None = None,
        full: bool = False,
        lock: OutputLock | None = None,
    ) -> RunPlan:
        """The run's plan; with ``lock`` (held on the output), the state is read under it."""
        layout = RunLayout.new(output or config.output, state=config.incremental.state)
        if lock is not None:
            lock.name_run(layout.run_id)
        incremental = config.incremental.enabled and not full
        committed = find_committed_state(layout.output) if incremental else None
        summary = RunSummary(
            run_id=layout.run_id,
            config=config.source,
            config_digest=config.digest(),
            runner=runner_name(options),
            started_at=layout.started_at,
            versions=versions(),
            outputs={
                "articles": layout.articles,
                "dead": layout.dead_letters,
                "feeds": layout.feed_reports,
                "manifest": layout.manifest,
            },
        )
        return cls(layout, incremental, committed, read_feed_states(committed), summary, lock.handle if lock else None)

    def previous(self, keys: dict[str, str]) -> PreviousState:
        """The graph's starting state; ``keys`` maps each feed URL as fetched to its state key."""
        return PreviousState(
            seen_pattern=FileSystems.join(self.committed.seen, "part-*") if self.committed else None,
            conditional={url: conditional_headers(self.feed_states.get(key)) for url, key in keys.items()},
        )

    def incremental_section(self) -> dict[str, Any]:
        """The manifest's ``incremental`` section: the state the run commits."""
        return {
            "mode": "incremental" if self.incremental else "full",
            "previous_run": self.committed.run_id if self.committed else None,
            "seen": self.layout.seen_store,
            "feeds": self.layout.feed_state,
        }


def feed_keys(config: GuillemetConfig, sources) -> dict[str, str]:
    # Feed state is kept per configured URL: a served corpus's port changes from run to run.
    return {source.url: feed.url for feed, source in zip(config.feeds, sources, strict=True)}


@dataclass(frozen=True)
class PipelineCommit:
    """The commit of a run, made by its pipeline's last step (``CommitRun``) rather than the driver.

    It writes what the driver's commit writes, through the same functions: the feed state, then
    the manifest (``committed_by: pipeline``), atomically. Called again by a retried bundle, it
    writes the same state and the manifest again (only ``finished_at`` differs).
    """

    plan: RunPlan
    keys: dict[str, str]

    def __call__(self, counters: dict[str, int]) -> None:
        summary = replace(self.plan.summary, counters=counters, state="DONE", committed_by="pipeline")
        _write_feed_state(self.plan.layout, self.plan.feed_states, self.keys)
        summary.incremental = self.plan.incremental_section()
        summary.finished_at = utc_now()
        write_manifest(summary, self.plan.layout.manifest)
        if self.plan.lock is not None:
            self.plan.lock.release()
        _LOGGER.info("run %s committed by the pipeline", summary.run_id)


def build_run(pipeline: beam.Pipeline, config: GuillemetConfig, plan: RunPlan, sources, commit_in_pipeline: bool):
    """Adds the run's graph to ``pipeline``, with the commit step if the pipeline commits."""
    keys = feed_keys(config, sources)
    commit = PipelineCommit(plan, keys) if commit_in_pipeline else None
    build_graph(pipeline, config, sources, plan.layout, plan.previous(keys), commit)
    return keys


def check_can_run(config: GuillemetConfig, beam_args: list[str] | None = None) -> None:
    """Refuses at start what would only fail after the fetching: a spaCy model that is not installed.

    The model is looked up, not loaded (``importlib.util.find_spec``). Only for local runners: a
    remote job installs its model on the workers (``setup.py``, the container), not on the launcher.

    Raises:
        ConfigError: one line naming the profile, the key and what is installed.
    """
    if not config.nlp.enabled or not is_local(pipeline_options(config, beam_args)):
        return
    package = MODELS.get(config.nlp.model, config.nlp.model)
    try:
        found = importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        installed = [f"{short} ({name})" for short, name in MODELS.items() if importlib.util.find_spec(name)]
        raise ConfigError(
            f"{config.source or 'the profile'}: nlp.model: {config.nlp.model!r} is not an installed spaCy model"
            f" (installed: {', '.join(installed) or 'none'})"
        )


def lock_output(config: GuillemetConfig, output: str | None = None) -> OutputLock:
    """Takes the output's lock before anything reads its committed state (``pipeline/lock.py``).

    Raises:
        OutputLockedError: another run holds it past ``lock.wait_s``.
    """
    settings = LockSettings(wait_s=config.lock.wait_s, stale_after_s=config.lock.stale_after_s)
    return OutputLock.acquire(output or config.output, settings)


def run(
    config: GuillemetConfig,
    beam_args: list[str] | None = None,
    output: str | None = None,
    **options,
) -> RunSummary:
    """Runs one batch job holding the output's lock (``_run`` says the rest), and gives the lock back
    once the run is committed, or failed; a run committed by its pipeline without waiting leaves the
    lock to the pipeline's last step. ``progress`` (``ProgressSettings``): show the job's progress
    while it runs (``pipeline/progress.py``); the command line does, the library does not by default.

    Raises:
        OutputLockedError: another run holds the output's lock past ``lock.wait_s``.
    """
    progress = options.pop("progress", None)
    lock = lock_output(config, output)
    by_pipeline = not options.get("wait", True)
    try:
        if by_pipeline:
            lock.hand_to_pipeline()
        with ExitStack() as stack:
            if progress is not None:
                stack.enter_context(ProgressReporter(len(config.feeds), config.nlp.enabled, progress))
            summary = _run(config, beam_args, output, lock=lock, **options)
    except BaseException:
        lock.release()
        raise
    if not by_pipeline:
        lock.release()
    return summary


def _run(
    config: GuillemetConfig,
    beam_args: list[str] | None = None,
    output: str | None = None,
    on_server: Callable[[CorpusServer], None] | None = None,
    full: bool = False,
    before_commit: Callable[[RunSummary], None] | None = None,
    commit_in_pipeline: bool = False,
    wait: bool = True,
    lock: OutputLock | None = None,
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
            commits the run (tests make the process die there); driver commits only.
        commit_in_pipeline: The pipeline's last step commits the run (``CommitRun``), not this
            process; the summary's counters still come from the metrics when it waits.
        wait: Wait for the job (the default). Without waiting, the pipeline must commit the run:
            the summary returned says the job was submitted (state ``RUNNING`` on remote runners).
        lock: The output's lock, held by this run; its commit step gives it back (``run``).
    """
    if not wait and not commit_in_pipeline:
        raise ValueError("a run that does not wait for its job must commit in the pipeline")
    options = pipeline_options(config, beam_args)
    plan = RunPlan.new(config, options, output, full, lock)
    layout, summary = plan.layout, plan.summary
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
            "run %s: %d feeds, runner %s, output %s, %s",
            layout.run_id,
            len(sources),
            summary.runner,
            layout.output,
            f"incremental from run {plan.committed.run_id}" if plan.committed else "full",
        )
        started = time.monotonic()
        pipeline = beam.Pipeline(options=options)
        keys = build_run(pipeline, config, plan, sources, commit_in_pipeline)
        result = pipeline.run()
        if not wait:
            summary.state = str(result.state)
            summary.committed_by = "pipeline"
            _LOGGER.info("run %s submitted; its pipeline commits it", layout.run_id)
            return summary
        result.wait_until_finish()
        summary.state = str(result.state)
        summary.counters = job_counters(result)
        _LOGGER.info("run %s finished in %.1f s", layout.run_id, time.monotonic() - started)
    if commit_in_pipeline:
        summary.committed_by = "pipeline"
        if summary.state == "DONE":
            summary.incremental = plan.incremental_section()
        return summary
    if summary.state == "DONE":
        _write_feed_state(layout, plan.feed_states, keys)
        summary.incremental = plan.incremental_section()
    if before_commit is not None:
        before_commit(summary)
    summary.finished_at = utc_now()
    write_manifest(summary, layout.manifest)
    return summary
