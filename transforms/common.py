"""What every stage shares: the dead-letter DoFn base, its counters and the stage result."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from guillemet import counters
from guillemet.errors import FetchError, GuillemetError
from guillemet.fetch import utc_now_iso
from guillemet.records import DeadLetter
from transforms import progress

_LOGGER = logging.getLogger(__name__)

DEAD_LETTER = "dead_letter"
METRICS_NAMESPACE = "guillemet"


class StageResult(NamedTuple):
    """The outputs of one stage."""

    good: beam.PCollection
    dead_letters: beam.PCollection


def dead_letter(stage: str, input_id: str | None, url: str | None, error: BaseException, **details: Any) -> DeadLetter:
    """Builds the dead letter of one input that a stage could not handle."""
    if isinstance(error, FetchError):
        if error.status is not None:
            details.setdefault("status", error.status)
        details.setdefault("attempts", error.attempts)
    if not isinstance(error, GuillemetError):
        # An unexpected exception: keep where it came from, for the bug report.
        details.setdefault("unexpected", True)
    return DeadLetter(
        stage=stage,
        input_id=input_id,
        url=url,
        error_class=type(error).__name__,
        error=str(error)[:2000] or type(error).__name__,
        at=utc_now_iso(),
        details=details,
    )


class DeadLetteringDoFn(beam.DoFn):
    """Runs one stage's work on each element; whatever fails becomes a dead letter.

    Beam's ``with_exception_handling`` would catch the exceptions too, but its failures carry the
    raw element and a traceback; ours must carry the stage, the input's id and URL and a reason a
    person can act on, and count in/out/failed per stage. Subclasses implement ``handle`` and
    ``identify``.
    """

    stage = "Stage"

    def __init__(self) -> None:
        # Tallied in this process too, for the live progress line (transforms/progress.py).
        self._in = progress.counter(METRICS_NAMESPACE, counters.stage_in(self.stage))
        self._out = progress.counter(METRICS_NAMESPACE, counters.stage_out(self.stage))
        self._failed = progress.counter(METRICS_NAMESPACE, counters.stage_failed(self.stage))

    def handle(self, element: Any) -> Iterable[Any]:
        raise NotImplementedError

    def identify(self, element: Any) -> tuple[str | None, str | None]:
        """The (id, URL) of an input, for its dead letter."""
        return None, None

    def process(self, element: Any) -> Iterator[Any]:
        self._in.inc()
        try:
            outputs = list(self.handle(element))
        except Exception as error:  # noqa: BLE001 - every failure of one input is data
            input_id, url = self.identify(element)
            self._failed.inc()
            if not isinstance(error, GuillemetError):
                _LOGGER.warning(
                    "%s: unexpected %s on %s", self.stage, type(error).__name__, url or input_id, exc_info=True
                )
            else:
                _LOGGER.info("%s: %s: %s", self.stage, url or input_id, error)
            yield TaggedOutput(DEAD_LETTER, dead_letter(self.stage, input_id, url, error))
            return
        for output in outputs:
            if isinstance(output, TaggedOutput):
                if output.tag == DEAD_LETTER:
                    self._failed.inc()
                yield output
            else:
                self._out.inc()
                yield output


def apply_stage(pcoll: beam.PCollection, label: str, fn: DeadLetteringDoFn, *extra_tags: str):
    """Applies a dead-lettering DoFn and returns its tagged outputs."""
    return pcoll | label >> beam.ParDo(fn).with_outputs(DEAD_LETTER, *extra_tags, main="good")
