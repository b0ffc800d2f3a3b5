"""Streaming stages: PollFeeds (the feeds, once per poll), DropSeenEntries (each article once per
job) and WriteWindowedJsonLines (one set of JSON-line files per window).

The batch stages (ReadFeeds … JoinAnnotations) run unchanged between them: what makes the job a
stream is only where its elements come from, how long it remembers them and how it writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import apache_beam as beam
from apache_beam.coders import BooleanCoder
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.options.value_provider import StaticValueProvider
from apache_beam.transforms import window
from apache_beam.transforms.periodicsequence import PeriodicImpulse, RebaseMode
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp

from guillemet import counters
from guillemet.records import FeedEntry, FeedSource
from transforms.common import METRICS_NAMESPACE
from transforms.write import _ToJsonLineFn

_LOGGER = logging.getLogger(__name__)


def poll_impulse(interval_s: float, max_polls: int | None = None) -> PeriodicImpulse:
    """Beam's ``PeriodicImpulse`` firing every ``interval_s`` from the moment the job starts.

    ``PeriodicImpulse``'s ``start_timestamp`` defaults to ``Timestamp.now()`` evaluated once, when
    Beam's module is imported (a default argument), not when the pipeline runs: a job built a while
    after the import, or submitted to a service that starts it minutes later, would first fire every
    impulse it "missed" at once. Rebasing moves the schedule to the time the impulse actually starts
    on a worker: ``REBASE_START`` for an endless stream, ``REBASE_ALL`` (start and stop, keeping their
    distance) for a bounded one, so that exactly ``max_polls`` impulses fire.
    """
    if interval_s <= 0:
        raise ValueError(f"the poll interval must be positive, not {interval_s}")
    if max_polls is None:
        # REBASE_START replaces the start with the time the impulse starts; there is no stop.
        stop, rebase = MAX_TIMESTAMP, RebaseMode.REBASE_START
    elif max_polls < 1:
        raise ValueError(f"max_polls must be at least 1, not {max_polls}")
    else:
        # REBASE_ALL keeps stop - start. The stop is exclusive: K impulses span K intervals.
        stop, rebase = Timestamp(0) + max_polls * interval_s, RebaseMode.REBASE_ALL
    return PeriodicImpulse(start_timestamp=Timestamp(0), stop_timestamp=stop, fire_interval=interval_s, rebase=rebase)


class _FanOutFn(beam.DoFn):
    """One impulse → every configured feed, each carrying the impulse's timestamp."""

    def __init__(self, sources: Sequence[FeedSource]):
        self._sources = tuple(sources)
        self._polls = Metrics.counter(METRICS_NAMESPACE, counters.POLLS)

    def process(self, unused_impulse, poll_time=beam.DoFn.TimestampParam):
        self._polls.inc()
        _LOGGER.info("PollFeeds: poll at %s, %d feeds", poll_time.to_utc_datetime().isoformat(), len(self._sources))
        yield from self._sources


class PollFeeds(beam.PTransform):
    """Emits every feed once per poll, in one fixed window per poll interval.

    Args:
        sources: The feeds to poll.
        interval_s: Seconds between polls; also the length of the output windows, so that each
            window holds exactly one poll (its elements carry the poll's timestamp).
        max_polls: Stop after this many polls (a bounded job, for tests and demos); ``None`` polls
            until the job is cancelled or drained.
    """

    def __init__(self, sources: Sequence[FeedSource], interval_s: float, max_polls: int | None = None, label=None):
        super().__init__(label)
        self._sources = tuple(sources)
        self._interval_s = interval_s
        self._max_polls = max_polls

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            pbegin
            | "Impulse" >> poll_impulse(self._interval_s, self._max_polls)
            # No Reshuffle after the fan-out, though it would spread a poll's feeds over workers: the
            # local FnApiRunner runs what follows a shuffle only once the impulse has finished, so
            # the feeds would all be fetched after the last poll (and never in an endless job).
            | "FanOut" >> beam.ParDo(_FanOutFn(self._sources))
            | "WindowPerPoll" >> beam.WindowInto(window.FixedWindows(self._interval_s))
        )


