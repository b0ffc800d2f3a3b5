"""Page rules of guillemet/structure.py: captions, comment sections, scare quotes, quotes with no
source, and the quotations a page sets apart without marks (lost blockquotes, interview answers).
Fixtures are short texts written for these tests."""

from __future__ import annotations

import pytest
from lxml import etree

from guillemet.article import annotate
from guillemet.nlp import extract_quotes
from guillemet.records import Block, Quote
from guillemet.structure import (
    body_blocks,
    classify_line,
    filter_quotes,
    floating_quotes,
    speaker_in_reach,
    text_blocks,
    title_interviewee,
)

NAMED = {"text": "la maire", "start": 0, "end": 8, "name": "Irène Vallet", "resolution": "descriptor"}
CARRIED = {"text": None, "start": None, "end": None, "name": "Irène Vallet", "resolution": "previous_speaker"}
NOBODY = {"text": None, "start": None, "end": None, "name": None, "resolution": "unknown"}


def _line_blocks(text: str, kinds) -> tuple[Block, ...]:
    """One block a line of ``text``, of the kinds given in order."""
    blocks, cursor = [], 0
    for line, kind in zip(text.split("\n"), kinds, strict=True):
        blocks.append(Block(cursor, cursor + len(line), kind))
        cursor += len(line) + 1
    return tuple(blocks)


def _quote(text: str, words: str, kind: str, cue: str | None, speaker) -> Quote:
    start = text.index(words)
    return Quote(words, start, start + len(words), kind, cue, speaker)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Le marché couvert au lever du jour. (Photo Marc Lenoir. AFP)", "caption"),
        ("Les barques rentrent au port, samedi. © Studio Marée", "caption"),
        ("Photo d'illustration : un quai désert", "caption"),
        ("18/02/2021 à 16:42", "comment"),
        ("Zébulon le 3 mars 2021 à 8h05", "comment"),
        ("Publié le 18/02/2021 à 16:42", "paragraph"),
        ("Le conseil a voté le budget par 21 voix contre 8.", "paragraph"),
        ("Cet article est paru dans notre newsletter « La semaine du port ».", "paywall"),
        ("Passer la publicité", "paywall"),
        ("En vidéo, trois façons de cuisiner le merlu", "related"),
        ("Pour aller plus loin : le port en chiffres", "related"),
        ("Il vous reste 41.5% de cet article à lire.", "paywall"),
        ("Pour lire la suite", "paywall"),
        ("créez votre compte", "paywall"),
        ("Offre découverte", "paywall"),
        ("2€ le 1er mois puis 9€ par mois", "paywall"),
        ("Vous pourrez à tout moment vous désabonner en cliquant sur le lien.", "paywall"),
        ("Le port a coûté 12 € par mois à chaque foyer pendant dix ans, a calculé la chambre.", "paragraph"),
    ],
)
def test_captions_and_comment_stamps(line, expected):
    assert classify_line(line) == expected


def test_a_comment_section_runs_from_its_header_to_the_end():
    lines = [
        "Le conseil municipal a voté le budget jeudi soir après trois heures de débat.",
        "La maire a salué « un budget de combat » devant la presse locale.",
        "L'opposition a annoncé un recours devant le tribunal administratif.",
        "Les travaux du quai commenceront en septembre, selon le calendrier voté.",
        "3 commentaires",
        "Bertille",
        "« Enfin une bonne nouvelle », voilà ce que je dis.",
        "À lire aussi : le port change de nom",
    ]
    text = "\n".join(lines)
    kinds = [b.kind for b in text_blocks(text)]
    assert kinds[:4] == ["paragraph"] * 4
    assert kinds[4:7] == ["comment"] * 3
    assert kinds[7] == "related"


