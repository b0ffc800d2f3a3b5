"""Parsing feed bytes into feed entries.

``parse_feed`` is pure: bytes in, entries out. feedparser never raises and marks a broken document
with ``bozo``; our policy is explicit: a document that yields entries is used, and its problem is
reported with the feed; a document that yields none and is broken, or is not a feed at all, is an
error (a dead letter). Entries that cannot become an article (no link, a link that is not http) are
rejected one by one with a reason rather than dropped.

A document that declares XML entities is refused before parsing. feedparser 6.0.14 keeps expat's
external entities off (no local file is read) and drops the entity declarations it finds at the
start of a line, but a DOCTYPE written on one line reaches expat whole: a "billion laughs" there
costs about 15 s of CPU before expat's amplification limit stops it. News feeds have no use for
entity declarations, so refusing them costs nothing and closes both doors.
"""

from __future__ import annotations

import calendar
import html
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser
from requests.utils import requote_uri

from guillemet.errors import FeedError
from guillemet.ids import article_id
from guillemet.records import FeedEntry

_LOGGER = logging.getLogger(__name__)

# A headline is a line; a "title" of this size is a broken or hostile feed, not an article's name.
MAX_TITLE_CHARS = 2000

# feedparser resolves relative URLs and sanitizes HTML by default; we keep both on. We do not let it
# fetch anything: it is only ever given bytes.

# "<!ENTITY" as expat would read it in each encoding feedparser can decode: XML keywords are
# case-sensitive and have no inner spaces, so a byte search finds every declaration (and, rarely, the
# literal text in a CDATA section, which is refused too).
_ENTITY_DECLARATIONS = tuple(
    {"<!ENTITY".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037")}
)


# A numeric character reference, possibly escaped once or more inside escaped HTML ("&amp;#x...;"),
# as an ASCII-compatible encoding writes it.
_CHAR_REF = re.compile(rb"&((?:amp;)*)#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")
# Control characters a URL may not hold; browsers drop tabs and line breaks (WHATWG URL parsing).
_URL_DROPPED = str.maketrans("", "", "\t\n\r")


def _replace_invalid_reference(match: re.Match[bytes]) -> bytes:
    code = int(match.group(2), 16) if match.group(2) else int(match.group(3))
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        # What an HTML parser does with such a reference; feedparser would raise on it instead,
        # losing the whole feed for one entry's title.
        return b"&" + match.group(1) + b"#xFFFD;"
    return match.group(0)


def repair_character_references(content: bytes) -> bytes:
    """Replaces references to code points no text may hold (NUL, surrogates, past U+10FFFF) by U+FFFD."""
    if b"&" not in content:
        return content
    return _CHAR_REF.sub(_replace_invalid_reference, content)


def declares_entities(content: bytes) -> bool:
    """Whether an XML document declares entities (``<!ENTITY``), in any encoding feedparser reads."""
    return any(needle in content for needle in _ENTITY_DECLARATIONS)


@dataclass(frozen=True)
class RejectedEntry:
    """An entry of a parsed feed that cannot become an article, and why."""

    position: int
    entry_id: str | None
    url: str | None
    reason: str


@dataclass(frozen=True)
class ParsedFeed:
    """The outcome of parsing one feed document."""

    feed_url: str
    format: str | None
    title: str | None
    language: str | None
    entries: tuple[FeedEntry, ...]
    rejected: tuple[RejectedEntry, ...]
    problem: str | None
    duplicates: int = 0


def _iso_utc(struct_time) -> str | None:
    if not struct_time:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(struct_time), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    return moment.isoformat().replace("+00:00", "Z")


def _entry_link(entry, feed_url: str) -> str | None:
    link = entry.get("link")
    if not link:
        for candidate in entry.get("links", ()):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link:
        guid = entry.get("id", "")
        if entry.get("guidislink") or guid.startswith(("http://", "https://")):
            link = guid
    if not link:
        return None
    # Double-escaped feeds leave "&amp;" in links; resolve relative links against the feed. Line
    # breaks and tabs are dropped and spaces percent-encoded, as a browser reads an href.
    return requote_uri(urljoin(feed_url, html.unescape(link.strip()).translate(_URL_DROPPED)))


def check_link(link: str) -> None:
    """Raises ``ValueError`` when ``link`` cannot be requested: not http(s), no host, a bad port or host.

    ``urlsplit`` accepts what a connection cannot use (port 99999, a host label of 64 letters that
    IDNA cannot encode); each such entry is refused alone rather than failing later.
    """
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"entry link is not http(s): {link[:200]}")
    port = parts.port  # raises ValueError when out of 0-65535 or not a number
    if port == 0:
        raise ValueError("entry link has port 0")
    host = parts.hostname
    if not host:
        raise ValueError(f"entry link has no host: {link[:200]}")
    try:
        host.encode("idna")
    except UnicodeError as error:
        raise ValueError(f"entry link host cannot be encoded (IDNA): {error}") from error


