"""One model of the people of an article (guillemet/mentions.py): clusters that entities and speakers share."""

import pytest

from guillemet.entities import consolidate
from guillemet.mentions import ArticleMentions
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.quotes.people import PeopleIndex


@pytest.fixture(scope="module")
def analyse(nlp_md):
    def run(text: str):
        doc = nlp_md(text)
        entities = {entity.name: entity for entity in consolidate(doc, text)}
        quotes = QuoteExtractor().extract(doc, text)
        return entities, quotes

    return run


def test_a_person_at_the_end_of_an_org_mention_is_cut_out_of_it(analyse):
    # spaCy tags "Transports Anne-Laure Desmoulins" as one ORG.
    entities, quotes = analyse(
        "La ministre des Transports Anne-Laure Desmoulins a annoncé mardi un plan. "
        "« Nous irons vite », a déclaré Mme Desmoulins."
    )
    person = entities["Anne-Laure Desmoulins"]
    assert person.label == "PER" and person.count == 2
    assert not any("Desmoulins" in name for name, e in entities.items() if e.label != "PER")
    (quote,) = quotes
    assert quote.speaker["name"] == "Anne-Laure Desmoulins" and quote.speaker["entity_id"] == person.id


def test_a_role_phrase_tagged_org_is_the_person_with_that_role(analyse):
    # spaCy tags "ministre de l'Intérieur" ORG; the role phrase comes before the name.
    entities, quotes = analyse(
        "« Nous ne céderons pas », a déclaré le ministre mardi. "
        "Le ministre de l'Intérieur, Gérald Darmanin, s'exprimait devant les préfets."
    )
    assert not any(name.startswith("ministre") for name in entities)
    (quote,) = quotes
    assert quote.speaker["resolution"] == "descriptor"
    assert quote.speaker["entity_id"] == entities["Gérald Darmanin"].id


def test_a_role_phrase_joins_the_person_named_with_that_role(analyse):
    entities, quotes = analyse(
        "La contrôleure générale des lieux de privation de liberté, Dominique Simonnot, a visité la prison "
        "mardi. Elle y a trouvé des cellules surpeuplées. « C'est indigne », a dit la contrôleure générale."
    )
    (quote,) = quotes
    assert quote.speaker["name"] == "Dominique Simonnot"
    assert quote.speaker["entity_id"] == entities["Dominique Simonnot"].id


def test_a_surname_alone_joins_the_full_name(analyse):
    entities, quotes = analyse(
        "Vladimir Poutine a reçu la presse au Kremlin. « Nous irons jusqu'au bout », a affirmé Poutine."
    )
    assert "Poutine" not in entities and entities["Vladimir Poutine"].count == 2
    (quote,) = quotes
    assert quote.speaker["text"] == "Poutine" and quote.speaker["entity_id"] == entities["Vladimir Poutine"].id


def test_two_people_with_one_surname_are_told_apart_by_their_title(analyse):
    entities, quotes = analyse(
        "Le sénateur Jean Dupont et sa sœur Marie Dupont tiennent la ferme depuis vingt ans. "
        "« On tient bon », dit Mme Dupont. « Pas moi », répond M. Dupont."
    )
    jean, marie = entities["Jean Dupont"], entities["Marie Dupont"]
    assert jean.count == 2 and marie.count == 2 and "Dupont" not in entities
    said = {quote.text: quote.speaker["entity_id"] for quote in quotes}
    assert said == {"On tient bon": marie.id, "Pas moi": jean.id}


def test_entities_and_speakers_read_one_clustering(nlp_md):
    text = "Maria Zajarova a parlé. « Non », a dit Zajarova."
    doc = nlp_md(text)
    people = PeopleIndex(doc, text)
    assert people.mentions is ArticleMentions.of(doc, text)  # built once for this parse
    (person,) = people.people
    (entity,) = [e for e in consolidate(doc, text) if e.label == "PER"]
    assert person.entity_id == entity.id and person.name == entity.name
    assert [(a, b) for a, b in person.mentions] == [(a, b) for a, b in entity.mentions]


def test_a_long_name_said_twice_is_one_person(analyse):
    # "Joly-Gomez" is three tokens: the name has four, more than a short mention joining a person.
    entities, _ = analyse(
        "Francisca Joly-Gomez enseigne la nutrition. La Pr Joly-Gomez a publié un livre. "
        "Selon Francisca Joly-Gomez, le lait se digère mal."
    )
    assert entities["Francisca Joly-Gomez"].count == 3 and "Joly-Gomez" not in entities


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A dispatch hard-wrapped at a fixed width cuts the name after its particle.
        (
            'La réforme crée "une grande confusion", selon Hervé de\nCharette, ancien ministre des Affaires étrangères.',
            "Hervé de Charette",
        ),
    ],
)
def test_a_name_goes_on_after_its_particle_across_a_line_wrap(nlp_md, text, name):
    people = PeopleIndex(nlp_md(text), text)
    assert name in [person.name for person in people.people]


def test_a_paragraph_break_still_ends_a_name(nlp_md):
    text = "Le prix revient à Hervé de\n\nCharette et Fils, une maison de négoce, a-t-on appris."
    people = PeopleIndex(nlp_md(text), text)
    assert "Hervé de Charette" not in [person.name for person in people.people]


def test_a_name_tagged_once_is_found_again_inside_a_role_entity(nlp_md):
    # spaCy tags "ministre de la Santé Roman Kubelik" as one ORG after tagging "Roman Kubelik" PER.
    text = (
        "Mercredi, Roman Kubelik a dîné en ville. Photos à l'appui, le journal révèle que le ministre de "
        "la Santé Roman Kubelik s'est retrouvé dans un restaurant sans masque."
    )
    clusters = ArticleMentions.of(nlp_md(text), text).clusters
    (person,) = [c for c in clusters if "Kubelik" in c.name]
    assert person.name == "Roman Kubelik" and len(person.mentions) == 2


@pytest.mark.parametrize(
    ("words", "entity", "found"),
    [
        # inside an entity that opens with a role: the name is found again
        ("le ministre de la Santé Roman Kubelik a dit", (1, 7), True),
        # the tail of a longer proper name stays in it
        ("la direction du Royal Roman Kubelik a dit", (3, 6), False),
        ("la Fondation Roman Kubelik a dit", None, False),
        # on its own
        ("hier , Roman Kubelik a dit", None, True),
    ],
)
def test_a_name_is_found_again_only_where_it_stands_alone(words, entity, found):
    import spacy
    from spacy.tokens import Span

    from guillemet.mentions import _repeated_names

    texts = ["Roman", "Kubelik", "."] + words.split()
    doc = spacy.blank("fr").make_doc(" ".join(texts))
    assert [t.text for t in doc] == texts
    if entity is not None:
        doc.ents = [Span(doc, entity[0] + 3, entity[1] + 3, label="ORG")]
    start = texts.index("Roman", 1)
    assert (_repeated_names(doc, texts, [(0, 2)]) == [(start, start + 2)]) is found
