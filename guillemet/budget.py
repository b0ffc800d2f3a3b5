"""Per-article work budgets: a step that spends more than its budget on one article stops there,
and the article becomes that step's dead letter; the run goes on.

Work is counted in units of the step's own input (tokens read, characters compared), never in
seconds: the same article spends the same on every machine, so a budget decides alike on a laptop
and on a loaded worker, and a test can assert on it.
"""

from __future__ import annotations

from guillemet.errors import GuillemetError


class BudgetExceededError(GuillemetError):
    """A step spent more than its budget on one article."""


class WorkBudget:
    """What one step may spend on one article, in work units, and what it has spent.

    Args:
        stage: The step, named in the error.
        limit: Units allowed; ``None`` for no limit.
        unit: What a unit is, named in the error ("tokens read").
    """

    def __init__(self, stage: str, limit: int | None, unit: str = "work units"):
        self.stage = stage
        self.limit = limit
        self.unit = unit
        self.spent = 0

    @classmethod
    def per_char(cls, stage: str, text: str, per_char: int | None, floor: int, unit: str) -> WorkBudget:
        """A budget that grows with the text: ``per_char`` units a character, at least ``floor``."""
        return cls(stage, None if per_char is None else max(floor, per_char * len(text)), unit)

    def spend(self, units: int) -> None:
        """Counts ``units`` spent.

        Raises:
            BudgetExceededError: the total is over the limit.
        """
        self.spent += units
        if self.limit is not None and self.spent > self.limit:
            raise BudgetExceededError(
                f"budget exceeded: {self.stage} spent more than {self.limit:,} {self.unit} on this article"
            )


# Real articles read at most about 0.25 tokens per character (60 pages of ../shared/realworld and
# the demo: 0.14 to 0.23); the default budget is about 90 times that, and never under this floor.
QUOTE_WORK_FLOOR = 100_000


def quote_budget(text: str, per_char: int | None) -> WorkBudget:
    """The quote step's budget for one article: ``per_char`` tokens read a character (``nlp.quote_work_per_char``)."""
    return WorkBudget.per_char("ExtractQuotes", text, per_char, QUOTE_WORK_FLOOR, "tokens read")
