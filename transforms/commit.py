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

from guillemet import counters
from guillemet.records import Article, DeadLetter, FeedReport

# The collections CommitRun counts, by the name it gives their sizes.
COUNTED = {
    "feeds": counters.FEEDS_READ,
    "entries": counters.ENTRIES_PARSED,
    "unique_entries": counters.ENTRIES_UNIQUE,
    "articles": counters.ARTICLES_NORMALIZED,
    "fresh": counters.ARTICLES_FRESH,
    "final": counters.ARTICLES_WRITTEN,
    "dead_letters": counters.DEAD_LETTERS_WRITTEN,
}


def _feed_report_counts(report: FeedReport) -> Iterable[tuple[str, int]]:
    yield counters.FEED_REPORTS_WRITTEN, 1
    yield counters.FEEDS_OK, int(report.ok and report.status != 304)
    yield counters.FEEDS_UNPARSABLE, int(not report.ok)
    yield counters.FEEDS_NOT_MODIFIED, int(report.status == 304)
    yield counters.REJECTED_ENTRIES, report.rejected
    yield counters.DUPLICATE_ENTRIES, report.duplicates


def _version_count(article: Article) -> str:
    return counters.VERSIONS_NEW if article.version == 1 else counters.VERSIONS_CHANGED


def _stage_count(dead: DeadLetter) -> str:
    return counters.stage_failed(dead.stage)


def run_counters(counts: Mapping[str, int]) -> dict[str, int]:
    """The run's counters, named like its metrics, from the sizes counted by CommitRun."""
    found = {name: n for name, n in counts.items() if n and name not in counters.COMMIT_SIZES}
    derived = {
        counters.ENTRY_DUPLICATES: counts.get(counters.ENTRIES_PARSED, 0) - counts.get(counters.ENTRIES_UNIQUE, 0),
        counters.VERSIONS_UNCHANGED: counts.get(counters.ARTICLES_NORMALIZED, 0)
        - counts.get(counters.ARTICLES_FRESH, 0),
        counters.JOIN_DUPLICATES: counts.get(counters.ARTICLES_PARSED, 0) - counts.get(counters.ARTICLES_IDS, 0),
    }
    found.update({name: n for name, n in derived.items() if n})
    return dict(sorted(found.items()))


class _CommitFn(beam.DoFn):
    def __init__(self, commit: Callable[[dict[str, int]], None]):
        self._commit = commit

    def process(self, _, counts, **written):
        # A retried bundle calls this again: the commit rewrites the same files, the manifest last.
        found = run_counters(counts)
        self._commit(found)
        yield found


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
        names = {**COUNTED, "parsed": counters.ARTICLES_PARSED, "ids": counters.ARTICLES_IDS}
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
