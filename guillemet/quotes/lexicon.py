"""The reporting-verb lexicon (``guillemet/data/reporting_verbs.tsv``, written by us), loaded once.

spaCy's French lemmatizer misses rare forms ("martèle", "tacle", "assène"), so besides the lemma the
lexicon recognises conjugated surface forms generated from each lemma.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_IRREGULAR = {
    "dire": ("dit", "disent", "disait", "disaient", "dira", "disant", "dis", "dites"),
    "reconnaître": ("reconnaît", "reconnait", "reconnu", "reconnue", "reconnaissent", "reconnaissait", "reconnaissant"),
    "admettre": ("admet", "admis", "admise", "admettent", "admettait", "admettant"),
    "promettre": ("promet", "promis", "promise", "promettent", "promettait", "promettant"),
    "écrire": ("écrit", "écrits", "écrivent", "écrivait", "écrivant"),
    "décrire": ("décrit", "décrivent", "décrivait", "décrivant"),
    "prédire": ("prédit", "prédisent", "prédisait", "prédisant"),
    "croire": ("croit", "cru", "croient", "croyait", "croyant"),
    "prévenir": ("prévient", "prévenu", "préviennent", "prévenait", "prévenant"),
    "convenir": ("convient", "convenu", "conviennent", "convenait", "convenant"),
    "se souvenir": ("souvient", "souvenu", "souviennent", "souvenait", "souvenant"),
    "poursuivre": ("poursuit", "poursuivi", "poursuivent", "poursuivait", "poursuivant"),
    "conclure": ("conclut", "conclu", "concluent", "concluait", "concluant"),
    "soutenir": ("soutient", "soutenu", "soutiennent", "soutenait", "soutenant"),
    "prétendre": ("prétend", "prétendu", "prétendent", "prétendait", "prétendant"),
    "répondre": ("répond", "répondu", "répondent", "répondait", "répondant"),
    "défendre": ("défend", "défendu", "défendent", "défendait", "défendant"),
    "prévoir": ("prévoit", "prévu", "prévoient", "prévoyait", "prévoyant"),
    "sourire": ("sourit", "souri", "sourient", "souriait", "souriant"),
    "se dire": ("dit", "dite", "dits", "dites"),
    "se plaindre": ("plaint", "plaints", "plaignent", "plaignait", "plaignant", "plaindra"),
    # Heads of multi-word cues (faire savoir, mettre en garde), whose lemma the parser may miss.
    "faire": ("fait", "faire", "fera", "font", "faisait", "faisant"),
    "mettre": ("met", "mis", "mise", "mettent", "mettait", "mettant", "mettra"),
}

# Feminine participles that are common nouns elsewhere: read as the verb only after "s'est".
_REFLEXIVE_ONLY_FORMS = {"plainte": "se plaindre", "plaintes": "se plaindre"}


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without accents, for forgiving comparisons."""
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


def canonical_name(name: str | None) -> str | None:
    """A speaker name reduced for comparison: case, accents, apostrophes and spaces folded."""
    if not name:
        return None
    folded = unicodedata.normalize("NFKD", name.replace("’", "'")).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().replace("-", " ").split()) or None


def _er_forms(stem: str) -> set[str]:
    endings = ("e", "es", "ent", "é", "ée", "és", "ées", "ant", "ait", "aient", "a", "era", "èrent", "eront")
    forms = {stem + ending for ending in endings}
    # Stems like martel-, assen-, tempér- take a grave accent before a mute e: martèle, assène, tempère.
    for position in range(len(stem) - 1, 0, -1):
        if stem[position] in "eé" and position < len(stem) - 1:
            grave = stem[:position] + "è" + stem[position + 1 :]
            forms |= {grave + ending for ending in ("e", "es", "ent", "era", "eront")}
            break
    if stem.endswith("g"):
        forms |= {stem + "eant", stem + "eait", stem + "ea"}
    if stem.endswith("c"):
        forms |= {stem[:-1] + "ç" + e for e in ("ant", "ait", "a")}
    return forms


def _ir_forms(stem: str) -> set[str]:
    return {stem + ending for ending in ("it", "issent", "i", "ie", "issant", "issait", "ira")}


