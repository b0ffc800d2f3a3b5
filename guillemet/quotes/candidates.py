"""Candidate finders: the spans that may be quotations, before any rule decides on them.

- ``find_interview``: interview answers (paragraphs opened by a dash, "R :" or "Name :"), and the
  interviewer's questions, which are never quotes;
- ``split_interrupted``: each span in marks (``marks.find_marked_spans``), split in two where a cue
  interrupts it (« …, explique X, … »);
- ``find_indirect``: reported speech without marks (que-clauses, selon / d'après);
- ``classify_kind``: whether a span in marks is a direct quote or a fragment.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from guillemet.gender import role_nouns
from guillemet.mentions import ORG_NOUNS
from guillemet.quotes.context import ArticleContext
from guillemet.quotes.cues import SELON_NON_SPEAKERS, find_cue_after
from guillemet.quotes.grammar import (
    NEGATIONS,
    is_dapres,
    main_clause_verb,
    narrator_cue,
    negated,
    np_end,
    phrase_span,
    reflexive_before,
    subject_of,
    verb_lemma,
)
from guillemet.quotes.lexicon import fold
from guillemet.quotes.marks import MarkedSpan
from guillemet.quotes.people import Person
from guillemet.quotes.speakers import TIME_HEADS, may_speak
from guillemet.quotes.types import Candidate, QuoteKind, Resolution, Speaker

_DASHES = ("— ", "– ", "- ", "—", "–")
_QUESTION_PREFIX = re.compile(r"^(?:Q|Question|Questions)\s*[:.-]\s*", re.IGNORECASE)
_ANSWER_PREFIX = re.compile(r"^(?:R|Réponse)\s*[:.-]\s*")
_NAME_PREFIX = re.compile(r"^((?:[A-ZÀ-ÖØ-Þ][\w'.-]*\s?){1,4})\s*:\s+(?=\S)")
# Verbs of saying whose infinitival complement is reported speech ("a affirmé être…").
_INFINITIVE_CUES = frozenset(
    "dire affirmer assurer annoncer promettre déclarer reconnaître nier démentir prétendre jurer "
    "recommander demander certifier garantir confirmer admettre avouer espérer proposer menacer "
    "estimer répéter réitérer s'engager préconiser exiger réclamer suggérer accuser".split()
) | {"se dire"}
# Verbs of judgement whose small clause is reported speech: "juge inéluctable une hausse", "estime
# indispensable d'autoriser …", "s'est dit prêt à …".
_ATTRIBUTE_CUES = frozenset(("estimer", "juger", "considérer", "croire", "se dire"))
_MARK_CHARS = '«»"“”'
_OBJECT_INFINITIVE_CUES = frozenset("demander recommander proposer suggérer promettre".split())
# Verbs of calling whose addressee, a direct object, comes before "à" and the infinitive called for:
# "appelle les parties à prendre …", "exhorte Moscou à négocier", "invite les habitants à rester".
_CALL_CUES = frozenset("appeler exhorter inviter".split())
# The longest direct object (in tokens) between a verb of calling and its "à".
_CALL_OBJECT_TOKENS = 8
# A list item that goes on a call or a recommendation ended by a colon: its enumerator ("1-", "2)",
# "•", "- ") then an infinitive in lower case ("1-prendre en considération …"), read from the text
# since the tokenizer glues "1-prendre" into one token.
_LIST_INFINITIVE = re.compile(r"\s*(?:\d{1,2}\s*[-–).]|[-–•*·])\s*(?=[a-zàâçéèêëîïôûù]+(?:er|ir|re|oir)\b)")
# "Pour X, …" where X names a purpose or a time, not a source.
_NOT_SPEAKING_AFTER_POUR = frozenset("fois cas moment instant heure annee mois semaine jour part reste".split())
# "Pour X, …" speaks when X's head is one of these (besides role_nouns.txt and ORG_NOUNS): groups,
# crowds, the media and written sources that hold a view.
_POUR_SOURCE_HEADS = frozenset(
    """opposition majorite minorite population delegation redaction defense accusation coalition
    communaute profession famille proche entourage camp partisan adversaire detracteur defenseur
    specialiste analyste economiste observateur spectateur lecteur utilisateur usager consommateur
    citoyen electeur francais habitant riverain manifestant gens patron employeur syndicat
    journal quotidien magazine presse media rapport etude auteur signataire source""".split()
)
# Person endings for the nouns the lists lack ("sociologue", "pharmacienne"), as gender.py reads them.
_PERSON_ENDINGS = ("iste", "logue", "trice", "euse", "ienne", "ien")
# The longest adverbial before "selon X, content" ("En sens inverse, selon …"); a quote in marks
# there is the content of its own (« … », selon un proche, X se montre redoutable).
_SELON_ADVERBIAL_CHARS = 40
# How far (in tokens) the comma closing an incise between a verb and "que" may be.
_QUE_INCISE_TOKENS = 10
# How far (in tokens) "que" may follow its verb after an adjunct opened by a preposition.
_QUE_ADJUNCT_TOKENS = 8
_ADJUNCT_POS = frozenset(("ADP", "DET", "NOUN", "PROPN", "ADJ"))
# A clause whose marked words cover more than this share of it is the marked quote's.
_CLAUSE_MARKED_SHARE = 0.7
# An indirect clause shorter than this is no quotation ("il a dit que oui").
INDIRECT_MIN_CHARS = 12
# Nouns after selon / d'après that name a source of figures or a rule, not a speaker.
_SELON_NON_SPEAKERS = SELON_NON_SPEAKERS
# (content start, content end, cue lemma, subject: a char span, a pronoun, or None)
IndirectFound = tuple[int, int, str, "tuple[int, int] | str | None"]


@dataclass(frozen=True)
class Interview:
    """What the interview layout gives: the answers, the interviewer's paragraphs, the interviewee."""

    answers: list[Candidate] = field(default_factory=list)
    questions: list[tuple[int, int]] = field(default_factory=list)
    interviewee: Person | None = None

    def question_spans(self, ctx: ArticleContext) -> list[tuple[int, int]]:
        """The paragraphs where quotes in marks are the interviewer's words (none without answers)."""
        return _question_paragraphs(ctx) + self.questions if self.answers else []


# "— Elon Musk (@elonmusk) March 16, 2020": an embedded post's signature, no interview turn.
_POST_SIGNATURE = re.compile(r"^\s*[—–-]\s*[^\n]{1,60}\(@\w+\)")


def _dashed(paragraph: str) -> bool:
    """Whether a paragraph opens with a dash as an interview turn does (a post's signature does not).

    Example: "— Nous continuerons." (a turn) / "— Paul Durand (@pdurand) 3 mars 2021" (not one).
    """
    return paragraph.startswith(_DASHES) and not _POST_SIGNATURE.match(paragraph)


