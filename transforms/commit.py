"""CommitRun: commits a batch run from inside the pipeline, after every write of the run.

A Dataflow Flex Template launcher must return right after ``run()``, so no driver waits to write
the run's state and manifest. This step does it as the graph's last one: it waits for every
write (their results are its side inputs, so the runner schedules it after them) and counts what
the run did from the data itself, since a pipeline cannot read its own metrics. The counts are
named like the metrics the driver reads (``pipeline/run.py``), so both commits write the same
manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import apache_beam as beam
from apache_beam.transforms.combiners import Count

from guillemet.records import Article, DeadLetter, FeedReport

# The collections CommitRun counts, by the name it gives their sizes.
COUNTED = {
    "feeds": "ReadFeeds.in",
    "entries": "ParseEntries.out",
    "unique_entries": "entries.unique",
    "articles": "articles.normalized",
    "fresh": "articles.fresh",
    "final": "articles.written",
    "dead_letters": "dead_letters.written",
}


def _feed_report_counts(report: FeedReport) -> Iterable[tuple[str, int]]:
    yield "feed_reports.written", 1
    yield "feeds.ok", int(report.ok and report.status != 304)
    yield "feeds.unparsable", int(not report.ok)
    yield "feeds.not_modified", int(report.status == 304)
    yield "ParseEntries.rejected_entries", report.rejected
    yield "ParseEntries.duplicate_entries", report.duplicates


def _version_count(article: Article) -> str:
    return "MarkVersions.new" if article.version == 1 else "MarkVersions.changed"


def _stage_count(dead: DeadLetter) -> str:
    return f"{dead.stage}.failed"


def run_counters(counts: Mapping[str, int]) -> dict[str, int]:
    """The run's counters, named like its metrics, from the sizes counted by CommitRun."""
    counters = {name: n for name, n in counts.items() if n}
    for name in ("entries.unique", "articles.normalized", "articles.fresh", "articles.parsed", "articles.ids"):
        counters.pop(name, None)
    derived = {
        "DedupEntries.duplicates": counts.get("ParseEntries.out", 0) - counts.get("entries.unique", 0),
        "MarkVersions.unchanged": counts.get("articles.normalized", 0) - counts.get("articles.fresh", 0),
        "JoinAnnotations.duplicates": counts.get("articles.parsed", 0) - counts.get("articles.ids", 0),
    }
    counters.update({name: n for name, n in derived.items() if n})
    return dict(sorted(counters.items()))


class _CommitFn(beam.DoFn):
    def __init__(self, commit: Callable[[dict[str, int]], None]):
        self._commit = commit

    def process(self, _, counts, **written):
        # A retried bundle calls this again: the commit rewrites the same files, the manifest last.
        counters = run_counters(counts)
        self._commit(counters)
        yield counters


class CommitRun(beam.PTransform):
    """Counts a run from its collections and, once every write is done, commits it.

    The input is a dict of the run's collections: ``feeds`` (``FeedSource``), ``entries`` and
    ``unique_entries`` (``FeedEntry``), ``articles`` (normalised), ``fresh`` (after MarkVersions),
    ``final`` (written), ``dead_letters``, ``feed_reports`` and, when NLP runs, ``parsed``
    (``ParsedArticle``). Returns the counters it committed (one dict), for tests.

    Args:
        commit: Called on a worker with the run's counters (``run_counters``); it writes the
            state and, last, the manifest. It must be idempotent: a retried bundle calls it again.
        written: The results of the run's writes (file names); the commit waits for all of them.
    """

    def __init__(
        self, commit: Callable[[dict[str, int]], None], written: Iterable[beam.PCollection], label: str | None = None
    ):
        super().__init__(label)
        self._commit = commit
        self._written = list(written)

    def expand(self, run: dict[str, beam.PCollection]) -> beam.PCollection:
        sizes = {key: run[key] for key in COUNTED}
        if "parsed" in run:
            ids = run["parsed"] | "ParsedIds" >> beam.Map(lambda parsed: parsed.article.id)
            sizes["parsed"], sizes["ids"] = ids, ids | "DistinctIds" >> beam.Distinct()
        names = {**COUNTED, "parsed": "articles.parsed", "ids": "articles.ids"}
        named = [
            pcoll
            | f"Count{_camel(key)}" >> beam.combiners.Count.Globally()
            | f"Name{_camel(key)}" >> beam.Map(lambda n, name: (name, n), names[key])
            for key, pcoll in sizes.items()
        ]
        named += [
            run["fresh"] | "VersionCounters" >> beam.Map(_version_count) | "CountVersions" >> Count.PerElement(),
            run["dead_letters"] | "StageCounters" >> beam.Map(_stage_count) | "CountStages" >> Count.PerElement(),
            run["feed_reports"]
            | "FeedCounters" >> beam.FlatMap(_feed_report_counts)
            | "SumFeedCounters" >> beam.CombinePerKey(sum),
        ]
        counts = tuple(named) | "Merge" >> beam.Flatten()
        written = {f"written_{i}": beam.pvalue.AsList(files) for i, files in enumerate(self._written)}
        return (
            run["feeds"].pipeline
            | "Start" >> beam.Create([None])
            | "Commit" >> beam.ParDo(_CommitFn(self._commit), beam.pvalue.AsDict(counts), **written)
        )


def _camel(key: str) -> str:
    return key.title().replace("_", "")
