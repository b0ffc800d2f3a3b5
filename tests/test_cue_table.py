"""Every row of the cue table that carries an example sentence is checked on it (real md model)."""

from importlib import resources

import pytest

# Rows whose natural example does not give their cue yet: the sentence, and why. Each is run as a
# strict xfail, so that the fix of one fails here until its example moves into the table.
KNOWN_GAPS: dict[str, tuple[str, str]] = {}


def _rows():
    text = (resources.files("guillemet") / "data" / "reporting_verbs.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or line.startswith("lemma\t") or not line.strip():
            continue
        fields = line.split("\t")
        yield fields[0], fields[2].strip() if len(fields) >= 3 else ""


def _rows_with_examples():
    for lemma, example in _rows():
        if example:
            yield pytest.param(lemma, example, id=lemma)
    for lemma, (example, why) in KNOWN_GAPS.items():
        yield pytest.param(lemma, example, id=f"gap-{lemma}", marks=pytest.mark.xfail(reason=why, strict=True))


def test_every_row_has_an_example_or_is_a_known_gap():
    missing = [lemma for lemma, example in _rows() if not example and lemma not in KNOWN_GAPS]
    assert not missing, missing


@pytest.mark.parametrize(("lemma", "example"), list(_rows_with_examples()))
def test_cue_row_matches_its_example(extract, lemma, example):
    quotes = extract(example)
    assert len(quotes) == 1, quotes
    assert quotes[0].cue == lemma, quotes[0]
    assert quotes[0].speaker and quotes[0].speaker["name"], quotes[0]
