"""Rejection filters: words in marks that are not quotations, told by what stands before them.

``FILTERS`` is an ordered sieve asked for each span in marks before any cue is looked for; the first
filter that answers wins. A filter answers ``KEEP`` (stop filtering: the span may be a quote), a
``Rejection`` naming itself, or None (ask the next one). Four more rejections fire inside the step
that can see them, and name themselves the same way: ``reject_negated_cue`` (``cues.cue_before_verb``),
``reject_scare_quote`` (``cues.cue_none``), ``reject_sign_or_banner`` (``speakers.PHRASE_RULES``) and
``reject_headline_term`` (``speakers.match_headlines``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from guillemet.quotes.context import ArticleContext
from guillemet.quotes.lexicon import fold
from guillemet.quotes.types import Candidate, Rejection, Verdict, first_answer

# Words after which words in marks are a title or a name: always (film, livre…), or when the words
# start with a capital (le plan « Sobriété publique », but un projet « conçu d'en haut »).
_WORK_WORDS = frozenset(
    """film films livre livres roman romans album albums émission emission émissions série serie séries pièce piece spectacle
    exposition expo baptisé baptisée baptisés intitulé intitulée surnommé surnommée surnom nommé nommée dénommé dénommée
    chanson chansons documentaire ouvrage essai slogan slogans hashtag feuilleton podcast chronique rubrique manifeste
    pancarte pancartes banderole banderoles tag opus saga quotidien hebdomadaire mensuel logiciel auteur auteure
    auteurs""".split()
)
_NAME_WORDS = frozenset(
    """opération operation opérations plan programme dispositif projet titre journal magazine revue rapport label mot
    mots expression formule collection festival concept mouvement campagne stratégie étiquette site application appli
    plateforme méthode marque produit jeu groupe association collectif loi réforme bannière""".split()
)
# Verbs that name things ("que ses voisins surnomment « le Don Quichotte du causse »"); "appeler"
# only in the present, since "ce qu'elle a appelé une « mémoire à trous »" is the speaker's words,
# and not "appeler à" (to call for: "appelle à la « retenue »" is the caller's word).
_NAMING_VERBS = frozenset("surnommer nommer baptiser intituler denommer renommer entonner chanter".split())
_NAMING_FORMS = frozenset("appelle appellent appelait appelaient".split())
# How far before the opening mark the filters read (characters, within the sentence).
LOOKBEHIND_CHARS = 40
TITLE_MAX_WORDS = 12  # a title or a name in marks is at most this long
TERM_MAX_WORDS = 6  # a term given after a naming verb
PROPER_NAME_MAX_WORDS = 3


# A filter's answer that the span may be a quotation: no later filter is asked.
KEEP = Verdict("KEEP")


@dataclass(frozen=True)
class MarkedContext:
    """What stands around a span in marks, read once for all filters."""

    ctx: ArticleContext
    candidate: Candidate

    @cached_property
    def words_in(self) -> list[str]:
        return self.ctx.text[self.candidate.start : self.candidate.end].split()

    @cached_property
    def capitalised(self) -> bool:
        return self.ctx.text[self.candidate.start : self.candidate.start + 1].isupper()

    @cached_property
    def lookbehind_start(self) -> int:
        sentence_start, _ = self.ctx.sentence_of(self.candidate.open_offset)
        return max(sentence_start, self.candidate.open_offset - LOOKBEHIND_CHARS)

    @cached_property
    def before(self) -> str:
        """The sentence's words just before the opening mark."""
        return self.ctx.text[self.lookbehind_start : self.candidate.open_offset].rstrip()

    @cached_property
    def words_before(self) -> list[str]:
        """The words before the marks, lower-cased, an elided article apart ("l'émission" → "l", "émission")."""
        return re.findall(r"[\w-]+", self.before.lower().replace("’", "'"))

    @cached_property
    def subject_of_next(self) -> bool:
        """Whether a lower-case word follows the closing mark (the span is the next verb's subject)."""
        outer_end = self.candidate.outer_end
        return bool(re.match(r"[»”\"]?\s*[a-zà-ÿ]", self.ctx.text[outer_end : outer_end + 4]))

    @cached_property
    def recent_tokens(self) -> list:
        """The last three tokens before the opening mark, punctuation aside."""
        first = self.ctx.token_index(self.lookbehind_start)
        last = self.ctx.token_index(self.candidate.open_offset)
        return [t for t in self.ctx.doc[first:last] if not t.is_punct][-3:]


