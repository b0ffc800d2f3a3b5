"""The quote step's work grows linearly with its input (counted, never timed).

Work is counted as the lines of ``guillemet/quotes/`` executed (``sys.settrace``): a loop nested in
a per-candidate loop shows up as lines, whichever function it hides in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from guillemet.quotes.extractor import QuoteExtractor
from tests.conftest import lines_executed

_QUOTES_DIR = str(Path(__file__).resolve().parent.parent / "guillemet" / "quotes")


def _lines_executed(extractor: QuoteExtractor, doc, text: str) -> int:
    return lines_executed(lambda: extractor.extract(doc, text), _QUOTES_DIR)


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


_FIRST_NAMES = ("Paul", "Marie", "Jean", "Sophie", "Luc", "Claire", "Henri", "Anne", "Louis", "Julie", "Marc", "Léa")
_SYLLABLES = ("ber", "mar", "lo", "ti", "nou", "ra", "vel", "do", "san", "gui", "fer", "mon")


def _surname(i: int) -> str:
    # Made-up surnames, one per line: as many people as lines (Berberberot, Marberberot, …).
    return "".join(_SYLLABLES[(i // 12**k) % 12] for k in range(3)).capitalize() + "ot"


def _named(n: int) -> str:
    # Every line a quote with a cue and a named speaker, then an indirect one with a pronoun.
    return "\n".join(
        f"« Texte numéro {i} », a dit le maire {_FIRST_NAMES[i % 12]} {_surname(i)}. Selon lui, il faut agir."
        for i in range(n)
    )


def test_quote_work_is_linear_in_named_speakers(nlp_md):
    """Speaker lookups (a person in a cue, a pronoun's antecedent) do not scan every person."""
    extractor = QuoteExtractor()
    counts = {}
    for n in (100, 400):
        text = _named(n)
        doc = nlp_md(text)
        speakers = {q.speaker["name"] for q in extractor.extract(doc, text) if q.speaker and q.speaker.get("name")}
        # The input does what it is for: most lines' speakers are found, each a different person.
        assert len(speakers) >= 0.9 * n, (n, len(speakers))
        counts[n] = (_lines_executed(extractor, doc, text), len(doc))
    small, large = counts[100], counts[400]
    # Before the people index bisected its mentions this was about 50 times the work.
    assert large[0] <= 4.6 * small[0], counts
    assert large[0] <= 400 * large[1], counts
