"""AnnotateArticles: one spaCy parse per article, in batches, and the quotes found on it."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from guillemet.nlp import ArticleAnalyzer
from transforms.common import DEAD_LETTER, DeadLetteringDoFn, StageResult, dead_letter


class _AnnotateBatchFn(DeadLetteringDoFn):
    stage = "AnnotateArticles"

    def __init__(self, model: str, max_chars: int, batch_size: int):
        super().__init__()
        self._model = model
        self._max_chars = max_chars
        self._batch_size = batch_size
        self._analyzer: ArticleAnalyzer | None = None

    def setup(self) -> None:
        # The model is loaded once per worker process, not per bundle or element.
        self._analyzer = ArticleAnalyzer(self._model, self._max_chars, self._batch_size).load()

    def process(self, batch):
        # A batch is one unit of work for nlp.pipe, but each article succeeds or fails alone.
        for article, result in self._analyzer.annotate(batch):
            self._in.inc()
            if isinstance(result, Exception):
                self._failed.inc()
                yield TaggedOutput(DEAD_LETTER, dead_letter(self.stage, article.id, article.url, result))
            else:
                self._out.inc()
                yield result


class AnnotateArticles(beam.PTransform):
    """Parses each article once with spaCy and fills its ``quotes``: ``Article`` → ``Article``."""

    def __init__(self, model: str = "md", max_chars: int = 200_000, batch_size: int = 16, label: str | None = None):
        super().__init__(label)
        self._model = model
        self._max_chars = max_chars
        self._batch_size = batch_size

    def expand(self, articles: beam.PCollection) -> StageResult:
        outputs = (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=self._batch_size)
            | "Parse"
            >> beam.ParDo(_AnnotateBatchFn(self._model, self._max_chars, self._batch_size)).with_outputs(
                DEAD_LETTER, main="good"
            )
        )
        return StageResult(outputs.good, outputs[DEAD_LETTER])
