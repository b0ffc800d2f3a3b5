"""The typed records the quote steps pass each other: kinds, resolutions, speakers, cues, candidates.

Nothing here reads the text: these are the values the finders (``candidates.py``), the cue rules
(``cues.py``), the speaker rules (``speakers.py``) and the rejection filters (``filters.py``)
produce. ``Candidate.quote()`` turns a kept candidate into the public ``records.Quote``, whose
``speaker`` stays the plain dict of the record's JSON Schema (``Speaker.as_dict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from guillemet.records import Quote

if TYPE_CHECKING:
    from guillemet.quotes.cues import BeforeQuote
    from guillemet.quotes.people import Person


class QuoteKind(StrEnum):
    """What a quotation is (the record's ``kind``)."""

    DIRECT = "direct"  # a whole utterance in marks, or an interview answer
    FRAGMENT = "fragment"  # a few quoted words inside the journalist's sentence
    INDIRECT = "indirect"  # reported speech without marks


class Resolution(StrEnum):
    """How the speaker was found (the record's ``speaker.resolution``)."""

    EXPLICIT = "explicit"  # a name, or a title and a surname
    PRONOUN = "pronoun"  # il, elle, a-t-elle dit: the person the pronoun refers to
    DESCRIPTOR = "descriptor"  # le président russe: the person the description was attached to
    ORGANISATION = "organisation"  # an organisation, a publication, a capital for its government
    PREVIOUS_SPEAKER = "previous_speaker"  # no cue: who spoke last, or took the turn since
    HEADLINE_MATCH = "headline_match"  # a headline quote: the speaker of the body quote repeating it
    INTERVIEWEE = "interviewee"  # an interview answer: the person the interview introduces
    UNKNOWN = "unknown"  # nobody named (the descriptor as written, or null)


@dataclass(frozen=True)
class Speaker:
    """Who said a quote: the words that name them (``text``, offsets) and the name they resolve to."""

    text: str | None = None
    start: int | None = None
    end: int | None = None
    name: str | None = None
    resolution: Resolution = Resolution.UNKNOWN

    def as_dict(self) -> dict[str, Any]:
        """The record's ``speaker`` object, keys in the schema's order."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "name": self.name,
            "resolution": self.resolution.value,
        }


UNKNOWN_SPEAKER = Speaker()


@dataclass(frozen=True)
class Rejection:
    """A rule's answer that the candidate is not a quotation: the name of the filter that fired."""

    rule: str


class Verdict:
    """A rule's answer that is neither a value nor a rejection: ``SETTLED``, ``filters.KEEP``."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


# A cue rule's answer that it attributed the candidate itself.
SETTLED = Verdict("SETTLED")


def first_answer(rules, *arguments):
    """Asks ``rules`` in order; the first that answers (not None) wins.

    Returns:
        The winning rule's name and its answer, or ``(None, None)`` when none answers.
    """
    for rule in rules:
        answer = rule(*arguments)
        if answer is not None:
            return rule.__name__, answer
    return None, None


@dataclass(frozen=True)
class Cue:
    """A reporting cue and where its subject is: a char span, a pronoun, or neither."""

    lemma: str | None  # None: a title's subject, with no verb of speech (cues.cue_title_subject)
    verb_start: int
    verb_end: int
    subject_start: int | None
    subject_end: int | None
    pronoun: str | None = None


@dataclass
class Candidate:
    """One possible quotation while the rules decide on it.

    The finders fill the span and how it was found; the cue rule, the speaker rule and the
    rejection filter that answered are recorded by name (``cue_rule``, ``speaker_rule``,
    ``rejected``), so that ``trace`` can say why a quote was kept or dropped.
    """

    start: int
    end: int
    open_offset: int  # the opening mark (or the start of the paragraph or clause)
    outer_end: int  # after the closing mark
    marked: bool = True
    answer: bool = False  # an interview answer
    headline: bool = False
    follows_incise: bool = False  # the second half of « …, explique X, … »
    incise: Cue | None = None  # the cue between the two halves of an interrupted quote
    subject: tuple[int, int] | str | None = None  # indirect speech: its subject, a span or a pronoun ("il")
    kind: QuoteKind = QuoteKind.DIRECT
    cue: str | None = None
    speaker: Speaker | None = None
    person: Person | None = None
    cue_rule: str = "cue_none"
    speaker_rule: str | None = None
    rejected: str | None = None  # the name of the filter that rejected it
    headline_unattributed: bool = False
    before: BeforeQuote | None = None  # the words before it in its sentence (``cues.before_quote``), once

    def quote(self, text: str, people) -> Quote:
        """The public record of a kept candidate; ``people`` (the ``PeopleIndex``) gives the
        speaker's entity id."""
        speaker = (self.speaker or UNKNOWN_SPEAKER).as_dict()
        speaker["entity_id"] = people.entity_id(self.person, speaker)
        return Quote(
            text=text[self.start : self.end],
            start=self.start,
            end=self.end,
            kind=QuoteKind.DIRECT.value if self.answer else self.kind.value,
            cue=self.cue,
            speaker=speaker,
        )


@dataclass(frozen=True)
class Decision:
    """What became of one candidate quotation: kept or rejected, and by which rule.

    For a kept quote ``rule`` is "<cue rule>/<speaker rule>" (e.g. "cue_after/speaker_named_in_subject");
    for a rejected one, the name of the rejection filter that fired (e.g. "reject_scare_quote").
    ``resolution`` is the kept quote's speaker resolution ("explicit", "pronoun"…).
    """

    start: int
    end: int
    kept: bool
    rule: str
    kind: str | None
    resolution: str | None = None

    @classmethod
    def of(cls, candidate: Candidate) -> Decision:
        kind = candidate.kind.value
        if candidate.rejected is not None:
            return cls(candidate.start, candidate.end, False, candidate.rejected, kind)
        resolution = (candidate.speaker or UNKNOWN_SPEAKER).resolution.value
        speaker_rule = candidate.speaker_rule or f"speaker_{resolution}"
        return cls(candidate.start, candidate.end, True, f"{candidate.cue_rule}/{speaker_rule}", kind, resolution)