def test_everything_after_the_paywall_notice_is_paywall():
    lines = [
        "Le conseil municipal a voté le budget jeudi soir après trois heures de débat.",
        "La maire a salué « un budget de combat » devant la presse locale, et l'opposition a protesté.",
        "Pour lire la suite",
        "et profiter de tous nos articles,",
        "Ou si vous avez un compte chez nous,",
        "Lire aussi : le quai nord rouvre",
    ]
    text = "\n".join(lines)
    kinds = [b.kind for b in text_blocks(text)]
    assert kinds == ["paragraph", "paragraph", "paywall", "paywall", "paywall", "related"]
    first = "Article réservé aux abonnés. Pour lire la suite, abonnez-vous.\n" + "\n".join(lines[:2])
    assert [b.kind for b in text_blocks(first)] == ["paywall", "paragraph", "paragraph"]


def test_a_comment_header_in_the_first_half_opens_no_section():
    text = "Commentaires\n" + "\n".join(["Le quai sera refait en septembre par la ville."] * 3)
    assert [b.kind for b in text_blocks(text)] == ["paragraph"] * 4


@pytest.mark.parametrize(
    ("speaker", "expected"),
    [
        (NAMED, True),
        (CARRIED, False),
        (NOBODY, False),
        ({**NOBODY, "text": "on"}, False),
        ({**NOBODY, "text": "une source proche du dossier"}, True),
        (None, False),
    ],
)
def test_speaker_in_reach(speaker, expected):
    assert speaker_in_reach(speaker) is expected


def test_a_one_word_subject_that_is_not_a_noun_is_no_source():
    speaker = {**NOBODY, "text": "rappeler", "start": 3, "end": 11}
    assert speaker_in_reach(speaker, lambda start, end: False) is False
    assert speaker_in_reach(speaker, lambda start, end: True) is True


ESSAY = (
    "Le colloque s'est tenu à Lyon.\n"
    "Les revues dites « à la mode » attirent les jeunes chercheurs, loin des « grandes maisons ».\n"
    "La maire a jugé le projet « trop flou » lundi, puis a parlé de « pari ».\n"
    "Le fioul a été qualifié de « lourd » dans le rapport.\n"
    "Son fils prépare le « certificat national de pilote de port » à Brest."
)


@pytest.mark.parametrize(
    ("words", "cue", "speaker", "kept"),
    [
        ("à la mode", "dire", CARRIED, False),  # a term of the writer, the last speaker far away
        ("grandes maisons", None, NOBODY, False),
        ("trop flou", "juger", NAMED, True),
        ("lourd", "qualifier", NOBODY, True),  # the cue stands next to it: "qualifié de « lourd »"
        ("certificat national de pilote de port", None, NOBODY, False),  # the title of a diploma
    ],
)
def test_scare_quotes(words, cue, speaker, kept):
    quote = _quote(ESSAY, words, "fragment", cue, speaker)
    assert (filter_quotes([quote], ESSAY, text_blocks(ESSAY)) == (quote,)) is kept


def test_a_short_fragment_after_a_sourced_quote_of_its_paragraph_is_kept():
    first = _quote(ESSAY, "trop flou", "fragment", "juger", NAMED)
    second = _quote(ESSAY, "pari", "fragment", "parler", CARRIED)
    assert filter_quotes([first, second], ESSAY, text_blocks(ESSAY)) == (first, second)


def test_a_sourced_quote_far_back_in_a_long_paragraph_does_not_source_a_term():
    text = "La maire a jugé le projet « trop flou » lundi. " + "Le quai attend. " * 25 + "Un quai « historique »."
    first = _quote(text, "trop flou", "fragment", "juger", NAMED)
    term = _quote(text, "historique", "fragment", None, CARRIED)
    assert filter_quotes([first, term], text, text_blocks(text)) == (first,)


def test_indirect_speech_needs_a_source():
    text = "Le quai est fermé.\nOn dit que le quai rouvrira en mai prochain.\nLa maire assure que le quai rouvrira."
    blocks = text_blocks(text)
    nobody = _quote(text, "le quai rouvrira en mai prochain", "indirect", "dire", {**NOBODY, "text": "On"})
    named = _quote(text, "le quai rouvrira.", "indirect", "assurer", NAMED)
    assert filter_quotes([nobody, named], text, blocks) == (named,)


