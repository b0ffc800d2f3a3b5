"""A large local run as consecutive committed runs over slices of the feed list.

Beam's local runner keeps every collection that crosses a stage boundary in the driver's memory
until the run ends (its shuffle is in-process), so the driver grows with the run: about 75 KB per
article (``docs/performance.md``). Cutting the feed list into slices of ``feeds_per_run`` feeds and
running each slice as a run of its own bounds the driver by the largest slice. Each slice is an
ordinary run under the commit protocol (``docs/storage.md``): it starts from the state the slice
before it committed (feed validators and the seen-article store, which carry every feed and
article seen so far), so an article found in two slices is written once, and a crash loses only
the slice it interrupts, which the next run does again.

The slices are one job for the output's lock (``pipeline/lock.py``): it is taken once, before the
first slice reads the committed state, held (and renewed) through every slice, and given back after
the last, so no other job starts between two slices and commits what the next slice is about to.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from guillemet.config import GuillemetConfig
from pipeline.run import RunSummary, run
from pipeline.session import lock_output

_LOGGER = logging.getLogger(__name__)


def feed_slices(config: GuillemetConfig, feeds_per_run: int) -> list[GuillemetConfig]:
    """The profile cut into profiles of at most ``feeds_per_run`` of its feeds, in order."""
    if feeds_per_run < 1:
        raise ValueError(f"feeds per run must be at least 1, not {feeds_per_run}")
    feeds = tuple(config.feeds)
    return [
        config.model_copy(update={"feeds": feeds[start : start + feeds_per_run]})
        for start in range(0, max(len(feeds), 1), feeds_per_run)
    ]


def _next_second(previous_run_id: str) -> None:
    # Run ids start with the second they start in, and the newest committed manifest (by name) is
    # the next run's state: a slice must not start in the second of the slice before it.
    while datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") <= previous_run_id.split("-", 1)[0]:
        time.sleep(0.05)


def run_in_slices(
    config: GuillemetConfig,
    feeds_per_run: int,
    beam_args: list[str] | None = None,
    output: str | None = None,
    full: bool = False,
    run_slice: Callable[..., RunSummary] = run,
    **options,
) -> list[RunSummary]:
    """Runs the profile as one committed run per slice of ``feeds_per_run`` feeds, one after the other.

    Args:
        config, beam_args, output: As for ``pipeline.run.run``.
        feeds_per_run: The most feeds one run reads.
        full: The first slice ignores the committed state; the next ones start from the state of
            the slice before them, as every slice of an incremental run does.
        run_slice: Runs one slice (``pipeline.run.run``; its other keyword ``options`` are passed
            on, and ``lock``, the output's lock this function holds for all the slices). Each
            slice waits for its job: the next one starts from its commit.

    Returns:
        The summaries of the slices run, in order; it stops after a slice that did not finish.

    Raises:
        OutputLockedError: another job holds the output's lock past ``lock.wait_s``.
    """
    if not options.get("wait", True):
        raise ValueError("slices run one after the other: each must wait for its job")
    summaries: list[RunSummary] = []
    slices = feed_slices(config, feeds_per_run)
    held = lock_output(config, output, "run")
    try:
        for number, profile in enumerate(slices, 1):
            if summaries:
                _next_second(summaries[-1].run_id)
            _LOGGER.info("slice %d of %d: %d feeds", number, len(slices), len(profile.feeds))
            summary = run_slice(profile, beam_args, output=output, full=full and number == 1, lock=held, **options)
            summaries.append(summary)
            if summary.state != "DONE":
                break
    finally:
        held.release()
    return summaries


def combined_summary(summaries: list[RunSummary]) -> RunSummary:
    """One summary for the slices of a run: counters added up, the last slice's outputs, and the
    state of the last slice run (``DONE`` only if every slice is committed)."""
    counters: Counter[str] = Counter()
    for summary in summaries:
        counters.update(summary.counters)
    first, last = summaries[0], summaries[-1]
    run_id = first.run_id if len(summaries) == 1 else f"{first.run_id}…{last.run_id} ({len(summaries)} runs)"
    return replace(last, run_id=run_id, started_at=first.started_at, counters=dict(counters))
