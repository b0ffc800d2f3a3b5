"""Speaker rules: who said a quote, from the subject its cue names.

Three ordered sieves, each a tuple of module-level functions; the first that answers wins:

- ``PRONOUN_RULES`` for a pronoun subject (il, elle, a-t-elle dit, on);
- ``PHRASE_RULES`` for a noun phrase subject (a name, a title, a role, an organisation…);
- ``INDIRECT_RULES`` for reported speech (its finder read the subject, or found none).

A rule takes the context, the discourse state, the candidate and what it resolves (a
``PronounQuery`` or a ``SubjectPhrase``, both computed once), and answers with a ``SpeakerAnswer``,
a ``Rejection``, or None (the next rule is asked). ``resolve`` applies the answer through the
discourse state (who spoke last) and records the rule's name in ``Candidate.speaker_rule``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from guillemet.quotes.context import HEADLINE_MAX_CHARS, ArticleContext
from guillemet.quotes.cues import embedded
from guillemet.quotes.discourse import DiscourseState
from guillemet.quotes.grammar import _PRONOUN_GENDER, INDEFINITE, np_end
from guillemet.quotes.lexicon import fold
from guillemet.quotes.people import (
    _DET_GENDER,
    ORG_NOUNS,
    PERSON_ROLE_HEADS,
    Person,
    _morph_gender,
    role_qualifiers,
)
from guillemet.quotes.types import UNKNOWN_SPEAKER, Candidate, Cue, Rejection, Resolution, first_answer

_MEDIA_NOUNS = frozenset(
    "magazine journal quotidien hebdomadaire mensuel revue chaine radio television site emission".split()
)
_CROWD_NOUNS = frozenset(
    "foule public salle assistance manifestants manifestant cortege supporters supporter tribune tribunes habitants riverains greviste grevistes militants".split()
)
# Discourse adjuncts the parser may put in the subject's place.
_SIDE_ADJUNCT = re.compile(r"^(?:côté [^,]{1,40}|de (?:son|leur) côté|pour (?:sa|leur) part),\s*", re.IGNORECASE)
_SIDE_ONLY = re.compile(r"^(?:de )?(?:son|leur) côté$|^(?:pour )?(?:sa|leur) part$", re.IGNORECASE)
# A name opened by a capitalised article, up to a comma, a relative pronoun or a bracket.
_TITLED_NAME = re.compile(r"^(?:Le|La|Les|L'|L’)\s?[A-ZÀ-ÖØ-Þ][^,;:()«»“”\"]*?(?=\s*(?:,|\(|\bqui\b|\bdans\b|$))")
# The same at a sentence start, where only the words' shape tells the name from the sentence:
# capitalised words, joined by de/du/des, and a place adjective ("La Tribune alsacienne").
_OPENING_TITLE = re.compile(
    r"^(?:Le|La|Les|L'|L’)\s?[A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+(?:de la |de l'|du |des |de |d'|d’)?[A-ZÀ-ÖØ-Þ][\w'’-]*)*"
    r"(?:\s+[a-zà-ÿ]+(?:ais|aise|ois|oise|ien|ienne|ain|aine|al|ale))?(?=\s)"
)
# A sentence adjunct opening the subject the parse gave ("Mi-mars, lors de sa tournée en Asie, le
# chef de la diplomatie …"): a date, or a phrase opened by a preposition, then a comma.
_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
_LEADING_DATE = re.compile(
    rf"^(?:(?:mi-|fin |début |debut )?(?:{_MONTHS})(?: \d{{4}})?|(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|"
    r"aujourd'hui|aujourd’hui)(?: (?:soir|matin|midi|après-midi))?)$",
    re.IGNORECASE,
)
# What follows the subject in that span: an auxiliary, a discourse adjunct ("avait, de son côté").
_TRAILING_AUX = re.compile(
    r"(?:\s*,)?\s+(?:a|ont|avait|avaient|aurait|auraient|est|sont|était|étaient)"
    r"(?:\s*,\s*(?:de (?:son|leur) côté|pour (?:sa|leur) part|quant à (?:lui|elle|eux)|lui aussi|elle aussi))?\s*,?$"
)
_ADJUNCT_OPENERS = frozenset("lors après avant depuis dès durant pendant selon face outre".split())
_TRAILING_TIME = re.compile(
    r"\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|aujourd'hui|aujourd’hui)"
    r"(?:\s+(?:soir|matin|midi|après-midi))?$"
)
# Two groups joined by "et", each with its determiner: "Le canton de Berne et les distributeurs d'eau".
_COORDINATED_GROUPS = re.compile(
    r"^(?:le|la|les|l'|l’|des|un|une)\s?\S.*?\s+et\s+(?:le|la|les|l'|l’|des|d'|d’|un|une|de nombreux|plusieurs)\s?\S",
    re.IGNORECASE,
)
_STRIP_DETERMINER = re.compile(r"^(?:l'|le |la |les )", re.IGNORECASE)
_NON_SPEAKER_HEADS = frozenset(
    "pancarte banderole affiche tag graffiti slogan panneau écriteau titre une message tract".split()
)
# Heads that never name a speaker (issue 12): dates and times ("ce week-end"), and abstract nouns,
# by their suffix ("l'appel vidéo" aside, "la situation", "cette approche") or as common vague
# nouns. Organisation nouns (ORG_NOUNS) are checked first, so "agence" or "gouvernement" still speak.
TIME_HEADS = frozenset(
    """jour journée semaine week-end weekend mois an année soir soirée matin matinée nuit heure minute
    lundi mardi mercredi jeudi vendredi samedi dimanche veille lendemain fois période saison date
    moment instant époque siècle décennie trimestre semestre""".split()
)
_ABSTRACT_HEADS = frozenset(
    """aspect chance domaine effet fait chose cas type point manière façon approche idée question
    problème thème raison but objectif niveau part côté sens forme genre sorte
    pratique appel""".split()
)
_ABSTRACT_SUFFIX = re.compile(r"(?:tion|sion|ment|ité|isme|ance|ence|(?<!e)ure|ude)s?$")  # not "-eure": "la procureure"
# Written sources speak (CONVENTIONS.md): "la déclaration de Rio", "le rapport", "l'étude".
_DOCUMENT_HEADS = frozenset(
    """déclaration communiqué rapport étude enquête lettre texte projet loi décision arrêt jugement avis
    résolution motion note document courrier circulaire ordonnance sondage bilan compte-rendu statistique""".split()
)
# Groups whose noun has an abstract suffix: "l'opposition", "la majorité", "la défense".
_GROUP_HEADS = frozenset(
    """opposition majorité minorité population délégation rédaction défense accusation coalition formation
    institution juridiction instance profession communauté personnalité""".split()
)
# Words opening a complement that belongs to an unnamed speaker's descriptor.
_COMPLEMENT_OPENERS = frozenset({"de", "d'", "d’", "du", "des", "au", "aux", "dans"})
_RELATIVE_PRONOUNS = frozenset(
    fold(word)
    for word in """qui que quoi dont où lequel laquelle lesquels lesquelles duquel desquels desquelles auquel
    auxquels auxquelles ce ceci cela ça""".split()
)
_ROLE_DETERMINERS = ("le", "la", "l'", "l’", "ce", "cet", "cette")
_DEFINITE_OR_POSSESSIVE = ("le", "la", "l'", "ce", "cet", "cette", "son", "sa")
# How many tokens before its verb a subject pronoun is looked for ("Elle a toujours dit …").
PRONOUN_WINDOW = 6
# How far after an indefinite descriptor its own name may stand ("un élu de la majorité, Paul Roux").
INDEFINITE_NAME_REACH = 60
# How far back "ce dernier" looks for the person it refers to (characters).
CE_DERNIER_WINDOW = 400
# A headline quote takes the speaker of the body quote sharing this share of its words.
HEADLINE_MATCH_SHARE = 0.5
# An intertitle in marks takes the speaker of a later body quote sharing this share of its words.
INTERTITLE_MATCH_SHARE = 0.75
INTERTITLE_MIN_WORDS = 3


@dataclass(frozen=True)
class SpeakerAnswer:
    """A speaker rule's answer: the words naming the speaker, the person, how, and a name."""

    where: tuple[int, int] | None
    person: Person | None
    resolution: Resolution
    name: str | None = None
    joint: str | None = None  # "X et Y": both names, the output's name when two people speak as one


