"""The gender of each quote's speaker: ``speaker.gender`` (F, M or None) and ``speaker.gender_source``.

Evidence comes in two kinds, read by small named functions:

- about the speaker's own mention (the words the extractor took as the speaker): a title
  (``title_gender``: M., Mme, Mlle), a pronoun (``pronoun_gender``: "dit-il", "a-t-elle ajouté"), a
  role noun with a gendered determiner (``role_noun_gender``: "la ministre", "le juge", "sa
  porte-parole"; "son porte-parole" and "une source" say nothing), and agreement in the speaker's
  own clause (``agreement_gender``: "elle s'est dite inquiète", "Interrogée, X a répondu");
- about the person named (``speaker.name``): the gender the people index settled from all the
  person's mentions in the article (``cluster_gender``: titles, determiners and agreement around
  every mention, see ``guillemet.quotes.people``), then the first-name list (``name_gender``).

The policy (``decide``): mention evidence comes first, since grammar in the speaker's clause is
about that very speaker; if two kinds of mention evidence disagree, the answer is None (the parse
or the speaker is doubtful). Without mention evidence, the person's cluster decides, then the first
name. A speaker that is plural, an organisation, a place, a document or a publication gets None,
whatever the rest says, as does a speaker with no evidence at all.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from functools import lru_cache

from guillemet.quotes.lexicon import canonical_name, fold
from guillemet.quotes.people import ORG_NOUNS, PeopleIndex, first_name_gender
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


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a gender and where it came from."""

    gender: str
    source: str
    strong: bool = False  # about the mention itself and read from words, not from a parse


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


def is_plural(span) -> bool:
    """Whether the speaker's phrase names several people ("ils", "les syndicats", "des habitants")."""
    if span is None or len(span) == 0:
        return False
    first = span[0].lower_.strip("-")
    if first in _PLURAL_PRONOUNS or first in ("les", "des", "ces", "leurs", "nos", "vos", "mes", "ses", "plusieurs"):
        return True
    root = span.root
    return root.pos_ in ("NOUN", "PRON") and "Number=Plur" in str(root.morph)


def is_not_person(span) -> bool:
    """Whether the speaker's phrase is headed by an organisation, document or publication noun."""
    if span is None or len(span) == 0:
        return False
    root = span.root
    return root.pos_ == "NOUN" and fold(root.lemma_ or root.text) in {fold(n) for n in _NOT_PERSON_NOUNS}


def role_noun_gender(span) -> str | None:
    """The gender of a role noun opening the speaker's phrase, from its determiner or its form.

    "la ministre", "le juge", "cette avocate", "sa porte-parole" give F, M, F, F; "son
    porte-parole", "l'expert", "une source" give None ("une source" is feminine by grammar only,
    the conventions count it unknown; an inflected feminine such as "l'avocate" gives F).
    """
    if span is None or len(span) < 2 or len(span) > 8:
        return None
    tokens = list(span)
    if tokens[0].pos_ != "DET" and tokens[0].lower_ not in _DET and tokens[0].lower_ not in ("l'", "l’", "son", "leur"):
        return None
    noun = next((t for t in tokens[1:4] if t.pos_ in ("NOUN", "ADJ") and t.pos_ != "PROPN"), None)
    if noun is None or fold(noun.lemma_ or noun.text) in ("source", "personne", "victime", "star"):
        return None  # epicene by grammar: "une source", "la personne"
    determiner = tokens[0].lower_
    if determiner in _DET:
        return _DET[determiner]  # "un proche d'Edouard Philippe" is a man
    after = span.doc[noun.i + 1] if noun.i + 1 < len(span.doc) else None
    if (
        after is not None
        and after.lower_ in ("de", "d'", "d’")
        and noun.i + 2 < span.end
        and span.doc[noun.i + 2].pos_ == "PROPN"
    ):
        return None  # "l'hypothèse de Stephen Smith": the noun is not the person
    return _form_gender(noun)


# Masculine endings of nouns whose feminine differs (député/députée, avocat/avocate,
# directeur/directrice, président/présidente): without a gendered determiner, such a form is a man.
# Nouns ending in -e (ministre, juge, porte-parole, journaliste) are epicene and say nothing.
_MASCULINE_ENDINGS = ("é", "eur", "ien", "ier", "ant", "ent", "at", "ais", "ois", "ain", "in", "if", "al", "ef")


def _form_gender(noun) -> str | None:
    """The gender a role noun shows by its own form, without a determiner ("l'avocate", "député")."""
    lower = noun.lower_
    if "Number=Plur" in str(noun.morph) or lower.endswith(("s", "x")):
        return None
    if "Gender=Fem" in str(noun.morph) and lower != fold(noun.lemma_ or "") and lower.endswith("e"):
        return "F"  # "l'avocate", "son épouse": visibly inflected for the feminine
    if lower.endswith(_MASCULINE_ENDINGS) and "Gender=Fem" not in str(noun.morph):
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


