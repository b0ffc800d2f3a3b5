"""The gender of each quote's speaker: ``speaker.gender`` (F, M or None) and ``speaker.gender_source``.

Evidence is read by small named functions, about:

- the speaker's own words: a title (``title_gender``: M., Mme, Mlle), a pronoun
  (``pronoun_gender``: "dit-il", "a-t-elle ajouté"), a role noun with a gendered determiner
  (``role_noun_gender``: "la ministre", "sa porte-parole"; "son porte-parole" and "une source"
  say nothing), agreement in the speaker's clause (``agreement_gender``: "elle s'est dite inquiète");
- the person named (``speaker.name``): every mention of them in the article, the cluster the people
  index built (``mention_evidence``: M./Mme before, a role noun phrase before or after, "X est une
  architecte", "X s'est dite satisfaite"), and their first name (``name_gender``: the project's
  list, then gender-guesser's dictionary, France first; in hard-wrapped copy the first name ending
  the line before: ``first_name_across_break``);
- the other quotes given the same speaker name: the gender each one's words decide
  (``same_speaker_votes``, a weak reading: the resolver may err);
- what takes up the person after their turn: a definite role description or "il"/"elle" as the
  next clauses' subject (``description_votes``: "X affirme… Le journaliste a été entendu"), the
  weakest evidence.

Each piece has a rank (``RANK_*``), and ``decide`` takes the strongest: the speaker's words, a
title elsewhere, a listed role noun's determiner elsewhere, the first name, readings of the parse.
A disagreement at the speaker's words gives None, a close split at a lower rank too unless a weaker
rank takes one side. A speaker that is plural (also one of several subjects joined by "et":
``is_conjunct``), an organisation (``is_organisation``: also one a
pronoun stands for), a place, a document or a publication gets None, as does one with no evidence
at all.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

from guillemet.quotes.lexicon import canonical_name, fold
from guillemet.quotes.people import ORG_NOUNS, PeopleIndex, first_name_gender, token_indices
from guillemet.records import Entity, Quote

_LOGGER = logging.getLogger(__name__)

SOURCES = ("title", "pronoun", "role_noun", "agreement", "cluster", "first_name")

_TITLE = {"m": "M", "mr": "M", "monsieur": "M", "mme": "F", "madame": "F", "mlle": "F", "mademoiselle": "F"}
_PRONOUN = {"il": "M", "lui": "M", "celui": "M", "elle": "F", "celle": "F"}
_PLURAL_PRONOUNS = frozenset({"ils", "elles", "eux", "ceux", "celles", "nous", "vous", "on"})
# Determiners that give a singular noun phrase's gender. "son", "leur", "l'", "mon" do not: "son
# porte-parole" may be a woman; "sa", "ma", "ta" do: before a consonant only a feminine noun takes them.
_DET = {
    "le": "M",
    "un": "M",
    "ce": "M",
    "cet": "M",
    "du": "M",
    "au": "M",
    "la": "F",
    "une": "F",
    "cette": "F",
    "sa": "F",
    "ma": "F",
    "ta": "F",
}
# Nouns that name a document, a publication or a group rather than a person.
_NOT_PERSON_NOUNS = ORG_NOUNS | frozenset(
    """rapport communiqué communique étude etude document texte lettre courrier note journal quotidien hebdomadaire
    magazine revue site blog chaîne chaine radio télévision television presse agence déclaration declaration
    enquête enquete sondage décret decret loi arrêté arrete avis jugement décision decision ordonnance plainte tribune
    famille équipe equipe foule public population habitant habitants riverains manifestants""".split()
)
_NON_PERSON_LABELS = frozenset({"ORG", "LOC", "MISC"})


# The order of strength (``decide``): the speaker's own words first, then what the article says of
# the person elsewhere (a title, then a role noun with a gendered determiner), then the first name,
# then readings of the parse (a noun's form, agreement), anywhere.
RANK_MENTION = 1  # the speaker's words: a title, a pronoun or clitic, a gendered determiner
RANK_TITLE = 2  # M., Mme before another mention of the person
RANK_DETERMINER = 3  # "la ministre X", "X, le maire", "X est une architecte" at another mention
RANK_FIRST_NAME = 4  # the first name, from the project's list or gender-guesser's dictionary
RANK_READING = 5  # a role noun's form ("l'avocate", "X, député"), agreement ("s'est dite inquiète")
RANK_DISCOURSE = 6  # a definite description taking up the person just active ("X affirme… Le journaliste a")
# At a rank below the speaker's words, one gender must have at least this many times the other's
# votes to win; a closer split is a conflict that only a weaker rank agreeing with one side settles.
MAJORITY = 2


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a gender, the ``gender_source`` it is reported as, and its rank."""

    gender: str
    source: str
    rank: int = RANK_READING
    at: int | None = None  # the character offset of the mention it was read at, for tracing


def title_gender(words: list[str]) -> str | None:
    """The gender of a civil title opening the speaker's words ("M. Martin", "Mme Durand"); "Me" says none."""
    if not words:
        return None
    return _TITLE.get(fold(words[0]).rstrip("."))


_CLITIC = re.compile(r"^-?(?:t-)?(il|elle)(s?)$")


def pronoun_gender(span) -> str | None:
    """The gender of a singular third-person pronoun that is the speaker or the cue's subject.

    "il", "elle", "celle qui…" as the speaker's words; the inverted clitic of the cue ("a-t-elle
    ajouté", "dit-il", tokenised "-t-elle", "-il"); or the cue verb's pronoun subject ("il a dit",
    when the speaker's words are the verb). A plural pronoun says nothing.
    """
    if span is None or len(span) == 0:
        return None
    first = span[0].lower_
    if first in _PRONOUN:
        return _PRONOUN[first]
    doc = span.doc
    found = set()
    # "a-t-elle ajouté": the clitic may sit between the auxiliary and the participle.
    for token in list(doc[max(0, span.start - 2) : span.start]) + list(span) + list(doc[span.end : span.end + 2]):
        match = _CLITIC.match(token.lower_) or _CLITIC.match(token.lower_.rsplit("-t-", 1)[-1])
        inside = span.start <= token.i < span.end
        if match and (token.lower_.startswith("-") or "-t-" in token.lower_ or inside):
            found.add(None if match.group(2) else ("M" if match.group(1) == "il" else "F"))
    for child in span.root.children:
        if child.dep_ in ("nsubj", "expl:subj") and child.lower_ in ("il", "elle", "ils", "elles"):
            found.add({"il": "M", "elle": "F"}.get(child.lower_))
    return found.pop() if len(found) == 1 else None


# Present-tense verbs in -ent of the third person singular ("il dément"), not plurals.
_SINGULAR_IN_ENT = frozenset({"dément", "dement", "ment", "sent", "consent", "ressent", "pressent", "repent"})


