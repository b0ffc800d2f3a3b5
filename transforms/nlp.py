"""NLP stages: ParseArticles (one spaCy parse per article), then two independent branches,
ExtractQuotes and ExtractEntities, joined per article id by JoinAnnotations; and WarmUpNlp, which
imports spaCy in the background while the fetch stage runs.

The model is loaded on the first article that reaches the parse, not when the stage starts: a
run whose articles are all unchanged (or whose feeds all answer 304) loads no model at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import logging
import threading
import time

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from guillemet import counters
from guillemet.budget import quote_budget
from guillemet.gender import assign_genders, clear_non_persons
from guillemet.nlp import ArticleParser, ParsedArticle, extract_entities, extract_quotes
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.records import Article
from transforms.common import DEAD_LETTER, METRICS_NAMESPACE, DeadLetteringDoFn, StageResult, dead_letter

_LOGGER = logging.getLogger(__name__)


def text_key(article: Article) -> str:
    """What an annotation was computed on: the article's URL and a digest of its text.

    The branches' outputs carry it so that the join attaches to an article only the quotes and
    entities of that very text, never those of another page sharing its id.
    """
    digest = hashlib.blake2b(article.text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f"{article.url}#{digest}"


# What spaCy's French pipeline imports before it can load a model: ``spacy.lang.fr`` alone takes
# about 5 s (its tokenizer exceptions compile one large expression).
_SPACY_MODULES = ("spacy", "spacy.lang.fr", "spacy.lang.fr.lemmatizer", "spacy.pipeline", "spacy.ml.models")
_warm_up_lock = threading.Lock()
_warm_up_thread: threading.Thread | None = None


def _import_spacy() -> None:
    started = time.perf_counter()
    for module in _SPACY_MODULES:
        importlib.import_module(module)
    _LOGGER.info("imported spaCy's French pipeline in %.1f s", time.perf_counter() - started)


def warm_up_spacy() -> threading.Thread:
    """Starts importing spaCy's French modules in a background thread, once per process.

    Returns the thread (already finished when the modules were imported before); joining it is
    optional, since a later ``import`` of the same modules waits for this one.
    """
    global _warm_up_thread  # noqa: PLW0603 - one warm-up per process, whatever the DoFn instances
    with _warm_up_lock:
        if _warm_up_thread is None:
            _warm_up_thread = threading.Thread(target=_import_spacy, name="guillemet-warm-up", daemon=True)
            _warm_up_thread.start()
        return _warm_up_thread


class _LazyParser:
    """One worker process's parser, loaded by the first batch that needs it (held through ``Shared``)."""

    def __init__(self, settings: tuple) -> None:
        self._settings = settings
        self._parser: ArticleParser | None = None
        self._lock = threading.Lock()

    def get(self) -> tuple[ArticleParser, bool]:
        """The parser, and whether this call loaded its model."""
        with self._lock:
            if self._parser is not None:
                return self._parser, False
            warm_up_spacy().join()
            self._parser = ArticleParser(*self._settings).load()
            return self._parser, True


class _ParseBatchFn(DeadLetteringDoFn):
    stage = counters.PARSE_ARTICLES

    def __init__(self, model: str, max_chars: int, batch_size: int, languages: tuple[str, ...]):
        super().__init__()
        self._settings = (model, max_chars, batch_size, languages)
        # One model per worker process, whatever the number of threads (and so of DoFn instances)
        # the harness runs: Beam's Shared, as RunInference does.
        self._shared = Shared()
        self._model_loads = Metrics.counter(METRICS_NAMESPACE, counters.model_loads(self.stage))
        self._lazy: _LazyParser | None = None
        self._parser: ArticleParser | None = None

    def setup(self) -> None:
        # Only the holder: the model waits for the first article (a run may have none).
        self._lazy = self._shared.acquire(lambda: _LazyParser(self._settings))

    def process(self, batch):
        if self._parser is None:
            self._parser, loaded = self._lazy.get()
            if loaded:
                # Counted here, where Beam has a metrics context: one per model copy.
                self._model_loads.inc()
        # A batch is one unit of work for nlp.pipe, but each article succeeds or fails alone.
        for article, result in self._parse(batch):
            self._in.inc()
            if isinstance(result, Exception):
                self._failed.inc()
                yield TaggedOutput(DEAD_LETTER, dead_letter(self.stage, article.id, article.url, result))
            else:
                self._out.inc()
                yield result

    def _parse(self, batch: list[Article]) -> list[tuple[Article, ParsedArticle | Exception]]:
        try:
            return self._parser.parse_batch(batch)
        except Exception:  # noqa: BLE001 - one article must not take its batch down
            _LOGGER.warning("%s: a batch of %d failed; parsing its articles one by one", self.stage, len(batch))
        results: list[tuple[Article, ParsedArticle | Exception]] = []
        for article in batch:
            try:
                results.extend(self._parser.parse_batch([article]))
            except Exception as error:  # noqa: BLE001 - the article's own failure is its dead letter
                results.append((article, error))
        return results


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


