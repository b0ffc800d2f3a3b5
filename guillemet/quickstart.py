"""Starting without a YAML profile: feeds named on the command line (``--feed URL``) or read from
an OPML subscription list (``--opml FILE``, the format feed readers export), run with the demo
profile's defaults (``configs/demo.yaml`` without its served corpus).

OPML is read with listparser, always from bytes (given a string that starts with ``http``,
listparser would fetch it) and through lxml's HTML parser, which expands no XML entity.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from guillemet.config import GuillemetConfig
from guillemet.errors import ConfigError

# What configs/demo.yaml sets besides its corpus: the fetch limits of a first try.
DEMO_DEFAULTS = {
    "name": "command-line",
    "output": "output/feeds",
    "fetch": {"read_timeout_s": 10, "retries": 1, "backoff_s": 0.2},
    "beam": {"runner": "FnApiRunner"},
}
MAX_OPML_BYTES = 5_000_000


def read_opml(path: str | Path) -> list[dict[str, str]]:
    """The feeds of an OPML file, as ``{"url", "name"}`` (name when the outline has one), in order.

    Raises:
        ConfigError: one line: unreadable, too large, not OPML, no feed in it.
    """
    import listparser

    path = Path(path)
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_OPML_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"--opml {path}: cannot be read: {error.strerror or error}") from None
    if len(content) > MAX_OPML_BYTES:
        raise ConfigError(f"--opml {path}: larger than {MAX_OPML_BYTES:,} bytes")
    result = listparser.parse(content)
    if result.bozo:
        raise ConfigError(f"--opml {path}: not a readable subscription list: {result.bozo_exception}")
    if not result.feeds:
        raise ConfigError(f"--opml {path}: no feed in it (an OPML file lists feeds as <outline xmlUrl=…>)")
    feeds, seen = [], set()
    for feed in result.feeds:
        if feed.url in seen:
            continue
        seen.add(feed.url)
        feeds.append({"url": feed.url, **({"name": feed.title} if feed.get("title") else {})})
    return feeds


def command_line_config(
    feed_urls: list[str],
    opml: str | None = None,
    output: str | None = None,
    allow_hosts: tuple[str, ...] = (),
) -> GuillemetConfig:
    """The run profile of ``guillemet run --feed URL… --opml FILE`` (feeds of both, in that order).

    Raises:
        ConfigError: one line naming the bad feed or file.
    """
    feeds = [{"url": url} for url in feed_urls] + (read_opml(opml) if opml else [])
    data = {**DEMO_DEFAULTS, "feeds": feeds}
    data["fetch"] = {**DEMO_DEFAULTS["fetch"], "allow_private_hosts": tuple(allow_hosts)}
    if output:
        data["output"] = output
    source = f"--opml {opml}" if opml and not feed_urls else "the command line"
    try:
        return GuillemetConfig(**data, source=source)
    except ValidationError as error:
        # One line: the first problem, with the feed it is about.
        problem = error.errors()[0]
        where = problem["loc"]
        reason = problem["msg"].removeprefix("Value error, ")
        if len(where) >= 2 and where[0] == "feeds" and isinstance(where[1], int):
            raise ConfigError(f"{source}: feed {feeds[where[1]]['url']!r}: {reason}") from None
        raise ConfigError(f"{source}: {'.'.join(map(str, where)) or 'profile'}: {reason}") from None
