"""DedupArticles: one article per id (canonical URL) in a run, before anything is computed on it.

Two pages of a run can declare the same canonical URL (a page and its AMP or print version, a
story moved and re-published): they get the same id. Written as they came, the run would hold two
records with one id, and a join per id could give one page the quotes of the other, with offsets
into a text that is not its own. So one page wins, deterministically, and the other is a dead
letter naming both URLs.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from guillemet import counters
from guillemet.errors import GuillemetError
from guillemet.records import Article
from transforms.common import DEAD_LETTER, METRICS_NAMESPACE, StageResult, dead_letter

STAGE = counters.DEDUP_ARTICLES


class DuplicateCanonicalUrlError(GuillemetError):
    """A page whose declared canonical URL another page of the run declared too."""


def winner_key(article: Article) -> tuple:
    """The order in which pages sharing an id are kept: the page at its canonical URL first, then
    the one whose page URL sorts first (a stable choice whatever the order pages arrive in)."""
    at_canonical = article.canonical_url is not None and article.url == article.canonical_url
    return (not at_canonical, article.url or "", article.entry_url or "", article.text)


class _DedupFn(beam.DoFn):
    def __init__(self):
        self._in = Metrics.counter(METRICS_NAMESPACE, counters.stage_in(STAGE))
        self._out = Metrics.counter(METRICS_NAMESPACE, counters.stage_out(STAGE))
        self._failed = Metrics.counter(METRICS_NAMESPACE, counters.stage_failed(STAGE))

    def process(self, keyed):
        article_id, articles = keyed
        kept, *others = sorted(articles, key=winner_key)
        self._in.inc(1 + len(others))
        self._out.inc()
        yield kept
        for other in others:
            self._failed.inc()
            error = DuplicateCanonicalUrlError(
                f"duplicate canonical URL: {other.canonical_url or article_id} is declared by {other.url}"
                f" and by {kept.url}, which is kept"
            )
            yield TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    STAGE,
                    article_id,
                    other.url,
                    error,
                    kept_url=kept.url,
                    canonical_url=other.canonical_url,
                    entry_url=other.entry_url,
                ),
            )


class DedupArticles(beam.PTransform):
    """``Article`` → one ``Article`` per id, and a dead letter for each other page with that id."""

    def expand(self, articles: beam.PCollection) -> StageResult:
        outputs = (
            articles
            | "KeyById" >> beam.Map(lambda article: (article.id, article))
            | "GroupById" >> beam.GroupByKey()
            | "Keep" >> beam.ParDo(_DedupFn()).with_outputs(DEAD_LETTER, main="good")
        )
        return StageResult(outputs.good, outputs[DEAD_LETTER])