def is_plural(span) -> bool:
    """Whether the speaker's phrase names several people ("ils", "les syndicats", "Anne et Marc Petit")."""
    if span is None or len(span) == 0:
        return False
    first = span[0].lower_.strip("-")
    if first in _PLURAL_PRONOUNS or first in ("les", "des", "ces", "leurs", "nos", "vos", "mes", "ses", "plusieurs"):
        return True
    root = span.root
    if root.pos_ in ("NOUN", "PRON") and "Number=Plur" in str(root.morph):
        return True  # "les syndicats"
    if root.pos_ in ("VERB", "AUX") and root.lower_.endswith("ent") and root.lower_ not in _SINGULAR_IN_ENT:
        return True  # a cue verb taken as the speaker's words: "accusent", "estiment" (the parse says little)
    # "Anne Leroy et Marc Petit": two names joined.
    if any(
        t.lower_ in ("et", "&") and 0 < t.i - span.start and t.i + 1 < span.end and span.doc[t.i + 1].text[:1].isupper()
        for t in span
    ):
        return True
    return is_conjunct(span)


_CONJOINING = frozenset({"et", "&"})


def _person_like(token) -> bool:
    """Whether a conjunct may be someone: a name, a pronoun, a noun with its determiner ("ses sbires");
    not a bare noun, which is rather a second role of one person ("X, député et maire")."""
    if token.pos_ in ("PROPN", "PRON"):
        return True
    return token.pos_ == "NOUN" and any(child.dep_ == "det" for child in token.children)


def is_conjunct(span) -> bool:
    """Whether the speaker's phrase is one of several subjects joined by "et", the others outside it:
    "Joseph Martin et Anne Petit estiment" given as "Anne Petit", "Lui et ses proches accusent" as
    "Lui". The words are a group's; one member's gender is not the speakers'. The "et" touches the
    phrase, and no comma parts a following conjunct from it ("Selon elle, le siège et le centre")."""
    root, doc = span.root, span.doc
    if root.pos_ not in ("PROPN", "PRON", "NOUN"):
        return False
    before = doc[span.start - 1] if span.start > 0 else None
    if (
        root.dep_ == "conj"
        and root.head.i < span.start
        and _person_like(root.head)
        and before is not None
        and before.lower_ in _CONJOINING
        and before.head.i == root.i
        and not any(t.text in _CLAUSE_PUNCT for t in doc[root.head.i : span.start])
    ):
        return True
    after = doc[span.end] if span.end < len(doc) else None
    return (
        after is not None
        and after.lower_ in _CONJOINING
        and any(
            child.dep_ == "conj" and child.i > span.end and after.head.i == child.i and _person_like(child)
            for child in root.children
        )
    )


_CLAUSE_PUNCT = frozenset({".", ";", ":", "«", "»", "(", ")", "!", "?", "\n"})


def is_not_person(span) -> bool:
    """Whether the speaker's phrase is headed by an organisation, document or publication noun."""
    if span is None or len(span) == 0:
        return False
    root = span.root
    return root.pos_ == "NOUN" and fold(root.lemma_ or root.text) in {fold(n) for n in _NOT_PERSON_NOUNS}


# Nouns whose grammatical gender says nothing of the person's: "une source", "la victime", "une
# plume", "un témoin", "un membre".
_FIXED_GENDER_NOUNS = frozenset(
    fold(word)
    for word in """source personne victime star plume figure personnalité célébrité vedette recrue sentinelle idole
    icône voix légende vigie tête cheville témoin membre individu mannequin génie bébé contact""".split()
)
# Nouns of things and times, not people, a name may follow: "la loi Macron", "l'affaire Fillon",
# "le gouvernement Fillon", "Cette année, Claire X".
_NAMED_THING_NOUNS = _NOT_PERSON_NOUNS | frozenset(
    fold(word)
    for word in """affaire loi réforme plan ère effet méthode clan camp procès dossier cas système régime projet
    mandat quinquennat septennat époque style ligne doctrine amendement circulaire prix rue avenue boulevard place
    lycée collège école stade salle galerie fondation musée rencontre visite discours entretien interview
    livre roman film album série émission ouvrage article version biographie portrait candidature
    semaine année an mois jour journée matin matinée soir soirée nuit veille lendemain fois heure minute moment
    période saison été hiver automne printemps week-end fin début date côté part lors cabinet lieu""".split()
)


def is_organisation(speaker: dict) -> bool:
    """Whether the speaker resolver named an organisation: resolution ``organisation`` with a name
    that has no first name ("le Sun", "Moscou" for its government; not "Francisca Joly-Gomez", which
    the resolver may take for one), or a name headed by an organisation, document or group noun, which
    a pronoun or the previous speaker may stand for ("Il précise" for "ministère russe de la Défense")."""
    if speaker.get("resolution") == "organisation" and name_gender(speaker.get("name")) is None:
        return True
    words = (speaker.get("name") or "").split()
    return bool(words) and words[0][:1].islower() and fold(words[0]) in {fold(n) for n in _NOT_PERSON_NOUNS}


def names_role(span) -> bool:
    """Whether the speaker's words are a listed role noun with a gendered determiner, which names one
    person even when the resolver took the phrase for an organisation: "le DTN de la natation", "la
    PDG du groupe" (not "le syndicat", not "son porte-parole")."""
    if span is None or len(span) < 2 or span[0].lower_ not in _DET:
        return False
    noun = next((t for t in span[1:4] if t.pos_ != "ADJ"), None)
    return noun is not None and _is_listed_role(noun) and role_noun_gender(span) is not None


def _is_role_noun(noun) -> bool:
    """Whether ``noun`` may be a person's role noun whose gender is the person's ("ministre", "avocate")."""
    text = noun.text
    return (
        noun.pos_ in ("NOUN", "ADJ", "PROPN")
        and (text[:1].islower() or (text.isupper() and fold(text) in role_nouns()))
        and text.replace("-", "").isalpha()
        and fold(noun.lemma_ or text) not in _FIXED_GENDER_NOUNS
        and fold(text) not in _FIXED_GENDER_NOUNS
        and "Number=Plur" not in str(noun.morph)
    )


def _noun_phrase_gender(determiner, adjectives, noun) -> tuple[str | None, bool]:
    """``(gender, from_determiner)`` of a singular role-noun phrase: its determiner's, else its form's.

    "la ministre" (F, determiner), "l'ancienne ministre" (F, the adjective's form), "son avocat" (M,
    form), "son porte-parole" (None: epicene, the determiner says nothing).
    """
    if not _is_role_noun(noun):
        return None, False
    if determiner is not None and determiner.lower_ in _DET:
        return _DET[determiner.lower_], True
    if determiner is not None and determiner.pos_ == "DET" and "Number=Plur" in str(determiner.morph):
        return None, False
    for word in (*adjectives, noun):
        gender = _form_gender(word)
        if gender:
            return gender, False
    return None, False


