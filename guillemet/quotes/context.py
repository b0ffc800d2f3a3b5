"""The per-article facts every quote rule reads, computed once: ``ArticleContext``.

Text and parse, paragraphs with their page-block kind, sentences, the spans in marks, token
offsets, the multi-word cues the lexicon's ``PhraseMatcher`` found, and the people index. Rules never
recompute any of these, and never write to the context (what the article teaches as it is read,
who spoke last, goes to ``discourse.DiscourseState``). Every lookup bisects or indexes: none scans
the article (``tests/test_quote_cost.py``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from guillemet.quotes.lexicon import CueMatcher, ReportingLexicon, fold
from guillemet.quotes.marks import MarkedSpan, find_marked_spans, runs_on
from guillemet.quotes.people import PeopleIndex, token_indices

_ABBREVIATIONS = frozenset(
    {"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "mgr", "etc", "cf", "av", "bd", "no", "vol", "p"}
)
# A headline is the first non-empty paragraph when it is at most this long and the text goes on.
HEADLINE_MAX_CHARS = 250
_MAX_WRAPPED_LINES = 12


@dataclass(frozen=True)
class ArticleContext:
    """One article as the quote rules see it. Build it with ``ArticleContext.build``."""

    doc: object  # the spaCy Doc of ``text``
    text: str
    lexicon: ReportingLexicon
    people: PeopleIndex
    token_starts: list[int]  # each token's char offset, for bisection
    cue_tokens: list[int]  # tokens an indirect-speech cue may start from (verbs, nouns, adverbs)
    selon_tokens: list[int]  # "selon", "d'après", "après"
    comma_tokens: list[int]  # ",": where a postposed source may follow its content
    learned_tokens: list[int]  # tokens lemmatised "apprendre" or "lire" ("a-t-on appris de X")
    phrase_cues: dict[int, tuple[str, int]]  # head token → (multi-word cue, words after the head)
    paragraphs: list[tuple[int, int]]  # lines, or the lines of a hard-wrapped paragraph
    paragraph_starts: list[int]
    paragraph_kinds: list[str]  # the page block holding each paragraph's start, "paragraph" if none
    spans: list[MarkedSpan]  # outermost spans in marks
    marked_mask: bytearray  # 1 for each character strictly inside marks
    span_opens: frozenset[int]
    sentences: list[tuple[int, int]]
    sentence_starts: list[int]
    headline_end: int  # end of the headline paragraph, -1 when there is none
    # grammar.verb_lemma's answers by token: the indirect-speech rules ask about the same tokens.
    verb_lemmas: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, doc, lexicon: ReportingLexicon, text: str | None = None, blocks=None, matcher=None):
        """Reads ``doc`` once.

        Args:
            doc: the spaCy parse of the normalised text.
            lexicon: the reporting-verb table.
            text: ``doc.text`` when the caller holds it (spaCy rebuilds it on every access).
            blocks: the page structure (objects with ``start``, ``end``, ``kind``), or None.
            matcher: the lexicon's ``CueMatcher`` for ``doc``'s vocabulary (compiled if None).
        """
        text = doc.text if text is None else text
        people = PeopleIndex.of(doc, text)
        paragraphs = paragraph_bounds(text)
        spans = [span for span in find_marked_spans(text, paragraphs) if span.depth == 0]
        mask = bytearray(len(text))
        for span in spans:
            mask[span.open_offset + 1 : span.outer_end] = b"\x01" * (span.outer_end - span.open_offset - 1)
        people.quoted = tuple((span.open_offset, span.outer_end) for span in spans)
        sentences = _sentences(text, paragraphs, mask)
        matcher = matcher or CueMatcher(lexicon, doc.vocab)
        return cls(
            doc=doc,
            text=text,
            lexicon=lexicon,
            people=people,
            # Token offsets through one array call: iterating a Doc in Python costs more than the rest.
            token_starts=doc.to_array("IDX").tolist() if len(doc) else [],
            cue_tokens=token_indices(doc, "POS", ("VERB", "AUX", "ADV", "NOUN")),
            selon_tokens=token_indices(doc, "LOWER", ("selon", "d'après", "après")),
            comma_tokens=token_indices(doc, "ORTH", (",",)),
            learned_tokens=token_indices(doc, "LEMMA", ("apprendre", "lire")),
            phrase_cues=matcher.heads(doc),
            paragraphs=paragraphs,
            paragraph_starts=[start for start, _ in paragraphs],
            paragraph_kinds=_paragraph_kinds(paragraphs, blocks),
            spans=spans,
            marked_mask=mask,
            span_opens=frozenset(span.open_offset for span in spans),
            sentences=sentences,
            sentence_starts=[start for start, _ in sentences],
            headline_end=_headline_end(paragraphs),
        )

    def inside_marks(self, position: int) -> bool:
        """Whether the character at ``position`` lies inside a span in marks."""
        return 0 <= position < len(self.marked_mask) and bool(self.marked_mask[position])

    def sentence_of(self, position: int) -> tuple[int, int]:
        """The sentence holding ``position``, or the empty span ``(position, position)``."""
        index = bisect.bisect_right(self.sentence_starts, position) - 1
        if index >= 0 and position <= self.sentences[index][1]:
            return self.sentences[index]
        return position, position

    def token_index(self, char: int) -> int:
        """The index of the first token starting at or after ``char``."""
        return bisect.bisect_left(self.token_starts, char)

    def tokens_among(self, indices: list[int], tokens):
        """The tokens of the span ``tokens`` whose index is in the sorted list ``indices``."""
        low, high = bisect.bisect_left(indices, tokens.start), bisect.bisect_left(indices, tokens.end)
        return (self.doc[i] for i in indices[low:high])

    def mask(self, intervals) -> bytearray:
        """One byte per character, set inside any of ``intervals``: membership in O(1)."""
        mask = bytearray(len(self.text) + 1)
        for start, end in intervals:
            if end > start:
                mask[start:end] = b"\x01" * (end - start)
        return mask


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each paragraph: a line, or the run of lines of a hard-wrapped paragraph.

    Dispatch copy is hard-wrapped (every line cut near one width, ~70 characters, mid-sentence):
    there a line that reaches the wrap width goes on in the next line, and a shorter line (a
    headline, a paragraph's last line) ends its paragraph. A text is hard-wrapped when it has at
    least four lines, none longer than 100 characters, and most of its long lines end inside a
    sentence (no final punctuation). In plain copy (no line longer than 100 characters but a
    headline), a line that ends inside a sentence also goes on in a next line that starts with a
    lower-case letter (``marks.runs_on``: a short dispatch, or one under a long headline). Other
    lines are paragraphs of their own. A paragraph holds at
    most ``_MAX_WRAPPED_LINES`` lines (the dispatches' longest has 7), which bounds the work of
    the per-paragraph scans whatever the input.
    """
    lines = text.split("\n")
    bounds, start = [], 0
    for line in lines:
        bounds.append((start, start + len(line)))
        start += len(line) + 1
    lengths = [len(line.rstrip()) for line in lines]
    # Plain copy: no line longer than 100 characters, but a headline (a first line before a capital).
    long_indices = [k for k, length in enumerate(lengths) if length > 100]
    plain = not long_indices or (long_indices == [0] and len(lines) > 1 and lines[1][:1].isupper())
    joins = [plain and runs_on(line, following) for line, following in zip(lines, lines[1:], strict=False)]
    width = sorted(lengths)[int(0.9 * (len(lengths) - 1))]
    if len(lines) >= 4 and max(lengths) <= 100 and width >= 40:
        long_lines = [line.rstrip() for line in lines[:-1] if len(line.rstrip()) >= 0.8 * width]
        open_ended = sum(1 for line in long_lines if line and line[-1] not in '.!?:;»"”')
        if len(long_lines) >= 2 and open_ended >= 0.5 * len(long_lines):
            joins = [join or length >= 0.8 * width for join, length in zip(joins, lengths, strict=False)]
            if len(lines) > 1 and _headline_ends(lines[0], lines[1], 0.8 * width):
                joins[0] = False
    joined, count = [bounds[0]], 1
    for (start, end), join in zip(bounds[1:], joins, strict=True):
        if join and end > start and count < _MAX_WRAPPED_LINES:
            joined[-1] = (joined[-1][0], end)
            count += 1
        else:
            joined.append((start, end))
            count = 1
    return joined


