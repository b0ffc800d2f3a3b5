"""The quote step's work grows linearly with its input (counted, never timed).

Work is counted as the lines of ``guillemet/quotes/`` executed (``sys.settrace``): a loop nested in
a per-candidate loop shows up as lines, whichever function it hides in.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import spacy

from guillemet.quotes.extractor import QuoteExtractor

_QUOTES_DIR = str(Path(__file__).resolve().parent.parent / "guillemet" / "quotes")


def _lines_executed(extractor: QuoteExtractor, doc, text: str) -> int:
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(_QUOTES_DIR) else None

    sys.settrace(tracer)
    try:
        extractor.extract(doc, text)
    finally:
        sys.settrace(None)
    return count


def _unclosed(n: int) -> str:
    # One-line paragraphs each opening a quote never closed: issue 15's cubic case.
    return "\n".join(f"Elle a déclaré « il faut agir vite numéro {i} pour tous" for i in range(n))


@pytest.mark.parametrize("make_text", [_unclosed], ids=["unclosed"])
def test_quote_work_is_linear_in_paragraphs(make_text):
    nlp = spacy.blank("fr")
    extractor = QuoteExtractor()
    counts = {}
    for n in (200, 800):
        text = make_text(n)
        counts[n] = (_lines_executed(extractor, nlp(text), text), len(nlp(text)))
    small, large = counts[200], counts[800]
    # Four times the input: at most ~4.6 times the work (a quadratic step would give 16).
    assert large[0] <= 4.6 * small[0], counts
    # And a bounded amount of work per token.
    assert large[0] <= 400 * large[1], counts
