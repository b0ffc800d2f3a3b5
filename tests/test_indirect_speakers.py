"""Indirect speech and speaker rules on short sentences we wrote (real md model where a parse is needed)."""

import pytest

from guillemet.quotes.extractor import paragraph_bounds

WRAPPED = (
    "Le maire de Brives annonce une hausse des tarifs de la cantine \n"
    "scolaire\n"
    "Le maire de Brives, Paul Dumontel, a indiqué mardi que les tarifs de la\n"
    "cantine scolaire augmenteraient de dix centimes dès la rentrée, en raison\n"
    "de la hausse du prix des denrées. Il a aussi reconnu que la situation\n"
    "des familles modestes restait difficile."
)

# A headline as long as the body's lines, then a body line that opens with a capital: two paragraphs.
LONG_HEADLINE = (
    "Le maire de Brives juge inévitable une hausse des tarifs de la cantine\n"
    "Le maire de Brives, Paul Dumontel, a indiqué mardi que les tarifs de la\n"
    "cantine scolaire augmenteraient de dix centimes dès la rentrée, en raison\n"
    "de la hausse du prix des denrées. Il a aussi reconnu que la situation\n"
    "des familles modestes restait difficile."
)
# A long headline whose last line is a name cut by the wrap: one paragraph still.
NAME_CUT_HEADLINE = (
    "La cantine scolaire augmentera de dix centimes, selon le maire Paul\n"
    "Dumontel Le maire de Brives a indiqué mardi que les tarifs de la cantine\n"
    "scolaire augmenteraient de dix centimes dès la rentrée, en raison de la\n"
    "hausse du prix des denrées. Il a aussi reconnu que la situation des\n"
    "familles modestes restait difficile."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(WRAPPED, 2, id="hard-wrapped dispatch: headline and body"),
        pytest.param(LONG_HEADLINE, 2, id="a headline as long as the wrap, then the body"),
        pytest.param(NAME_CUT_HEADLINE, 1, id="a headline cut inside a name runs on"),
        pytest.param("Titre\nPremier paragraphe.\nDeuxième paragraphe.\nTroisième.", 4, id="short lines"),
        pytest.param("a" * 150 + "\n" + "b" * 80 + "\nc\nd", 4, id="long web paragraphs"),
        pytest.param("Une ligne qui se termine par un point final ici.\n" * 5, 6, id="lines that end their sentences"),
    ],
)
def test_paragraph_bounds_join_hard_wrapped_lines(text, expected):
    assert len(paragraph_bounds(text)) == expected


def test_indirect_clause_runs_over_wrapped_lines(extract):
    quotes = [q for q in extract(WRAPPED) if q.kind == "indirect"]
    assert len(quotes) == 2, quotes
    assert " ".join(quotes[0].text.split()).startswith("les tarifs de la cantine scolaire augmenteraient")
    assert " ".join(quotes[1].text.split()) == "la situation des familles modestes restait difficile"
    assert all(q.speaker["name"] == "Paul Dumontel" for q in quotes), quotes


def test_a_small_clause_in_a_long_headline_ends_with_its_line(extract):
    quotes = [q for q in extract(LONG_HEADLINE) if q.kind == "indirect"]
    assert quotes[0].text == "inévitable une hausse des tarifs de la cantine", quotes
    assert quotes[0].cue == "juger"


def _indirect(quotes):
    return [q for q in quotes if q.kind == "indirect"]


