"""French typographic normalisation, with a map back to the original offsets.

The normalised text is the one every offset in a record refers to (quotes, entities), and the one
spaCy parses. The rules, in order:

1. line breaks (CRLF, CR, U+2028/2029, NEL) become ``\\n``;
2. a letter written with combining accents (``e`` + U+0301) is composed (NFC, ``é``); then
   mojibake and other encoding damage are repaired by ftfy, line by line, with its quote
   uncurling off (curly quotes are data for the quote finder);
3. invisible characters (zero-width spaces and joiners, word joiner, BOM, soft hyphen) are removed;
4. every horizontal space variant (U+00A0 NBSP, U+202F narrow NBSP, thin, figure, em/en spaces,
   tabs) becomes a plain space: French outlets use them inconsistently around « » : ; ! ?, and
   the models were trained on plain spaces;
5. an apostrophe inside a word (’ ʼ ‘ ` ´ ′ between letters, or before an opening mark) becomes the
   ASCII ``'``, so "l’Etat" and "l'Etat" tokenise alike;
6. guillemets get one space inside (``«texte»`` → ``« texte »``);
7. runs of spaces collapse to one, lines are trimmed, and more than one blank line collapses.

No library keeps an offset map through such rewrites, so this module applies each rule with a small
substitution helper that carries, for every output character, the offset of the input character it
came from. ``NormalizedText.to_source`` and ``from_source`` convert spans both ways. Every rule is
linear in the text's length; ftfy's repair of a line is mapped back word by word, or by difflib
in small windows around each change (``_align``), linear in the line's length too.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import ftfy

NORMALIZATION_VERSION = "2"

_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, normalization="NFC", explain=False)


@dataclass(frozen=True)
class NormalizedText:
    """A normalised text and, for each of its characters, the source offset it came from.

    Attributes:
        text: The normalised text.
        source: The original text.
        offsets: ``len(text) + 1`` source offsets; ``offsets[i]`` is where ``text[i]`` came from, and
            the last one is ``len(source)``.
        changes: How many times each rule changed something.
    """

    text: str
    source: str
    offsets: tuple[int, ...]
    changes: dict[str, int] = field(default_factory=dict)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Maps a span of the normalised text to the span of the source it came from."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if end == start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def from_source(self, start: int, end: int) -> tuple[int, int]:
        """Maps a span of the source text to the smallest normalised span that covers it."""
        new_start = bisect.bisect_left(self.offsets, start, 0, len(self.text))
        new_end = bisect.bisect_left(self.offsets, end, 0, len(self.text))
        return new_start, max(new_start, new_end)


class _Tracked:
    """A string under rewrite, carrying one source offset per character (plus the end)."""

    def __init__(self, text: str):
        self.text = text
        self.offsets = list(range(len(text) + 1))
        self.changes: Counter[str] = Counter()

    def sub(self, rule: str, pattern: re.Pattern[str], replacement: str | Callable[[re.Match[str]], str]) -> None:
        pieces: list[str] = []
        offsets: list[int] = []
        position = 0
        changed = 0
        for match in pattern.finditer(self.text):
            new = replacement if isinstance(replacement, str) else replacement(match)
            old = match.group(0)
            if new == old:
                continue
            changed += 1
            pieces.append(self.text[position : match.start()])
            offsets.extend(self.offsets[position : match.start()])
            pieces.append(new)
            offsets.extend(self._spread(match.start(), match.end(), len(new)))
            position = match.end()
        if not changed:
            return
        pieces.append(self.text[position:])
        offsets.extend(self.offsets[position:])
        self.text = "".join(pieces)
        self.offsets = offsets
        self.changes[rule] += changed

    def _spread(self, start: int, end: int, length: int) -> list[int]:
        # A replacement of the same length maps one to one; a shorter or longer one maps each new
        # character to the matched character at the same position, the extra ones to the last.
        if end == start:
            return [self.offsets[start]] * length
        return [self.offsets[min(start + i, end - 1)] for i in range(length)]

    def replace_lines(self, rule: str, fix: Callable[[str], str]) -> None:
        pieces: list[str] = []
        offsets: list[int] = []
        changed = 0
        position = 0
        for line in self.text.split("\n"):
            line_offsets = self.offsets[position : position + len(line)]
            fixed = fix(line) if line else line
            if fixed != line:
                changed += 1
                line_offsets = _align(line, fixed, line_offsets)
            pieces.append(fixed)
            offsets.extend(line_offsets)
            position += len(line)
            if position < len(self.text):
                pieces.append("\n")
                offsets.append(self.offsets[position])
                position += 1
        if not changed:
            return
        offsets.append(self.offsets[-1])
        self.text = "".join(pieces)
        self.offsets = offsets
        self.changes[rule] += changed


# The repaired line is aligned window by window: a common run is skipped by direct comparison, and
# difflib only sees the next differing stretch, at most ``_MAX_WINDOW`` characters a side. Its cost
# is quadratic in the window, not in the line (a 65 kB paragraph with decomposed accents took 91 s
# when the whole line went to one SequenceMatcher).
_WINDOW = 64
_MAX_WINDOW = 256


def _align(old: str, new: str, old_offsets: list[int]) -> list[int]:
    """Source offsets for ``new``, a repaired ``old``: word by word when the spaces are kept.

    ftfy's repairs stay inside words (a composed accent, a mojibake sequence, an entity), so when
    both sides hold as many spaces, the n-th word of one is the n-th of the other, and each changed
    word is aligned alone: a matcher over the whole line could pair a word with a distant copy of
    its repair. A repair that eats or makes a space (``Ã`` + space is ``à``) aligns the whole line.
    """
    old_words, new_words = old.split(" "), new.split(" ")
    if len(old_words) != len(new_words) or any(not o and n for o, n in zip(old_words, new_words, strict=True)):
        return _align_windows(old, new, old_offsets)
    result: list[int] = []
    position = 0
    for old_word, new_word in zip(old_words, new_words, strict=True):
        word_offsets = old_offsets[position : position + len(old_word)]
        result.extend(word_offsets if old_word == new_word else _align_windows(old_word, new_word, word_offsets))
        position += len(old_word)
        if position < len(old):
            result.append(old_offsets[position])
            position += 1
    return result


def _align_windows(old: str, new: str, old_offsets: list[int]) -> list[int]:
    """Source offsets for ``new``, a repaired ``old``: equal runs map through, changed runs spread.

    Near-linear in the line's length: ftfy's repairs are local (a composed accent, a mojibake
    sequence, an entity), so each differing stretch is aligned by difflib inside a small window
    (doubled, up to ``_MAX_WINDOW``, while its first change fills it), and only the opcodes of the
    window's first half are kept (``_settled``); the next window starts where they end.
    """
    result: list[int] = []
    i = j = 0
    window = _WINDOW
    while i < len(old) and j < len(new):
        common = _common_prefix(old, new, i, j)
        result.extend(old_offsets[i : i + common])
        i += common
        j += common
        if i == len(old) or j == len(new):
            break
        a_end, b_end = min(len(old), i + window), min(len(new), j + window)
        matcher = difflib.SequenceMatcher(a=old[i:a_end], b=new[j:b_end], autojunk=False)
        opcodes = matcher.get_opcodes()
        if a_end < len(old) or b_end < len(new):
            opcodes = _settled(opcodes, (a_end - i) // 2, (b_end - j) // 2)
            if not opcodes:
                if window < _MAX_WINDOW:
                    window *= 2
                    continue
                # No character in common over a whole window: spread it as one change and go on.
                opcodes = [("replace", 0, a_end - i, 0, b_end - j)]
        for tag, a0, a1, b0, b1 in opcodes:
            if tag == "replace":
                result.extend(_replaced(old[i + a0 : i + a1], new[j + b0 : j + b1], old_offsets[i + a0 : i + a1]))
            else:
                result.extend(_spread(old_offsets, i + a0, i + a1, b1 - b0))
        i += opcodes[-1][2]
        j += opcodes[-1][4]
        window = _WINDOW
    # What is left on one side only: a deletion maps nothing, an insertion maps to where it stands.
    result.extend(_spread(old_offsets, i, len(old), len(new) - j))
    return result


def _settled(
    opcodes: list[tuple[str, int, int, int, int]], half_a: int, half_b: int
) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of a window that its far half cannot change: those up to an equal run there.

    Near a window's edge one side may hold text whose counterpart lies past the other side's edge,
    and difflib would pair it with a wrong, distant match; the first half of both sides is aligned
    with context on either side, so the opcodes are kept up to the last equal run that starts in it
    (cut at the half), and none when the first change reaches past it.
    """
    settled: list[tuple[str, int, int, int, int]] = []
    for tag, a0, a1, b0, b1 in opcodes:
        if a1 <= half_a and b1 <= half_b:
            settled.append((tag, a0, a1, b0, b1))
            continue
        if tag == "equal" and a0 < half_a and b0 < half_b:
            cut = min(half_a - a0, half_b - b0)
            settled.append((tag, a0, a0 + cut, b0, b0 + cut))
        break
    while settled and settled[-1][0] != "equal":
        settled.pop()
    return settled


