"""Finding every quotation of a French article and the person or organisation who said it.

``QuoteExtractor.extract(doc)`` takes a spaCy ``Doc`` of the normalised article text and returns
``Quote`` records whose offsets point into that text. It works in passes, each a small function:

1. quotations in marks (``marks.find_marked_spans``), split where a cue interrupts them
   (« …, explique X, … »), and interview answers introduced by dashes or "Name :";
2. for each, a cue and its speaker: after the quote (« … », a déclaré X / a-t-il ajouté), before it
   (X a déclaré : « … », selon X, X a assuré que « … »), else the previous speaker or, for a
   headline, the body quote that repeats it;
3. marked spans that are not quotations are dropped: titles of works and operations, nicknames,
   scare quotes with no cue;
4. indirect speech: X a assuré que …, X estime que …, selon X, …, d'après X, … (negated cues are not
   quotes);
5. speakers are resolved to the fullest name the article uses (``people.PeopleIndex``): explicit
   names, M./Mme + surname, pronouns by gender and recency of speakers, descriptors (le président
   russe) through the titles attached to people, organisations.

The parser's dependency arcs are unreliable around quotation marks, so the cue patterns are read
from tokens and their lemmas; the parse is used only to find the subject of a verb before a quote.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from guillemet.budget import WorkBudget
from guillemet.quotes.lexicon import ReportingLexicon, fold, load_lexicon
from guillemet.quotes.marks import MarkedSpan, find_marked_spans
from guillemet.quotes.people import _DET_GENDER, ORG_NOUNS, PeopleIndex, Person, QuoteEnds, _morph_gender, token_indices
from guillemet.records import Quote

_PRONOUN_GENDER = {"il": "Masc", "elle": "Fem", "ils": "Masc", "elles": "Fem", "lui": None}
_INDEFINITE = {
    "un",
    "une",
    "des",
    "plusieurs",
    "certains",
    "certaines",
    "quelques",
    "nombreux",
    "beaucoup",
    "d'autres",
    "aucun",
    "aucune",
}
# "Celle qui se décrit comme « … »", "Celui que ses voisins surnomment…": a pronoun of that gender.
_DEMONSTRATIVES = {"celle": "elle", "celui": "il", "celle-ci": "elle", "celui-ci": "il"}
_INDEFINITE_PRONOUNS = {
    "quelqu'un",
    "chacun",
    "chacune",
    "personne",
    "certains",
    "certaines",
    "plusieurs",
    "l'un",
    "l'une",
    "aucun",
    "aucune",
    "tous",
    "toutes",
}
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
_HEADLINE_NAME = re.compile(r"^([A-ZÀ-ÖØ-Þ][\w'’-]+(?:[ -][A-ZÀ-ÖØ-Þ][\w'’-]+){1,2})(?:,\s*[^,:«»]{1,60})?\s*:$")
_STRIP_DETERMINER = re.compile(r"^(?:l'|le |la |les )", re.IGNORECASE)
_CHAIN_VERBS = frozenset({"finir", "tenir", "préférer", "choisir", "refuser", "contenter", "borner", "vouloir", "oser"})
_NOUN_STOPS = {
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "hier",
    "soir",
    "matin",
    "aujourd'hui",
}
# Words after which words in marks are a title or a name: always (film, livre…), or when the words
# start with a capital (le plan « Sobriété publique », but un projet « conçu d'en haut »).
_WORK_WORDS = frozenset(
    """film films livre livres roman romans album albums émission emission émissions série serie séries pièce piece spectacle
    exposition expo baptisé baptisée baptisés intitulé intitulée surnommé surnommée surnom nommé nommée dénommé dénommée
    chanson chansons documentaire ouvrage essai slogan slogans hashtag feuilleton podcast chronique rubrique manifeste
    pancarte pancartes banderole banderoles tag opus saga quotidien hebdomadaire mensuel logiciel""".split()
)
_NAME_WORDS = frozenset(
    """opération operation opérations plan programme dispositif projet titre journal magazine revue rapport label mot
    mots expression formule collection festival concept mouvement campagne stratégie étiquette site application appli
    plateforme méthode marque produit jeu groupe association collectif loi réforme bannière""".split()
)
# Verbs that name things ("que ses voisins surnomment « le Don Quichotte du causse »"); "appeler"
# only in the present, since "ce qu'elle a appelé une « mémoire à trous »" is the speaker's words.
_NAMING_VERBS = frozenset("surnommer nommer baptiser intituler denommer renommer entonner chanter".split())
_NAMING_FORMS = frozenset("appelle appellent appelait appelaient".split())
_NON_SPEAKER_HEADS = frozenset(
    "pancarte banderole affiche tag graffiti slogan panneau écriteau titre une message tract".split()
)
# Heads that never name a speaker (issue 12): dates and times ("ce week-end"), and abstract nouns,
# by their suffix ("l'appel vidéo" aside, "la situation", "cette approche") or as common vague
# nouns. Organisation nouns (ORG_NOUNS) are checked first, so "agence" or "gouvernement" still speak.
_TIME_HEADS = frozenset(
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
# Verbs that report speech only with a clause (que, :), not with a quoted object.
_NEEDS_QUE = frozenset(
    """soutenir assumer poursuivre continuer développer trouver croire penser noter relever pointer lancer
    avancer proposer prévoir publier espérer souhaiter craindre redouter savourer analyser présumer supposer
    anticiper miser parier illustrer justifier opposer corriger informer communiquer répéter""".split()
)
_ABBREVIATIONS = {
    "m",
    "mm",
    "mme",
    "mmes",
    "mlle",
    "dr",
    "pr",
    "me",
    "st",
    "ste",
    "mgr",
    "etc",
    "cf",
    "av",
    "bd",
    "no",
    "vol",
    "p",
}
_NEGATIONS = {"pas", "jamais", "nullement", "aucunement", "point", "guère", "plus"}
_DASHES = ("— ", "– ", "- ", "—", "–")
_QUESTION_PREFIX = re.compile(r"^(?:Q|Question|Questions)\s*[:.-]\s*", re.IGNORECASE)
_ANSWER_PREFIX = re.compile(r"^(?:R|Réponse)\s*[:.-]\s*")
_NAME_PREFIX = re.compile(r"^((?:[A-ZÀ-ÖØ-Þ][\w'.-]*\s?){1,4})\s*:\s+(?=\S)")


@dataclass
class _Candidate:
    start: int
    end: int
    open_offset: int
    outer_end: int
    marked: bool = True
    answer: bool = False
    headline: bool = False
    interrupted_cue: tuple[int, int] | None = None  # the incise between two halves, for the first half
    follows_incise: bool = False
    kind: str = "direct"
    cue: str | None = None
    speaker: dict | None = None
    person: Person | None = None
    rejected: str | None = None
    extras: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Cue:
    lemma: str
    verb_start: int
    verb_end: int
    subject_start: int | None
    subject_end: int | None
    pronoun: str | None = None


# Verbs of saying whose infinitival complement is reported speech ("a affirmé être…").
_INFINITIVE_CUES = frozenset(
    "dire affirmer assurer annoncer promettre déclarer reconnaître nier démentir prétendre jurer "
    "recommander demander certifier garantir confirmer admettre avouer espérer proposer menacer "
    "estimer se dire répéter réitérer s'engager préconiser exiger réclamer suggérer accuser".split()
)
_OBJECT_INFINITIVE_CUES = frozenset("demander recommander proposer suggérer promettre".split())
# "Pour X, …" where X names a purpose or a time, not a source.
_NOT_SPEAKING_AFTER_POUR = frozenset("fois cas moment instant heure annee mois semaine jour part reste".split())

# Heads of phrases that name one person by a role, even with an organisation as complement ("le
# PDG de Renault", "la ministre de la Culture", "le porte-parole du Kremlin").
_PERSON_ROLE_HEADS = frozenset(
    "ministre president presidente pdg directeur directrice porte-parole secretaire chef patron patronne "
    "dirigeant dirigeante maire depute deputee senateur senatrice juge procureur procureure avocat avocate "
    "conseiller conseillere delegue deleguee gouverneur gouverneure ambassadeur ambassadrice commissaire "
    "premier vice-president vice-presidente fondateur fondatrice entraineur entraineuse selectionneur "
    "rapporteur rapporteure prefet prefete".split()
)

_MAX_WRAPPED_LINES = 12


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each paragraph: a line, or the run of lines of a hard-wrapped paragraph.

    Dispatch copy is hard-wrapped (every line cut near one width, ~70 characters, mid-sentence):
    there a line that reaches the wrap width goes on in the next line, and a shorter line (a
    headline, a paragraph's last line) ends its paragraph. A text is hard-wrapped when it has at
    least four lines, none longer than 100 characters, and most of its long lines end inside a
    sentence (no final punctuation). Other texts keep one paragraph per line. A paragraph holds at
    most ``_MAX_WRAPPED_LINES`` lines (the dispatches' longest has 7), which bounds the work of
    the per-paragraph scans whatever the input.
    """
    lines = text.split("\n")
    bounds, start = [], 0
    for line in lines:
        bounds.append((start, start + len(line)))
        start += len(line) + 1
    lengths = [len(line.rstrip()) for line in lines]
    if len(lines) < 4 or max(lengths) > 100:
        return bounds
    width = sorted(lengths)[int(0.9 * (len(lengths) - 1))]
    long_lines = [line.rstrip() for line in lines[:-1] if len(line.rstrip()) >= 0.8 * width]
    open_ended = sum(1 for line in long_lines if line and line[-1] not in '.!?:;»"”')
    if width < 40 or len(long_lines) < 2 or open_ended < 0.5 * len(long_lines):
        return bounds
    joined, count = [bounds[0]], 1
    for (start, end), previous in zip(bounds[1:], lengths[:-1], strict=True):
        if previous >= 0.8 * width and end > start and count < _MAX_WRAPPED_LINES:
            joined[-1] = (joined[-1][0], end)
            count += 1
        else:
            joined.append((start, end))
            count = 1
    return joined


def _may_speak(tokens, head) -> bool:
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
    written = head.doc.text[head.idx : tokens[-1].idx + len(tokens[-1].text)].split()[0].lower()
    if {lemma, written} & (_TIME_HEADS | _ABSTRACT_HEADS):
        return False
    return not _ABSTRACT_SUFFIX.search(lemma)


def _main_clause_verb(token) -> bool:
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


def _is_clitic(token) -> bool:
    """An object or reflexive clitic between a quote and its verb: y, en, lui, leur, s', l'."""
    lowered = token.lower_
    if lowered in ("y", "en", "lui", "leur", "s'", "s’", "se", "nous", "vous", "m'", "me"):
        return True
    return lowered in ("l'", "l’", "le", "la") and token.pos_ == "PRON"


