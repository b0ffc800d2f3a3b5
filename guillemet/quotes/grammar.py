"""Reading the parse around a cue: verbs of the lexicon, noun phrases, subjects, negation.

Small functions of an ``ArticleContext`` and a token index, shared by the cue rules (``cues.py``)
and the indirect-speech finder (``candidates.py``). The parser's dependency arcs are unreliable
around quotation marks, so most of them read tokens, their tags and lemmas; ``subject_of`` uses
the arcs, with fallbacks.
"""

from __future__ import annotations

import re

from guillemet.quotes.context import ArticleContext

_PRONOUN_GENDER = {"il": "Masc", "elle": "Fem", "ils": "Masc", "elles": "Fem", "lui": None}
# "Celle qui se décrit comme « … »", "Celui que ses voisins surnomment…": a pronoun of that gender.
_DEMONSTRATIVES = {"celle": "elle", "celui": "il", "celle-ci": "elle", "celui-ci": "il"}
# Determiners and pronouns that introduce someone not named ("un élu", "plusieurs syndicats").
INDEFINITE = frozenset(
    "un une des plusieurs certains certaines quelques nombreux beaucoup d'autres aucun aucune".split()
)
NEGATIONS = {"pas", "jamais", "nullement", "aucunement", "point", "guère", "plus"}


def is_clitic(token) -> bool:
    """An object or reflexive clitic between a quote and its verb: y, en, lui, leur, s', l'."""
    lowered = token.lower_
    if lowered in ("y", "en", "lui", "leur", "s'", "s’", "se", "nous", "vous", "m'", "me"):
        return True
    return lowered in ("l'", "l’", "le", "la") and token.pos_ == "PRON"


def main_clause_verb(token) -> bool:
    """A verb outside a relative clause or a participle phrase: what makes words a clause one can
    report ("qui regroupent 320 éleveurs" and "située en amont" are not)."""
    if token.pos_ not in ("VERB", "AUX"):
        return False
    verb = token.head if token.pos_ == "AUX" and token.dep_.startswith(("aux", "cop")) else token
    for _ in range(3):
        if verb.dep_ in ("acl:relcl", "acl"):
            return False
        if verb.dep_ not in ("xcomp", "conj") or verb.head is verb:
            break
        verb = verb.head
    return True


def is_dapres(doc, i: int) -> bool:
    """Whether token ``i`` is the "après" of "d'après" (tokenised d' + après) or "d'après" itself."""
    token = doc[i]
    return token.lower_ == "d'après" or (token.lower_ == "après" and i > 0 and doc[i - 1].lower_ in ("d'", "d’"))


def verb_lemma(ctx: ArticleContext, index: int) -> tuple[str | None, int]:
    """The lexicon lemma of the verb at token ``index`` and the index after it (multi-word cues),
    worked out once per token of the article."""
    found = ctx.verb_lemmas.get(index)
    if found is None:
        found = ctx.verb_lemmas[index] = _verb_lemma(ctx, index)
    return found


def _verb_lemma(ctx: ArticleContext, index: int) -> tuple[str | None, int]:
    doc = ctx.doc
    token = doc[index]
    # Multi-word cues (faire savoir, mettre en garde): found once per article by the table's PhraseMatcher.
    phrase = ctx.phrase_cues.get(index)
    if phrase is not None:
        return phrase[0], index + 1 + phrase[1]
    if token.pos_ in ("PUNCT", "DET", "ADP", "CCONJ", "SCONJ", "NUM") or not token.text[0].isalpha():
        return None, index
    if token.pos_ == "PROPN" and not token.is_lower:
        return None, index  # a lower-case "proper noun" is a tagging slip: "», anticipe à Pékin X"
    lemma = ctx.lexicon.lemma_of(token.lemma_, token.text)
    if (lemma is None or not lemma.startswith(("s'", "se "))) and reflexive_before(doc, index):
        # "s'est félicité", "se dit prêt", "s'est plainte": the pronominal row when the table has one.
        pronominal = ctx.lexicon.pronominal(lemma) if lemma else ctx.lexicon.reflexive_form(token.text)
        if pronominal is None and lemma in _REFLEXIVE_NOT_SAYING and _third_person_reflexive(doc, index):
            return None, index  # "s'assurer que" (make sure), "se rappeler que" (remember): nobody says
        lemma = pronominal or lemma
    return lemma, index + 1