def keep_said_after_colon(around: MarkedContext) -> Verdict | None:
    """What follows a colon is said, unless a verb follows the marks.

    Example: Il a répondu par une formule : « Jamais deux sans trois ». (kept)
    """
    if around.before.endswith(":") and not around.subject_of_next:
        return KEEP
    return None


def reject_title_or_name(around: MarkedContext) -> Rejection | None:
    """A work's title or a named thing: after "film", "livre"… or, capitalised, after "plan", "opération"….

    Examples: le film « Les Misérables » / le plan « Sobriété publique » / sous le nom « X ».
    """
    if len(around.words_in) > TITLE_MAX_WORDS:
        return None
    words = around.words_before
    previous = words[-1] if words else ""
    previous2 = " ".join(words[-2:]) if len(words) >= 2 else previous
    capitalised = around.capitalised
    if (
        previous in _WORK_WORDS
        or (previous in _NAME_WORDS and capitalised)
        or previous2 in ("sous le", "sous la")
        or previous in ("nom",)
        or previous2 in ("le nom", "du nom")
    ):
        return Rejection("reject_title_or_name")
    if (
        previous in ("de", "d", "du", "des")
        and len(words) >= 2
        and (words[-2] in _WORK_WORDS or (words[-2] in _NAME_WORDS and capitalised))
    ):
        return Rejection("reject_title_or_name")  # "la sortie du film « … »"
    return None


def reject_no_words(around: MarkedContext) -> Rejection | None:
    """Marks around no word (a figure, a sign) or around one grammatical word named as a word (a
    conjunction, a preposition, a determiner): a mention, not speech.

    Examples: une note de « 1 » / il y a eu un « mais » : le scandale.
    """
    words = around.words_in
    if not any(char.isalpha() for char in " ".join(words)):
        return Rejection("reject_no_words")
    doc, index = around.ctx.doc, around.ctx.token_index(around.candidate.start)
    if len(words) == 1 and index < len(doc):
        token = doc[index]
        if token.text == words[0] and token.pos_ in ("CCONJ", "SCONJ", "ADP", "DET"):
            return Rejection("reject_no_words")
    return None


# Prepositions before a publication's name: "explique dans « Paris-Normandie »", "au « Monde »".
_PUBLICATION_PREPOSITIONS = frozenset("dans par au aux".split())
PUBLICATION_MAX_WORDS = 5


def reject_publication(around: MarkedContext) -> Rejection | None:
    """A name in title case after "dans", "par", "au": a publication or a work, not words said.

    Example: Le maire explique dans « Le Courrier du Nord » que … / publiées par « La Voix ».
    """
    words = around.words_in
    previous = around.words_before[-1] if around.words_before else ""
    if previous not in _PUBLICATION_PREPOSITIONS or not 0 < len(words) <= PUBLICATION_MAX_WORDS:
        return None
    if all(word[:1].isupper() or len(word) <= 3 for word in words) and words[0][:1].isupper():
        return Rejection("reject_publication")
    return None