@pytest.mark.parametrize(
    ("sentence", "content", "cue", "speaker"),
    [
        pytest.param(
            "Le syndicaliste Marc Olier affirme ne pas avoir été consulté sur le plan de départs.",
            "ne pas avoir été consulté sur le plan de départs",
            "affirmer",
            "Marc Olier",
            id="affirmer + negated infinitive",
        ),
        pytest.param(
            "La directrice Anne Vasseur a annoncé, mardi matin, avoir porté plainte contre X.",
            "avoir porté plainte contre X",
            "annoncer",
            "Anne Vasseur",
            id="an incise between verb and infinitive",
        ),
        pytest.param(
            "La société Verdal a affirmé vendredi avoir remboursé tous ses clients lésés.",
            "avoir remboursé tous ses clients lésés",
            "affirmer",
            None,
            id="a day between verb and infinitive",
        ),
        pytest.param(
            "Le candidat Paul Grenier a accusé Pékin de manipuler sa monnaie pour exporter.",
            "manipuler sa monnaie pour exporter",
            "accuser",
            "Paul Grenier",
            id="accuser X de + infinitive",
        ),
        pytest.param(
            "Le club promet de rembourser tous les abonnés avant la fin du mois.",
            "rembourser tous les abonnés avant la fin du mois",
            "promettre",
            None,
            id="promettre de + infinitive",
        ),
        pytest.param(
            "Le sénateur Paul Grenier demande au gouvernement de retirer son projet de loi.",
            "retirer son projet de loi",
            "demander",
            "Paul Grenier",
            id="demander à X de + infinitive",
        ),
        pytest.param(
            "La syndicaliste Marie Dufour appelle les salariés concernés à ne pas signer leur avenant.",
            "ne pas signer leur avenant",
            "appeler",
            "Marie Dufour",
            id="appeler X à + infinitive",
        ),
        pytest.param(
            "Le préfet Marc Lenoir invite les riverains du fleuve à quitter leur maison avant la nuit.",
            "quitter leur maison avant la nuit",
            "inviter",
            "Marc Lenoir",
            id="inviter X à + infinitive",
        ),
    ],
)
def test_infinitival_complement_of_a_verb_of_saying(extract, sentence, content, cue, speaker):
    quotes = _indirect(extract(sentence))
    assert len(quotes) == 1, quotes
    assert quotes[0].text == content and quotes[0].cue == cue
    if speaker:
        assert quotes[0].speaker["name"] == speaker, quotes[0].speaker


@pytest.mark.parametrize(
    "sentence",
    [
        "Le maire a refusé de commenter la décision du tribunal.",
        "La ministre n'a pas affirmé vouloir démissionner de son poste.",
        "Le club a décidé de rembourser tous les abonnés avant la fin du mois.",
        "Le nouveau directeur est appelé à jouer un rôle central dans la réorganisation.",
        "Les habitants ont été invités à quitter leur maison avant la nuit.",
        "Invitée à prendre la parole en dernier, la prévenue a gardé le silence.",
        "La députée Claire Morand appelle à la retenue après les violences de samedi.",
    ],
)
def test_no_infinitival_complement_without_a_verb_of_saying(extract, sentence):
    assert _indirect(extract(sentence)) == []


CALL_WITH_A_LIST = (
    "Le collectif Terres Vives appelle les élus à agir vite à travers plusieurs mesures :\n"
    "1-interdire les épandages près des écoles.\n"
    "2) créer un fonds pour les agriculteurs qui changent de pratiques.\n"
    "• publier chaque année la liste des communes touchées.\n"
    "Le maire de Brives a répondu mardi par un communiqué."
)


def test_a_list_of_infinitives_goes_on_the_call_before_its_colon(extract):
    quotes = _indirect(extract(CALL_WITH_A_LIST))
    assert [q.text for q in quotes] == [
        "agir vite à travers plusieurs mesures",
        "interdire les épandages près des écoles",
        "créer un fonds pour les agriculteurs qui changent de pratiques",
        "publier chaque année la liste des communes touchées",
    ], quotes
    assert {q.cue for q in quotes} == {"appeler"}
    assert len({q.speaker["name"] for q in quotes}) == 1, [q.speaker for q in quotes]


def test_a_list_after_a_colon_needs_a_call_before_it(extract):
    text = "Le collectif Terres Vives a publié son programme :\n1-interdire les épandages près des écoles.\n"
    assert _indirect(extract(text)) == []


