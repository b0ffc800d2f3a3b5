"""One batch job: its plan (where it writes, the committed state it starts from) and its commit
(the feed state, then, last, the manifest: the commit point, ``pipeline/store.py``), run in a
``JobSession`` (``pipeline/session.py``), which holds the output's lock, serves the corpus if the
profile has one, runs the job and reads its counters.

The driver commits the run after waiting for its job, from the job's metrics. A launcher that does
not wait (the Flex Template, ``--commit-in-pipeline``) has the pipeline commit it instead: its last
step writes the same state and manifest, from counts of the data (``transforms/commit.py``)."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from guillemet.config import GuillemetConfig
from guillemet.errors import ConfigError
from guillemet.localserver import CorpusServer
from guillemet.nlp import MODELS
from guillemet.state import (
    CommittedState,
    FeedState,
    conditional_headers,
    dump_feed_states,
    update_feed_states,
)
from pipeline.graph import PreviousState, RunLayout, build_graph
from pipeline.lock import LockHandle, OutputLock
from pipeline.options import is_local, pipeline_options
from pipeline.session import JobSession, utc_now
from pipeline.store import find_committed_state, read_feed_states, read_json_lines, write_text_atomically
from pipeline.summary import RunSummary, write_manifest

__all__ = ["RunPlan", "RunSummary", "build_run", "check_can_run", "run", "write_manifest"]

_LOGGER = logging.getLogger(__name__)


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
    def new(cls, session: JobSession, full: bool = False) -> RunPlan:
        """The run's plan, made in ``session`` once it holds the output's lock: the state is read under it."""
        config = session.config
        layout = RunLayout.new(session.output, state=config.incremental.state)
        session.name(layout.run_id)
        incremental = config.incremental.enabled and not full
        committed = find_committed_state(layout.output) if incremental else None
        summary = session.new_summary(
            RunSummary,
            layout.run_id,
            layout.started_at,
            outputs={
                "articles": layout.articles,
                "dead": layout.dead_letters,
                "feeds": layout.feed_reports,
                "manifest": layout.manifest,
            },
        )
        return cls(layout, incremental, committed, read_feed_states(committed), summary, session.lock_handle)

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


def run(
    config: GuillemetConfig,
    beam_args: list[str] | None = None,
    output: str | None = None,
    on_server: Callable[[CorpusServer], None] | None = None,
    full: bool = False,
    before_commit: Callable[[RunSummary], None] | None = None,
    commit_in_pipeline: bool = False,
    wait: bool = True,
    progress=None,
    lock: OutputLock | None = None,
) -> RunSummary:
    """Runs one batch job in a ``JobSession`` (which holds the output's lock) and returns its summary;
    raises if the pipeline itself fails.

    The lock is given back once the run is committed, or failed; a run committed by its pipeline
    without waiting leaves it to the pipeline's last step.

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
        progress: ``ProgressSettings``: show the job's progress while it runs
            (``pipeline/progress.py``); the command line does, the library does not by default.
        lock: The output's lock, held by the caller for several runs (``pipeline/slices.py``): the
            run neither takes nor gives it back.

    Raises:
        OutputLockedError: another job holds the output's lock past ``lock.wait_s``.
    """
    if not wait and not commit_in_pipeline:
        raise ValueError("a run that does not wait for its job must commit in the pipeline")
    with JobSession(config, beam_args, output, progress=progress, on_server=on_server, lock=lock) as session:
        if not wait:
            session.hand_lock_to_pipeline()
        plan = RunPlan.new(session, full)
        layout, summary = plan.layout, plan.summary
        sources = session.sources()
        _LOGGER.info(
            "run %s: %d feeds, runner %s, output %s, %s",
            layout.run_id,
            len(sources),
            summary.runner,
            layout.output,
            f"incremental from run {plan.committed.run_id}" if plan.committed else "full",
        )
        pipeline = session.pipeline()
        keys = build_run(pipeline, config, plan, sources, commit_in_pipeline)
        result = session.submit(pipeline)
        if not wait:
            summary.state = str(result.state)
            summary.committed_by = "pipeline"
            _LOGGER.info("run %s submitted; its pipeline commits it", layout.run_id)
            return summary
        session.wait(result, summary)
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
        session.write_manifest(summary, layout.manifest)
    return summary
