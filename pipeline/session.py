"""The job session every command that runs a Beam job shares: ``guillemet run``, ``guillemet stream``,
``guillemet reannotate`` and the Flex Template launcher.

A ``JobSession`` is a context manager around one job. It resolves the Beam options from the
profile and the command line, takes the output's lock (``pipeline/lock.py``) before anything reads
the committed state, starts the profile's local corpus server when it serves one (refusing a
remote runner, which cannot reach it), gives the feed sources, builds the pipeline, times the job,
reads its counters once it is done, and writes its manifest. On the way out it stops the server
and gives the lock back, unless the lock was handed to a job still running, whose last step
(``CommitRun``) gives it back; a session that fails gives the lock back in any case.

What each command adds is its own: the batch plan and commit (``pipeline/run.py``), the streaming
graph (``pipeline/stream.py``), the archive read (``pipeline/reannotate.py``), the template
parameters (``pipeline/flex.py``). The summaries are in ``pipeline/summary.py``.
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.runner import PipelineResult, PipelineState

from guillemet import __version__
from guillemet.config import GuillemetConfig
from guillemet.localserver import CorpusServer, resolve_root
from guillemet.records import FeedSource
from pipeline.graph import feed_sources
from pipeline.lock import LockHandle, LockSettings, OutputLock
from pipeline.options import is_local, pipeline_options, runner_name
from pipeline.progress import ProgressReporter
from pipeline.summary import RunSummary, write_manifest
from transforms.common import METRICS_NAMESPACE

_LOGGER = logging.getLogger(__name__)

# The packages whose versions a manifest records, beside guillemet's and Python's.
RECORDED_PACKAGES = ("apache-beam", "trafilatura", "feedparser", "ftfy", "spacy")


def versions() -> dict[str, str]:
    """guillemet's, Python's and the installed versions of ``RECORDED_PACKAGES``."""
    found = {"guillemet": __version__, "python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def utc_now() -> str:
    """Now, to the second, as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def job_counters(result) -> dict[str, int]:
    """The job's counters (namespace ``guillemet``) by name, committed values where the runner has them."""
    totals: dict[str, int] = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace(METRICS_NAMESPACE))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + int(value or 0)
    return totals


def lock_output(config: GuillemetConfig, output: str | None = None, kind: str = "run") -> OutputLock:
    """Takes the output's lock with the profile's ``lock`` settings.

    Raises:
        OutputLockedError: another job holds it past ``lock.wait_s``.
    """
    settings = LockSettings(wait_s=config.lock.wait_s, stale_after_s=config.lock.stale_after_s)
    return OutputLock.acquire(output or config.output, settings, kind=kind)