@pytest.mark.parametrize(
    ("sentence", "content", "speaker"),
    [
        pytest.param(
            "Pour Laurent Vidal, la réforme des retraites doit être retirée sans délai.",
            "la réforme des retraites doit être retirée sans délai",
            "Laurent Vidal",
            id="a named person",
        ),
        pytest.param(
            "Pour l'opposition, cette indemnité sert surtout à acheter le silence du directeur.",
            "cette indemnité sert surtout à acheter le silence du directeur",
            "opposition",
            id="a group",
        ),
        pytest.param(
            "Pour les économistes, la croissance ralentira nettement l'an prochain.",
            "la croissance ralentira nettement l'an prochain",
            "économistes",
            id="a trade noun",
        ),
        pytest.param(
            "Cependant, pour la sociologue Anne Leroy, cette réforme arrive beaucoup trop tard.",
            "cette réforme arrive beaucoup trop tard",
            "Anne Leroy",
            id="after a connective",
        ),
        pytest.param(
            "Pour lui, cette réforme arrive beaucoup trop tard.",
            "cette réforme arrive beaucoup trop tard",
            "lui",
            id="a pronoun",
        ),
    ],
)
def test_pour_x_gives_its_content(extract, sentence, content, speaker):
    quotes = _indirect(extract(sentence))
    assert len(quotes) == 1, quotes
    assert quotes[0].text == content and quotes[0].cue == "pour"
    assert speaker in (quotes[0].speaker["name"] or quotes[0].speaker["text"])


@pytest.mark.parametrize(
    "sentence",
    [
        "Pour la première fois, le conseil municipal a voté le budget à l'unanimité.",
        "Pour 2025, la commune prévoit une hausse de ses dépenses de voirie.",
        "Pour cela, il faudra attendre la fin des travaux du pont.",
        "Pour ce test, les ingénieurs ont utilisé deux voitures de série.",
        "Pour les Iles du Cap-Vert, la qualification est une première historique.",
        "Pour ce voyage, la compagnie a affrété un avion de cent places.",
        "Mais pour cela, il faudra attendre la fin des travaux du pont.",
    ],
)
def test_pour_without_a_source_is_no_speech(extract, sentence):
    assert _indirect(extract(sentence)) == []


@pytest.mark.parametrize(
    ("sentence", "content", "cue", "speaker"),
    [
        pytest.param(
            "Le resserrement du crédit va freiner la croissance, a estimé Ben Bernanke.",
            "Le resserrement du crédit va freiner la croissance",
            "estimer",
            "Ben Bernanke",
            id="a estimé + name",
        ),
        pytest.param(
            "La route doit être fermée tout l'hiver, estime Berne qui consulte les cantons depuis le mois de mars.",
            "La route doit être fermée tout l'hiver",
            "estimer",
            "Berne",
            id="a relative on the subject",
        ),
        pytest.param(
            "Deux randonneurs ont été retrouvés sains et saufs, a déclaré jeudi soir la préfecture de la Corrèze.",
            "Deux randonneurs ont été retrouvés sains et saufs",
            "déclarer",
            "préfecture de la Corrèze",
            id="a day between the verb and its subject",
        ),
        pytest.param(
            "Le gouvernement prépare un remaniement pour la rentrée, rapporte le Guardian.",
            "Le gouvernement prépare un remaniement pour la rentrée",
            "rapporter",
            "Guardian",
            id="relayed by a publication",
        ),
        pytest.param(
            "Les Etats-Unis sont prêts à fixer un objectif de réduction, a assuré lundi à Paris Daniel Price.",
            "Les Etats-Unis sont prêts à fixer un objectif de réduction",
            "assurer",
            "Daniel Price",
            id="an adjunct before the subject",
        ),
    ],
)
def test_postposed_source_after_the_content(extract, sentence, content, cue, speaker):
    quotes = _indirect(extract(sentence))
    assert len(quotes) == 1, quotes
    assert quotes[0].text == content and quotes[0].cue == cue
    assert speaker in (quotes[0].speaker["name"] or quotes[0].speaker["text"] or ""), quotes[0].speaker


@pytest.mark.parametrize(
    "sentence",
    [
        "Les coopératives, qui regroupent 320 éleveurs, ont annoncé le rappel de leurs fromages.",
        "Le groupe socialiste, dans un communiqué, a dénoncé un budget injuste pour les communes.",
        "Les deux pays avaient ratifié l'accord de Paris, conclu l'année précédente lors de la COP 21.",
        "Car c'est évidemment la revue, c'est-à-dire le support, qui fait la qualité d'un texte.",
    ],
)
def test_a_verb_with_its_own_subject_is_no_postposed_source(extract, sentence):
    assert _indirect(extract(sentence)) == []


