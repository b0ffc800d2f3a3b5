import difflib
import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guillemet import normalize
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


# The paragraph's unit, a word of its normalised text, and the rule that repairs it.
_PARAGRAPH_UNITS = {
    "decomposed accents": (
        "Le pre\u0301sident a de\u0301clare\u0301 l’e\u0301te\u0301 « fini ». ",
        "président",
        "accents_composed",
    ),
    "mojibake": ("Le prÃ©sident a dÃ©clarÃ© lâ€™Ã©tÃ© Â« fini Â». ", "président", "encoding_repairs"),
    # "Ã" and a space are "à": the words no longer pair up, the line is aligned window by window.
    "mojibake eating a space": ("Il a Ã  dire lâ€™Ã©tÃ© passÃ©. ", "passé", "encoding_repairs"),
    "nothing in common": ("ＡＢＣＤＥＦＧ’", "ABCDEFG", "encoding_repairs"),
}


@pytest.mark.parametrize("case", sorted(_PARAGRAPH_UNITS))
def test_alignment_work_is_linear_in_the_line(case, monkeypatch):
    # One 20 kB paragraph (one line): the whole line given to one SequenceMatcher is n * n pairs
    # (400 million here, 91 s at 65 kB); the windowed alignment stays within a constant per character.
    unit, word, rule = _PARAGRAPH_UNITS[case]
    raw = unit * (20_000 // len(unit))
    budget = {"chars": 8 * len(raw), "pairs": 400 * len(raw)}
    work = {"calls": 0, "chars": 0, "pairs": 0}

    class CountingMatcher(difflib.SequenceMatcher):
        def __init__(self, isjunk=None, a="", b="", autojunk=True):
            work["calls"] += 1
            work["chars"] += len(a) + len(b)
            work["pairs"] += len(a) * len(b)
            # Fail before the quadratic work is done, not after.
            assert work["pairs"] <= budget["pairs"], work
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(normalize.difflib, "SequenceMatcher", CountingMatcher)
    result = normalize_text(raw)
    assert work["chars"] <= budget["chars"], work
    assert work["pairs"] <= budget["pairs"], work
    assert result.changes[rule] >= 1
    # Composition is mapped character by character, with no matcher at all; ftfy's repairs are not.
    assert (work["calls"] == 0) == (rule == "accents_composed"), work
    # The map is still exact far into the line: the last occurrence of the word maps back to its unit.
    start = result.text.rindex(word)
    source_start, source_end = result.to_source(start, start + len(word))
    unit_start = raw.rindex(unit)
    assert unit_start <= source_start < source_end <= unit_start + len(unit)
    assert result.from_source(source_start, source_end)[0] == start


# Words as written and as repaired: decomposed accents, mojibake, an entity, a ligature, fullwidth.
_REPAIRED_WORDS = {
    "pre\u0301sident": "président",
    "l’e\u0301te\u0301": "l'été",
    "prÃ©sident": "président",
    "dÃ©clarÃ©": "déclaré",
    "lâ€™Ã©tÃ©": "l'été",
    "Ã§a": "ça",
    "&amp;": "&",
    "ﬁn": "fin",
    "ＡＢＣ": "ABC",
    "x": "x",
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(_REPAIRED_WORDS)), min_size=1, max_size=120))
def test_long_repaired_line_maps_every_word_back(words):
    # One line, most often longer than an alignment window: every word maps to its repair, however
    # far into the line (one SequenceMatcher over the whole line can pair a word with a distant copy).
    # The guillemets make the line one that ftfy is asked to repair (the ASCII ones would not be).
    raw = "« " + " ".join(words) + " »"
    result = normalize_text(raw)
    assert result.text == "« " + " ".join(_REPAIRED_WORDS[word] for word in words) + " »"
    position = 2
    for word in words:
        start, end = result.from_source(position, position + len(word))
        assert result.text[start:end] == _REPAIRED_WORDS[word]
        position += len(word) + 1


def test_mojibake_maps_each_character_to_its_first_byte():
    # "’é" repaired from "â€™Ã©" in one changed stretch: "é" comes from "Ã©", not from "€".
    raw = "Il dit lâ€™Ã©tÃ© passÃ©."
    result = normalize_text(raw)
    assert result.text == "Il dit l'été passé."
    sources = [raw[offset] for offset in result.offsets[: len(result.text)]]
    assert [(char, source) for char, source in zip(result.text, sources, strict=True) if char != source] == [
        ("'", "â"),
        ("é", "Ã"),
        ("é", "Ã"),
        ("é", "Ã"),
    ]


_LETTERS = ["a", "t", "L", "e\u0301", "E\u0301", "c\u0327", "o\u0302", "u\u0308", "é", "a\u0300"]
_SEPARATORS = [" ", "\u00a0", "\u202f", "  ", " « ", " » ", " “", "” ", "\n", ", ", "\u00a0:\u00a0«"]
_WORDS = st.lists(st.lists(st.sampled_from(_LETTERS), min_size=1, max_size=5).map("".join), min_size=1, max_size=3).map(
    "’".join
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, st.sampled_from(_SEPARATORS)), min_size=1, max_size=40))
def test_every_word_maps_both_ways(pieces):
    raw, spans = "", []
    for word, separator in pieces:
        spans.append((len(raw), len(raw) + len(word), word))
        raw += word + separator
    result = normalize_text(raw)
    for source_start, source_end, word in spans:
        start, end = result.from_source(source_start, source_end)
        assert result.text[start:end] == unicodedata.normalize("NFC", word).replace("’", "'")
        back_start, back_end = result.to_source(start, end)
        # A composed last letter maps to its base letter, so the span may end before the accent.
        assert back_start == source_start
        assert source_start < back_end <= source_end
        assert result.from_source(back_start, back_end) == (start, end)