@pytest.mark.parametrize(
    ("sentence", "words", "kept"),
    [
        (
            "Il faut dire qu'à ce prix le port devait baisser ses tarifs.",
            "à ce prix le port devait baisser ses tarifs",
            False,
        ),
        ("Ce qui veut dire que les quais restent ouverts la nuit.", "les quais restent ouverts la nuit", False),
        ("Le bassin est vide, c'est-à-dire que les bateaux sont partis.", "les bateaux sont partis", False),
        ("La maire a fini par dire que le quai rouvrira en mai.", "le quai rouvrira en mai", True),
    ],
)
def test_a_set_phrase_with_dire_is_no_speech(sentence, words, kept):
    text = "Le port change.\n" + sentence
    quote = _quote(text, words, "indirect", "dire", NAMED if kept else {**NOBODY, "text": "il"})
    assert (filter_quotes([quote], text, text_blocks(text)) == (quote,)) is kept
    if not kept:  # a speaker found or not, the set phrase reports nothing
        named = _quote(text, words, "indirect", "dire", NAMED)
        assert filter_quotes([named], text, text_blocks(text)) == ()


def _kept_after_filter(sentence: str, words: str, kind: str, cue: str, speaker) -> bool:
    """Whether ``filter_quotes`` keeps the quote ``words`` of ``sentence`` (after a first line)."""
    text = "Le port change.\n" + sentence
    quote = _quote(text, words, kind, cue, speaker)
    return filter_quotes([quote], text, text_blocks(text)) == (quote,)


@pytest.mark.parametrize(
    ("sentence", "words", "kept"),
    [
        ("Notons que le quai rouvrira en mai.", "le quai rouvrira en mai.", False),
        ("Précisons encore qu'aucun chalutier n'est sorti.", "aucun chalutier n'est sorti.", False),
        ("Sur ce point, rappelons simplement que la criée ferme.", "la criée ferme.", False),
        ("Il est intéressant de noter que les grues restent.", "les grues restent.", False),
        ("Force est de constater que le bassin se vide.", "le bassin se vide.", False),
        ("Mieux vaut s'assurer que les amarres tiennent.", "les amarres tiennent.", False),
        ("La maire a assuré que le quai rouvrira en mai.", "le quai rouvrira en mai.", True),
        ("Les patrons pêcheurs pensent que la saison sera courte.", "la saison sera courte.", True),
    ],
)
def test_the_writers_own_voice_reports_nobody(sentence, words, kept):
    """A first-person plural imperative, an impersonal verb of saying or advice before que: the
    writer speaks, whoever the extractor took for a speaker."""
    assert _kept_after_filter(sentence, words, "indirect", "dire", NAMED) is kept


@pytest.mark.parametrize(
    ("sentence", "words", "kept"),
    [
        ("Comme il a été précisé, les quais classés « 1 » ferment.", "1", False),
        ("Il faut d'abord noter que la criée est notre « vieille maison ».", "vieille maison", False),
        ("Le maire est venu. Il a qualifié le port de « joyau » hier.", "joyau", True),
    ],
)
def test_an_impersonal_il_is_no_source(sentence, words, kept):
    text = "Le port change.\n" + sentence
    at = text.index(" il ") + 1 if " il " in text else text.index("Il ")
    speaker = {"text": text[at : at + 2], "start": at, "end": at + 2, "name": "Irène Vallet", "resolution": "pronoun"}
    quote = _quote(text, words, "fragment", "qualifier" if kept else "noter", speaker)
    assert (filter_quotes([quote], text, text_blocks(text)) == (quote,)) is kept


