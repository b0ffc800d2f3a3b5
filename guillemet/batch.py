"""``guillemet annotate`` on many inputs: the model loaded once, the texts parsed in ``nlp.pipe``
batches, one outcome per input, in input order.

An input is a file, a folder (its article files, ``ARTICLE_SUFFIXES``, in path order, recursively),
an http(s) URL, or ``-``: standard input, which holds either one article (an HTML page or plain
text, as ``annotate -`` always read) or JSON lines of articles, one an input (``{"text": …}`` or
``{"html": …}``, either with an optional ``"url"`` and ``"fetched_at"``). Standard input is read as
JSON lines when its first line is such an object; anything else is one article, as before (a
plain-text article whose headline is a JSON object with a "text" or "html" string is the one
input read otherwise). Each input gives its record or, when it cannot be handled, a dead letter (the pipeline's
failure record: stage, input, error) in its place, and the run goes on.

Reading, fetching and extraction run in this process, one input after the other; the parse runs
in ``nlp.pipe``, in ``n_process`` spaCy processes when more than one is asked, so that extraction
here overlaps the parse there. The quote and entity steps read each ``Doc`` here as it comes back.
Nothing holds more than the few batches in flight: the inputs are read as the parse asks for them.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from guillemet.article import annotate
from guillemet.errors import ConfigError, FetchError, GuillemetError
from guillemet.fetch import FetchSettings, fetch, utc_now_iso
from guillemet.records import Article, DeadLetter

# The files of a folder that are read as articles (HTML pages, plain text); others are skipped.
ARTICLE_SUFFIXES = (".html", ".htm", ".xhtml", ".txt", ".text")


@dataclass(frozen=True)
class Source:
    """One input: where it comes from, and its content when it came with its name.

    Attributes:
        name: The path, the URL, ``-`` (standard input) or ``-:N`` (line N of standard input).
        kind: ``file``, ``url`` or ``given`` (the content is here).
        content: For ``given``: the input's bytes (``form`` says how to read them).
        form: ``auto`` (HTML if it looks like a page, else plain text), ``html`` or ``text``.
        url: For ``given``: the URL the input came from, if known.
        fetched_at: For ``given``: when it was fetched, if known.
        error: Why the input could not even be read (a bad JSON line, an empty folder).
    """

    name: str
    kind: str
    content: bytes | None = None
    form: str = "auto"
    url: str | None = None
    fetched_at: str | None = None
    error: str | None = None


@dataclass
class Inputs:
    """The inputs of one ``annotate`` command.

    Attributes:
        sources: The inputs, in order (standard input's JSON lines are read as they are needed).
        many: Whether more than one record may come (several inputs, a folder, JSON lines).
        total: How many inputs, when known before the run (not for JSON lines).
    """

    sources: Iterable[Source]
    many: bool
    total: int | None


class InputError(GuillemetError):
    """An input that could not be read (a missing file, a bad JSON line, a folder without articles)."""


def open_inputs(names: Sequence[str], stdin: BinaryIO | None = None) -> Inputs:
    """The inputs named on the command line, folders expanded, standard input sniffed.

    Raises:
        ConfigError: ``-`` given more than once.
    """
    if list(names).count("-") > 1:
        raise ConfigError("annotate: - (standard input) can be given once")
    before: list[Source] = []
    after: list[Source] = []
    stdin_part: Iterable[Source] | None = None  # read where "-" stands among the inputs
    many = len(names) > 1
    for name in names:
        target = before if stdin_part is None else after
        if name == "-":
            stdin_part, from_lines = _stdin_sources(stdin if stdin is not None else sys.stdin.buffer)
            many = many or from_lines
        elif name.startswith(("http://", "https://")):
            target.append(Source(name, "url"))
        elif Path(name).is_dir():
            many = True
            target.extend(_folder_sources(Path(name)))
        else:
            target.append(Source(name, "file"))
    if stdin_part is None or isinstance(stdin_part, list):
        sources = [*before, *(stdin_part or ()), *after]
        return Inputs(sources, many, len(sources))
    return Inputs(itertools.chain(before, stdin_part, after), many, None)


def _folder_sources(folder: Path) -> list[Source]:
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix.lower() in ARTICLE_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )
    if not files:
        suffixes = ", ".join(ARTICLE_SUFFIXES)
        return [Source(str(folder), "file", error=f"the folder {folder} holds no article file ({suffixes})")]
    return [Source(str(path), "file") for path in files]


def _line_source(line: bytes, number: int) -> Source | None:
    """The input of one JSON line of standard input (None for a blank line)."""
    name = f"-:{number}"
    if not line.strip():
        return None
    try:
        value = json.loads(line)
    except ValueError as error:
        return Source(name, "given", error=f"line {number} of standard input is not JSON: {error}")
    if isinstance(value, dict):
        for form in ("text", "html"):
            if isinstance(value.get(form), str):
                url, fetched_at = value.get("url"), value.get("fetched_at")
                return Source(
                    name,
                    "given",
                    value[form].encode("utf-8"),
                    form=form,
                    url=url if isinstance(url, str) else None,
                    fetched_at=fetched_at if isinstance(fetched_at, str) else None,
                )
    return Source(name, "given", error=f'line {number} of standard input has no "text" nor "html" string')


def _is_json_line(line: bytes) -> bool:
    """Whether the first line of standard input opens JSON lines of articles (not an article)."""
    stripped = line.lstrip(b"\xef\xbb\xbf").strip()
    if not stripped.startswith(b"{"):
        return False  # a headline in double quotes is valid JSON too: only an object opens JSON lines
    try:
        value = json.loads(stripped)
    except ValueError:
        return False
    return isinstance(value, dict) and any(isinstance(value.get(k), str) for k in ("text", "html"))


def _stdin_sources(stream: BinaryIO) -> tuple[Iterable[Source], bool]:
    """Standard input as one article (a list of one) or as JSON lines (a generator); and which."""
    first = stream.readline()
    if not _is_json_line(first):
        return [Source("-", "given", first + stream.read())], False

    def lines() -> Iterator[Source]:
        source = _line_source(first.lstrip(b"\xef\xbb\xbf"), 1)
        if source is not None:
            yield source
        for number, line in enumerate(stream, 2):
            source = _line_source(line, number)
            if source is not None:
                yield source

    return lines(), True


def dead_letter(stage: str, source: Source, error: BaseException, url: str | None = None) -> DeadLetter:
    """The failure record of one input, as the pipeline's dead letters (docs/record.md)."""
    details: dict = {}
    if isinstance(error, FetchError):
        if error.status is not None:
            details["status"] = error.status
        details["attempts"] = error.attempts
    if not isinstance(error, GuillemetError):
        details["unexpected"] = True
    return DeadLetter(
        stage=stage,
        input_id=source.name,
        url=url or (source.name if source.kind == "url" else source.url),
        error_class=type(error).__name__,
        error=str(error)[:2000] or type(error).__name__,
        at=utc_now_iso(),
        details=details,
    )


class BatchAnnotator:
    """Reads, extracts and (with an analyzer) annotates inputs, yielding one outcome per input.

    Args:
        analyzer: A ``guillemet.nlp.ArticleAnalyzer``, or None for extraction only (``--no-nlp``).
        n_process: spaCy processes for the parse (``nlp.pipe(n_process=…)``); 1 parses here.
        fetch_settings: How URLs are fetched.
        min_text_chars: Passed to the extractor.
    """

    def __init__(
        self,
        analyzer=None,
        *,
        n_process: int = 1,
        fetch_settings: FetchSettings | None = None,
        min_text_chars: int = 200,
    ):
        self.analyzer = analyzer
        self.n_process = n_process
        self.fetch_settings = fetch_settings or FetchSettings()
        self.min_text_chars = min_text_chars

    def article(self, source: Source) -> Article | DeadLetter:
        """The record of one input before the NLP step, or its dead letter."""
        if source.error is not None:
            return dead_letter("ReadInput", source, InputError(source.error))
        url, fetched_at, content = source.url, source.fetched_at, source.content
        if source.kind == "url":
            try:
                page = fetch(source.name, self.fetch_settings)
            except Exception as error:  # noqa: BLE001 - one input's failure is its dead letter
                return dead_letter("FetchArticles", source, error)
            url, fetched_at, content = page.final_url, page.fetched_at, page.content
        elif source.kind == "file":
            try:
                content = Path(source.name).read_bytes()
            except OSError as error:
                return dead_letter(
                    "ReadInput", source, InputError(f"cannot read {source.name}: {error.strerror or error}")
                )
        try:
            return annotate(content, url, fetched_at=fetched_at, min_text_chars=self.min_text_chars, form=source.form)
        except Exception as error:  # noqa: BLE001 - one input's failure is its dead letter
            return dead_letter("ExtractText", source, error, url)

    def run(self, sources: Iterable[Source]) -> Iterator[tuple[Source, Article | DeadLetter]]:
        """Yields ``(input, record or dead letter)`` for each input, in input order.

        The model is loaded when the first article to parse comes: not at all if none does.
        """
        if self.analyzer is None:
            for source in sources:
                yield source, self.article(source)
            return
        parser = self.analyzer.parser
        checked = ((source, self._checked(parser, source)) for source in sources)
        first = None
        for outcome in checked:
            if isinstance(outcome[1], Article):
                first = outcome
                break
            yield outcome
        if first is None:
            return
        parser.load()
        # Every input in order, parsed or not: nlp.pipe returns the Docs in the order of the texts
        # it was given, so each Doc goes with the first article still waiting, and the failures
        # before that article are yielded first.
        waiting: deque[tuple[Source, Article | DeadLetter]] = deque()

        def texts() -> Iterator[str]:
            for outcome in itertools.chain([first], checked):
                waiting.append(outcome)
                if isinstance(outcome[1], Article):
                    yield outcome[1].text

        for doc in parser.nlp.pipe(texts(), batch_size=parser.batch_size, n_process=self.n_process):
            while isinstance(waiting[0][1], DeadLetter):
                yield waiting.popleft()
            source, article = waiting.popleft()
            try:
                yield source, self.analyzer.annotate_parsed(article, doc)
            except Exception as error:  # noqa: BLE001 - one article's failure must not stop the batch
                yield source, dead_letter("AnnotateArticle", source, error, article.url)
        yield from waiting

    def _checked(self, parser, source: Source) -> Article | DeadLetter:
        """The input's record if it is to be parsed, else its dead letter (``ArticleParser.check``)."""
        from guillemet.nlp import NlpError

        record = self.article(source)
        if isinstance(record, Article):
            try:
                parser.check(record)
            except NlpError as error:
                return dead_letter("ParseArticles", source, error, record.url)
        return record


class Progress:
    """Progress of a batch on a stream (stderr): a live line on a terminal, else a line every
    ``every_s`` seconds; ``close`` prints the totals. Quiet, only the notes (failures) are written.

    Args:
        stream: Where to write.
        total: How many inputs, if known.
        every_s: Seconds between two lines when the stream is not a terminal.
        clock: Monotonic seconds (a parameter, for tests).
        quiet: No progress lines, no totals.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int | None = None,
        every_s: float = 10.0,
        clock=time.monotonic,
        quiet: bool = False,
    ):
        self.stream = stream
        self.total = total
        self.every_s = every_s
        self.clock = clock
        self.quiet = quiet
        self.live = not quiet and bool(getattr(stream, "isatty", lambda: False)())
        self.started = self.last = clock()
        self.done = self.failed = 0
        self._width = 0

    def _line(self) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        of = f"/{self.total}" if self.total is not None else ""
        return (
            f"annotate: {self.done}{of} inputs, {self.failed} failed, {elapsed:.0f} s, "
            f"{self.done / elapsed:.2f} inputs/s"
        )

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = self.clock()
        if self.live and now - self.last >= 0.2:
            self.last = now
            self._write_live(self._line())
        elif not self.live and not self.quiet and now - self.last >= self.every_s:
            self.last = now
            print(self._line(), file=self.stream, flush=True)

    def note(self, message: str) -> None:
        """A line of its own (a failure), above the live line."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        print(message, file=self.stream, flush=True)

    def _write_live(self, line: str) -> None:
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def close(self) -> None:
        if self.quiet:
            return
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
        print(self._line().replace("annotate: ", "annotate: done, ", 1), file=self.stream, flush=True)
