"""Indirect speech and speaker rules on short sentences we wrote (real md model where a parse is needed)."""

import pytest

from guillemet.normalize import normalize_text
from guillemet.quotes.extractor import QuoteExtractor, paragraph_bounds

WRAPPED = (
    "Le maire de Brives annonce une hausse des tarifs de la cantine \n"
    "scolaire\n"
    "Le maire de Brives, Paul Dumontel, a indiqué mardi que les tarifs de la\n"
    "cantine scolaire augmenteraient de dix centimes dès la rentrée, en raison\n"
    "de la hausse du prix des denrées. Il a aussi reconnu que la situation\n"
    "des familles modestes restait difficile."
)


@pytest.fixture(scope="module")
def extract(nlp_md):
    extractor = QuoteExtractor()

    def run(raw: str):
        text = normalize_text(raw).text
        return extractor.extract(nlp_md(text), text)

    return run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(WRAPPED, 2, id="hard-wrapped dispatch: headline and body"),
        pytest.param("Titre\nPremier paragraphe.\nDeuxième paragraphe.\nTroisième.", 4, id="short lines"),
        pytest.param("a" * 150 + "\n" + "b" * 80 + "\nc\nd", 4, id="long web paragraphs"),
        pytest.param("Une ligne qui se termine par un point final ici.\n" * 5, 6, id="lines that end their sentences"),
    ],
)
def test_paragraph_bounds_join_hard_wrapped_lines(text, expected):
    assert len(paragraph_bounds(text)) == expected


def test_indirect_clause_runs_over_wrapped_lines(extract):
    quotes = [q for q in extract(WRAPPED) if q.kind == "indirect"]
    assert len(quotes) == 2, quotes
    assert " ".join(quotes[0].text.split()).startswith("les tarifs de la cantine scolaire augmenteraient")
    assert " ".join(quotes[1].text.split()) == "la situation des familles modestes restait difficile"
    assert all(q.speaker["name"] == "Paul Dumontel" for q in quotes), quotes
