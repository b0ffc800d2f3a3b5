"""Assembles the guillemet graph from a validated configuration.

ReadFeeds (conditional requests) → ParseEntries → DedupEntries (fusion break) → FetchArticles →
ExtractText → NormalizeText → DedupArticles → MarkVersions (skips unchanged articles) → ParseArticles (spaCy, once)
→ ExtractQuotes ‖ ExtractEntities → JoinAnnotations → WriteArticles and UpdateSeen, with every
stage's dead letters flattened into one output written beside the articles, and one report per feed.
WarmUpNlp reads the entries beside FetchArticles (fused with it) and imports spaCy meanwhile,
and loads the model as soon as an entry is new to the seen store.
With a commit function, CommitRun last: it commits the run from inside the pipeline once every
write is done (for launchers that do not wait for the job, ``docs/storage.md``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from guillemet import counters
from guillemet.config import GuillemetConfig
from guillemet.records import FeedSource
from transforms import (
    DedupEntries,
    ExtractText,
    FetchArticles,
    NormalizeText,
    ParseEntries,
    ReadFeeds,
    WriteJsonLines,
)
from transforms.canonical import DedupArticles
from transforms.commit import CommitRun
from transforms.nlp import ExtractEntities, ExtractQuotes, JoinAnnotations, NlpModel, ParseArticles, WarmUpNlp
from transforms.state import MarkVersions, ReadSeen, UpdateSeen


def _absolute(path: str) -> str:
    return os.path.abspath(path) if FileSystems.get_scheme(path) is None else path


@dataclass(frozen=True)
class RunLayout:
    """Where one run writes: ``<output>/<kind>/dt=YYYY-MM-DD/run=<run_id>/``."""

    output: str
    run_id: str
    date: str
    started_at: str = ""
    state: str = ""

    @classmethod
    def new(cls, output: str, now: datetime | None = None, state: str | None = None) -> RunLayout:
        """A new run's layout; its state goes under ``state``, by default ``<output>/state``."""
        now = now or datetime.now(UTC)
        run_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        output = output.rstrip("/") if output != "/" else output
        # The manifest names the outputs and state by path: absolute ones hold from any folder.
        output = _absolute(output)
        state = _absolute(state or FileSystems.join(output, "state"))
        return cls(
            output=output,
            run_id=run_id,
            date=now.strftime("%Y-%m-%d"),
            started_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            state=state.rstrip("/"),
        )

    def directory(self, kind: str) -> str:
        return FileSystems.join(self.output, kind, f"dt={self.date}", f"run={self.run_id}")

    @property
    def articles(self) -> str:
        return self.directory("articles")

    @property
    def dead_letters(self) -> str:
        return self.directory("dead_letters")

    @property
    def feed_reports(self) -> str:
        return self.directory("feeds")

    @property
    def manifest(self) -> str:
        return FileSystems.join(self.output, "manifests", f"run={self.run_id}.json")

    @property
    def seen_store(self) -> str:
        """The directory of this run's seen-article store (``part-*.jsonl``)."""
        return FileSystems.join(self.state, "seen", f"run={self.run_id}")

    @property
    def feed_state(self) -> str:
        return FileSystems.join(self.state, "feeds", f"run={self.run_id}.json")


@dataclass(frozen=True)
class PreviousState:
    """What an incremental run starts from: the committed seen store and the feeds' request headers.

    The defaults (no store, no headers) make a full run.
    """

    seen_pattern: str | None = None
    conditional: dict[str, dict[str, str]] = field(default_factory=dict)


def feed_sources(config: GuillemetConfig, base_url: str | None = None) -> list[FeedSource]:
    """The configured feeds, with corpus paths resolved against the local server's address."""
    sources = []
    for feed in config.feeds:
        url = feed.url
        if url.startswith("/"):
            if base_url is None:
                raise ValueError(f"feed {url} is a path on the served corpus, but no server is running")
            url = base_url + url
        sources.append(FeedSource(url=url, name=feed.name, language=feed.language))
    return sources