def find_interview(ctx: ArticleContext) -> Interview:
    """Interview answers: paragraphs opened by a dash or by "Name :" / "R :".

    Two layouts are told apart: undashed questions each followed by a dashed answer, and every
    turn dashed (turns alternate from a first question). "Propos recueillis par …" is no answer.
    Example: "Que ferez-vous ?" then "— Nous continuerons." (the second paragraph, by the interviewee).
    """
    dash_paragraphs = [p for p in ctx.paragraphs if _dashed(ctx.text[p[0] : p[1]])]
    name_paragraphs = {p for p in ctx.paragraphs if _NAME_PREFIX.match(ctx.text[p[0] : p[1]])}
    question_paragraphs = [p for p in ctx.paragraphs if _QUESTION_PREFIX.match(ctx.text[p[0] : p[1]])]
    if len(dash_paragraphs) < 2 and len(question_paragraphs) < 2:
        return Interview()
    person_interviewed = interviewee(ctx)
    answers: list[Candidate] = []
    questions: list[tuple[int, int]] = []
    previous_was_answer = False
    body = [(s, e) for s, e in ctx.paragraphs if e > s and s > ctx.headline_end]
    dashed = [_dashed(ctx.text[s:e]) for s, e in body]
    # Two layouts: undashed questions each followed by a dashed answer, or every turn dashed.
    undashed_questions = any(
        not dashed[k] and dashed[k + 1] and ctx.text[s:e].rstrip().endswith("?") for k, (s, e) in enumerate(body[:-1])
    )
    followed_by_dash = {body[k][0] for k in range(len(body) - 1) if dashed[k + 1]}
    turn = 0  # in the all-dashed layout, turns alternate from a first question
    all_dashed = not undashed_questions and bool(body) and any(dashed)
    for start, end in ctx.paragraphs:
        paragraph = ctx.text[start:end]
        if not paragraph.strip() or start <= ctx.headline_end:
            previous_was_answer = False
            continue
        stripped = paragraph.rstrip()
        if paragraph.startswith("Propos recueillis") or _POST_SIGNATURE.match(paragraph):
            previous_was_answer = False
            continue
        if undashed_questions and not paragraph.startswith(_DASHES) and start in followed_by_dash:
            previous_was_answer = False  # "Vous avez deux enfants. Comment vivent-ils… ?"
            questions.append((start, end))
            continue
        if all_dashed and paragraph.startswith(_DASHES):
            turn += 1
            if turn == 1 and not stripped.endswith("?"):
                all_dashed = False  # no interview turns: dashes as list items or answers only
            elif turn % 2 == 1:
                previous_was_answer = False  # "— Vous avez failli arrêter en 2022…": the question
                questions.append((start, end))
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
        elif previous_was_answer and start not in ctx.span_opens and not _has_cue(ctx, start, end):
            prefix = 0
        if prefix is None:
            previous_was_answer = False
            continue
        candidate = Candidate(start + prefix, end, start, end, marked=False, answer=True)
        candidate.cue_rule = "cue_interview_name" if speaker_name else "cue_interview_answer"
        person = ctx.people.person_named(speaker_name, start) if speaker_name else person_interviewed
        candidate.cue = ":" if speaker_name else None
        candidate.person = person
        if prefix == 0:
            resolution = Resolution.PREVIOUS_SPEAKER  # an undashed paragraph continuing an answer
        elif speaker_name:
            resolution = Resolution.EXPLICIT
        else:
            resolution = Resolution.INTERVIEWEE if person else Resolution.UNKNOWN
        name = person.name if person else speaker_name
        candidate.speaker = Speaker(text=speaker_name, name=name, resolution=resolution)
        answers.append(candidate)
        previous_was_answer = True
    return Interview(answers, questions, person_interviewed)


def _question_paragraphs(ctx: ArticleContext) -> list[tuple[int, int]]:
    """In an interview, the interviewer's paragraphs: "Question :" lines and questions."""
    found = []
    for start, end in ctx.paragraphs:
        paragraph = ctx.text[start:end].strip()
        if start > ctx.headline_end and (_QUESTION_PREFIX.match(paragraph) or paragraph.endswith("?")):
            found.append((start, end))
    return found


def interviewee(ctx: ArticleContext) -> Person | None:
    """The person most introduced before the first dash or question: whom the interview is with."""
    first_dash = next(
        (s for s, e in ctx.paragraphs if ctx.text[s:e].startswith(_DASHES) or _QUESTION_PREFIX.match(ctx.text[s:e])),
        len(ctx.text),
    )
    counts = []
    for person in ctx.people.people:
        intro = sum(1 for m_start, _ in person.mentions if m_start < first_dash)
        if intro:
            counts.append((intro, len(person.tokens), len(person.mentions), person))
    if not counts:
        return None
    return max(counts, key=lambda c: (c[0], c[1], c[2]))[3]


