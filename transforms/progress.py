"""A process-local tally of the stages' counters, read live by the driver's progress line.

Beam's metrics reach the driver when the job ends (FnApiRunner) or through the runner's own
monitoring (Dataflow's job page shows the same counters live, as "custom counters"). On a local
runner in the driver's process, each stage counts here too, so ``pipeline.progress`` can show what
the job is doing while it runs. In other processes (``--direct_running_mode=multi_processing``,
Dataflow workers) the tally stays empty there and the driver's line shows only the time elapsed.
"""

from __future__ import annotations

import threading
from collections import Counter

from apache_beam.metrics import Metrics

_LOCK = threading.Lock()
_TALLY: Counter[str] = Counter()


class _Counted:
    """A Beam counter that also counts in this process's tally."""

    def __init__(self, namespace: str, name: str):
        self._name = name
        self._counter = Metrics.counter(namespace, name)

    def inc(self, n: int = 1) -> None:
        self._counter.inc(n)
        with _LOCK:
            _TALLY[self._name] += n


def counter(namespace: str, name: str) -> _Counted:
    """A Beam counter (``Metrics.counter``), tallied here as well."""
    return _Counted(namespace, name)


def snapshot() -> dict[str, int]:
    with _LOCK:
        return dict(_TALLY)


def reset() -> None:
    with _LOCK:
        _TALLY.clear()