def _headline_ends(line: str, following: str, wrap: float) -> bool:
    """Whether a hard-wrapped text's first line, its headline, ends before the next: the next line
    opens a sentence (a capital) and reaches the wrap width (a body line, not the headline's last
    words), and the headline does not run on into it (``marks.runs_on``) nor cut a name ("Nicolas" /
    "Sarkozy Après …") or a hyphenated word.

    Example: "M. Durand juge inévitable une hausse des tarifs" then "Le maire a annoncé lundi …".
    """
    stripped = line.rstrip()
    if not stripped or not following[:1].isupper() or len(following.rstrip()) < wrap:
        return False
    if runs_on(line, following) or stripped.endswith("-"):
        return False
    last = stripped.split()[-1]
    return not (last[:1].isupper() and last.isalpha() and not stripped.endswith(last.upper()))


def _paragraph_kinds(paragraphs: list[tuple[int, int]], blocks) -> list[str]:
    """Each paragraph's kind: that of the block holding its start, "paragraph" by default."""
    kinds = ["paragraph"] * len(paragraphs)
    if not blocks:
        return kinds
    ordered = sorted(blocks, key=lambda block: block.start)
    starts = [block.start for block in ordered]
    for index, (start, _) in enumerate(paragraphs):
        at = bisect.bisect_right(starts, start) - 1
        if at >= 0 and start < ordered[at].end:
            kinds[index] = ordered[at].kind
    return kinds


def _headline_end(paragraphs: list[tuple[int, int]]) -> int:
    non_empty = [(s, e) for s, e in paragraphs if e > s]
    if len(non_empty) >= 2 and non_empty[0][1] - non_empty[0][0] <= HEADLINE_MAX_CHARS:
        return non_empty[0][1]
    return -1


def _sentences(text: str, paragraphs: list[tuple[int, int]], mask: bytearray) -> list[tuple[int, int]]:
    """Sentences cut at . ! ? … before a capital, a mark or a dash, never inside marks nor after M."""
    sentences = []
    for start, end in paragraphs:
        sentence_start = start
        for match in re.finditer(r"[.!?…]+(?=\s+[A-ZÀ-ÖØ-Þ«\"“—–])", text[start:end]):
            cut = start + match.end()
            if 0 <= cut - 1 < len(mask) and mask[cut - 1]:
                continue
            word = re.search(r"(\S+)$", text[start : start + match.start()])
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
