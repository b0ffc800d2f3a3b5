"""``guillemet stream``: poll the feeds every few minutes and write each new article once.

PollFeeds (PeriodicImpulse, one fixed window per poll) → ReadFeeds → ParseEntries →
DropSeenEntries (stateful, per article id, for the life of the job) → the batch job's article
stages (FetchArticles … NormalizeText, DedupArticles per window, ParseArticles … JoinAnnotations)
→ one set of JSON-line files per window for articles, dead letters and feed reports, under
``<output>/stream/<kind>/``. With ``max_polls`` the job stops after that many polls and writes a
manifest; without it, it runs until cancelled. The job holds the output's lock (``pipeline/lock.py``)
for its life: no run, and no other stream, writes the same output meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import StandardOptions

from guillemet import counters
from guillemet.config import GuillemetConfig
from guillemet.errors import ConfigError
from guillemet.records import FeedSource
from pipeline.graph import RunLayout, annotate_articles
from pipeline.session import JobSession, utc_now
from pipeline.summary import StreamSummary
from transforms import ExtractText, FetchArticles, NormalizeText, ParseEntries, ReadFeeds
from transforms.canonical import DedupArticles
from transforms.stream import DropSeenEntries, PollFeeds, WriteWindowedJsonLines, remove_if_empty

_LOGGER = logging.getLogger(__name__)

KINDS = ("articles", "dead_letters", "feeds")

# Local runners that execute a graph stage after stage: what follows a shuffle (the join, the
# writes) starts only once the impulse is over, so an endless job would never write anything.
# Checked on Beam 2.77: PeriodicImpulse → Reshuffle → Map never reached the Map on FnApiRunner.
# (BundleBasedDirectRunner cannot run PeriodicImpulse at all: "… was not replaced as expected".)
BATCH_STYLE_RUNNERS = frozenset({"FnApiRunner"})


@dataclass(frozen=True)
class StreamLayout:
    """Where one streaming job writes: ``<output>/stream/<kind>/<window>_<job id>-*.jsonl``."""

    output: str
    job_id: str

    @classmethod
    def new(cls, output: str, now: datetime | None = None) -> StreamLayout:
        # Ids and output paths as the batch runs have them.
        run = RunLayout.new(output, now)
        return cls(output=run.output, job_id=run.run_id)

    def directory(self, kind: str) -> str:
        return FileSystems.join(self.output, "stream", kind)

    def temp_directory(self, kind: str) -> str:
        # Hidden beside the files, as Beam's default; removed at the end of a bounded job.
        return FileSystems.join(self.directory(kind), f".temp-{self.job_id}")

    @property
    def manifest(self) -> str:
        return FileSystems.join(self.output, "stream", "manifests", f"job={self.job_id}.json")


def annotate_entries(entries: beam.PCollection, config: GuillemetConfig) -> tuple[beam.PCollection, list]:
    """FetchArticles → … → DedupArticles → … → JoinAnnotations on ``entries``: the finished
    articles and every stage's dead letters.

    DedupArticles is the batch graph's own: its GroupByKey groups per window, so two pages that
    declare one canonical URL within a poll's window give one record and a dead letter for the other.
    The NLP half is ``pipeline.graph.annotate_articles``, shared with the batch graph (where
    MarkVersions sits between DedupArticles and the parse).
    """
    settings = config.fetch.settings()
    pages = entries | "FetchArticles" >> FetchArticles(settings)
    extracted = pages.good | "ExtractText" >> ExtractText(
        config.extract.min_text_chars, config.extract.min_article_chars, config.extract.prefer_date
    )
    articles = extracted.good | "NormalizeText" >> NormalizeText()
    unique = articles.good | "DedupArticles" >> DedupArticles()
    dead_letters = [pages.dead_letters, extracted.dead_letters, articles.dead_letters, unique.dead_letters]
    final, nlp_dead_letters, _ = annotate_articles(unique.good, config)
    return final, dead_letters + nlp_dead_letters


def build_stream_graph(
    pipeline: beam.Pipeline,
    config: GuillemetConfig,
    sources: list[FeedSource],
    layout: StreamLayout,
    interval_s: float,
    max_polls: int | None = None,
) -> dict:
    """Adds the streaming graph to ``pipeline`` and returns its main PCollections by name."""
    polled = pipeline | "PollFeeds" >> PollFeeds(sources, interval_s, max_polls)
    fetched_feeds = polled | "ReadFeeds" >> ReadFeeds(config.fetch.settings())
    entries, entry_dead_letters, feed_reports = fetched_feeds.good | "ParseEntries" >> ParseEntries()
    new_entries = entries | "DropSeenEntries" >> DropSeenEntries()
    final, stage_dead_letters = annotate_entries(new_entries, config)
    dead_letters = (
        fetched_feeds.dead_letters,
        entry_dead_letters,
        *stage_dead_letters,
    ) | "CollectDeadLetters" >> beam.Flatten()
    outputs = {"articles": final, "dead_letters": dead_letters, "feeds": feed_reports}
    written = {
        "articles": counters.ARTICLES_WRITTEN,
        "dead_letters": counters.DEAD_LETTERS_WRITTEN,
        "feeds": counters.FEED_REPORTS_WRITTEN,
    }
    for kind, records in outputs.items():
        label = "Write" + "".join(part.capitalize() for part in kind.split("_"))
        records | label >> WriteWindowedJsonLines(
            layout.directory(kind), layout.job_id, layout.temp_directory(kind), counter=written[kind]
        )
    return {**outputs, "entries": entries, "new_entries": new_entries}


def stream(
    config: GuillemetConfig,
    beam_args: list[str] | None = None,
    output: str | None = None,
    interval_s: float = 300.0,
    max_polls: int | None = None,
) -> StreamSummary:
    """Runs the streaming job in a ``JobSession``, which holds the output's lock for the job's life;
    returns when ``max_polls`` polls are done (or when an endless job submitted to a remote runner
    is running, and then gives the lock back: docs/reliability.md, Limits). Raises if the pipeline
    itself fails.

    Raises:
        ConfigError: an endless job on a runner that would never write it.
        OutputLockedError: another job holds the output's lock past ``lock.wait_s``.
    """
    session = JobSession(config, beam_args, output, kind="stream")
    if max_polls is None and session.runner.rsplit(".", 1)[-1] in BATCH_STYLE_RUNNERS:
        raise ConfigError(
            f"runner {session.runner} runs an endless stream but never writes it: give --max-polls, "
            "or use a streaming runner (DataflowRunner, PrismRunner)"
        )
    with session:
        # Dataflow needs it for an unbounded source; the local FnApiRunner accepts it.
        session.options.view_as(StandardOptions).streaming = True
        layout = StreamLayout.new(session.output)
        session.name(layout.job_id)
        summary = session.new_summary(
            StreamSummary,
            layout.job_id,
            utc_now(),
            interval_s=interval_s,
            max_polls=max_polls,
            outputs={**{kind: layout.directory(kind) for kind in KINDS}, "manifest": layout.manifest},
        )
        sources = session.sources()
        _LOGGER.info(
            "stream %s: %d feeds every %g s, %s, runner %s, output %s",
            layout.job_id,
            len(sources),
            interval_s,
            f"{max_polls} polls" if max_polls else "until cancelled",
            summary.runner,
            layout.output,
        )
        pipeline = session.pipeline()
        build_stream_graph(pipeline, config, sources, layout, interval_s, max_polls)
        result = session.submit(pipeline)
        if max_polls is None and not session.is_local:
            summary.state = str(result.state)
            return summary
        session.wait(result, summary)
        for kind in KINDS:
            remove_if_empty(layout.temp_directory(kind))
        session.write_manifest(summary, layout.manifest)
    return summary
