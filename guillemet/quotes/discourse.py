"""What the reader knows at a point of the article: ``DiscourseState``.

Quotes are attributed in text order, and a quote with no cue, or a pronoun, depends on what came
before: who spoke last, when each person last spoke, the last quote in marks, the publications
quoted by name, the interviewee. That is all held here, in one object the extractor creates per
article and passes explicitly to the rules that read or update it; the context
(``context.ArticleContext``) stays as it was built.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from guillemet.quotes.context import ArticleContext
from guillemet.quotes.people import Person, QuoteEnds
from guillemet.quotes.types import Candidate, Resolution, Speaker

_SOURCE_RESOLUTIONS = (Resolution.ORGANISATION, Resolution.UNKNOWN, Resolution.EXPLICIT)


@dataclass
class DiscourseState:
    """The discourse so far, updated as each candidate is attributed."""

    recent: list[Person] = field(default_factory=list)  # speakers, the last one first
    last_quoted: dict[int, int] = field(default_factory=QuoteEnds)  # person id → end of their last quote
    last_marked: Candidate | None = None  # the last quote in marks kept and attributed
    publications: list[tuple[int, str]] = field(default_factory=list)  # (offset, name) quoted by name
    interviewee: Person | None = None  # the person an interview introduces, when there is one
    # The last speaker when it was no person of the index: (end of its quote, name, mention).
    last_source: tuple[int, str, tuple[int, int]] | None = None

    def remember(self, person: Person) -> None:
        """``person`` just spoke: they become the last speaker."""
        if person in self.recent:
            self.recent.remove(person)
        self.recent.insert(0, person)

    def previous_speaker(self, ctx: ArticleContext, position: int) -> Person | None:
        """Who speaks a quote with no cue: the last speaker, unless someone took the turn since
        as a subject ("Le ministre italien s'est aussi longuement exprimé…" then « … »)."""
        previous = self.recent[0] if self.recent else None
        active = ctx.people.antecedent(position, None, self.last_quoted)
        if active is None or previous is None:
            return previous or active
        since = ctx.people.last_active(active, position, self.last_quoted)
        return active if since > self.last_quoted.get(previous.id, -1) else previous

    def previous_source(self, ctx: ArticleContext, position: int) -> str | None:
        """The last source when it was no person (an organisation, a group, an unnamed descriptor)
        and nobody took the turn as a subject since, within the same or the next paragraph."""
        if self.last_source is None:
            return None
        end, name, _ = self.last_source
        active = ctx.people.antecedent(position, None, self.last_quoted)
        if active is not None and ctx.people.last_active(active, position, self.last_quoted) > end:
            return None
        starts = ctx.paragraph_starts
        if bisect.bisect_right(starts, position) - bisect.bisect_right(starts, end) > 1:
            return None
        return name

    def source_words(self, ctx: ArticleContext) -> str | None:
        """The words that named the last source, when it was no person ("le ministère de la Défense")."""
        if self.last_source is None:
            return None
        start, end = self.last_source[2]
        return ctx.text[start:end]

    def attribute(
        self,
        ctx: ArticleContext,
        candidate: Candidate,
        where: tuple[int, int] | None,
        person: Person | None,
        resolution: Resolution,
        name: str | None,
    ) -> None:
        """Gives ``candidate`` its speaker and records that ``person`` (if any) spoke."""
        candidate.person = person
        if person is not None:
            name = person.name
            self.remember(person)
            self.last_quoted[person.id] = max(self.last_quoted.get(person.id, -1), candidate.outer_end)
            self.last_source = None
        elif name and resolution in _SOURCE_RESOLUTIONS and where is not None:
            # A source that is no person of the index ("les syndicats", "Moody's", "un proche du
            # maire"): the next quote without a cue is theirs, not the last person's.
            self.last_source = (candidate.outer_end, name, where)
        elif resolution is Resolution.PRONOUN and self.last_source is not None and self.last_source[1] == name:
            # "Il précise que « … »" after the ministry's quote: the source spoke again.
            self.last_source = (candidate.outer_end, name, self.last_source[2])
        candidate.speaker = Speaker(
            text=ctx.text[where[0] : where[1]] if where else None,
            start=where[0] if where else None,
            end=where[1] if where else None,
            name=name,
            resolution=resolution,
        )

    def learn_descriptor(self, ctx: ArticleContext, person: Person, noun: str) -> None:
        """ "a expliqué la réalisatrice" makes her "la réalisatrice" for the rest of the article."""
        ctx.people.describe(person, noun)