def role_noun_gender(span) -> str | None:
    """The gender of a role noun opening the speaker's phrase, from its determiner or its form.

    "la ministre", "le juge", "cette avocate", "sa porte-parole" give F, M, F, F; "son
    porte-parole", "l'expert", "une source" give None ("une source" is feminine by grammar only,
    the conventions count it unknown; an inflected feminine such as "l'avocate" gives F). A
    capitalised word is a name, not a role noun ("la Drees", "le Portugal").
    """
    if span is None or len(span) < 2 or len(span) > 8:
        return None
    tokens = list(span)
    if tokens[0].pos_ != "DET" and tokens[0].lower_ not in _DET and tokens[0].lower_ not in ("l'", "l’", "son", "leur"):
        return None
    adjectives = []
    k = 1
    while k < min(len(tokens), 4) and tokens[k].pos_ == "ADJ" and k + 1 < len(tokens) and tokens[k + 1].pos_ == "NOUN":
        adjectives.append(tokens[k])  # "l'ancienne ministre"
        k += 1
    noun = next((t for t in tokens[k:4] if t.pos_ in ("NOUN", "ADJ", "PROPN")), None)
    if noun is None or (noun.pos_ == "PROPN" and not _is_listed_role(noun)):
        return None  # "la Drees", "le Portugal": a name, not a role noun
    if fold(noun.lemma_ or noun.text) in _NAMED_THING_NOUNS:
        return None
    after = span.doc[noun.i + 1] if noun.i + 1 < len(span.doc) else None
    if (
        after is not None
        and after.lower_ in ("de", "d'", "d’")
        and noun.i + 2 < span.end
        and span.doc[noun.i + 2].pos_ == "PROPN"
        and tokens[0].lower_ not in _DET
    ):
        return None  # "l'hypothèse de Stephen Smith": the noun is not the person
    return _noun_phrase_gender(tokens[0], adjectives, noun)[0]


# Masculine endings of nouns whose feminine differs (député/députée, avocat/avocate,
# directeur/directrice, président/présidente): without a gendered determiner, such a form is a man.
# Nouns ending in -e (ministre, juge, porte-parole, journaliste) are epicene and say nothing.
_MASCULINE_ENDINGS = ("é", "eur", "ien", "ier", "ant", "ent", "at", "ais", "ois", "ain", "in", "if", "al", "ef")
_FOLDED_MASCULINE_ENDINGS = tuple(fold(ending) for ending in _MASCULINE_ENDINGS)


def _form_gender(noun) -> str | None:
    """The gender a role noun shows by its own form, without a determiner ("l'avocate", "député")."""
    lower = noun.lower_
    bare = _unprefixed(lower)
    if bare != lower:
        return _prefixed_form_gender(bare, str(noun.morph))
    if "Number=Plur" in str(noun.morph) or lower.endswith(("s", "x")) or not lower.isalpha():
        return None
    # "l'avocate", "son épouse", "l'ancienne": visibly inflected for the feminine (not "économiste").
    if "Gender=Fem" in str(noun.morph) and fold(lower) != fold(noun.lemma_ or lower) and lower.endswith("e"):
        return "F"
    if lower.endswith(_MASCULINE_ENDINGS) and "Gender=Fem" not in str(noun.morph):
        return "M"
    return None


# Prefixes of role nouns and adjectives: "l'ex-premier ministre", "la vice-présidente", "l'ex-députée".
_ROLE_PREFIXES = ("ex-", "vice-", "co-", "sous-")


def _unprefixed(word: str) -> str:
    """The word without a role prefix ("ex-premier" -> "premier"), or the word itself."""
    for prefix in _ROLE_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            return word[len(prefix) :]
    return word


def _prefixed_form_gender(bare: str, morph: str) -> str | None:
    """The gender of a prefixed role word by its bare form: "ex-premier", "ex-député" (M);
    "ex-présidente", "vice-présidente", "ex-première" (F: a masculine form plus "e"; the parser
    gives such words themselves as lemma, so the lemma cannot tell)."""
    if "Number=Plur" in morph or bare.endswith(("s", "x")) or not bare.isalpha():
        return None
    if "Gender=Fem" in morph and bare.endswith("e") and fold(bare[:-1]).endswith(_FOLDED_MASCULINE_ENDINGS):
        return "F"
    if bare.endswith(_MASCULINE_ENDINGS) and "Gender=Fem" not in morph:
        return "M"
    return None


def apposition_gender(span) -> str | None:
    """The gender of a role noun in apposition after the speaker's name ("X, député socialiste, a dit")."""
    if span is None or len(span) == 0:
        return None
    doc = span.doc
    comma = next((t for t in span if t.text == ","), None)
    k = comma.i + 1 if comma is not None else span.end + 1
    if comma is None and not (span.end < len(doc) and doc[span.end].text == ","):
        return None
    if k < len(doc) and doc[k].lower_ in _DET:
        return role_noun_gender(doc[k : min(len(doc), k + 3)])
    if k < len(doc) and doc[k].pos_ == "NOUN":
        return _form_gender(doc[k])
    return None


def _participle_gender(token) -> str | None:
    """The gender a participle or adjective shows by its ending and morphology (singular only)."""
    morph = str(token.morph)
    if "Number=Plur" in morph or token.lower_.endswith(("s", "x")):
        return None
    if "Gender=Fem" in morph and token.lower_.endswith("e"):
        return "F"
    if "Gender=Masc" in morph and not token.lower_.endswith("e"):
        return "M"
    return None


def agreement_gender(span) -> str | None:
    """The gender shown by agreement with the speaker in their own clause.

    A participle or adjective that agrees with the subject: after "être" ("elle s'est dite
    inquiète", "X s'est montré prudent"), or a detached participle opening the sentence and
    governed by the speaker's verb ("Interrogée, X a répondu"). Participles after "avoir" do not
    agree with the subject and are ignored.
    """
    if span is None or len(span) == 0:
        return None
    root = span.root
    if root.dep_ not in ("nsubj", "nsubj:pass"):
        return None
    verb = root.head
    found: set[str] = set()
    auxiliaries = [child for child in verb.children if child.dep_ in ("aux:tense", "aux:pass", "aux", "cop")]
    with_etre = any(fold(aux.lemma_) == "etre" for aux in auxiliaries)
    if with_etre and verb.pos_ in ("VERB", "ADJ") and "VerbForm=Part" in str(verb.morph) or verb.pos_ == "ADJ":
        gender = _participle_gender(verb)
        if gender:
            found.add(gender)
    for child in verb.children:
        if child.i in range(span.start, span.end):
            continue
        # "s'est dite inquiète": the attribute of the subject; "Interrogée, X a dit": a detached participle.
        detached = (
            child.dep_ in ("advcl", "acl", "amod") and child.i < span.start and "VerbForm=Part" in str(child.morph)
        )
        attribute = child.dep_ in ("xcomp", "obl:arg") and child.pos_ == "ADJ"
        if detached or attribute:
            gender = _participle_gender(child)
            if gender:
                found.add(gender)
    return found.pop() if len(found) == 1 else None


# --- evidence around one mention of a name ------------------------------------------------------

_BREAKS = frozenset({"VERB", "AUX", "PRON", "SCONJ", "CCONJ", "PUNCT"})
_OF = frozenset({"de", "d'", "d’", "du", "des"})
# Words between a name and the participle or attribute that agrees with it ("X ne s'est pas dite").
_AGREEMENT_GAPS = frozenset(
    {"ne", "n'", "n’", "s'", "s’", "se", "pas", "plus", "très", "plutôt", "aussi", "bien", "déjà"}
)
_SAYING_PARTICIPLES = frozenset(
    fold(w) for w in "dit dite montré montrée déclaré déclarée avoué avouée voulu voulue".split()
)


def _title_before(doc, start: int) -> str | None:
    """M., Mme just before a name."""
    return title_gender([doc[start - 1].text]) if start > 0 else None