def reject_name_or_term(around: MarkedContext) -> Rejection | None:
    """A short term right after a naming verb.

    Example: que ses voisins surnomment « le Don Quichotte du causse ».
    """
    if len(around.words_in) > TERM_MAX_WORDS:
        return None
    doc = around.ctx.doc
    for token in around.recent_tokens:
        if fold(token.lemma_) in _NAMING_VERBS:
            return Rejection("reject_name_or_term")
        calls_for = token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ("à", "au", "aux")
        if fold(token.text) in _NAMING_FORMS and not calls_for:
            return Rejection("reject_name_or_term")  # "appelle à la « retenue »" calls for it
    return None


def reject_name_dit(around: MarkedContext) -> Rejection | None:
    """A name given with "dit(e)" after a noun. Example: les lois dites « Egalim »."""
    doc = around.ctx.doc
    for token in around.recent_tokens:
        if (
            fold(token.text) in ("dit", "dite", "dits", "dites")
            and token.i > 0
            and doc[token.i - 1].pos_ in ("NOUN", "PROPN")
        ):
            return Rejection("reject_name_dit")
    return None


def reject_proper_name(around: MarkedContext) -> Rejection | None:
    """A proper name alone in marks (a ship, a group, a place), with no reporting verb just before.

    Examples: le chalutier « Marie-Morgane » / « Le Monde » interroge… (after a colon too).
    """
    words_in = around.words_in
    if len(words_in) > PROPER_NAME_MAX_WORDS or not all(w[:1].isupper() for w in words_in):
        return None
    if around.before.endswith(":") and not around.subject_of_next:
        return None
    lexicon = around.ctx.lexicon
    if any(lexicon.lemma_of(t.lemma_, t.text) for t in around.recent_tokens):
        return None
    return Rejection("reject_proper_name")


def reject_name_as_subject(around: MarkedContext) -> Rejection | None:
    """A capitalised name in marks that is the subject of the verb right after it (no comma, no
    verb of its own): an organisation, a title, a publication. A quotation followed by its verb
    is set off by a comma or ends with its own mark (« … », dit-il / « Partez ! » crie-t-il).

    Example: « Les Voix des mères » appelle les élus à agir. / « Terre vivante » publie un rapport.
    """
    candidate, ctx = around.candidate, around.ctx
    if not around.capitalised or len(around.words_in) > TITLE_MAX_WORDS:
        return None
    if ctx.text[candidate.start : candidate.end].rstrip().endswith((".", "!", "?", "…")):
        return None  # « Démission ! » scandent les manifestants: an utterance and its verb
    doc = ctx.doc
    after = ctx.token_index(candidate.outer_end)
    if after >= len(doc) or doc[after].idx - candidate.outer_end > 1:
        return None
    verb = doc[after]
    finite = verb.pos_ in ("VERB", "AUX") and "VerbForm=Fin" in str(verb.morph) and verb.text[:1].islower()
    if not finite or verb.morph.get("Person") not in ([], ["3"]):
        return None
    inside = doc[ctx.token_index(candidate.start) : ctx.token_index(candidate.end)]
    if any(t.pos_ in ("VERB", "AUX") and "VerbForm=Fin" in str(t.morph) for t in inside):
        return None  # « Nous partirons » annonce … : a clause of its own
    return Rejection("reject_name_as_subject")


# How many earlier spans in marks a demonstrative's term is looked for in (a bound: linear cost).
REMENTION_LOOKBACK_SPANS = 30
_DEMONSTRATIVES = frozenset("ce cet cette ces".split())


def reject_term_taken_up(around: MarkedContext) -> Rejection | None:
    """A short term in marks after a demonstrative, which an earlier span in marks held: the writer
    takes up the term already quoted, nobody says it again.

    Example: Elle démissionne pour des « raisons personnelles ». Le Monde révèle ces « raisons ».
    """
    words = around.words_before
    if not words or words[-1] not in _DEMONSTRATIVES or len(around.words_in) > TERM_MAX_WORDS:
        return None
    ctx, candidate = around.ctx, around.candidate
    term = _folded_words(ctx.text[candidate.start : candidate.end])
    index = bisect.bisect_left(ctx.spans, candidate.open_offset, key=lambda span: span.open_offset)
    for span in ctx.spans[max(0, index - REMENTION_LOOKBACK_SPANS) : index]:
        if term in _folded_words(ctx.text[span.start : span.end]):
            return Rejection("reject_term_taken_up")
    return None