@pytest.mark.parametrize(
    ("sentence", "words", "kind", "kept"),
    [
        ("Le roman paraît en mai (lire « Un écrivain du large »).", "Un écrivain du large", "direct", False),
        ("Voir aussi « Les quais de la colère », notre enquête de mars.", "Les quais de la colère", "direct", False),
        (
            "La maire a lancé : « Lire la mer, c'est lire la ville ».",
            "Lire la mer, c'est lire la ville",
            "direct",
            True,
        ),
        ("Il combat l'idée selon laquelle le port serait condamné.", "le port serait condamné.", "indirect", False),
        ("Il cite une étude selon laquelle le port perd des emplois.", "le port perd des emplois.", "indirect", True),
    ],
)
def test_references_and_the_content_of_an_idea_are_not_quotes(sentence, words, kind, kept):
    """A title to read or watch is a link, not a quotation; "l'idée selon laquelle …" gives an idea
    nobody is said to voice ("une étude selon laquelle" has its source)."""
    assert _kept_after_filter(sentence, words, kind, "lancer" if kind == "direct" else "selon", NAMED) is kept


@pytest.mark.parametrize(
    ("sentence", "words", "kept"),
    [
        ("Le juge pourra être saisi si la maire estime que le bail est rompu.", "le bail est rompu.", False),
        ("Il saisira la cour s'il juge que le bail est rompu.", "le bail est rompu.", False),
        ("Même si la maire affirme que le bail tient, le port ferme.", "le bail tient, le port ferme.", True),
        ("Le succès du port ne relève que de la chance.", "de la chance.", False),
        ("La maire n'a pas dit que le port fermerait.", "le port fermerait.", True),
        ("La maire a répété que le port fermerait.", "le port fermerait.", True),
    ],
)
def test_a_condition_or_a_restriction_reports_no_speech(sentence, words, kept):
    """A verb of saying in a "si" clause is a hypothesis; the "que" of "ne … que" is a restriction
    (a negated cue, "n'a pas dit que", is another rule's: it reaches this filter as a quote)."""
    assert _kept_after_filter(sentence, words, "indirect", "estimer", NAMED) is kept


@pytest.mark.parametrize(
    ("sentence", "words", "kept"),
    [
        ("D'où des publications « en grappe » dans les revues du port.", "en grappe", False),
        ("Il faut du temps pour publier « en grappe » dans ces revues.", "en grappe", False),
        ("Le rapport a été publié « en grappe » cet été.", "en grappe", True),
    ],
)
def test_a_noun_made_from_the_cue_or_its_infinitive_after_pour_is_no_cue_beside_a_term(sentence, words, kept):
    assert _kept_after_filter(sentence, words, "fragment", "publier", CARRIED) is kept


@pytest.mark.parametrize(
    ("sentence", "words", "kept"),
    [
        (
            "Pour ce groupe de travail, je rejoins les dockers du quai nord.",
            "je rejoins les dockers du quai nord.",
            False,
        ),
        ("Pour la maire, les dockers du quai nord ont raison.", "les dockers du quai nord ont raison.", True),
    ],
)
def test_reported_content_in_the_first_person_is_the_writers(sentence, words, kept):
    assert _kept_after_filter(sentence, words, "indirect", "pour", NAMED) is kept


def test_the_lines_of_an_embedded_post_before_its_attribution_line_are_the_post():
    body = etree.fromstring(
        "<body><p>Le ministre a réagi sur les réseaux.</p><quote>Alerte sur le port : restez chez vous.</quote>"
        "<quote>Si vous êtes sur un quai, rentrez.</quote><p>— Jean Valat (@jvalat) March 14, 2020</p>"
        "<quote>Le port est un bien commun de la ville et de ses habitants.</quote></body>"
    )
    text = "\n".join(node.text for node in body)
    kinds = [block.kind for block in body_blocks(body, text)]
    assert kinds == ["paragraph", "embed", "embed", "embed", "blockquote"]


