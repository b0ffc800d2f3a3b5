"""The names of the run's counters, in one place.

The stages count under these names (Beam metrics, namespace ``guillemet``); the driver's summary,
the manifest, the live progress line and CommitRun (which counts the same things from the data)
read them back. A name typed twice can drift apart silently, a constant cannot. Beam-free, so the
core, the summary and the transforms can all import it.

A dead-lettering stage counts ``<Stage>.in``, ``<Stage>.out`` and ``<Stage>.failed``
(``stage_in``, ``stage_out``, ``stage_failed``); the other counters are named below.
"""

from __future__ import annotations

# Stages: the label of each step, and the prefix of its counters.
POLL_FEEDS = "PollFeeds"
READ_FEEDS = "ReadFeeds"
PARSE_ENTRIES = "ParseEntries"
DEDUP_ENTRIES = "DedupEntries"
DROP_SEEN_ENTRIES = "DropSeenEntries"
FETCH_ARTICLES = "FetchArticles"
EXTRACT_TEXT = "ExtractText"
NORMALIZE_TEXT = "NormalizeText"
DEDUP_ARTICLES = "DedupArticles"
MARK_VERSIONS = "MarkVersions"
PARSE_ARTICLES = "ParseArticles"
EXTRACT_QUOTES = "ExtractQuotes"
EXTRACT_ENTITIES = "ExtractEntities"
JOIN_ANNOTATIONS = "JoinAnnotations"

# The stages that write dead letters, in the order of the graph (the summary's "by stage").
DEAD_LETTER_STAGES = (
    READ_FEEDS,
    PARSE_ENTRIES,
    FETCH_ARTICLES,
    EXTRACT_TEXT,
    NORMALIZE_TEXT,
    DEDUP_ARTICLES,
    PARSE_ARTICLES,
    EXTRACT_QUOTES,
    EXTRACT_ENTITIES,
    JOIN_ANNOTATIONS,
)
# The stages that load a spaCy model (once per worker), each counting its loads.
MODEL_STAGES = (PARSE_ARTICLES,)


def stage_in(stage: str) -> str:
    return f"{stage}.in"


def stage_out(stage: str) -> str:
    return f"{stage}.out"


def stage_failed(stage: str) -> str:
    return f"{stage}.failed"


def model_loads(stage: str) -> str:
    return f"{stage}.model_loads"


# Feeds (ReadFeeds, ParseEntries).
FEEDS_READ = f"{READ_FEEDS}.in"
ENTRIES_PARSED = f"{PARSE_ENTRIES}.out"
FEEDS_OK = "feeds.ok"
FEEDS_UNPARSABLE = "feeds.unparsable"
FEEDS_NOT_MODIFIED = "feeds.not_modified"
FEEDS_WITH_PROBLEMS = "feeds.with_problems"
REJECTED_ENTRIES = f"{PARSE_ENTRIES}.rejected_entries"
DUPLICATE_ENTRIES = f"{PARSE_ENTRIES}.duplicate_entries"
# Entries and articles dropped or recovered on the way.
ENTRY_DUPLICATES = f"{DEDUP_ENTRIES}.duplicates"
FEED_FALLBACK = f"{FETCH_ARTICLES}.feed_fallback"
VERSIONS_UNCHANGED = f"{MARK_VERSIONS}.unchanged"
VERSIONS_NEW = f"{MARK_VERSIONS}.new"
VERSIONS_CHANGED = f"{MARK_VERSIONS}.changed"
JOIN_DUPLICATES = f"{JOIN_ANNOTATIONS}.duplicates"
JOIN_INCOMPLETE = f"{JOIN_ANNOTATIONS}.incomplete"
# Streaming.
POLLS = f"{POLL_FEEDS}.polls"
ENTRIES_NEW = f"{DROP_SEEN_ENTRIES}.new"
ENTRIES_SEEN = f"{DROP_SEEN_ENTRIES}.seen"
# Records written.
ARTICLES_WRITTEN = "articles.written"
DEAD_LETTERS_WRITTEN = "dead_letters.written"
FEED_REPORTS_WRITTEN = "feed_reports.written"
STATE_SEEN = "state.seen"
# Sizes CommitRun counts to derive the counters above (never in a manifest: transforms/commit.py).
ENTRIES_UNIQUE = "entries.unique"
ARTICLES_NORMALIZED = "articles.normalized"
ARTICLES_FRESH = "articles.fresh"
ARTICLES_PARSED = "articles.parsed"
ARTICLES_IDS = "articles.ids"
COMMIT_SIZES = frozenset({ENTRIES_UNIQUE, ARTICLES_NORMALIZED, ARTICLES_FRESH, ARTICLES_PARSED, ARTICLES_IDS})

# Every counter name a run can report.
KNOWN = frozenset(
    {
        *(name(stage) for stage in DEAD_LETTER_STAGES for name in (stage_in, stage_out, stage_failed)),
        *(model_loads(stage) for stage in MODEL_STAGES),
        *(value for key, value in dict(globals()).items() if key.isupper() and isinstance(value, str) and "." in value),
    }
)