@lru_cache(maxsize=1)
def _detector():
    import gender_guesser.detector

    return gender_guesser.detector.Detector(case_sensitive=False)


_GUESSER = {"male": "M", "mostly_male": "M", "female": "F", "mostly_female": "F"}


def name_gender(name: str | None) -> str | None:
    """The usual gender of the first word of a person's name.

    The project's list of French first names first, then gender-guesser's dictionary of first names
    from many countries (its "andy", either gender, and "unknown" give None).
    """
    if not name:
        return None
    words = [w for w in name.split() if fold(w).rstrip(".") not in _TITLE and fold(w).rstrip(".") != "me"]
    if len(words) < 2:
        return None  # a surname alone ("Martin", "Laurent") is no first name
    gender = first_name_gender(words[0])
    if gender:
        return {"Masc": "M", "Fem": "F"}.get(gender)
    return _GUESSER.get(_detector().get_gender(words[0].split("-")[0]))


def titled_gender(name: str | None, people: PeopleIndex | None) -> str | None:
    """The gender of the title (M., Mme) before any mention of the person of that name."""
    found = set()
    for person in _matching(name, people):
        for start, _end in person.mentions:
            before = people.text[max(0, start - 12) : start].split()
            gender = title_gender(before[-1:]) if before else None
            if gender:
                found.add(gender)
    return found.pop() if len(found) == 1 else None


def _matching(name: str | None, people: PeopleIndex | None) -> list:
    if not name or people is None:
        return []
    key = {fold(w) for w in name.split()}
    return [p for p in people.people if key and key <= {fold(t) for t in p.tokens}]


def cluster_gender(name: str | None, people: PeopleIndex | None) -> str | None:
    """The gender the people index gives the person of that name, from all their mentions."""
    matches = _matching(name, people)
    # "Fillon" for the article's "François Fillon": the first name of the fullest form.
    full = {name_gender(p.name) for p in matches if len(p.tokens) > len(name.split())} - {None}
    if len(full) == 1:
        return full.pop()
    genders = {p.gender for p in matches if p.gender}
    if len(genders) != 1:
        return None
    votes = matches[0].gender_votes
    if len(votes) > 1 and sorted(votes.values())[-1] == sorted(votes.values())[-2]:
        return None
    return {"Masc": "M", "Fem": "F"}.get(genders.pop())


def decide(mention: list[Evidence], person: list[Evidence]) -> Evidence | None:
    """The policy, strongest evidence first; None when the evidence disagrees or is absent.

    A title or pronoun of the speaker's mention decides (None if the two disagree). Role nouns and
    agreement, read from a parse, decide unless the person's own evidence (title elsewhere, first
    name) contradicts them. Without mention evidence, the person's first item decides.
    """
    strong = [e for e in mention if e.strong]
    if strong:
        return strong[0] if len({e.gender for e in strong}) == 1 else None
    if mention:
        if len({e.gender for e in mention}) > 1:
            return None
        # A title on another mention or a known first name outweighs a reading of the parse.
        named = next((e for e in person if e.source in ("title", "first_name")), None)
        return named if named is not None else mention[0]
    return person[0] if person else None


def _span(doc, speaker: dict):
    start, end = speaker.get("start"), speaker.get("end")
    if start is None or end is None or end <= start:
        return None
    return doc.char_span(start, end, alignment_mode="expand")


def speaker_gender(speaker: dict | None, doc, people: PeopleIndex | None = None) -> tuple[str | None, str | None]:
    """``(gender, source)`` for one speaker dict; ``(None, None)`` when nothing settles it."""
    if not speaker:
        return None, None
    name = speaker.get("name")
    span = _span(doc, speaker) if doc is not None else None
    if is_plural(span) or is_not_person(span):
        return None, None
    words = [t.text for t in span] if span is not None else (speaker.get("text") or "").split()
    mention = []
    # A gendered determiner ("la ministre", "le porte-parole") is as sure as a title; a noun's form
    # alone ("l'avocate") and agreement are readings of the parse.
    determined = bool(words) and fold(words[0]) in _DET
    for source, gender, strong in (
        ("title", title_gender(words), True),
        ("pronoun", pronoun_gender(span), True),
        ("role_noun", role_noun_gender(span), determined),
        ("agreement", agreement_gender(span), False),
        ("role_noun", apposition_gender(span), False),
    ):
        if gender:
            mention.append(Evidence(gender, source, strong))
    person = []
    for source, gender in (
        ("title", titled_gender(name, people)),
        ("first_name", name_gender(name)),
        ("cluster", cluster_gender(name, people)),
    ):
        if gender:
            person.append(Evidence(gender, source))
    chosen = decide(mention, person)
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
    people = PeopleIndex(doc, text) if any((q.speaker or {}).get("name") for q in quotes) else None
    out = []
    for quote in quotes:
        if quote.speaker is None:
            out.append(quote)
            continue
        gender, source = speaker_gender(quote.speaker, doc, people)
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
