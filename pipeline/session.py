"""What every job (``run``, ``stream``, ``reannotate``) records about itself: the time in UTC, the
versions of what ran, and the counters of its metrics once it is done.

The first piece of the job session that run, stream and the Flex Template are to share (issue 15):
``pipeline/run.py``, ``pipeline/stream.py`` and ``pipeline/reannotate.py`` all take them from here.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib import metadata

from apache_beam.metrics.metric import MetricsFilter

from guillemet import __version__
from transforms.common import METRICS_NAMESPACE

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
