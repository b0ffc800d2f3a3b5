import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guillemet.normalize import normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("«\u00a0Bonjour\u00a0»", "« Bonjour »"),
        ("«\u202fBonjour\u202f»", "« Bonjour »"),
        ("«Bonjour»", "« Bonjour »"),
        ("« Bonjour »", "« Bonjour »"),
        ("l’État et aujourd’hui", "l'État et aujourd'hui"),
        ("l’« affaire »", "l'« affaire »"),
        ("Il dit ‘oui’ puis s’en va", "Il dit ‘oui’ puis s'en va"),
        ("“Guillemets anglais”", "“Guillemets anglais”"),
        ("ligne\r\nsuivante", "ligne\nsuivante"),
        ("trop   d’espaces\t ici", "trop d'espaces ici"),
        ("mot\u00adcoupé\u200b", "motcoupé"),
        ("Le prÃ©sident a dÃ©clarÃ©", "Le président a déclaré"),
        ("  bord  \n\n\n\nsuite  ", "bord\n\nsuite"),
        ("Poutine :\u202f« Lentement »", "Poutine : « Lentement »"),
    ],
)
def test_rules(raw, expected):
    assert normalize_text(raw).text == expected


def test_changes_are_counted_by_rule():
    result = normalize_text("«\u00a0C’est\u202fça\u00a0»")
    assert result.changes["nbsp"] == 2
    assert result.changes["narrow_nbsp"] == 1
    assert result.changes["apostrophes"] == 1


def test_clean_text_is_unchanged():
    text = "Le maire a déclaré : « Nous verrons. »\nDeuxième paragraphe."
    result = normalize_text(text)
    assert result.text == text
    assert result.changes == {}
    assert list(result.offsets) == list(range(len(text) + 1))


def test_offsets_map_spans_both_ways():
    raw = "Il a dit :\u00a0«Le  prÃ©sident l’a   dit»."
    result = normalize_text(raw)
    assert result.text == "Il a dit : « Le président l'a dit »."
    start = result.text.index("président")
    source_start, source_end = result.to_source(start, start + len("président"))
    assert raw[source_start:source_end] == "prÃ©sident"
    raw_start = raw.index("l’a")
    assert result.text[slice(*result.from_source(raw_start, raw_start + 3))] == "l'a"


def test_seed_gold_offsets_survive_normalisation(seed_path):
    raw = seed_path.read_text(encoding="utf-8")
    gold = json.loads(seed_path.with_name("article-poutine-kim.quotes.json").read_text(encoding="utf-8"))
    result = normalize_text(raw)
    for quote in gold["quotes"]:
        start, end = result.from_source(quote["start"], quote["end"])
        assert result.text[start:end] == quote["quote"].replace("’", "'")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab é’'«»“” \u00a0\u202f\n\r\tÃ©\u200b.,:")), max_size=60))
def test_offsets_always_inside_and_monotonic(raw):
    result = normalize_text(raw)
    assert len(result.offsets) == len(result.text) + 1
    assert all(0 <= offset <= len(raw) for offset in result.offsets)
    assert list(result.offsets) == sorted(result.offsets)
    for start in range(len(result.text)):
        source_start, source_end = result.to_source(start, start + 1)
        assert 0 <= source_start < source_end <= len(raw)