@pytest.mark.parametrize(
    ("cue", "speaker", "kept"),
    [
        pytest.param("affirmer", NAMED, True, id="a headline reports speech with its source"),
        pytest.param("affirmer", CARRIED, False, id="no source in reach"),
        pytest.param(None, NAMED, False, id="no cue"),
    ],
)
def test_an_indirect_quote_in_a_heading_needs_a_cue_and_a_source(cue, speaker, kept):
    text = "La maire affirme avoir sauvé le quai nord\nLe conseil a voté le budget du port lundi soir."
    blocks = _line_blocks(text, ["heading", "paragraph"])
    quote = _quote(text, "avoir sauvé le quai nord", "indirect", cue, speaker)
    assert (filter_quotes([quote], text, blocks) == (quote,)) is kept


def test_a_marked_quote_in_a_label_line_needs_a_speaker():
    text = "Le port rouvre ses quais.\nForfait mobile : l'offre « Série Mer 40 Go » continue de plus belle"
    blocks = text_blocks(text)
    assert blocks[1].kind == "label_line"
    quote = _quote(text, "Série Mer 40 Go", "direct", "continuer", NOBODY)
    assert filter_quotes([quote], text, blocks) == ()
    assert filter_quotes([_quote(text, "Série Mer 40 Go", "direct", "continuer", NAMED)], text, blocks)


def test_a_lost_blockquote_takes_the_speaker_of_the_paragraph_before():
    text = (
        "La romancière Odile Farge a publié un essai sur les ports.\n"
        "Elle y écrit que « la mer garde tout ».\n"
        "Les quais se vident le soir, les grues se taisent et la ville oublie qu'elle vivait de la mer.\n"
        "Le livre paraît jeudi."
    )
    blocks = (
        Block(0, text.index("\nElle"), "paragraph"),
        Block(text.index("Elle"), text.index("\nLes"), "paragraph"),
        Block(text.index("Les quais"), text.index("\nLe livre"), "blockquote"),
        Block(text.index("Le livre"), len(text), "paragraph"),
    )
    speaker = {"text": "Elle", "start": 58, "end": 62, "name": "Odile Farge", "resolution": "pronoun"}
    marked = _quote(text, "la mer garde tout", "fragment", "écrire", speaker)
    quotes = floating_quotes([marked], text, blocks)
    assert [q.text for q in quotes] == [
        "la mer garde tout",
        "Les quais se vident le soir, les grues se taisent et la ville oublie qu'elle vivait de la mer.",
    ]
    assert quotes[1].kind == "direct" and quotes[1].cue is None
    assert quotes[1].speaker["name"] == "Odile Farge"
    assert quotes[1].speaker["resolution"] == "previous_speaker"


def test_a_pull_quote_takes_the_speaker_of_the_quotation_it_repeats():
    text = (
        "Les dockers manifestent devant la capitainerie.\n"
        "Nous ne lâcherons rien pour le port et ses emplois\n"
        "La maire Irène Vallet soutient le mouvement. « Je suis avec eux », dit-elle.\n"
        "Marc Olier, grutier, est en colère. « Nous ne lâcherons rien, ni pour le port ni pour ses emplois », lance-t-il."
    )
    blocks = _line_blocks(text, ("paragraph", "blockquote", "paragraph", "paragraph"))
    mayor = _quote(text, "Je suis avec eux", "direct", "dire", NAMED)
    docker = {"text": "il", "start": 0, "end": 2, "name": "Marc Olier", "resolution": "pronoun"}
    repeated = _quote(text, "Nous ne lâcherons rien, ni pour le port ni pour ses emplois", "direct", "lancer", docker)
    quotes = floating_quotes([mayor, repeated], text, blocks)
    pull = next(q for q in quotes if q.text == "Nous ne lâcherons rien pour le port et ses emplois")
    assert pull.speaker["name"] == "Marc Olier"  # not the mayor of the next paragraph
    assert pull.speaker["resolution"] == "previous_speaker"