def _common_prefix(old: str, new: str, i: int, j: int) -> int:
    """The length of the common run of ``old[i:]`` and ``new[j:]``, compared in doubling chunks."""
    length, step = 0, 16
    while i + length < len(old) and j + length < len(new):
        chunk = min(step, len(old) - i - length, len(new) - j - length)
        if old[i + length : i + length + chunk] != new[j + length : j + length + chunk]:
            while old[i + length] == new[j + length]:
                length += 1
            return length
        length += chunk
        step *= 2
    return length


def _replaced(old: str, new: str, old_offsets: list[int]) -> list[int]:
    """Source offsets for ``new``, which ftfy wrote in place of ``old`` (one changed stretch).

    Mojibake is UTF-8 read one byte a character, so when ``old`` has as many characters as ``new``
    has UTF-8 bytes, each new character maps to the first of its bytes (``’é`` from ``â€™Ã©`` maps
    to the ``â`` and the ``Ã``); otherwise the characters are spread by position.
    """
    sizes = [len(char.encode("utf-8", "surrogatepass")) for char in new]
    if len(new) < len(old) and sum(sizes) == len(old):
        result, at = [], 0
        for size in sizes:
            result.append(old_offsets[at])
            at += size
        return result
    return _spread(old_offsets, 0, len(old), len(new))


