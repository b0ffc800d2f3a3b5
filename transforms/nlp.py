"""NLP stages: ParseArticles (one spaCy parse per article), then two independent branches,
ExtractQuotes and ExtractEntities, joined per article id by JoinAnnotations."""

from __future__ import annotations

import dataclasses

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from guillemet.nlp import ArticleParser, ParsedArticle, extract_entities, extract_quotes, link_speakers
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.records import Article
from transforms.common import DEAD_LETTER, METRICS_NAMESPACE, DeadLetteringDoFn, StageResult, dead_letter


class _ParseBatchFn(DeadLetteringDoFn):
    stage = "ParseArticles"

    def __init__(self, model: str, max_chars: int, batch_size: int, languages: tuple[str, ...]):
        super().__init__()
        self._settings = (model, max_chars, batch_size, languages)
        # One model per worker process, whatever the number of threads (and so of DoFn instances)
        # the harness runs: Beam's Shared, as RunInference does.
        self._shared = Shared()
        self._model_loads = Metrics.counter(METRICS_NAMESPACE, f"{self.stage}.model_loads")
        self._parser: ArticleParser | None = None
        self._loaded_here = False

    def setup(self) -> None:
        def load() -> ArticleParser:
            self._loaded_here = True
            return ArticleParser(*self._settings).load()

        self._parser = self._shared.acquire(load)

    def process(self, batch):
        if self._loaded_here:
            # Counted here, not in setup(), where Beam has no metrics context: one per model copy.
            self._model_loads.inc()
            self._loaded_here = False
        # A batch is one unit of work for nlp.pipe, but each article succeeds or fails alone.
        for article, result in self._parser.parse_batch(batch):
            self._in.inc()
            if isinstance(result, Exception):
                self._failed.inc()
                yield TaggedOutput(DEAD_LETTER, dead_letter(self.stage, article.id, article.url, result))
            else:
                self._out.inc()
                yield result


class ParseArticles(beam.PTransform):
    """Parses each article once with spaCy, in batches: ``Article`` → ``ParsedArticle``."""

    def __init__(
        self, model: str = "md", max_chars: int = 200_000, batch_size: int = 16, languages=("fr",), label=None
    ):
        super().__init__(label)
        self._settings = (model, max_chars, batch_size, tuple(languages))

    def expand(self, articles: beam.PCollection) -> StageResult:
        batch_size = self._settings[2]
        outputs = (
            articles
            # Fixed-size batches: BatchElements' adaptive sizing starts at 1, and nlp.pipe parses
            # one text at a time 47 % slower than 4 or more (docs/performance.md).
            | "Batch" >> beam.BatchElements(min_batch_size=batch_size, max_batch_size=batch_size)
            | "Parse" >> beam.ParDo(_ParseBatchFn(*self._settings)).with_outputs(DEAD_LETTER, main="good")
        )
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _QuotesFn(DeadLetteringDoFn):
    stage = "ExtractQuotes"

    def setup(self) -> None:
        self._extractor = QuoteExtractor()

    def identify(self, element: ParsedArticle):
        return element.article.id, element.article.url

    def handle(self, element: ParsedArticle):
        yield (
            element.article.id,
            extract_quotes(element.doc, self._extractor, element.article.text, element.article.blocks),
        )


class ExtractQuotes(beam.PTransform):
    """Quotes with speakers from each parse: ``ParsedArticle`` → ``(article id, quotes)``."""

    def expand(self, parsed: beam.PCollection) -> StageResult:
        outputs = parsed | "Extract" >> beam.ParDo(_QuotesFn()).with_outputs(DEAD_LETTER, main="good")
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _EntitiesFn(DeadLetteringDoFn):
    stage = "ExtractEntities"

    def identify(self, element: ParsedArticle):
        return element.article.id, element.article.url

    def handle(self, element: ParsedArticle):
        yield element.article.id, extract_entities(element.doc, element.article.text)


class ExtractEntities(beam.PTransform):
    """Consolidated entities from each parse: ``ParsedArticle`` → ``(article id, entities)``."""

    def expand(self, parsed: beam.PCollection) -> StageResult:
        outputs = parsed | "Extract" >> beam.ParDo(_EntitiesFn()).with_outputs(DEAD_LETTER, main="good")
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _JoinFn(beam.DoFn):
    def __init__(self, expect_quotes: bool, expect_entities: bool):
        self._expect = {"quotes": expect_quotes, "entities": expect_entities}
        self._duplicates = Metrics.counter(METRICS_NAMESPACE, "JoinAnnotations.duplicates")
        self._incomplete = Metrics.counter(METRICS_NAMESPACE, "JoinAnnotations.incomplete")

    def process(self, keyed):
        article_id, grouped = keyed
        articles: list[Article] = list(grouped["article"])
        if not articles:
            return
        if len(articles) > 1:
            # Two entries whose pages share a canonical URL: one article, written once.
            self._duplicates.inc(len(articles) - 1)
        article = min(articles, key=lambda a: (a.url or "", a.entry_url or ""))
        quotes = list(grouped["quotes"])
        entities = list(grouped["entities"])
        missing = [
            name for name, values in (("quotes", quotes), ("entities", entities)) if self._expect[name] and not values
        ]
        if missing:
            # A branch failed for this article: its dead letter is already out; do not write it half done.
            self._incomplete.inc()
            return
        found_entities = entities[0] if entities else ()
        found_quotes = link_speakers(quotes[0], found_entities) if quotes else ()
        yield dataclasses.replace(article, quotes=found_quotes, entities=found_entities)


class JoinAnnotations(beam.PTransform):
    """Joins the article with its quotes and entities by article id: one ``Article`` per id."""

    def __init__(self, expect_quotes: bool, expect_entities: bool, label=None):
        super().__init__(label)
        self._expect = (expect_quotes, expect_entities)

    def expand(self, branches: dict) -> beam.PCollection:
        return branches | "Group" >> beam.CoGroupByKey() | "Merge" >> beam.ParDo(_JoinFn(*self._expect))
