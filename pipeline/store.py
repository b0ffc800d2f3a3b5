"""The run's state and manifest in the output storage, through Beam's filesystems (local or gs://).

Commit protocol (``docs/storage.md``): a run writes its records, then its state snapshots, then its
manifest, last and atomically (written under a temporary name, then renamed). The manifest is the
commit point: a run without one is uncommitted, its files are ignored by readers, and the next run
starts from the state named by the newest committed manifest, so the articles of an uncommitted run
are written again, once, by the next one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from apache_beam.io.filesystems import FileSystems

from guillemet.state import CommittedState, FeedState, committed_state, load_feed_states

_LOGGER = logging.getLogger(__name__)


def read_text(path: str) -> str:
    with FileSystems.open(path) as handle:
        return handle.read().decode("utf-8")


def write_text_atomically(path: str, text: str, mime_type: str = "application/json") -> None:
    """Writes ``path`` so that it exists whole or not at all (a rename on both local disks and GCS)."""
    temporary = path + ".tmp"
    with FileSystems.create(temporary, mime_type=mime_type) as handle:
        handle.write(text.encode("utf-8"))
    FileSystems.rename([temporary], [path])


def matching(pattern: str) -> list[str]:
    """The paths matching a glob pattern, sorted; none when nothing matches."""
    return sorted(metadata.path for metadata in FileSystems.match([pattern])[0].metadata_list)


def read_json_lines(pattern: str) -> Iterator[dict[str, Any]]:
    for path in matching(pattern):
        for line in read_text(path).splitlines():
            if line.strip():
                yield json.loads(line)


def manifests(output: str) -> Iterator[dict[str, Any]]:
    """The manifests under ``output``, newest run first; an unreadable one is skipped."""
    for path in reversed(matching(FileSystems.join(output, "manifests", "run=*.json"))):
        try:
            yield json.loads(read_text(path))
        except (OSError, ValueError) as error:
            _LOGGER.warning("skipping unreadable manifest %s: %s", path, error)


def committed_runs(output: str) -> list[dict[str, Any]]:
    """The manifests of the runs that finished (state DONE), oldest first: what readers should read."""
    return [manifest for manifest in reversed(list(manifests(output))) if manifest.get("state") == "DONE"]


def find_committed_state(output: str) -> CommittedState | None:
    """The state left by the newest committed run under ``output``, if any."""
    for manifest in manifests(output):
        state = committed_state(manifest)
        if state is not None:
            return state
    return None


def read_feed_states(committed: CommittedState | None) -> dict[str, FeedState]:
    if committed is None or committed.feeds is None:
        return {}
    return load_feed_states(read_text(committed.feeds))