# Verbs of saying whose pronominal reading is no saying: "s'assurer que" (make sure), "se rappeler
# que" (remember). "Il m'assure que" (assures me) keeps the verb of saying.
_REFLEXIVE_NOT_SAYING = frozenset(("assurer", "rappeler"))


def _third_person_reflexive(doc, index: int) -> bool:
    """Whether the reflexive clitic before the verb at ``index`` is "se" / "s'" (not "m'", "te")."""
    return any(t.lower_ in ("se", "s'", "s’") for t in doc[max(0, index - 3) : index])


# The reflexive clitics of a pronominal verb ("s'est félicité", "me suis dit", "nous sommes plaints").
_REFLEXIVE = frozenset("se s' s’ me m' m’ te t' t’".split())
# The forms of "être" a pronominal verb takes in compound tenses.
_ETRE = frozenset(
    "est sont était étaient sera seront serait seraient soit sois suis es sommes êtes fut furent étant être".split()
)


def reflexive_before(doc, index: int) -> bool:
    """Whether the verb at ``index`` has a reflexive clitic before it ("s'est félicité", "se dit",
    "se serait plainte"), past "être" and one adverb or negation."""
    k = index - 1
    if k >= 0 and doc[k].lower_ in _ETRE:
        k -= 1
    if k >= 0 and doc[k].lower_ in ("ne", "n'", "n’", "y", "en"):
        k -= 1
    return k >= 0 and doc[k].lower_ in _REFLEXIVE


# Verbs whose infinitival complement is said by nobody in particular: "faut-il rappeler que",
# "ce qui permet de dire que", "reste à savoir si", "mieux vaut dire que".
_IMPERSONAL_GOVERNORS = frozenset("falloir suffire permettre valoir rester".split())


def narrator_cue(ctx: ArticleContext, index: int) -> bool:
    """Whether the reporting verb at ``index`` is the writer's own aside, not someone's speech: an
    infinitive governed by an impersonal verb ("faut-il rappeler que …"), or an imperative of the
    first person plural opening its clause ("Rappelons que …", "Notons que …")."""
    doc = ctx.doc
    token = doc[index]
    morph = str(token.morph)
    if "VerbForm=Inf" in morph:
        return token.dep_ == "xcomp" and token.head.lemma_ in _IMPERSONAL_GOVERNORS
    if token.lower_.endswith("ons") and "Person=1" in morph and "Number=Plur" in morph:
        before = doc[index - 1] if index > 0 else None
        return before is None or before.is_punct or before.is_space or before.lower_ in ("et", "mais", "donc", "or")
    return False


def np_end(ctx: ArticleContext, i: int, limit: int) -> int:
    doc = ctx.doc
    j = i
    while j < len(doc) and doc[j].idx < limit:
        token = doc[j]
        if token.pos_ in ("PUNCT", "VERB", "AUX", "SCONJ", "CCONJ") or token.lower_ in ("qui", "que", "qu'"):
            break
        if token.pos_ == "ADP" and token.lower_ not in ("de", "du", "des", "d'"):
            break
        j += 1
    return j


# "n'a pas hésité à dire", "ne manque pas de rappeler": a negated verb of reluctance asserts.
_LITOTES = frozenset(("hésiter", "manquer", "priver", "cesser"))


