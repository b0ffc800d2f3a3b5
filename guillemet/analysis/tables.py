"""The quote and entity tables (docs/analysis.md), as pyarrow tables written to Parquet or CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from guillemet.analysis.clusters import ARTICLE_THRESHOLD, MIN_WORDS, QUOTE_THRESHOLD, near_duplicate_groups

_TS = pa.timestamp("ms", tz="UTC")  # Parquet has no second unit: ms either way

QUOTE_SCHEMA = pa.schema(
    [
        ("quote_id", pa.string()),
        ("article_id", pa.string()),
        ("article_version", pa.int32()),
        ("url", pa.string()),
        ("site", pa.string()),
        ("feed_url", pa.string()),
        ("feed_title", pa.string()),
        ("published_at", _TS),
        ("fetched_at", _TS),
        ("quote", pa.string()),
        ("kind", pa.string()),
        ("cue", pa.string()),
        ("speaker_name", pa.string()),
        ("speaker_text", pa.string()),
        ("entity_id", pa.string()),
        ("gender", pa.string()),
        ("gender_source", pa.string()),
        ("resolution", pa.string()),
        ("cluster", pa.string()),
        ("cluster_size", pa.int32()),
        ("cluster_sites", pa.int32()),
        ("duplicate_of", pa.string()),
        ("annotator_version", pa.string()),
        ("run_id", pa.string()),
    ]
)

ENTITY_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("site", pa.string()),
        ("feed_url", pa.string()),
        ("published_at", _TS),
        ("entity_id", pa.string()),
        ("name", pa.string()),
        ("label", pa.string()),
        ("mentions", pa.int32()),
        ("quotes", pa.int32()),
        ("duplicate_of", pa.string()),
    ]
)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (a bare date is its midnight)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def duplicate_articles(articles: list[dict[str, Any]]) -> dict[str, str | None]:
    """Article id → the id of the earliest near-duplicate article (same wire story), else None."""
    groups = near_duplicate_groups([a.get("text") or "" for a in articles], ARTICLE_THRESHOLD, min_words=30)
    return {
        article["id"]: (articles[group]["id"] if group != index else None)
        for index, (article, group) in enumerate(zip(articles, groups, strict=True))
    }


def quote_rows(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per quote of the given articles (in publication order), with clusters."""
    duplicate_of = duplicate_articles(articles)
    rows = []
    for article in articles:
        feed = article.get("feed") or {}
        annotator = article.get("annotator") or {}
        for index, quote in enumerate(article.get("quotes") or []):
            speaker = quote.get("speaker") or {}
            rows.append(
                {
                    "quote_id": f"{article['id']}:{index}",
                    "article_id": article["id"],
                    "article_version": article.get("version"),
                    "url": article.get("url"),
                    "site": article.get("site"),
                    "feed_url": feed.get("url"),
                    "feed_title": feed.get("title"),
                    "published_at": parse_time(article.get("published_at")),
                    "fetched_at": parse_time(article.get("fetched_at")),
                    "quote": quote.get("text"),
                    "kind": quote.get("kind"),
                    "cue": quote.get("cue"),
                    "speaker_name": speaker.get("name"),
                    "speaker_text": speaker.get("text"),
                    "entity_id": speaker.get("entity_id"),
                    "gender": speaker.get("gender"),
                    "gender_source": speaker.get("gender_source"),
                    "resolution": speaker.get("resolution"),
                    "duplicate_of": duplicate_of[article["id"]],
                    "annotator_version": annotator.get("version"),
                    "run_id": article.get("_run_id"),
                }
            )
    groups = near_duplicate_groups([row["quote"] or "" for row in rows], QUOTE_THRESHOLD, min_words=MIN_WORDS)
    members: dict[int, list[dict[str, Any]]] = {}
    for row, group in zip(rows, groups, strict=True):
        row["cluster"] = rows[group]["quote_id"]
        members.setdefault(group, []).append(row)
    for group_rows in members.values():
        sites = len({row["site"] for row in group_rows})
        for row in group_rows:
            row["cluster_size"] = len(group_rows)
            row["cluster_sites"] = sites
    return rows


def entity_rows(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per entity per article: its mention count and how many of the article's quotes it said."""
    duplicate_of = duplicate_articles(articles)
    rows = []
    for article in articles:
        said: dict[str, int] = {}
        for quote in article.get("quotes") or []:
            entity = (quote.get("speaker") or {}).get("entity_id")
            if entity:
                said[entity] = said.get(entity, 0) + 1
        for entity in article.get("entities") or []:
            rows.append(
                {
                    "article_id": article["id"],
                    "url": article.get("url"),
                    "site": article.get("site"),
                    "feed_url": (article.get("feed") or {}).get("url"),
                    "published_at": parse_time(article.get("published_at")),
                    "entity_id": entity.get("id"),
                    "name": entity.get("name"),
                    "label": entity.get("label"),
                    "mentions": entity.get("count", len(entity.get("mentions") or [])),
                    "quotes": said.get(entity.get("id"), 0),
                    "duplicate_of": duplicate_of[article["id"]],
                }
            )
    return rows


def to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def write_table(table: pa.Table, path: str) -> None:
    """Writes Parquet, or CSV when ``path`` ends with ``.csv`` (timestamps in ISO 8601)."""
    if path.lower().endswith(".csv"):
        pa_csv.write_csv(table, path)
    else:
        pq.write_table(table, path)