def _is_dapres(doc, i: int) -> bool:
    """Whether token ``i`` is the "après" of "d'après" (tokenised d' + après) or "d'après" itself."""
    token = doc[i]
    return token.lower_ == "d'après" or (token.lower_ == "après" and i > 0 and doc[i - 1].lower_ in ("d'", "d’"))


@dataclass(frozen=True)
class Decision:
    """What became of one candidate quotation: kept or rejected, and by which rule.

    For a kept quote ``rule`` is "<cue rule>/<speaker rule>" (e.g. "cue_after/speaker_explicit");
    for a rejected one, the name of the rejection filter that fired (e.g. "reject_scare_quote").
    """

    start: int
    end: int
    kept: bool
    rule: str
    kind: str | None


# The rejection reasons the passes record, by the name of the filter that gives them.
_REJECTION_RULES = (
    ("negated cue", "reject_negated_cue"),
    ("no cue", "reject_scare_quote"),
    ("title or name", "reject_title_or_name"),
    ("name or term", "reject_name_or_term"),
    ("name (dit)", "reject_name_dit"),
    ("proper name in marks", "reject_proper_name"),
    ("said by a sign", "reject_sign_or_banner"),
    ("headline term", "reject_headline_term"),
)


def _rejection_rule(reason: str) -> str:
    for prefix, rule in _REJECTION_RULES:
        if reason.startswith(prefix):
            return rule
    return "reject_other"


def _decision(candidate: _Candidate) -> Decision:
    if candidate.rejected is not None:
        return Decision(candidate.start, candidate.end, False, _rejection_rule(candidate.rejected), candidate.kind)
    resolution = (candidate.speaker or {}).get("resolution") or "unknown"
    cue_rule = candidate.extras.get("cue_rule", "cue_none")
    return Decision(candidate.start, candidate.end, True, f"{cue_rule}/speaker_{resolution}", candidate.kind)


class QuoteExtractor:
    """Finds the quotations of a parsed French article (see the module docstring)."""

    def __init__(self, lexicon: ReportingLexicon | None = None):
        self.lexicon = lexicon or load_lexicon()

    def extract(self, doc, text: str | None = None, blocks=None, budget: WorkBudget | None = None) -> list[Quote]:
        """Returns the quotes of ``doc`` in text order; offsets point into ``doc.text``.

        ``text`` is ``doc.text`` when the caller already holds it (the parsed string): spaCy
        rebuilds ``Doc.text`` from every token on each call (about 1.5 ms for 500 tokens).
        ``blocks`` (optional): the page structure, objects with ``start``, ``end`` and ``kind``;
        kept as each paragraph's kind (``paragraph_kinds``), not yet read by the rules.
        ``budget`` (optional): charged, for each candidate attributed, the tokens of the sentences
        its attribution reads; raises ``BudgetExceededError`` once spent.
        """
        article = _ArticleQuotes(doc, self.lexicon, text, blocks)
        if budget is not None:
            article.budget = budget
        return article.run()

    def trace(self, doc, text: str | None = None, blocks=None) -> list[Decision]:
        """One ``Decision`` per candidate quotation of ``doc``, in text order: kept or rejected, and
        the rule that decided (the cue and speaker rules for a kept quote). Same work as ``extract``.
        """
        article = _ArticleQuotes(doc, self.lexicon, text, blocks)
        return [_decision(candidate) for candidate in article.decide()]