class _FirstSightingFn(beam.DoFn):
    """Lets an entry through the first time its article id is seen, and never again.

    Beam's own ``Deduplicate`` (apache_beam.transforms.deduplicate) is the obvious choice, but it
    forgets a key when a processing-time or event-time timer fires, and the local FnApiRunner of
    Beam 2.77 fires both at the end of every bundle of an unbounded ``PeriodicImpulse`` pipeline:
    with ``processing_time_duration=600`` or ``event_time_duration=600`` every poll's entries came
    out again (checked on 2.77 with three polls one second apart). This DoFn has no timer: a key's
    flag lives as long as the job. The logic is one flag per key, so there is no Beam-free core to
    split out; state is scoped per key and window, hence the global window around it.
    """

    SEEN = ReadModifyWriteStateSpec("seen", BooleanCoder())

    def __init__(self) -> None:
        self._new = Metrics.counter(METRICS_NAMESPACE, counters.ENTRIES_NEW)
        self._seen = Metrics.counter(METRICS_NAMESPACE, counters.ENTRIES_SEEN)

    def process(self, keyed: tuple[str, FeedEntry], seen=beam.DoFn.StateParam(SEEN)):  # noqa: B008 - Beam's API
        _, entry = keyed
        if seen.read():
            self._seen.inc()
            return
        seen.write(True)
        self._new.inc()
        yield entry


class DropSeenEntries(beam.PTransform):
    """Keeps an entry only the first time its article id appears in the job, whatever the poll.

    Per-key state is scoped to a window, so the entries are moved to the global window for the
    stateful step and put back into their own windowing after it (their timestamps are unchanged).
    Keying by article id is also the fusion break between the few feeds and the many articles.
    """

    def expand(self, entries: beam.PCollection) -> beam.PCollection:
        windowfn = entries.windowing.windowfn
        return (
            entries
            | "KeyById" >> beam.Map(lambda entry: (entry.entry_id, entry))
            | "AcrossPolls" >> beam.WindowInto(window.GlobalWindows())
            | "FirstSighting" >> beam.ParDo(_FirstSightingFn())
            | "BackToPolls" >> beam.WindowInto(windowfn)
        )


def _stamp(timestamp: Timestamp) -> str:
    return timestamp.to_utc_datetime().strftime("%Y%m%dT%H%M%SZ")


def window_file_naming(job_id: str, suffix: str = ".jsonl") -> Callable[..., str]:
    """File names ``<window start>_<window end>_<job id>-SSSSS-of-NNNNN<suffix>`` for ``WriteToFiles``.

    Flat names, not one folder per window: ``WriteToFiles`` renames its temporary files into the
    destination folder, which on a local disk fails for a subfolder that does not exist yet, and
    Beam only logs that failure at DEBUG level (the file would stay in the temporary folder).
    The job id keeps two jobs writing the same window apart.
    """

    def name(file_window, pane, shard_index, total_shards, compression, destination) -> str:
        if isinstance(file_window, window.GlobalWindow):
            span = "global"
        else:
            span = f"{_stamp(file_window.start)}_{_stamp(file_window.end)}"
        return f"{span}_{job_id}-{shard_index:05d}-of-{total_shards:05d}{suffix}"

    return name


class WriteWindowedJsonLines(beam.PTransform):
    """Writes records as JSON lines, one set of files per window, through ``fileio.WriteToFiles``.

    ``WriteToFiles`` (rather than ``WriteToText``) names files per window and writes each window when
    it closes, on the local runner as on Dataflow streaming.

    Args:
        directory: A local folder or a ``gs://`` prefix.
        job_id: Part of every file name.
        temp_directory: Where files are written before being moved into ``directory``.
        counter: The name of a counter of the records written, if any.
    """

    def __init__(self, directory: str, job_id: str, temp_directory: str, counter: str | None = None, label=None):
        super().__init__(label)
        self._directory = directory
        self._job_id = job_id
        self._temp_directory = temp_directory
        self._counter = counter

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        return (
            records
            | "ToJson" >> beam.ParDo(_ToJsonLineFn(self._counter))
            | "Write"
            >> fileio.WriteToFiles(
                self._directory,
                file_naming=window_file_naming(self._job_id),
                # WriteToFiles calls .get() on it: a plain str would fail at run time.
                temp_directory=StaticValueProvider(str, self._temp_directory),
                shards=1,
            )
        )


def remove_if_empty(directory: str) -> bool:
    """Deletes a temporary folder that holds no file any more; returns whether it did."""
    if not FileSystems.exists(directory):
        return False
    if FileSystems.match([FileSystems.join(directory, "*")])[0].metadata_list:
        return False
    FileSystems.delete([directory])
    return True