def negated(ctx: ArticleContext, i: int) -> bool:
    """Whether the verb at token ``i`` is negated, with two kinds of negation that assert:

    - a litotes, the negation bearing on a verb of reluctance between it and the verb ("n'a pas
      hésité à dénoncer");
    - a negative question, an inverted clitic after the negated verb ("n'avait-elle pas résumé").

    Example: Elle n'a pas hésité à dénoncer « … » (not negated) / Il n'a pas dit « … » (negated).
    """
    doc = ctx.doc
    window_before = doc[max(0, i - 6) : i]
    words = [t.lower_.replace("’", "'") for t in window_before]  # "n’a jamais": the typographic apostrophe
    window_after = [t.lower_ for t in doc[i + 1 : i + 3]]
    if "ne" not in words and "n'" not in words:
        return False
    if not any(word in NEGATIONS for word in words + window_after):
        return False
    first = max(k for k, word in enumerate(words) if word in ("ne", "n'"))
    after_ne = window_before[first + 1 :]
    if any(t.lemma_ in _LITOTES for t in after_ne):
        return False
    return not any(t.text.startswith("-") and len(t.text) > 2 and t.lower_ != "-t" for t in after_ne)


def subject_of(ctx: ArticleContext, i: int):
    """The subject of the verb at token ``i``: a char span, a pronoun string, or None."""
    doc = ctx.doc
    verb = doc[i]
    head = verb if verb.pos_ == "VERB" else verb.head
    morph = str(verb.morph)
    before = doc[i - 1].lower_ if i > 0 else ""
    for k in range(i + 1, min(len(doc), i + 3)):
        # "Son premier chantier, dit-elle, sera…": the inverted clitic is the subject.
        clitic = doc[k].lower_
        if clitic.lstrip("-") in _PRONOUN_GENDER and clitic.startswith("-"):
            return clitic.lstrip("-")
        if clitic != "-t":
            break
    if "VerbForm=Inf" in morph and verb.dep_ == "xcomp" and verb.head.pos_ == "VERB":
        # "la réalisatrice a tenu à rappeler que": the subject of the verb it completes.
        governed = subject_of(ctx, verb.head.i)
        if governed is not None:
            return governed
    if (
        ("VerbForm=Part" in morph and "Tense=Pres" in morph)
        or verb.text.endswith("ant")
        or "VerbForm=Inf" in morph
        or before in ("avoir", "être", "de", "d'", "pour")
    ):
        # ajoutant que, avant de souligner que, après avoir déclaré que: the main clause's subject.
        return main_subject(ctx, i)
    # "a fait savoir": the parser may hang the subject on "savoir", the head of "fait"; a verb
    # coordinated with an earlier one shares its subject ("Le maire a reconnu une erreur et a fait
    # savoir que …": the subject of "reconnu"), up the chain of heads.
    heads = [head]
    while len(heads) < 4 and heads[-1].dep_ in ("xcomp", "conj", "dep") and heads[-1].head is not heads[-1]:
        heads.append(heads[-1].head)
    for level, candidate_head in enumerate(heads):
        for child in candidate_head.children:
            if child.dep_ in ("nsubj", "nsubj:pass") and child.i < i:
                if child.idx < ctx.sentence_of(verb.idx)[0]:
                    continue  # the parser's sentence ran over the paragraph break
                if child.lower_ in _PRONOUN_GENDER or child.lower_ == "on":
                    return child.lower_
                if child.lower_ in _DEMONSTRATIVES:
                    return _DEMONSTRATIVES[child.lower_]  # "Celle qui se décrit comme…"
                if child.lower_ == "qui" and candidate_head.head.lower_ in _DEMONSTRATIVES:
                    return _DEMONSTRATIVES[candidate_head.head.lower_]
                target = child
                if child.lower_ == "qui" and candidate_head.head is not candidate_head:
                    target = candidate_head.head
                # The whole subject region, up to the verb: "La vice-présidente de la région
                # chargée de l'économie, Véronique Salles, a réclamé" holds the name.
                # A shared subject ends before its own verb, not at the cue: "Le maire" of "Le
                # maire a reconnu une erreur et a fait savoir".
                shared = any(h.dep_ == "conj" for h in heads[:level])
                return phrase_span(ctx, target)[0], region_end(ctx, candidate_head.i if shared else i)
    # Fallback: a person named in the sentence before the verb, else the nearest pronoun or
    # noun phrase to the left.
    sentence_start, _ = ctx.sentence_of(verb.idx)
    main = main_subject(ctx, i)
    if main is not None:
        return main
    for k in range(i - 1, ctx.token_index(sentence_start) - 1, -1):
        token = doc[k]
        if ctx.inside_marks(token.idx):
            continue
        if token.pos_ in ("PROPN", "NOUN"):
            return phrase_span(ctx, token)
    return None


