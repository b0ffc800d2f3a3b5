"""The records that cross stage boundaries.

Every stage of the pipeline takes and returns one of these frozen, typed, picklable records (never a
feedparser dict or a spaCy ``Doc``), so a stage can be tested with plain values and the pipeline can
move them between workers. ``to_dict()`` gives the JSON-ready form. (Not ``as_dict``: Beam's ``Create`` takes any element with
an ``as_dict`` method for a schema'd Row and tries to infer a row type from it.)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.3"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Record:
    def to_dict(self) -> dict[str, Any]:
        """Returns the record as plain JSON-serialisable values."""
        return _plain(self)


@dataclass(frozen=True)
class FeedSource(_Record):
    """One feed to read, as configured."""

    url: str
    name: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class FetchResult(_Record):
    """The bytes of one HTTP resource, after redirects and decompression."""

    requested_url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    encoding: str | None
    fetched_at: str
    elapsed_s: float
    attempts: int
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FeedEntry(_Record):
    """One entry of a feed: the article to fetch, with what the feed says about it."""

    entry_id: str
    url: str
    feed_url: str
    feed_title: str | None
    feed_language: str | None
    title: str | None
    authors: tuple[str, ...]
    published_at: str | None
    summary_html: str | None
    content_html: str | None


@dataclass(frozen=True)
class FeedReport(_Record):
    """What happened to one feed: how many entries it gave and what was wrong with it, if anything."""

    feed_url: str
    feed_name: str | None
    ok: bool
    entries: int
    format: str | None = None
    status: int | None = None
    problem: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # Entries of the feed that were not passed on: each rejected one is also a dead letter.
    rejected: int = 0
    duplicates: int = 0


@dataclass(frozen=True)
class ArticlePage(_Record):
    """A feed entry together with the fetched HTML of its page."""

    entry: FeedEntry
    page: FetchResult
    # Why the page could not be fetched, when the feed's own text stands in for it (``page`` is
    # then empty).
    fetch_error: str | None = None


@dataclass(frozen=True)
class Block(_Record):
    """One block of an article's text (a paragraph, a list item, a caption, …): offsets and kind.

    Kinds: ``paragraph``, ``heading``, ``list_item``, ``label_line`` ("Label : text"), ``caption``,
    ``credit``, ``embed`` (tweets, iframes), ``related`` (Lire aussi), ``comment``, ``paywall``,
    ``blockquote``, ``table`` (see guillemet/structure.py).
    """

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class ExtractedArticle(_Record):
    """The main text and metadata of one article, before typographic normalisation."""

    entry: FeedEntry | None
    url: str
    canonical_url: str
    fetched_at: str | None
    title: str | None
    authors: tuple[str, ...]
    published_at: str | None
    language: str | None
    site: str | None
    text_source: str
    raw_text: str
    fetch_error: str | None = None
    # Offsets into raw_text.
    blocks: tuple[Block, ...] = ()
    # Where published_at came from: "feed", "page" or None (extract.prefer_date chooses).
    published_at_source: str | None = None


@dataclass(frozen=True)
class Quote(_Record):
    """One quotation; offsets are into the article's normalised ``text``."""

    text: str
    start: int
    end: int
    kind: str
    cue: str | None
    speaker: dict[str, Any] | None = None


@dataclass(frozen=True)
class Entity(_Record):
    """One named entity of an article, with all its mentions."""

    id: str
    name: str
    label: str
    mentions: tuple[tuple[int, int], ...]
    count: int


@dataclass(frozen=True)
class Article(_Record):
    """The output record: one JSON line per article (see ``schemas/article.schema.json``)."""

    id: str
    url: str
    canonical_url: str
    entry_url: str | None
    feed: dict[str, Any] | None
    site: str | None
    title: str | None
    authors: tuple[str, ...]
    published_at: str | None
    fetched_at: str | None
    language: str | None
    text_source: str
    text: str
    normalization: dict[str, Any]
    fetch_error: str | None = None
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    # Offsets into text; read again by the quote step when a stored record is re-annotated.
    blocks: tuple[Block, ...] = ()
    schema_version: str = SCHEMA_VERSION
    # Set by the pipeline's MarkVersions stage (guillemet/state.py); left as is by `annotate`.
    version: int = 1
    content_hash: str | None = None
    previous_hash: str | None = None
    first_seen: str | None = None
    # Schema 1.3: where the date came from, what the markup said the language was when the text
    # reads otherwise, and whether a paywall cut the text.
    published_at_source: str | None = None
    language_declared: str | None = None
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        record = _plain(self)
        # Field order in the JSON line: identity first, the long text and annotations last.
        order = [
            "id",
            "schema_version",
            "version",
            "content_hash",
            "previous_hash",
            "first_seen",
            "url",
            "canonical_url",
            "entry_url",
            "feed",
            "site",
            "title",
            "authors",
            "published_at",
            "published_at_source",
            "fetched_at",
            "language",
            "language_declared",
            "text_source",
            "fetch_error",
            "truncated",
            "normalization",
            "text",
            "blocks",
            "quotes",
            "entities",
        ]
        return {key: record[key] for key in order}


@dataclass(frozen=True)
class DeadLetter(_Record):
    """Something a stage could not handle: the stage, the input's id/URL and the error."""

    stage: str
    input_id: str | None
    url: str | None
    error_class: str
    error: str
    at: str
    details: dict[str, Any] = field(default_factory=dict)