class _LockRenewal:
    """Renews a held lock every ``every_s`` while open, so that a job longer than ``lock.stale_after_s``
    (a stream runs for days) is not taken for dead; a renewal that fails is logged and tried again."""

    def __init__(self, lock: OutputLock, every_s: float) -> None:
        self._lock, self._every_s = lock, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="guillemet-lock-renewal", daemon=True)

    def _renew(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self._lock.renew()
            except Exception as error:  # noqa: BLE001 - a storage hiccup: the next renewal may work
                _LOGGER.warning("could not renew the lock of %s: %s", self._lock.output, error)

    def __enter__(self) -> _LockRenewal:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


class JobSession:
    """One job of ``kind`` (``run``, ``stream``, ``reannotate``) on ``output``, from its options to its manifest.

    Args:
        config: The profile.
        beam_args: Beam flags, which win over the profile's.
        output: Overrides the profile's output.
        kind: The command, named in the lock (another job's refusal names it) and the logs.
        progress: ``ProgressSettings`` to show the job's progress while the session is open
            (``pipeline/progress.py``), or None.
        on_server: Called with the corpus server once it runs (tests).
        lock: The output's lock, already held by the caller for several jobs (the slices of one
            run, ``pipeline/slices.py``): the session uses and renews it, and leaves it held on
            exit, also by its pipeline's commit step; the caller gives it back.

    Raises (on entry):
        OutputLockedError: another job holds the output's lock past ``lock.wait_s``.
    """

    def __init__(
        self,
        config: GuillemetConfig,
        beam_args: list[str] | None = None,
        output: str | None = None,
        kind: str = "run",
        progress: Any = None,
        on_server=None,
        lock: OutputLock | None = None,
    ) -> None:
        self.config = config
        self.options = pipeline_options(config, beam_args)
        self.runner = runner_name(self.options)
        self.output = output or config.output
        self.kind = kind
        self.lock: OutputLock | None = lock
        self._borrowed = lock is not None
        self._progress = progress
        self._on_server = on_server
        self._stack = ExitStack()
        self._sources: list[FeedSource] | None = None
        self._handed = False
        self._started: float | None = None

    def __enter__(self) -> JobSession:
        with ExitStack() as stack:
            if not self._borrowed:
                self.lock = lock_output(self.config, self.output, self.kind)
                stack.callback(self._give_back_lock)
            stack.enter_context(_LockRenewal(self.lock, self.config.lock.stale_after_s / 4))
            if self._progress is not None:
                stack.enter_context(ProgressReporter(len(self.config.feeds), self.config.nlp.enabled, self._progress))
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info) -> bool:
        if exc_info[0] is not None:
            self._handed = False  # a session that failed gives its lock back
        return self._stack.__exit__(*exc_info)

    def _give_back_lock(self) -> None:
        if self.lock is not None and not self._handed:
            self.lock.release()

    @property
    def is_local(self) -> bool:
        return is_local(self.options)

    def name(self, job_id: str) -> None:
        """Names the job in its lock (for the message another job prints)."""
        self.lock.name_run(job_id)

    @property
    def lock_handle(self) -> LockHandle | None:
        """What the pipeline's commit step carries to give the lock back (``CommitRun``); None when
        the lock is the caller's, which gives it back itself."""
        return None if self._borrowed else self.lock.handle

    def hand_lock_to_pipeline(self) -> None:
        """The job gives the lock back from its last step: the session leaves it held on exit,
        unless the job is already over when ``submit`` returns (``submit``)."""
        if self._borrowed:
            raise ValueError("a session on its caller's lock cannot hand it to its pipeline")
        self.lock.hand_to_pipeline()
        self._handed = True

    def sources(self) -> list[FeedSource]:
        """The profile's feeds, served by its local corpus server (started once, stopped on exit) if it has one.

        Raises:
            ValueError: the profile serves a corpus and the runner is not local.
        """
        if self._sources is None:
            base_url = None
            serve = self.config.serve
            if serve is not None:
                if not self.is_local:
                    raise ValueError(f"the profile serves a local corpus, which runner {self.runner} cannot reach")
                root = resolve_root(serve.root, self.config.base_dir)
                server = self._stack.enter_context(CorpusServer(root, serve.host, serve.port))
                base_url = server.base_url
                if self._on_server is not None:
                    self._on_server(server)
            self._sources = feed_sources(self.config, base_url)
        return self._sources

    def new_summary(self, summary_type: type[RunSummary], job_id: str, started_at: str, **fields) -> RunSummary:
        """The job's summary, with what the session knows: profile, digest, runner, versions."""
        known = {"config": self.config.source, "config_digest": self.config.digest(), "runner": self.runner}
        return summary_type(run_id=job_id, started_at=started_at, versions=versions(), **{**known, **fields})

    def pipeline(self) -> beam.Pipeline:
        """A pipeline with the session's options; the job's time is counted from here."""
        self._started = time.monotonic()
        return beam.Pipeline(options=self.options)

    def submit(self, pipeline: beam.Pipeline) -> PipelineResult:
        """Runs ``pipeline``; a job handed the lock that is already over (a local runner, a dry run,
        a failed submission) can no longer give it back, so the session does."""
        result = pipeline.run()
        if self._handed and PipelineState.is_terminal(result.state):
            self._handed = False
        return result

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._started if self._started is not None else 0.0

    def wait(self, result: PipelineResult, summary: RunSummary) -> RunSummary:
        """Waits for the job and records its state and counters in ``summary``."""
        result.wait_until_finish()
        summary.state = str(result.state)
        summary.counters = job_counters(result)
        _LOGGER.info("%s %s finished in %.1f s", self.kind, summary.run_id, self.elapsed_s)
        return summary

    def write_manifest(self, summary: RunSummary, path: str, extra: dict[str, Any] | None = None) -> None:
        """Stamps ``finished_at`` and writes the manifest, last (for a run, its commit)."""
        summary.finished_at = utc_now()
        write_manifest(summary, path, extra)
