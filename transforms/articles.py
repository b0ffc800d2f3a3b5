"""Article stages: FetchArticles (page HTML), ExtractText (main text) and NormalizeText (record)."""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue

from guillemet import counters
from guillemet.article import build_article
from guillemet.errors import FetchError
from guillemet.extract import extract_article, html_fragment_to_text
from guillemet.fetch import FetchSettings, decode_page
from guillemet.politeness import polite_fetcher
from guillemet.records import ArticlePage, ExtractedArticle, FeedEntry, FetchResult
from transforms.common import DEAD_LETTER, METRICS_NAMESPACE, DeadLetteringDoFn, StageResult, apply_stage

_LOGGER = logging.getLogger(__name__)


# Articles whose page could not be fetched and whose feed text was used instead.
FEED_FALLBACK_COUNTER = counters.FEED_FALLBACK


def feed_text_stands_in(entry: FeedEntry, min_chars: int) -> bool:
    """Whether the feed entry's own text (full content, else summary) is long enough to be the article.

    The same measure as ``extract_article``'s fallback for a page that gives too little text, but
    stricter for the summary: with no page at all, a teaser is not taken for the article.
    """
    return any(
        len(html_fragment_to_text(fragment or "")) >= min_chars for fragment in (entry.content_html, entry.summary_html)
    )


class _InFlight(NamedTuple):
    entry: FeedEntry
    page: Future[FetchResult]
    timestamp: object
    window: object