@lru_cache(maxsize=1)
def role_nouns() -> frozenset[str]:
    """The person nouns of ``guillemet/data/role_nouns.txt``, folded."""
    text = (resources.files("guillemet") / "data" / "role_nouns.txt").read_text(encoding="utf-8")
    return frozenset(fold(w) for line in text.splitlines() if not line.startswith("#") for w in line.split())


# Endings of nouns that name people by trade or belief, for the nouns the list lacks: "perchiste",
# "toxicologue", "sociologue", "exploratrice", "basketteuse", "pharmacienne" (long enough not to be
# "liste", "piste").
_ROLE_ENDINGS = ("iste", "logue", "trice", "euse", "ienne")


def _is_listed_role(noun) -> bool:
    """Whether a noun names a person's role: listed in role_nouns.txt, or of a person noun's ending."""
    folded = fold(noun.text)
    if folded in role_nouns() or fold(noun.lemma_ or noun.text) in role_nouns():
        return True
    if fold(_unprefixed(noun.lower_)) in role_nouns():
        return True  # "l'ex-président", "la vice-présidente"
    return len(folded) >= 8 and folded.endswith(_ROLE_ENDINGS) and noun.text[:1].islower()


def _role_strength(noun) -> int | None:
    """How far a noun next to a name is the person's role: listed (``RANK_DETERMINER``), unknown
    (``RANK_READING``: "le colistier de Donald Trump, JD Vance"), a thing or a time (None)."""
    if _is_listed_role(noun):
        return RANK_DETERMINER
    if fold(noun.lemma_ or noun.text) in _NAMED_THING_NOUNS or fold(noun.text) in _NAMED_THING_NOUNS:
        return None
    return RANK_READING


def _clause_start(doc, i: int) -> bool:
    """Whether token ``i`` opens a noun phrase standing on its own: at a sentence's start or after , « ( :"""
    return (
        i == 0 or doc[i].is_sent_start or doc[i - 1].text in (",", "«", "(", ":", "—", "–", "\n") or doc[i - 1].is_space
    )


def _role_before(doc, start: int) -> tuple[str | None, int | None]:
    """The role noun phrase just before a name: "la ministre Claire X", "Le président chinois, Xi Jinping",
    "…, la ministre de la Culture, Fleur Pellerin"; not "la fille de Paul X", "la loi Macron" nor
    "Tout au long de sa campagne, Donald Trump".

    Without a comma the role noun (and its adjectives) touches the name and its determiner touches
    the noun. With one, the phrase before it stands on its own (at a clause's start) and its head,
    the noun after its first determiner, is a listed role noun; complements ("de la Culture") may follow.
    """
    i = start - 1
    comma = i >= 0 and doc[i].text == ","
    if comma:
        i -= 1
    if i < 0 or doc[i].pos_ in ("ADP", "DET") or doc[i].lower_ in _OF:
        return None, None
    if not comma:
        j = i
        while j >= 0 and doc[j].pos_ == "ADJ" and doc[j].text[:1].islower():
            j -= 1
        if j < 0 or doc[j].pos_ != "NOUN" or not _is_listed_role(doc[j]):
            return None, None  # "le cabinet Dentons", "le groupe X": a listed role noun only
        noun, k = doc[j], j - 1
    else:
        # Back to the phrase's own determiner, through its complements ("de la Culture", "du navire").
        j = i
        while j >= max(0, i - 10) and not (
            doc[j].pos_ == "DET" and (j == 0 or (doc[j - 1].lower_ not in _OF and doc[j - 1].pos_ != "ADP"))
        ):
            if doc[j].pos_ in _BREAKS or (doc[j].pos_ == "ADP" and doc[j].lower_ not in _OF):
                return None, None
            j -= 1
        if j < max(0, i - 10) or not _clause_start(doc, j):
            return None, None
        k = j + 1
        while k < i and doc[k].pos_ == "ADJ":
            k += 1
        if doc[k].pos_ != "NOUN" or _role_strength(doc[k]) is None:
            return None, None
        noun, k = doc[k], j
    adjectives = []
    m = noun.i - 1
    while m > k and doc[m].pos_ == "ADJ":
        adjectives.insert(0, doc[m])
        m -= 1
    if not comma:
        k = m
    determiner = doc[k] if k >= 0 and (doc[k].pos_ == "DET" or doc[k].lower_ in _DET) else None
    if determiner is None and not comma:
        return None, None  # "met en garde économiste X": no phrase of its own
    return _ranked(determiner, adjectives, noun)


def _ranked(determiner, adjectives, noun) -> tuple[str | None, int | None]:
    """``(gender, rank)`` of a role noun phrase next to a name: a listed noun's gendered determiner
    ranks ``RANK_DETERMINER``, any other reading ``RANK_READING``."""
    gender, from_determiner = _noun_phrase_gender(determiner, adjectives, noun)
    if gender is None:
        return None, None
    return gender, _role_strength(noun) if from_determiner else RANK_READING


def _role_after(doc, start: int, end: int) -> tuple[str | None, int | None]:
    """The role noun phrase in apposition after a name ("X, la maire de Lille,", "X, député socialiste,"),
    or its attribute ("X est une architecte"); not the subject of the next clause ("Avec X, la
    menace est permanente") nor after a name that completes a noun ("Sur un centre de X, le ballon").
    """
    if end >= len(doc) or (start > 0 and doc[start - 1].lower_ in _OF):
        return None, None
    k = end
    if doc[k].text == ",":
        k += 1
    elif (
        doc[k].pos_ == "AUX"
        and fold(doc[k].lemma_) == "etre"
        and k + 1 < len(doc)
        and doc[k + 1].lower_ in ("un", "une")
    ):
        k += 1
    else:
        return None, None
    determiner = doc[k] if k < len(doc) and doc[k].pos_ == "DET" else None
    if determiner is not None:
        k += 1
    adjectives = []
    while k < len(doc) and doc[k].pos_ == "ADJ" and k + 1 < len(doc) and doc[k + 1].pos_ == "NOUN":
        adjectives.append(doc[k])
        k += 1
    if k >= len(doc) or doc[k].pos_ != "NOUN" or _role_strength(doc[k]) is None:
        return None, None
    following = next((t for t in doc[k + 1 : k + 4] if t.pos_ != "ADJ"), None)
    if following is not None and (following.pos_ == "AUX" or "VerbForm=Fin" in str(following.morph)):
        return None, None
    return _ranked(determiner, adjectives, doc[k])


def _agreement_after(doc, start: int, end: int) -> str | None:
    """A participle or attribute agreeing with the name as subject: "X s'est dite inquiète", "X a été élue".

    Not when the name completes a noun ("la loi Garnier a été votée", "l'avocat de X est parti").
    """
    if start > 0 and doc[start - 1].pos_ in ("NOUN", "ADJ", "DET", "ADP", "PROPN"):
        return None
    k, etre = end, False
    while k < min(len(doc), end + 4):
        token = doc[k]
        if token.lower_ in _AGREEMENT_GAPS:
            k += 1
            continue
        if token.pos_ == "AUX":
            etre = etre or fold(token.lemma_) == "etre"
            k += 1
            continue
        break
    if not etre or k >= len(doc):
        return None
    word = doc[k]
    if fold(word.lower_) in _SAYING_PARTICIPLES and k + 1 < len(doc) and doc[k + 1].pos_ in ("ADJ", "VERB"):
        # "s'est dite satisfaite": the attribute agrees as well; both must say the same.
        first, second = _participle_gender(word), _participle_gender(doc[k + 1])
        return first if first == second or second is None else second if first is None else None
    if word.pos_ in ("VERB", "ADJ") and ("VerbForm=Part" in str(word.morph) or word.pos_ == "ADJ"):
        return _participle_gender(word)
    return None