def may_speak(tokens, head) -> bool:
    """Whether a subject phrase can name a speaker: a person, a group, an organisation or a document.

    Args:
        tokens: the phrase's tokens.
        head: its first common noun, or None.

    Returns:
        False for a date or time phrase, an abstract noun, a relative or demonstrative pronoun, or
        a phrase with neither noun nor personal pronoun (a verb or an adjective the parse put there).
    """
    if head is None:
        # "un étudiant" tagged as an adjective is still a noun phrase: a determiner opens it.
        if any(t.pos_ in ("PROPN", "DET") for t in tokens):
            return True
        return any(t.pos_ == "PRON" and fold(t.text) not in _RELATIVE_PRONOUNS for t in tokens)
    lemma = head.lemma_.lower()
    if lemma in _DOCUMENT_HEADS or lemma in _GROUP_HEADS or fold(lemma) in ORG_NOUNS:
        return True
    # The head's word as written too: the tokenizer splits "week-end" into three tokens.
    # (The span's own text: ``Doc.text`` is rebuilt from every token of the article on each access.)
    written = head.doc[head.i : tokens[-1].i + 1].text.split()[0].lower()
    if {lemma, written} & (TIME_HEADS | _ABSTRACT_HEADS):
        return False
    return not _ABSTRACT_SUFFIX.search(lemma)


def descriptor(ctx: ArticleContext, start: int, end: int) -> str | None:
    """An unnamed speaker as written (CONVENTIONS.md): "un proche du maire", "une source policière".

    The phrase's own words, without an apposition or a relative clause after them.
    """
    # The parse often stops the subject at its head: "un élu" of "un élu de la majorité".
    doc = ctx.doc
    i = ctx.token_index(end)
    if i < len(doc) and doc[i].lower_ in _COMPLEMENT_OPENERS and not ctx.inside_marks(doc[i].idx):
        stop = min(len(doc), i + 6)
        j = i + 1
        while j < stop and doc[j].pos_ in ("DET", "NOUN", "PROPN", "ADJ", "ADP") and not doc[j].is_punct:
            j += 1
        if j > i + 1 and doc[j - 1].pos_ in ("NOUN", "PROPN", "ADJ"):
            end = doc[j - 1].idx + len(doc[j - 1].text)
    phrase = re.split(r"\s*[,(]\s*|\s+(?:qui|que|dont)\b", ctx.text[start:end], maxsplit=1)[0]
    phrase = phrase.strip(" \n\t:;-–—")
    return phrase or None


def named_person(ctx: ArticleContext, person: Person | None, position: int) -> Person | None:
    """``person``, unless the NER took a role for a name (rule ``speaker_role_not_a_name``): a
    "person" whose name opens with a lower-case word is that role, or the role and a name.

    Examples: "le président de la République" → no person (the role rules resolve it); "le président
    Obama" (a cluster of its own) → Barack Obama, the person the capitalised words name.
    """
    if person is None or not person.tokens or not person.tokens[0][:1].islower():
        return person
    capitalised = " ".join(t for t in person.tokens if t[:1].isupper())
    named = ctx.people.person_named(capitalised, position) if capitalised else None
    return named if named is not None and named.tokens[0][:1].isupper() else None


def named_in_complement(ctx: ArticleContext, person: Person, start: int, end: int) -> bool:
    """Whether ``person`` is named only as a complement of the phrase's head noun.

    "Un élu proche de Xavier Delattre" is not Xavier Delattre; "L'association Épargne
    Vigilance" (a name the NER may take for a person) is the association.
    """
    doc = ctx.doc
    mention = min(m for m in person.mentions if start <= m[0] < end)
    first = ctx.token_index(start)
    named = ctx.token_index(mention[0])
    if named - first <= 1 or doc[named - 1].text == ",":
        return False  # the name opens the phrase, or stands in apposition
    head = next((t for t in doc[first:named] if t.pos_ == "NOUN"), None)
    if head is None or named == first:
        return False
    if fold(head.lemma_) in ORG_NOUNS and all(t.pos_ in ("ADP", "DET", "NOUN") for t in doc[head.i + 1 : named]):
        return True  # "la direction du groupe Verdal", where the model took Verdal for a person
    # "Un élu proche de X", "l'avocate de Gérard Ollivier, Me Claire Hembert": not X.
    if doc[named - 1].lower_ in ("de", "d'", "d’") and doc[named - 2].pos_ in ("NOUN", "ADJ"):
        return True
    # "La conseillère du président George W. Bush": X's title after the complement's preposition.
    k = named - 1
    while k > first and doc[k].is_lower and doc[k].pos_ in ("NOUN", "ADJ") and fold(doc[k].lemma_) not in ORG_NOUNS:
        k -= 1
    if doc[k].lower_ in ("la", "l'", "l’") and k - 1 > first and doc[k - 1].lower_ == "de":
        k -= 1  # "de la présidente X"
    return (
        k < named - 1
        and fold(doc[k + 1].lemma_) in PERSON_ROLE_HEADS
        and doc[k].lower_ in ("de", "d'", "d’", "du", "des")
        and k - 1 >= first
        and doc[k - 1].pos_ in ("NOUN", "ADJ")
    )


def sentence_person(ctx: ArticleContext, candidate: Candidate, gender: str | None) -> Person | None:
    """A person named earlier in the quote's own sentence, outside marks, of the pronoun's gender.

    "Kim a laissé un message dans lequel il a souligné que « … »": il is Kim, whoever spoke last.
    """
    sentence_start, _ = ctx.sentence_of(candidate.open_offset)
    if sentence_start >= candidate.open_offset:
        return None

    def accept(at: int, person: Person, genders: tuple) -> bool:
        if ctx.inside_marks(at) or not (gender is None or person.gender in genders):
            return False
        # A name after a preposition is an adjunct, not the one who speaks ("Depuis Washington, X").
        k = ctx.token_index(at)
        return k == 0 or ctx.doc[k - 1].pos_ != "ADP"

    # A person of the pronoun's own gender first, then one whose gender is unknown.
    for genders in ((gender,), (gender, None)):
        person = ctx.people.first_mentioned(
            sentence_start, candidate.open_offset, lambda at, person, g=genders: accept(at, person, g)
        )
        if person is not None:
            return person
    return None


# --- pronouns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PronounQuery:
    """A pronoun subject to resolve: the pronoun, where it is written, and the quote's position."""

    ctx: ArticleContext
    state: DiscourseState
    candidate: Candidate
    pronoun: str
    where: tuple[int, int] | None

    @property
    def gender(self) -> str | None:
        return _PRONOUN_GENDER.get(self.pronoun)

    @cached_property
    def antecedent(self) -> Person | None:
        """The person of the pronoun's gender last active before the quote (``PeopleIndex.antecedent``)."""
        return self.ctx.people.antecedent(self.candidate.open_offset, self.gender, self.state.last_quoted)


def speaker_pronoun_on(query: PronounQuery) -> SpeakerAnswer | None:
    """ "on" names nobody. Example: « On ne lâchera rien », dit-on.→ unknown."""
    if query.pronoun == "on":
        return SpeakerAnswer(query.where, None, Resolution.UNKNOWN)
    return None


def speaker_pronoun_in_sentence(query: PronounQuery) -> SpeakerAnswer | None:
    """A person of the pronoun's gender named earlier in the quote's own sentence, outside marks.

    Example: "Kim a laissé un message dans lequel il a souligné que « … »": il is Kim.
    """
    person = sentence_person(query.ctx, query.candidate, query.gender)
    return SpeakerAnswer(query.where, person, Resolution.PRONOUN) if person is not None else None


# The gender and number a source's determiner gives a pronoun that takes it up.
_SOURCE_DETERMINERS = {"le": "il", "la": "elle", "un": "il", "une": "elle", "ce": "il", "cet": "il", "cette": "elle"}


