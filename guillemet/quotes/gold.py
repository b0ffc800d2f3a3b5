"""Reading quote gold sets: our own JSON format (``gold/quotes/README.md``) and the seed's format.

Both are turned into ``GoldArticle`` values whose offsets point into the text as given; the
evaluator maps them onto the normalised text the extractor works on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("direct", "fragment", "indirect")


@dataclass(frozen=True)
class GoldQuote:
    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    headline: bool = False
    cue: str | None = None
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    text: str
    why: str


@dataclass(frozen=True)
class GoldArticle:
    id: str
    text: str
    quotes: tuple[GoldQuote, ...]
    non_quotes: tuple[GoldSpan, ...] = field(default=())


class GoldError(ValueError):
    """A gold file that does not match its text or its format."""


def _locate(text: str, needle: str, occurrence: int, source: str) -> int:
    position = -1
    for _ in range(max(1, occurrence)):
        position = text.find(needle, position + 1)
        if position < 0:
            raise GoldError(f"{source}: not found in the text (occurrence {occurrence}): {needle[:80]!r}")
    return position


def _kind(value: str) -> str:
    # The seed marks headline quotes with kind "headline": they are direct quotes in a headline.
    return "direct" if value == "headline" else value


def load_gold_file(path: Path) -> GoldArticle:
    """Loads one gold article (our format, or the seed's ``*.quotes.json`` beside its ``.txt``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "text" in data:
        text = data["text"]
        quotes = []
        for item in data["quotes"]:
            start = _locate(text, item["quote"], item.get("occurrence", 1), f"{path.name}: quote")
            if item["kind"] not in KINDS:
                raise GoldError(f"{path.name}: unknown kind {item['kind']!r}")
            quotes.append(
                GoldQuote(
                    start,
                    start + len(item["quote"]),
                    item["quote"],
                    item["kind"],
                    item.get("speaker"),
                    bool(item.get("headline")),
                    item.get("cue"),
                    tuple(item.get("cases", ())),
                )
            )
        non_quotes = []
        for item in data.get("non_quotes", ()):
            start = _locate(text, item["text"], item.get("occurrence", 1), f"{path.name}: non-quote")
            non_quotes.append(GoldSpan(start, start + len(item["text"]), item["text"], item.get("why", "")))
        return GoldArticle(data.get("id", path.stem), text, tuple(quotes), tuple(non_quotes))
    source = path.parent / data["source"]
    text = source.read_text(encoding="utf-8")
    quotes = []
    for item in data["quotes"]:
        if text[item["start"] : item["end"]] != item["quote"]:
            raise GoldError(f"{path.name}: offsets {item['start']}-{item['end']} do not hold {item['quote'][:60]!r}")
        kind = item.get("kind", "direct")
        quotes.append(
            GoldQuote(item["start"], item["end"], item["quote"], _kind(kind), item.get("speaker"), kind == "headline")
        )
    return GoldArticle(path.name.removesuffix(".quotes.json"), text, tuple(quotes))


def load_gold(path: str | Path) -> list[GoldArticle]:
    """Loads a gold set: a folder of gold files, or one file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if not p.name.startswith("_"))
    elif path.is_file():
        files = [path]
    else:
        raise GoldError(f"{path}: no such file or folder")
    if not files:
        raise GoldError(f"{path}: no gold file (*.json) found")
    return [load_gold_file(file) for file in files]
