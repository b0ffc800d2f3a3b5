"""What a running job is doing, while it runs: feeds read, pages fetched, articles parsed and
written, the rate and the time left.

On a terminal (stderr is a tty) one live line is redrawn in place; elsewhere (cron, a log file, a
CI job) a log line is written every ``interval_s`` seconds when something moved. The counts come
from the stages' own counters, tallied in the driver's process (``transforms/progress.py``): they
are live on a local runner whose stages run in the driver's process (FnApiRunner in memory, the
default). Elsewhere, the line shows the time elapsed only; Dataflow's job page shows the same
counters live (the job's "custom counters", ``guillemet`` namespace) and its own graph progress.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from guillemet import counters
from transforms import progress as tally

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressSettings:
    """Where the progress goes and how often.

    Attributes:
        stream: Where the live line goes (stderr by default) if it is a tty; otherwise the
            progress goes to the log (logger ``pipeline.progress``, INFO).
        live_every_s: Seconds between two redraws of the live line.
        interval_s: Seconds between two log lines (not a terminal).
    """

    stream: TextIO | None = None
    live_every_s: float = 0.5
    interval_s: float = 30.0


def _processed(counts: dict[str, int], stage: str) -> int:
    return counts.get(counters.stage_out(stage), 0) + counts.get(counters.stage_failed(stage), 0)


def describe(counts: dict[str, int], feeds_total: int, elapsed_s: float, nlp: bool) -> str:
    """One line of progress from the stages' counts (``Stage.in/out/failed``)."""
    feeds = _processed(counts, counters.READ_FEEDS)
    entries = counts.get(counters.ENTRIES_PARSED, 0) - counts.get(counters.ENTRY_DUPLICATES, 0)
    fetched = _processed(counts, counters.FETCH_ARTICLES)
    parts = [f"feeds {feeds}/{feeds_total}", f"pages {fetched}/{entries} fetched" if entries else "pages 0 fetched"]
    if nlp:
        parts.append(f"{_processed(counts, counters.PARSE_ARTICLES)} parsed")
    parts.append(f"{counts.get(counters.ARTICLES_WRITTEN, 0)} written")
    parts.append(
        f"{sum(counts.get(counters.stage_failed(stage), 0) for stage in counters.DEAD_LETTER_STAGES)} dead letters"
    )
    if fetched and elapsed_s > 0:
        rate = fetched / elapsed_s
        parts.append(f"{rate:.1f} pages/s")
        left = max(entries - fetched, 0)
        if left and feeds == feeds_total:
            parts.append(f"~{left / rate:.0f} s left")
    parts.append(f"{elapsed_s:.0f} s")
    return " · ".join(parts)


def _shown_counts(line: str) -> list[str]:
    """The counts of a progress line, without the rate and times that change at every look."""
    return [part for part in line.split(" · ") if not part.endswith((" s", "/s", " left"))]


class ProgressReporter:
    """Shows the job's progress from a background thread while the job runs; use as a context manager."""

    def __init__(
        self,
        feeds_total: int,
        nlp: bool,
        settings: ProgressSettings = ProgressSettings(),
        clock: Callable[[], float] = time.monotonic,
    ):
        self._feeds_total = feeds_total
        self._nlp = nlp
        self._stream = settings.stream or sys.stderr
        self._live = bool(getattr(self._stream, "isatty", lambda: False)())
        self._every = settings.live_every_s if self._live else settings.interval_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._last: list[str] | None = None

    def _show(self, final: bool = False) -> None:
        counts = tally.snapshot()
        line = describe(counts, self._feeds_total, self._clock() - self._started, self._nlp)
        if self._live:
            self._stream.write("\r" + line + "\x1b[K" + ("\n" if final else ""))
            self._stream.flush()
        elif _shown_counts(line) != self._last:
            _LOGGER.info("progress: %s", line)  # a log line only when a count shown moved
        self._last = _shown_counts(line)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self._show()

    def __enter__(self) -> ProgressReporter:
        tally.reset()  # one run at a time per process is what the tally counts
        self._started = self._clock()
        self._thread = threading.Thread(target=self._loop, name="guillemet-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self._show(final=True)
        except (OSError, ValueError):
            pass  # stderr went away: progress is not worth failing a run for