def _detached_before(doc, start: int) -> str | None:
    """A participle opening the sentence and detached before the name: "Interrogée par l'AFP, X a dit"."""
    if start < 2 or doc[start - 1].text != ",":
        return None
    sentence = doc[start].sent
    first = sentence[0]
    if first.i >= start - 1 or first.pos_ not in ("VERB", "ADJ") or "VerbForm=Part" not in str(first.morph):
        return None
    if any(t.text == "," for t in doc[first.i : start - 1]):
        return None
    return _participle_gender(first)


def first_name_across_break(doc, start: int) -> str | None:
    """The gender of a first name ending the line before a surname: "a indiqué que François\nFillon".

    Hard-wrapped copy cuts names at a line break, and the name then reads as a surname alone. Only a
    first name the project's list or gender-guesser is sure of counts ("Dominique" does not), and only
    across a line break: a capitalised word before a name on the same line is no part of it ("Selon").
    """
    i = start - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0:
        return None
    # The text between the two words, from their tokens: ``Doc.text`` is rebuilt from every token
    # of the article on each access, which made this cost grow with mentions times tokens.
    between = doc[i].whitespace_ + "".join(t.text_with_ws for t in doc[i + 1 : start])
    if "\n" not in between:
        return None
    word = doc[i].text
    if not (word[:1].isupper() and word[1:].islower() and word.replace("-", "").isalpha()):
        return None
    gender, sure = first_name_evidence(word)
    return gender if sure else None


_EMPHATIC = {"lui-même": "M", "elle-même": "F", "lui-meme": "M", "elle-meme": "F"}


def _pronoun_after(doc, end: int) -> str | None:
    """A pronoun that can only be the name's: "X lui-même", "X est quant à elle", "X, elle, …"."""
    window = [t.lower_ for t in doc[end : min(len(doc), end + 5)]]
    if window and window[0] in _EMPHATIC:
        return _EMPHATIC[window[0]]
    if window[:3] in ([",", "elle", ","], [",", "lui", ","]):
        return _PRONOUN[window[1]]
    for k in range(len(window) - 2):
        if window[k] in (".", ";", "«", "»", ":"):
            break
        if window[k] == "quant" and window[k + 1] in ("à", "a") and window[k + 2] in ("elle", "lui"):
            return _PRONOUN[window[k + 2]]
    return None


def mention_evidence(doc, start: int, end: int, own: bool) -> list[Evidence]:
    """The evidence around one mention of a name (tokens ``start:end``).

    ``own``: the mention is the speaker's words, whose title and determiners rank first;
    another mention's rank after them (``RANK_TITLE``, ``RANK_DETERMINER``), reported as "cluster".
    """
    found = []
    at = doc[start].idx
    title = _title_before(doc, start)
    if title:
        found.append(Evidence(title, "title" if own else "cluster", RANK_MENTION if own else RANK_TITLE, at))
    for gender, rank in (_role_before(doc, start), _role_after(doc, start, end)):
        if gender:
            rank = RANK_MENTION if own and rank == RANK_DETERMINER else rank
            found.append(Evidence(gender, "role_noun" if own else "cluster", rank, at))
    first = first_name_across_break(doc, start)
    if first:
        found.append(Evidence(first, "first_name", RANK_FIRST_NAME, at))
    pronoun = _pronoun_after(doc, end)
    if pronoun:
        found.append(Evidence(pronoun, "pronoun" if own else "cluster", RANK_MENTION if own else RANK_DETERMINER, at))
    for gender in (_agreement_after(doc, start, end), _detached_before(doc, start)):
        if gender:
            found.append(Evidence(gender, "agreement" if own else "cluster", RANK_READING, at))
    return found


# --- the first name -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _detector():
    import gender_guesser.detector

    return gender_guesser.detector.Detector(case_sensitive=False)


_GUESSER = {"male": "M", "mostly_male": "M", "female": "F", "mostly_female": "F"}
# Particles and determiners inside names: never a first name ("Le Drian", "de Villepin").
_NAME_PARTICLES = frozenset(
    {"le", "la", "les", "l", "de", "du", "des", "d", "van", "von", "der", "den", "al", "el", "ben"}
)


def first_name_evidence(word: str) -> tuple[str | None, bool]:
    """``(gender, sure)`` of a first name: the project's list (sure), then gender-guesser's dictionary.

    gender-guesser is asked for France first ("Joan" is mostly a man's name there, a woman's in
    English), then across its countries; its "mostly_" answers are not sure, "andy" and "unknown"
    give None. A name spelt with a diaeresis it lacks ("Leïla") is looked up without it.
    """
    gender = first_name_gender(word)
    if gender:
        return {"Masc": "M", "Fem": "F"}.get(gender), True
    detector = _detector()
    first = word.split("-")[0]
    for candidate in dict.fromkeys((first, fold(first).capitalize())):
        for answer in (detector.get_gender(candidate, "france"), detector.get_gender(candidate)):
            if answer in _GUESSER:
                return _GUESSER[answer], not answer.startswith("mostly")
    return None, False


# East Asian family names, written first ("Kim Jong-un", "Lin Jian", "Nguyen Van An"): the
# dictionary reads some as Western first names ("Kim", "Lin" as women's), so they give nothing.
_FAMILY_NAMES_FIRST = frozenset(
    """kim lee park choi jung kang cho yoon moon lim jang han lin wang li zhang liu chen yang huang zhao wu zhou xu
    sun ma zhu hu guo gao luo zheng liang xie tang cao deng xiao feng mao xi tsai lai nguyen tran le pham hoang vo
    dang bui do ho ngo duong ly""".split()
)


# Particles that open a name as a first name: "Ben Bernanke" ("Ben Ali", "Ben Laden": the "son of"
# of an Arabic patronym, a man's name as well); inside a name they stay particles ("Leïla Ben Ali").
_OPENING_FIRST_NAMES = frozenset({"ben"})


def name_words(name: str) -> list[str]:
    """The capitalised words of a name that may be a first name or a surname: no title ("M.", "Me"),
    no particle or determiner ("de", "Le"), except a particle that is also a first name opening the
    name ("Ben Bernanke")."""
    words = []
    for k, word in enumerate(name.split()):
        folded = fold(word).strip(".'’")
        if not word[:1].isupper() or fold(word).rstrip(".") in _TITLE or folded == "me":
            continue
        if folded in _NAME_PARTICLES and not (k == 0 and folded in _OPENING_FIRST_NAMES and len(name.split()) > 1):
            continue
        words.append(word)
    return words