class _FetchPageFn(DeadLetteringDoFn):
    """Fetches up to ``settings.concurrency`` pages at once, on a thread pool, across hosts.

    Fetching is waiting on the network, so threads overlap the waits of one bundle's entries,
    within the per-host limits of ``guillemet.politeness``. The threads only fetch; counting and
    emitting stay on the bundle's thread (Beam's counters are not meant to be touched from other
    threads). Outputs leave as their fetches finish, with the window of their own input.
    """

    stage = counters.FETCH_ARTICLES

    def __init__(self, settings: FetchSettings, fallback_chars: int = 200):
        super().__init__()
        self._settings = settings
        self._fallback_chars = fallback_chars
        self._recovered = Metrics.counter(METRICS_NAMESPACE, FEED_FALLBACK_COUNTER)

    def setup(self):
        self._fetcher = polite_fetcher(self._settings)
        self._pool = ThreadPoolExecutor(self._settings.concurrency, thread_name_prefix="guillemet-fetch")

    def start_bundle(self):
        self._in_flight: list[_InFlight] = []

    def teardown(self):
        self._pool.shutdown(wait=False, cancel_futures=True)

    def identify(self, element: _InFlight):
        return element.entry.entry_id, element.entry.url

    def handle(self, element: _InFlight):
        try:
            page = element.page.result()  # re-raises the fetch's error
        except FetchError as error:
            entry = element.entry
            if not feed_text_stands_in(entry, self._fallback_chars):
                raise
            # The page is refused or unreachable but the feed carries the article: the article goes
            # on from the feed's text, and the record says why (``fetch_error``).
            self._recovered.inc()
            _LOGGER.info("FetchArticles: %s: %s; the feed's text stands in", entry.url, error)
            page = FetchResult(
                requested_url=entry.url,
                final_url=entry.url,
                status=error.status or 0,
                content=b"",
                content_type=None,
                encoding=None,
                fetched_at="",
                elapsed_s=0.0,
                attempts=error.attempts,
            )
            yield ArticlePage(entry=entry, page=page, fetch_error=f"{error.__class__.__name__}: {error}"[:1000])
            return
        yield ArticlePage(entry=element.entry, page=page)

    def process(self, element: FeedEntry, timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        page = self._pool.submit(self._fetcher.fetch, element.url)
        self._in_flight.append(_InFlight(element, page, timestamp, window))
        # Bounded: past twice the pool's size, wait for one to finish before taking more input.
        yield from self._emit_finished(block=len(self._in_flight) >= 2 * self._settings.concurrency)

    def finish_bundle(self):
        while self._in_flight:
            yield from self._emit_finished(block=True)

    def _emit_finished(self, block: bool):
        if block and self._in_flight:
            wait([job.page for job in self._in_flight], return_when=FIRST_COMPLETED)
        # One look at each future: one that finished between two looks would be in neither list.
        finished, waiting = [], []
        for job in self._in_flight:
            (finished if job.page.done() else waiting).append(job)
        self._in_flight = waiting
        for job in finished:
            for output in DeadLetteringDoFn.process(self, job):
                if isinstance(output, TaggedOutput):
                    yield TaggedOutput(output.tag, WindowedValue(output.value, job.timestamp, (job.window,)))
                else:
                    yield WindowedValue(output, job.timestamp, (job.window,))


class FetchArticles(beam.PTransform):
    """Fetches each entry's page: ``FeedEntry`` → ``ArticlePage``.

    Politely: ``settings`` bound the requests per host (per worker process) and robots.txt is
    obeyed unless ``settings.robots_txt`` is false; a refused URL is a dead letter whose reason
    starts with ``robots.txt``.

    A page that cannot be fetched (an HTTP error, robots.txt, a timeout, a refused destination)
    whose feed entry carries at least ``fallback_chars`` characters of text (its full content, else
    its summary) is not lost: it goes on with an empty page and its ``fetch_error``, ExtractText
    takes the feed's text (``text_source`` ``feed_content`` or ``feed_summary``), and the counter
    ``FetchArticles.feed_fallback`` counts it. Otherwise the failure is a dead letter.
    """

    def __init__(self, settings: FetchSettings, fallback_chars: int = 200, label: str | None = None):
        super().__init__(label)
        self._settings = settings
        self._fallback_chars = fallback_chars

    def expand(self, entries: beam.PCollection) -> StageResult:
        outputs = apply_stage(entries, "Fetch", _FetchPageFn(self._settings, self._fallback_chars))
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _ExtractFn(DeadLetteringDoFn):
    stage = counters.EXTRACT_TEXT

    def __init__(self, min_text_chars: int, min_article_chars: int, prefer_date: str = "feed"):
        super().__init__()
        self._min_text_chars = min_text_chars
        self._min_article_chars = min_article_chars
        self._prefer_date = prefer_date

    def identify(self, element: ArticlePage):
        return element.entry.entry_id, element.page.final_url

    def handle(self, element: ArticlePage):
        # Decoded here, once, with the HTTP charset the extractor never sees (guillemet.fetch.decode_page).
        extracted = extract_article(
            decode_page(element.page.content, element.page.content_type) if element.page.content else b"",
            element.page.final_url,
            element.entry,
            fetched_at=element.page.fetched_at or None,
            min_text_chars=self._min_text_chars,
            min_article_chars=self._min_article_chars,
            prefer_date=self._prefer_date,
        )
        if element.fetch_error:
            extracted = replace(extracted, fetch_error=element.fetch_error)
        yield extracted


class ExtractText(beam.PTransform):
    """Extracts main text and metadata: ``ArticlePage`` → ``ExtractedArticle``."""

    def __init__(
        self,
        min_text_chars: int = 200,
        min_article_chars: int = 40,
        prefer_date: str = "feed",
        label: str | None = None,
    ):
        super().__init__(label)
        self._settings = (min_text_chars, min_article_chars, prefer_date)

    def expand(self, pages: beam.PCollection) -> StageResult:
        outputs = apply_stage(pages, "Extract", _ExtractFn(*self._settings))
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _NormalizeFn(DeadLetteringDoFn):
    stage = counters.NORMALIZE_TEXT

    def identify(self, element: ExtractedArticle):
        return (element.entry.entry_id if element.entry else None), element.url

    def handle(self, element: ExtractedArticle):
        yield build_article(element)


class NormalizeText(beam.PTransform):
    """Normalises French typography and builds the record: ``ExtractedArticle`` → ``Article``."""

    def expand(self, extracted: beam.PCollection) -> StageResult:
        outputs = apply_stage(extracted, "Normalize", _NormalizeFn())
        return StageResult(outputs.good, outputs[DEAD_LETTER])
