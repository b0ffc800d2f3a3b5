"""``guillemet export`` and ``guillemet report``: committed runs read through Beam's filesystems.

The reading itself is Beam-free (``guillemet/analysis``); this module only gives it a storage that
reaches ``gs://`` (and anything else Beam's ``FileSystems`` knows) when the output is not local.
"""

from __future__ import annotations

import logging
from datetime import date

from apache_beam.io.filesystems import FileSystems

from guillemet.analysis.runs import Archive, LocalStorage, Storage, read_archive
from pipeline.store import matching, read_text

_LOGGER = logging.getLogger(__name__)


class BeamStorage:
    """Beam's filesystems: local paths, ``gs://`` with the ``gcp`` extra."""

    def match(self, pattern: str) -> list[str]:
        return matching(pattern)

    def read_text(self, path: str) -> str:
        return read_text(path)

    def join(self, base: str, *parts: str) -> str:
        return FileSystems.join(base, *parts)


def storage_for(output: str) -> Storage:
    return BeamStorage() if "://" in output else LocalStorage()


def load(output: str, since: date | None = None, until: date | None = None) -> Archive:
    return read_archive(output, storage_for(output), since=since, until=until)


def export(output: str, quotes: str | None, entities: str | None, since=None, until=None) -> dict[str, int]:
    """Writes the quote and entity tables of the committed runs; returns their row counts."""
    from guillemet.analysis.tables import ENTITY_SCHEMA, QUOTE_SCHEMA, entity_rows, quote_rows, to_table, write_table

    archive = load(output, since, until)
    counts = {"runs": len(archive.runs), "articles": len(archive.articles)}
    if quotes:
        table = to_table(quote_rows(archive.articles), QUOTE_SCHEMA)
        write_table(table, quotes)
        counts["quotes"] = table.num_rows
    if entities:
        table = to_table(entity_rows(archive.articles), ENTITY_SCHEMA)
        write_table(table, entities)
        counts["entities"] = table.num_rows
    return counts


def report(output: str, html_path: str, since=None, until=None) -> dict[str, int]:
    """Writes the HTML report of the committed runs; returns what it covers."""
    from guillemet.analysis.report import render
    from guillemet.analysis.tables import quote_rows

    archive = load(output, since, until)
    quotes = quote_rows(archive.articles)
    with open(html_path, "w", encoding="utf-8") as handle:
        handle.write(render(archive, quotes))
    return {"runs": len(archive.runs), "articles": len(archive.articles), "quotes": len(quotes)}