def name_gender(name: str | None) -> str | None:
    """The usual gender of a person's first name (the first capitalised word of a name of two or more).

    A surname alone ("Martin", "Laurent") says nothing; titles, particles and determiners are not
    names ("le Portugal", "Le Canard"); nor is an East Asian family name written first ("Kim Jong-un"). When the first name is only mostly of one gender and a
    second given name is of the other ("Joan Jesús" read in English), the answer is None.
    """
    if not name:
        return None
    words = name_words(name)
    if len(words) < 2 or fold(words[0]) in _FAMILY_NAMES_FIRST:
        return None
    gender, sure = first_name_evidence(words[0])
    if gender and not sure and len(words) > 2:
        second, second_sure = first_name_evidence(words[1])
        if second and second != gender and second_sure:
            return None
    return gender


# --- the person named -----------------------------------------------------------------------------


def _persons(name: str | None, people: PeopleIndex | None, memo: dict) -> list:
    """The people of the article the speaker's name stands for: the one of that name, else those whose
    name holds all its words ("Fillon" for "François Fillon"). Looked up in indexes built once per
    article (in ``memo``), so that the cost does not grow with speakers times people."""
    if not name or people is None:
        return []
    if "by_name" not in memo:
        memo["by_name"], memo["by_word"] = {}, {}
        for person in people.people:
            memo["by_name"].setdefault(person.name, []).append(person)
            for word in {fold(t) for t in person.tokens}:
                memo["by_word"].setdefault(word, []).append(person)
    if name in memo["by_name"]:
        return memo["by_name"][name]
    key = {fold(w) for w in name.split()}
    if not key:
        return []
    fewest = min((memo["by_word"].get(word, []) for word in key), key=len)
    return [p for p in fewest if key <= {fold(t) for t in p.tokens}]


