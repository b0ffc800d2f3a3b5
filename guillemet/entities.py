"""Named entities of one article: spaCy's mentions, repaired and consolidated.

spaCy tags mentions one by one; an article wants entities. ``consolidate`` turns a parsed ``Doc``
into ``Entity`` records:

- junk mentions are dropped: elided articles ("C'", "J'"), single common words at the start of a
  sentence ("Maintenant", "Interrogée"), titles alone ("Premier ministre"), marks and numbers; a
  dash ends a name ("James Webb – Sept");
- truncated names are repaired over the capitalised words that follow ("Kim Jong" + "Un"), and
  titles are left out of the name ("M. Poutine" → "Poutine");
- mentions of one entity are clustered ("Poutine", "M. Poutine", "Vladimir Poutine") and named by
  the fullest form; an acronym joins the name it abbreviates ("Office français de la biodiversité
  (OFB)");
- labels are made consistent within the article by the cluster's strongest evidence (Zajarova is a
  PER because Maria Zajarova is).

Labels are PER, ORG, LOC and MISC (spaCy's French labels).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from guillemet.quotes.lexicon import fold
from guillemet.records import Entity

_MORE_COMMON_WORDS = {"maintenant", "aujourd'hui", "hier", "demain", "ensuite", "enfin", "désormais"}


@cache
def _common_words() -> frozenset[str]:
    """Common words that open sentences and get tagged as entities: spaCy's French stop words, which
    need no model (the entity stage works on a Doc read back from bytes, with a blank vocabulary).

    Imported on first use, not with this module: ``spacy.lang.fr`` takes seconds to import (its
    tokenizer exceptions), and a run whose articles are all unchanged never parses one.
    """
    from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | _MORE_COMMON_WORDS


_TITLES = {"m", "m.", "mme", "mme.", "mlle", "me", "dr", "dr.", "pr", "monsieur", "madame", "mgr"}
_TITLE_WORDS = frozenset(
    "premier premiere president presidente ministre roi reine pape prince princesse general chancelier senateur depute maire".split()
)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]*$")
_NOT_NAME_PARTS = frozenset(
    {"Le", "La", "Les", "L'", "En", "Au", "Aux", "Du", "Des", "De", "Et", "Mais", "Selon", "Pour", "Dans"}
)


@dataclass
class Mention:
    """One mention: its character span in the text, its label and its tokens."""

    start: int
    end: int
    label: str
    text: str
    tokens: tuple[str, ...]
    first: int  # index of its first token in the Doc


def _is_junk(span) -> bool:
    text = span.text.strip()
    if len(text) <= 1 or not any(c.isalpha() for c in text):
        return True
    if re.fullmatch(r"[A-Za-zÀ-ÿ]['’]", text):
        return True  # "C'", "J'", "L'"
    words = text.split()
    if fold(words[0]) in _TITLE_WORDS and all(word.islower() for word in words[1:]):
        return True  # "Premier ministre", "Président": a title, not a name
    if len(span) == 1:
        token = span[0]
        sentence_initial = token.i == 0 or token.is_sent_start or token.doc[token.i - 1].is_space
        # Only a capitalised word that opens its sentence can be a common word in disguise
        # ("Maintenant", "Interrogée"); a capitalised word inside a sentence is a name, whatever
        # the tagger says ("Poutine" tagged PRON).
        if sentence_initial and not token.text.isupper():
            if token.pos_ in ("ADV", "VERB", "AUX", "PRON", "DET", "ADP", "CCONJ", "SCONJ", "INTJ"):
                return True
            if token.pos_ in ("NOUN", "ADJ") and token.lower_ in _common_words():
                return True
    return False


def raw_mentions(doc) -> list[Mention]:
    """spaCy's mentions as they are, with its labels."""
    return [Mention(e.start_char, e.end_char, e.label_, e.text, tuple(t.text for t in e), e.start) for e in doc.ents]


def repaired_mentions(doc) -> list[Mention]:
    """Mentions with junk dropped, titles and determiners trimmed, and truncated names extended."""
    mentions = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        # The mention keeps a title ("M. Christian Langlois") and a capitalised article that is part
        # of a place name ("La Capte"); a lower-case determiner or punctuation is trimmed.
        while start < end and (doc[start].pos_ == "PUNCT" or (doc[start].pos_ == "DET" and doc[start].text.islower())):
            start += 1
        if ent.label_ in ("PER", "ORG", "MISC"):
            while (
                end < len(doc)
                and end - start < 6
                and doc[end - 1].whitespace_
                and _NAME_TOKEN.match(doc[end].text)
                and doc[end].text not in _NOT_NAME_PARTS
                and doc[end].pos_ in ("PROPN", "NOUN", "ADJ", "X", "DET", "NUM")
                and not doc[end].ent_type_
            ):
                end += 1
        # A dash ends a name: "James Webb – Sept" is "James Webb".
        for k in range(start + 1, end):
            if doc[k].text in ("–", "—"):
                end = k
                break
        # A mention ending in an elided word ("duc d'") loses it.
        while end > start and re.fullmatch(r"[A-Za-zÀ-ÿ]['’]", doc[end - 1].text):
            end -= 1
        if start >= end:
            continue
        span = doc[start:end]
        if _is_junk(span):
            continue
        # Clustering and naming leave titles and articles out: "M. Poutine" is "Poutine".
        name_start = start
        while name_start < end - 1 and (fold(doc[name_start].text) in _TITLES or doc[name_start].pos_ == "DET"):
            name_start += 1
        name = doc[name_start:end]
        mentions.append(
            Mention(span.start_char, span.end_char, ent.label_, name.text, tuple(t.text for t in name), start)
        )
    return mentions