class _WarmUpFn(beam.DoFn):
    def process(self, _):
        warm_up_spacy()
        return ()


class WarmUpNlp(beam.PTransform):
    """Starts importing spaCy in the background on each worker that gets an element, and outputs
    nothing: applied to the entries to fetch, it overlaps the imports with the fetch stage, and a
    run with no entry imports nothing."""

    def expand(self, pcoll: beam.PCollection) -> beam.PCollection:
        return pcoll | "Start" >> beam.ParDo(_WarmUpFn())


class _QuotesFn(DeadLetteringDoFn):
    stage = counters.EXTRACT_QUOTES

    def __init__(self, work_per_char: int | None = None):
        super().__init__()
        self._work_per_char = work_per_char

    def setup(self) -> None:
        self._extractor = QuoteExtractor()

    def identify(self, element: ParsedArticle):
        return element.article.id, element.article.url

    def handle(self, element: ParsedArticle):
        article = element.article
        budget = quote_budget(article.text, self._work_per_char)
        quotes = extract_quotes(element.doc, self._extractor, article.text, article.blocks, article.title, budget)
        # Genders need the parse, which only this branch has; the entity check waits for the join.
        yield article.id, (text_key(article), assign_genders(quotes, element.doc, article.text))


class ExtractQuotes(beam.PTransform):
    """Quotes with speakers from each parse: ``ParsedArticle`` → ``(article id, quotes)``; an
    article that needs more than ``work_per_char`` tokens read per character is a dead letter."""

    def __init__(self, work_per_char: int | None = None, label=None):
        super().__init__(label)
        self._work_per_char = work_per_char

    def expand(self, parsed: beam.PCollection) -> StageResult:
        fn = _QuotesFn(self._work_per_char)
        outputs = parsed | "Extract" >> beam.ParDo(fn).with_outputs(DEAD_LETTER, main="good")
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _EntitiesFn(DeadLetteringDoFn):
    stage = counters.EXTRACT_ENTITIES

    def identify(self, element: ParsedArticle):
        return element.article.id, element.article.url

    def handle(self, element: ParsedArticle):
        article = element.article
        yield article.id, (text_key(article), extract_entities(element.doc, article.text))


class ExtractEntities(beam.PTransform):
    """Consolidated entities from each parse: ``ParsedArticle`` → ``(article id, entities)``."""

    def expand(self, parsed: beam.PCollection) -> StageResult:
        outputs = parsed | "Extract" >> beam.ParDo(_EntitiesFn()).with_outputs(DEAD_LETTER, main="good")
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _JoinFn(DeadLetteringDoFn):
    stage = counters.JOIN_ANNOTATIONS

    def __init__(self, expect_quotes: bool, expect_entities: bool):
        super().__init__()
        self._expect = {"quotes": expect_quotes, "entities": expect_entities}
        self._duplicates = Metrics.counter(METRICS_NAMESPACE, counters.JOIN_DUPLICATES)
        self._incomplete = Metrics.counter(METRICS_NAMESPACE, counters.JOIN_INCOMPLETE)

    def identify(self, keyed):
        article_id, grouped = keyed
        urls = sorted(a.url for a in grouped["article"] if a.url)
        return article_id, urls[0] if urls else None

    def handle(self, keyed):
        article_id, grouped = keyed
        articles: list[Article] = list(grouped["article"])
        if not articles:
            return
        if len(articles) > 1:
            # Two pages sharing a canonical URL that reached the join (the batch graph dedups
            # them before, DedupArticles): one article, written once.
            self._duplicates.inc(len(articles) - 1)
        article = min(articles, key=lambda a: (a.url or "", a.entry_url or ""))
        key = text_key(article)
        # Only what was computed on this very text: another page's offsets would point elsewhere.
        found = {
            name: [value for computed_on, value in grouped[name] if computed_on == key]
            for name in ("quotes", "entities")
        }
        missing = [name for name, values in found.items() if self._expect[name] and not values]
        if missing:
            # A branch failed for this article: its dead letter is already out; do not write it half done.
            self._incomplete.inc()
            return
        found_entities = found["entities"][0] if found["entities"] else ()
        found_quotes = clear_non_persons(found["quotes"][0], found_entities) if found["quotes"] else ()
        yield dataclasses.replace(article, quotes=found_quotes, entities=found_entities)


class JoinAnnotations(beam.PTransform):
    """Joins the article with its quotes and entities by article id: one ``Article`` per id, and
    the dead letter of an article whose join failed."""

    def __init__(self, expect_quotes: bool, expect_entities: bool, label=None):
        super().__init__(label)
        self._expect = (expect_quotes, expect_entities)

    def expand(self, branches: dict) -> StageResult:
        outputs = (
            branches
            | "Group" >> beam.CoGroupByKey()
            | "Merge" >> beam.ParDo(_JoinFn(*self._expect)).with_outputs(DEAD_LETTER, main="good")
        )
        return StageResult(outputs.good, outputs[DEAD_LETTER])
