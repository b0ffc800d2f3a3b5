"""What a job did, from its metrics: the summary printed at its end and the manifest written last.

``RunSummary`` is a batch run's (``guillemet run``, ``guillemet reannotate``), ``StreamSummary`` a
bounded streaming job's; both read their counters by the names of ``guillemet/counters.py``.
``write_manifest`` writes either, whole or not at all: for a run, the commit point
(``pipeline/store.py``, docs/storage.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from guillemet import counters
from pipeline.store import write_text_atomically

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


def write_manifest(summary: RunSummary, path: str, extra: dict[str, Any] | None = None) -> None:
    """Writes the job's manifest (``summary.to_dict()`` and the ``extra`` keys), whole or not at all;
    written last, it commits a run."""
    manifest = {**summary.to_dict(), **(extra or {})}
    write_text_atomically(path, json.dumps(manifest, ensure_ascii=False, indent=2))


@dataclass
class StreamSummary(RunSummary):
    """What a bounded streaming job did, from its metrics; ``run_id`` is the job id."""

    interval_s: float = 0.0
    max_polls: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.run_id,
            "mode": "stream",
            "state": self.state,
            "config": self.config,
            "config_digest": self.config_digest,
            "runner": self.runner,
            "interval_s": self.interval_s,
            "max_polls": self.max_polls,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "polls": self.count(counters.POLLS),
            "entries": {
                "read": self.count(counters.ENTRIES_PARSED),
                "new": self.count(counters.ENTRIES_NEW),
                "seen_before": self.count(counters.ENTRIES_SEEN),
            },
            "articles_written": self.count(counters.ARTICLES_WRITTEN),
            "dead_letters": self.count(counters.DEAD_LETTERS_WRITTEN),
            "counters": dict(sorted(self.counters.items())),
            "outputs": self.outputs,
            "versions": self.versions,
        }

    def render(self) -> str:
        lines = [
            f"guillemet stream {self.run_id}: {self.state}",
            f"  polls      {self.count(counters.POLLS)} every {self.interval_s:g} s",
            f"  entries    {self.count(counters.ENTRIES_PARSED)} read, {self.count(counters.ENTRIES_NEW)} new, "
            f"{self.count(counters.ENTRIES_SEEN)} seen before",
            f"  articles   {self.count(counters.ARTICLES_WRITTEN)} written",
            f"  dead letters {self.count(counters.DEAD_LETTERS_WRITTEN)}",
        ]
        lines += [f"  {name:<10} {path}" for name, path in self.outputs.items()]
        return "\n".join(lines)
