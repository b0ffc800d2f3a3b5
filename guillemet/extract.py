"""Extracting an article's main text and metadata from its page, or from its feed entry.

trafilatura does the page work (boilerplate removal, title, authors, date, canonical URL, site
name). When the page yields too little text (a video page, a paywall teaser, an empty body) we fall
back to the feed's full content, then to its summary, and say which source was used.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from guillemet.errors import ExtractionError
from guillemet.records import ExtractedArticle, FeedEntry
from guillemet.structure import body_blocks, text_blocks

_LOGGER = logging.getLogger(__name__)

_LANG_RE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dd", "dt")


def _language_tag(value: str | None) -> str | None:
    """Reduces 'fr-FR', 'fr_CA', ' FR ' to 'fr'; anything else to None."""
    if not value:
        return None
    match = _LANG_RE.match(value)
    return match.group(1).lower() if match else None


def _page_language(tree) -> str | None:
    if tree is None:
        return None
    root = tree.getroottree().getroot()
    for candidate in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *root.xpath("//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content"),
        *root.xpath("//meta[@property='og:locale']/@content"),
    ):
        tag = _language_tag(candidate)
        if tag:
            return tag
    return None


def _same_site(url_a: str, url_b: str) -> bool:
    host_a = (urlsplit(url_a).hostname or "").removeprefix("www.")
    host_b = (urlsplit(url_b).hostname or "").removeprefix("www.")
    return bool(host_a) and (host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a))


def choose_canonical_url(page_url: str, declared: str | None) -> str:
    """The page's declared canonical URL when it is trustworthy, else the page URL.

    Some sites declare their home page, or another site, as the canonical URL of every article;
    trusting that would give all their articles one id.
    """
    if not declared or not declared.startswith(("http://", "https://")):
        return page_url
    if not _same_site(page_url, declared):
        return page_url
    if urlsplit(declared).path in ("", "/") and urlsplit(page_url).path not in ("", "/"):
        return page_url
    return declared


def html_fragment_to_text(fragment: str) -> str:
    """Turns a feed's HTML fragment (summary or content) into paragraphs of plain text.

    trafilatura is built for whole pages and discards short fragments, so feed fragments get this
    small block-aware walk instead: one paragraph per block element, inline markup flattened.
    """
    if not fragment or not fragment.strip():
        return ""
    # Control characters (feeds carry them, e.g. a vertical tab) are not XML characters: lxml
    # refuses to set a text holding one, so they go before parsing, as a browser would ignore them.
    fragment = _XML_INCOMPATIBLE.sub("", fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.text:
            element.text = "\n" + element.text
        else:
            element.text = "\n"
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _split_authors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    names: list[str] = []
    for part in value.split(";"):
        name = re.sub(r"^\s*(par|by)\s+", "", part.strip(), flags=re.IGNORECASE)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _published(entry: FeedEntry | None, document, prefer_date: str) -> tuple[str | None, str | None]:
    """The article's date and where it came from, in the order ``prefer_date`` asks for."""
    candidates = {
        "feed": entry.published_at if entry else None,
        "page": document.date if document is not None else None,
    }
    order = ("page", "feed") if prefer_date == "page" else ("feed", "page")
    for source in order:
        if candidates[source]:
            return candidates[source], source
    return None, None


def _load_tree(html: bytes | str | None):
    """The page parsed by trafilatura's ``load_html``, or None when there is nothing to parse.

    ``load_html`` refuses a document that does not name ``html`` near its start and parses to a
    single element: a bare fragment (``<div>…</div>``, a CMS partial or a reader-mode export served
    as the page). Such a fragment is parsed again inside ``<html><body>``, where it gives its text.
    """
    if not html or not html.strip():
        return None
    tree = load_html(html)
    if tree is None:
        wrapped = (
            b"<html><body>%s</body></html>" % html if isinstance(html, bytes) else f"<html><body>{html}</body></html>"
        )
        tree = load_html(wrapped)
    return tree


