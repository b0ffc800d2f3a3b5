"""``QuoteExtractor.trace``: one decision per candidate, naming the rule that kept or rejected it."""

from types import SimpleNamespace

import pytest

from guillemet.normalize import normalize_text
from guillemet.quotes.extractor import Decision, QuoteExtractor


@pytest.fixture(scope="module")
def trace(nlp_md):
    extractor = QuoteExtractor()

    def run(raw: str, blocks=None):
        text = normalize_text(raw).text
        doc = nlp_md(text)
        return text, extractor.trace(doc, text, blocks), extractor.extract(doc, text, blocks)

    return run


@pytest.mark.parametrize(
    ("raw", "fragment", "kept", "rule"),
    [
        (
            "La députée Claire Morand a pris la parole.\n« Nous voterons contre ce texte », a déclaré Claire Morand.",
            "voterons",
            True,
            "cue_after/",
        ),
        (
            "Le préfet Marc Lenoir a répondu aux élus.\nMarc Lenoir a déclaré : « Les routes resteront fermées demain. »",
            "routes",
            True,
            "cue_before_verb/",
        ),
        (
            "La commune a lancé son « plan vélo » au printemps, avec des pistes neuves dans le centre.",
            "plan vélo",
            False,
            "reject_",
        ),
        (
            "Le directeur Hugo Vidal a présenté les comptes.\nHugo Vidal a assuré que les salaires seraient versés avant la fin du mois.",
            "salaires",
            True,
            "cue_indirect_que/",
        ),
        # "appeler à" calls for something: the word in marks is the caller's, not a name given
        (
            "Le maire Paul Durand a réuni les habitants.\nPaul Durand appelle à la « vigilance » après les inondations.",
            "vigilance",
            True,
            "cue_before_verb/",
        ),
        (
            "Le quartier change.\nLes habitants appellent ce jardin « la petite jungle » depuis des années.",
            "petite jungle",
            False,
            "reject_name_or_term",
        ),
    ],
)
def test_trace_names_the_rule(trace, raw, fragment, kept, rule):
    text, decisions, quotes = trace(raw)
    assert all(isinstance(d, Decision) for d in decisions)
    matching = [d for d in decisions if fragment in text[d.start : d.end]]
    assert matching, decisions
    decision = matching[0]
    assert decision.kept is kept, decision
    assert decision.rule.startswith(rule), decision
    if kept:
        assert decision.rule.split("/")[1].startswith("speaker_"), decision
    # The kept decisions are exactly the extracted quotes.
    assert [(d.start, d.end) for d in decisions if d.kept] == [(q.start, q.end) for q in quotes]


def test_blocks_are_accepted_and_give_paragraph_kinds(nlp_md):
    text = "Titre\nPremier point de la liste\nUn paragraphe ordinaire."
    blocks = [SimpleNamespace(start=6, end=31, kind="list_item")]
    article = QuoteExtractor().context(nlp_md(text), text, blocks)
    assert article.paragraph_kinds == ["paragraph", "list_item", "paragraph"]


@pytest.mark.parametrize(
    ("raw", "pieces"),
    [
        # a third-person verb after a comma is an incise: two pieces
        ("Le maire Paul Durand a parlé.\n« Nous irons, explique Paul Durand, jusqu'au bout du projet. »", 2),
        # a first-person verb, or a participle without its auxiliary, goes on with the quote
        (
            "Le port a changé.\n« Les pêcheurs du port, les anciens surtout, ne sont pas contre, nous soutenons cette"
            " réforme. Il s'agit de notre avenir », a déclaré Paul Durand.",
            1,
        ),
        (
            "L'agence a publié sa note.\n« Même si la note B1 témoigne d'un risque moindre que pour l'Irlande, notée"
            " Caa2, l'évolution de l'Europe représente un risque », a écrit l'agence Fitch.",
            1,
        ),
    ],
)
def test_only_a_third_person_verb_interrupts_a_quote(trace, raw, pieces):
    text, decisions, _ = trace(raw)
    marked = [d for d in decisions if d.kind != "indirect" and d.start > text.index("«")]
    assert len(marked) == pieces, [(text[d.start : d.end], d.rule) for d in decisions]
