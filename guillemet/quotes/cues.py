"""Cue rules: what tells that a span in marks is said, and whose subject names the speaker.

``CUE_RULES`` is an ordered sieve (the first rule that answers wins). Each rule takes the
article's context, the discourse state and a candidate, and answers with

- a ``Cue`` (a reporting verb, "selon", "pour", ":" and where its subject is): the speaker rules
  (``speakers.py``) then read the subject;
- ``SETTLED``: the rule gave the candidate its speaker itself (the previous speaker, a headline);
- a ``Rejection`` naming the filter that fired ("reject_negated_cue", "reject_scare_quote");
- or None: the next rule is asked.

The reporting verbs come from the lexicon's table (``guillemet/data/reporting_verbs.tsv``); the
multi-word ones are found by its compiled ``PhraseMatcher`` (``lexicon.CueMatcher``, ``grammar.verb_lemma``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from guillemet.gender import role_nouns
from guillemet.quotes.context import HEADLINE_MAX_CHARS, ArticleContext
from guillemet.quotes.discourse import DiscourseState
from guillemet.quotes.grammar import (
    INDEFINITE,
    is_clitic,
    is_dapres,
    main_subject,
    negated,
    np_end,
    phrase_span,
    postposed_subject,
    subject_of,
    verb_lemma,
)
from guillemet.quotes.lexicon import fold
from guillemet.quotes.people import ORG_NOUNS
from guillemet.quotes.types import (
    SETTLED,
    Candidate,
    Cue,
    QuoteKind,
    Rejection,
    Resolution,
    Speaker,
    Verdict,
    first_answer,
)

_HEADLINE_NAME = re.compile(r"^([A-ZÀ-ÖØ-Þ][\w'’-]+(?:[ -][A-ZÀ-ÖØ-Þ][\w'’-]+){1,2})(?:,\s*[^,:«»]{1,60})?\s*:$")
_CHAIN_VERBS = frozenset(
    # "tente": the model's lemma of "tente d'expliquer"
    {
        "finir",
        "tenir",
        "préférer",
        "choisir",
        "refuser",
        "contenter",
        "borner",
        "vouloir",
        "oser",
        "tenter",
        "tente",
        "essayer",
    }
)
_NOUN_STOPS = frozenset("lundi mardi mercredi jeudi vendredi samedi dimanche hier soir matin aujourd'hui".split())
_INDEFINITE_PRONOUNS = frozenset(
    "quelqu'un chacun chacune personne certains certaines plusieurs l'un l'une aucun aucune tous toutes".split()
)
# Verbs that report speech only with a clause (que, :), not with a quoted object.
_NEEDS_QUE = frozenset(
    """soutenir assumer poursuivre continuer développer trouver croire penser noter relever pointer lancer
    avancer proposer prévoir publier espérer souhaiter craindre redouter savourer analyser présumer supposer
    anticiper miser parier illustrer justifier opposer corriger informer communiquer répéter""".split()
)
# Pronouns that may stand as the subject after the verb ("a-t-il dit" aside): « … », a dit celui-ci.
_SUBJECT_PRONOUNS = frozenset({"il", "elle", "ils", "elles", "on", "celui-ci", "celle-ci", "ce", "lui"})
# How far after the verb a subject placed after an adjunct is looked for (characters).
ADJUNCT_WINDOW = 90
# A quote with no cue of at most this many words, inside the journalist's sentence, is a term.
SCARE_QUOTE_MAX_WORDS = 3
# Marked words a closing incise of their sentence reports have at least this many words.
SENTENCE_INCISE_MIN_WORDS = 4
# The words between two quotes of one sentence that share a cue: « … », a-t-elle lancé, « … ».
CONTINUED_MAX_GAP = 120
# Nouns of these endings name people by trade or belief ("toxicologue", "sociologue").
_ROLE_ENDINGS = ("iste", "logue", "trice", "euse", "ienne")
# After "comme X le …", verbs that give X's wording without being verbs of speech elsewhere.
_NAMING_AFTER_COMME = frozenset("définir appeler nommer surnommer décrire".split())
# "comme certains médecins le définissent": the words between "comme" and its verb.
COMME_SUBJECT_TOKENS = 8

CueAnswer = Cue | Verdict | Rejection | None


# --- finding a cue in the text --------------------------------------------------------------------


@dataclass(frozen=True)
class VerbAfter:
    """A reporting verb right after a quote, and where its subject may start."""

    lemma: str
    start: int  # the verb's characters
    end: int  # past an inverted clitic (a-t-il)
    aux: bool  # an auxiliary before it (« … », a déclaré)
    pronoun: str | None  # an inverted clitic subject (a-t-elle dit, dit-il)
    subject_first: int  # the token after the verb and its adverbs


def _past_quant_a(doc, i: int) -> int:
    """The token after "quant à lui / elle / eux / elles" at ``i`` (a contrast, not the subject), else ``i``."""
    k = i - 1 if 0 < i < len(doc) and doc[i].lower_ == "à" else i  # the adverbs were skipped up to "à"
    if k + 2 < len(doc) and doc[k].lower_ == "quant" and doc[k + 1].lower_ == "à":
        if doc[k + 2].lower_ in ("lui", "elle", "eux", "elles"):
            return k + 3
    return i


def _bare_past_participle(token) -> bool:
    """A past participle of the first group ("qualifiée", "jugés"; no present form looks like it),
    tagged so or as an adjective."""
    participle = "VerbForm=Part" in str(token.morph) and "Tense=Past" in str(token.morph)
    return (participle or token.pos_ == "ADJ") and token.lower_.endswith(("é", "ée", "és", "ées"))


def _attribute_follows(doc, i: int) -> bool:
    """Whether "de" and an attribute follow the verb at ``i``: "qualifiée de grave", "jugés d'inutiles"."""
    k = i + 1
    while k < len(doc) and doc[k].is_space:
        k += 1
    return k + 1 < len(doc) and doc[k].lower_ in ("de", "d'", "d’") and doc[k + 1].pos_ in ("ADJ", "NOUN")


def verb_after(ctx: ArticleContext, position: int, limit: int, inside: bool = False) -> VerbAfter | None:
    """The reporting verb right after ``position``: past punctuation, clitics, an auxiliary, an
    inverted pronoun and adverbs. « … », a déclaré / a-t-il dit / dit-elle / y assure / lui répond.

    A present participle (« … », rappelant que) is no incise outside a quote (``inside`` False).
    """
    doc = ctx.doc
    i = ctx.token_index(position)
    n = len(doc)
    while i < n and doc[i].idx < limit and doc[i].text in (",", "»", "”", '"', "(", "—", "–", "-"):
        i += 1
    if i >= n or doc[i].idx >= limit:
        return None
    pronoun = None
    aux = False
    while i < n and is_clitic(doc[i]) and i + 1 < n and doc[i + 1].pos_ == "AUX":
        i += 1  # « … », leur a lancé X
    if (
        doc[i].pos_ == "AUX"
        and doc[i].lemma_ in ("avoir", "être")
        or doc[i].lower_ in ("a", "avait", "aurait", "ont", "avaient", "est", "était", "sont")
    ):
        aux = True
        i += 1
    while i < n and doc[i].text.startswith("-") and len(doc[i].text) > 1:
        if doc[i].lower_ != "-t":
            pronoun = doc[i].lower_.lstrip("-")
        i += 1
    while (
        i < n
        and doc[i].pos_ == "ADV"
        and doc[i].lower_ not in ("ne", "n'")
        and ctx.lexicon.lemma_of(doc[i].lemma_, doc[i].text) is None
    ):
        i += 1
    while i < n and is_clitic(doc[i]):
        i += 1  # « … », y assure l'entreprise / lui répond le maire / s'insurge X
    i = _past_quant_a(doc, i)  # « … », a quant à lui prédit X
    if i >= n or doc[i].idx >= limit:
        return None
    lemma, after = verb_lemma(ctx, i)
    if lemma is None and doc[i].lemma_ in _CHAIN_VERBS and i + 2 < n and doc[i + 1].lower_ in ("par", "à", "de", "d'"):
        # "a-t-il fini par lâcher", "a tenu à rappeler": the reporting verb is the infinitive.
        lemma, after = verb_lemma(ctx, i + 2)
    if lemma is None:
        return None
    if not inside and not aux and pronoun is None and doc[i].text.endswith("ant"):
        # « … », rappelant que…: the sentence's subject speaks, found before the quote.
        return None
    if not inside and not aux and pronoun is None and _bare_past_participle(doc[i]) and _attribute_follows(doc, i):
        # « … » qualifiée de grave par X: the participle qualifies a noun of the words, it reports
        # no speech; the cue is found before the quote ("« … » lancé avec un sourire" reports it).
        return None
    verb_start, verb_end = doc[i].idx, doc[after - 1].idx + len(doc[after - 1].text)
    j = after
    while j < n and doc[j].text.startswith("-") and len(doc[j].text) > 1:
        if doc[j].lower_ != "-t":
            pronoun = doc[j].lower_.lstrip("-")
        verb_end = doc[j].idx + len(doc[j].text)
        j += 1
    while (
        not pronoun
        and j < n
        and ((doc[j].pos_ == "ADV" and doc[j].lower_ not in ("ne", "n'")) or doc[j].lower_ in _NOUN_STOPS)
    ):
        j += 1  # "a déclaré jeudi soir le ministre": the day is no subject
    j = _past_quant_a(doc, j)  # « … », résume quant à elle X
    return VerbAfter(lemma, verb_start, verb_end, aux, pronoun, j)


def subject_inverted_pronoun(ctx: ArticleContext, verb: VerbAfter, limit: int) -> Cue | None:
    """Example: « … », a-t-elle ajouté. / « … », dit-il. → the pronoun."""
    if verb.pronoun:
        return Cue(verb.lemma, verb.start, verb.end, None, verb.end, verb.pronoun)
    return None


def subject_noun_phrase(ctx: ArticleContext, verb: VerbAfter, limit: int) -> Cue | None:
    """A noun phrase after the verb, up to punctuation, a preposition, a verb or a relative pronoun.

    Examples: « … », a déclaré le maire Paul Durand. / « … », a crié quelqu'un.
    """
    doc, n = ctx.doc, len(ctx.doc)
    start = j = verb.subject_first
    if start < n and doc[start].pos_ == "ADP" and doc[start].lower_ in ("de", "d'", "d’", "du"):
        return None  # "s'est félicitée d'un prix qui …": the verb's complement, no subject
    while j < n and doc[j].idx < limit:
        token = doc[j]
        nominal = token.pos_ == "VERB" and j > start and doc[j - 1].pos_ == "DET"  # "un manifestant"
        if (
            (token.pos_ in ("PUNCT", "VERB", "AUX", "SCONJ", "CCONJ") and not nominal)
            or token.lower_ in _NOUN_STOPS
            or token.lower_ in ("qui", "que", "qu'", "dont")
        ):
            break
        if token.pos_ == "ADP" and token.lower_ not in ("de", "du", "des", "d'"):
            break
        if token.pos_ == "PRON" and token.lower_ in _INDEFINITE_PRONOUNS:
            j += 1
            break
        if token.lower_ in ("l'", "l’", "quelqu'", "quelqu’") and j + 1 < n and doc[j + 1].lower_ in ("un", "une"):
            # "a crié quelqu'un", "a répondu l'un d'eux": tokenised in two, still nobody named.
            return Cue(verb.lemma, verb.start, verb.end, doc[j].idx, doc[j + 1].idx + len(doc[j + 1].text))
        if token.pos_ == "PRON" and token.lower_ not in _SUBJECT_PRONOUNS:
            break
        j += 1
    while j > start and doc[j - 1].pos_ in ("ADP", "DET"):
        j -= 1
    if j == start:
        return None
    return Cue(verb.lemma, verb.start, verb.end, doc[start].idx, doc[j - 1].idx + len(doc[j - 1].text))


def _adjunct_window(ctx: ArticleContext, verb: VerbAfter, limit: int) -> tuple[int, int]:
    """Where a subject after an adjunct may be: up to ``ADJUNCT_WINDOW`` characters, no sentence end or mark."""
    doc, start = ctx.doc, verb.subject_first
    window_start = doc[start].idx if start < len(doc) else limit
    window_end = min(limit, doc[start].idx + ADJUNCT_WINDOW if start < len(doc) else limit)
    stop = re.search(r"[.;«»“”\"]", ctx.text[window_start:window_end])
    if stop:
        window_end = window_start + stop.start()
    return window_start, window_end


def subject_person_after_adjunct(ctx: ArticleContext, verb: VerbAfter, limit: int) -> Cue | None:
    """A person named after an adjunct. Example: « … », a déclaré à la presse Thierry Lamarque."""
    window_start, window_end = _adjunct_window(ctx, verb, limit)
    person = ctx.people.first_person_in(window_start, window_end)
    if person is None:
        return None
    mention = min(m for m in person.mentions if m[0] >= window_start and m[1] <= window_end)
    return Cue(verb.lemma, verb.start, verb.end, mention[0], mention[1])


def subject_indefinite_after_adjunct(ctx: ArticleContext, verb: VerbAfter, limit: int) -> Cue | None:
    """An indefinite subject after an adjunct. Example: « … », soupirait en marge de la séance un élu."""
    doc, n = ctx.doc, len(ctx.doc)
    _, window_end = _adjunct_window(ctx, verb, limit)
    for k in range(verb.subject_first, ctx.token_index(window_end)):
        if (
            doc[k].pos_ == "DET"
            and doc[k].lower_ in INDEFINITE
            and k + 1 < n
            and doc[k + 1].pos_ == "NOUN"
            and doc[k - 1].pos_ != "ADP"
        ):
            return Cue(verb.lemma, verb.start, verb.end, doc[k].idx, doc[k + 1].idx + len(doc[k + 1].text))
    return None


# Where the subject of a verb after a quote is, in this order; the first that answers wins.
SUBJECT_AFTER_RULES = (
    subject_inverted_pronoun,
    subject_noun_phrase,
    subject_person_after_adjunct,
    subject_indefinite_after_adjunct,
)


def find_cue_after(ctx: ArticleContext, position: int, limit: int, inside: bool = False) -> Cue | None:
    """A cue right after ``position`` (the end of a quote): its verb (``verb_after``) and its
    subject (``SUBJECT_AFTER_RULES``). With no subject, a cue with none (the previous speaker
    speaks), except after an auxiliary or inside a quote, where there is then no cue.
    """
    verb = verb_after(ctx, position, limit, inside)
    if verb is None:
        return None
    _, cue = first_answer(SUBJECT_AFTER_RULES, ctx, verb, limit)
    if cue is not None:
        return cue
    if inside or verb.aux:
        return None
    return Cue(verb.lemma, verb.start, verb.end, None, None, None)


@dataclass(frozen=True)
class BeforeQuote:
    """The words before a quote in its sentence, where the cue_before rules look.

    A quote opening its paragraph belongs to the sentence before when that paragraph ends with a
    colon ("X a pris la parole devant ses collègues :" then « … » on its own lines): ``anchor`` is
    then that colon's end, else the opening mark.
    """

    anchor: int
    sentence_start: int
    first: int  # the first token of the sentence
    last: int  # the first token at or after the anchor


def before_quote(ctx: ArticleContext, candidate: Candidate) -> BeforeQuote:
    """The candidate's ``BeforeQuote``, computed once."""
    if candidate.before is None:
        anchor = colon_before_paragraph(ctx, candidate.open_offset)
        sentence_start, _ = ctx.sentence_of(anchor)
        candidate.before = BeforeQuote(anchor, sentence_start, ctx.token_index(sentence_start), ctx.token_index(anchor))
    return candidate.before


