"""Pairing quotation marks as French copy really writes them (no model needed)."""

import pytest

from guillemet.normalize import normalize_text
from guillemet.quotes.context import paragraph_bounds
from guillemet.quotes.marks import find_marked_spans


def _quotes(raw: str) -> list[str]:
    text = normalize_text(raw).text
    return [text[s.start : s.end] for s in find_marked_spans(text) if s.depth == 0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Il a dit : « Nous verrons. »", ["Nous verrons."]),
        ("Il a dit : «\u00a0Nous verrons.\u00a0»", ["Nous verrons."]),
        ("Il a dit : «\u202fNous verrons.\u202f»", ["Nous verrons."]),
        ("Il a dit : «Nous verrons.»", ["Nous verrons."]),
        ("“Nous verrons”, a-t-il dit.", ["Nous verrons"]),
        ('"Nous verrons", a-t-il dit, "demain".', ["Nous verrons", "demain"]),
        # mismatched: opened with «, closed with “ or a stray «
        ("« Nous verrons“, dit-il.", ["Nous verrons"]),
        ("« Nous soutenons le gouvernement russe« , a indiqué le dirigeant.", ["Nous soutenons le gouvernement russe"]),
        ('« On a nonante minutes ", glisse-t-il.', ["On a nonante minutes"]),
        # reversed: » … «
        ("qu' »elle comprend l'intérêt. »", ["elle comprend l'intérêt."]),
        ("coéquipiers. » On a tous notre part « , a-t-il confié.", ["On a tous notre part"]),
        # unclosed: runs to the end of the paragraph
        ("Elle résume : « On a gagné le débat.\nLe vote a eu lieu.", ["On a gagné le débat."]),
        # one quote over two paragraphs, reopened with «
        ("« Premier paragraphe.\n« Second paragraphe », dit-elle.", ["Premier paragraphe.\n« Second paragraphe"]),
        # nested: the inner quote is not a top-level one
        ("« Il m'a dit “jamais” hier », raconte-t-elle.", ["Il m'a dit “jamais” hier"]),
        (
            "« Mon fils m'a dit : « Vas-y » et je suis partie », dit-elle.",
            ["Mon fils m'a dit : « Vas-y » et je suis partie"],
        ),
        ("Pas de guillemets ici.", []),
        # a straight quote that clearly opens (space before, letter after) nests in another
        ('Il veut "ne pas laisser des "loups en liberté"" dans la vallée.', ['ne pas laisser des "loups en liberté"']),
        ('Il veut "ne pas laisser des "loups en liberté".', ['ne pas laisser des "loups en liberté".']),
        ('"Un" et "deux", a-t-il compté.', ["Un", "deux"]),
        # hard-wrapped dispatch copy: a quote over three lines closes on the third
        (
            'Le maire a promis de "rénover toutes les écoles\nde la commune avant la fin\ndu mandat", a-t-il dit.',
            ["rénover toutes les écoles\nde la commune avant la fin\ndu mandat"],
        ),
        # … but a line that ends a sentence is a paragraph: the unclosed quote stops there
        (
            'Il dénonce "une faute.\nLe vote a eu lieu.\nla suite", dit-il.',
            ["une faute."],
        ),
    ],
)
def test_marked_spans(raw, expected):
    assert _quotes(raw) == expected


def test_nested_spans_are_reported_with_depth():
    text = normalize_text("« Il m'a dit “jamais” hier », raconte-t-elle.").text
    spans = find_marked_spans(text)
    assert [(text[s.start : s.end], s.depth) for s in spans] == [("Il m'a dit “jamais” hier", 0), ("jamais", 1)]


def test_span_properties():
    text = "« Un » et « deux"
    first, second = find_marked_spans(text)
    assert first.closed and first.outer_end == 6 and not first.mismatched
    assert not second.closed and second.close_mark is None and text[second.start : second.end] == "deux"


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        # a short dispatch: two lines, the first cut inside its sentence
        ("La ministre a assuré qu'il\nn'y aurait pas de fermeture.", 1),
        # a wrapped line after a headline longer than the wrap width
        ("T" * 110 + "\nLes élus ont voté une hausse\nde la taxe, selon la mairie.", 2),
        # a line ending with a preposition or an article goes on, even before a capital
        ("Le syndicat juge l'offre faite par\nAir France trop basse.", 1),
        # lines that end their sentences, or go on with a capital, are paragraphs of their own
        ("Le vote a eu lieu.\nla suite viendra.", 2),
        ("Un titre sans point\nLe texte commence ici.", 2),
    ],
)
def test_a_line_cut_inside_its_sentence_runs_on_into_a_lower_case_line(text, paragraphs):
    assert len(paragraph_bounds(text)) == paragraphs


def test_an_unclosed_quote_runs_to_the_end_of_its_wrapped_paragraph():
    text = 'Le juge a fixé "un but précis : protéger\nLa Poste de toute ingérence.\nUn autre paragraphe.'
    paragraphs = [(0, 69), (70, len(text))]
    assert text[paragraphs[0][0] : paragraphs[0][1]].endswith("ingérence.")
    (by_line,) = find_marked_spans(text)
    (by_paragraph,) = find_marked_spans(text, paragraphs)
    assert text[by_line.start : by_line.end] == "un but précis : protéger"
    assert text[by_paragraph.start : by_paragraph.end] == "un but précis : protéger\nLa Poste de toute ingérence."