@pytest.mark.parametrize(
    ("sentence", "content", "speaker"),
    [
        pytest.param(
            "Les antidépresseurs sont presque inefficaces, selon une étude de l'université de Hull.",
            "Les antidépresseurs sont presque inefficaces",
            "université de Hull",
            id="a study speaks (a written source)",
        ),
        pytest.param(
            "Selon le quotidien La Dépêche et la radio Totem, le maire de Brives a démissionné lundi.",
            "le maire de Brives a démissionné lundi",
            "La Dépêche et la radio Totem",
            id="two coordinated sources",
        ),
        pytest.param(
            "Le suspect a été interpellé dans la nuit, selon une source policière.",
            "Le suspect a été interpellé dans la nuit",
            "source policière",
            id="an unnamed source speaks",
        ),
        pytest.param(
            "Washington a donné des explications, selon lesquelles le satellite présente un danger.",
            "le satellite présente un danger",
            "Washington",
            id="selon lesquelles: the source of the explanations",
        ),
        pytest.param(
            "En sens inverse, selon la chambre de commerce, les exportations soutiennent dix mille emplois.",
            "les exportations soutiennent dix mille emplois",
            "chambre de commerce",
            id="an adverbial before the source: the content after it",
        ),
    ],
)
def test_selon_sources(extract, sentence, content, speaker):
    quotes = _indirect(extract(sentence))
    assert len(quotes) == 1, quotes
    assert quotes[0].text == content and quotes[0].cue == "selon"
    assert speaker in (quotes[0].speaker["name"] or quotes[0].speaker["text"] or ""), quotes[0].speaker


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Les écarts sont très forts selon qu'il s'agit des articles ou des auteurs.", id="selon que"),
        pytest.param(
            "Tout est classé (selon la nomenclature officielle) pour que les lecteurs s'y retrouvent.", id="gloss"
        ),
        pytest.param(
            "Il est probable que, selon les domaines, la pondération soit très différente.", id="distributive"
        ),
        pytest.param("- Selon les retours, décider du format de la prochaine rencontre ?", id="a list dash"),
    ],
)
def test_selon_without_a_source(extract, sentence):
    assert [q for q in _indirect(extract(sentence)) if q.cue == "selon"] == []


def test_a_quote_in_marks_before_selon_is_no_adverbial(extract):
    text = "« Très habile en coulisses », selon un proche du maire, Paul Morin se montre redoutable."
    assert [q.text for q in _indirect(extract(text)) if q.cue == "selon"] != ["Paul Morin se montre redoutable"]


