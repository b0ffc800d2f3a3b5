"""Stable article identifiers from canonical URLs.

The same article reached through two feeds, with or without tracking parameters, must get the same
id, run after run: the id is a hash of the canonical form of its URL.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from courlan.clean import clean_query

# Tracking parameters are courlan's (trafilatura's URL library: the AdGuard, ClearURLs and Firefox
# query-stripping lists); these are the ones of French outlets' analytics it does not know:
# AT Internet (xtref; xtor it knows), comScore (ns_*), France Télévisions (ito*), Le Monde (cmpid).
_MORE_TRACKING_PREFIXES = ("xtref", "ns_", "ito", "at_")
_MORE_TRACKING_NAMES = frozenset({"cmpid"})


def is_tracking_parameter(name: str) -> bool:
    """Whether a query parameter only says how a reader arrived (``utm_source``, ``fbclid``, ``xtor``…)."""
    key = name.lower()
    if key.startswith(_MORE_TRACKING_PREFIXES) or key in _MORE_TRACKING_NAMES:
        return True
    return not clean_query(urlencode({key: "1"}))


def strip_tracking(url: str | None) -> str | None:
    """``url`` without its tracking parameters; everything else (order, fragment, case) as it was."""
    if not url or "?" not in url:
        return url
    parts = urlsplit(url)
    pairs = [pair for pair in parts.query.split("&") if pair]
    kept = [pair for pair in pairs if not is_tracking_parameter(unquote_plus(pair.split("=", 1)[0]))]
    if len(kept) == len(pairs):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), parts.fragment))


def canonicalize_url(url: str) -> str:
    """Returns the canonical form of a URL used for identity.

    Lower-cases scheme and host, drops the default port, the fragment and tracking parameters, and
    keeps the remaining query parameters in their order.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_parameter(key)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def article_id(url: str) -> str:
    """The stable id of the article at ``url``: 32 hex digits of SHA-256 of its canonical URL."""
    return hashlib.sha256(canonicalize_url(url).encode("utf-8")).hexdigest()[:32]
