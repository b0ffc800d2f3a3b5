"""One composite Beam PTransform per pipeline stage, each a thin wrapper around the core.

Every stage returns a ``StageResult(good, dead_letters)``: what it could handle and a dead letter for
each input it could not, with the stage, the input's id/URL and the error.
"""

from transforms.articles import ExtractText, FetchArticles, NormalizeText
from transforms.common import StageResult
from transforms.feeds import DedupEntries, ParseEntries, ReadFeeds
from transforms.nlp import ExtractEntities, ExtractQuotes, JoinAnnotations, ParseArticles
from transforms.write import WriteJsonLines

__all__ = [
    "DedupEntries",
    "ExtractEntities",
    "ExtractQuotes",
    "ExtractText",
    "FetchArticles",
    "JoinAnnotations",
    "NormalizeText",
    "ParseArticles",
    "ParseEntries",
    "ReadFeeds",
    "StageResult",
    "WriteJsonLines",
]