def region_end(ctx: ArticleContext, i: int) -> int:
    """The end of the subject region before the verb at token ``i`` (auxiliaries and clitics excluded)."""
    doc = ctx.doc
    k = i
    while k > 0 and (
        doc[k - 1].pos_ in ("AUX", "PUNCT", "ADV")
        or doc[k - 1].lower_ in ("s'", "se", "l'", "le", "la", "lui", "y", "en", "ne", "n'")
    ):
        k -= 1
    return doc[k - 1].idx + len(doc[k - 1].text) if k > 0 else doc[i].idx


def main_subject(ctx: ArticleContext, i: int):
    """The first person or personal pronoun of the sentence before token ``i``, or None."""
    doc = ctx.doc
    if i >= len(doc):  # the colon sits inside the last token ("a:“a" is one token): no subject
        return None
    sentence_start, _ = ctx.sentence_of(doc[i].idx)
    for k in range(ctx.token_index(sentence_start), i):
        token = doc[k]
        if ctx.inside_marks(token.idx):
            continue
        if token.pos_ == "PRON" and token.lower_.lstrip("-") in ("il", "elle", "ils", "elles"):
            return token.lower_.lstrip("-")
        if k > 0 and doc[k - 1].pos_ == "ADP":
            continue  # "Interpellée par Gilles Vernhes, elle…": an agent or a complement
        person = ctx.people.person_in(token.idx, token.idx + len(token.text) + 40)
        if person is not None and any(m_start == token.idx for m_start, _ in person.mentions):
            m_end = next(m_end for m_start, m_end in person.mentions if m_start == token.idx)
            return token.idx, m_end
    return None


def phrase_span(ctx: ArticleContext, token) -> tuple[int, int]:
    """The noun phrase of ``token``: its left determiners/adjectives and its de-complements."""
    doc = ctx.doc
    start = token.i
    while (
        start > 0
        and doc[start - 1].pos_ in ("DET", "ADJ", "PROPN", "NOUN")
        and doc[start - 1].text not in (",", "«", "»")
        and not ctx.inside_marks(doc[start - 1].idx)
    ):
        start -= 1
        if doc[start].pos_ == "DET":
            break
    end = token.i + 1
    while (
        end < len(doc)
        and (
            doc[end].pos_ in ("PROPN", "ADJ", "NOUN", "NUM")
            or (
                doc[end].lower_ in ("de", "du", "des", "d'")
                and end + 1 < len(doc)
                and doc[end + 1].pos_ in ("PROPN", "NOUN", "DET")
            )
        )
        and not ctx.inside_marks(doc[end].idx)
    ):
        end += 1
        if doc[end - 1].lower_ in ("de", "du", "des", "d'") and end < len(doc) and doc[end].pos_ == "DET":
            end += 1
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def postposed_subject(ctx: ArticleContext, i: int) -> tuple[int, int] | None:
    """The subject of an incise before the quote: "Une idée reçue, tranche Élodie Marchal, … : « … »"."""
    doc = ctx.doc
    if i == 0 or doc[i - 1].text != "," or i + 1 >= len(doc):
        return None
    after = doc[i + 1]
    person = ctx.people.first_person_in(after.idx, after.idx + 60)
    if person is None:
        return None
    mention = min(m for m in person.mentions if m[0] >= after.idx)
    between = ctx.text[after.idx : mention[0]]
    if re.fullmatch(r"(?:(?:M\.|Mme|Me|Dr|l'|le|la)\s*)?", between, re.IGNORECASE):
        return mention
    return None
