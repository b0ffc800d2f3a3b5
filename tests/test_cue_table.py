"""Every row of the cue table that carries an example sentence is checked on it (real md model)."""

from importlib import resources

import pytest

from guillemet.normalize import normalize_text
from guillemet.quotes.extractor import QuoteExtractor


def _rows_with_examples():
    text = (resources.files("guillemet") / "data" / "reporting_verbs.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or line.startswith("lemma\t") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2].strip():
            yield pytest.param(fields[0], fields[2], id=fields[0])


@pytest.fixture(scope="module")
def extract(nlp_md):
    extractor = QuoteExtractor()

    def run(raw: str):
        text = normalize_text(raw).text
        return extractor.extract(nlp_md(text), text)

    return run


@pytest.mark.parametrize(("lemma", "example"), list(_rows_with_examples()))
def test_cue_row_matches_its_example(extract, lemma, example):
    quotes = extract(example)
    assert len(quotes) == 1, quotes
    assert quotes[0].cue == lemma, quotes[0]
    assert quotes[0].speaker and quotes[0].speaker["name"], quotes[0]