def annotate_articles(
    articles: beam.PCollection, config: GuillemetConfig, model: NlpModel | None = None
) -> tuple[beam.PCollection, list, beam.PCollection | None]:
    """ParseArticles (spaCy, once) → ExtractQuotes ‖ ExtractEntities → JoinAnnotations on normalised
    articles: the finished articles, the NLP stages' dead letters and the parsed articles (None
    without NLP), for the batch and stream graphs.

    A branch switched off is an empty collection derived from the parse (same windowing), not
    ``beam.Create([])``, whose global window ``CoGroupByKey`` refuses to join with fixed windows.
    ``model``: the ``NlpModel`` a ``WarmUpNlp`` of the graph may have loaded already.
    """
    nlp = config.nlp
    if not nlp.enabled:
        return articles, [], None
    model = model or NlpModel(nlp.model, nlp.max_chars, nlp.batch_size, nlp.languages)
    parsed = articles | "ParseArticles" >> ParseArticles(shared_model=model)
    dead_letters = [parsed.dead_letters]
    # Two independent branches on the one parse, joined per article id.
    branches = {"article": parsed.good | "KeyArticles" >> beam.Map(lambda p: (p.article.id, p.article))}
    stages = (
        ("quotes", nlp.quotes, lambda: ExtractQuotes(nlp.quote_work_per_char)),
        ("entities", nlp.entities, ExtractEntities),
    )
    for name, enabled, stage in stages:
        if enabled:
            result = parsed.good | f"Extract{name.capitalize()}" >> stage()
            branches[name] = result.good
            dead_letters.append(result.dead_letters)
        else:
            branches[name] = parsed.good | f"No{name.capitalize()}" >> beam.FlatMap(lambda _: ())
    joined = branches | "JoinAnnotations" >> JoinAnnotations(nlp.quotes, nlp.entities)
    dead_letters.append(joined.dead_letters)
    return joined.good, dead_letters, parsed.good


def build_graph(
    pipeline: beam.Pipeline,
    config: GuillemetConfig,
    sources: list[FeedSource],
    layout: RunLayout,
    previous: PreviousState = PreviousState(),
    commit: Callable[[dict[str, int]], None] | None = None,
) -> dict:
    """Adds the whole graph to ``pipeline`` and returns its main PCollections by name.

    Args:
        commit: If given, the graph ends with CommitRun, which calls it with the run's counters
            once every write has finished; otherwise the driver commits the run.
    """
    settings = config.fetch.settings()
    feeds = pipeline | "FeedSources" >> beam.Create(sources)
    fetched_feeds = feeds | "ReadFeeds" >> ReadFeeds(settings, previous.conditional)
    entries, entry_dead_letters, feed_reports = fetched_feeds.good | "ParseEntries" >> ParseEntries()
    unique_entries = entries | "DedupEntries" >> DedupEntries()
    pages = unique_entries | "FetchArticles" >> FetchArticles(settings)
    seen = pipeline | "ReadSeen" >> ReadSeen(previous.seen_pattern)
    model = None
    if config.nlp.enabled:
        # Fused with the fetch: each worker that fetches imports spaCy meanwhile, and loads the
        # model on its first new entry, instead of after the fetch.
        nlp = config.nlp
        model = NlpModel(nlp.model, nlp.max_chars, nlp.batch_size, nlp.languages)
        unique_entries | "WarmUpNlp" >> WarmUpNlp(model, seen)
    extracted = pages.good | "ExtractText" >> ExtractText(
        config.extract.min_text_chars, config.extract.min_article_chars, config.extract.prefer_date
    )
    articles = extracted.good | "NormalizeText" >> NormalizeText()
    # One page per id (canonical URL): the id of a record is unique in a run.
    unique = articles.good | "DedupArticles" >> DedupArticles()
    # Before the NLP stages: an unchanged article costs a fetch and an extraction, not a parse.
    fresh = unique.good | "MarkVersions" >> MarkVersions(seen, layout.started_at)
    stage_dead_letters = [
        fetched_feeds.dead_letters,
        entry_dead_letters,
        pages.dead_letters,
        extracted.dead_letters,
        articles.dead_letters,
        unique.dead_letters,
    ]
    final, nlp_dead_letters, parsed = annotate_articles(fresh, config, model)
    stage_dead_letters += nlp_dead_letters
    dead_letters = tuple(stage_dead_letters) | "CollectDeadLetters" >> beam.Flatten()
    written = [
        final | "WriteArticles" >> WriteJsonLines(layout.articles, counter=counters.ARTICLES_WRITTEN),
        dead_letters | "WriteDeadLetters" >> WriteJsonLines(layout.dead_letters, counter=counters.DEAD_LETTERS_WRITTEN),
        feed_reports | "WriteFeedReports" >> WriteJsonLines(layout.feed_reports, counter=counters.FEED_REPORTS_WRITTEN),
        final | "UpdateSeen" >> UpdateSeen(seen, layout.run_id, layout.seen_store),
    ]
    collections = {"articles": final, "dead_letters": dead_letters, "feed_reports": feed_reports, "entries": entries}
    if commit is not None:
        counted = {
            "feeds": feeds,
            "entries": entries,
            "unique_entries": unique_entries,
            "articles": unique.good,
            "fresh": fresh,
            "final": final,
            "dead_letters": dead_letters,
            "feed_reports": feed_reports,
        }
        if parsed is not None:
            counted["parsed"] = parsed
        collections["commit"] = counted | "CommitRun" >> CommitRun(commit, written)
    return collections