def _has_cue(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether a paragraph holds an inverted clitic (a-t-il, dit-elle): its own cue, no answer."""
    for token in ctx.doc[ctx.token_index(start) : ctx.token_index(end)]:
        if token.text.startswith("-") and token.lower_ in ("-il", "-elle", "-t"):
            return True
    return False


def split_interrupted(ctx: ArticleContext, span: MarkedSpan) -> list[Candidate]:
    """A span in marks as candidates: « Q1, explique X, Q2 » gives two, with the cue between them.

    Example: « Nous irons, explique la maire, jusqu'au bout » → "Nous irons", "jusqu'au bout".
    """
    whole = Candidate(span.start, span.end, span.open_offset, span.outer_end)
    whole.headline = span.start <= ctx.headline_end
    text = ctx.text
    for match in re.finditer(r",\s+", text[span.start : span.end]):
        comma = span.start + match.start()
        cue = find_cue_after(ctx, comma, span.end, inside=True)
        if cue is None or cue.subject_end is None and cue.pronoun is None:
            continue
        if not incise_verb(ctx, comma, cue):
            continue
        second_start = incise_end(ctx, cue.subject_end or cue.verb_end, span.end)
        if second_start is None:
            continue
        if span.end - second_start < 3 or comma - span.start < 3:
            continue
        first = Candidate(span.start, comma, span.open_offset, comma)
        first.incise = cue
        second = Candidate(second_start, span.end, second_start, span.outer_end, follows_incise=True)
        second.incise = cue
        first.headline = second.headline = whole.headline
        return [first, second]
    return [whole]


# "c'est-à-dire", "pour ainsi dire", "autrement dit", "soit dit en passant": "dire" in a set phrase.
_SET_PHRASE_DIRE = re.compile(r"\s*(?:c['’]est[- ]à[- ]dire|pour ainsi dire|autrement dit|soit dit)\b", re.IGNORECASE)


def incise_verb(ctx: ArticleContext, comma: int, cue) -> bool:
    """Whether the verb after a comma inside marks can be an incise: a third-person verb (the
    reporter speaks of the speaker), finite or a participle after its auxiliary or before an
    inverted pronoun. "…, nous soutenons cette approche" and "la Grèce, notée Caa1, …" go on
    with the quote.

    Example: « Nous irons, explique la maire, jusqu'au bout » (an incise) / « Nous irons, nous
    aussi, et nous restons, nous le promettons » / « Celles-ci, c'est-à-dire les études, … » (none).
    """
    doc = ctx.doc
    first, verb = ctx.token_index(comma + 1), ctx.token_index(cue.verb_start)
    tokens = doc[first : verb + 1]
    if _SET_PHRASE_DIRE.match(ctx.text, comma + 1, cue.verb_end + 1):
        return False  # "…, c'est-à-dire ses effets, …": a gloss, not an incise
    if any(t.morph.get("Person") in (["1"], ["2"]) for t in tokens if t.pos_ in ("VERB", "AUX")):
        return False
    if doc[verb].morph.get("VerbForm") == ["Part"] and cue.pronoun is None:
        return any(t.pos_ == "AUX" or t.lower_ in ("a", "ont", "avait", "est") for t in tokens[:-1])
    return True


def incise_end(ctx: ArticleContext, position: int, limit: int) -> int | None:
    """Where the quote resumes after an incise ending at ``position``.

    "…, a déclaré le maire, Bernard Quissac, en ouvrant la séance. Trois cents…": past an
    apposed name and a short adjunct, up to the next comma or sentence end.
    """
    text = ctx.text
    rest = re.match(r"\s*,\s*", text[position:limit])
    if rest:
        resumed = position + rest.end()
        person = ctx.people.person_in(resumed, min(limit, resumed + 60))
        mention = next(((a, b) for p in [person] if p for a, b in p.mentions if a == resumed), None)
        if mention is None:
            return resumed
        position = mention[1]
    adjunct = re.match(r"[^.,;!?«»]{0,80}?[.,;!?]\s+", text[position:limit])
    return position + adjunct.end() if adjunct else None


def find_indirect(ctx: ArticleContext, marked: list[tuple[int, int]]) -> list[Candidate]:
    """Reported speech without marks, each finder's clause once per sentence (headlines included).

    The finders of ``INDIRECT_RULES``, in order: a que-clause after a reporting verb of the lexicon,
    an infinitival complement, a small clause, selon / d'après, "Pour X, …", a source after its
    content, a source one learns from. A clause mostly in marks, or opening with marks, is left to the
    marked quote. A later finder's clause that overlaps an earlier one's is cut at the last comma
    before it, else dropped: "X a affirmé avoir gagné, après un discours de Y jugeant que …" gives
    X's infinitive and Y's que-clause.
    """
    doc = ctx.doc
    candidates: list[Candidate] = []
    marked_opens = [s for s, _ in marked]
    marked_ends = [e for _, e in marked]
    for sentence_start, sentence_end in ctx.sentences:
        first, last = ctx.token_index(sentence_start), ctx.token_index(sentence_end)
        tokens = doc[first:last]
        accepted: list[tuple[str, tuple]] = []
        for rule in INDIRECT_RULES:
            # The next finder is asked when a finder's clause is too short or is the marked quote's.
            found = rule(ctx, tokens, sentence_start, sentence_end)
            if found is None:
                continue
            found, framed = _beside(ctx, found, [kept for _, kept in accepted], rule in _CLAUSE_FIRST_RULES)
            if found is not None and (
                kept := _kept_content(ctx, found, marked, marked_opens, marked_ends, rule in _CLAUSE_FIRST_RULES)
            ):
                accepted = [(name, framed.get(k, clause)) for k, (name, clause) in enumerate(accepted)]
                accepted.append((rule.__name__, kept))
        for cue_rule, (content_start, content_end, cue, subject) in sorted(accepted, key=lambda a: a[1][0]):
            spans = [(content_start, content_end)]
            if cue_rule == "cue_indirect_infinitive":
                spans += list_items(ctx, content_end, sentence_end)
            for start, end in spans:
                candidate = Candidate(start, end, start, end, marked=False, kind=QuoteKind.INDIRECT)
                candidate.cue = cue
                candidate.subject = subject
                candidate.cue_rule = cue_rule
                candidates.append(candidate)
    return candidates


def _beside(
    ctx: ArticleContext, found: IndirectFound, accepted: list[IndirectFound], may_cut: bool
) -> tuple[IndirectFound | None, dict[int, IndirectFound]]:
    """A finder's clause as it may stand beside the clauses already taken in its sentence, and the
    clauses taken that it cuts (by their index).

    Whole when it overlaps none. A clause after its cue (``may_cut``) is cut at its last comma
    before the first one it runs into. A clause after its cue that starts inside one taken, its cue
    inside too, is speech reported within that speech when its cue has a subject of its own there
    ("Il rappelle que le pays avait appelé Moscou à négocier": both), else a second cue of the same
    speaker that ends the clause taken ("… a indiqué le maire, précisant qu'une alerte restait en
    vigueur et demandant aux habitants de rester chez eux": two clauses). Content before its source,
    beside a clause taken, must come before it, hold a finite verb and leave a verb between them:
    else it is that clause's frame ("Elle a ajouté, selon son entourage, qu'elle …", "Le club, le
    Cercle nautique, a fait savoir qu'il …"); but a source after the clause taken reports it with its
    frame ("X considère que …, a déclaré son porte-parole": the clause ends at that comma, and the
    whole sentence is the porte-parole's).
    """
    start, end, cue, subject = found
    framed: dict[int, IndirectFound] = {}
    for index, (other_start, other_end, other_cue, other_subject) in enumerate(accepted):
        if not may_cut and start < other_start < end < other_end:
            if end - other_start < INDIRECT_MIN_CHARS:
                return None, {}
            framed[index] = (other_start, end, other_cue, other_subject)  # "…, a déclaré Y": nested
            continue
        if not may_cut and not (
            end <= other_start and _finite_verb(ctx, start, end) and _has_verb(ctx, end, other_start)
        ):
            return None, {}  # "Elle a ajouté, selon son entourage, qu'elle …": the frame of the clause taken
        if start >= other_end or end <= other_start:
            continue
        if start > other_start and may_cut:
            inner = _inner_cue(ctx, other_start, start, cue)
            if inner is None:
                return None, {}
            if inner[1] is None:
                if isinstance(subject, tuple) and other_start <= subject[0] < start:
                    continue  # speech reported within the clause taken: both count
                return None, {}
            if inner[1] - other_start < INDIRECT_MIN_CHARS:
                return None, {}
            framed[index] = (other_start, inner[1], other_cue, other_subject)
            subject = other_subject  # "a précisé que … et a demandé de …": the same speaker
            continue
        if start >= other_start or not may_cut:
            return None, {}
        comma = ctx.text.rfind(",", start, other_start)
        if comma < 0 or isinstance(subject, tuple) and subject[0] >= comma:
            return None, {}
        end = comma
    return (start, end, cue, subject), framed


def _inner_cue(ctx: ArticleContext, clause_start: int, content_start: int, lemma: str):
    """The cue verb of a clause that starts inside another, between that clause's start and its
    own content, and where the clause before it ends: at the comma or "et" just before the verb
    ("…, précisant que", "… et a demandé aux habitants de": a cue coordinated with the clause's
    own, of its subject), None when neither stands there (a verb with its own subject: "que le pays
    avait appelé …"). Returns None when no verb of ``lemma`` stands there."""
    doc = ctx.doc
    first, last = ctx.token_index(clause_start), ctx.token_index(content_start)
    verb = next((t for t in reversed(doc[first:last]) if t.lemma_ == lemma or lemma.endswith(t.lemma_)), None)
    if verb is None:
        return None
    k = verb.i - 1
    while k >= first and (doc[k].pos_ in ("AUX", "ADV", "PRON") or doc[k].lower_ in ("en", "tout", "ne", "n'")):
        k -= 1  # "et en demandant", "tout en appelant", "et lui a demandé"
    if k >= first and (doc[k].text == "," or doc[k].lower_ == "et"):
        boundary = doc[k].idx
        while boundary > clause_start and ctx.text[boundary - 1] in " ,":
            boundary -= 1
        return verb, boundary
    return verb, None


def _kept_content(ctx: ArticleContext, found: IndirectFound, marked, marked_opens, marked_ends, after_cue: bool):
    """A finder's clause without its closing punctuation, or None when it is too short or mostly in
    marks, or opens with marks (the words in marks are the quote; their cue is this verb).

    A clause that follows its cue (``after_cue``) and holds its own finite verb before the marks
    keeps marked words up to ``_CLAUSE_MARKED_SHARE`` of it: "a assuré qu'il n'y aurait « aucun
    désengagement » de l'Etat" is the clause, the marks one fragment of it."""
    content_start, content_end, cue, subject = found
    colon = after_cue and re.search(r"\s:\s*[«\"“]", ctx.text[content_start:content_end])
    if colon:
        content_end = content_start + colon.start()  # "… que X s'apaise : « Elles … »": a new utterance
    while content_end > content_start and ctx.text[content_end - 1] in ".!?;: ":
        content_end -= 1
    if content_end - content_start < INDIRECT_MIN_CHARS:
        return None
    # Marked spans are sorted and disjoint: only those opening before content_end and
    # closing after content_start can overlap it, found by bisection.
    low = bisect.bisect_right(marked_ends, content_start)
    high = bisect.bisect_left(marked_opens, content_end)
    near = marked[low:high]
    covered = sum(max(0, min(content_end, e) - max(content_start, s)) for s, e in near)
    if near and not (after_cue and _clause_before_marks(ctx, content_start, near[0][0])):
        # No verb of the clause's own before the marks: the words in marks are the quote.
        early = content_start + 0.4 * (content_end - content_start)
        if covered > 0.3 * (content_end - content_start) or any(content_start <= s < early for s, _ in near):
            return None
    if covered > _CLAUSE_MARKED_SHARE * (content_end - content_start):
        return None
    return content_start, content_end, cue, subject


def _clause_before_marks(ctx: ArticleContext, start: int, mark: int) -> bool:
    """Whether the clause's own finite verb stands between its start and its first marks, on one line:
    "il n'y aurait « aucun désengagement » de l'Etat" (the marks are a fragment of the clause)."""
    if mark <= start or "\n" in ctx.text[start:mark]:
        return False
    tokens = ctx.doc[ctx.token_index(start) : ctx.token_index(mark)]
    return any(t.pos_ in ("VERB", "AUX") and "VerbForm=Fin" in str(t.morph) for t in tokens)


def cue_indirect_que(ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int) -> IndirectFound | None:
    """A que-clause after a reporting verb of the lexicon that takes one (its ``indirect`` column).

    Example: "Le maire a assuré que les travaux commenceraient en mai." → "les travaux commenceraient
    en mai", cue assurer, subject "Le maire". A negated verb gives nothing (il n'a pas dit que …).
    """
    for token in ctx.tokens_among(ctx.cue_tokens, tokens):
        if ctx.inside_marks(token.idx):
            continue
        lemma, after = verb_lemma(ctx, token.i)
        if lemma is None or not ctx.lexicon.is_indirect(lemma):
            continue
        j = after
        if j < len(ctx.doc) and ctx.doc[j].text == ",":
            # An incise between the verb and "que": "Elle a ajouté, selon son entourage, qu'elle…".
            close = next(
                (k for k in range(j + 1, min(len(ctx.doc), j + _QUE_INCISE_TOKENS)) if ctx.doc[k].text == ","), None
            )
            if close is not None and close + 1 < len(ctx.doc) and ctx.doc[close + 1].lower_ in ("que", "qu'", "qu"):
                j = after = close + 1
        # Up to four words before "que" ("a assuré mardi à la presse que"), or a longer adjunct
        # opened by a preposition, a title in marks included ("explique dans « Le Journal » que").
        adjunct = token.pos_ == "VERB" and j < len(ctx.doc) and ctx.doc[j].pos_ == "ADP"
        reach = _QUE_ADJUNCT_TOKENS if adjunct else 4
        while j < len(ctx.doc) and j - after < reach and ctx.doc[j].lower_ not in ("que", "qu'", "qu"):
            word = ctx.doc[j]
            if word.pos_ in ("VERB", "PUNCT") and word.text != ",":
                if not (adjunct and word.text in _MARK_CHARS):
                    break
            if j - after >= 4 and word.pos_ not in _ADJUNCT_POS and word.text not in _MARK_CHARS:
                break  # "mises en œuvre 20 ans plus tard que": no adjunct, a comparison
            j += 1
        if j >= len(ctx.doc) or ctx.doc[j].lower_ not in ("que", "qu'", "qu") or ctx.doc[j].idx >= sentence_end:
            continue
        if j > after and ctx.doc[j].dep_ in ("obj", "nsubj") and ctx.doc[j - 1].pos_ in ("NOUN", "PROPN"):
            continue  # a relative pronoun after the verb's object: "écrire des choses que l'on regrettera"
        if j - 1 > after and ctx.doc[j - 1].text == "," and ctx.doc[j - 2].pos_ in ("NOUN", "PROPN"):
            continue  # "…, tranche Élodie Marchal, que ses étudiants surnomment …": a relative after the subject
        if negated(ctx, token.i) or narrator_cue(ctx, token.i):
            return None
        subject = subject_of(ctx, token.i)
        content_start = ctx.doc[j].idx + len(ctx.doc[j].text)
        while content_start < sentence_end and ctx.text[content_start] == " ":
            content_start += 1
        return content_start, sentence_end, lemma, subject
    return None


def cue_indirect_selon(ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int) -> IndirectFound | None:
    """Selon / d'après X, before the content or after it.

    Examples: "Selon la préfecture, la route restera fermée." / "La route restera fermée, selon la
    préfecture." / "Les explications, selon lesquelles ce satellite présente un danger". A source of
    figures or a rule ("selon les chiffres", "selon la loi") is no speaker; a study and a source are.
    """
    text = ctx.text
    for token in ctx.tokens_among(ctx.selon_tokens, tokens):
        lower = token.lower_
        if lower == "après" and not is_dapres(ctx.doc, token.i):
            continue
        if ctx.inside_marks(token.idx):
            continue
        cue = "selon" if lower == "selon" else "d'après"
        if token.i + 1 < len(ctx.doc) and ctx.doc[token.i + 1].lower_ in ("que", "qu'", "qu", "qu’"):
            continue  # "selon qu'il s'agit des articles ou des auteurs": a conjunction, no source
        if token.i > 0 and ctx.doc[token.i - 1].text == "(" and lower == "selon":
            continue  # "Tout est référencé (selon la nomenclature du JEL)": a word's gloss
        relative = _selon_relative(ctx, token, sentence_end)
        if relative is not None:
            return relative[0], relative[1], cue, phrase_span(ctx, relative[2])
        phrase_end = np_end(ctx, token.i + 1, sentence_end)
        if phrase_end <= token.i + 1:
            continue
        while phrase_end + 1 < len(ctx.doc) and ctx.doc[phrase_end].lower_ in ("et", "ou"):
            # "Selon les émissions Enquête et The Fifth Estate, …": coordinated sources
            further = np_end(ctx, phrase_end + 1, sentence_end)
            if further <= phrase_end + 1:
                break
            phrase_end = further
        subject = (ctx.doc[token.i + 1].idx, ctx.doc[phrase_end - 1].idx + len(ctx.doc[phrase_end - 1].text))
        head = next((t for t in ctx.doc[token.i + 1 : phrase_end] if t.pos_ in ("NOUN", "PROPN", "PRON")), None)
        if head is None or fold(head.lemma_) in _SELON_NON_SPEAKERS:
            continue
        after_np = subject[1]
        cue_start = ctx.doc[token.i - 1].idx if token.lower_ == "après" else token.idx
        if cue_start - sentence_start <= 1:
            # "Selon X, content." (a clause: "selon le sélectionneur, Raymond Domenech" is an apposition)
            rest = re.match(r"\s*,\s*", text[after_np:sentence_end])
            if not rest or not _has_verb(ctx, after_np + rest.end(), sentence_end):
                continue
            return after_np + rest.end(), sentence_end, cue, subject
        # "content, selon X." (or "content, selon X, content")
        before = text[sentence_start:cue_start].rstrip(" ,")
        rest = re.match(r"\s*,\s*", text[after_np:sentence_end])
        if (
            rest
            and sentence_end - after_np - rest.end() >= INDIRECT_MIN_CHARS
            and re.search(r"[^\W\d_]{2}", before)
            and len(before) <= _SELON_ADVERBIAL_CHARS
            and not re.search(r"[«»\"“”]", before)
            and not _has_clause(ctx, sentence_start, cue_start)
        ):
            # "En sens inverse, selon le département du Commerce, les exportations…": an adverbial
            # before the source, the content after it.
            return after_np + rest.end(), sentence_end, cue, subject
        if len(before) < 12:
            continue
        return sentence_start, sentence_start + len(before), cue, subject
    return None


def _finite_verb(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether the words between ``start`` and ``end`` hold a finite verb or auxiliary."""
    tokens = ctx.doc[ctx.token_index(start) : ctx.token_index(end)]
    return any(t.pos_ in ("VERB", "AUX") and "VerbForm=Fin" in str(t.morph) for t in tokens)


def _has_verb(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether the words between ``start`` and ``end`` hold a verb or an auxiliary."""
    return any(t.pos_ in ("VERB", "AUX") for t in ctx.doc[ctx.token_index(start) : ctx.token_index(end)])


def _has_clause(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether the words between ``start`` and ``end`` hold a main-clause verb."""
    return any(main_clause_verb(t) for t in ctx.doc[ctx.token_index(start) : ctx.token_index(end)])


def classify_kind(ctx: ArticleContext, candidate: Candidate) -> QuoteKind:
    """Direct (a whole utterance) or fragment (a few words inside the journalist's sentence).

    Examples: Il a dit : « Nous partirons demain. » (direct) / Il dénonce un « gâchis » (fragment).
    """
    text = ctx.text
    sentence_start, _ = ctx.sentence_of(candidate.open_offset)
    before = text[sentence_start : candidate.open_offset].rstrip()
    quote = text[candidate.start : candidate.end]
    words = quote.split()
    if not before or before.endswith((":", ".", "!", "?", "»", "”", '"')) or candidate.follows_incise:
        return QuoteKind.DIRECT
    if quote[:1].isupper() and len(words) >= 4:
        return QuoteKind.DIRECT
    first = ctx.token_index(candidate.start)
    last = ctx.token_index(candidate.end)
    has_subject = any(
        t.dep_ in ("nsubj", "nsubj:pass", "expl:subj") and candidate.start <= t.head.idx < candidate.end
        for t in ctx.doc[first:last]
    )
    previous_word = before.split()[-1].lower() if before.split() else ""
    if previous_word in ("que", "qu'", "qu") or before.endswith("'"):
        return QuoteKind.DIRECT if has_subject and len(words) >= 5 else QuoteKind.FRAGMENT
    if has_subject and len(words) >= 6 and before.endswith(","):
        return QuoteKind.DIRECT
    return QuoteKind.FRAGMENT if not (has_subject and len(words) >= 8) else QuoteKind.DIRECT


def cue_indirect_infinitive(
    ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int
) -> IndirectFound | None:
    """An infinitival complement of a verb of saying, from the infinitive (its negation included)
    to the end of the sentence.

    Examples: "X a affirmé ne pas avoir vu…", "X promet d'assainir…", "X a annoncé, mardi, avoir
    déposé plainte", "X a affirmé vendredi avoir…", "X demande au gouvernement d'annuler…", "X a
    accusé Pékin de manipuler…".
    """
    doc = ctx.doc
    for token in ctx.tokens_among(ctx.cue_tokens, tokens):
        if token.pos_ not in ("VERB", "AUX") or ctx.inside_marks(token.idx):
            continue
        lemma, after = verb_lemma(ctx, token.i)
        if (lemma not in _INFINITIVE_CUES and lemma not in _CALL_CUES) or "VerbForm=Inf" in str(token.morph):
            continue
        j, limit = after, min(len(doc), after + 10 + (_CALL_OBJECT_TOKENS if lemma in _CALL_CUES else 0))
        if j < limit and doc[j].text == ",":
            # A short incise between the verb and its complement: "a annoncé, mardi matin, avoir".
            close = next((k for k in range(j + 1, min(limit, j + 6)) if doc[k].text == ","), None)
            j = close + 1 if close is not None else j
        while j < limit and (
            doc[j].is_space
            or (doc[j].pos_ == "ADV" and doc[j].lower_ not in ("ne", "n'"))
            or doc[j].lower_ in TIME_HEADS  # "a affirmé vendredi avoir…", "mardi matin"
        ):
            j += 1
        if j < limit and lemma == "accuser":
            # "a accusé Pékin de manipuler": the accused before "de".
            j = next((k for k in range(j, min(limit, j + 5)) if doc[k].lower_ in ("de", "d'", "d’")), limit)
        if lemma in _CALL_CUES:
            j = _called_infinitive(doc, token, j, limit)
        if j < limit and doc[j].lower_ in ("à", "au", "aux") and lemma in _OBJECT_INFINITIVE_CUES:
            # "demande au gouvernement d'annuler": the addressee before "de".
            j = next((k for k in range(j + 1, min(limit, j + 5)) if doc[k].lower_ in ("de", "d'", "d’")), limit)
        if j < limit and doc[j].lower_ in ("de", "d'", "d’"):
            j += 1
        start = j
        while j < limit and (doc[j].lower_ in ("ne", "n'", "n’") or doc[j].lower_ in NEGATIONS):
            j += 1
        if j >= limit or doc[j].pos_ not in ("VERB", "AUX") or "VerbForm=Inf" not in str(doc[j].morph):
            continue
        if doc[j].idx >= sentence_end or negated(ctx, token.i) or narrator_cue(ctx, token.i):
            continue
        return doc[start].idx, sentence_end, lemma, subject_of(ctx, token.i)
    return None


def _called_infinitive(doc, verb, j: int, limit: int) -> int:
    """The infinitive's index after a verb of calling and its object ("appelle les parties
    concernées à prendre": "prendre"), or ``limit`` when there is none: a passive or a reflexive verb
    ("est appelé à jouer", "Invitée à parler", "s'appelle") calls nobody, and "appelle à la retenue" calls for a noun."""
    if reflexive_before(doc, verb.i) or any(child.dep_ == "aux:pass" for child in verb.children):
        return limit
    if verb.i > 0 and doc[verb.i - 1].lower_ in ("été", "être", "étant"):
        return limit
    morph = str(verb.morph)
    if "VerbForm=Part" in morph and "Tense=Past" in morph and not any(c.lemma_ == "avoir" for c in verb.children):
        return limit  # "Invitée à prendre la parole, elle a dit …": a participle with no "avoir" is passive
    for k in range(j, limit - 1):
        token = doc[k]
        if token.lower_ == "à":
            nxt = k + 1
            while nxt < len(doc) and doc[nxt].lower_ in ("ne", "n'", "n’", "pas", "plus", "jamais"):
                nxt += 1
            return k + 1 if nxt < len(doc) and "VerbForm=Inf" in str(doc[nxt].morph) else limit
        if token.pos_ == "PUNCT" or token.pos_ == "AUX" or "VerbForm=Fin" in str(token.morph):
            return limit
    return limit


def list_items(ctx: ArticleContext, content_end: int, sentence_end: int) -> list[tuple[int, int]]:
    """The items of a list that goes on a call ended by a colon, each an infinitive of the same
    speaker: "X appelle les parties à agir à travers certaines actions :" then "1-prendre …",
    "2-faire …". Each item runs from its verb to the end of its paragraph; the list ends at the
    first paragraph that is not such an item."""
    text = ctx.text
    if text[content_end:sentence_end].strip() != ":":
        return []
    index = bisect.bisect_right(ctx.paragraph_starts, content_end) - 1
    if index < 0 or ctx.paragraphs[index][1] > sentence_end + 1:
        return []  # the colon does not end its paragraph
    items = []
    for start, end in ctx.paragraphs[index + 1 :]:
        match = _LIST_INFINITIVE.match(text, start, end)
        if match is None:
            break
        item_end = end
        while item_end > match.end() and text[item_end - 1] in ".!?;: ":
            item_end -= 1
        if item_end - match.end() >= INDIRECT_MIN_CHARS:
            items.append((match.end(), item_end))
    return items


def cue_indirect_attribute(ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int) -> IndirectFound | None:
    """A small clause after a verb of judgement: an adjective, then what it qualifies (a noun phrase,
    "de" + infinitive, or a que-clause); after "se dire", the adjective and its complement.

    Examples: "Le maire juge inéluctable une hausse des impôts." → "inéluctable une hausse des
    impôts"; "X estime indispensable de revoir le texte" → "indispensable de revoir le texte"; "X a
    jugé « urgent » que les deux pays s'entendent" → "les deux pays s'entendent"; "X s'est dit prêt à
    négocier" → "prêt à négocier". "Le juge sévère" (a noun) and "juge la situation grave" give nothing.
    """
    doc = ctx.doc
    for token in ctx.tokens_among(ctx.cue_tokens, tokens):
        if ctx.inside_marks(token.idx) or token.i == 0 or doc[token.i - 1].pos_ in ("DET", "ADP"):
            continue  # "le juge", "du juge": the noun
        lemma, after = verb_lemma(ctx, token.i)
        if lemma not in _ATTRIBUTE_CUES:
            continue
        j, limit = after, min(len(doc), after + 8)
        while j < limit and (doc[j].pos_ == "ADV" and doc[j].lower_ not in ("ne", "n'", "pas") or doc[j].is_space):
            j += 1
        opened = j < limit and doc[j].text in _MARK_CHARS
        adjective = j + 1 if opened else j
        if adjective >= limit or not _attribute_word(doc[adjective]):
            continue
        k = adjective + 1
        if opened:
            if k >= limit or doc[k].text not in _MARK_CHARS:
                continue
            k += 1
        while k < limit and (doc[k].lower_ in TIME_HEADS or doc[k].pos_ == "ADV" or doc[k].is_space):
            k += 1  # "a jugé « impératif » mardi que"
        if k >= limit or doc[k].idx >= sentence_end or negated(ctx, token.i):
            continue
        nxt = doc[k]
        if nxt.lower_ in ("que", "qu'", "qu", "qu’"):
            start = nxt.idx + len(nxt.text)
        elif nxt.lower_ in ("de", "d'", "d’") and k + 1 < len(doc) and "VerbForm=Inf" in str(doc[k + 1].morph):
            start = doc[j].idx
        elif nxt.pos_ == "DET" and lemma != "se dire" and not opened:
            start = doc[j].idx  # "juge inéluctable une hausse"
        elif nxt.pos_ == "ADP" and lemma == "se dire" and not opened:
            start = doc[j].idx  # "s'est dit prêt à négocier", "favorable à un accord"
        else:
            continue
        while start < sentence_end and ctx.text[start] == " ":
            start += 1
        return start, sentence_end, lemma, subject_of(ctx, token.i)
    return None


def _attribute_word(token) -> bool:
    """An adjective or a participle used as one ("convaincu", "satisfaite")."""
    morph = str(token.morph)
    return token.pos_ == "ADJ" or (token.pos_ == "VERB" and "VerbForm=Part" in morph and "Tense=Past" in morph)


def cue_indirect_pour(ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int) -> IndirectFound | None:
    """ "Pour X, content.": X must be able to speak (a person, group, organisation, document).

    Example: "Pour la préfète, la situation reste préoccupante." (not "Pour la première fois, …");
    after a connective: "Cependant, pour les auteurs, …".
    """
    doc = ctx.doc
    first = next((t for t in tokens if not t.is_space), None)
    first = _past_connective(doc, first, tokens.end) if first is not None else None
    if first is None or first.lower_ != "pour" or first.i + 1 >= len(doc):
        return None
    phrase_end = np_end(ctx, first.i + 1, sentence_end)
    if phrase_end <= first.i + 1 or phrase_end >= len(doc) or doc[phrase_end].text != ",":
        return None
    phrase = doc[first.i + 1 : phrase_end]
    head = next((t for t in phrase if t.pos_ == "NOUN"), None)
    if phrase[0].pos_ == "NUM" or not _pour_source(ctx, phrase, head):
        return None
    if head is not None and fold(head.lemma_) in _NOT_SPEAKING_AFTER_POUR:
        return None
    subject = (phrase[0].idx, phrase[-1].idx + len(phrase[-1].text))
    content_start = doc[phrase_end].idx + 1
    while content_start < sentence_end and ctx.text[content_start].isspace():
        content_start += 1
    return content_start, sentence_end, "pour", subject


def _past_connective(doc, first, end: int):
    """The token after a sentence's opening connective ("Cependant, pour les auteurs, …", "Mais pour
    le maire, …"): up to two adverbs or conjunctions, and their comma."""
    k = first.i
    while k < min(end, first.i + 2) and doc[k].pos_ in ("ADV", "CCONJ") and doc[k].lower_ not in ("ne", "n'"):
        k += 1
    if k > first.i and k < end and doc[k].text == ",":
        k += 1
    return doc[k] if k < end else None


def cue_indirect_comme(ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int) -> IndirectFound | None:
    """ "Comme l'a souligné X, content." or "Content, comme le rappelle X.": the clitic "le" stands
    for the content, X says it.

    Examples: "Comme l'a rappelé la préfète, la route restera fermée." → "la route restera fermée";
    "La route restera fermée, comme le souligne la préfète." → "La route restera fermée". The
    content opens at the first comma after the source whose words hold a finite verb ("comme l'a
    souligné l'Arcep (…), sollicitée pour …, il est difficile …").
    """
    doc = ctx.doc
    for token in tokens:
        if token.lower_ != "comme" or ctx.inside_marks(token.idx) or token.i + 3 >= len(doc):
            continue
        k = token.i + 1
        if doc[k].lower_ not in ("le", "l'", "l’"):
            continue
        k += 1
        if doc[k].pos_ == "AUX":
            k += 1
        lemma, after = verb_lemma(ctx, k)
        if lemma is None or doc[k].pos_ != "VERB" or negated(ctx, k):
            continue
        phrase_end = np_end(ctx, after, sentence_end)
        if phrase_end <= after or not any(t.pos_ in ("NOUN", "PROPN") for t in doc[after:phrase_end]):
            continue
        subject = (doc[after].idx, doc[phrase_end - 1].idx + len(doc[phrase_end - 1].text))
        opening = _past_connective(doc, next(t for t in tokens if not t.is_space), tokens.end)
        if opening is not None and opening.i == token.i:
            start = _clause_after_commas(ctx, phrase_end, tokens.end)
            return None if start is None else (start, sentence_end, lemma, subject)
        if token.i > 0 and doc[token.i - 1].text == ",":
            rest = ctx.text[subject[1] : sentence_end]
            content = doc[tokens.start : token.i - 1]
            if re.match(r"\s*[.!?]?\s*$", rest) and any(main_clause_verb(t) for t in content):
                if any(ctx.lexicon.is_indirect(verb_lemma(ctx, t.i)[0] or "") for t in content if t.pos_ == "VERB"):
                    return None  # "Elle n'a jamais affirmé que …, comme l'ont écrit X": whose words?
                return sentence_start, doc[token.i - 1].idx, lemma, subject
        return None
    return None


def _clause_after_commas(ctx: ArticleContext, position: int, end: int) -> int | None:
    """The start of the first comma-separated segment after ``position`` (a token index) whose words
    hold a finite verb outside brackets: the clause after a source and its appositions."""
    doc = ctx.doc
    commas = [t.i for t in doc[position:end] if t.text == ","]
    for comma, following in zip(commas, [*commas[1:], end], strict=True):
        depth = 0
        for t in doc[comma + 1 : following]:
            depth += (t.text == "(") - (t.text == ")")
            if depth == 0 and t.pos_ in ("VERB", "AUX") and "VerbForm=Fin" in str(t.morph):
                return doc[comma + 1].idx
    return None


def _pour_source(ctx: ArticleContext, phrase, head) -> bool:
    """Whether the X of "Pour X, …" is a source: a person or organisation of the index or of the
    parse's entities, a personal pronoun, or a head naming a person, a role, a group or an
    organisation ("Pour ce test, …", "Pour les Cape Verde, …" are no source)."""
    start, end = phrase[0].idx, phrase[-1].idx + len(phrase[-1].text)
    if ctx.people.first_person_in(start, end):
        return True
    if any(ent.label_ in ("PER", "ORG") and ent.start_char < end and ent.end_char > start for ent in ctx.doc.ents):
        return True
    if head is None:
        return any(t.pos_ == "PRON" and fold(t.text) in ("lui", "elle", "eux", "elles", "moi", "nous") for t in phrase)
    if not may_speak(phrase, head):
        return False
    words = {fold(head.text), fold(head.lemma_)}
    words |= {w[:-1] for w in words if w.endswith(("s", "x"))}
    if words & (role_nouns() | ORG_NOUNS | _POUR_SOURCE_HEADS):
        return True
    return any(len(w) >= 7 and w.endswith(_PERSON_ENDINGS) for w in words)


def cue_indirect_postposed(ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int) -> IndirectFound | None:
    """Content first, then its source after a comma; the content is a clause (a main verb) and
    runs from the sentence start to that comma.

    Examples: "…, a estimé Ben Bernanke.", "…, rapporte le Guardian", "…, estime le rapport",
    "…, a-t-il affirmé".
    """
    doc = ctx.doc
    for token in ctx.tokens_among(ctx.comma_tokens, tokens):
        if ctx.inside_marks(token.idx) or token.idx - sentence_start < 12:
            continue
        cue = find_cue_after(ctx, token.idx, sentence_end, inside=True)
        if cue is None or (cue.subject_start is None and cue.pronoun is None):
            continue
        if not ctx.lexicon.is_indirect(cue.lemma) and cue.lemma not in ("ajouter", "poursuivre", "rapporter"):
            continue
        if _no_postposed_cue(ctx, token.idx, cue):
            continue
        if cue.pronoun is None:
            rest = ctx.text[cue.subject_end : sentence_end]
            # "…, estime Berne qui se rallie à …": a relative on the subject ends it too.
            if not re.match(r"[^,;.!?«»]{0,40}(?:[,;(]|[.!?]?\s*$)|\s+qui\s", rest):
                continue  # "…, a annoncé le rappel de ses fromages": an object, not a subject
        content = doc[ctx.token_index(sentence_start) : token.i]
        if not any(main_clause_verb(t) for t in content):
            # "Les coopératives, qui regroupent 320 éleveurs, ont annoncé…": the words before
            # the comma are the verb's own subject, not a clause it reports.
            return None
        subject = cue.pronoun if cue.pronoun else (cue.subject_start, cue.subject_end)
        return sentence_start, token.idx, cue.lemma, subject
    return None


# "on apprend / a-t-on appris / on lit" + the source: the news comes from that source.
_LEARNED_VERBS = frozenset(("apprendre", "lire"))
_SOURCE_PREPOSITIONS = frozenset("de d' d’ du des via dans sur".split())


def cue_indirect_learned_from(
    ctx: ArticleContext, tokens, sentence_start: int, sentence_end: int
) -> IndirectFound | None:
    """ "On" learns or reads the content from a source: the source is the speaker.

    Examples: "Le site fermera en juin, a-t-on appris auprès de la direction." → "Le site fermera en
    juin", source "la direction"; "On apprend via l'AFP que la cour réexaminera le dossier." → "la
    cour réexaminera le dossier", source "l'AFP". Without a source ("a-t-on appris", "on lit que")
    nobody is named and nothing is given.
    """
    doc = ctx.doc
    for token in ctx.tokens_among(ctx.learned_tokens, tokens):
        if token.lemma_ not in _LEARNED_VERBS or token.pos_ != "VERB" or ctx.inside_marks(token.idx):
            continue
        before = [t.lower_ for t in doc[max(0, token.i - 3) : token.i]]
        inverted = any(t.lower_ == "-on" for t in doc[max(0, token.i - 1) : token.i + 2])
        if not inverted and "on" not in before[-2:]:
            continue
        j, limit = token.i + 1, min(len(doc), token.i + 8)
        while j < limit and (doc[j].lower_ in ("-on", "-t") or doc[j].lower_ in TIME_HEADS or doc[j].is_space):
            j += 1
        if j < limit and doc[j].lower_ == "auprès":
            j += 1
        if j >= limit or doc[j].lower_ not in _SOURCE_PREPOSITIONS or doc[j].idx >= sentence_end:
            continue
        phrase_end = np_end(ctx, j + 1, sentence_end)
        if phrase_end <= j + 1:
            continue
        phrase = doc[j + 1 : phrase_end]
        head = next((t for t in phrase if t.pos_ in ("NOUN", "PROPN")), None)
        if head is None or any(fold(t.text) == "meme" for t in phrase) or not _pour_source(ctx, phrase, head):
            continue  # "de même source" (the source before), "appris de ses erreurs" (no source)
        subject = (phrase[0].idx, phrase[-1].idx + len(phrase[-1].text))
        nxt = doc[phrase_end] if phrase_end < len(doc) else None
        if nxt is not None and nxt.lower_ in ("que", "qu'", "qu", "qu’") and nxt.idx < sentence_end:
            start = nxt.idx + len(nxt.text)
            while start < sentence_end and ctx.text[start] == " ":
                start += 1
            return start, sentence_end, token.lemma_, subject
        comma = next((k for k in range(token.i - 1, max(-1, token.i - 5), -1) if doc[k].text == ","), None)
        if comma is not None and re.match(r"\s*[.!?]?\s*$", ctx.text[subject[1] : sentence_end]):
            return sentence_start, doc[comma].idx, token.lemma_, subject  # "…, a-t-on appris de X."
    return None


def _no_postposed_cue(ctx: ArticleContext, comma: int, cue) -> bool:
    """Whether the verb after the comma is no incise: "c'est-à-dire", or a bare participle opening
    an adjunct ("…, conclu l'année précédente")."""
    between = ctx.text[comma + 1 : cue.verb_end].strip().lower()
    if re.match(r"c['’]est-à-dire\b", between):
        return True
    verb = ctx.doc[ctx.token_index(cue.verb_start)]
    return not between.count(" ") and "VerbForm=Part" in str(verb.morph) and cue.pronoun is None


def _selon_relative(ctx: ArticleContext, token, sentence_end: int):
    """ "Les explications américaines, selon lesquelles ce satellite présente un danger": the
    content after the relative pronoun, to the sentence end, and the noun it refers to."""
    doc = ctx.doc
    i = token.i
    if i + 2 >= len(doc) or fold(doc[i + 1].text) not in ("lequel", "laquelle", "lesquels", "lesquelles"):
        return None
    k = i - 1
    while k >= 0 and (doc[k].is_space or doc[k].text == ","):
        k -= 1
    if k < 0 or doc[k].pos_ not in ("NOUN", "PROPN", "ADJ") or doc[k].lemma_.lower() in TIME_HEADS:
        return None
    start = doc[i + 2].idx
    return (start, sentence_end, doc[k]) if sentence_end - start >= INDIRECT_MIN_CHARS else None


# The indirect-speech finders, in order; the first whose clause is kept (long enough, not the marked
# quote's) wins in a sentence.
INDIRECT_RULES = (
    cue_indirect_que,
    cue_indirect_infinitive,
    cue_indirect_attribute,
    cue_indirect_selon,
    cue_indirect_pour,
    cue_indirect_comme,
    cue_indirect_postposed,
    cue_indirect_learned_from,
)

# The finders whose clause follows its cue ("a assuré que …"), not the content before a source.
_CLAUSE_FIRST_RULES = (cue_indirect_que, cue_indirect_infinitive, cue_indirect_attribute)