def test_a_marked_intertitle_is_a_quote_of_its_section():
    text = (
        "La maire Irène Vallet a présenté le budget du port jeudi. « Il est juste », dit-elle.\n"
        "« Pas un euro de plus »\n"
        "Le grutier Marc Olier a prévenu : « Pas un euro de plus pour les bureaux, tout pour les quais. »\n"
        "Le « quai nord » en travaux\n"
        "Les travaux commencent en mars."
    )
    blocks = _line_blocks(text, ("paragraph", "heading", "paragraph", "heading", "paragraph"))
    mayor = _quote(text, "Il est juste", "direct", "dire", NAMED)
    docker = {"text": "Le grutier Marc Olier", "start": 0, "end": 2, "name": "Marc Olier", "resolution": "explicit"}
    warned = _quote(text, "Pas un euro de plus pour les bureaux, tout pour les quais.", "direct", "prévenir", docker)
    quotes = floating_quotes([mayor, warned], text, blocks)
    added = [q for q in quotes if q not in (mayor, warned)]
    assert [q.text for q in added] == ["Pas un euro de plus"]  # not the partly marked heading
    assert added[0].speaker["name"] == "Marc Olier" and added[0].cue is None


def test_a_blockquote_with_marks_or_already_quoted_adds_nothing():
    text = "Le maire parle.\n« Nous tiendrons bon jusqu'au bout de ce mandat difficile », dit-il."
    blocks = (Block(0, 15, "paragraph"), Block(16, len(text), "blockquote"))
    assert floating_quotes([], text, blocks) == ()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("« La mer garde tout ». Sur les ports avec Odile Farge - Le Site", "Odile Farge"),
        ("Entretien avec Jean-Marc de Villiers | Revue", "Jean-Marc de Villiers"),
        ("Le port rouvre ses quais", None),
        (None, None),
    ],
)
def test_title_interviewee(title, expected):
    assert title_interviewee(title) == expected


INTERVIEW_BODY = (
    "<body><head>Votre livre parle des ports. Pourquoi ce sujet ?</head>"
    "<p>Parce que j'ai grandi sur un quai et que personne ne racontait cette vie-là.</p>"
    "<head>Vous décrivez une ville qui oublie. Est-ce un reproche ?</head>"
    "<p>Non, c'est un constat que je partage avec beaucoup d'habitants du quartier.</p>"
    "<head>Les ventes</head><p>Le livre s'est vendu à dix mille exemplaires en un mois.</p></body>"
)


def _interview():
    body = etree.fromstring(INTERVIEW_BODY)
    parts = [node.text for node in body]
    text = "\n".join(parts)
    return text, body_blocks(body, text)


def test_answers_under_question_intertitles_are_the_interviewees():
    text, blocks = _interview()
    quotes = floating_quotes([], text, blocks, title="Sur les ports avec Odile Farge - Le Site")
    assert [q.text[:20] for q in quotes] == ["Parce que j'ai grand", "Non, c'est un consta"]
    assert all(q.speaker["name"] == "Odile Farge" and q.speaker["resolution"] == "interviewee" for q in quotes)


@pytest.mark.parametrize(
    "body",
    [
        # Explainer intertitles that address nobody.
        "<body><head>Que contient le budget ?</head><p>Le budget prévoit trois millions pour le quai nord.</p>"
        "<head>Quand commencent les travaux ?</head><p>Les travaux commencent en septembre prochain au port.</p>"
        "</body>",
        # The writer's rhetorical questions, one "vous" only.
        "<body><p>Le port rouvrira-t-il un jour ?</p><p>Personne ne le sait au conseil municipal de Portvieux.</p>"
        "<p>Faut-il financer les travaux du quai ?</p><p>La région hésite encore, faute de budget cette année.</p>"
        "<p>Et vous, irez-vous au port ?</p><p>Les habitants de la ville se rendront au vote jeudi soir.</p></body>",
    ],
)
def test_questions_that_do_not_address_an_interviewee_make_no_interview(body):
    tree = etree.fromstring(body)
    text = "\n".join(node.text for node in tree)
    assert floating_quotes([], text, body_blocks(tree, text)) == ()


