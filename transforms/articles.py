"""Article stages: FetchArticles (page HTML), ExtractText (main text) and NormalizeText (record)."""

from __future__ import annotations

import logging

import apache_beam as beam

from guillemet.article import build_article
from guillemet.extract import extract_article
from guillemet.fetch import FetchSettings, fetch
from guillemet.records import ArticlePage, ExtractedArticle, FeedEntry
from transforms.common import DEAD_LETTER, DeadLetteringDoFn, StageResult, apply_stage

_LOGGER = logging.getLogger(__name__)


class _FetchPageFn(DeadLetteringDoFn):
    stage = "FetchArticles"

    def __init__(self, settings: FetchSettings):
        super().__init__()
        self._settings = settings

    def identify(self, element: FeedEntry):
        return element.entry_id, element.url

    def handle(self, element: FeedEntry):
        page = fetch(element.url, self._settings)
        yield ArticlePage(entry=element, page=page)


class FetchArticles(beam.PTransform):
    """Fetches each entry's page: ``FeedEntry`` → ``ArticlePage``."""

    def __init__(self, settings: FetchSettings, label: str | None = None):
        super().__init__(label)
        self._settings = settings

    def expand(self, entries: beam.PCollection) -> StageResult:
        outputs = apply_stage(entries, "Fetch", _FetchPageFn(self._settings))
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _ExtractFn(DeadLetteringDoFn):
    stage = "ExtractText"

    def __init__(self, min_text_chars: int, min_article_chars: int):
        super().__init__()
        self._min_text_chars = min_text_chars
        self._min_article_chars = min_article_chars

    def identify(self, element: ArticlePage):
        return element.entry.entry_id, element.page.final_url

    def handle(self, element: ArticlePage):
        yield extract_article(
            element.page.content,
            element.page.final_url,
            element.entry,
            fetched_at=element.page.fetched_at,
            min_text_chars=self._min_text_chars,
            min_article_chars=self._min_article_chars,
        )


class ExtractText(beam.PTransform):
    """Extracts main text and metadata: ``ArticlePage`` → ``ExtractedArticle``."""

    def __init__(self, min_text_chars: int = 200, min_article_chars: int = 40, label: str | None = None):
        super().__init__(label)
        self._min_text_chars = min_text_chars
        self._min_article_chars = min_article_chars

    def expand(self, pages: beam.PCollection) -> StageResult:
        outputs = apply_stage(pages, "Extract", _ExtractFn(self._min_text_chars, self._min_article_chars))
        return StageResult(outputs.good, outputs[DEAD_LETTER])


class _NormalizeFn(DeadLetteringDoFn):
    stage = "NormalizeText"

    def identify(self, element: ExtractedArticle):
        return (element.entry.entry_id if element.entry else None), element.url

    def handle(self, element: ExtractedArticle):
        yield build_article(element)


class NormalizeText(beam.PTransform):
    """Normalises French typography and builds the record: ``ExtractedArticle`` → ``Article``."""

    def expand(self, extracted: beam.PCollection) -> StageResult:
        outputs = apply_stage(extracted, "Normalize", _NormalizeFn())
        return StageResult(outputs.good, outputs[DEAD_LETTER])
