"""Feed stages: ReadFeeds (bytes), ParseEntries (entries) and DedupEntries (one entry per article)."""

from __future__ import annotations

import logging

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from guillemet import counters
from guillemet.errors import FeedError
from guillemet.feeds import parse_feed
from guillemet.fetch import FetchSettings
from guillemet.politeness import polite_fetcher
from guillemet.records import FeedEntry, FeedReport, FeedSource, FetchResult
from transforms.common import DEAD_LETTER, METRICS_NAMESPACE, DeadLetteringDoFn, StageResult, apply_stage, dead_letter

_LOGGER = logging.getLogger(__name__)

FEED_REPORT = "feed_report"


class _FetchFeedFn(DeadLetteringDoFn):
    stage = counters.READ_FEEDS

    def __init__(self, settings: FetchSettings, conditional: dict[str, dict[str, str]] | None = None):
        super().__init__()
        self._settings = settings
        self._conditional = conditional or {}
        self._not_modified = Metrics.counter(METRICS_NAMESPACE, counters.FEEDS_NOT_MODIFIED)

    def identify(self, element: FeedSource):
        return element.name, element.url

    def setup(self):
        self._fetcher = polite_fetcher(self._settings)

    def handle(self, element: FeedSource):
        # Feeds are published to be read: the per-host limits apply, robots.txt does not.
        result = self._fetcher.fetch(element.url, check_robots=False, headers=self._conditional.get(element.url))
        if result.status == 304:
            self._not_modified.inc()
            _LOGGER.info("ReadFeeds: %s: not modified", element.url)
        else:
            _LOGGER.info("ReadFeeds: %s: %d bytes", element.url, len(result.content))
        yield element, result


class ReadFeeds(beam.PTransform):
    """Fetches the bytes of each feed: ``FeedSource`` → ``(FeedSource, FetchResult)``.

    Args:
        settings: The fetch limits.
        conditional: Request headers per feed URL (``If-None-Match``, ``If-Modified-Since``) for
            an incremental run; a feed that answers ``304 Not Modified`` goes on with status 304
            and no body, and ParseEntries reports it with no entries.
    """

    def __init__(
        self, settings: FetchSettings, conditional: dict[str, dict[str, str]] | None = None, label: str | None = None
    ):
        super().__init__(label)
        self._settings = settings
        self._conditional = conditional

    def expand(self, sources: beam.PCollection) -> StageResult:
        outputs = apply_stage(sources, "Fetch", _FetchFeedFn(self._settings, self._conditional))
        return StageResult(outputs.good, outputs[DEAD_LETTER])


def _report(source: FeedSource, fetched: FetchResult, **fields) -> FeedReport:
    """A feed's report, with the validators of its answer for the next conditional request."""
    validators = {key.lower(): value for key, value in fetched.headers}
    return FeedReport(
        source.url,
        source.name,
        status=fetched.status,
        etag=validators.get("etag"),
        last_modified=validators.get("last-modified"),
        **fields,
    )


class _ParseFeedFn(DeadLetteringDoFn):
    stage = counters.PARSE_ENTRIES

    def __init__(self) -> None:
        super().__init__()
        self._rejected = Metrics.counter(METRICS_NAMESPACE, counters.REJECTED_ENTRIES)
        self._duplicates = Metrics.counter(METRICS_NAMESPACE, counters.DUPLICATE_ENTRIES)
        self._feeds_ok = Metrics.counter(METRICS_NAMESPACE, counters.FEEDS_OK)
        self._feeds_failed = Metrics.counter(METRICS_NAMESPACE, counters.FEEDS_UNPARSABLE)
        self._feeds_problem = Metrics.counter(METRICS_NAMESPACE, counters.FEEDS_WITH_PROBLEMS)

    def identify(self, element):
        source, _ = element
        return source.name, source.url

    def handle(self, element: tuple[FeedSource, FetchResult]):
        source, fetched = element
        if fetched.status == 304:
            # Unchanged since the last run: nothing to parse, nothing lost.
            yield TaggedOutput(FEED_REPORT, _report(source, fetched, ok=True, entries=0))
            return
        try:
            parsed = parse_feed(
                fetched.content,
                fetched.final_url,
                content_type=fetched.content_type,
                default_language=source.language,
            )
        except FeedError as error:
            # A feed-level failure: its report and its dead letter both go out.
            self._feeds_failed.inc()
            yield TaggedOutput(
                FEED_REPORT,
                FeedReport(source.url, source.name, ok=False, entries=0, status=fetched.status, problem=str(error)),
            )
            yield TaggedOutput(DEAD_LETTER, dead_letter(self.stage, source.name, source.url, error))
            return
        self._feeds_ok.inc()
        if parsed.problem:
            self._feeds_problem.inc()
            _LOGGER.warning(
                "ParseEntries: %s: read %d entries despite: %s", source.url, len(parsed.entries), parsed.problem
            )
        else:
            _LOGGER.info("ParseEntries: %s: %d entries", source.url, len(parsed.entries))
        self._duplicates.inc(parsed.duplicates)
        yield TaggedOutput(
            FEED_REPORT,
            _report(
                source,
                fetched,
                ok=True,
                entries=len(parsed.entries),
                format=parsed.format,
                problem=parsed.problem,
                rejected=len(parsed.rejected),
                duplicates=parsed.duplicates,
            ),
        )
        for rejected in parsed.rejected:
            self._rejected.inc()
            yield TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    self.stage,
                    rejected.entry_id,
                    rejected.url,
                    FeedError(rejected.reason),
                    feed_url=source.url,
                    position=rejected.position,
                ),
            )
        yield from parsed.entries


class ParseEntries(beam.PTransform):
    """Parses fetched feeds into entries; ``reports`` says what happened to each feed."""

    def expand(self, fetched: beam.PCollection):
        outputs = apply_stage(fetched, "Parse", _ParseFeedFn(), FEED_REPORT)
        return outputs.good, outputs[DEAD_LETTER], outputs[FEED_REPORT]


def _first_entry(keyed: tuple[str, list[FeedEntry]]) -> FeedEntry:
    _, entries = keyed
    # Deterministic whichever order the entries arrive in: the entry of the first feed by URL.
    chosen = min(entries, key=lambda entry: (entry.feed_url, entry.url))
    if len(entries) > 1:
        Metrics.counter(METRICS_NAMESPACE, counters.ENTRY_DUPLICATES).inc(len(entries) - 1)
    return chosen


class DedupEntries(beam.PTransform):
    """Keeps one entry per article id when several feeds list the same article.

    The grouping also breaks fusion between the few feeds and the many articles, so the fetches of
    one feed's entries spread over all workers.
    """

    def expand(self, entries: beam.PCollection) -> beam.PCollection:
        return (
            entries
            | "KeyById" >> beam.Map(lambda entry: (entry.entry_id, entry))
            | "GroupById" >> beam.GroupByKey()
            | "KeepFirst" >> beam.Map(_first_entry)
        )