def speaker_pronoun_last_source(query: PronounQuery) -> SpeakerAnswer | None:
    """The last source when it was no person (an organisation, a group, someone unnamed), nobody
    took the turn since, and its determiner agrees with the pronoun: "le ministère" → il.

    Example: "« … », rapporte le ministère de l'Agriculture dans un communiqué. Il précise que « … »"
    → the ministry, not the last person named.
    """
    ctx, state = query.ctx, query.state
    name = state.previous_source(ctx, query.candidate.open_offset)
    words = (state.source_words(ctx) or "").split()
    if name is None or not words:
        return None
    determiner = fold(words[0])
    if query.pronoun in ("ils", "elles"):
        agrees = determiner in ("les", "des", "ces")
    else:
        agrees = _SOURCE_DETERMINERS.get(determiner) == query.pronoun
    if not agrees:
        return None
    return SpeakerAnswer(query.where, None, Resolution.PRONOUN, name)


def speaker_pronoun_organisation(query: PronounQuery) -> SpeakerAnswer | None:
    """An organisation named as a subject since the pronoun's person antecedent was last active.

    Example: "La direction du groupe conteste ces chiffres. Dans un communiqué, elle assure que …"
    """
    ctx, position = query.ctx, query.candidate.open_offset
    organisation = ctx.people.organisation_subject(position, query.gender)
    person = query.antecedent
    if organisation is None:
        return None
    if person is not None and organisation[0] <= ctx.people.last_active(person, position, query.state.last_quoted):
        return None
    own = re.split(r"\s*[,(]\s*", organisation[1].name, maxsplit=1)[0]
    name = ctx.people.organisation(own, organisation[1].head, organisation[0])
    return SpeakerAnswer(query.where, None, Resolution.ORGANISATION, name)


def speaker_pronoun_antecedent(query: PronounQuery) -> SpeakerAnswer | None:
    """The person of the pronoun's gender last active (spoke, or was named as a subject).

    Example: "Marie Dupont a pris la parole. « … », a-t-elle dit." → Marie Dupont.
    """
    person = query.antecedent
    return SpeakerAnswer(query.where, person, Resolution.PRONOUN if person else Resolution.UNKNOWN)


PronounRule = Callable[[PronounQuery], "SpeakerAnswer | None"]
PRONOUN_RULES: tuple[PronounRule, ...] = (
    speaker_pronoun_on,
    speaker_pronoun_in_sentence,
    speaker_pronoun_last_source,
    speaker_pronoun_organisation,
    speaker_pronoun_antecedent,
)


# --- noun phrases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectPhrase:
    """A subject phrase to resolve, with what the rules read of it, each computed once when asked."""

    ctx: ArticleContext
    state: DiscourseState
    candidate: Candidate
    start: int
    end: int

    @classmethod
    def of(cls, ctx: ArticleContext, state: DiscourseState, candidate: Candidate, start: int, end: int):
        """The phrase between ``start`` and ``end``, without a discourse adjunct ("de son côté")."""
        phrase = ctx.text[start:end]
        if _SIDE_ONLY.match(phrase):
            # "Matignon, de son côté, a fait savoir": the subject opens the sentence.
            sentence_start, _ = ctx.sentence_of(start)
            # The comma right before the adjunct: "Mi-mars, lors de sa tournée, le chef … avait, de
            # son côté," keeps the adjuncts before the subject for ``_without_adjuncts`` to drop.
            comma = ctx.text.rfind(",", sentence_start, start)
            if comma > sentence_start:
                start, end = sentence_start, comma
                phrase = ctx.text[start:end]
        side = _SIDE_ADJUNCT.match(phrase)
        if side and side.end() < len(phrase):
            start += side.end()  # "Côté syndical, la Confédération des salariés…"
        start, end = _without_adjuncts(ctx, start, end)
        start = _start_outside_marks(ctx, start, end)
        return cls(ctx, state, candidate, start, end)

    @property
    def where(self) -> tuple[int, int]:
        return self.start, self.end

    @cached_property
    def text(self) -> str:
        return self.ctx.text[self.start : self.end]

    @cached_property
    def lowered(self) -> str:
        return self.text.lower()

    @cached_property
    def tokens(self):
        return self.ctx.doc[self.ctx.token_index(self.start) : self.ctx.token_index(self.end)]

    @cached_property
    def determiner(self):
        return next((t for t in self.tokens if t.pos_ == "DET"), None)

    @cached_property
    def head(self):
        """The first common noun."""
        return next((t for t in self.tokens if t.pos_ == "NOUN"), None)

    @cached_property
    def person(self) -> Person | None:
        """The first person the phrase names (a role the NER took for a name is none: ``named_person``)."""
        return named_person(self.ctx, self.ctx.people.first_person_in(self.start, self.end), self.start)

    @cached_property
    def person_in_complement(self) -> bool:
        """Whether that person is named only in a complement ("un élu proche de Xavier Delattre")."""
        return self.person is not None and named_in_complement(self.ctx, self.person, self.start, self.end)

    @cached_property
    def organisation_mentions(self) -> list[int]:
        """The starts of the organisation mentions overlapping the phrase (``PeopleIndex``'s clusters)."""
        return self.ctx.people.organisation_mentions(self.start, self.end)

    @cached_property
    def indefinite(self) -> bool:
        return self.determiner is not None and self.determiner.lower_ in INDEFINITE

    @cached_property
    def head_is_organisation(self) -> bool:
        return self.head is not None and fold(self.head.lemma_) in ORG_NOUNS

    @cached_property
    def descriptor(self) -> str | None:
        return descriptor(self.ctx, self.start, self.end)

    def position(self) -> int:
        """Where to look people up from: a headline names people before the body introduces them."""
        return len(self.ctx.text) if self.start <= self.ctx.headline_end else self.start


_CLOSING_MARKS = "»”\"'’"


def _start_outside_marks(ctx: ArticleContext, start: int, end: int) -> int:
    """Where a subject phrase really starts: never inside the marks of a quotation that closes
    within it. A parse that runs a headline into the body gives "moral »\nSeuls 29 % des
    Américains" for "Seuls 29 % des Américains"."""
    if end <= start:
        return start
    if not (ctx.inside_marks(start) and not ctx.inside_marks(end - 1)):
        return start  # outside marks, or wholly inside a quotation that holds the quote
    while start < end and ctx.inside_marks(start):
        start += 1
    start += 1  # the closing mark
    while start < end and (ctx.text[start].isspace() or ctx.text[start] in _CLOSING_MARKS):
        start += 1
    return start if start < end else end


def _without_adjuncts(ctx: ArticleContext, start: int, end: int) -> tuple[int, int]:
    """The subject without the sentence adjuncts the parse put around it (rule ``subject_adjuncts``).

    Example: "Mi-mars, lors de sa première tournée en Asie, le chef de la diplomatie américaine
    avait, de son côté, déclaré que « … »" → "le chef de la diplomatie américaine": a date or a
    prepositional phrase before a comma, an auxiliary and a side adjunct after the noun phrase.
    """
    trailing = _TRAILING_AUX.search(ctx.text[start:end])
    if trailing and trailing.start() > 0:
        end = start + trailing.start()
    when = _TRAILING_TIME.search(ctx.text[start:end])
    if when and when.start() > 0:
        end = start + when.start()  # "précise l'OFAG jeudi dans un communiqué"
    while True:
        phrase = ctx.text[start:end]
        comma = phrase.find(", ")
        if comma <= 0 or ctx.inside_marks(start) or not phrase[comma + 2 :].strip():
            return start, end
        first = ctx.doc[ctx.token_index(start)]
        if not (_LEADING_DATE.match(phrase[:comma].strip()) or first.pos_ == "ADP" or first.lower_ in _ADJUNCT_OPENERS):
            return start, end
        start += comma + 2