BOLD_INTERVIEW = (
    "<body><p>Odile Farge publie un essai sur les ports de la Manche. Entretien.</p>"
    "<p>Pourquoi écrire sur les ports maintenant ?</p>"
    "<p>Parce que j'ai grandi sur un quai et que je le vois disparaître sous mes yeux.</p>"
    "<p>Vous parlez d'une mémoire perdue. Laquelle ?</p>"
    "<p>Celle des dockers, des grutiers, des familles qui vivaient du port toute l'année.</p>"
    "<p>Votre livre est-il une élégie ?</p>"
    "<p>Non, c'est un constat, et je crois qu'il reste de quoi se battre pour les quais.</p>"
    "<p>Propos recueillis par Jean Marin pour la rédaction du Site</p></body>"
)


def test_answers_after_question_paragraphs_are_the_interviewees():
    body = etree.fromstring(BOLD_INTERVIEW)
    text = "\n".join(node.text for node in body)
    quotes = floating_quotes([], text, body_blocks(body, text), title="Un entretien avec Odile Farge")
    assert [q.text[:20] for q in quotes] == ["Parce que j'ai grand", "Celle des dockers, d", "Non, c'est un consta"]
    assert all(q.speaker["name"] == "Odile Farge" for q in quotes)


PAGE = b"""<html><head><title>Le quai rouvre</title></head><body><article>
<h1>Le quai rouvre</h1>
<p>Le conseil municipal de Portvieux a vot\xc3\xa9 jeudi la r\xc3\xa9ouverture du quai nord, ferm\xc3\xa9 depuis deux ans.</p>
<p>La maire, Ir\xc3\xa8ne Vallet, a d\xc3\xa9clar\xc3\xa9 : \xc2\xab Le quai sera rouvert avant l'\xc3\xa9t\xc3\xa9, c'est promis. \xc2\xbb</p>
<p>Ce quai \xc2\xab historique \xc2\xbb accueillait autrefois les chalutiers de toute la c\xc3\xb4te.</p>
<p>Les travaux co\xc3\xbbteront trois millions d'euros, financ\xc3\xa9s par la r\xc3\xa9gion et par la ville.</p>
<p>Le chantier commencera en mars, apr\xc3\xa8s l'appel d'offres lanc\xc3\xa9 cet hiver par la mairie.</p>
<p>2 commentaires</p>
<p>Marin56 le 12/03/2021 \xc3\xa0 10:12</p>
<p>Je dis \xc2\xab bravo \xc2\xbb \xc3\xa0 la mairie, il \xc3\xa9tait temps que le quai rouvre enfin.</p>
</article></body></html>"""


def test_a_page_gives_its_quotation_and_nothing_from_its_comments(nlp_md):
    article = annotate(PAGE)
    kinds = {article.text[b.start : b.end][:12]: b.kind for b in article.blocks}
    assert kinds["Marin56 le 1"] == "comment"
    quotes = extract_quotes(nlp_md(article.text), text=article.text, blocks=article.blocks, title=article.title)
    assert [q.text for q in quotes] == ["Le quai sera rouvert avant l'été, c'est promis."]


REPEATED = {"text": None, "start": None, "end": None, "name": "Irène Vallet", "resolution": "headline_match"}


@pytest.mark.parametrize(
    ("kind", "speaker", "kept"),
    [
        ("heading", REPEATED, True),  # the body quote repeating the intertitle gave its speaker
        ("label_line", REPEATED, True),
        ("heading", {**REPEATED, "name": None}, False),  # matched a quote with nobody behind it
        ("caption", REPEATED, False),  # a caption still needs its own cue
        ("heading", NAMED, False),
    ],
)
def test_a_title_quote_repeated_in_the_body_needs_no_cue(kind, speaker, kept):
    text = "Le quai « a besoin » de bras\nLe quai « a besoin » de bras, a dit la maire."
    blocks = _line_blocks(text, [kind, "paragraph"])
    quote = _quote(text, "a besoin", "fragment", None, speaker)
    assert (filter_quotes([quote], text, blocks) == (quote,)) is kept