def test_a_headline_reports_speech_too(extract):
    text = (
        "Pour Laurent Vidal, la réforme des retraites doit être retirée\n"
        "Le député Laurent Vidal a présenté mardi sa proposition de loi devant la commission."
    )
    quotes = _indirect(extract(text))
    assert [q.text for q in quotes] == ["la réforme des retraites doit être retirée"], quotes
    assert quotes[0].speaker["name"] == "Laurent Vidal"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param(
            "Le ministre de la Défense Andreï Belooussov s'est rendu sur le front. "
            "« L'offensive s'est accélérée », a affirmé le ministre de la Défense.",
            "Andreï Belooussov",
            id="a role with an organisation complement is the person named",
        ),
        pytest.param(
            "La ministre de la Culture Hélène Garnier visitait le musée. "
            "« Ce lieu doit rester ouvert », a lancé la ministre de la Culture.",
            "Hélène Garnier",
            id="a feminine role",
        ),
    ],
)
def test_a_role_phrase_is_a_person(extract, text, speaker):
    quotes = [q for q in extract(text) if q.kind != "indirect"]
    assert quotes and quotes[-1].speaker["name"] == speaker, quotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "La ministre Claire Dumas a reçu les représentants du personnel lundi.\n"
            "Les syndicats ont dénoncé « des points de blocage » à la sortie de la réunion.\n"
            "« Nous reviendrons la semaine prochaine avec nos propres propositions chiffrées. »",
            "syndicats",
            id="the organisation that spoke last, not the last person",
        ),
        pytest.param(
            "Les syndicats ont dénoncé « des points de blocage » à la sortie de la réunion.\n"
            "La ministre Claire Dumas a répondu aux journalistes dans la soirée.\n"
            "« Nous reviendrons la semaine prochaine avec nos propres propositions chiffrées. »",
            "Claire Dumas",
            id="a person who took the turn since",
        ),
    ],
)
def test_no_carry_over_past_another_source(extract, text, expected):
    quotes = [q for q in extract(text) if q.kind == "direct"]
    assert quotes and expected in (quotes[-1].speaker["name"] or ""), quotes


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        pytest.param(
            "Raphaël Garrigos et Isabelle Roberts ont estimé que la réforme allait beaucoup trop loin.",
            "Raphaël Garrigos et Isabelle Roberts",
            id="two people",
        ),
        pytest.param(
            "Raphaël Garrigos a estimé que la réforme allait beaucoup trop loin.",
            "Raphaël Garrigos",
            id="one person",
        ),
    ],
)
def test_joint_speakers(extract, sentence, speaker):
    quotes = _indirect(extract(sentence))
    assert len(quotes) == 1 and quotes[0].speaker["name"] == speaker, quotes


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param(
            "Le ministre Paul Arnaud a reçu l'ambassadeur Berik Uali mardi. "
            "Ce dernier a estimé que les négociations devaient reprendre rapidement.",
            "Berik Uali",
            id="ce dernier: the last person named",
        ),
        pytest.param(
            "Le maire Jean Colin a rencontré la préfète Anne Morel. "
            "Cette dernière a assuré que le dossier serait réglé avant l'été.",
            "Anne Morel",
            id="cette dernière",
        ),
    ],
)
def test_ce_dernier_is_the_last_person_named(extract, text, speaker):
    quotes = _indirect(extract(text))
    assert quotes and quotes[-1].speaker["name"] == speaker, quotes


def test_que_after_an_incise(extract):
    quotes = _indirect(extract("Elle a ajouté, selon son entourage, qu'elle ne se représenterait pas aux élections."))
    assert [(q.text, q.cue) for q in quotes] == [("elle ne se représenterait pas aux élections", "ajouter")], quotes


def test_the_next_finder_answers_when_a_clause_opens_with_marks(extract):
    text = (
        "Le ministre Paul Hart a joué la fibre patriote pour affirmer, vendredi soir, que « l'alliance "
        "renouvelée » le mettait dans une situation inconfortable, rapporte le Guardian."
    )
    quotes = _indirect(extract(text))
    assert len(quotes) == 1 and quotes[0].cue == "rapporter", quotes
    assert quotes[0].text.startswith("Le ministre Paul Hart a joué la fibre patriote")