def speaker_pronoun_subject(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A subject that is a personal pronoun: the pronoun rules answer. Example: "Elle a dit que …"."""
    if phrase.lowered not in _PRONOUN_GENDER:
        return None
    return first_pronoun_answer(PronounQuery(phrase.ctx, phrase.state, phrase.candidate, phrase.lowered, phrase.where))


def speaker_ce_dernier(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """ "Ce dernier" / "cette dernière": the person mentioned last before it (within a few sentences).

    Example: "Le juge a entendu Paul Durand. Ce dernier a assuré que …" → Paul Durand.
    """
    if phrase.lowered not in ("ce dernier", "cette dernière"):
        return None
    last = phrase.ctx.people.person_in(max(0, phrase.start - CE_DERNIER_WINDOW), phrase.start)
    return SpeakerAnswer(phrase.where, last, Resolution.PRONOUN) if last is not None else None


def speaker_publication_title(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A capitalised article inside a sentence opens a name: a publication or an organisation.

    Example: « … », tranche Le Journal des Causses. → "Le Journal des Causses" (remembered). A role
    in capitals names a person, not a title: "Le PDG du groupe Verdal, Paul Roux, a dit" is no title.
    """
    titled_name = _TITLED_NAME.match(phrase.text)
    if not titled_name or phrase.start <= phrase.ctx.sentence_of(phrase.start)[0] or _is_role(phrase):
        return None
    name = titled_name.group(0).strip()
    where = phrase.where
    if titled_name.end() >= len(phrase.text.rstrip()):
        where = _title_participle(phrase) or where
        name = phrase.ctx.text[phrase.start : where[1]].strip() if where[1] > phrase.end else name
    phrase.state.publications.append((phrase.start, name))
    return SpeakerAnswer(where, None, Resolution.ORGANISATION, name)


def _title_participle(phrase: SubjectPhrase) -> tuple[int, int] | None:
    """A lower-case participle or adjective closing the title, that the parser took for a verb
    ("écrit Le Canard enchaîné."): the phrase up to it, when punctuation follows it."""
    ctx = phrase.ctx
    k = ctx.token_index(phrase.end)
    if k + 1 >= len(ctx.doc):
        return None
    word, after = ctx.doc[k], ctx.doc[k + 1]
    if word.idx < phrase.end or not word.is_lower or ctx.inside_marks(word.idx):
        return None
    if word.pos_ != "ADJ" and "VerbForm=Part" not in str(word.morph):
        return None
    if not after.is_punct or after.text in ("«", "“", '"'):
        return None
    return phrase.start, word.idx + len(word.text)


def speaker_named_in_subject(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """The person the phrase names (not in a complement of its head); two joined by "et" speak together.

    Examples: « … », a déclaré le maire Bernard Quissac. → Bernard Quissac. / "Raphaël Garrigos et
    Isabelle Roberts ont écrit que …" → "Raphaël Garrigos et Isabelle Roberts".
    """
    if phrase.person is None or phrase.person_in_complement:
        return None
    return SpeakerAnswer(phrase.where, phrase.person, Resolution.EXPLICIT, joint=_joint_speakers(phrase, phrase.person))


def speaker_apposed_after_complement(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A name in the head's complement gives way to a later apposed name.

    Example: "l'avocate de Gérard Ollivier, Me Claire Hembert, a plaidé" → Claire Hembert.
    """
    if not phrase.person_in_complement:
        return None
    ctx, start, end = phrase.ctx, phrase.start, phrase.end
    later = min(
        (
            (m_start, other)
            for other in ctx.people.people
            for m_start, m_end in other.mentions
            if start <= m_start
            and m_end <= end
            and other is not phrase.person
            and not ctx.inside_marks(m_start)
            and re.search(r",\s*(?:(?:M\.|Mme|Me|Dr|le|la|l'|l’)\s*)?$", ctx.text[start:m_start])
            and not named_in_complement(ctx, other, m_start, end)
        ),
        default=None,
        key=lambda found: found[0],
    )
    if later is not None:
        return SpeakerAnswer(phrase.where, later[1], Resolution.EXPLICIT)
    # A name the NER missed or called ORG: capitalised words between commas after the complement.
    apposed = _APPOSED_NAME.search(phrase.text)
    if apposed is None or ctx.inside_marks(start + apposed.start(1)):
        return None
    words = ctx.doc[ctx.token_index(start + apposed.start(1)) : ctx.token_index(start + apposed.end(1))]
    if not all(t.pos_ == "PROPN" for t in words):
        return None
    written = apposed.group(1)
    named = ctx.people.person_named(written, start)
    return SpeakerAnswer(phrase.where, named, Resolution.EXPLICIT, None if named else written)


# Two to four capitalised words in apposition: ", Condoleezza Rice," closing the phrase.
_APPOSED_NAME = re.compile(r",\s*((?:[A-ZÀ-ÖØ-Þ][\w'’-]+ ){1,3}[A-ZÀ-ÖØ-Þ][\w'’-]+)\s*(?:,|$)")


def speaker_unnamed_beside_name(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """An indefinite phrase whose name is a complement is someone unnamed, given as written.

    Example: « … », confie un élu proche de Xavier Delattre. → "un élu proche de Xavier Delattre".
    """
    if not phrase.person_in_complement or fold(phrase.lowered.split()[0]) not in INDEFINITE:
        return None
    return SpeakerAnswer(phrase.where, None, Resolution.UNKNOWN, phrase.descriptor)


def speaker_apposition(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A name in apposition after the phrase.

    Examples: "la porte-parole, Maria Zajarova," / "son coordinateur, le Bangladais Rafiq X".
    """
    if phrase.person is not None and not phrase.person_in_complement:
        return None
    ctx, end = phrase.ctx, phrase.end
    tail = re.match(r"[^.;:«»“”\"]{0,60}?,\s*", ctx.text[end : end + 80])
    if not tail:
        return None
    next_start = end + tail.end()
    person = ctx.people.first_person_in(next_start, next_start + 60)
    if person is not None and any(
        next_start <= m <= next_start + 4 or re.fullmatch(r"(?:l'|le |la )\s*[A-ZÀ-Þ][\w-]+\s", ctx.text[next_start:m])
        for m, _ in person.mentions
    ):
        return SpeakerAnswer(phrase.where, person, Resolution.EXPLICIT, joint=_joint_speakers(phrase, person))
    return None


def _joint_speakers(phrase: SubjectPhrase, person: Person) -> str | None:
    """ "X et Y" as one subject, both people of the index: their names joined with "et"."""
    ctx, start, end = phrase.ctx, phrase.start, phrase.end
    first = min((m for m in person.mentions if start <= m[0] and m[1] <= end), default=None)
    if first is None:
        return None
    joined = re.match(r"\s+et\s+(?:(?:M\.|Mme|Me|Dr)\s*)?", ctx.text[first[1] : end])
    if not joined:
        return None
    second = ctx.people.first_person_in(first[1] + joined.end(), end)
    if second is None or second is person:
        return None
    if not any(m[0] == first[1] + joined.end() for m in second.mentions):
        return None
    return f"{person.name} et {second.name}"


# Two to four capitalised words opening the phrase, then a comma: a name and its apposition.
_OPENING_NAME = re.compile(r"((?:[A-ZÀ-ÖØ-Þ][\w'’-]+ ){1,3}[A-ZÀ-ÖØ-Þ][\w'’-]+)\s*(?:\(\d+\)\s*)?,\s*\S")
_NOT_NAME_OPENERS = frozenset(
    fold(w) for w in "le la les l' un une des ce cet cette son sa ses mais et selon pour".split()
)


def speaker_name_before_apposition(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A name the people index missed, opening the subject before its apposition: the name as written.

    Example: "Farzin Tahmasebi, député de la Creuse qui a voté contre, a annoncé que …" → "Farzin
    Tahmasebi" (a name the NER took for an organisation), not the person last described as a député.
    """
    if phrase.person is not None:
        return None
    opening = _OPENING_NAME.match(phrase.text)
    if not opening or fold(opening.group(1).split()[0]) in _NOT_NAME_OPENERS:
        return None
    words = phrase.tokens[: len(opening.group(1).split())]
    if not any(t.pos_ == "PROPN" for t in words) or any(t.pos_ in ("VERB", "AUX") for t in words):
        return None
    written = opening.group(1)
    named = phrase.ctx.people.person_named(written, phrase.start)
    return SpeakerAnswer(phrase.where, named, Resolution.EXPLICIT, None if named else written)


def speaker_coordinated_groups(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """Two groups or bodies joined by "et", nobody named: they speak together, as written.

    Example: "Le canton de Berne et les distributeurs d'eau du canton de Soleure ont demandé
    d'interdire ce produit" → "Le canton de Berne et les distributeurs d'eau du canton de Soleure",
    not a person last described as something of the canton.
    """
    if phrase.person is not None or not _COORDINATED_GROUPS.match(phrase.text):
        return None
    return SpeakerAnswer(phrase.where, None, Resolution.UNKNOWN, phrase.descriptor)


# Written sources that speak under their author, or under their own name (CONVENTIONS.md).
_WRITTEN_HEADS = frozenset(
    fold(word)
    for word in """rapport étude lettre texte projet décision arrêt jugement avis résolution note document courrier
    circulaire ordonnance livre ouvrage essai tribune éditorial editorial attendus hypothèse thèse théorie""".split()
)
_AUTHOR_PARTICIPLE = re.compile(
    r"^\s*,?\s*(?:publiée?s?|rédigée?s?|signée?s?|présentée?s?|rendue?s?|réalisée?s?|commandée?s?)\b[^.;:«»“”\"]{0,40}?\bpar\s+"
)
# How far back "le livre" looks for "l'ouvrage d'Éric Chauvier" (characters).
WRITTEN_AUTHOR_WINDOW = 400


def _document_author(phrase: SubjectPhrase) -> tuple[Person | None, str | None] | None:
    """The author a written source names: "le rapport de Jean Roux", "…, publié par l'OCDE"."""
    ctx = phrase.ctx
    if phrase.person is not None:
        return phrase.person, None
    after = _AUTHOR_PARTICIPLE.match(ctx.text[phrase.end : phrase.end + 120])
    by = re.search(r"\bpar\s+", phrase.text)
    if after is None and by is None:
        return None
    k = ctx.token_index(phrase.end + after.end() if after else phrase.start + by.end())
    _, sentence_end = ctx.sentence_of(phrase.start)
    end = np_end(ctx, k, sentence_end)
    if end <= k:
        return None
    start, stop = ctx.doc[k].idx, ctx.doc[end - 1].idx + len(ctx.doc[end - 1].text)
    person = ctx.people.first_person_in(start, stop)
    if person is not None:
        return person, None
    head = next((t for t in ctx.doc[k:end] if t.pos_ in ("NOUN", "PROPN")), None)
    return None, ctx.people.organisation(ctx.text[start:stop], head.lemma_ if head is not None else "", start)


def _earlier_author(phrase: SubjectPhrase) -> Person | None:
    """A definite written source taking up one named with its author just before: "l'ouvrage
    d'Éric Chauvier … le livre dénonçait" → Éric Chauvier."""
    ctx = phrase.ctx
    window = max(0, phrase.start - WRITTEN_AUTHOR_WINDOW)
    found = None
    for person in ctx.people.people:
        for m_start, _ in person.mentions:
            if window <= m_start < phrase.start and not ctx.inside_marks(m_start):
                before = ctx.text[max(0, m_start - 40) : m_start]
                written = re.search(r"(\w+)\s+(?:de|d'|d’)\s*$", before)
                if written and fold(written.group(1)) in _WRITTEN_HEADS | {"ouvrage", "livre"}:
                    if found is None or m_start > found[0]:
                        found = (m_start, person)
    return found[1] if found else None


def speaker_written_source(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A report, a bill, a letter, a book speaks under its author, else under its own name, never
    as the person last described by a word of it.

    Examples: "…, estime le rapport intérimaire, publié par l'OCDE" → the OCDE; "l'ouvrage d'Éric
    Chauvier … Le livre dénonçait « … »" → Éric Chauvier; "prévoit le projet de loi" (the article
    named "le projet de loi sur le renseignement") → "projet de loi sur le renseignement".
    """
    head = phrase.head
    if head is None or fold(head.lemma_) not in _WRITTEN_HEADS or phrase.indefinite:
        return None
    if head.i > phrase.tokens[0].i + 1:
        return None  # the written noun is a complement ("le porte-parole du projet"), not the head
    author = _document_author(phrase)
    if author is not None:
        person, name = author
        return SpeakerAnswer(phrase.where, person, Resolution.EXPLICIT if person else Resolution.ORGANISATION, name)
    person = _earlier_author(phrase)
    if person is not None:
        return SpeakerAnswer(phrase.where, person, Resolution.DESCRIPTOR)
    name = _STRIP_DETERMINER.sub("", phrase.descriptor or phrase.text).strip()
    if not name:
        return None
    # The fuller name the article gave it before: "le projet de loi sur le renseignement".
    fuller = re.findall(
        rf"\b{re.escape(name)}\s+(?:sur|relatif à|relative à|pour|contre)\s+(?:la |le |les |l'|l’)?[\w'’-]+(?:\s+[\w'’-]+)?",
        phrase.ctx.text[: phrase.start],
        re.IGNORECASE,
    )
    if fuller:
        name = fuller[0]
    return SpeakerAnswer(phrase.where, None, Resolution.ORGANISATION, name)


def speaker_indefinite_pronoun(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """ "quelqu'un", "l'un d'eux": nobody named. Example: « Menteur ! », a crié quelqu'un."""
    if phrase.lowered in ("quelqu'un", "quelqu’un", "l'un", "l’un", "l'une", "l’une"):
        return SpeakerAnswer(phrase.where, None, Resolution.UNKNOWN)
    return None


def reject_sign_or_banner(phrase: SubjectPhrase) -> Rejection | None:
    """Words "said" by a sign, a banner or a slogan are no quotation.

    Example: « Non à la fermeture », proclamait une banderole.
    """
    if phrase.head is not None and fold(phrase.head.lemma_) in _NON_SPEAKER_HEADS:
        return Rejection("reject_sign_or_banner")
    return None


def _titled_in_marks(phrase: SubjectPhrase):
    return re.search(r"[«“\"]\s*([^«»“”\"]{2,60}?)\s*(?:[»”\"]|$)", phrase.text)


def speaker_media_title(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A media noun with its title in marks: the publication speaks under its title.

    Example: "Le magazine « Projections » a salué…" → "Projections".
    """
    head = phrase.head
    titled = _titled_in_marks(phrase)
    if head is None or fold(head.lemma_) not in _MEDIA_NOUNS or not titled:
        return None
    return SpeakerAnswer(phrase.where, None, Resolution.ORGANISATION, titled.group(1))


def speaker_media_last_named(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A media noun in lower case: the publication last named before it.

    Example: "La Tribune alsacienne s'en amuse : « … », ironise le journal strasbourgeois".
    """
    head = phrase.head
    if head is None or fold(head.lemma_) not in _MEDIA_NOUNS or not head.text[:1].islower():
        return None
    ctx, start = phrase.ctx, phrase.start
    named = [(at, name) for at, name in phrase.state.publications if at < start]
    opening = ctx.sentence_of(phrase.candidate.open_offset)[0]
    own = _OPENING_TITLE.match(ctx.text[opening : opening + 80])
    if own and opening < start:
        named.append((opening, own.group(0).strip()))
    if not named:
        return None
    return SpeakerAnswer(phrase.where, None, Resolution.ORGANISATION, max(named)[1])


def _is_role(phrase: SubjectPhrase) -> bool:
    """A role naming one person ("le PDG de Renault"), after a definite or demonstrative determiner."""
    head, determiner = phrase.head, phrase.determiner
    return (
        head is not None
        and fold(head.lemma_) in PERSON_ROLE_HEADS
        and not phrase.head_is_organisation
        and determiner is not None
        and determiner.lower_ in _ROLE_DETERMINERS
    )


def speaker_role_apposed_name(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A role phrase ending with an apposed name, even when an ORG entity covers it: the name.

    Example: « … », a déclaré le ministre de la Défense, Jean Valat. → Jean Valat; also when the
    parse ends the subject at its head: « … », prévient le PDG, Oskari Haavisto. → Oskari Haavisto.
    """
    if not _is_role(phrase):
        return None
    apposed = re.search(r",\s*((?:[A-ZÀ-ÖØ-Þ][\w'’.-]+\s?){2,4})\s*$", phrase.text)
    if not apposed:
        # The parse may stop the subject at its head: the name after it, up to the sentence's end
        # or a comma ("prévient le PDG, Pekka Lundmark." where the NER took the name for an ORG).
        after = phrase.ctx.text[phrase.end : phrase.end + 60]
        apposed = re.match(r",\s*((?:[A-ZÀ-ÖØ-Þ][\w'’-]+ ){1,3}[A-ZÀ-ÖØ-Þ][\w'’-]+)\s*(?:[.,;]|$)", after)
        if not apposed or phrase.ctx.inside_marks(phrase.end + apposed.start(1)):
            return None
    written = apposed.group(1).strip()
    named = phrase.ctx.people.person_named(written, phrase.start)
    return SpeakerAnswer(phrase.where, named, Resolution.EXPLICIT, None if named else written)


def _relative_of_role(phrase: SubjectPhrase) -> bool:
    """Whether the role's complement is another person's role: "le conseiller du président", "la
    porte-parole de la ministre" describe someone by their tie to that person, not the antecedent
    (rule ``speaker_role_of_role``: nobody named, the phrase as written)."""
    after = [t for t in phrase.tokens if t.i > phrase.head.i]
    for k, token in enumerate(after[:-1]):
        if token.lower_ in ("de", "du", "des", "d'", "d’"):
            noun = next((t for t in after[k + 1 : k + 3] if t.pos_ == "NOUN"), None)
            return noun is not None and fold(noun.lemma_) in PERSON_ROLE_HEADS
    return False


def speaker_role_in_organisation(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A role noun (or any definite noun with an organisation in its complement) is a person, not
    the organisation: the person so described, else (a role) the antecedent, else as written.

    Example: « … », a déclaré le porte-parole du Parti socialiste. → the person so described, if any.
    """
    ctx, head, determiner = phrase.ctx, phrase.head, phrase.determiner
    if head is None or phrase.head_is_organisation or determiner is None:
        return None
    if determiner.lower_ not in _ROLE_DETERMINERS:
        return None
    role = _is_role(phrase)
    if not role:
        first_org = min((at for at in phrase.organisation_mentions if at >= phrase.start), default=0)
        if not (
            head.idx < first_org
            and any(t.lower_ in ("de", "du", "des", "d'", "d’") and t.i > head.i for t in phrase.tokens)
        ):
            return None
    gender = _DET_GENDER.get(determiner.lower_) or _morph_gender(head)
    position = phrase.position()
    person = ctx.people.by_descriptor(head.lemma_, gender, position, role_qualifiers(phrase.tokens, head))
    if person is None and role and not _relative_of_role(phrase):
        person = ctx.people.antecedent(position, gender, phrase.state.last_quoted)
    resolution = Resolution.DESCRIPTOR if person else Resolution.UNKNOWN
    return SpeakerAnswer(phrase.where, person, resolution, phrase.descriptor)


def speaker_organisation(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """An organisation noun, or a phrase the NER calls ORG (not "un fonctionnaire de l'Assemblée").

    Example: « … », a indiqué la direction de Logiflux. → Logiflux's fullest name.
    """
    ctx, head = phrase.ctx, phrase.head
    org_entity = bool(phrase.organisation_mentions)
    if not (phrase.head_is_organisation or (org_entity and not (phrase.indefinite and head is not None))):
        return None
    # The organisation's own noun phrase: not its apposition or relative clause.
    own = re.split(r"\s*[,(]\s*|\s+(?:qui|a|ont|avait|est)\b|\s+(?:s'|s’|se\s)", phrase.text, maxsplit=1)[0]
    name = ctx.people.organisation(own, fold(head.lemma_) if head is not None else "", phrase.start)
    return SpeakerAnswer(phrase.where, None, Resolution.ORGANISATION, name)


def speaker_acronym(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """An acronym the article spelt out: the organisation's full name.

    Example: "L'Union des éleveurs du Massif (UDEM) proteste." then « … », a prévenu l'UDEM.
    """
    acronym = _STRIP_DETERMINER.sub("", phrase.text).strip()
    if acronym not in phrase.ctx.people.acronyms:
        return None
    return SpeakerAnswer(phrase.where, None, Resolution.ORGANISATION, phrase.ctx.people.acronyms[acronym])


def speaker_place_government(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A capital or a country speaks for its government. Example: "Moscou a dénoncé …" → Moscou."""
    start, end, head = phrase.start, phrase.end, phrase.head
    place = next(
        (
            ent
            for ent in phrase.ctx.doc.ents
            if ent.label_ == "LOC" and ent.start_char <= start + 4 and ent.end_char >= end - 1
        ),
        None,
    )
    if place is None or not (head is None or head.pos_ == "PROPN"):
        return None
    return SpeakerAnswer(phrase.where, None, Resolution.ORGANISATION, _STRIP_DETERMINER.sub("", place.text))


def speaker_crowd(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A crowd names nobody. Example: « Démission ! », scandait la foule. → unknown, no name."""
    if phrase.head is not None and fold(phrase.head.lemma_) in _CROWD_NOUNS:
        return SpeakerAnswer(phrase.where, None, Resolution.UNKNOWN)
    return None


def speaker_not_a_speaker(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A subject that cannot speak (a date, an abstract noun, "lesquels"): the previous speaker.

    Example: « … », a résumé ce week-end … → whoever spoke last.
    """
    if may_speak(phrase.tokens, phrase.head):
        return None
    previous = phrase.state.previous_speaker(phrase.ctx, phrase.candidate.open_offset)
    return SpeakerAnswer(None, previous, Resolution.PREVIOUS_SPEAKER if previous else Resolution.UNKNOWN)


def speaker_indefinite_descriptor(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """An indefinite role: the one introduced with that title, if any, else the phrase as written.

    Example: « … », renchérit une mère d'élève. → "une mère d'élève".
    """
    if not phrase.indefinite:
        return None
    head = phrase.head
    # An indefinite brings someone new in: only a name in the phrase or just after it ("un élu, Paul
    # Roux,") is theirs, not the person last described by that noun ("Un journaliste de l'AFP" is
    # not the journalist named two paragraphs up).
    if head is None:
        person = None
    elif phrase.start <= phrase.ctx.headline_end:
        # A headline's "alerte un urgentiste" is the one the body describes so.
        person = phrase.ctx.people.by_descriptor(head.lemma_, None, phrase.position())
    else:
        person = phrase.ctx.people.described_between(head.lemma_, phrase.start, phrase.end + INDEFINITE_NAME_REACH)
    return SpeakerAnswer(
        phrase.where, person, Resolution.DESCRIPTOR if person else Resolution.UNKNOWN, phrase.descriptor
    )


def speaker_definite_descriptor(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """A definite role: the person it was attached to, else the antecedent (then learnt).

    Example: "Hélène Marchetti … « … », a expliqué la maire." → Hélène Marchetti, now "la maire".
    """
    ctx, head, determiner = phrase.ctx, phrase.head, phrase.determiner
    if head is None:
        return None
    gender = _DET_GENDER.get(determiner.lower_) if determiner is not None else None
    gender = gender or _morph_gender(head)
    position = phrase.position()
    qualifiers = role_qualifiers(phrase.tokens, head)
    person = ctx.people.by_descriptor(head.lemma_, gender, position, qualifiers)
    if person is None and determiner is not None and determiner.lower_ in _DEFINITE_OR_POSSESSIVE:
        person = ctx.people.antecedent(position, gender, phrase.state.last_quoted)
        if person is not None:
            phrase.state.learn_descriptor(ctx, person, head.lemma_)
    return SpeakerAnswer(
        phrase.where, person, Resolution.DESCRIPTOR if person else Resolution.UNKNOWN, phrase.descriptor
    )


def speaker_proper_name(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """Proper nouns the people index does not hold as a person: the name as written.

    Example: « … », a dit Tsahal. (a proper noun in no entity) → "Tsahal" (explicit).
    """
    propn = [t for t in phrase.tokens if t.pos_ == "PROPN"]
    if not propn:
        return None
    written = " ".join(t.text for t in propn)
    named = phrase.ctx.people.person_named(written, phrase.start)
    if named is not None:
        return SpeakerAnswer(phrase.where, named, Resolution.EXPLICIT)
    return SpeakerAnswer(phrase.where, None, Resolution.EXPLICIT, written)


def speaker_unresolved(phrase: SubjectPhrase) -> SpeakerAnswer | None:
    """Nothing above answered: the words are kept, nobody is named.

    Example: « … », a répondu celui-ci. → "celui-ci", unknown.
    """
    return SpeakerAnswer(phrase.where, None, Resolution.UNKNOWN)


PhraseRule = Callable[[SubjectPhrase], "SpeakerAnswer | Rejection | None"]
# Most precise first; the first that answers wins.
PHRASE_RULES: tuple[PhraseRule, ...] = (
    speaker_pronoun_subject,
    speaker_ce_dernier,
    speaker_publication_title,
    speaker_named_in_subject,
    speaker_apposed_after_complement,
    speaker_unnamed_beside_name,
    speaker_apposition,
    speaker_name_before_apposition,
    speaker_coordinated_groups,
    speaker_written_source,
    speaker_indefinite_pronoun,
    reject_sign_or_banner,
    speaker_media_title,
    speaker_media_last_named,
    speaker_role_apposed_name,
    speaker_role_in_organisation,
    speaker_organisation,
    speaker_acronym,
    speaker_place_government,
    speaker_crowd,
    speaker_not_a_speaker,
    speaker_indefinite_descriptor,
    speaker_definite_descriptor,
    speaker_proper_name,
    speaker_unresolved,
)


# --- running the sieves ---------------------------------------------------------------------------


def first_pronoun_answer(query: PronounQuery) -> SpeakerAnswer:
    """The answer of the first pronoun rule that answers (the last one always does)."""
    query.candidate.speaker_rule, answer = first_answer(PRONOUN_RULES, query)
    return answer


def _first_phrase_answer(phrase: SubjectPhrase) -> SpeakerAnswer | Rejection:
    rule, answer = first_answer(PHRASE_RULES, phrase)
    # A delegating rule (speaker_pronoun_subject) has named the pronoun rule already.
    if rule != speaker_pronoun_subject.__name__:
        phrase.candidate.speaker_rule = rule
    return answer


def _apply(ctx: ArticleContext, state: DiscourseState, candidate: Candidate, answer) -> None:
    if isinstance(answer, Rejection):
        candidate.rejected = answer.rule
        return
    state.attribute(ctx, candidate, answer.where, answer.person, answer.resolution, answer.name)
    if answer.joint is not None:
        candidate.speaker = replace(candidate.speaker, name=answer.joint)


def _previous(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> None:
    candidate.speaker_rule = "speaker_previous"
    previous = state.previous_speaker(ctx, candidate.open_offset)
    resolution = Resolution.PREVIOUS_SPEAKER if previous else Resolution.UNKNOWN
    state.attribute(ctx, candidate, None, previous, resolution, None)


def resolve_pronoun(ctx, state, candidate, pronoun: str, where) -> None:
    """The pronoun rules for ``pronoun``, written at ``where``."""
    _apply(ctx, state, candidate, first_pronoun_answer(PronounQuery(ctx, state, candidate, pronoun, where)))


def resolve_phrase(ctx, state, candidate, start: int, end: int) -> None:
    """The phrase rules for the subject between ``start`` and ``end``."""
    _apply(ctx, state, candidate, _first_phrase_answer(SubjectPhrase.of(ctx, state, candidate, start, end)))


def _pronoun_where(ctx: ArticleContext, cue: Cue) -> tuple[int, int]:
    """Where the cue's pronoun is written: the clitic before the verb in its sentence ("Elle dit
    avoir « … »" → "Elle", not "dit"), else the verb (with its inverted clitic, "a-t-elle dit")."""
    sentence_start, sentence_end = ctx.sentence_of(cue.verb_start)
    verb = ctx.token_index(cue.verb_start)
    first, last = ctx.token_index(sentence_start), min(len(ctx.doc), verb + 3)
    for k in [*range(verb + 1, last), *range(verb - 1, max(first, verb - PRONOUN_WINDOW) - 1, -1)]:
        token = ctx.doc[k]
        if token.idx >= sentence_end or ctx.inside_marks(token.idx):
            continue
        if token.lower_ == cue.pronoun or (token.text.startswith("-") and token.lower_.split("-")[-1] == cue.pronoun):
            if k > verb and not token.text.startswith("-"):
                continue  # after the verb only an inverted clitic ("dit-elle") is its subject
            end = token.idx + len(token.text)
            return end - len(cue.pronoun), end  # "-t-elle" → "elle"
    return cue.verb_start, cue.verb_end


# How many tokens after a passive participle its agent ("par la préfecture") is looked for.
AGENT_WINDOW = 30


def passive_participle(ctx: ArticleContext, cue: Cue) -> bool:
    """Whether the cue's verb is a past participle with no "avoir" of its own and not reflexive:
    "qualifié de « … »", "est accusé de « … »", "a été jugé « … »" (not "a qualifié", "s'est dit",
    "a-t-il affirmé", "écrit l'agence")."""
    if ctx.inside_marks(cue.verb_start):
        return False
    doc = ctx.doc
    i = ctx.token_index(cue.verb_start)
    verb = doc[i]
    if verb.pos_ != "VERB" or "VerbForm=Part" not in str(verb.morph) or "Tense=Past" not in str(verb.morph):
        return False
    if (cue.subject_start is not None and cue.subject_start > cue.verb_start) or (
        i + 1 < len(doc) and doc[i + 1].text.startswith("-")
    ):
        return False  # an inverted subject is an active one
    sentence_start, _ = ctx.sentence_of(cue.verb_start)
    passive = False
    for k in range(i - 1, max(-1, i - 6), -1):
        token = doc[k]
        if token.idx < sentence_start or (token.is_punct and token.text != "-") or token.pos_ in ("NOUN", "VERB"):
            break  # "du fioul qualifié de": the participle's noun; "avoir" further left is another verb's
        if token.lower_ in ("s'", "s’", "se", "me", "m'", "m’", "te", "t'", "t’"):
            return False  # "s'est dit"
        if token.lemma_ == "avoir" and not passive:
            return False  # "a qualifié", "a elle aussi jugé"
        passive = passive or (token.lemma_ == "être" and token.pos_ == "AUX")  # "a été jugé"
    return True


def passive_agent(ctx: ArticleContext, cue: Cue, candidate: Candidate) -> tuple[int, int] | None:
    """The agent of a passive cue, "par" and a noun phrase after it in its sentence, outside marks.

    "fioul qualifié de « lourd » et « toxique » par la préfecture" → "la préfecture".
    """
    doc = ctx.doc
    _, sentence_end = ctx.sentence_of(cue.verb_start)
    # After the quote: "prévus par la loi : une « urgence absolue »" names no one who said it.
    first = ctx.token_index(max(cue.verb_end, candidate.outer_end))
    for k in range(first, min(len(doc), first + AGENT_WINDOW)):
        token = doc[k]
        if token.idx >= sentence_end or token.text in (".", ";", "!", "?"):
            return None
        if ctx.inside_marks(token.idx) or token.lower_ != "par":
            continue
        j = np_end(ctx, k + 1, sentence_end)
        if j > k + 1 and any(t.pos_ in ("NOUN", "PROPN") for t in doc[k + 1 : j]):
            return doc[k + 1].idx, doc[j - 1].idx + len(doc[j - 1].text)
        return None
    return None


# "L'Union suisse des paysans (USP) a, elle, demandé …": a subject at the sentence's start, its
# auxiliary, then a stressed pronoun between commas.
_EMPHATIC_SUBJECT = re.compile(
    r"^(?P<subject>[^,;:«»“”\"]{3,120}?)(?:\s+(?:a|ont|avait|avaient|aurait|s'est|s’est|se sont|est|sont))?"
    r"\s*,\s*(?P<pronoun>elle|lui|elles|eux)\s*,"
)
_EMPHATIC_PRONOUN = {"elle": "elle", "lui": "il", "elles": "elles", "eux": "ils"}


def emphatic_subject(ctx: ArticleContext, position: int, pronoun: str) -> tuple[int, int] | None:
    """The noun phrase a stressed pronoun takes up, when the subject pronoun is that one (rule
    ``speaker_emphatic_subject``).

    Example: "L'Union suisse des paysans (USP) a, elle, demandé aux agriculteurs de renoncer …"
    → the subject is "L'Union suisse des paysans (USP)", not whoever "elle" last referred to.
    """
    sentence_start, _ = ctx.sentence_of(position)
    found = _EMPHATIC_SUBJECT.match(ctx.text[sentence_start:position])
    if not found or _EMPHATIC_PRONOUN[found.group("pronoun").lower()] != pronoun.lower():
        return None
    start = sentence_start + found.start("subject")
    first = ctx.doc[ctx.token_index(start)]
    if first.pos_ in ("ADP", "ADV", "VERB", "AUX", "SCONJ", "CCONJ") or first.lower_ in _ADJUNCT_OPENERS:
        return None
    return start, sentence_start + found.end("subject")


def resolve(ctx: ArticleContext, state: DiscourseState, candidate: Candidate, cue: Cue) -> None:
    """The speaker of a quote whose cue was found: by its pronoun, its subject, or the previous speaker.

    A passive cue speaks through its agent ("qualifié de « lourd » par la préfecture"): its
    subject is who the words are about, not who said them.
    """
    agent = passive_agent(ctx, cue, candidate) if passive_participle(ctx, cue) else None
    if agent is not None:
        resolve_phrase(ctx, state, candidate, *agent)
        return
    emphatic = emphatic_subject(ctx, cue.verb_start, cue.pronoun) if cue.pronoun is not None else None
    if emphatic is not None:
        resolve_phrase(ctx, state, candidate, *emphatic)
        candidate.speaker_rule = "speaker_emphatic_subject"
    elif cue.pronoun is not None:
        answer = first_pronoun_answer(PronounQuery(ctx, state, candidate, cue.pronoun, _pronoun_where(ctx, cue)))
        if answer.person is None and answer.name is None:
            # an unresolved pronoun keeps the verb as its words: `structure.speaker_in_reach` reads
            # a lone verb as no source in reach (an impersonal "il" is no speaker)
            answer = replace(answer, where=(cue.verb_start, cue.verb_end))
        _apply(ctx, state, candidate, answer)
    elif cue.subject_start is None:
        _previous(ctx, state, candidate)
    else:
        resolve_phrase(ctx, state, candidate, cue.subject_start, cue.subject_end)


def resolve_indirect(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> None:
    """The speaker of reported speech, from the subject its finder read.

    No subject: the speaker of a quote in marks of the same sentence (« … », a indiqué le club,
    précisant que …), else the previous speaker. A pronoun or a phrase: the sieves above.
    """
    subject = candidate.subject
    same_sentence = state.last_marked
    if (
        subject is None
        and same_sentence is not None
        and same_sentence.speaker
        and ctx.sentence_of(same_sentence.outer_end) == ctx.sentence_of(candidate.start)
    ):
        candidate.speaker_rule = "speaker_same_sentence_quote"
        candidate.person = same_sentence.person
        candidate.speaker = same_sentence.speaker
        return
    if subject is None:
        _previous(ctx, state, candidate)
    elif isinstance(subject, str) and emphatic_subject(ctx, candidate.start, subject) is not None:
        resolve_phrase(ctx, state, candidate, *emphatic_subject(ctx, candidate.start, subject))
        candidate.speaker_rule = "speaker_emphatic_subject"
    elif isinstance(subject, str):
        resolve_pronoun(ctx, state, candidate, subject, None)
        candidate.speaker = replace(candidate.speaker, text=subject)
    else:
        resolve_phrase(ctx, state, candidate, *subject)


def match_headlines(ctx: ArticleContext, candidates: list[Candidate]) -> None:
    """A headline quote with no cue takes the speaker of the body quote that repeats it.

    Example: headline « Nous ne céderons pas », then « Nous ne céderons pas », a dit la ministre.
    A short or embedded headline quote with no match is a term ("un accord « a minima »": rejected).
    """
    body = [c for c in candidates if not c.headline and c.rejected is None and c.speaker]
    text = ctx.text
    for candidate in candidates:
        if not candidate.headline_unattributed or candidate.rejected:
            continue
        words = {fold(w) for w in re.findall(r"\w+", text[candidate.start : candidate.end]) if len(w) > 2}
        best, best_score = None, 0.0
        for other in body:
            other_words = {fold(w) for w in re.findall(r"\w+", text[other.start : other.end])}
            score = len(words & other_words) / max(1, len(words))
            if score > best_score:
                best, best_score = other, score
        if best is not None and best_score >= HEADLINE_MATCH_SHARE:
            candidate.person = best.person
            candidate.speaker = replace(
                best.speaker, text=None, start=None, end=None, resolution=Resolution.HEADLINE_MATCH
            )
            candidate.cue = None
        elif embedded(ctx, candidate) or len(text[candidate.start : candidate.end].split()) <= 4:
            candidate.rejected = "reject_headline_term"
        else:
            candidate.speaker = UNKNOWN_SPEAKER


def _intertitle(ctx: ArticleContext, candidate: Candidate) -> bool:
    """Whether a quote in marks is a paragraph of its own, short, with no final full stop: an
    intertitle ("« UNE REMISE EN CAUSE DE NOTRE RÔLE »" between two sections)."""
    index = bisect.bisect_right(ctx.paragraph_starts, candidate.open_offset) - 1
    if index < 0:
        return False
    start, end = ctx.paragraphs[index]
    outside = ctx.text[start : candidate.open_offset] + ctx.text[candidate.outer_end : end]
    inside = ctx.text[candidate.start : candidate.end].rstrip()
    return (
        not outside.strip()
        and len(inside) <= HEADLINE_MAX_CHARS
        and not inside.endswith((".", "…"))
    )


def match_intertitles(ctx: ArticleContext, candidates: list[Candidate]) -> None:
    """An intertitle in marks with no cue takes the speaker of the later body quote holding its
    words (rule ``speaker_intertitle_match``), not the previous speaker: the intertitle announces
    the section, whose quote it abridges.

    Example: « UN RÔLE À REPENSER », then in the section « Nous allons devoir repenser notre rôle
    », a déclaré la ministre. → the minister. Shares at least ``INTERTITLE_MATCH_SHARE`` of the
    intertitle's words (of three letters and more), in any order and case.
    """
    text = ctx.text
    for k, candidate in enumerate(candidates):
        if (
            candidate.rejected is not None
            or candidate.cue_rule != "cue_none"
            or candidate.headline
            or not candidate.marked
            or not _intertitle(ctx, candidate)
        ):
            continue
        words = {fold(w) for w in re.findall(r"\w+", text[candidate.start : candidate.end]) if len(w) > 2}
        if len(words) < INTERTITLE_MIN_WORDS:
            continue
        for other in candidates[k + 1 :]:
            if other.rejected is not None or not other.marked or not (other.speaker and other.speaker.name):
                continue
            other_words = {fold(w) for w in re.findall(r"\w+", text[other.start : other.end])}
            if other.cue_rule != "cue_none" and len(words & other_words) >= INTERTITLE_MATCH_SHARE * len(words):
                candidate.speaker_rule = "speaker_intertitle_match"
                candidate.person = other.person
                candidate.speaker = replace(
                    other.speaker, text=None, start=None, end=None, resolution=Resolution.HEADLINE_MATCH
                )
                break


def match_leading_quote(ctx: ArticleContext, candidates: list[Candidate]) -> None:
    """A quote that opens the text, with no cue and no speaker, takes the first person the body
    then quotes: the dispatch's title glued to its first sentence.

    Example: « Nous assistons à une deuxième vague » Paul Martin, économiste, souligne que …
    """
    kept = [c for c in candidates if c.rejected is None]
    if not kept:
        return
    first = kept[0]
    if first.person is not None or first.cue or first.headline or (first.speaker and first.speaker.name):
        return
    if ctx.sentence_of(first.start)[0] > 0 or ctx.people.antecedent(first.start, None, {}) is not None:
        return  # not the opening sentence, or someone is named before it
    later = next((c for c in kept[1:] if c.person is not None and c.speaker and c.speaker.start is not None), None)
    if later is None:
        return
    first.speaker_rule = "speaker_leading_quote"
    first.person = later.person
    first.speaker = replace(later.speaker, text=None, start=None, end=None, resolution=Resolution.HEADLINE_MATCH)