def _entity_id(name: str, label: str) -> str:
    return hashlib.sha1(f"{label}:{fold(name)}".encode()).hexdigest()[:12]


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms introduced in parentheses after the words they abbreviate: acronym → full name.

    "l'Office français de la biodiversité (OFB)" gives {"OFB": "Office français de la biodiversité"}:
    the shortest tail of the preceding words whose initials (elided articles skipped) spell the
    acronym in order. "(Hérault)" after a town spells nothing and is left out.
    """
    found = {}
    for match in re.finditer(r"\(([A-ZÀ-Þ][A-Za-zÀ-ÿ]{1,9})\)", text):
        letters = fold(match.group(1))
        tokens = text[max(0, match.start() - 120) : match.start()].split()
        for k in range(2, min(len(tokens), 14) + 1):
            tail = tokens[-k:]
            initials = "".join(fold(re.sub(r"^[ldLD]['’]", "", word))[:1] for word in tail)
            remaining = iter(initials)
            if initials[:1] == letters[:1] and all(letter in remaining for letter in letters):
                found[match.group(1)] = re.sub(r"^(?:l'|le |la |les )", "", " ".join(tail), flags=re.IGNORECASE)
                break
    return found


def consolidate(doc, text: str | None = None) -> list[Entity]:
    """The entities of a parsed article (see the module docstring), in order of first mention.

    ``text`` is ``doc.text`` when the caller already holds it (spaCy rebuilds it on each call).
    """
    mentions = repaired_mentions(doc)
    acronyms = find_acronyms(doc.text if text is None else text)
    clusters: list[list[Mention]] = []
    keys: list[set[str]] = []
    full_names: dict[int, str] = {}
    # Longest mentions first: short ones join the full name they abbreviate.
    for mention in sorted(mentions, key=lambda m: (-len(m.tokens), m.start)):
        folded = {fold(t) for t in mention.tokens}
        target = None
        if mention.text in acronyms:
            # "OFB" joins "Office français de la biodiversité", or the truncated "Office français".
            expanded = fold(acronyms[mention.text])
            target = next(
                (i for i, c in enumerate(clusters) if any(expanded.startswith(fold(m.text)) for m in c)), None
            )
            if target is not None:
                full_names[target] = acronyms[mention.text]
        if target is None:
            for index, cluster in enumerate(clusters):
                if folded <= keys[index] and _compatible(mention, cluster):
                    target = index
                    break
        if target is None:
            clusters.append([mention])
            keys.append(folded)
        else:
            clusters[target].append(mention)
    entities = []
    for index, cluster in enumerate(clusters):
        label = _cluster_label(cluster)
        name = full_names.get(index) or max(cluster, key=lambda m: (len(m.tokens), len(m.text), -m.start)).text
        spans = tuple(sorted((m.start, m.end) for m in cluster))
        entities.append(Entity(id=_entity_id(name, label), name=name, label=label, mentions=spans, count=len(spans)))
    entities.sort(key=lambda e: e.mentions[0][0])
    return entities


def _compatible(mention: Mention, cluster: list[Mention]) -> bool:
    """Whether a shorter mention may join a cluster: a person's surname joins the person whatever
    its label; otherwise the labels must agree.

    Under another label, only a mention that ends with the person's last name joins ("Zajarova",
    tagged MISC, is Maria Zajarova); a first word tagged otherwise is more likely a name of its own
    that the model ran into the person's ("Saintes", LOC, in "l'évêque de Saintes Boson", which
    fr_core_news_sm tags as one PER).
    """
    labels = {m.label for m in cluster}
    people = [m for m in cluster if m.label == "PER" and len(m.tokens) >= 2]
    if people:
        if mention.label not in ("PER", "MISC", "LOC", "ORG") or len(mention.tokens) > 2:
            return False
        return mention.label == "PER" or fold(mention.tokens[-1]) in {fold(m.tokens[-1]) for m in people}
    return mention.label in labels


def _cluster_label(cluster: list[Mention]) -> str:
    """The label of a cluster: a multi-word PER mention wins (its other mentions are the same
    person); otherwise the most frequent label, the longest mention breaking ties."""
    if any(m.label == "PER" and len(m.tokens) >= 2 for m in cluster):
        return "PER"
    counts = Counter(m.label for m in cluster)
    longest = max(cluster, key=lambda m: len(m.text)).label
    best = max(counts.values())
    tied = [label for label, count in counts.items() if count == best]
    return longest if longest in tied else tied[0]


def mention_labels(entities: list[Entity]) -> list[tuple[int, int, str]]:
    """Each mention of each entity with its (consolidated) label, for evaluation."""
    return sorted((start, end, entity.label) for entity in entities for start, end in entity.mentions)