def extract_article(
    html: bytes | str,
    url: str,
    entry: FeedEntry | None = None,
    *,
    fetched_at: str | None = None,
    min_text_chars: int = 200,
    min_article_chars: int = 40,
    prefer_date: str = "feed",
) -> ExtractedArticle:
    """Extracts one article from its page HTML, falling back to its feed entry.

    Args:
        html: The page, as fetched (bytes: trafilatura sniffs the encoding) or as text.
        url: The page's final URL, after redirects.
        entry: The feed entry that pointed to the page, if any.
        fetched_at: When the page was fetched (ISO 8601, UTC).
        min_text_chars: Below this many characters the page text is taken as missing and the feed's
            text is preferred when it is longer; the feed's full content is also preferred when it
            is at least twice as long as the page text.
        min_article_chars: Below this many characters, whatever the source, there is no article.
        prefer_date: ``feed`` (the default): the entry's date-time, else the page's date; ``page``:
            the page's date (its markup, then its text), else the entry's. ``published_at_source``
            says which was used.

    Returns:
        The article's text and metadata, with ``text_source`` saying where the text came from:
        ``page``, ``feed_content`` or ``feed_summary``.

    Raises:
        ExtractionError: when neither the page nor the feed entry gives any text.
    """
    document = None
    language = None
    # The page is parsed once: its language is read from the tree, then trafilatura works on it.
    tree = _load_tree(html)
    if tree is not None:
        language = _page_language(tree)
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            deduplicate=False,
            # The feed's date wins over the page's (below): when the entry has one, htmldate reads
            # only the page's markup (meta tags, JSON-LD, <time>) instead of also searching the
            # whole text with its patterns, a third of trafilatura's time on a news page.
            date_extraction_params=set_date_params(
                extensive=prefer_date == "page" or entry is None or entry.published_at is None
            ),
        )
    page_text = (document.text or "").strip() if document is not None else ""
    text_source = "page"
    text = page_text
    if entry is not None:
        feed_content = html_fragment_to_text(entry.content_html or "")
        if len(page_text) < min_text_chars:
            for source, candidate in (
                ("feed_content", feed_content),
                ("feed_summary", html_fragment_to_text(entry.summary_html or "")),
            ):
                if len(candidate) > len(text) and (len(candidate) >= min_text_chars or source == "feed_summary"):
                    text, text_source = candidate, source
                    break
        elif len(feed_content) >= max(min_text_chars, 2 * len(page_text)):
            # The page gave a little text, the feed the whole article: the page extraction
            # caught a video player or a paywall teaser, not the article.
            text, text_source = feed_content, "feed_content"
    if len(text) < max(1, min_article_chars):
        page_size = len(html) if html else 0
        raise ExtractionError(
            f"no article text: the page ({page_size} bytes) gave {len(page_text)} characters"
            + ("" if entry is None else f", the feed entry {len(text) if text_source != 'page' else 0}")
            + f" (at least {min_article_chars} needed)"
        )
    if text_source == "page":
        # The XML body trafilatura rendered the text from says which lines are list items,
        # intertitles, blockquotes and table rows.
        blocks = body_blocks(getattr(document, "body", None), text)
    else:
        blocks = text_blocks(text)
    if text_source == "page" and len(text) < min_text_chars:
        _LOGGER.info("short article text (%d chars) at %s", len(text), url)
    title = (document.title if document is not None else None) or (entry.title if entry else None)
    authors = _split_authors(document.author if document is not None else None) or (entry.authors if entry else ())
    published, published_source = _published(entry, document, prefer_date)
    language = language or _language_tag(entry.feed_language if entry else None)
    declared = document.url if document is not None else None
    site = (document.sitename if document is not None else None) or urlsplit(url).hostname
    return ExtractedArticle(
        entry=entry,
        url=url,
        canonical_url=choose_canonical_url(url, declared),
        fetched_at=fetched_at,
        title=title.strip() if title else None,
        authors=tuple(authors),
        published_at=published,
        language=language,
        site=site,
        text_source=text_source,
        raw_text=text,
        blocks=blocks,
        published_at_source=published_source,
    )


def article_from_text(text: str, url: str | None = None, *, fetched_at: str | None = None) -> ExtractedArticle:
    """Wraps a plain-text article (first line: headline) for the same per-article logic.

    The whole text, headline included, is kept as the article text, so offsets into the input
    file stay meaningful (the headline may hold a quote).
    """
    if not text or not text.strip():
        raise ExtractionError("no article text: the input is empty")
    first_line = text.strip().split("\n", 1)[0].strip()
    return ExtractedArticle(
        entry=None,
        url=url or "",
        canonical_url=url or "",
        fetched_at=fetched_at,
        title=first_line[:300] or None,
        authors=(),
        published_at=None,
        language=None,
        site=urlsplit(url).hostname if url else None,
        text_source="input",
        raw_text=text,
        blocks=text_blocks(text),
    )
