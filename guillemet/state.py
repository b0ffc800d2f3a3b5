"""Incremental runs: what a run remembers of the runs before it, as plain values.

Two kinds of state, both kept in the output storage and both Beam-free here (reading and writing
them through Beam's filesystems is ``pipeline/store.py``'s job):

- per feed, the validators of its last answer (ETag, Last-Modified) for conditional requests, and
  when it last succeeded;
- per article id, the hash of the content last written and its version, so that an unchanged
  article is skipped and a changed one is written again as the next version.

The commit point of a run is its manifest, written last: the manifest names the state snapshots
the run wrote, and the next run starts from the newest committed manifest. A run that died before
its manifest never becomes anyone's starting point (``docs/storage.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

STATE_FORMAT = 1


def content_hash(title: str | None, text: str) -> str:
    """The hash that says whether an article changed: 32 hex digits of SHA-256 of title and text.

    Computed on the normalised text, not the page's HTML, so that a new advertisement or a
    rotating timestamp in the page does not make a new version.
    """
    return hashlib.sha256(f"{title or ''}\x00{text}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SeenArticle:
    """The last written version of one article.

    ``entry_id`` is the id of the feed entry's URL that led to it when that is not the article's
    own id (a redirector such as feedproxy, a link that is not the page's canonical URL), so that
    the next run knows that entry before fetching it (``WarmUpNlp`` loads no model for it). None
    otherwise, and in stores written before it existed (the line has no such key).
    """

    id: str
    content_hash: str
    version: int
    first_seen: str
    run_id: str
    entry_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.entry_id is None:
            del data["entry_id"]
        return data

    @classmethod
    def from_json(cls, line: str) -> SeenArticle:
        data = json.loads(line)
        return cls(
            data["id"],
            data["content_hash"],
            int(data["version"]),
            data["first_seen"],
            data["run_id"],
            data.get("entry_id"),
        )

    def known_ids(self) -> tuple[str, ...]:
        """The ids an entry URL of this article may have: its own, and its entry's when it differs."""
        return (self.id,) if self.entry_id is None else (self.id, self.entry_id)


@dataclass(frozen=True)
class Versioning:
    """What the record of a new or changed article says about its history."""

    version: int
    previous_hash: str | None
    first_seen: str


def versioning(new_hash: str, previous: SeenArticle | None, now: str) -> Versioning | None:
    """The version to write for an article, or None when it is unchanged since ``previous``."""
    if previous is None:
        return Versioning(version=1, previous_hash=None, first_seen=now)
    if previous.content_hash == new_hash:
        return None
    return Versioning(version=previous.version + 1, previous_hash=previous.content_hash, first_seen=previous.first_seen)


def latest(versions: Iterable[SeenArticle]) -> SeenArticle:
    """The newest of several records of one article (highest version, then latest run)."""
    return max(versions, key=lambda seen: (seen.version, seen.run_id))


@dataclass(frozen=True)
class FeedState:
    """What the last answer of one feed told us.

    Attributes:
        etag, last_modified: The validators of the last full answer (200), sent back as
            If-None-Match / If-Modified-Since.
        last_success: When the feed last answered 200 or 304 (ISO 8601 UTC).
        last_status: The HTTP status of its last answer.
        last_failure: When its answer last could not be parsed (a fetch that fails leaves the
            state as it was: the next run asks again with the same validators).
    """

    etag: str | None = None
    last_modified: str | None = None
    last_success: str | None = None
    last_status: int | None = None
    last_failure: str | None = None


def conditional_headers(state: FeedState | None) -> dict[str, str]:
    """The headers of a conditional request for a feed (empty for a feed never read)."""
    if state is None:
        return {}
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def update_feed_states(
    previous: Mapping[str, FeedState], reports: Iterable[Mapping[str, Any]], keys: Mapping[str, str], now: str
) -> dict[str, FeedState]:
    """The feed states after a run, from the states before it and the run's feed reports.

    Args:
        previous: State per feed key before the run.
        reports: The run's feed reports (``FeedReport.to_dict()``).
        keys: Feed URL as fetched → feed key as configured (the served corpus's port changes
            from run to run; the configured path does not).
        now: The run's time, recorded as the last success or failure.
    """
    states = dict(previous)
    for report in reports:
        key = keys.get(report["feed_url"], report["feed_url"])
        state = states.get(key, FeedState())
        if not report.get("ok"):
            states[key] = replace(state, last_status=report.get("status"), last_failure=now)
        elif report.get("status") == 304:
            # Not modified: the validators we sent still hold.
            states[key] = replace(state, last_status=304, last_success=now)
        else:
            states[key] = replace(
                state,
                etag=report.get("etag"),
                last_modified=report.get("last_modified"),
                last_status=report.get("status"),
                last_success=now,
            )
    return states


def dump_feed_states(states: Mapping[str, FeedState]) -> str:
    return json.dumps(
        {"format": STATE_FORMAT, "feeds": {key: asdict(state) for key, state in sorted(states.items())}},
        ensure_ascii=False,
        indent=2,
    )


def load_feed_states(text: str) -> dict[str, FeedState]:
    data = json.loads(text)
    return {key: FeedState(**value) for key, value in data.get("feeds", {}).items()}


@dataclass(frozen=True)
class CommittedState:
    """Where the newest committed run left its state (from its manifest)."""

    run_id: str
    seen: str | None
    feeds: str | None


def committed_state(manifest: Mapping[str, Any]) -> CommittedState | None:
    """The state a manifest commits, or None when the run did not finish or kept no state."""
    state = manifest.get("incremental") or {}
    if manifest.get("state") != "DONE" or not state.get("seen"):
        return None
    return CommittedState(run_id=manifest["run_id"], seen=state["seen"], feeds=state.get("feeds"))