# (sentence, clause, cue, words of the speaker's name, case): a clause with its fragment in marks,
# small clauses after verbs of judgement, a source one learns from.
CLAUSES = [
    (
        "La ministre Anne Roche a assuré qu'il n'y aurait « aucune fermeture » de classe à la rentrée.",
        "il n'y aurait « aucune fermeture » de classe à la rentrée",
        "assurer",
        "Anne Roche",
        "que-clause with a marked fragment after its verb",
    ),
    (
        'Le maire Paul Durand a déclaré que le projet restait "une priorité absolue" pour la ville.',
        'le projet restait "une priorité absolue" pour la ville',
        "déclarer",
        "Paul Durand",
        "straight marks inside the clause",
    ),
    (
        "Le maire Paul Durand juge inévitable une hausse des tarifs de la cantine.",
        "inévitable une hausse des tarifs de la cantine",
        "juger",
        "Paul Durand",
        "juger + adjective + noun phrase",
    ),
    (
        "La sénatrice Anne Roche estime nécessaire de revoir entièrement le texte.",
        "nécessaire de revoir entièrement le texte",
        "estimer",
        "Anne Roche",
        "estimer + adjective + de + infinitive",
    ),
    (
        "Le syndicaliste Marc Olier a jugé « urgent » jeudi que la direction rouvre les négociations.",
        "la direction rouvre les négociations",
        "juger",
        "Marc Olier",
        "juger + marked adjective + que-clause",
    ),
    (
        "Le président Paul Grenier s'est dit prêt à rencontrer les grévistes dès lundi.",
        "prêt à rencontrer les grévistes dès lundi",
        "se dire",
        "Paul Grenier",
        "se dire + adjective + complement",
    ),
    (
        "La ligne de bus fermera en juin, a-t-on appris vendredi de sources syndicales.",
        "La ligne de bus fermera en juin",
        "apprendre",
        "sources syndicales",
        "a-t-on appris de X",
    ),
    (
        "Le chantier reprendra lundi, apprend-on auprès de la préfecture.",
        "Le chantier reprendra lundi",
        "apprendre",
        "préfecture",
        "apprend-on auprès de X",
    ),
    (
        "En mars, on apprend via l'AFP que le tribunal rouvrira le dossier.",
        "le tribunal rouvrira le dossier",
        "apprendre",
        "AFP",
        "on apprend via X que",
    ),
    (
        "Comme l'a rappelé la préfète Anne Roche, sollicitée par la mairie, la route restera fermée.",
        "la route restera fermée",
        "rappeler",
        "Anne Roche",
        "comme l'a rappelé X, content",
    ),
    (
        "La route restera fermée tout l'hiver, comme le souligne la préfète Anne Roche.",
        "La route restera fermée tout l'hiver",
        "souligner",
        "Anne Roche",
        "content, comme le souligne X",
    ),
    (
        "Le maire Paul Grenier m'assure que les travaux commenceront en mai.",
        "les travaux commenceront en mai",
        "assurer",
        "Paul Grenier",
        "m'assure que: assures me",
    ),
    (
        "La ministre Claire Dumas explique dans « Le Journal des Causses » que la réforme sera votée en juin.",
        "la réforme sera votée en juin",
        "expliquer",
        "Claire Dumas",
        "an adjunct with a title in marks before que",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "content", "cue", "speaker"), [row[:4] for row in CLAUSES], ids=[row[4] for row in CLAUSES]
)
def test_indirect_clause_cue_and_speaker(extract, sentence, content, cue, speaker):
    quotes = _indirect(extract(sentence))
    assert [(q.text, q.cue) for q in quotes] == [(content, cue)], quotes
    assert speaker in quotes[0].speaker["name"], quotes[0].speaker


def test_two_clauses_in_one_sentence(extract):
    sentence = (
        "La Russie a affirmé vendredi avoir repoussé l'offensive, au lendemain d'un discours du président "
        "Paul Grenier jugeant que le conflit avait changé de nature."
    )
    quotes = _indirect(extract(sentence))
    assert [(q.text, q.cue) for q in quotes] == [
        ("avoir repoussé l'offensive", "affirmer"),
        ("le conflit avait changé de nature", "juger"),
    ], quotes


def test_clause_ends_before_a_colon_and_marks(extract):
    sentence = "La ministre Anne Roche a estimé que le calendrier tiendrait : « Nous serons prêts en juin. »"
    quotes = _indirect(extract(sentence))
    assert [q.text for q in quotes] == ["le calendrier tiendrait"], quotes


def test_selon_x_then_an_apposed_name_is_no_content(extract):
    quotes = extract("Le club a convoqué deux joueurs, selon l'entraîneur, Paul Grenier.")
    assert [q.text for q in _indirect(quotes)] == ["Le club a convoqué deux joueurs"], quotes