@dataclass(frozen=True)
class ReportingLexicon:
    """Reporting verbs: which lemmas and forms cue a quote, and which introduce indirect speech."""

    lemmas: frozenset[str]
    indirect: frozenset[str]
    forms: dict[str, str]
    # Multi-word cues by their head verb: head → ((following words, lemma), …), longest first.
    phrases: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = field(default_factory=dict)
    head_forms: dict[str, str] = field(default_factory=dict)  # folded surface form → head verb

    def lemma_of(self, lemma: str, surface: str) -> str | None:
        """The lexicon lemma a token stands for (from its lemma, else its surface form), or None."""
        lemma = lemma.lower()
        if lemma in self.lemmas:
            return lemma
        return self.pronominal(lemma) or self.forms.get(fold(surface))

    def reflexive_form(self, surface: str) -> str | None:
        """A form that is a verb only after a reflexive clitic ("s'est plainte"; "une plainte" is a noun)."""
        return _REFLEXIVE_ONLY_FORMS.get(fold(surface))

    def pronominal(self, lemma: str) -> str | None:
        """The table's pronominal row of a bare lemma ("féliciter" → "se féliciter"), or None."""
        for candidate in (f"s'{lemma}", f"se {lemma}"):
            if candidate in self.lemmas:
                return candidate
        return None

    def is_indirect(self, lemma: str) -> bool:
        return lemma in self.indirect


@lru_cache(maxsize=1)
def load_lexicon() -> ReportingLexicon:
    """Loads the lexicon once per process."""
    text = (resources.files("guillemet") / "data" / "reporting_verbs.tsv").read_text(encoding="utf-8")
    lemmas: set[str] = set()
    indirect: set[str] = set()
    forms: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("lemma\t"):
            continue
        lemma, flag = line.split("\t")[:2]
        lemmas.add(lemma)
        if flag.strip() == "1":
            indirect.add(lemma)
        bare = lemma.removeprefix("s'").removeprefix("se ")
        generated: set[str] = set(_IRREGULAR.get(lemma, ()))
        if " " not in bare:
            if bare.endswith("er"):
                generated |= _er_forms(bare[:-2])
            elif bare.endswith("ir"):
                generated |= _ir_forms(bare[:-2])
        for form in generated:
            forms.setdefault(fold(form), lemma)
    # Bare verbs whose pronominal form is the reporting one ("s'insurge" is tokenised s' + insurge).
    for lemma in list(lemmas):
        if lemma.startswith(("s'", "se ")):
            bare = lemma.removeprefix("s'").removeprefix("se ")
            forms.setdefault(fold(bare), lemma)
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    head_forms: dict[str, str] = {}
    for lemma in lemmas:
        if " " in lemma and not lemma.startswith("se "):
            head, *rest = lemma.split()
            phrases.setdefault(head, []).append((tuple(rest), lemma))
            head_generated = set(_IRREGULAR.get(head, ())) | {head}
            if head.endswith("er"):
                head_generated |= _er_forms(head[:-2])
            for form in head_generated:
                head_forms.setdefault(fold(form), head)
    ordered = {head: tuple(sorted(rows, key=lambda row: -len(row[0]))) for head, rows in phrases.items()}
    return ReportingLexicon(frozenset(lemmas), frozenset(indirect), forms, ordered, head_forms)


class CueMatcher:
    """The table's multi-word cues (faire savoir, mettre en garde) compiled into a spaCy ``PhraseMatcher``.

    The matcher holds each row's words after the head ("savoir", "en garde"), compared by their
    lower-case form; the token before a match is then checked as the row's head verb, by its lemma
    or by one of its generated forms (the lemmatizer misses rare ones). Where several rows end
    alike, the head decides ("laisse savoir" is "laisser savoir", never "faire savoir"), then the
    longest row. A token ``Matcher`` can test the head in the pattern itself, but it costs a
    predicate check per token and pattern (about 0.3 s on the 64 dev articles, a fifth of the
    extractor's time) where the ``PhraseMatcher`` hashes each token once.
    """

    def __init__(self, lexicon: ReportingLexicon, vocab):
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc

        self.lexicon = lexicon
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        tails = {words for rows in lexicon.phrases.values() for words, _ in rows}
        for words in sorted(tails):
            self.matcher.add(" ".join(words), [Doc(vocab, words=list(words))])

    def heads(self, doc) -> dict[int, tuple[str, int]]:
        """Each token that opens a multi-word cue: its index → (the cue's lemma, words after the head)."""
        found: dict[int, set[str]] = {}
        strings = doc.vocab.strings
        for match_id, start, _ in self.matcher(doc):
            if start > 0:
                found.setdefault(start - 1, set()).add(strings[match_id])
        heads = {}
        for index, tails in found.items():
            token = doc[index]
            lemma = token.lemma_.lower()
            head = lemma if lemma in self.lexicon.phrases else self.lexicon.head_forms.get(fold(token.text))
            for words, phrase in self.lexicon.phrases.get(head, ()):  # longest first
                if " ".join(words) in tails:
                    heads[index] = (phrase, len(words))
                    break
        return heads