def _folded_words(text: str) -> str:
    """The words of ``text``, folded, each between spaces: " raisons personnelles "."""
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


#: Nouns that name or mention a word ("le terme de « X »", "celui de « crise »" after "mots").
_MENTION_WORDS = frozenset("terme termes notion qualificatif vocable appellation épithète".split())


def reject_name_after_de(around: MarkedContext) -> Rejection | None:
    """A short name or term given as the complement of a naming noun, capitalised or not.
    Examples: le dispositif de « leasing social » / la notion de « sobriété » / le terme de « dérive ».
    """
    if len(around.words_in) > TERM_MAX_WORDS:
        return None
    words = around.words_before
    if (
        len(words) >= 2
        and words[-1] in ("de", "d", "du", "des")
        and (words[-2] in _NAME_WORDS or words[-2] in _MENTION_WORDS)
    ):
        return Rejection("reject_name_after_de")
    return None


# "est considéré comme le « maillon faible »": a passive judgement with no agent gives nobody's words.
_PASSIVE_JUDGEMENT_RE = re.compile(
    r"\b(?:considérée?s?|perçue?s?|vue?s?|regardée?s?)\s+comme(?:\s+(?:le|la|les|l'|un|une|des|très|plus|moins|trop))*\s*$"
)


def reject_passive_judgement(around: MarkedContext) -> Rejection | None:
    """A short term after a passive "considéré comme" with no agent after the marks.
    Example: l'Italie reste considérée comme le « maillon faible » de la zone euro.
    """
    if len(around.words_in) > TERM_MAX_WORDS or not _PASSIVE_JUDGEMENT_RE.search(around.before.lower()):
        return None
    after = around.ctx.text[around.candidate.outer_end : around.candidate.outer_end + 30]
    if re.match(r"[»”\"]?\s*,?\s*par\b", after):
        return None  # "considéré comme « X » par le ministre": the agent speaks
    return Rejection("reject_passive_judgement")


# "porter plainte pour « dénonciation calomnieuse »": the legal name of a charge.
_CHARGE_RE = re.compile(
    r"\b(?:plaintes?|examen|condamnée?s?|poursuivie?s?|enquête|information\s+judiciaire|inculpée?s?|"
    r"mise?s?\s+en\s+cause|jugée?s?|interpellée?s?|arrêtée?s?|procès|sanctionnée?s?)\s+(?:\w+\s+){0,3}?pour\s*$"
)


def reject_charge_name(around: MarkedContext) -> Rejection | None:
    """The legal name of a charge after "plainte pour", "mis en examen pour", "condamné pour".
    Example: l'élu a porté plainte pour « dénonciation calomnieuse ».
    """
    if len(around.words_in) > TERM_MAX_WORDS or not _CHARGE_RE.search(around.before.lower()):
        return None
    return Rejection("reject_charge_name")


Filter = Callable[[MarkedContext], "Verdict | Rejection | None"]
FILTERS: tuple[Filter, ...] = (
    keep_said_after_colon,
    reject_title_or_name,
    reject_no_words,
    reject_publication,
    reject_name_or_term,
    reject_name_dit,
    reject_proper_name,
    reject_name_as_subject,
    reject_term_taken_up,
    reject_name_after_de,
    reject_passive_judgement,
    reject_charge_name,
)


def rejection(ctx: ArticleContext, candidate: Candidate) -> str | None:
    """The name of the first filter that rejects the span in marks, or None."""
    _, answer = first_answer(FILTERS, MarkedContext(ctx, candidate))
    return answer.rule if isinstance(answer, Rejection) else None
