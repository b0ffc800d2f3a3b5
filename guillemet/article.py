"""The per-article logic shared by the pipeline and ``guillemet annotate``.

``build_article`` turns an extracted article into the output record: normalised text, stable id,
feed and timing fields. ``annotate`` does the whole per-article path for one input (HTML page or
plain text) without any pipeline, so that what a person tries on one article is what the pipeline
does to each.
"""

from __future__ import annotations

import hashlib
import re

from guillemet.extract import article_from_text, extract_article
from guillemet.ids import article_id, strip_tracking
from guillemet.normalize import NORMALIZATION_VERSION, normalize_text
from guillemet.records import Article, ExtractedArticle
from guillemet.structure import map_blocks

_HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<!--|<div|<article|<p[\s>])", re.IGNORECASE)


# Below this many characters a language detector guesses; the markup's language is kept.
LANGUAGE_DETECTION_MIN_CHARS = 200


def text_language(text: str, declared: str | None) -> tuple[str | None, str | None]:
    """The record's ``language`` and ``language_declared``: the language the text reads in when it
    is long enough to tell (py3langid, as the NLP stage's check), and what the page or feed declared
    when that differs; a short text keeps the declared language."""
    if len(text) < LANGUAGE_DETECTION_MIN_CHARS:
        return declared, None
    from guillemet.nlp import detect_language

    detected = detect_language(text)
    return detected, (declared if declared and declared != detected else None)


def ends_at_a_paywall(blocks) -> bool:
    """Whether the text stops at a paywall notice: a ``paywall`` block (``guillemet/structure.py``)
    with no paragraph after it ("Il vous reste 80 % de l'article à lire"). A "Réservé aux abonnés"
    label above a whole article is followed by its paragraphs, and does not count."""
    for position, block in enumerate(blocks):
        if block.kind == "paywall":
            return not any(later.kind == "paragraph" for later in blocks[position + 1 :])
    return False


def build_article(extracted: ExtractedArticle) -> Article:
    """Builds the output record of one article: normalises its text and gives it its id.

    Tracking parameters leave its URLs (``guillemet.ids.strip_tracking``); ``truncated`` says a
    paywall notice ends the text (``ends_at_a_paywall``).
    """
    normalized = normalize_text(extracted.raw_text)
    entry = extracted.entry
    if extracted.canonical_url:
        identity = article_id(extracted.canonical_url)
    else:
        identity = hashlib.sha256(normalized.text.encode("utf-8")).hexdigest()[:32]
    feed = None
    if entry is not None:
        feed = {"url": entry.feed_url, "title": entry.feed_title}
    language, declared = text_language(normalized.text, extracted.language)
    blocks = map_blocks(extracted.blocks, normalized.from_source)
    return Article(
        id=identity,
        url=strip_tracking(extracted.url) or None,
        canonical_url=strip_tracking(extracted.canonical_url) or None,
        entry_url=strip_tracking(entry.url) if entry is not None else None,
        feed=feed,
        site=extracted.site,
        title=normalize_text(extracted.title).text if extracted.title else None,
        authors=extracted.authors,
        published_at=extracted.published_at,
        fetched_at=extracted.fetched_at,
        language=language,
        language_declared=declared,
        text_source=extracted.text_source,
        fetch_error=extracted.fetch_error,
        text=normalized.text,
        normalization={"version": NORMALIZATION_VERSION, "changes": normalized.changes},
        blocks=blocks,
        published_at_source=extracted.published_at_source,
        truncated=ends_at_a_paywall(blocks),
    )


def looks_like_html(content: bytes) -> bool:
    """Whether an input of unknown type is an HTML page rather than plain text."""
    return bool(_HTML_SNIFF.match(content[:2048].lstrip(b"\xef\xbb\xbf")))


def decode_text(content: bytes) -> str:
    """Decodes a plain-text input: UTF-8 (with or without BOM), else Windows-1252, the usual French legacy."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def annotate(
    content: bytes,
    url: str | None = None,
    *,
    fetched_at: str | None = None,
    min_text_chars: int = 200,
    min_article_chars: int = 40,
    form: str = "auto",
) -> Article:
    """Runs the per-article logic on one input and returns its record.

    Args:
        content: An HTML page or a plain-text article (UTF-8; first line the headline).
        url: Where the input came from, if it came from the web.
        fetched_at: When it was fetched.
        min_text_chars: Passed to the extractor.
        form: ``html`` or ``text`` when the caller knows which the input is; ``auto`` tells them
            apart by the input's first bytes (``looks_like_html``).

    Raises:
        ExtractionError: when the input holds no article text.
    """
    if form not in ("auto", "html", "text"):
        raise ValueError(f"form must be auto, html or text, not {form!r}")
    if form == "html" or (form == "auto" and looks_like_html(content)):
        extracted = extract_article(
            content,
            url or "",
            fetched_at=fetched_at,
            min_text_chars=min_text_chars,
            min_article_chars=min_article_chars,
        )
    else:
        extracted = article_from_text(decode_text(content), url, fetched_at=fetched_at)
    return build_article(extracted)
