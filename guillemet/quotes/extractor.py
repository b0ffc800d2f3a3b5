"""Finding every quotation of a French article and the person or organisation who said it.

``QuoteExtractor.extract(doc)`` takes a spaCy ``Doc`` of the normalised article text and returns
``Quote`` records whose offsets point into that text. It runs explicit steps (docs/quotes.md):

1. ``ArticleContext.build``: the article's facts, read once (``context.py``);
2. candidate finders (``candidates.py``): interview answers, spans in marks split where a cue
   interrupts them, indirect speech;
3. for each candidate in text order, with one ``DiscourseState`` (``discourse.py``):
   the kind (direct or fragment), the rejection filters (``filters.FILTERS``), the cue rules
   (``cues.CUE_RULES``), then the speaker rules (``speakers.PHRASE_RULES``, ``PRONOUN_RULES``);
4. headline quotes take the speaker of the body quote that repeats them, and marked words left
   with no cue that of a later quote repeating them (``cues.match_repeated``).

Every rule is a named function; ``trace`` says which one kept or rejected each candidate.
"""

from __future__ import annotations

from guillemet.budget import WorkBudget
from guillemet.quotes.candidates import classify_kind, find_indirect, find_interview, split_interrupted
from guillemet.quotes.context import ArticleContext, paragraph_bounds
from guillemet.quotes.cues import CUE_RULES, match_repeated
from guillemet.quotes.discourse import DiscourseState
from guillemet.quotes.filters import rejection
from guillemet.quotes.lexicon import CueMatcher, ReportingLexicon, load_lexicon
from guillemet.quotes.speakers import match_headlines, match_intertitles, match_leading_quote, resolve, resolve_indirect
from guillemet.quotes.types import Candidate, Cue, Decision, QuoteKind, Rejection, first_answer
from guillemet.records import Quote

__all__ = ["Decision", "QuoteExtractor", "paragraph_bounds"]


class QuoteExtractor:
    """Finds the quotations of a parsed French article (see the module docstring)."""

    def __init__(self, lexicon: ReportingLexicon | None = None):
        self.lexicon = lexicon or load_lexicon()
        self._matchers: dict[int, tuple[object, CueMatcher]] = {}

    def context(self, doc, text: str | None = None, blocks=None) -> ArticleContext:
        """The article's ``ArticleContext`` (the cue table's PhraseMatcher compiled once per vocabulary)."""
        vocab = doc.vocab
        held = self._matchers.get(id(vocab))
        if held is None or held[0] is not vocab:
            held = (vocab, CueMatcher(self.lexicon, vocab))
            self._matchers[id(vocab)] = held
        return ArticleContext.build(doc, self.lexicon, text, blocks, matcher=held[1])

    def extract(self, doc, text: str | None = None, blocks=None, budget: WorkBudget | None = None) -> list[Quote]:
        """Returns the quotes of ``doc`` in text order; offsets point into ``doc.text``.

        ``text`` is ``doc.text`` when the caller already holds it (the parsed string): spaCy
        rebuilds ``Doc.text`` from every token on each call (about 1.5 ms for 500 tokens).
        ``blocks`` (optional): the page structure, objects with ``start``, ``end`` and ``kind``;
        kept as each paragraph's kind (``ArticleContext.paragraph_kinds``).
        ``budget`` (optional): charged, for each candidate attributed, the tokens of the sentences
        its attribution reads; raises ``BudgetExceededError`` once spent.
        """
        ctx = self.context(doc, text, blocks)
        return [c.quote(ctx.text, ctx.people) for c in decide(ctx, budget) if c.rejected is None]

    def trace(self, doc, text: str | None = None, blocks=None) -> list[Decision]:
        """One ``Decision`` per candidate quotation of ``doc``, in text order: kept or rejected, and
        the rule that decided (the cue and speaker rules for a kept quote). Same work as ``extract``.
        """
        return [Decision.of(candidate) for candidate in decide(self.context(doc, text, blocks))]


def decide(ctx: ArticleContext, budget: WorkBudget | None = None) -> list[Candidate]:
    """Every candidate, attributed or rejected (``rejected`` names the filter), in text order.

    ``budget`` is charged the tokens each candidate's attribution reads (``tokens_read``).
    """
    budget = budget if budget is not None else WorkBudget("ExtractQuotes", None, "tokens read")
    interview = find_interview(ctx)
    candidates = list(interview.answers)
    answered = ctx.mask((c.start, c.end) for c in candidates)
    questions = ctx.mask(interview.question_spans(ctx))
    for span in ctx.spans:
        if answered[span.open_offset]:
            continue  # a quote inside an interview answer is part of it
        if questions[span.open_offset]:
            continue  # the interviewer's words
        candidates.extend(split_interrupted(ctx, span))
    marked = [(span.open_offset, span.outer_end) for span in ctx.spans]
    candidates.extend(c for c in find_indirect(ctx, marked) if not answered[c.start])
    # Attribution runs in text order: pronouns and "previous speaker" depend on what came before.
    candidates.sort(key=lambda c: c.start)
    state = DiscourseState(interviewee=interview.interviewee)
    for candidate in candidates:
        budget.spend(tokens_read(ctx, candidate))
        if candidate.answer:
            if candidate.person is not None:
                state.remember(candidate.person)
        elif candidate.kind is QuoteKind.INDIRECT:
            resolve_indirect(ctx, state, candidate)
        else:
            attribute_marked(ctx, state, candidate)
            if candidate.rejected is None and candidate.marked:
                state.last_marked = candidate
    match_headlines(ctx, candidates)
    match_intertitles(ctx, candidates)
    match_leading_quote(ctx, candidates)
    match_repeated(ctx, candidates)
    return candidates


def tokens_read(ctx: ArticleContext, candidate: Candidate) -> int:
    """The tokens from the start of a candidate's first sentence to the end of its last one:
    what its attribution reads (cues, subjects, pronouns); the unit of the work budget."""
    first, _ = ctx.sentence_of(candidate.start)
    _, last = ctx.sentence_of(max(candidate.end - 1, candidate.start))
    return ctx.token_index(last) - ctx.token_index(first) + 1


def attribute_marked(ctx: ArticleContext, state: DiscourseState, candidate: Candidate) -> None:
    """A span in marks: its kind, the rejection filters, then the first cue rule that answers."""
    candidate.kind = classify_kind(ctx, candidate)
    candidate.rejected = rejection(ctx, candidate)
    if candidate.rejected is not None:
        return
    candidate.cue_rule, answer = first_answer(CUE_RULES, ctx, state, candidate)  # cue_none always answers
    if isinstance(answer, Rejection):
        candidate.rejected = answer.rule
    elif isinstance(answer, Cue):
        candidate.cue = answer.lemma
        resolve(ctx, state, candidate, answer)
