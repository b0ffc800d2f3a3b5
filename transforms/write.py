"""WriteJsonLines: records to JSON-line files, on a local folder or any Beam filesystem (gs://)."""

from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from transforms import progress
from transforms.common import METRICS_NAMESPACE


def to_json_line(record) -> str:
    """One record as one line of JSON (UTF-8 text, no ASCII escaping)."""
    return json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))


class _ToJsonLineFn(beam.DoFn):
    def __init__(self, counter: str | None):
        self._written = progress.counter(METRICS_NAMESPACE, counter) if counter else None

    def process(self, record):
        if self._written is not None:
            self._written.inc()
        yield to_json_line(record)


class WriteJsonLines(beam.PTransform):
    """Writes records as ``<directory>/part-SSSSS-of-NNNNN.jsonl`` through Beam's file sinks.

    Args:
        directory: A local folder or a ``gs://`` prefix; created as needed.
        num_shards: Fixed number of files, or 0 to let the runner decide.
        counter: The name of a counter of the records written, if any.
    """

    def __init__(self, directory: str, num_shards: int = 0, counter: str | None = None, label: str | None = None):
        super().__init__(label)
        self._directory = directory
        self._num_shards = num_shards
        self._counter = counter

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        return (
            records
            | "ToJson" >> beam.ParDo(_ToJsonLineFn(self._counter))
            | "Write"
            >> beam.io.WriteToText(
                FileSystems.join(self._directory, "part"),
                file_name_suffix=".jsonl",
                shard_name_template="-SSSSS-of-NNNNN",
                num_shards=self._num_shards,
            )
        )