def _mention_tokens(doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def _reading(doc, start: int, end: int, own: bool, memo: dict) -> Counter:
    """The evidence around one mention (character offsets), counted, read once per article."""
    key = ("mention", start, end, own)
    if key not in memo:
        tokens = _mention_tokens(doc, start, end)
        found = mention_evidence(doc, *tokens, own=own) if tokens else []
        memo[key] = Counter(dataclasses.replace(e, at=None) for e in found)
    return memo[key]


def _person_votes(person, people: PeopleIndex, memo: dict) -> Counter:
    """The evidence about one person read at all their mentions (none taken as the speaker's own),
    and their first name, counted; built once per article."""
    key = ("person", person.id)
    if key not in memo:
        votes: Counter = Counter()
        for start, end in person.mentions:
            votes.update(_reading(people.doc, start, end, False, memo))
        gender = name_gender(person.name)
        if gender:
            votes[Evidence(gender, "first_name", RANK_FIRST_NAME)] += 1
        votes.update(memo.get("discourse", {}).get(person.id, ()))
        memo[key] = votes
        memo[("starts", person.id)] = sorted(person.mentions)
    return memo[key]


def person_evidence(
    name: str | None, people: PeopleIndex | None, own: tuple[int, int] | None = None, memo: dict | None = None
) -> Counter:
    """The evidence about the person of that name, counted: around each of their mentions, then the first name.

    ``own``: the speaker's character span; a mention inside it is the speaker's own (see
    ``mention_evidence``). Several people for one name ("Sarkozy" for Nicolas and Cécilia) each
    give their evidence, so that a disagreement between them ends in None. ``memo``: a dict kept
    for one article: each person's evidence is counted once, and a quote only swaps the readings of
    the mentions inside its speaker's words, so the cost does not grow with quotes times mentions.
    """
    memo = {} if memo is None else memo
    votes: Counter = Counter()
    persons = memo.get(("persons", name))
    if persons is None:
        persons = memo[("persons", name)] = _persons(name, people, memo)
    for person in persons:
        votes.update(_person_votes(person, people, memo))
        if own is None:
            continue
        mentions = memo[("starts", person.id)]
        k = bisect_left(mentions, (own[0], -1))
        while k < len(mentions) and mentions[k][0] < own[1]:
            start, end = mentions[k]
            if end <= own[1]:
                votes.subtract(_reading(people.doc, start, end, False, memo))
                votes.update(_reading(people.doc, start, end, True, memo))
            k += 1
    if not persons:
        gender = name_gender(name)
        if gender:
            votes[Evidence(gender, "first_name", RANK_FIRST_NAME)] += 1
    return +votes


# --- the person a definite description takes up ------------------------------------------------

# How far (characters) a definite description subject may stand from the turn of the person it takes up.
DESCRIPTION_REACH = 250
# Role nouns that name someone by their tie to another ("l'avocat", "le fils", "son adversaire", "le
# juge" of a defendant): after a person's turn they are rather someone else than that person.
_RELATIONAL_NOUNS = frozenset(
    fold(word)
    for word in """avocat avocate conseiller conseillère porte-parole père mère mari époux épouse femme homme fils
    fille frère sœur soeur oncle tante cousin cousine neveu nièce grand-père grand-mère veuf veuve compagnon
    compagne ami amie collègue collaborateur collaboratrice associé associée partenaire allié alliée rival rivale
    adversaire successeur prédécesseur héritier héritière interlocuteur interlocutrice proche voisin voisine juge
    magistrat magistrate procureur procureure policier policière gendarme médecin chirurgien chirurgienne
    infirmier infirmière patient patiente dernier dernière ténor observateur observatrice""".split()
)


# How many tokens a line-opening noun phrase may run before its verb ("Le journaliste du « Nouvel
# Observateur » a été entendu").
LINE_SUBJECT_TOKENS = 8


def _opens_line_as_subject(doc, noun) -> bool:
    """Whether a noun opening a line after its determiner and adjectives is the subject of the first
    finite verb after it, with no comma between, which the parser may miss across a headline's
    line break (hard-wrapped dispatches parse as one sentence with their headline)."""
    k = noun.i - 1
    while k >= 0 and doc[k].pos_ == "ADJ":
        k -= 1
    if k < 1 or doc[k].pos_ != "DET" or not (doc[k - 1].is_space and "\n" in doc[k - 1].text):
        return False
    for token in doc[noun.i + 1 : noun.i + 1 + LINE_SUBJECT_TOKENS]:
        if token.pos_ in ("VERB", "AUX") and "VerbForm=Fin" in str(token.morph):
            return True
        if token.pos_ in ("VERB", "AUX", "PRON", "SCONJ", "CCONJ") or token.text in (",", ".", ";", ":", "(", "\n"):
            return False
    return False


def _description_subject(doc, noun) -> tuple[int, str] | None:
    """``(start, gender)`` of a definite singular role description that is a subject and names nobody:
    "Le journaliste du « Nouvel Observateur » a été entendu", "l'ex-premier ministre a signé"."""
    if not noun.text[:1].islower() or not _is_listed_role(noun):
        return None
    if noun.dep_ not in ("nsubj", "nsubj:pass") and not _opens_line_as_subject(doc, noun):
        return None
    if fold(noun.lemma_ or noun.text) in _RELATIONAL_NOUNS or fold(noun.text) in _RELATIONAL_NOUNS:
        return None
    determiner = next((c for c in noun.children if c.dep_ == "det"), None)
    if determiner is None or determiner.lower_ not in ("le", "la", "l'", "l’") or determiner.i > noun.i:
        return None
    adjectives = list(doc[determiner.i + 1 : noun.i])
    if any(t.pos_ != "ADJ" for t in adjectives):
        return None
    if any(t.pos_ == "PROPN" and t.ent_type_ == "PER" for t in noun.subtree):
        return None  # "le ministre Paul X", "le porte-parole de Paul X": the name says who
    gender, _ = _noun_phrase_gender(determiner, adjectives, noun)
    return (determiner.idx, gender) if gender else None


_IMPERSONAL_VERBS = frozenset(
    fold(word)
    for word in """falloir agir sembler paraître apparaître exister rester demeurer manquer suffire importer
    convenir arriver valoir pleuvoir neiger advenir ressortir avérer trouver passer produire aller faire pouvoir
    être""".split()
)


def _pronoun_subject(doc, token) -> tuple[int, str] | None:
    """``(start, gender)`` of "il" / "elle" as a clause's personal subject: not "il faut", "il y a",
    "il est possible que" (an impersonal "il")."""
    if token.dep_ not in ("nsubj", "nsubj:pass", "expl:subj") or token.lower_ not in ("il", "elle"):
        return None  # "expl:subj": the parser reads some personal "il" as expletive ("Il estime que")
    verb = token.head
    if token.lower_ == "il" and (
        verb.pos_ not in ("VERB", "AUX")
        or fold(verb.lemma_) in _IMPERSONAL_VERBS
        or any(child.lower_ in ("y", "se", "s'", "s’", "en") for child in verb.children)
    ):
        return None
    return token.idx, _PRONOUN[token.lower_]


def _other_referent_between(doc, start: int, stop: int, gender: str, own: list[tuple[int, int]]) -> bool:
    """Whether something else the pronoun may stand for lies between the person's turn and it: a
    singular noun or name of its grammatical gender, no role noun and not a preposition's object
    ("Paul X a présenté la réforme. Elle prévoit" is the reform), or another person's name.
    ``own``: the person's mentions."""
    span = doc.char_span(start, stop, alignment_mode="expand")
    if span is None:
        return True
    wanted = {"F": "Fem", "M": "Masc"}[gender]
    for token in span:
        if token.pos_ not in ("NOUN", "PROPN") or any(a <= token.idx < b for a, b in own):
            continue
        if token.ent_type_ == "PER":
            return True
        if "Number=Plur" in str(token.morph) or any(child.dep_ == "case" for child in token.children):
            continue  # a plural, or a preposition's object ("de l'université de Lyon")
        if wanted in token.morph.get("Gender") and not (token.pos_ == "NOUN" and _is_listed_role(token)):
            return True
    return False


def description_votes(people: PeopleIndex, quotes: Iterable[Quote]) -> dict[int, Counter]:
    """What definite role descriptions and subject pronouns say of the person whose turn they follow,
    per person id.

    News copy takes up the person it has just named or quoted by a description or a pronoun: "Airy
    Routier affirme ne pas avoir vu le SMS… Le journaliste du « Nouvel Observateur » a été entendu";
    "« … », selon Dominique de Villepin. … l'ex-premier ministre a signé"; "« … », a dit l'économiste
    Eswar Prasad. Il estime". A turn is a mention of the person as a subject or apposition outside
    any quote, or the end of a quote given to them; the description (``_description_subject``) or
    pronoun (``_pronoun_subject``) is a clause's subject after the last turn, at most
    ``DESCRIPTION_REACH`` characters on, outside quotes. A description the people index already
    ties to someone, a noun of a tie to another (``l'avocat``), a pronoun with a noun of its gender
    since the turn, and a person whose own votes say the other gender give nothing. Read at
    ``RANK_DISCOURSE``: it only fills what nothing else says.
    """
    doc = people.doc
    quotes = list(quotes)
    spans = sorted({(q.start, q.end) for q in quotes if q.end > q.start} | set(people.quoted))
    starts = [start for start, _ in spans]
    reach = [0] * len(spans)  # the furthest end among the spans up to each one (spans may nest)
    for k, (_, end) in enumerate(spans):
        reach[k] = max(end, reach[k - 1] if k else 0)

    def inside(offset: int) -> bool:
        k = bisect_left(starts, offset + 1) - 1
        return k >= 0 and offset < reach[k]

    turns = []
    for person in people.people:
        turns += [(start, person.id) for start in person.salient if not inside(start)]
    memo: dict = {}
    for quote in quotes:
        found = _persons((quote.speaker or {}).get("name"), people, memo)
        if len(found) == 1:
            turns.append((quote.end, found[0].id))
    turns.sort()
    turn_starts = [at for at, _ in turns]
    anaphors = [
        (found, doc[index])
        for index in token_indices(doc, "POS", ("NOUN", "PRON"))
        if (found := (_description_subject if doc[index].pos_ == "NOUN" else _pronoun_subject)(doc, doc[index]))
    ]
    votes: dict[int, Counter] = {}
    for (at, gender), token in anaphors:
        k = bisect_left(turn_starts, at) - 1
        if inside(at) or k < 0 or at - turns[k][0] > DESCRIPTION_REACH:
            continue
        person = people.people[turns[k][1]]
        if {"F": "Fem", "M": "Masc"}[gender] != person.gender and person.gender is not None:
            continue
        if token.pos_ == "NOUN":
            described = people.by_descriptor(token.lemma_, None, at)
            if described is not None and described is not person:
                continue
        elif _other_referent_between(doc, turns[k][0], at, gender, person.mentions):
            continue
        votes.setdefault(person.id, Counter())[Evidence(gender, "cluster", RANK_DISCOURSE)] += 1
    return votes


def decide(evidence: Iterable[Evidence] | Mapping[Evidence, int]) -> Evidence | None:
    """The policy, strongest rank first; None when the evidence disagrees or is absent.

    ``evidence``: pieces of evidence, or pieces and how many times each was read. The speaker's own
    words (rank 1) decide if they agree, and give None if they disagree: the parse or the speaker
    is doubtful. At a lower rank the votes decide if one gender has at least ``MAJORITY`` times the
    other's; a closer split is settled by the first weaker rank that takes one side of it, and is
    None otherwise (a true conflict).
    """
    counts = evidence if isinstance(evidence, Mapping) else Counter(evidence)
    contested = False
    for rank in sorted({e.rank for e, n in counts.items() if n > 0}):
        at_rank = [(e, n) for e, n in counts.items() if e.rank == rank and n > 0]
        votes = {g: sum(n for e, n in at_rank if e.gender == g) for g in ("F", "M")}
        leader = max(votes, key=votes.get)
        other = "M" if leader == "F" else "F"
        chosen = next(e for e, _ in at_rank if e.gender == leader)
        if contested:
            # An earlier split: this rank may only take one side of it.
            if votes[other] == 0:
                return chosen
            continue
        if votes[other] == 0:
            return chosen
        if rank == RANK_MENTION:
            return None
        if votes[leader] >= MAJORITY * votes[other]:
            return chosen
        contested = True
    return None


def _indefinite_name_gender(span) -> str | None:
    """The gender of "un"/"une" before a name in the speaker's phrase: "glisse un Sarkozy vexé"."""
    if span is None or len(span) < 2 or span[0].lower_ not in ("un", "une") or span[1].pos_ != "PROPN":
        return None
    return _DET[span[0].lower_] if span[1].text[:1].isupper() else None


def _span(doc, speaker: dict):
    start, end = speaker.get("start"), speaker.get("end")
    if start is None or end is None or end <= start:
        return None
    return doc.char_span(start, end, alignment_mode="expand")


def own_words_evidence(speaker: dict | None, doc) -> Counter | None:
    """The evidence in the speaker's own words (title, pronoun, role noun, agreement, apposition),
    counted, or None when the speaker is no single person."""
    if not speaker:
        return None
    span = _span(doc, speaker) if doc is not None else None
    if is_plural(span) or is_not_person(span) or (is_organisation(speaker) and not names_role(span)):
        return None
    words = [t.text for t in span] if span is not None else (speaker.get("text") or "").split()
    evidence: Counter = Counter()
    # A gendered determiner ("la ministre", "le porte-parole") is as sure as a title; a noun's form
    # alone ("l'avocate") and agreement are readings of the parse.
    determined = bool(words) and fold(words[0]) in _DET
    for source, gender, rank in (
        ("title", title_gender(words), RANK_MENTION),
        ("pronoun", pronoun_gender(span), RANK_MENTION),
        ("role_noun", role_noun_gender(span), RANK_MENTION if determined else RANK_READING),
        ("agreement", agreement_gender(span), RANK_READING),
        ("role_noun", apposition_gender(span), RANK_READING),
        ("role_noun", _indefinite_name_gender(span), RANK_READING),
        ("first_name", first_name_across_break(doc, span.start) if span is not None else None, RANK_FIRST_NAME),
    ):
        if gender:
            evidence[Evidence(gender, source, rank)] += 1
    return evidence


def speaker_evidence(
    speaker: dict | None,
    doc,
    people: PeopleIndex | None = None,
    memo: dict | None = None,
    others: Counter | None = None,
) -> Counter | None:
    """All the evidence on one speaker's gender, counted, or None when the speaker is no single person.

    ``others``: what the other quotes of the same speaker say in their own words (``same_speaker_votes``).
    """
    evidence = own_words_evidence(speaker, doc)
    if evidence is None:
        return None
    span = _span(doc, speaker) if doc is not None else None
    own = (speaker.get("start"), speaker.get("end")) if span is not None else None
    evidence.update(person_evidence(speaker.get("name"), people, own, memo))
    if others:
        evidence.update(others)
    return evidence


def same_speaker_votes(quotes: Iterable[Quote], doc) -> list[Counter]:
    """For each quote, what the speaker's words of the article's other quotes by the same name say:
    "« … », a dit Julien Dray. « … », a ajouté le porte-parole du PS" (resolved to Dray) makes
    Dray a man; "un ténor de la droite" said it, and then said more (resolved to the previous speaker).

    Each distinct speaker phrase (its offsets) gives one vote, the gender its own words decide
    (``own_words_evidence``), reported as "cluster" at ``RANK_READING``: the speaker resolver may
    err, so these votes only settle what titles, determiners at names and first names leave open.
    Counted per name once, then each quote's own phrase taken off: linear in the quotes.
    """
    quotes = list(quotes)
    decided: list[tuple[str | None, tuple | None, str | None]] = []
    totals: dict[str, Counter] = {}
    seen: set[tuple] = set()
    for quote in quotes:
        speaker = quote.speaker or {}
        name = speaker.get("name")
        key = (speaker.get("start"), speaker.get("end")) if speaker.get("start") is not None else None
        gender = None
        if name and key is not None and (name, key) not in seen:
            seen.add((name, key))
            evidence = own_words_evidence(speaker, doc)
            chosen = decide(evidence) if evidence else None
            gender = chosen.gender if chosen else None
            if gender:
                totals.setdefault(name, Counter())[gender] += 1
        decided.append((name, key, gender))
    out = []
    own_gender = {(name, key): gender for name, key, gender in decided if gender}
    for name, key, _ in decided:
        votes = Counter(totals.get(name, Counter()))
        if (name, key) in own_gender:
            votes[own_gender[(name, key)]] -= 1
        out.append(Counter({Evidence(g, "cluster", RANK_READING): n for g, n in votes.items() if n > 0}))
    return out


def speaker_gender(
    speaker: dict | None,
    doc,
    people: PeopleIndex | None = None,
    memo: dict | None = None,
    others: Counter | None = None,
) -> tuple[str | None, str | None]:
    """``(gender, source)`` for one speaker dict; ``(None, None)`` when nothing settles it."""
    evidence = speaker_evidence(speaker, doc, people, memo, others)
    chosen = decide(evidence) if evidence else None
    return (chosen.gender, chosen.source) if chosen else (None, None)


def assign_genders(
    quotes: Iterable[Quote], doc, text: str | None = None, entities: tuple[Entity, ...] = ()
) -> tuple[Quote, ...]:
    """The quotes with ``speaker.gender`` and ``speaker.gender_source`` set (None when undecided).

    Args:
        quotes: The article's quotes, speakers resolved (and linked to entities, if ``entities``).
        doc: The article's spaCy parse.
        text: The string it was parsed from, if at hand.
        entities: The article's consolidated entities, if at hand (``clear_non_persons``). The
            pipeline's quote branch has the parse but not the entities: it calls this without
            them, and ``clear_non_persons`` once the two branches are joined.
    """
    quotes = tuple(quotes)
    if not quotes:
        return quotes
    people = PeopleIndex.of(doc, text) if any((q.speaker or {}).get("name") for q in quotes) else None
    memo: dict = {}  # each mention read once for all the quotes of its person
    if people is not None:
        memo["discourse"] = description_votes(people, quotes)
    others = same_speaker_votes(quotes, doc)
    out = []
    for quote, votes in zip(quotes, others, strict=True):
        if quote.speaker is None:
            out.append(quote)
            continue
        gender, source = speaker_gender(quote.speaker, doc, people, memo, votes)
        out.append(dataclasses.replace(quote, speaker=dict(quote.speaker, gender=gender, gender_source=source)))
    return clear_non_persons(out, entities) if entities else tuple(out)


def clear_non_persons(quotes: Iterable[Quote], entities: tuple[Entity, ...]) -> tuple[Quote, ...]:
    """The quotes, with no gender for a speaker the entities call an ORG, LOC or MISC and never a PER."""
    labels: dict[str, set[str]] = {}
    for entity in entities:
        labels.setdefault(canonical_name(entity.name), set()).add(entity.label)
    by_id = {entity.id: entity.label for entity in entities}
    out = []
    for quote in quotes:
        speaker = quote.speaker
        # Only evidence about a name is cleared: "le ministre de la Défense" tagged ORG is still "le".
        if speaker and speaker.get("gender_source") in ("cluster", "first_name"):
            found = labels.get(canonical_name(speaker.get("name")), set()) | {by_id.get(speaker.get("entity_id"))}
            found.discard(None)
            if found and "PER" not in found and found <= _NON_PERSON_LABELS:
                quote = dataclasses.replace(quote, speaker=dict(speaker, gender=None, gender_source=None))
        out.append(quote)
    return tuple(out)
