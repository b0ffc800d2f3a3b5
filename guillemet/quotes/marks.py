"""Finding the spans of text between quotation marks, as French news copy really writes them.

Real copy mixes « », “ ” and " ; closes a « with a “ or a stray « ; opens with a reversed » ;
forgets to close (the quote then runs to the end of its paragraph) ; spreads one quote over several
paragraphs that each reopen with « and close once ; nests “ ” or ‹ › or « » inside « ». No library
pairs marks like this, so this module does it by hand: each mark gets a role (opening or closing)
from the characters around it, then a stack pairs the roles paragraph by paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

# Mark families: which closing marks end a quote opened by which opening mark.
_FAMILY = {
    "«": "guillemet",
    "»": "guillemet",
    "“": "curly",
    "”": "curly",
    "„": "curly",
    '"': "straight",
    "‹": "single",
    "›": "single",
}
MARKS = frozenset(_FAMILY)

OPEN, CLOSE = "open", "close"


@dataclass(frozen=True)
class MarkedSpan:
    """The content of one quotation in marks.

    Attributes:
        start: Offset of the first character of the content (after the mark and its spaces).
        end: Offset just past the content (before the spaces and the closing mark).
        open_offset: Offset of the opening mark.
        close_offset: Offset of the closing mark, or None when the quote is never closed.
        open_mark: The opening mark character.
        close_mark: The closing mark character, or None.
        paragraphs: How many paragraphs the quote spans.
        depth: 0 for a top-level quote, 1 and more for a quote nested in another.
    """

    start: int
    end: int
    open_offset: int
    close_offset: int | None
    open_mark: str
    close_mark: str | None
    paragraphs: int = 1
    depth: int = 0

    @property
    def closed(self) -> bool:
        return self.close_offset is not None

    @property
    def outer_end(self) -> int:
        """Offset just past the closing mark, or the end of the content when unclosed."""
        return self.close_offset + 1 if self.close_offset is not None else self.end

    @property
    def mismatched(self) -> bool:
        if self.close_mark is None:
            return False
        return _FAMILY[self.open_mark] != _FAMILY[self.close_mark] or self.close_mark in "«“"


def _is_space(char: str) -> bool:
    return char == "" or char.isspace()


def _role(text: str, i: int) -> str | None:
    """Whether the mark at ``i`` opens or closes, from its neighbours; None when undecidable."""
    mark = text[i]
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    opens_context = _is_space(before) or before in "([{'’—–-/:" or before in MARKS
    closes_context = _is_space(after) or after in ".,;:!?…)]}'’-—–" or after in MARKS
    if mark in "«„‹":
        # « right after a word and before a space or punctuation is used as a closing mark.
        if not _is_space(before) and before not in "([{'’—–-/:" and before not in MARKS and closes_context:
            return CLOSE
        return OPEN
    if mark in "»›":
        # » right before a word, after a space or an apostrophe, is a reversed opening mark.
        if after and not _is_space(after) and (after.isalnum()) and opens_context:
            return OPEN
        return CLOSE
    if mark == "“":
        if not _is_space(before) and before not in "([{'’—–-" and closes_context and not after.isalnum():
            return CLOSE
        return OPEN
    if mark == "”":
        if opens_context and after.isalnum():
            return OPEN
        return CLOSE
    # The straight double quote: only its neighbours tell. No quote opens before punctuation.
    if after and after in ",.;:!?…)]}":
        return CLOSE
    if opens_context and not _is_space(after):
        return OPEN
    if not _is_space(before) and closes_context:
        return CLOSE
    return None


@dataclass
class _Open:
    offset: int
    mark: str
    paragraphs: int = 1


def _content_bounds(text: str, open_offset: int, end_limit: int) -> tuple[int, int]:
    start = open_offset + 1
    while start < end_limit and text[start].isspace():
        start += 1
    end = end_limit
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# How many more lines a hard-wrapped quote may run over before its closing mark (dispatch copy
# wraps at about 70 characters: a long fragment spans three or four lines).
WRAP_MAX_LINES = 6
_SENTENCE_END = '.!?…:;»”"'


# Words that never end a sentence nor a headline: a line ending with one goes on in the next.
_RUN_ON_WORDS = frozenset(
    """de du des d' le la les l' un une au aux à par pour sur sous dans en avec sans entre vers chez
    contre et ou que qu' qui dont son sa ses leur leurs ce cet cette ces notre nos votre vos""".split()
)


def runs_on(line: str, following: str) -> bool:
    """Whether ``line`` goes on in the ``following`` line: no sentence-final mark ends it and the
    next line starts with a lower-case letter, or the line ends with a word that cannot end a
    sentence (a preposition, an article: "faite par" then "Air France"). A hard wrap, not a new
    paragraph.

    Example: "a assuré qu'il" then "n'y aurait pas de retard." (runs on)
    """
    stripped = line.rstrip()
    last = stripped[-1:]
    if not last or last in _SENTENCE_END:
        return False
    if following[:1].islower():
        return True
    words = stripped.replace("’", "'").lower().split()
    return bool(following[:1].isalnum()) and words[-1] in _RUN_ON_WORDS


