"""Reading committed runs: manifests first, then the files they name (docs/storage.md).

A run counts only once its manifest exists with ``state: DONE``; the files of any other run are
never read. Of every article, the latest version is kept: the highest ``version``, and for the same
version the newest committed run (a ``reannotate`` run writes the same version annotated again).
"""

from __future__ import annotations

import glob
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

_LOGGER = logging.getLogger(__name__)


class Storage(Protocol):
    """The three operations reading needs, on a local folder or an object store."""

    def match(self, pattern: str) -> list[str]:
        """The paths matching a glob pattern, sorted."""

    def read_text(self, path: str) -> str:
        """The whole file as UTF-8 text."""

    def join(self, base: str, *parts: str) -> str:
        """``base`` joined with ``parts``."""


class LocalStorage:
    """A local folder."""

    def match(self, pattern: str) -> list[str]:
        return sorted(glob.glob(pattern))

    def read_text(self, path: str) -> str:
        with open(path, encoding="utf-8") as handle:
            return handle.read()

    def join(self, base: str, *parts: str) -> str:
        return os.path.join(base, *parts)


@dataclass
class Archive:
    """What the committed runs under one output hold, latest versions only."""

    runs: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    feed_reports: list[dict[str, Any]] = field(default_factory=list)


def _json_lines(storage: Storage, folder: str | None, run_id: str) -> Iterator[dict[str, Any]]:
    if not folder:
        return
    for path in storage.match(storage.join(folder, "part-*")):
        for line in storage.read_text(path).splitlines():
            if line.strip():
                record = json.loads(line)
                record.setdefault("_run_id", run_id)
                yield record


def committed_manifests(storage: Storage, output: str) -> list[dict[str, Any]]:
    """The manifests of committed runs (``state: DONE``), oldest first; unreadable ones skipped."""
    found = []
    for path in storage.match(storage.join(output, "manifests", "run=*.json")):
        try:
            manifest = json.loads(storage.read_text(path))
        except (OSError, ValueError) as error:
            _LOGGER.warning("skipping unreadable manifest %s: %s", path, error)
            continue
        if manifest.get("state") == "DONE":
            found.append(manifest)
    return sorted(found, key=lambda manifest: manifest["run_id"])


def article_day(article: dict[str, Any]) -> date | None:
    """The article's day: its publication date, else the day it was fetched."""
    for key in ("published_at", "fetched_at"):
        value = article.get(key)
        if value:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def latest_versions(articles: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per article id: the highest version, then the newest run (records in run order)."""
    latest: dict[str, dict[str, Any]] = {}
    for article in articles:
        kept = latest.get(article["id"])
        if kept is None or (article.get("version") or 1) >= (kept.get("version") or 1):
            latest[article["id"]] = article
    return list(latest.values())


def read_archive(
    output: str, storage: Storage | None = None, since: date | None = None, until: date | None = None
) -> Archive:
    """Reads the committed runs under ``output``.

    Args:
        output: the run output (a folder, or ``gs://…`` with a matching ``storage``).
        storage: how to list and read files; a local folder when omitted.
        since: keep articles whose day (``article_day``) is on or after it.
        until: keep articles whose day is on or before it.

    Returns:
        The committed manifests, the latest version of each article in the date range, and the
        dead letters and feed reports of the committed runs (whose dates are the runs').
    """
    storage = storage or LocalStorage()
    runs = committed_manifests(storage, output)
    articles: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    feeds: list[dict[str, Any]] = []
    for manifest in runs:
        outputs = manifest.get("outputs", {})
        articles.extend(_json_lines(storage, outputs.get("articles"), manifest["run_id"]))
        dead.extend(_json_lines(storage, outputs.get("dead"), manifest["run_id"]))
        feeds.extend(_json_lines(storage, outputs.get("feeds"), manifest["run_id"]))
    kept = []
    for article in latest_versions(articles):
        day = article_day(article)
        if since and (day is None or day < since):
            continue
        if until and (day is None or day > until):
            continue
        kept.append(article)
    kept.sort(key=lambda article: (article.get("published_at") or "", article["id"]))
    _LOGGER.info("%d committed runs, %d articles (latest versions)", len(runs), len(kept))
    return Archive(runs=runs, articles=kept, dead_letters=dead, feed_reports=feeds)