def _guid(raw) -> str | None:
    guid = raw.get("id")
    return guid[:500] if isinstance(guid, str) and guid else None


def _raw_link(raw) -> str | None:
    link = raw.get("link")
    return link[:500] if isinstance(link, str) and link else None


def _entry(raw, feed_url: str, feed_title: str | None, language: str | None) -> FeedEntry:
    """One feed entry, or ``ValueError`` saying why it cannot become an article."""
    link = _entry_link(raw, feed_url)
    if not link:
        raise ValueError("entry has no link")
    check_link(link)
    content_html = None
    if raw.get("content"):
        content_html = "\n".join(part.get("value", "") for part in raw["content"]) or None
    title = raw.get("title") or None
    if title and len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"entry title too long: {len(title)} characters (at most {MAX_TITLE_CHARS})")
    return FeedEntry(
        entry_id=article_id(link),
        url=link,
        feed_url=feed_url,
        feed_title=feed_title,
        feed_language=language,
        title=title,
        authors=_authors(raw),
        published_at=_iso_utc(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary_html=raw.get("summary") or None,
        content_html=content_html,
    )


def _authors(entry) -> tuple[str, ...]:
    names: list[str] = []
    for author in entry.get("authors", ()) or ():
        name = (author.get("name") or "").strip()
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names.append(entry["author"].strip())
    return tuple(names)


def _problem(parsed) -> str | None:
    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    if isinstance(error, feedparser.NonXMLContentType):
        # Servers label feeds text/html or nothing at all; the document itself parsed as XML.
        return None
    return f"{error.__class__.__name__}: {error}" if error is not None else "malformed feed"


def parse_feed(
    content: bytes,
    feed_url: str,
    *,
    content_type: str | None = None,
    default_language: str | None = None,
) -> ParsedFeed:
    """Parses one feed document.

    Args:
        content: The raw bytes, as fetched (feedparser sniffs the encoding from the XML declaration,
            the BOM and ``content_type``).
        feed_url: Where the bytes came from; relative links are resolved against it.
        content_type: The HTTP Content-Type header, whose charset takes part in the sniffing.
        default_language: The language to assume when the feed says none.

    Returns:
        The entries, the rejected entries and the feed's problem, if any.

    Raises:
        FeedError: when the bytes are not a feed, are a broken one that yields no entry, or
            declare XML entities.
    """
    if declares_entities(content):
        raise FeedError(
            "refused: the document declares XML entities (<!ENTITY>), which could expand without bound "
            "or read local files"
        )
    headers = {"content-location": feed_url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(
            repair_character_references(content),
            response_headers=headers,
            sanitize_html=True,
            resolve_relative_uris=True,
        )
    except Exception as error:  # feedparser is meant never to raise; when it does, this feed is lost alone
        raise FeedError(f"the feed parser failed: {error.__class__.__name__}: {error}") from error
    problem = _problem(parsed)
    version = parsed.get("version") or None
    raw_entries = parsed.get("entries", [])
    if not raw_entries:
        if problem:
            raise FeedError(f"not a well-formed feed and no entry could be read ({problem})")
        if not version:
            raise FeedError("not a feed: no RSS, Atom or RDF document found")
    feed_meta = parsed.get("feed", {})
    feed_title = feed_meta.get("title") or None
    language = feed_meta.get("language") or default_language or None
    entries: list[FeedEntry] = []
    rejected: list[RejectedEntry] = []
    seen: set[str] = set()
    duplicates = 0
    for position, raw in enumerate(raw_entries):
        try:
            entry = _entry(raw, feed_url, feed_title, language)
        except Exception as error:  # noqa: BLE001 - any entry's failure is that entry's alone
            # One entry that cannot become an article is rejected alone; the others go on.
            rejected.append(RejectedEntry(position, _guid(raw), _raw_link(raw), str(error)[:500]))
            continue
        if entry.entry_id in seen:
            duplicates += 1
            continue
        seen.add(entry.entry_id)
        entries.append(entry)
    return ParsedFeed(
        feed_url=feed_url,
        format=version,
        title=feed_title,
        language=language,
        entries=tuple(entries),
        rejected=tuple(rejected),
        problem=problem,
        duplicates=duplicates,
    )