def _spread(old_offsets: list[int], a0: int, a1: int, length: int) -> list[int]:
    # Each new character maps to the old one at the same position, the extra ones to the last; an
    # insertion maps to the old character it stands before (the line's last one at its end).
    if a1 > a0:
        return [old_offsets[min(a0 + k, a1 - 1)] for k in range(length)]
    if not old_offsets:
        return [0] * length
    return [old_offsets[min(a0, len(old_offsets) - 1)]] * length


_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
_NBSP = re.compile(r"\u00a0")
_NNBSP = re.compile(r"\u202f")
_OTHER_SPACES = re.compile(r"[\t\u2000-\u200a\u205f\u3000\u1680]")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[’ʼ‘`´′](?=[^\W\d_]|[«“\"])")
_AFTER_OPENING = re.compile(r"«(?=[^\s»])")
_BEFORE_CLOSING = re.compile(r"(?<=[^\s«])»")
_SPACE_RUNS = re.compile(r" {2,}")
_LINE_EDGES = re.compile(r"(?m)^ +| +$")
_BLANK_LINES = re.compile(r"\n{3,}")
_MOJIBAKE_HINT = re.compile(r"[\u0080-\u00ff\u0100-\u017f\u2018-\u203a\ufffd]")
# A character and the combining marks after it, composed here with a per-character map (``é`` from
# ``e`` + U+0301 maps to the ``e``) rather than by ftfy's NFC step, whose offsets difflib must guess.
_DECOMPOSED = re.compile(r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+", re.DOTALL)


def _compose(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", match.group(0))


def _ftfy_line(line: str) -> str:
    return ftfy.fix_text(line, config=_FTFY_CONFIG)


def normalize_text(raw: str) -> NormalizedText:
    """Normalises French news text; see the module docstring for the rules.

    Args:
        raw: The extracted text, as given.

    Returns:
        The normalised text with its offset map back into ``raw`` and the count of changes by rule.
    """
    tracked = _Tracked(raw)
    tracked.sub("line_breaks", _LINE_BREAKS, "\n")
    tracked.sub("accents_composed", _DECOMPOSED, _compose)
    if _MOJIBAKE_HINT.search(tracked.text):
        tracked.replace_lines("encoding_repairs", _ftfy_line)
    tracked.sub("invisible_removed", _INVISIBLE, "")
    tracked.sub("nbsp", _NBSP, " ")
    tracked.sub("narrow_nbsp", _NNBSP, " ")
    tracked.sub("other_spaces", _OTHER_SPACES, " ")
    tracked.sub("apostrophes", _APOSTROPHE, "'")
    tracked.sub("guillemet_spacing", _AFTER_OPENING, "« ")
    tracked.sub("guillemet_spacing", _BEFORE_CLOSING, " »")
    tracked.sub("whitespace", _SPACE_RUNS, " ")
    tracked.sub("whitespace", _LINE_EDGES, "")
    tracked.sub("whitespace", _BLANK_LINES, "\n\n")
    text, offsets = tracked.text, tracked.offsets
    # Trim the text's own edges last, keeping the map aligned.
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    if lead or trail < len(text):
        offsets = offsets[lead:trail] + [offsets[trail]]
        text = text[lead:trail]
        tracked.changes["whitespace"] += 1
    return NormalizedText(text=text, source=raw, offsets=tuple(offsets), changes=dict(tracked.changes))