# Sentences that hold no reported speech without marks: each new rule's counter-examples.
@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param(
            "La ministre a assuré que « nous ne fermerons aucune classe à la rentrée ».", id="marks open the clause"
        ),
        pytest.param(
            "Le maire a dit que la « fête de la ville » aura lieu.", id="no verb of the clause before the marks"
        ),
        pytest.param("Faut-il rappeler que les élus avaient voté ce budget sans débat ?", id="faut-il rappeler que"),
        pytest.param("Rappelons que les élus avaient voté ce budget sans le moindre débat.", id="Rappelons que"),
        pytest.param(
            "C'est ce qui permet de dire que la réforme a changé la vie des familles.", id="ce qui permet de dire que"
        ),
        pytest.param("Le juge sévère a rendu sa décision hier soir au palais.", id="the noun juge"),
        pytest.param("La ministre ne juge pas utile une nouvelle réunion avec eux.", id="negated"),
        pytest.param("On a appris de nos erreurs que la prudence paie toujours.", id="no source"),
        pytest.param("Le chantier reprendra lundi, a-t-on appris de même source.", id="de même source"),
        pytest.param("Elle a appris la nouvelle de sa mère hier soir.", id="a person learns"),
        pytest.param(
            "Une erreur, tranche Paul Grenier, que ses voisins appellent affectueusement « le sage » du village.",
            id="relative que after an inverted subject",
        ),
        pytest.param(
            "Les mesures annoncées en Corse vingt ans plus tard que dans le reste du pays restent timides.",
            id="a comparison after an adjunct",
        ),
        pytest.param("Le gardien s'est assuré que toutes les portes étaient fermées.", id="s'assurer que: make sure"),
        pytest.param("Le vieil homme se rappelle que la rivière gelait chaque hiver.", id="se rappeler que: remember"),
        pytest.param("Comme le veut la tradition, le maire a ouvert le bal.", id="comme le veut: no source"),
        pytest.param("Claire Dumas n’a jamais affirmé que la réforme serait abandonnée.", id="n’a jamais affirmé"),
        # "comme X" after a reported clause: whose words?
        pytest.param("Elle n'a jamais dit que l'usine fermerait, comme l'ont écrit des journaux.", id="comme X after"),
    ],
)
def test_no_indirect_speech(extract, sentence):
    assert _indirect(extract(sentence)) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "Le maire Paul Dumontel a précisé que la route resterait fermée toute la nuit et a demandé aux "
            "habitants de rester chez eux.",
            [("la route resterait fermée toute la nuit", "préciser"), ("rester chez eux", "demander")],
            id="a second cue of the same speaker ends the first clause",
        ),
        pytest.param(
            "Le ministre Paul Grenier rappelle que le pays avait appelé les deux camps à négocier une trêve "
            "avant l'hiver.",
            [
                ("le pays avait appelé les deux camps à négocier une trêve avant l'hiver", "rappeler"),
                ("négocier une trêve avant l'hiver", "appeler"),
            ],
            id="speech reported within speech: both",
        ),
        pytest.param(
            "L'association Eau Claire considère que toutes les communes du plateau sont concernées, a déclaré "
            "son porte-parole à la radio.",
            [
                ("L'association Eau Claire considère que toutes les communes du plateau sont concernées", "déclarer"),
                ("toutes les communes du plateau sont concernées", "considérer"),
            ],
            id="a source after the clause reports it with its frame",
        ),
    ],
)
def test_clauses_within_or_after_a_clause(extract, sentence, expected):
    quotes = _indirect(extract(sentence))
    assert [(q.text, q.cue) for q in quotes] == expected, quotes


def test_a_coordinated_cue_keeps_the_first_cue_s_speaker(extract):
    quotes = _indirect(
        extract(
            "La préfète Anne Roche a annoncé que les écoles resteraient fermées lundi et a demandé aux "
            "parents de garder leurs enfants."
        )
    )
    assert [q.text for q in quotes] == ["les écoles resteraient fermées lundi", "garder leurs enfants"], quotes
    assert [q.speaker["name"] for q in quotes] == ["Anne Roche", "Anne Roche"], quotes


@pytest.mark.parametrize(
    ("sentence", "subject"),
    [
        # The verb of saying coordinated with an earlier verb shares its subject, never that
        # verb's object; the subject ends before its own verb.
        ("Le principal intéressé a rejeté toute faute et a fait savoir qu'il ne démissionnerait pas.", "Le principal intéressé"),
        ("Le maire a reconnu une erreur et a assuré que les travaux reprendraient.", "Le maire"),
    ],
)
def test_a_coordinated_verb_of_saying_shares_the_first_verbs_subject(extract, sentence, subject):
    (quote,) = _indirect(extract(sentence))
    assert quote.speaker["text"] == subject