class _ArticleQuotes:
    """The state of one extraction: text, tokens, people, and the quotes found so far."""

    def __init__(self, doc, lexicon: ReportingLexicon, text: str | None = None, blocks=None):
        self.doc = doc
        self.text = doc.text if text is None else text
        self.lexicon = lexicon
        self.people = PeopleIndex(doc, self.text)
        # Token offsets through one array call: iterating a Doc in Python costs more than the rest.
        self.token_starts = doc.to_array("IDX").tolist() if len(doc) else []
        # The tokens the indirect-speech scans can start from, found once for the whole article.
        self._cue_tokens = token_indices(doc, "POS", ("VERB", "AUX", "ADV", "NOUN"))
        self._selon_tokens = token_indices(doc, "LOWER", ("selon", "d'après", "après"))
        self.paragraphs = self._paragraphs()
        self._paragraph_starts = [start for start, _ in self.paragraphs]
        self.paragraph_kinds = self._paragraph_kinds(blocks)
        self.spans = [span for span in find_marked_spans(self.text) if span.depth == 0]
        self._marked_mask = bytearray(len(self.text))
        for span in self.spans:
            self._marked_mask[span.open_offset + 1 : span.outer_end] = b"\x01" * (span.outer_end - span.open_offset - 1)
        self.people.quoted = tuple((span.open_offset, span.outer_end) for span in self.spans)
        self.sentences = self._sentences()
        # Sorted, disjoint: looked up by bisection, so that each lookup costs log(sentences).
        self._sentence_starts = [start for start, _ in self.sentences]
        self._span_opens = {span.open_offset for span in self.spans}
        self.recent: list[Person] = []
        # The last speaker when it was no person of the index: (end of its quote, name, mention).
        self.last_source: tuple[int, str, tuple[int, int]] | None = None
        self.last_quoted: dict[int, int] = QuoteEnds()  # person id → end of their last quote
        self.last_marked: _Candidate | None = None  # the last quote in marks attributed
        self.headline_end = self._headline_end()
        self._questions: list[tuple[int, int]] = []  # interview questions found by their layout
        self.publications: list[tuple[int, str]] = []  # (offset, name) of publications quoted
        self.budget = WorkBudget("ExtractQuotes", None, "tokens read")

    # --- layout ---------------------------------------------------------------------------

    def _paragraphs(self) -> list[tuple[int, int]]:
        return paragraph_bounds(self.text)

    def _paragraph_kinds(self, blocks) -> list[str]:
        """Each paragraph's kind: that of the block holding its start, "paragraph" by default."""
        kinds = ["paragraph"] * len(self.paragraphs)
        if not blocks:
            return kinds
        ordered = sorted(blocks, key=lambda block: block.start)
        starts = [block.start for block in ordered]
        for index, (start, _) in enumerate(self.paragraphs):
            at = bisect.bisect_right(starts, start) - 1
            if at >= 0 and start < ordered[at].end:
                kinds[index] = ordered[at].kind
        return kinds

    def _headline_end(self) -> int:
        non_empty = [(s, e) for s, e in self.paragraphs if e > s]
        if len(non_empty) >= 2 and non_empty[0][1] - non_empty[0][0] <= 250:
            return non_empty[0][1]
        return -1

    def _inside_marks(self, position: int) -> bool:
        return 0 <= position < len(self._marked_mask) and bool(self._marked_mask[position])

    def _sentences(self) -> list[tuple[int, int]]:
        sentences = []
        for start, end in self.paragraphs:
            sentence_start = start
            for match in re.finditer(r"[.!?…]+(?=\s+[A-ZÀ-ÖØ-Þ«\"“—–])", self.text[start:end]):
                cut = start + match.end()
                if self._inside_marks(cut - 1):
                    continue
                word = re.search(r"(\S+)$", self.text[start : start + match.start()])
                if (
                    match.group(0) == "."
                    and word
                    and word.group(1).isalpha()
                    and (len(word.group(1)) == 1 or fold(word.group(1)) in _ABBREVIATIONS)
                ):
                    continue  # M. Poutine, J. Dupont, Mme. Rey
                sentences.append((sentence_start, cut))
                sentence_start = cut + 1
            if sentence_start < end:
                sentences.append((sentence_start, end))
        return sentences

    def sentence_of(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._sentence_starts, position) - 1
        if index >= 0 and position <= self.sentences[index][1]:
            return self.sentences[index]
        return position, position

    def token_index(self, char: int) -> int:
        """The index of the first token starting at or after ``char``."""
        return bisect.bisect_left(self.token_starts, char)

    # --- the passes -----------------------------------------------------------------------

    def _mask(self, intervals) -> bytearray:
        """One byte per character, set inside any of ``intervals``: membership in O(1)."""
        mask = bytearray(len(self.text) + 1)
        for start, end in intervals:
            if end > start:
                mask[start:end] = b"\x01" * (end - start)
        return mask

    def run(self) -> list[Quote]:
        return [self._quote(c) for c in self.decide() if c.rejected is None]

    def decide(self) -> list[_Candidate]:
        """Every candidate, attributed or rejected (``rejected`` says why), in text order."""
        candidates = self._answers()
        answered = self._mask((c.start, c.end) for c in candidates)
        questions = self._mask(self._question_paragraphs() + self._questions if candidates else [])
        for span in self.spans:
            if answered[span.open_offset]:
                continue  # a quote inside an interview answer is part of it
            if questions[span.open_offset]:
                continue  # the interviewer's words
            candidates.extend(self._split_interrupted(span))
        marked = [(span.open_offset, span.outer_end) for span in self.spans]
        candidates.extend(c for c in self._indirect(marked) if not answered[c.start])
        # Attribution runs in text order: pronouns and "previous speaker" depend on what came before.
        candidates.sort(key=lambda c: c.start)
        for candidate in candidates:
            self.budget.spend(self._tokens_read(candidate))
            if candidate.kind == "indirect":
                self._attribute_indirect(candidate)
            else:
                self._attribute(candidate)
                if candidate.rejected is None and candidate.marked:
                    self.last_marked = candidate
        self._match_headlines(candidates)
        return candidates

    def _tokens_read(self, candidate: _Candidate) -> int:
        """The tokens from the start of a candidate's first sentence to the end of its last one:
        what its attribution reads (cues, subjects, pronouns); the unit of the work budget."""
        first, _ = self.sentence_of(candidate.start)
        _, last = self.sentence_of(max(candidate.end - 1, candidate.start))
        return self.token_index(last) - self.token_index(first) + 1

    def _answers(self) -> list[_Candidate]:
        """Interview answers: paragraphs opened by a dash or by "Name :" / "R :"."""
        dash_paragraphs = [p for p in self.paragraphs if self.text[p[0] : p[1]].startswith(_DASHES)]
        name_paragraphs = [p for p in self.paragraphs if _NAME_PREFIX.match(self.text[p[0] : p[1]])]
        question_paragraphs = [p for p in self.paragraphs if _QUESTION_PREFIX.match(self.text[p[0] : p[1]])]
        if len(dash_paragraphs) < 2 and len(question_paragraphs) < 2:
            return []
        interviewee = self._interviewee()
        answers: list[_Candidate] = []
        previous_was_answer = False
        body = [(s, e) for s, e in self.paragraphs if e > s and s > self.headline_end]
        dashed = [self.text[s:e].startswith(_DASHES) for s, e in body]
        # Two layouts: undashed questions each followed by a dashed answer, or every turn dashed.
        undashed_questions = any(
            not dashed[k] and dashed[k + 1] and self.text[s:e].rstrip().endswith("?")
            for k, (s, e) in enumerate(body[:-1])
        )
        followed_by_dash = {body[k][0] for k in range(len(body) - 1) if dashed[k + 1]}
        turn = 0  # in the all-dashed layout, turns alternate from a first question
        all_dashed = not undashed_questions and bool(body) and any(dashed)
        for start, end in self.paragraphs:
            paragraph = self.text[start:end]
            if not paragraph.strip() or start <= self.headline_end:
                previous_was_answer = False
                continue
            stripped = paragraph.rstrip()
            if paragraph.startswith("Propos recueillis"):
                previous_was_answer = False
                continue
            if undashed_questions and not paragraph.startswith(_DASHES) and start in followed_by_dash:
                previous_was_answer = False  # "Vous avez deux enfants. Comment vivent-ils… ?"
                self._questions.append((start, end))
                continue
            if all_dashed and paragraph.startswith(_DASHES):
                turn += 1
                if turn == 1 and not stripped.endswith("?"):
                    all_dashed = False  # no interview turns: dashes as list items or answers only
                elif turn % 2 == 1:
                    previous_was_answer = False  # "— Vous avez failli arrêter en 2022…": the question
                    self._questions.append((start, end))
                    continue
            if (
                _QUESTION_PREFIX.match(paragraph)
                or stripped.endswith("?")
                and (paragraph.startswith(_DASHES) or not previous_was_answer)
            ):
                previous_was_answer = False
                continue
            prefix = None
            speaker_name = None
            if paragraph.startswith(_DASHES):
                prefix = re.match(r"^[—–-]\s*", paragraph).end()
            elif _ANSWER_PREFIX.match(paragraph):
                prefix = _ANSWER_PREFIX.match(paragraph).end()
            elif (
                (match := _NAME_PREFIX.match(paragraph))
                and (start, end) in name_paragraphs
                and len(question_paragraphs) >= 1
            ):
                prefix = match.end()
                speaker_name = match.group(1).strip()
            elif previous_was_answer and start not in self._span_opens and not self._has_cue(start, end):
                prefix = 0
            if prefix is None:
                previous_was_answer = False
                continue
            candidate = _Candidate(start + prefix, end, start, end, marked=False, answer=True)
            candidate.extras["cue_rule"] = "cue_interview_name" if speaker_name else "cue_interview_answer"
            person = self.people.person_named(speaker_name, start) if speaker_name else interviewee
            candidate.cue = ":" if speaker_name else None
            candidate.person = person
            name = person.name if person else speaker_name
            resolution = "explicit" if speaker_name else ("interviewee" if person else "unknown")
            candidate.speaker = {
                "text": speaker_name,
                "start": None,
                "end": None,
                "name": name,
                "resolution": resolution,
            }
            if prefix == 0:
                candidate.speaker["resolution"] = "previous_speaker"
            answers.append(candidate)
            previous_was_answer = True
        return answers

    def _question_paragraphs(self) -> list[tuple[int, int]]:
        """In an interview, the interviewer's paragraphs: "Question :" lines and questions."""
        found = []
        for start, end in self.paragraphs:
            paragraph = self.text[start:end].strip()
            if start > self.headline_end and (_QUESTION_PREFIX.match(paragraph) or paragraph.endswith("?")):
                found.append((start, end))
        return found

    def _interviewee(self) -> Person | None:
        first_dash = next(
            (
                s
                for s, e in self.paragraphs
                if self.text[s:e].startswith(_DASHES) or _QUESTION_PREFIX.match(self.text[s:e])
            ),
            len(self.text),
        )
        counts = []
        for person in self.people.people:
            intro = sum(1 for m_start, _ in person.mentions if m_start < first_dash)
            if intro:
                counts.append((intro, len(person.tokens), len(person.mentions), person))
        if not counts:
            return None
        return max(counts, key=lambda c: (c[0], c[1], c[2]))[3]

    def _has_cue(self, start: int, end: int) -> bool:
        for token in self.doc[self.token_index(start) : self.token_index(end)]:
            if token.text.startswith("-") and token.lower_ in ("-il", "-elle", "-t"):
                return True
        return False

    def _split_interrupted(self, span: MarkedSpan) -> list[_Candidate]:
        """« Q1, explique X, Q2 »: two quotes, the cue between them."""
        whole = _Candidate(span.start, span.end, span.open_offset, span.outer_end)
        whole.headline = span.start <= self.headline_end
        text = self.text
        for match in re.finditer(r",\s+", text[span.start : span.end]):
            comma = span.start + match.start()
            cue = self._cue_after(comma, span.end, inside=True)
            if cue is None or cue.subject_end is None and cue.pronoun is None:
                continue
            second_start = self._incise_end(cue.subject_end or cue.verb_end, span.end)
            if second_start is None:
                continue
            if span.end - second_start < 3 or comma - span.start < 3:
                continue
            first = _Candidate(span.start, comma, span.open_offset, comma)
            first.extras["cue"] = cue
            second = _Candidate(second_start, span.end, second_start, span.outer_end, follows_incise=True)
            second.extras["cue"] = cue
            first.headline = second.headline = whole.headline
            return [first, second]
        return [whole]

    def _incise_end(self, position: int, limit: int) -> int | None:
        """Where the quote resumes after an incise ending at ``position``.

        "…, a déclaré le maire, Bernard Quissac, en ouvrant la séance. Trois cents…": past an
        apposed name and a short adjunct, up to the next comma or sentence end.
        """
        text = self.text
        rest = re.match(r"\s*,\s*", text[position:limit])
        if rest:
            resumed = position + rest.end()
            person = self.people.person_in(resumed, min(limit, resumed + 60))
            mention = next(((a, b) for p in [person] if p for a, b in p.mentions if a == resumed), None)
            if mention is None:
                return resumed
            position = mention[1]
        adjunct = re.match(r"[^.,;!?«»]{0,80}?[.,;!?]\s+", text[position:limit])
        return position + adjunct.end() if adjunct else None

    # --- cues -----------------------------------------------------------------------------

    def _verb_lemma(self, index: int) -> tuple[str | None, int]:
        """The lexicon lemma of the verb at token ``index`` and the index after it (multi-word cues)."""
        doc = self.doc
        token = doc[index]
        if index + 1 < len(doc):
            # Multi-word cues come from the lexicon's table (faire savoir, mettre en garde).
            following = [t.lower_ for t in doc[index + 1 : min(len(doc), index + 4)]]
            phrase = self.lexicon.phrase_at(token.lemma_, token.text, following)
            if phrase is not None:
                return phrase[0], index + 1 + phrase[1]
        if token.pos_ in ("PUNCT", "DET", "ADP", "PROPN", "CCONJ", "SCONJ", "NUM") or not token.text[0].isalpha():
            return None, index
        lemma = self.lexicon.lemma_of(token.lemma_, token.text)
        return lemma, index + 1

    def _cue_after(self, position: int, limit: int, inside: bool = False) -> _Cue | None:
        """A cue right after ``position`` (the end of a quote): , a déclaré X / a-t-il dit / dit-elle."""
        doc = self.doc
        i = self.token_index(position)
        n = len(doc)
        while i < n and doc[i].idx < limit and doc[i].text in (",", "»", "”", '"', "(", "—", "–", "-"):
            i += 1
        if i >= n or doc[i].idx >= limit:
            return None
        pronoun = None
        aux = False
        while i < n and _is_clitic(doc[i]) and i + 1 < n and doc[i + 1].pos_ == "AUX":
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
            and self.lexicon.lemma_of(doc[i].lemma_, doc[i].text) is None
        ):
            i += 1
        while i < n and _is_clitic(doc[i]):
            i += 1  # « … », y assure l'entreprise / lui répond le maire / s'insurge X
        if i >= n or doc[i].idx >= limit:
            return None
        lemma, after = self._verb_lemma(i)
        if (
            lemma is None
            and doc[i].lemma_ in _CHAIN_VERBS
            and i + 2 < n
            and doc[i + 1].lower_ in ("par", "à", "de", "d'")
        ):
            # "a-t-il fini par lâcher", "a tenu à rappeler": the reporting verb is the infinitive.
            lemma, after = self._verb_lemma(i + 2)
        if lemma is None:
            return None
        if not inside and not aux and pronoun is None and doc[i].text.endswith("ant"):
            # « … », rappelant que…: the sentence's subject speaks, found before the quote.
            return None
        verb_start, verb_end = doc[i].idx, doc[after - 1].idx + len(doc[after - 1].text)
        j = after
        while j < n and doc[j].text.startswith("-") and len(doc[j].text) > 1:
            if doc[j].lower_ != "-t":
                pronoun = doc[j].lower_.lstrip("-")
            verb_end = doc[j].idx + len(doc[j].text)
            j += 1
        if pronoun:
            return _Cue(lemma, verb_start, verb_end, None, verb_end, pronoun)
        # The subject follows the verb: a noun phrase up to punctuation, a preposition or a verb.
        while j < n and doc[j].pos_ == "ADV" and doc[j].lower_ not in ("ne", "n'"):
            j += 1
        start = j
        while j < n and doc[j].idx < limit:
            token = doc[j]
            nominal = token.pos_ == "VERB" and j > start and doc[j - 1].pos_ == "DET"  # "un manifestant"
            if (
                (token.pos_ in ("PUNCT", "VERB", "AUX", "SCONJ", "CCONJ") and not nominal)
                or token.lower_ in _NOUN_STOPS
                or token.lower_ in ("qui", "que", "qu'", "dont")
            ):
                break
            if (
                token.pos_ == "ADP"
                and token.lower_ not in ("de", "du", "des", "d'")
                and not (j > start and doc[j - 1].pos_ == "NOUN" and token.lower_ in ("à",) and False)
            ):
                break
            if token.pos_ == "PRON" and token.lower_ in _INDEFINITE_PRONOUNS:
                j += 1
                break
            if token.lower_ in ("l'", "l’", "quelqu'", "quelqu’") and j + 1 < n and doc[j + 1].lower_ in ("un", "une"):
                # "a crié quelqu'un", "a répondu l'un d'eux": tokenised in two, still nobody named.
                return _Cue(lemma, verb_start, verb_end, doc[j].idx, doc[j + 1].idx + len(doc[j + 1].text))
            if token.pos_ == "PRON" and token.lower_ not in (
                "il",
                "elle",
                "ils",
                "elles",
                "on",
                "celui-ci",
                "celle-ci",
                "ce",
                "lui",
            ):
                break
            j += 1
        while j > start and doc[j - 1].pos_ in ("ADP", "DET"):
            j -= 1
        if j == start:
            # "a déclaré à la presse Thierry Lamarque": an adjunct first, the subject after it.
            window_end = min(limit, doc[start].idx + 90 if start < n else limit)
            stop = re.search(r"[.;«»“”\"]", self.text[doc[start].idx if start < n else limit : window_end])
            if stop:
                window_end = (doc[start].idx if start < n else limit) + stop.start()
            window_start = doc[start].idx if start < n else limit
            person = self.people.first_person_in(window_start, window_end)
            if person is not None:
                mention = min(m for m in person.mentions if m[0] >= window_start and m[1] <= window_end)
                return _Cue(lemma, verb_start, verb_end, mention[0], mention[1])
            # "soupirait en marge de la séance un élu": an indefinite subject after the adjunct.
            for k in range(start, self.token_index(window_end)):
                if (
                    doc[k].pos_ == "DET"
                    and doc[k].lower_ in _INDEFINITE
                    and k + 1 < n
                    and doc[k + 1].pos_ == "NOUN"
                    and doc[k - 1].pos_ != "ADP"
                ):
                    return _Cue(lemma, verb_start, verb_end, doc[k].idx, doc[k + 1].idx + len(doc[k + 1].text))
            if aux and not inside:
                return None
            return _Cue(lemma, verb_start, verb_end, None, None, None) if not inside else None
        return _Cue(lemma, verb_start, verb_end, doc[start].idx, doc[j - 1].idx + len(doc[j - 1].text))

    def _cue_before(self, candidate: _Candidate) -> _Cue | None:
        """A cue before the quote in its sentence: X a déclaré : « … », X a assuré que « … », selon X, « … ».

        A quote opening its paragraph belongs to the sentence before when that paragraph ends with a
        colon ("X a pris la parole devant ses collègues :" then « … » on its own lines).
        """
        anchor = self._colon_before_paragraph(candidate.open_offset)
        sentence_start, _ = self.sentence_of(anchor)
        segment = self.text[sentence_start:anchor]
        doc = self.doc
        first = self.token_index(sentence_start)
        last = self.token_index(anchor)
        opening = doc[first] if first < len(doc) else None
        if opening is not None and opening.lower_ == "pour" and not self._inside_marks(opening.idx):
            # "Pour le secrétaire d'État, Adrien Taquet, « … »": the opinion of whom the phrase names.
            comma = self.text.find(",", opening.idx, anchor)
            region = (doc[first + 1].idx, comma) if comma > 0 and first + 1 < len(doc) else None
            if region and self._names_speaker(*region):
                return _Cue("pour", opening.idx, opening.idx + 4, region[0], region[1])
        # selon X / d'après X
        for i in range(last - 1, first - 1, -1):
            token = doc[i]
            if self._inside_marks(token.idx):
                continue
            if token.lower_ == "selon" or _is_dapres(doc, i):
                end = self._np_end(i + 1, anchor)
                if end > i + 1:
                    return _Cue(
                        "selon" if token.lower_ == "selon" else "d'après",
                        token.idx,
                        token.idx + len(token.text),
                        doc[i + 1].idx,
                        doc[end - 1].idx + len(doc[end - 1].text),
                    )
        verbs = []
        for i in range(last - 1, first - 1, -1):
            token = doc[i]
            if self._inside_marks(token.idx):
                continue
            lemma, after = self._verb_lemma(i)
            if lemma is None or token.pos_ not in ("VERB", "AUX", "NOUN", "ADJ", "ADV"):
                continue
            if token.pos_ == "NOUN" and i > 0 and doc[i - 1].pos_ == "DET":
                continue  # "en creusant une tranchée": a noun that looks like a form of trancher
            between = self.text[doc[after - 1].idx : anchor]
            if lemma in _NEEDS_QUE and not re.search(r"(?:\bque\b|\bqu'|:|,)", between):
                continue  # "Pyongyang soutient « toutes les décisions »": support, not speech
            verbs.append((i, lemma, bool(re.search(r"(?:\bque\b|\bqu'|:)", between))))
        # The verb whose que-clause (or colon) holds the quote, else the nearest one: in "ajoutant
        # que les deux hommes parleront « … »" the cue is ajouter, not parler.
        chosen = next((v for v in verbs if v[2]), verbs[0] if verbs else None)
        if chosen is not None:
            i, lemma, _ = chosen
            token = doc[i]
            if self._negated(i):
                candidate.rejected = "negated cue"
                return None
            subject = self._postposed_subject(i) or self._subject_of(i)
            if subject is None:
                return _Cue(lemma, token.idx, token.idx + len(token.text), None, None)
            if isinstance(subject, str):
                return _Cue(lemma, token.idx, token.idx + len(token.text), None, None, subject)
            s_start, s_end = subject
            return _Cue(lemma, token.idx, token.idx + len(token.text), s_start, s_end)
        stripped = segment.rstrip()
        if stripped.endswith(":"):
            # "Kim Jong Un : « … »" (headlines, captions): the words before the colon are the speaker.
            np_first = self.token_index(sentence_start)
            np_last = self.token_index(sentence_start + len(stripped) - 1)
            colon = sentence_start + len(stripped) - 1
            names_someone = self.people.first_person_in(sentence_start, colon) is not None or any(
                ent.label_ == "ORG" and sentence_start <= ent.start_char < colon for ent in doc.ents
            )
            named = (
                _HEADLINE_NAME.match(stripped[len(stripped) - len(stripped.lstrip()) :]) if not names_someone else None
            )
            if named:
                # "Laélia Véron, linguiste : « … »": two capitalised words and a title before the colon.
                return _Cue(":", colon, colon + 1, sentence_start, sentence_start + named.end(1))
            if 0 < np_last - np_first <= 6 and names_someone:
                return _Cue(":", colon, colon + 1, doc[np_first].idx, doc[np_last - 1].idx + len(doc[np_last - 1].text))
            # "Sophie Langlade, adjointe aux sports, a pris la parole : « … »": the sentence's subject;
            # "la magistrate a démonté la thèse de l'accident : « … »": its main verb's subject.
            subject = self._main_subject(np_last) or next(
                (
                    self._subject_of(k)
                    for k in range(np_first, np_last)
                    if doc[k].pos_ == "VERB"
                    and not self._inside_marks(doc[k].idx)
                    and any(c.dep_ in ("nsubj", "nsubj:pass") and c.i < k for c in doc[k].children)
                ),
                None,
            )
            if isinstance(subject, str):
                return _Cue(":", colon, colon + 1, None, None, subject)
            if subject is not None:
                return _Cue(":", colon, colon + 1, subject[0], subject[1])
        return None

    def _names_speaker(self, start: int, end: int) -> bool:
        """Whether a phrase names someone who can speak: a person, an organisation."""
        if self.people.first_person_in(start, end) is not None:
            return True
        tokens = self.doc[self.token_index(start) : self.token_index(end)]
        return any(t.ent_type_ == "ORG" or (t.pos_ == "NOUN" and fold(t.lemma_) in ORG_NOUNS) for t in tokens)

    def _cue_selon_after(self, candidate: _Candidate) -> _Cue | None:
        """ ", selon X." later in the quote's sentence: « la viabilité des espèces », selon le ministère."""
        _, sentence_end = self.sentence_of(candidate.outer_end)
        doc = self.doc
        for i in range(self.token_index(candidate.outer_end), self.token_index(sentence_end)):
            token = doc[i]
            if self._inside_marks(token.idx) or not (token.lower_ == "selon" or _is_dapres(doc, i)):
                continue
            if i == 0 or doc[i - 1].text not in (",", "d'", "d’") or i + 1 >= len(doc):
                return None
            end = self._np_end(i + 1, sentence_end)
            if end <= i + 1:
                return None
            subject = (doc[i + 1].idx, doc[end - 1].idx + len(doc[end - 1].text))
            if not self._names_speaker(*subject) and not any(t.pos_ == "PRON" for t in doc[i + 1 : end]):
                return None
            return _Cue("selon" if token.lower_ == "selon" else "d'après", token.idx, token.idx + 5, *subject)
        return None

    def _colon_before_paragraph(self, position: int) -> int:
        """``position``, or the end of the previous paragraph when it ends with a colon and the
        quote at ``position`` opens its own paragraph."""
        paragraph_start = self.text.rfind("\n", 0, position) + 1
        if self.text[paragraph_start:position].strip():
            return position
        previous = self.text[:paragraph_start].rstrip()
        return len(previous) if previous.endswith(":") else position

    def _postposed_subject(self, i: int) -> tuple[int, int] | None:
        """The subject of an incise before the quote: "Une idée reçue, tranche Élodie Marchal, … : « … »"."""
        doc = self.doc
        if i == 0 or doc[i - 1].text != "," or i + 1 >= len(doc):
            return None
        after = doc[i + 1]
        person = self.people.first_person_in(after.idx, after.idx + 60)
        if person is None:
            return None
        mention = min(m for m in person.mentions if m[0] >= after.idx)
        between = self.text[after.idx : mention[0]]
        if re.fullmatch(r"(?:(?:M\.|Mme|Me|Dr|l'|le|la)\s*)?", between, re.IGNORECASE):
            return mention
        return None

    def _np_end(self, i: int, limit: int) -> int:
        doc = self.doc
        j = i
        while j < len(doc) and doc[j].idx < limit:
            token = doc[j]
            if token.pos_ in ("PUNCT", "VERB", "AUX", "SCONJ", "CCONJ") or token.lower_ in ("qui", "que", "qu'"):
                break
            if token.pos_ == "ADP" and token.lower_ not in ("de", "du", "des", "d'"):
                break
            j += 1
        return j

    def _negated(self, i: int) -> bool:
        doc = self.doc
        window_before = [t.lower_ for t in doc[max(0, i - 6) : i]]
        window_after = [t.lower_ for t in doc[i + 1 : i + 3]]
        if "ne" in window_before or "n'" in window_before:
            return any(word in _NEGATIONS for word in window_before + window_after)
        return False

    def _subject_of(self, i: int):
        """The subject of the verb at token ``i``: a char span, a pronoun string, or None."""
        doc = self.doc
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
            governed = self._subject_of(verb.head.i)
            if governed is not None:
                return governed
        if (
            ("VerbForm=Part" in morph and "Tense=Pres" in morph)
            or verb.text.endswith("ant")
            or "VerbForm=Inf" in morph
            or before in ("avoir", "être", "de", "d'", "pour")
        ):
            # ajoutant que, avant de souligner que, après avoir déclaré que: the main clause's subject.
            return self._main_subject(i)
        # "a fait savoir": the parser may hang the subject on "savoir", the head of "fait".
        for candidate_head in (head, head.head if head.dep_ in ("xcomp", "conj", "dep") else None):
            if candidate_head is None:
                continue
            for child in candidate_head.children:
                if child.dep_ in ("nsubj", "nsubj:pass") and child.i < i:
                    if child.idx < self.sentence_of(verb.idx)[0]:
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
                    return self._phrase_span(target)[0], self._region_end(i)
        # Fallback: a person named in the sentence before the verb, else the nearest pronoun or
        # noun phrase to the left.
        sentence_start, _ = self.sentence_of(verb.idx)
        main = self._main_subject(i)
        if main is not None:
            return main
        for k in range(i - 1, self.token_index(sentence_start) - 1, -1):
            token = doc[k]
            if self._inside_marks(token.idx):
                continue
            if token.pos_ in ("PROPN", "NOUN"):
                return self._phrase_span(token)
        return None

    def _region_end(self, i: int) -> int:
        """The end of the subject region before the verb at token ``i`` (auxiliaries and clitics excluded)."""
        doc = self.doc
        k = i
        while k > 0 and (
            doc[k - 1].pos_ in ("AUX", "PUNCT", "ADV")
            or doc[k - 1].lower_ in ("s'", "se", "l'", "le", "la", "lui", "y", "en", "ne", "n'")
        ):
            k -= 1
        return doc[k - 1].idx + len(doc[k - 1].text) if k > 0 else doc[i].idx

    def _main_subject(self, i: int):
        """The first person or personal pronoun of the sentence before token ``i``, or None."""
        doc = self.doc
        if i >= len(doc):  # the colon sits inside the last token ("a:“a" is one token): no subject
            return None
        sentence_start, _ = self.sentence_of(doc[i].idx)
        for k in range(self.token_index(sentence_start), i):
            token = doc[k]
            if self._inside_marks(token.idx):
                continue
            if token.pos_ == "PRON" and token.lower_.lstrip("-") in ("il", "elle", "ils", "elles"):
                return token.lower_.lstrip("-")
            if k > 0 and doc[k - 1].pos_ == "ADP":
                continue  # "Interpellée par Gilles Vernhes, elle…": an agent or a complement
            person = self.people.person_in(token.idx, token.idx + len(token.text) + 40)
            if person is not None and any(m_start == token.idx for m_start, _ in person.mentions):
                m_end = next(m_end for m_start, m_end in person.mentions if m_start == token.idx)
                return token.idx, m_end
        return None

    def _phrase_span(self, token) -> tuple[int, int]:
        """The noun phrase of ``token``: its left determiners/adjectives and its de-complements."""
        doc = self.doc
        start = token.i
        while (
            start > 0
            and doc[start - 1].pos_ in ("DET", "ADJ", "PROPN", "NOUN")
            and doc[start - 1].text not in (",", "«", "»")
            and not self._inside_marks(doc[start - 1].idx)
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
            and not self._inside_marks(doc[end].idx)
        ):
            end += 1
            if doc[end - 1].lower_ in ("de", "du", "des", "d'") and end < len(doc) and doc[end].pos_ == "DET":
                end += 1
        return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)

    # --- attribution ----------------------------------------------------------------------

    def _attribute(self, candidate: _Candidate) -> None:
        if candidate.answer:
            if candidate.person is not None:
                self._remember(candidate.person)
            return
        span_text = self.text[candidate.start : candidate.end]
        self._classify_kind(candidate)
        if self._is_title_or_name(candidate, span_text):
            return
        cue = candidate.extras.get("cue")
        candidate.extras["cue_rule"] = "cue_incise"
        if cue is None:
            candidate.extras["cue_rule"] = "cue_after"
            cue = self._cue_after(candidate.outer_end, self.sentence_of(candidate.outer_end)[1] + 1)
        if cue is None and not candidate.headline:
            continued = self._continued(candidate)
            if continued is not None:
                candidate.extras["cue_rule"] = "cue_continued"
                # « … », a-t-elle lancé à l'adresse du maire, « et vous venez… »: the same speaker.
                candidate.cue = continued.cue
                self._set_speaker(
                    candidate, None, continued.person, "previous_speaker", (continued.speaker or {}).get("name")
                )
                return
        if cue is None:
            candidate.extras["cue_rule"] = "cue_before"
            cue = self._cue_before(candidate)
            if candidate.rejected:
                return
        if cue is None:
            candidate.extras["cue_rule"] = "cue_selon_after"
            cue = self._cue_selon_after(candidate)
        if cue is None and candidate.headline:
            candidate.extras["cue_rule"] = "cue_headline_match"
            candidate.extras["headline_unattributed"] = True
            return
        if cue is None:
            candidate.extras["cue_rule"] = "cue_none"
            if candidate.kind == "fragment" or len(span_text.split()) <= 3 or self._embedded(candidate):
                # Words in marks inside the journalist's own sentence, with nobody saying them: a
                # nickname, a term, a scare quote.
                candidate.rejected = "no cue (scare quote or term)"
                return
            source = self._previous_source(candidate.open_offset)
            if source is not None:
                candidate.person = None
                candidate.speaker = {
                    "text": None,
                    "start": None,
                    "end": None,
                    "name": source,
                    "resolution": "previous_speaker",
                }
                return
            previous = self._previous_speaker(candidate.open_offset)
            self._set_speaker(candidate, None, previous, "previous_speaker" if previous else "unknown", None)
            return
        candidate.cue = cue.lemma
        self._resolve(candidate, cue)

    def _previous_source(self, position: int) -> str | None:
        """The last source when it was no person (an organisation, a group, an unnamed descriptor)
        and nobody took the turn as a subject since, within the same or the next paragraph."""
        if self.last_source is None:
            return None
        end, name, _ = self.last_source
        active = self.people.antecedent(position, None, self.last_quoted)
        if active is not None and self.people.last_active(active, position, self.last_quoted) > end:
            return None
        starts = self._paragraph_starts
        if bisect.bisect_right(starts, position) - bisect.bisect_right(starts, end) > 1:
            return None
        return name

    def _previous_speaker(self, position: int) -> Person | None:
        """Who speaks a quote with no cue: the last speaker, unless someone took the turn since
        as a subject ("Le ministre italien s'est aussi longuement exprimé…" then « … »)."""
        previous = self.recent[0] if self.recent else None
        active = self.people.antecedent(position, None, self.last_quoted)
        if active is None or previous is None:
            return previous or active
        since = self.people.last_active(active, position, self.last_quoted)
        return active if since > self.last_quoted.get(previous.id, -1) else previous

    def _continued(self, candidate: _Candidate) -> _Candidate | None:
        """The quote this one continues: an earlier quote of the same sentence followed by its cue."""
        previous = self.last_marked
        if previous is None or previous.speaker is None or previous.rejected:
            return None
        sentence = self.sentence_of(candidate.open_offset)
        if self.sentence_of(previous.outer_end) != sentence or previous.outer_end > candidate.open_offset:
            return None
        between = self.text[previous.outer_end : candidate.open_offset]
        if not between.strip(" ,") or len(between) > 120:
            return None
        if self._cue_after(previous.outer_end, candidate.open_offset) is None:
            return None
        return previous

    def _embedded(self, candidate: _Candidate) -> bool:
        """Whether the marks sit inside a sentence of the journalist (not at its start, nor after a colon)."""
        sentence_start, _ = self.sentence_of(candidate.open_offset)
        before = self.text[sentence_start : candidate.open_offset].rstrip()
        return bool(before) and not before.endswith((":", ".", "!", "?", "»", "”", '"', "–", "—"))

    def _classify_kind(self, candidate: _Candidate) -> None:
        text = self.text
        sentence_start, _ = self.sentence_of(candidate.open_offset)
        before = text[sentence_start : candidate.open_offset].rstrip()
        quote = text[candidate.start : candidate.end]
        words = quote.split()
        if not before or before.endswith((":", ".", "!", "?", "»", "”", '"')) or candidate.follows_incise:
            candidate.kind = "direct"
            return
        if quote[:1].isupper() and len(words) >= 4:
            candidate.kind = "direct"
            return
        first = self.token_index(candidate.start)
        last = self.token_index(candidate.end)
        has_subject = any(
            t.dep_ in ("nsubj", "nsubj:pass", "expl:subj") and candidate.start <= t.head.idx < candidate.end
            for t in self.doc[first:last]
        )
        previous_word = before.split()[-1].lower() if before.split() else ""
        if previous_word in ("que", "qu'", "qu") or before.endswith("'"):
            candidate.kind = "direct" if has_subject and len(words) >= 5 else "fragment"
            return
        if has_subject and len(words) >= 6 and before.endswith(","):
            candidate.kind = "direct"
            return
        candidate.kind = "fragment" if not (has_subject and len(words) >= 8) else "direct"

    def _is_title_or_name(self, candidate: _Candidate, span_text: str) -> bool:
        sentence_start, _ = self.sentence_of(candidate.open_offset)
        before = self.text[max(sentence_start, candidate.open_offset - 40) : candidate.open_offset].rstrip()
        subject_of_next = re.match(r"[»”\"]?\s*[a-zà-ÿ]", self.text[candidate.outer_end : candidate.outer_end + 4])
        if before.endswith(":") and not subject_of_next:
            return False  # "a répondu par une formule : « … »": what follows a colon is said
        words = re.findall(r"[\w'-]+", before.lower())
        previous = words[-1] if words else ""
        previous2 = " ".join(words[-2:]) if len(words) >= 2 else previous
        capitalised = span_text[:1].isupper()
        if (
            previous in _WORK_WORDS
            or (previous in _NAME_WORDS and capitalised)
            or previous2 in ("sous le", "sous la")
            or previous in ("nom",)
            or previous2 in ("le nom", "du nom")
        ):
            if len(span_text.split()) <= 12:
                candidate.rejected = f"title or name ({previous})"
                return True
        if (
            previous in ("de", "d", "du", "des")
            and len(words) >= 2
            and (words[-2] in _WORK_WORDS or (words[-2] in _NAME_WORDS and capitalised))
            and len(span_text.split()) <= 12
        ):
            candidate.rejected = f"title or name ({words[-2]})"
            return True
        short = len(span_text.split()) <= 6
        # "que ses voisins surnomment « le Don Quichotte du causse »", "les lois dites « Egalim »",
        # "ce que les spécialistes nomment la « dette de sommeil »": a naming verb just before.
        first = self.token_index(max(sentence_start, candidate.open_offset - 40))
        last = self.token_index(candidate.open_offset)
        recent = [t for t in self.doc[first:last] if not t.is_punct][-3:]
        for token in recent:
            lemma = fold(token.lemma_)
            if lemma in _NAMING_VERBS or fold(token.text) in _NAMING_FORMS:
                if short:
                    candidate.rejected = f"name or term ({token.text})"
                    return True
            if (
                fold(token.text) in ("dit", "dite", "dits", "dites")
                and token.i > 0
                and self.doc[token.i - 1].pos_ in ("NOUN", "PROPN")
            ):
                candidate.rejected = "name (dit)"
                return True
        # A proper name alone in marks (a ship, a group, a place): « Marie-Morgane », « BlackPike ».
        words_in = span_text.split()
        if (
            len(words_in) <= 3
            and all(w[:1].isupper() for w in words_in)
            and (not before.endswith(":") or subject_of_next)
        ):
            # After a colon too when a verb follows without a comma: "… : « Le Monde » interroge…".
            if not any(self.lexicon.lemma_of(t.lemma_, t.text) for t in recent):
                candidate.rejected = "proper name in marks"
                return True
        return False

    def _resolve(self, candidate: _Candidate, cue: _Cue) -> None:
        if cue.pronoun is not None:
            self._resolve_pronoun(candidate, cue.pronoun, (cue.verb_start, cue.verb_end))
            return
        if cue.subject_start is None:
            previous = self._previous_speaker(candidate.open_offset)
            self._set_speaker(candidate, None, previous, "previous_speaker" if previous else "unknown", None)
            return
        self._resolve_phrase(candidate, cue.subject_start, cue.subject_end)

    def _resolve_pronoun(self, candidate: _Candidate, pronoun: str, where: tuple[int, int]) -> None:
        if pronoun in ("on",):
            self._set_speaker(candidate, where, None, "unknown", None)
            return
        gender = _PRONOUN_GENDER.get(pronoun)
        person = self._sentence_person(candidate, gender)
        if person is None:
            person = self.people.antecedent(candidate.open_offset, gender, self.last_quoted)
            # "La direction du groupe conteste ces chiffres. Dans un communiqué, elle assure…": an
            # organisation named as a subject since the person last spoke is the antecedent.
            organisation = self.people.organisation_subject(candidate.open_offset, gender)
            if organisation is not None and (
                person is None
                or organisation[0] > self.people.last_active(person, candidate.open_offset, self.last_quoted)
            ):
                own = re.split(r"\s*[,(]\s*", organisation[1].name, maxsplit=1)[0]
                name = self.people.organisation(own, organisation[1].head, organisation[0])
                self._set_speaker(candidate, where, None, "organisation", name)
                return
        self._set_speaker(candidate, where, person, "pronoun" if person else "unknown", None)

    def _sentence_person(self, candidate: _Candidate, gender: str | None) -> Person | None:
        """A person named earlier in the quote's own sentence, outside marks, of the pronoun's gender.

        "Kim a laissé un message dans lequel il a souligné que « … »": il is Kim, whoever spoke last.
        """
        sentence_start, _ = self.sentence_of(candidate.open_offset)
        if sentence_start >= candidate.open_offset:
            return None
        return self.people.first_mentioned(
            sentence_start,
            candidate.open_offset,
            lambda at, person: not self._inside_marks(at) and (gender is None or person.gender in (gender, None)),
        )

    def _resolve_phrase(self, candidate: _Candidate, start: int, end: int) -> None:
        doc = self.doc
        phrase = self.text[start:end]
        if _SIDE_ONLY.match(phrase):
            # "Matignon, de son côté, a fait savoir": the subject opens the sentence.
            sentence_start, _ = self.sentence_of(start)
            comma = self.text.find(",", sentence_start, start)
            if comma > sentence_start:
                start, end = sentence_start, comma
                phrase = self.text[start:end]
        side = _SIDE_ADJUNCT.match(phrase)
        if side and side.end() < len(phrase):
            start += side.end()  # "Côté syndical, la Confédération des salariés…"
            phrase = self.text[start:end]
        lowered = phrase.lower()
        if lowered in _PRONOUN_GENDER:
            self._resolve_pronoun(candidate, lowered, (start, end))
            return
        if lowered in ("ce dernier", "cette dernière"):
            # "Ce dernier a jugé…": the person mentioned last before it (within a few sentences).
            last = self.people.person_in(max(0, start - 400), start)
            if last is not None:
                self._set_speaker(candidate, (start, end), last, "pronoun", None)
                return
        titled_name = _TITLED_NAME.match(phrase)
        if titled_name and start > self.sentence_of(start)[0]:
            # "tranche Le Journal des Causses", "selon Le Parisien": a capitalised article inside a
            # sentence opens a name, here a publication or an organisation speaking as one.
            name = titled_name.group(0).strip()
            self.publications.append((start, name))
            self._set_speaker(candidate, (start, end), None, "organisation", name)
            return
        person = self.people.first_person_in(start, end)
        if person is not None and self._named_in_complement(person, start, end):
            # "Le directeur général de Brightline Learning, Daniel Hartmann": a later name may be it.
            later = min(
                (
                    (m_start, other)
                    for other in self.people.people
                    for m_start, m_end in other.mentions
                    if start <= m_start
                    and m_end <= end
                    and other is not person
                    and not self._inside_marks(m_start)
                    and re.search(r",\s*(?:(?:M\.|Mme|Me|Dr|le|la|l'|l’)\s*)?$", self.text[start:m_start])
                    and not self._named_in_complement(other, m_start, end)
                ),
                default=None,
                key=lambda found: found[0],
            )
            if later is not None:
                self._set_speaker(candidate, (start, end), later[1], "explicit", None)
                return
            person = None  # "Un élu proche de Xavier Delattre": someone else, unnamed
            if fold(lowered.split()[0]) in _INDEFINITE:
                self._set_speaker(candidate, (start, end), None, "unknown", self._descriptor(start, end))
                return
        # An apposition after the phrase names the person: "la porte-parole, Maria Zajarova,", "le
        # négociateur en chef de l'UE, Anders Holmqvist", "son coordinateur, le Bangladais Rafiq X".
        if person is None:
            tail = re.match(r"[^.;:«»“”\"]{0,60}?,\s*", self.text[end : end + 80])
            if tail:
                next_start = end + tail.end()
                candidate_person = self.people.first_person_in(next_start, next_start + 60)
                if candidate_person is not None and any(
                    next_start <= m <= next_start + 4
                    or re.fullmatch(r"(?:l'|le |la )\s*[A-ZÀ-Þ][\w-]+\s", self.text[next_start:m])
                    for m, _ in candidate_person.mentions
                ):
                    person = candidate_person
        joint = self._joint_speakers(person, start, end) if person is not None else None
        if joint is not None:
            # "Raphaël Garrigos et Isabelle Roberts ont écrit": one utterance, two speakers.
            self._set_speaker(candidate, (start, end), person, "explicit", None)
            candidate.speaker["name"] = joint
            return
        if person is not None:
            resolution = "explicit" if not re.match(r"^(m\.|mme|mlle|me|dr)\b", lowered) else "title"
            self._set_speaker(
                candidate, (start, end), person, "explicit" if resolution in ("explicit", "title") else resolution, None
            )
            return
        tokens = doc[self.token_index(start) : self.token_index(end)]
        determiner = next((t for t in tokens if t.pos_ == "DET"), None)
        if lowered in ("quelqu'un", "quelqu’un", "l'un", "l’un", "l'une", "l’une"):
            self._set_speaker(candidate, (start, end), None, "unknown", None)
            return
        head = next((t for t in tokens if t.pos_ == "NOUN"), None)
        propn = [t for t in tokens if t.pos_ == "PROPN"]
        if head is not None and fold(head.lemma_) in _NON_SPEAKER_HEADS:
            candidate.rejected = "said by a sign or banner"
            return
        org_mentions = self.people.organisation_mentions(start, end)
        org_entity = bool(org_mentions)
        indefinite = determiner is not None and determiner.lower_ in _INDEFINITE
        head_is_organisation = head is not None and fold(head.lemma_) in ORG_NOUNS
        # "un fonctionnaire de l'Assemblée" is a person, not the Assemblée.
        titled = re.search(r"[«“\"]\s*([^«»“”\"]{2,60}?)\s*(?:[»”\"]|$)", phrase)
        if head is not None and fold(head.lemma_) in _MEDIA_NOUNS and titled:
            # "Le magazine « Projections » a salué…": the publication speaks under its title.
            self._set_speaker(candidate, (start, end), None, "organisation", titled.group(1))
            return
        if head is not None and fold(head.lemma_) in _MEDIA_NOUNS and head.text[:1].islower():
            # "ironise le journal strasbourgeois": the publication last quoted by its name.
            named = [(at, name) for at, name in self.publications if at < start]
            opening = self.sentence_of(candidate.open_offset)[0]
            own = _OPENING_TITLE.match(self.text[opening : opening + 80])
            if own and opening < start:
                # "La Tribune alsacienne s'en amuse : « … », ironise le journal strasbourgeois".
                named.append((opening, own.group(0).strip()))
            if named:
                self._set_speaker(candidate, (start, end), None, "organisation", max(named)[1])
                return
        person_noun = (
            head is not None
            and not head_is_organisation
            and head.idx < min((at for at in org_mentions if at >= start), default=0)
            and any(t.lower_ in ("de", "du", "des", "d'", "d’") and t.i > head.i for t in tokens)
        )
        role = head is not None and fold(head.lemma_) in _PERSON_ROLE_HEADS and not head_is_organisation
        if role and determiner is not None and determiner.lower_ in ("le", "la", "l'", "l’", "ce", "cette"):
            # "Le ministre de la Défense", "le PDG de Renault": a person even when the parser's ORG
            # entity covers the whole phrase; the apposed name, else the person the article names.
            apposed = re.search(r",\s*((?:[A-ZÀ-ÖØ-Þ][\w'’.-]+\s?){2,4})\s*$", phrase)
            if apposed:
                named = self.people.person_named(apposed.group(1).strip(), start)
                self._set_speaker(
                    candidate, (start, end), named, "explicit", None if named else apposed.group(1).strip()
                )
                return
            person_noun = True
        if person_noun and determiner is not None and determiner.lower_ in ("le", "la", "l'", "l’", "ce", "cette"):
            # "Le porte-parole du Parti socialiste": a person, the organisation is only a complement.
            gender = _DET_GENDER.get(determiner.lower_) or _morph_gender(head)
            position = len(self.text) if start <= self.headline_end else start
            person = self.people.by_descriptor(head.lemma_, gender, position)
            if person is None and role:
                person = self.people.antecedent(position, gender, self.last_quoted)
            self._set_speaker(
                candidate, (start, end), person, "descriptor" if person else "unknown", self._descriptor(start, end)
            )
            return
        if head_is_organisation or (org_entity and not (indefinite and head is not None)):
            # The organisation's own noun phrase: not its apposition or relative clause.
            own = re.split(r"\s*[,(]\s*|\s+(?:qui|a|ont|avait|est)\b", phrase, maxsplit=1)[0]
            name = self.people.organisation(own, fold(head.lemma_) if head is not None else "", start)
            self._set_speaker(candidate, (start, end), None, "organisation", name)
            return
        acronym = _STRIP_DETERMINER.sub("", phrase).strip()
        if acronym in self.people.acronyms:
            self._set_speaker(candidate, (start, end), None, "organisation", self.people.acronyms[acronym])
            return
        place = next(
            (
                ent
                for ent in doc.ents
                if ent.label_ == "LOC" and ent.start_char <= start + 4 and ent.end_char >= end - 1
            ),
            None,
        )
        if place is not None and (head is None or head.pos_ == "PROPN"):
            # "Moscou a dénoncé", "Les Etats-Unis ont jugé": a capital or a country speaks for its government.
            self._set_speaker(candidate, (start, end), None, "organisation", _STRIP_DETERMINER.sub("", place.text))
            return
        if head is not None and fold(head.lemma_) in _CROWD_NOUNS:
            self._set_speaker(candidate, (start, end), None, "unknown", None)
            return
        if not _may_speak(tokens, head):
            # "lesquels", "ce week-end", "cette approche": not who spoke; the next rule answers.
            candidate.extras["speaker_rule"] = "not_a_speaker"
            previous = self._previous_speaker(candidate.open_offset)
            self._set_speaker(candidate, None, previous, "previous_speaker" if previous else "unknown", None)
            return
        if determiner is not None and determiner.lower_ in _INDEFINITE:
            # "renchérit une mère d'élève": the one introduced with that title, if any; else nobody named.
            person = self.people.by_descriptor(head.lemma_, None, start) if head is not None else None
            self._set_speaker(
                candidate, (start, end), person, "descriptor" if person else "unknown", self._descriptor(start, end)
            )
            return
        if head is not None:
            gender = _DET_GENDER.get(determiner.lower_) if determiner is not None else None
            gender = gender or _morph_gender(head)
            # A headline names people before the body introduces them: look through the whole text.
            position = len(self.text) if start <= self.headline_end else start
            person = self.people.by_descriptor(head.lemma_, gender, position)
            if (
                person is None
                and determiner is not None
                and determiner.lower_ in ("le", "la", "l'", "ce", "cette", "son", "sa")
            ):
                person = self.people.antecedent(position, gender, self.last_quoted)
                if person is not None:
                    # Learnt: "a expliqué la réalisatrice" makes her "la réalisatrice" from now on.
                    self.people.describe(person, head.lemma_)
            self._set_speaker(
                candidate, (start, end), person, "descriptor" if person else "unknown", self._descriptor(start, end)
            )
            return
        if propn:
            named = self.people.person_named(" ".join(t.text for t in propn), start)
            if named is not None:
                self._set_speaker(candidate, (start, end), named, "explicit", None)
            else:
                self._set_speaker(candidate, (start, end), None, "explicit", " ".join(t.text for t in propn))
            return
        self._set_speaker(candidate, (start, end), None, "unknown", None)

    def _joint_speakers(self, person: Person, start: int, end: int) -> str | None:
        """ "X et Y" as one subject, both people of the index: their names joined with "et"."""
        first = min((m for m in person.mentions if start <= m[0] and m[1] <= end), default=None)
        if first is None:
            return None
        joined = re.match(r"\s+et\s+(?:(?:M\.|Mme|Me|Dr)\s*)?", self.text[first[1] : end])
        if not joined:
            return None
        second = self.people.first_person_in(first[1] + joined.end(), end)
        if second is None or second is person:
            return None
        if not any(m[0] == first[1] + joined.end() for m in second.mentions):
            return None
        return f"{person.name} et {second.name}"

    def _descriptor(self, start: int, end: int) -> str | None:
        """An unnamed speaker as written (CONVENTIONS.md): "un proche du maire", "une source policière".

        The phrase's own words, without an apposition or a relative clause after them.
        """
        # The parse often stops the subject at its head: "un élu" of "un élu de la majorité".
        doc = self.doc
        i = self.token_index(end)
        if i < len(doc) and doc[i].lower_ in _COMPLEMENT_OPENERS and not self._inside_marks(doc[i].idx):
            stop = min(len(doc), i + 6)
            j = i + 1
            while j < stop and doc[j].pos_ in ("DET", "NOUN", "PROPN", "ADJ", "ADP") and not doc[j].is_punct:
                j += 1
            if j > i + 1 and doc[j - 1].pos_ in ("NOUN", "PROPN", "ADJ"):
                end = doc[j - 1].idx + len(doc[j - 1].text)
        phrase = re.split(r"\s*[,(]\s*|\s+(?:qui|que|dont)\b", self.text[start:end], maxsplit=1)[0]
        phrase = phrase.strip(" \n\t:;-–—")
        return phrase or None

    def _named_in_complement(self, person: Person, start: int, end: int) -> bool:
        """Whether ``person`` is named only as a complement of the phrase's head noun.

        "Un élu proche de Xavier Delattre" is not Xavier Delattre; "L'association Épargne
        Vigilance" (a name the NER may take for a person) is the association.
        """
        doc = self.doc
        mention = min(m for m in person.mentions if start <= m[0] < end)
        first = self.token_index(start)
        named = self.token_index(mention[0])
        if named - first <= 1 or doc[named - 1].text == ",":
            return False  # the name opens the phrase, or stands in apposition
        head = next((t for t in doc[first:named] if t.pos_ == "NOUN"), None)
        if head is None or named == first:
            return False
        if fold(head.lemma_) in ORG_NOUNS and all(t.pos_ in ("ADP", "DET", "NOUN") for t in doc[head.i + 1 : named]):
            return True  # "la direction du groupe Verdal", where the model took Verdal for a person
        # "Un élu proche de X", "l'avocate de Gérard Ollivier, Me Claire Hembert": not X.
        return doc[named - 1].lower_ in ("de", "d'", "d’") and doc[named - 2].pos_ in ("NOUN", "ADJ")

    def _set_speaker(
        self,
        candidate: _Candidate,
        where: tuple[int, int] | None,
        person: Person | None,
        resolution: str,
        name: str | None,
    ) -> None:
        candidate.person = person
        if person is not None:
            name = person.name
            self._remember(person)
            self.last_quoted[person.id] = max(self.last_quoted.get(person.id, -1), candidate.outer_end)
            self.last_source = None
        elif name and resolution in ("organisation", "unknown", "explicit") and where is not None:
            # A source that is no person of the index ("les syndicats", "Moody's", "un proche du
            # maire"): the next quote without a cue is theirs, not the last person's.
            self.last_source = (candidate.outer_end, name, where)
        candidate.speaker = {
            "text": self.text[where[0] : where[1]] if where else None,
            "start": where[0] if where else None,
            "end": where[1] if where else None,
            "name": name,
            "resolution": resolution,
        }

    def _remember(self, person: Person) -> None:
        if person in self.recent:
            self.recent.remove(person)
        self.recent.insert(0, person)

    def _match_headlines(self, candidates: list[_Candidate]) -> None:
        """A headline quote with no speaker takes the speaker of the body quote that repeats it."""
        body = [c for c in candidates if not c.headline and c.rejected is None and c.speaker]
        for candidate in candidates:
            if not candidate.extras.get("headline_unattributed") or candidate.rejected:
                continue
            words = {fold(w) for w in re.findall(r"\w+", self.text[candidate.start : candidate.end]) if len(w) > 2}
            best, best_score = None, 0.0
            for other in body:
                other_words = {fold(w) for w in re.findall(r"\w+", self.text[other.start : other.end])}
                score = len(words & other_words) / max(1, len(words))
                if score > best_score:
                    best, best_score = other, score
            if best is not None and best_score >= 0.5:
                candidate.person = best.person
                candidate.speaker = dict(best.speaker, text=None, start=None, end=None, resolution="headline_match")
                candidate.cue = None
            elif self._embedded(candidate) or len(self.text[candidate.start : candidate.end].split()) <= 4:
                # "Pêche : un accord « a minima » sur le cabillaud": a term in the headline.
                candidate.rejected = "headline term"
            else:
                candidate.speaker = {"text": None, "start": None, "end": None, "name": None, "resolution": "unknown"}

    # --- indirect speech ------------------------------------------------------------------

    def _indirect(self, marked: list[tuple[int, int]]) -> list[_Candidate]:
        """Reported speech without marks, one per sentence at most."""
        doc = self.doc
        candidates: list[_Candidate] = []
        marked_opens = [s for s, _ in marked]
        marked_ends = [e for _, e in marked]
        for sentence_start, sentence_end in self.sentences:
            first, last = self.token_index(sentence_start), self.token_index(sentence_end)
            tokens = doc[first:last]
            answers = ((name, rule(tokens, sentence_start, sentence_end)) for name, rule in self._indirect_rules)
            cue_rule, found = next(((name, found) for name, found in answers if found is not None), (None, None))
            if found is None:
                continue
            content_start, content_end, cue, subject = found
            while content_end > content_start and self.text[content_end - 1] in ".!?;: ":
                content_end -= 1
            if content_end - content_start < 12:
                continue
            # Marked spans are sorted and disjoint: only those opening before content_end and
            # closing after content_start can overlap it, found by bisection.
            low = bisect.bisect_right(marked_ends, content_start)
            high = bisect.bisect_left(marked_opens, content_end)
            near = marked[low:high]
            covered = sum(max(0, min(content_end, e) - max(content_start, s)) for s, e in near)
            early = content_start + 0.4 * (content_end - content_start)
            if covered > 0.3 * (content_end - content_start) or any(content_start <= s < early for s, _ in near):
                continue  # the words in marks are the quote; their cue is this verb
            candidate = _Candidate(
                content_start, content_end, content_start, content_end, marked=False, kind="indirect"
            )
            candidate.cue = cue
            candidate.extras["subject"] = subject
            candidate.extras["cue_rule"] = cue_rule
            candidates.append(candidate)
        return candidates

    def _attribute_indirect(self, candidate: _Candidate) -> None:
        subject = candidate.extras["subject"]
        same_sentence = self.last_marked
        if (
            subject is None
            and same_sentence is not None
            and same_sentence.speaker
            and self.sentence_of(same_sentence.outer_end) == self.sentence_of(candidate.start)
        ):
            # « … », a indiqué le club dans un communiqué, précisant que …: the same speaker.
            candidate.person = same_sentence.person
            candidate.speaker = dict(same_sentence.speaker)
            return
        if subject is None:
            previous = self._previous_speaker(candidate.open_offset)
            self._set_speaker(candidate, None, previous, "previous_speaker" if previous else "unknown", None)
        elif isinstance(subject, str):
            self._resolve_pronoun(candidate, subject, None)
            candidate.speaker["text"] = subject
        else:
            self._resolve_phrase(candidate, *subject)

    def _candidates(self, indices: list[int], tokens):
        """The tokens of the span ``tokens`` whose index is in the sorted list ``indices``."""
        low, high = bisect.bisect_left(indices, tokens.start), bisect.bisect_left(indices, tokens.end)
        return (self.doc[i] for i in indices[low:high])

    def _indirect_que(self, tokens, sentence_start: int, sentence_end: int):
        for token in self._candidates(self._cue_tokens, tokens):
            if self._inside_marks(token.idx):
                continue
            lemma, after = self._verb_lemma(token.i)
            if lemma is None or not self.lexicon.is_indirect(lemma):
                continue
            j = after
            while j < len(self.doc) and j - after < 4 and self.doc[j].lower_ not in ("que", "qu'", "qu"):
                if self.doc[j].pos_ in ("VERB", "PUNCT") and self.doc[j].text != ",":
                    break
                j += 1
            if j >= len(self.doc) or self.doc[j].lower_ not in ("que", "qu'", "qu") or self.doc[j].idx >= sentence_end:
                continue
            if j > after and self.doc[j].dep_ in ("obj", "nsubj") and self.doc[j - 1].pos_ in ("NOUN", "PROPN"):
                continue  # a relative pronoun after the verb's object: "écrire des choses que l'on regrettera"
            if self._negated(token.i):
                return None
            subject = self._subject_of(token.i)
            content_start = self.doc[j].idx + len(self.doc[j].text)
            while content_start < sentence_end and self.text[content_start] == " ":
                content_start += 1
            return content_start, sentence_end, lemma, subject
        return None

    @property
    def _indirect_rules(self):
        """The indirect-speech rules in order, each named for the trace; the first that answers wins."""
        return (
            ("cue_indirect_que", self._indirect_que),
            ("cue_indirect_infinitive", self._indirect_infinitive),
            ("cue_indirect_selon", self._indirect_selon),
            ("cue_indirect_pour", self._indirect_pour),
            ("cue_indirect_postposed", self._indirect_postposed),
        )

    def _indirect_infinitive(self, tokens, sentence_start: int, sentence_end: int):
        """An infinitival complement of a verb of saying: "X a affirmé ne pas avoir vu…",
        "X promet d'assainir…", "X a annoncé, mardi, avoir déposé plainte", "X demande au
        gouvernement d'annuler…". The content runs from the infinitive (its negation included) to
        the end of the sentence."""
        doc = self.doc
        for token in self._candidates(self._cue_tokens, tokens):
            if token.pos_ not in ("VERB", "AUX") or self._inside_marks(token.idx):
                continue
            lemma, after = self._verb_lemma(token.i)
            if lemma not in _INFINITIVE_CUES or "VerbForm=Inf" in str(token.morph):
                continue
            j, limit = after, min(len(doc), after + 10)
            if j < limit and doc[j].text == ",":
                # A short incise between the verb and its complement: "a annoncé, mardi matin, avoir".
                close = next((k for k in range(j + 1, min(limit, j + 6)) if doc[k].text == ","), None)
                j = close + 1 if close is not None else j
            while j < limit and (
                doc[j].is_space
                or (doc[j].pos_ == "ADV" and doc[j].lower_ not in ("ne", "n'"))
                or doc[j].lower_ in _TIME_HEADS  # "a affirmé vendredi avoir…", "mardi matin"
            ):
                j += 1
            if j < limit and lemma == "accuser":
                # "a accusé Pékin de manipuler": the accused before "de".
                j = next((k for k in range(j, min(limit, j + 5)) if doc[k].lower_ in ("de", "d'", "d’")), limit)
            if j < limit and doc[j].lower_ in ("à", "au", "aux") and lemma in _OBJECT_INFINITIVE_CUES:
                # "demande au gouvernement d'annuler": the addressee before "de".
                j = next((k for k in range(j + 1, min(limit, j + 5)) if doc[k].lower_ in ("de", "d'", "d’")), limit)
            if j < limit and doc[j].lower_ in ("de", "d'", "d’"):
                j += 1
            start = j
            while j < limit and (doc[j].lower_ in ("ne", "n'", "n’") or doc[j].lower_ in _NEGATIONS):
                j += 1
            if j >= limit or doc[j].pos_ not in ("VERB", "AUX") or "VerbForm=Inf" not in str(doc[j].morph):
                continue
            if doc[j].idx >= sentence_end or self._negated(token.i):
                continue
            return doc[start].idx, sentence_end, lemma, self._subject_of(token.i)
        return None

    def _indirect_pour(self, tokens, sentence_start: int, sentence_end: int):
        """ "Pour X, content.": X must be able to speak (a person, group, organisation, document)."""
        doc = self.doc
        first = next((t for t in tokens if not t.is_space), None)
        if first is None or first.lower_ != "pour" or first.i + 1 >= len(doc):
            return None
        np_end = self._np_end(first.i + 1, sentence_end)
        if np_end <= first.i + 1 or np_end >= len(doc) or doc[np_end].text != ",":
            return None
        phrase = doc[first.i + 1 : np_end]
        head = next((t for t in phrase if t.pos_ == "NOUN"), None)
        named = any(t.pos_ == "PROPN" for t in phrase) or self.people.first_person_in(
            phrase[0].idx, phrase[-1].idx + len(phrase[-1].text)
        )
        if phrase[0].pos_ == "NUM" or (not named and (head is None or not _may_speak(phrase, head))):
            return None
        if head is not None and fold(head.lemma_) in _NOT_SPEAKING_AFTER_POUR:
            return None
        subject = (phrase[0].idx, phrase[-1].idx + len(phrase[-1].text))
        content_start = doc[np_end].idx + 1
        while content_start < sentence_end and self.text[content_start].isspace():
            content_start += 1
        return content_start, sentence_end, "pour", subject

    def _indirect_postposed(self, tokens, sentence_start: int, sentence_end: int):
        """Content first, then its source after a comma: "…, a estimé Ben Bernanke.", "…, rapporte
        le Guardian", "…, estime le rapport", "…, a-t-il affirmé". The content is a clause (it
        holds a verb) and runs from the sentence start to that comma."""
        doc = self.doc
        for token in tokens:
            if token.text != "," or self._inside_marks(token.idx) or token.idx - sentence_start < 12:
                continue
            cue = self._cue_after(token.idx, sentence_end, inside=True)
            if cue is None or (cue.subject_start is None and cue.pronoun is None):
                continue
            if not self.lexicon.is_indirect(cue.lemma) and cue.lemma not in ("ajouter", "poursuivre", "rapporter"):
                continue
            if cue.pronoun is None:
                rest = self.text[cue.subject_end : sentence_end]
                if not re.match(r"[^,;.!?«»]{0,40}(?:[,;(]|[.!?]?\s*$)", rest):
                    continue  # "…, a annoncé le rappel de ses fromages": an object, not a subject
            content = doc[self.token_index(sentence_start) : token.i]
            if not any(_main_clause_verb(t) for t in content):
                # "Les coopératives, qui regroupent 320 éleveurs, ont annoncé…": the words before
                # the comma are the verb's own subject, not a clause it reports.
                return None
            subject = cue.pronoun if cue.pronoun else (cue.subject_start, cue.subject_end)
            return sentence_start, token.idx, cue.lemma, subject
        return None

    def _selon_relative(self, token, sentence_end: int):
        """ "Les explications américaines, selon lesquelles ce satellite présente un danger": the
        content after the relative pronoun, to the sentence end, and the noun it refers to."""
        doc = self.doc
        i = token.i
        if i + 2 >= len(doc) or fold(doc[i + 1].text) not in ("lequel", "laquelle", "lesquels", "lesquelles"):
            return None
        k = i - 1
        while k >= 0 and (doc[k].is_space or doc[k].text == ","):
            k -= 1
        if k < 0 or doc[k].pos_ not in ("NOUN", "PROPN", "ADJ") or doc[k].lemma_.lower() in _TIME_HEADS:
            return None
        start = doc[i + 2].idx
        return (start, sentence_end, doc[k]) if sentence_end - start >= 12 else None

    def _indirect_selon(self, tokens, sentence_start: int, sentence_end: int):
        text = self.text
        for token in self._candidates(self._selon_tokens, tokens):
            lower = token.lower_
            if lower == "après" and not _is_dapres(self.doc, token.i):
                continue
            if self._inside_marks(token.idx):
                continue
            cue = "selon" if lower == "selon" else "d'après"
            relative = self._selon_relative(token, sentence_end)
            if relative is not None:
                return relative[0], relative[1], cue, self._phrase_span(relative[2])
            np_end = self._np_end(token.i + 1, sentence_end)
            if np_end <= token.i + 1:
                continue
            subject = (self.doc[token.i + 1].idx, self.doc[np_end - 1].idx + len(self.doc[np_end - 1].text))
            head = next((t for t in self.doc[token.i + 1 : np_end] if t.pos_ in ("NOUN", "PROPN", "PRON")), None)
            if head is None or fold(head.lemma_) in (
                "chiffre",
                "information",
                "sondage",
                "donnee",
                "estimation",
                "calcul",
                "bilan",
                "projection",
                "modele",
                "prevision",
                "regle",
                "loi",
                "article",
                "principe",
                "moi",
                "nous",
            ):
                continue
            after_np = subject[1]
            cue_start = self.doc[token.i - 1].idx if token.lower_ == "après" else token.idx
            if cue_start - sentence_start <= 1:
                # "Selon X, content."
                rest = re.match(r"\s*,\s*", text[after_np:sentence_end])
                if not rest:
                    continue
                return after_np + rest.end(), sentence_end, cue, subject
            # "content, selon X." (or "content, selon X, content")
            before = text[sentence_start:cue_start].rstrip(" ,")
            if len(before) < 12:
                continue
            return sentence_start, sentence_start + len(before), cue, subject
        return None

    # --- output ---------------------------------------------------------------------------

    def _quote(self, candidate: _Candidate) -> Quote:
        speaker = candidate.speaker or {"text": None, "start": None, "end": None, "name": None, "resolution": "unknown"}
        return Quote(
            text=self.text[candidate.start : candidate.end],
            start=candidate.start,
            end=candidate.end,
            kind=candidate.kind if not candidate.answer else "direct",
            cue=candidate.cue,
            speaker=dict(speaker, entity_id=self.people.entity_id(candidate.person, speaker)),
        )