def _wrapped(text: str, line_start: int, open_mark: str) -> bool:
    """Whether the first mark of ``open_mark``'s family in the lines from ``line_start`` closes it.

    Reads the next line, and the lines after it while each runs on into the next (``runs_on``),
    at most ``WRAP_MAX_LINES``: each line is read a bounded number of times more, so the pairing
    stays linear.
    """
    family = _FAMILY[open_mark]
    for _ in range(WRAP_MAX_LINES):
        line_end = text.find("\n", line_start)
        if line_end < 0:
            line_end = len(text)
        for k in range(line_start, line_end):
            if text[k] in MARKS and _FAMILY[text[k]] == family:
                return _role(text, k) == CLOSE and k > line_start
        if line_end >= len(text) or not runs_on(text[line_start:line_end], text[line_end + 1 : line_end + 2]):
            return False
        line_start = line_end + 1
    return False


def find_marked_spans(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[MarkedSpan]:
    """Finds every quotation in marks, top-level and nested, in document order.

    Args:
        text: The normalised article text (paragraphs separated by ``\\n``).
        paragraphs: The paragraphs' (start, end), when some hold several lines (hard-wrapped
            dispatch copy, ``context.paragraph_bounds``): a line break inside a paragraph ends no
            quote, so a quote left unclosed runs to the end of its paragraph, not of its line.
            By default each line is a paragraph.

    Returns:
        The spans, sorted by opening offset.
    """
    spans: list[MarkedSpan] = []
    stack: list[_Open] = []
    wraps = {start + k for start, end in paragraphs or () for k, c in enumerate(text[start:end]) if c == "\n"}

    def close(opened: _Open, close_offset: int | None, close_mark: str | None, end_limit: int, depth: int) -> None:
        start, end = _content_bounds(text, opened.offset, end_limit)
        if end > start:
            spans.append(
                MarkedSpan(start, end, opened.offset, close_offset, opened.mark, close_mark, opened.paragraphs, depth)
            )

    i = 0
    length = len(text)
    while i < length:
        char = text[i]
        if char == "\n":
            if stack and i in wraps:
                i += 1  # a line break inside a hard-wrapped paragraph
                continue
            if stack:
                # Does the next paragraph reopen the same quote (one quote over several paragraphs)?
                j = i + 1
                while j < length and text[j] in " \t":
                    j += 1
                bottom = stack[0]
                if (
                    j < length
                    and text[j] in MARKS
                    and _FAMILY[text[j]] == _FAMILY[bottom.mark]
                    and _role(text, j) == OPEN
                ):
                    # Close the nested ones; the outer quote goes on past the reopening mark.
                    while len(stack) > 1:
                        inner = stack.pop()
                        close(inner, None, None, i, len(stack))
                    bottom.paragraphs += 1
                    i = j + 1
                    continue
                if _wrapped(text, i + 1, stack[-1].mark):
                    # A hard-wrapped line (dispatch copy): the quote closes on a next line, so
                    # this line break is not the end of its paragraph.
                    i += 1
                    continue
                while stack:
                    opened = stack.pop()
                    close(opened, None, None, i, len(stack))
            i += 1
            continue
        if char not in MARKS:
            i += 1
            continue
        role = _role(text, i)
        family = _FAMILY[char]
        if role is None:
            # An undecidable mark (a straight quote between two spaces): it closes an open quote,
            # else it opens one.
            role = CLOSE if stack else OPEN
        elif role == CLOSE and not stack and char == "»":
            # Nothing to close: a » standing alone between spaces opens a reversed pair (» … «).
            role = OPEN
        elif role == OPEN and char == "«" and stack and stack[-1].mark == "»":
            # … and the « of a reversed pair closes it.
            role = CLOSE
        if role == OPEN:
            nests = _is_space(text[i - 1] if i else "") and text[i + 1 : i + 2].isalpha()
            if stack and char == '"' and _FAMILY[stack[-1].mark] == "straight" and not nests:
                # A second straight quote that does not clearly open (a space before, a letter
                # after: "ne pas laisser des "monstres en liberté"") closes the first.
                opened = stack.pop()
                close(opened, i, char, i, len(stack))
            else:
                stack.append(_Open(i, char))
        elif stack:
            # A closing mark closes the innermost quote of its family; a closing mark of another
            # family closes the innermost quote (mismatched marks), the inner ones left unclosed.
            position = next((k for k in range(len(stack) - 1, -1, -1) if _FAMILY[stack[k].mark] == family), None)
            if position is None:
                position = len(stack) - 1
            while len(stack) > position + 1:
                inner = stack.pop()
                close(inner, None, None, i, len(stack))
            opened = stack.pop()
            close(opened, i, char, i, len(stack))
        i += 1
    while stack:
        opened = stack.pop()
        close(opened, None, None, length, len(stack))
    spans.sort(key=lambda span: (span.open_offset, span.depth))
    return spans
