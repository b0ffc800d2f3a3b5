"""Stable article identifiers from canonical URLs.

The same article reached through two feeds, with or without tracking parameters, must get the same
id, run after run: the id is a hash of the canonical form of its URL.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived; they never change the article.
_TRACKING_PREFIXES = ("utm_", "at_", "xtor", "xtref", "pk_", "mtm_", "fbclid", "gclid", "mc_", "ns_", "ito")
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "dclid", "msclkid", "igshid", "ref", "ref_src", "cmpid"})


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
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not (key.lower().startswith(_TRACKING_PREFIXES) or key.lower() in _TRACKING_NAMES)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def article_id(url: str) -> str:
    """The stable id of the article at ``url``: 32 hex digits of SHA-256 of its canonical URL."""
    return hashlib.sha256(canonicalize_url(url).encode("utf-8")).hexdigest()[:32]