def names_speaker(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether a phrase names someone who can speak: a person, an organisation."""
    if ctx.people.first_person_in(start, end) is not None:
        return True
    tokens = ctx.doc[ctx.token_index(start) : ctx.token_index(end)]
    return any(t.ent_type_ == "ORG" or (t.pos_ == "NOUN" and fold(t.lemma_) in ORG_NOUNS) for t in tokens)


# Heads after "selon" that name no speaker: figures, rules, and the distributive "selon les cas"
# (it varies with X, nobody speaks). Folded lemmas.
SELON_NON_SPEAKERS = frozenset(
    """chiffre information sondage donnee estimation calcul bilan projection modele prevision
    regle loi article principe moi nous""".split()
    + "cas domaine region periode nomenclature critere methode definition secteur niveau type saison".split()
)


def find_selon_after(ctx: ArticleContext, candidate: Candidate) -> Cue | None:
    """ ", selon X." later in the quote's sentence: « la viabilité des espèces », selon le ministère.

    Right after the closing mark, the comma may lack (« trop à droite » selon X) and X, closing the
    sentence, need only be a name or a determined noun phrase (selon l'ancienne déportée, d'après
    Lunar): "Une réforme « de bon sens », selon ses partisans, qui divise …" is no quote. Never a
    figure or a distributive ("selon les cas": ``SELON_NON_SPEAKERS``).
    """
    _, sentence_end = ctx.sentence_of(candidate.outer_end)
    doc = ctx.doc
    for i in range(ctx.token_index(candidate.outer_end), ctx.token_index(sentence_end)):
        token = doc[i]
        if ctx.inside_marks(token.idx) or not (token.lower_ == "selon" or is_dapres(doc, i)):
            continue
        cue_start = doc[i - 1].idx if token.lower_ == "après" else token.idx
        adjacent = not ctx.text[candidate.outer_end : cue_start].strip(" ,\n")
        if i == 0 or (doc[i - 1].text not in (",", "d'", "d’") and not adjacent) or i + 1 >= len(doc):
            return None
        end = np_end(ctx, i + 1, sentence_end)
        while end > i + 1 and doc[end - 1].is_space:
            end -= 1  # a wrapped line's break ("selon l'ancienne\ndéportée")
        if end <= i + 1:
            return None
        last = next((k for k in range(end, len(doc)) if not doc[k].is_space), len(doc))
        if (
            last < len(doc)
            and doc[last].is_alpha
            and _ends_sentence(ctx.text, doc[last].idx + len(doc[last].text), sentence_end)
        ):
            end = last + 1  # the one word left before the sentence end, a noun the parse read as a participle
        subject = (doc[i + 1].idx, doc[end - 1].idx + len(doc[end - 1].text))
        phrase = doc[i + 1 : end]
        head = next((t for t in phrase if t.pos_ in ("NOUN", "PROPN")), None)
        if head is not None and fold(head.lemma_) in SELON_NON_SPEAKERS:
            return None  # "varie « beaucoup » selon les régions": it varies with them, nobody speaks
        if not (
            names_speaker(ctx, *subject)
            or any(t.pos_ == "PRON" for t in phrase)
            or (adjacent and phrase[0].pos_ in ("PROPN", "DET") and _ends_sentence(ctx.text, subject[1], sentence_end))
        ):
            return None
        return Cue("selon" if token.lower_ == "selon" else "d'après", token.idx, token.idx + 5, *subject)
    return None


def _ends_sentence(text: str, position: int, sentence_end: int) -> bool:
    """Whether only a final mark and spaces lie between ``position`` and the sentence end."""
    return re.fullmatch(r"\s*[.!?…]*\s*", text[position : sentence_end + 1]) is not None


def colon_before_paragraph(ctx: ArticleContext, position: int) -> int:
    """``position``, or the end of the previous paragraph when it ends with a colon and the
    quote at ``position`` opens its own paragraph."""
    text = ctx.text
    paragraph_start = text.rfind("\n", 0, position) + 1
    if text[paragraph_start:position].strip():
        return position
    end = paragraph_start  # the end of the text before, white space aside (no copy of that text)
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end if end > 0 and text[end - 1] == ":" else position


def continued_quote(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> Candidate | None:
    """The quote this one continues: an earlier quote of the same sentence followed by its cue."""
    previous = state.last_marked
    if previous is None or previous.speaker is None or previous.rejected:
        return None
    sentence = ctx.sentence_of(candidate.open_offset)
    if ctx.sentence_of(previous.outer_end) != sentence or previous.outer_end > candidate.open_offset:
        return None
    between = ctx.text[previous.outer_end : candidate.open_offset]
    if not between.strip(" ,") or len(between) > CONTINUED_MAX_GAP:
        return None
    if find_cue_after(ctx, previous.outer_end, candidate.open_offset) is None:
        return None
    return previous


# Sentence connectives before a quote that opens its clause ("En revanche, « … »"): no embedding.
_CONNECTIVES = re.compile(
    r"^(?:mais|et|or|pourtant|cependant|toutefois|en revanche|par ailleurs|de plus|enfin|bref|ainsi|"
    r"en outre|d'ailleurs|au contraire|surtout)\s*,?$",
    re.IGNORECASE,
)


def embedded(ctx: ArticleContext, candidate: Candidate) -> bool:
    """Whether the marks sit inside a sentence of the journalist (not at its start, after a
    connective such as "En revanche,", nor after a colon).

    Example: Il dénonce une « dérive » (embedded) / En revanche, « la situation reste bonne » (not).
    Between two dashes inside the sentence, the marks are an aside of it (embedded).
    """
    sentence_start, _ = ctx.sentence_of(candidate.open_offset)
    before = ctx.text[sentence_start : candidate.open_offset].rstrip()
    if _CONNECTIVES.match(before):
        return False
    if before.endswith(("–", "—")) and before[:-1].strip():
        # "une chaîne sur l'esprit critique — « … » —, la logique": an aside between dashes
        return ctx.text[candidate.outer_end : candidate.outer_end + 3].lstrip().startswith(("–", "—"))
    return bool(before) and not before.endswith((":", ".", "!", "?", "»", "”", '"', "–", "—"))


# --- the cue rules, in the order they are asked ---------------------------------------------------


def cue_incise(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """The cue between the two halves of an interrupted quote, found when the span was split.

    Example: « Nous irons, explique la maire, jusqu'au bout » (both halves: expliquer, la maire).
    """
    return candidate.incise


def cue_after(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A reporting verb right after the quote, its subject after it or as an inverted clitic.

    Examples: « … », a déclaré le maire. / « … », a-t-elle ajouté. / « … », y assure l'entreprise.
    A present participle (« … », rappelant que) is not an incise: the sentence's subject speaks.
    A verb with no subject after it takes its subject before the quote (``subject_around_quote``).
    """
    cue = find_cue_after(ctx, candidate.outer_end, ctx.sentence_of(candidate.outer_end)[1] + 1)
    if cue is None or cue.subject_start is not None or cue.pronoun is not None:
        return cue
    return subject_around_quote(ctx, candidate, cue) or cue


def subject_around_quote(ctx: ArticleContext, candidate: Candidate, cue: Cue) -> Cue | None:
    """The verb's parsed subject before the quote, in its sentence: the marked words stand inside
    the subject's clause, between the subject and its verb.

    Example: "Les syndicats, « amers », déploraient des retards" → "Les syndicats", not the
    previous speaker.
    """
    doc = ctx.doc
    verb = doc[ctx.token_index(cue.verb_start)]
    head = verb if verb.pos_ == "VERB" else verb.head
    sentence_start, _ = ctx.sentence_of(candidate.open_offset)
    subject = next(
        (
            c
            for c in head.children
            if c.dep_ in ("nsubj", "nsubj:pass") and sentence_start <= c.idx < candidate.open_offset
        ),
        None,
    )
    if subject is None:
        return _phrase_before_quote(ctx, candidate, cue, verb, sentence_start)
    if ctx.inside_marks(subject.idx) or subject.lower_ in ("qui", "que", "qu'", "dont"):
        return None
    if subject.pos_ == "PRON":
        return replace(cue, pronoun=subject.lower_) if subject.lower_ in ("il", "elle", "ils", "elles") else None
    start, end = phrase_span(ctx, subject)
    return replace(cue, subject_start=start, subject_end=min(end, candidate.open_offset))


def _phrase_before_quote(ctx: ArticleContext, candidate: Candidate, cue: Cue, verb, sentence_start: int) -> Cue | None:
    """When the parse gave the verb no subject: a noun phrase of its own (after a comma or opening
    the sentence) right before ", «", agreeing with the verb in number."""
    doc = ctx.doc
    k = ctx.token_index(candidate.open_offset) - 1
    if k < 1 or doc[k].text != ",":
        return None
    k -= 1
    last = k
    while k >= 0 and doc[k].pos_ in ("NOUN", "PROPN", "ADJ") and doc[k].idx >= sentence_start:
        k -= 1
    if k < 0 or k == last or doc[k].pos_ != "DET" or doc[k].idx < sentence_start:
        return None
    if doc[k].idx > sentence_start and doc[k - 1].text != ",":
        return None  # a complement ("le rapport du médiateur"), not a phrase of its own
    number = verb.morph.get("Number")
    noun = next((t for t in doc[k + 1 : last + 1] if t.pos_ in ("NOUN", "PROPN")), None)
    if noun is None or (number and noun.morph.get("Number") and noun.morph.get("Number") != number):
        return None
    return replace(cue, subject_start=doc[k].idx, subject_end=doc[last].idx + len(doc[last].text))


def cue_comme_after(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """ "comme" and a reporting verb right after the quote: its subject inverted after the verb, or
    before it with an object clitic ("comme certains médecins le définissent").

    Examples: une « crise majeure », comme prévenait l'OMS. / notre « second cerveau », comme
    certains médecins le définissent. / « … », comme l'a rappelé le maire.
    """
    return find_comme_cue(ctx, candidate.outer_end)


def find_comme_cue(ctx: ArticleContext, position: int) -> Cue | None:
    """The cue of ``cue_comme_after`` after ``position`` (the end of a quote), or None."""
    doc, n = ctx.doc, len(ctx.doc)
    limit = ctx.sentence_of(position)[1] + 1
    i = ctx.token_index(position)
    while i < n and doc[i].idx < limit and doc[i].text in (",", "»", "”", '"'):
        i += 1
    if i + 1 >= n or doc[i].lower_ != "comme" or doc[i + 1].idx >= limit:
        return None
    cue = find_cue_after(ctx, doc[i + 1].idx, limit)
    if cue is not None:
        return cue if cue.subject_start is not None or cue.pronoun is not None else None
    for k in range(i + 1, min(n, i + 1 + COMME_SUBJECT_TOKENS)):
        if doc[k].idx >= limit or doc[k].pos_ == "PUNCT":
            return None
        lemma, after = verb_lemma(ctx, k)
        if lemma is None and doc[k].lemma_ in _NAMING_AFTER_COMME:
            lemma, after = doc[k].lemma_, k + 1
        if lemma is None or doc[k].pos_ not in ("VERB", "AUX"):
            continue
        end = k
        while end > i + 1 and (is_clitic(doc[end - 1]) or doc[end - 1].pos_ == "AUX"):
            end -= 1  # "comme certains médecins l'ont défini": the subject ends before "l'ont"
        if end == i + 1:
            return None
        verb_end = doc[after - 1].idx + len(doc[after - 1].text)
        return Cue(lemma, doc[k].idx, verb_end, doc[i + 1].idx, doc[end - 1].idx + len(doc[end - 1].text))
    return None


# « … », peut-on lire dans Les Échos / lit-on sur le site du ministère: the text quoted is the publication's.
_ON_LIT_DANS = re.compile(
    r"\s*,\s*(?P<verb>(?:peut|pouvait|pourra|pouvaient)-on\s+(?:y\s+)?lire|lit-on)\s+(?:dans|sur)\s+",
    re.IGNORECASE,
)


def cue_on_lit_dans(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """ "peut-on lire dans X" after a quote: X, a written source, speaks (CONVENTIONS.md).

    Example: « Une douzaine de responsables ont été mis en examen », peut-on lire dans Le Courrier.
    → Le Courrier, not "on" nor the previous speaker.
    """
    found = _ON_LIT_DANS.match(ctx.text, candidate.outer_end)
    if not found:
        return None
    _, sentence_end = ctx.sentence_of(found.start("verb"))
    k = ctx.token_index(found.end())
    end = np_end(ctx, k, sentence_end)
    if end <= k or ctx.inside_marks(ctx.doc[k].idx):
        return None
    last = ctx.doc[end - 1]
    return Cue("lire", found.start("verb"), found.end("verb"), ctx.doc[k].idx, last.idx + len(last.text))


def cue_continued(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A quote continuing an earlier quote of its sentence, whose cue stands between them.

    Example: « Vous mentez », a-t-elle lancé à l'adresse du maire, « et vous le savez ».
    The second quote takes the first one's cue and speaker.
    """
    if candidate.headline:
        return None
    continued = continued_quote(ctx, state, candidate)
    if continued is None:
        return None
    candidate.cue = continued.cue
    name = continued.speaker.name if continued.speaker else None
    state.attribute(ctx, candidate, None, continued.person, Resolution.PREVIOUS_SPEAKER, name)
    return SETTLED


def cue_before_pour(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A sentence opened by "Pour" and a phrase naming someone who can speak: their opinion.

    Examples: Pour la ministre Anne Roche, « il faut agir vite et fort ». / Pour la toxicologue,
    « … » (a role). / Réforme : pour le PDG de Lenoir SA, « … » (after a topic label).
    The phrase stops at the first comma: "Pour le secrétaire d'État, Adrien Taquet, « … »" names
    nobody the rule can see (the apposed name is past that comma).
    """
    before = before_quote(ctx, candidate)
    doc, first = ctx.doc, before.first
    label = ctx.text.find(" : ", doc[first].idx if first < len(doc) else before.anchor, before.anchor)
    if label >= 0:
        first = ctx.token_index(label + 3)  # "Reprise d'Alitalia : pour le PDG d'Air France, « … »"
    opening = doc[first] if first < len(doc) else None
    if opening is None or opening.lower_ != "pour" or ctx.inside_marks(opening.idx):
        return None
    comma = ctx.text.find(",", opening.idx, before.anchor)
    region = (doc[first + 1].idx, comma) if comma > 0 and first + 1 < len(doc) else None
    if region and (names_speaker(ctx, *region) or _names_role(ctx, *region)):
        return Cue("pour", opening.idx, opening.idx + 4, region[0], region[1])
    return None


def _names_role(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether a phrase is a definite person descriptor: its head noun a role ("la toxicologue",
    "le ministre"), listed or of a person noun's ending."""
    tokens = ctx.doc[ctx.token_index(start) : ctx.token_index(end)]
    if len(tokens) < 2 or tokens[0].pos_ != "DET":
        return False
    head = next((t for t in tokens if t.pos_ == "NOUN"), None)
    if head is None:
        return False
    folded = fold(head.text)
    return (
        fold(head.lemma_) in role_nouns()
        or folded in role_nouns()
        or (len(folded) >= 8 and folded.endswith(_ROLE_ENDINGS))
    )


# "Pour elle, « … »", "À ses yeux, « … »": the pronoun whose antecedent holds the opinion.
_POUR_PRONOUNS = {"lui": "il", "elle": "elle", "eux": "ils", "elles": "elles"}


def cue_before_pour_pronoun(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A sentence opened by "Pour lui/elle/eux/elles," or "À ses/leurs yeux," right before the
    quote: the opinion of the pronoun's antecedent (cue "pour").

    Example: La ministre Anne Roche a visité la ferme. Pour elle, « les agriculteurs ont été oubliés ».
    """
    before = before_quote(ctx, candidate)
    doc, first = ctx.doc, before.first
    if first + 2 >= len(doc) or ctx.inside_marks(doc[first].idx):
        return None
    words = [t.lower_ for t in doc[first : first + 4]]
    if words[0] == "pour" and words[1] in _POUR_PRONOUNS and words[2] == ",":
        pronoun, written, comma = _POUR_PRONOUNS[words[1]], doc[first + 1], doc[first + 2]
    elif words[0] in ("à", "a") and words[1] in ("ses", "leurs") and words[2:] == ["yeux", ","]:
        pronoun = "lui" if words[1] == "ses" else "ils"
        written, comma = doc[first + 1], doc[first + 3]
    else:
        return None
    if ctx.text[comma.idx + 1 : before.anchor].strip():
        return None  # "Pour elle, il faut « … »": the quote is not the opinion itself
    return Cue("pour", written.idx, written.idx + len(written.text), None, None, pronoun)


def cue_selon_right_after(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """ "selon X" right after the closing mark, with no comma (or after further quotes joined by
    commas): the marked words are X's, whatever verb came before them.

    Example: Elle décrit sa voix : « une voix claire », « intime et rieuse » selon Paul Roux. (both: Paul Roux)
    """
    text, doc = ctx.text, ctx.doc
    _, sentence_end = ctx.sentence_of(candidate.outer_end)
    reach = candidate.outer_end
    opens = {span.open_offset: span for span in ctx.spans}
    while True:
        joined = re.match(r"\s*,\s*", text[reach : reach + 4])
        following = opens.get(reach + joined.end()) if joined else None
        if following is None or following.outer_end > sentence_end:
            break
        reach = following.outer_end
    after = re.match(r"[ \t]+(?=selon\b|d'après\b|d’après\b)", text[reach : reach + 12])
    if after is None:
        return None
    i = ctx.token_index(reach + after.end())
    word = i + 1 if doc[i].lower_ in ("d'", "d’") else i
    if word + 1 >= len(doc):
        return None
    end = np_end(ctx, word + 1, sentence_end)
    if end <= word + 1:
        return None
    subject = (doc[word + 1].idx, doc[end - 1].idx + len(doc[end - 1].text))
    head = next((t for t in doc[word + 1 : end] if t.pos_ in ("NOUN", "PROPN")), None)
    if head is not None and fold(head.lemma_) in SELON_NON_SPEAKERS:
        return None  # a distributive, "« très variable » selon les régions": nobody speaks
    if not names_speaker(ctx, *subject):
        return None
    return Cue("selon" if doc[word].lower_ == "selon" else "d'après", doc[i].idx, doc[word].idx + len(doc[word].text), *subject)


# ", une expression popularisée en 2003 par X": the quoted words' author, named in an apposition.
_EXPRESSION_BY = re.compile(
    r"\s*,\s*(?:une|la|cette)\s+(?:expression|formule|phrase)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?P<verb>popularisée|lancée|employée|utilisée|inventée|forgée|prononcée)\s+"
    r"(?:(?:en|dès)\s+\d{4}\s+)?par\s+"
)


def cue_expression_by(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """An apposition after the marks naming who coined or used the words: theirs, not the speaker
    of the sentence that cites them.

    Example: Il rappelle qu'on les traitait de « mangeurs de grenouilles », une expression
    popularisée par le tabloïd Daily Star. → the Daily Star.
    """
    found = _EXPRESSION_BY.match(ctx.text, candidate.outer_end)
    if found is None:
        return None
    doc = ctx.doc
    _, sentence_end = ctx.sentence_of(candidate.outer_end)
    first = ctx.token_index(found.end())
    end = np_end(ctx, first, sentence_end)
    if end <= first:
        return None
    subject = (doc[first].idx, doc[end - 1].idx + len(doc[end - 1].text))
    if not names_speaker(ctx, *subject):
        return None
    verb = doc[ctx.token_index(found.start("verb"))]
    return Cue(verb.lemma_, verb.idx, verb.idx + len(verb.text), *subject)


def cue_before_selon(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """Selon X / d'après X before the quote in its sentence, the nearest first.

    Example: Selon le ministre, « la réforme sera votée avant l'été ».
    """
    before = before_quote(ctx, candidate)
    doc = ctx.doc
    for i in range(before.last - 1, before.first - 1, -1):
        token = doc[i]
        if ctx.inside_marks(token.idx):
            continue
        if token.lower_ == "selon" or is_dapres(doc, i):
            end = np_end(ctx, i + 1, before.anchor)
            if end > i + 1:
                return Cue(
                    "selon" if token.lower_ == "selon" else "d'après",
                    token.idx,
                    token.idx + len(token.text),
                    doc[i + 1].idx,
                    doc[end - 1].idx + len(doc[end - 1].text),
                )
    return None


# Words that make "que" a conjunction of time, cause or concession ("après que", "parce que"),
# which opens an adverbial clause, not the content of a verb of speech.
_CONJUNCTION_QUE = frozenset(
    "après avant alors parce bien pour afin dès depuis pendant tandis sans encore maintenant".split()
)
# Conjunctions in one word that open an adverbial clause.
_SUBORDINATORS = frozenset("lorsque lorsqu' lorsqu’ puisque puisqu' puisqu’ quand quoique quoiqu' quoiqu’".split())
# How a past participle may end (masculine, feminine, plural): é, i, u, t, s.
_PARTICIPLE_ENDINGS = tuple(stem + ending for stem in ("é", "i", "u", "t", "s") for ending in ("", "e", "s", "es"))
_QUE_RE = re.compile(r"(\S+)?\s*\b(?:que\b|qu['’])", re.IGNORECASE)


def subordinator(doc, i: int) -> bool:
    """Whether token ``i`` opens an adverbial clause: "lorsque", "quand", or the "que" of "après
    que", "parce que", "alors que"."""
    token = doc[i]
    if token.lower_ in _SUBORDINATORS:
        return True
    return token.lower_ in ("que", "qu'", "qu’") and i > 0 and doc[i - 1].lower_ in _CONJUNCTION_QUE


def _introduces(between: str) -> bool:
    """Whether the words between a verb and a quote introduce it as the verb's content: a colon, or
    a "que" that is no conjunction of time or cause ("a assuré que « … »", not "après que")."""
    if ":" in between:
        return True
    return any((m.group(1) or "").lower() not in _CONJUNCTION_QUE for m in _QUE_RE.finditer(between))


_SUBJECT_CLITICS = frozenset("il elle ils elles on qui".split())


def _verb_like_adjective(ctx: ArticleContext, i: int, anchor: int) -> bool:
    """Whether a word the tagger calls an adjective may be the verb of speech: a past participle
    (by its morphology or its ending: cité, convaincue), a form after a clitic or with an
    inverted one ("elle critique", "tempère-t-il"), or one right before the marks ("le
    conseiller lâche « … »"). "L'esprit critique — « … »" is an adjective."""
    doc = ctx.doc
    token = doc[i]
    word = token.lower_
    if "VerbForm=Part" in str(token.morph):
        return True
    if word.endswith(_PARTICIPLE_ENDINGS) and not word.endswith(("que", "ques", "gue", "gues")):
        return True
    if i + 1 < len(doc) and doc[i + 1].text.startswith("-") and len(doc[i + 1].text) > 1:
        return True
    if i > 0 and (doc[i - 1].lower_ in _SUBJECT_CLITICS or is_clitic(doc[i - 1])):
        return True  # "Elle critique des investissements « … »": no adjective right after a subject clitic
    return not ctx.text[token.idx + len(token.text) : anchor].strip(" ,:")


def cue_before_verb(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A reporting verb before the quote in its sentence: the one whose que-clause or colon holds
    the quote, else the nearest. A negated verb rejects the quote (``reject_negated_cue``).

    Examples: Marc Lenoir a déclaré : « … » / X a assuré que « … » / Une idée reçue, tranche X : « … »;
    in "ajoutant que les deux hommes parleront « … »" the cue is ajouter, not parler.
    """
    before = before_quote(ctx, candidate)
    doc, anchor = ctx.doc, before.anchor
    verbs = []
    # Past a conjunction opening the quote's adverbial clause ("…, après que le Congrès a banni les
    # « french fries »"), only a verb whose que or colon holds that clause reports it.
    cut = False
    for i in range(before.last - 1, before.first - 1, -1):
        token = doc[i]
        if ctx.inside_marks(token.idx):
            continue
        cut = cut or (not verbs and subordinator(doc, i))
        lemma, after = verb_lemma(ctx, i)
        if lemma is None or token.pos_ not in ("VERB", "AUX", "NOUN", "ADJ", "ADV"):
            continue
        if token.pos_ == "NOUN" and i > 0 and doc[i - 1].pos_ in ("DET", "ADP"):
            continue  # "en creusant une tranchée", "par tranche de": a noun that looks like a form of trancher
        if token.pos_ == "ADJ" and not _verb_like_adjective(ctx, i, anchor):
            continue  # "l'esprit critique — « … »": an adjective, not a form of critiquer
        between = ctx.text[doc[after - 1].idx : anchor]
        introduces = _introduces(between)
        if lemma in _NEEDS_QUE and not (introduces or between.rstrip().endswith(",")):
            continue  # "Pyongyang soutient « toutes les décisions »": support, not speech
        if cut and not introduces:
            continue
        verbs.append((i, lemma, introduces))
    chosen = next((v for v in verbs if v[2]), verbs[0] if verbs else None)
    if chosen is None:
        return None
    i, lemma, _ = chosen
    token = doc[i]
    if negated(ctx, i):
        return Rejection("reject_negated_cue")
    subject = postposed_subject(ctx, i) or subject_of(ctx, i)
    if subject is None:
        return Cue(lemma, token.idx, token.idx + len(token.text), None, None)
    if isinstance(subject, str):
        return Cue(lemma, token.idx, token.idx + len(token.text), None, None, subject)
    s_start, s_end = subject
    if s_start <= token.idx < s_end:
        # The parse took the verb for an adjective of the subject ("le conseiller du président
        # lâche « … »"): the subject is the noun phrase before it.
        s_start, s_end = _phrase_before_verb(ctx, i, before.sentence_start) or (s_start, s_end)
    return Cue(lemma, token.idx, token.idx + len(token.text), s_start, s_end)


def _phrase_before_verb(ctx: ArticleContext, i: int, sentence_start: int) -> tuple[int, int] | None:
    """The noun phrase right before token ``i``, with its de-complements, back to punctuation or a
    word of another kind: "le conseiller com du président" before "lâche"."""
    doc = ctx.doc
    k = i - 1
    while (
        k >= 0
        and doc[k].idx >= sentence_start
        and (doc[k].pos_ in ("DET", "NOUN", "PROPN", "ADJ") or doc[k].lower_ in ("de", "du", "des", "d'", "d’"))
        and not doc[k].is_punct
    ):
        k -= 1
    first = k + 1
    while first < i and doc[first].pos_ not in ("DET", "NOUN", "PROPN"):
        first += 1
    if first >= i or not any(t.pos_ in ("NOUN", "PROPN") for t in doc[first:i]):
        return None
    return doc[first].idx, doc[i - 1].idx + len(doc[i - 1].text)


def cue_before_colon(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A colon just before the quote, with no reporting verb: the words before it name the speaker,
    else the sentence's subject does.

    Examples: Kim Jong Un : « … » (headlines, captions) / Laélia Véron, linguiste : « … » /
    Sophie Langlade, adjointe aux sports, a pris la parole : « … ».
    """
    before = before_quote(ctx, candidate)
    doc, sentence_start = ctx.doc, before.sentence_start
    stripped = ctx.text[sentence_start : before.anchor].rstrip()
    if not stripped.endswith(":"):
        return None
    np_first = ctx.token_index(sentence_start)
    np_last = ctx.token_index(sentence_start + len(stripped) - 1)
    colon = sentence_start + len(stripped) - 1
    names_someone = ctx.people.first_person_in(sentence_start, colon) is not None or any(
        ent.label_ == "ORG" and sentence_start <= ent.start_char < colon for ent in doc.ents
    )
    named = _HEADLINE_NAME.match(stripped[len(stripped) - len(stripped.lstrip()) :]) if not names_someone else None
    if named:
        # "Laélia Véron, linguiste : « … »": two capitalised words and a title before the colon.
        return Cue(":", colon, colon + 1, sentence_start, sentence_start + named.end(1))
    if 0 < np_last - np_first <= 6 and names_someone:
        return Cue(":", colon, colon + 1, doc[np_first].idx, doc[np_last - 1].idx + len(doc[np_last - 1].text))
    # "Sophie Langlade, adjointe aux sports, a pris la parole : « … »": the sentence's subject;
    # "la magistrate a démonté la thèse de l'accident : « … »": its main verb's subject.
    subject = main_subject(ctx, np_last) or next(
        (
            subject_of(ctx, k)
            for k in range(np_first, np_last)
            if doc[k].pos_ == "VERB"
            and not ctx.inside_marks(doc[k].idx)
            and any(c.dep_ in ("nsubj", "nsubj:pass") and c.i < k for c in doc[k].children)
        ),
        None,
    )
    if isinstance(subject, str):
        return Cue(":", colon, colon + 1, None, None, subject)
    if subject is not None:
        return Cue(":", colon, colon + 1, subject[0], subject[1])
    return None


def cue_selon_after(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """ ", selon X" later in the quote's sentence.

    Example: La mesure menace « la viabilité des espèces », selon le ministère.
    """
    return find_selon_after(ctx, candidate)


def cue_later_incise(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A later quote of the same sentence is followed by an incise naming its speaker: the earlier
    marked words, with no cue of their own, are that speaker's too (the incise closes the sentence
    and reports all of it).

    Example: Le pays « a besoin » de main-d'œuvre face à une situation « tendue », a déclaré le
    porte-parole Paul Durand. (« a besoin »: déclarer, Paul Durand)
    """
    if candidate.headline:
        return None
    sentence = ctx.sentence_of(candidate.open_offset)
    reach = candidate.outer_end
    for span in ctx.spans:
        if span.open_offset < reach:
            continue
        gap = ctx.text[reach : span.open_offset]
        if span.open_offset > sentence[1] or len(gap) > CONTINUED_MAX_GAP or "\n" in gap:
            return None
        cue = find_cue_after(ctx, span.outer_end, sentence[1] + 1) or find_comme_cue(ctx, span.outer_end)
        if cue is not None and (cue.subject_start is not None or cue.pronoun is not None):
            return cue
        reach = span.outer_end
    return None


def cue_sentence_incise(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """An incise closing the sentence ("…, note la Drees.") reports the whole sentence: marked
    words earlier in it, with no cue of their own, take its cue. Only its last comma is read, the
    incise's subject must end the sentence, and the marks must hold more than a term
    (``SENTENCE_INCISE_MIN_WORDS`` words: "Les « gilets jaunes » défilent, a dit X" is no quote).

    Example: La dette « repart à la hausse sans retrouver son niveau » d'avant crise (41 % en
    2019), note aussi la Drees. (« repart … »: noter, la Drees)
    """
    if candidate.headline or len(ctx.text[candidate.start : candidate.end].split()) < SENTENCE_INCISE_MIN_WORDS:
        return None
    _, sentence_end = ctx.sentence_of(candidate.open_offset)
    doc = ctx.doc
    for k in range(ctx.token_index(sentence_end) - 1, ctx.token_index(candidate.outer_end) - 1, -1):
        if doc[k].text != "," or ctx.inside_marks(doc[k].idx):
            continue
        cue = find_cue_after(ctx, doc[k].idx, sentence_end + 1, inside=True)
        if cue is None or (cue.subject_start is None and cue.pronoun is None):
            return None
        end = cue.subject_end if cue.subject_end is not None else cue.verb_end
        return cue if _ends_sentence(ctx.text, end, sentence_end) else None
    return None


def _in_first_line(ctx: ArticleContext, candidate: Candidate) -> bool:
    """Whether the candidate lies in the text's title: the headline, or the first line of a text
    that goes on (a dispatch's headline, hard-wrapped into its lead)."""
    if candidate.headline:
        return True
    newline = ctx.text.find("\n")
    return 0 <= candidate.outer_end <= newline and bool(ctx.text[newline:].strip())


def cue_title_subject(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A fragment in the article's title with no cue: the person or organisation opening the title
    (after a "Topic :" label) said it, or the person right after it ("La « déception » de X").
    The cue is None: a title reports without a verb of speech.

    Examples: Le groupe Lenoir « n'est pas en mesure » de reprendre l'usine (le groupe Lenoir) /
    La « colère » de Paul Durand (Paul Durand).
    """
    if candidate.kind is not QuoteKind.FRAGMENT or not _in_first_line(ctx, candidate):
        return None
    doc, text = ctx.doc, ctx.text
    line_start = text.rfind("\n", 0, candidate.open_offset) + 1
    colon = text.rfind(" : ", line_start, candidate.open_offset)
    first = ctx.token_index(colon + 3 if colon >= 0 else line_start)
    end = np_end(ctx, first, candidate.open_offset)
    if end > first and doc[first].lower_ != "pour":
        subject = (doc[first].idx, doc[end - 1].idx + len(doc[end - 1].text))
        # The head before its complement names the speaker: not "Les comptes des hôpitaux".
        head = next((k for k in range(first + 1, end) if doc[k].pos_ == "ADP"), end)
        if names_speaker(ctx, subject[0], doc[head - 1].idx + len(doc[head - 1].text)):
            return Cue(None, candidate.open_offset, candidate.open_offset, *subject)
    after = ctx.token_index(candidate.outer_end)
    if after < len(doc) and doc[after].lower_ in ("de", "d'", "d’", "du"):
        end = np_end(ctx, after + 1, ctx.sentence_of(candidate.outer_end)[1])
        if end > after + 1:
            subject = (doc[after + 1].idx, doc[end - 1].idx + len(doc[end - 1].text))
            if ctx.people.first_person_in(*subject) is not None:
                return Cue(None, candidate.open_offset, candidate.open_offset, *subject)
    return None


def cue_headline_match(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """A headline quote with no cue waits for the body quote that repeats it (``speakers.match_headlines``).

    Example: headline « Nous ne céderons pas », body « Nous ne céderons pas », a dit la ministre.
    """
    if not candidate.headline:
        return None
    candidate.headline_unattributed = True
    return SETTLED


def cue_none(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> CueAnswer:
    """No cue: a fragment or a few words inside the journalist's sentence are a scare quote or a
    term (rejected); a whole utterance goes to the previous source when it was no person and
    nobody took the turn since (within the next paragraph), else to the previous speaker.

    Examples: Il dénonce une « chasse aux sorcières ». (rejected) / « Je resterai. » after a quote
    of the mayor's (the mayor).
    """
    words = len(ctx.text[candidate.start : candidate.end].split())
    if candidate.kind is QuoteKind.FRAGMENT or words <= SCARE_QUOTE_MAX_WORDS or embedded(ctx, candidate):
        return Rejection("reject_scare_quote")
    source = state.previous_source(ctx, candidate.open_offset)
    if source is not None:
        # The last source was no person (an organisation, a group, an unnamed descriptor).
        candidate.person = None
        candidate.speaker = Speaker(name=source, resolution=Resolution.PREVIOUS_SPEAKER)
        return SETTLED
    previous = state.previous_speaker(ctx, candidate.open_offset)
    resolution = Resolution.PREVIOUS_SPEAKER if previous else Resolution.UNKNOWN
    state.attribute(ctx, candidate, None, previous, resolution, None)
    return SETTLED


# The rejections a repeat overrides: marked words with no cue of their own.
# Shorter words are a repeat only as a whole quote ("couac" inside a long quote is a coincidence),
# and only from a title.
REPEAT_MIN_WORDS = 3
_REPEATABLE = frozenset(("reject_scare_quote", "reject_headline_term"))


def _words(text: str) -> str:
    return " ".join(fold(word) for word in re.findall(r"\w+", text))


def _in_title(ctx: ArticleContext, position: int) -> bool:
    """Whether ``position`` lies in a title-like paragraph: a headline or an intertitle, short and
    with no final full stop."""
    index = bisect.bisect_right(ctx.paragraph_starts, position) - 1
    if index < 0:
        return False
    start, end = ctx.paragraphs[index]
    paragraph = ctx.text[start:end].rstrip().rstrip('»”"').rstrip()
    return len(paragraph) <= HEADLINE_MAX_CHARS and not paragraph.endswith((".", "!", "?", "…"))


def match_repeated(ctx: ArticleContext, candidates: list[Candidate]) -> None:
    """Marked words with no cue that a later kept quote repeats are that quote's speaker's: a
    headline, an intertitle or a lead announces what the body then attributes.

    Runs after every candidate is attributed (the repeat comes later in the text). A rejected
    candidate is taken back when its words, folded, are those of a later kept quote in marks, or
    (``REPEAT_MIN_WORDS`` words and more) occur whole in one; fewer words only from a title
    (``_in_title``); a title's fragment given to the title's subject (``cue_title_subject``) too,
    since the body names who said it ("Canal+ veut « … »", then "le PDG … « … »"). It takes that quote's speaker (resolution ``headline_match``) and no cue.

    Example: headline Canal+ veut diffuser « une partie du feuilleton », then the body: Le PDG,
    Paul Durand, s'est engagé à diffuser « une partie du feuilleton » (the headline's: Paul Durand).
    """
    text = ctx.text
    kept = [c for c in candidates if c.marked and c.rejected is None and c.speaker and c.speaker.name]
    if not kept:
        return
    kept_words = [(c, f" {_words(text[c.start : c.end])} ") for c in kept]
    for candidate in candidates:
        title = candidate.rejected is None and candidate.cue_rule == "cue_title_subject"
        if not (candidate.rejected in _REPEATABLE or title) or not candidate.marked:
            continue
        words = _words(text[candidate.start : candidate.end])
        if not words:
            continue
        contained = len(words.split()) >= REPEAT_MIN_WORDS
        if not contained and not _in_title(ctx, candidate.open_offset):
            continue  # "des « publiants »" then "parmi les « publiants »": a term used twice
        repeat = next(
            (
                c
                for c, other in kept_words
                if c.start >= candidate.outer_end and (other == f" {words} " or (contained and f" {words} " in other))
            ),
            None,
        )
        if repeat is None or repeat.speaker.resolution in (Resolution.PREVIOUS_SPEAKER, Resolution.UNKNOWN):
            continue  # a repeat whose own speaker is only the previous one names nobody
        candidate.rejected = None
        candidate.cue = None
        candidate.cue_rule = "cue_repeated_later"
        candidate.speaker_rule = "speaker_repeat_match"
        candidate.person = repeat.person
        candidate.speaker = replace(
            repeat.speaker, text=None, start=None, end=None, resolution=Resolution.HEADLINE_MATCH
        )


CueRule = Callable[[ArticleContext, DiscourseState, Candidate], CueAnswer]

# Asked in this order for each quote in marks; the first that answers wins.
CUE_RULES: tuple[CueRule, ...] = (
    cue_incise,
    cue_on_lit_dans,
    cue_after,
    cue_continued,
    cue_selon_right_after,
    cue_expression_by,
    cue_before_pour,
    cue_before_pour_pronoun,
    cue_before_selon,
    cue_before_verb,
    cue_before_colon,
    cue_comme_after,  # after the cues before the quote: "a annoncé que « … », comme l'a rapporté TASS" is Poutine's
    cue_selon_after,
    cue_later_incise,
    cue_sentence_incise,
    cue_title_subject,
    cue_headline_match,
    cue_none,
)
