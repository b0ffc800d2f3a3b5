"""Incremental stages: ReadSeen (the committed seen-article store), MarkVersions (skip unchanged
articles, number changed ones) and UpdateSeen (the store after this run).

The store is joined to the articles with a CoGroupByKey rather than held in memory as a side
input: a shuffle of one small line per article ever seen costs little at tens of thousands of
articles and still works at tens of millions, where a side-input dict would no longer fit a worker.
"""

from __future__ import annotations

import dataclasses

import apache_beam as beam
from apache_beam.metrics import Metrics

from guillemet import counters
from guillemet.ids import article_id
from guillemet.records import Article
from guillemet.state import SeenArticle, content_hash, latest, versioning
from transforms.common import METRICS_NAMESPACE
from transforms.write import WriteJsonLines


class ReadSeen(beam.PTransform):
    """The seen-article store of the last committed run: ``(article id, SeenArticle)``.

    Args:
        pattern: The file pattern of the store (``.../seen/run=<id>/part-*.jsonl``), or None for
            a first or full run (an empty store).
    """

    def __init__(self, pattern: str | None, label: str | None = None):
        super().__init__(label)
        self._pattern = pattern

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        if self._pattern is None:
            seen = pipeline | "Empty" >> beam.Create([]).with_output_types(SeenArticle)
        else:
            seen = (
                pipeline
                | "Pattern" >> beam.Create([self._pattern])
                | "Read" >> beam.io.ReadAllFromText()
                | "Parse" >> beam.Map(SeenArticle.from_json)
            )
        return seen | "KeyById" >> beam.Map(lambda article: (article.id, article))


class _MarkVersionsFn(beam.DoFn):
    def __init__(self, now: str):
        self._now = now
        self._unchanged = Metrics.counter(METRICS_NAMESPACE, counters.VERSIONS_UNCHANGED)
        self._new = Metrics.counter(METRICS_NAMESPACE, counters.VERSIONS_NEW)
        self._changed = Metrics.counter(METRICS_NAMESPACE, counters.VERSIONS_CHANGED)

    def process(self, keyed):
        _, grouped = keyed
        seen = list(grouped["seen"])
        previous = latest(seen) if seen else None
        for article in grouped["article"]:
            new_hash = content_hash(article.title, article.text)
            version = versioning(new_hash, previous, self._now)
            if version is None:
                self._unchanged.inc()
                continue
            (self._new if version.version == 1 else self._changed).inc()
            yield dataclasses.replace(
                article,
                version=version.version,
                content_hash=new_hash,
                previous_hash=version.previous_hash,
                first_seen=version.first_seen,
            )


class MarkVersions(beam.PTransform):
    """Drops articles unchanged since they were last written; numbers the others.

    ``Article`` → ``Article`` with ``version``, ``content_hash``, ``previous_hash`` and
    ``first_seen`` set: version 1 for an article never written, n + 1 for one whose content hash
    differs from version n's.

    Args:
        seen: The committed store, ``(article id, SeenArticle)`` (``ReadSeen``).
        now: The run's start, the ``first_seen`` of new articles.
    """

    def __init__(self, seen: beam.PCollection, now: str, label: str | None = None):
        super().__init__(label)
        self._seen = seen
        self._now = now

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        keyed = articles | "KeyById" >> beam.Map(lambda article: (article.id, article))
        return (
            {"article": keyed, "seen": self._seen}
            | "Join" >> beam.CoGroupByKey()
            | "Mark" >> beam.ParDo(_MarkVersionsFn(self._now))
        )


def _seen_of(article: Article, run_id: str) -> tuple[str, SeenArticle]:
    entry_id = article_id(article.entry_url) if article.entry_url else None
    return article.id, SeenArticle(
        article.id,
        article.content_hash,
        article.version,
        article.first_seen,
        run_id,
        entry_id if entry_id != article.id else None,
    )


class UpdateSeen(beam.PTransform):
    """Writes the seen-article store after this run: the committed one plus what this run wrote.

    Args:
        seen: The committed store (``ReadSeen``).
        run_id: This run, recorded beside each article it wrote.
        directory: Where the new store goes (``<state>/seen/run=<id>``); it only counts once the
            run's manifest names it.
    """

    def __init__(self, seen: beam.PCollection, run_id: str, directory: str, label: str | None = None):
        super().__init__(label)
        self._seen = seen
        self._run_id = run_id
        self._directory = directory

    def expand(self, written: beam.PCollection):
        current = written | "ToSeen" >> beam.Map(_seen_of, self._run_id)
        return (
            (self._seen, current)
            | "Merge" >> beam.Flatten()
            | "GroupById" >> beam.GroupByKey()
            | "Latest" >> beam.MapTuple(lambda _, versions: latest(versions))
            | "Write" >> WriteJsonLines(self._directory, counter=counters.STATE_SEEN)
        )
