"""Per-article work budgets (``guillemet.budget``): the quote step stops on an article that would
cost it more than ``nlp.quote_work_per_char`` tokens read per character; that article is an
``ExtractQuotes`` dead letter and the other articles of the run are written with their quotes."""

from __future__ import annotations

import pytest
import spacy

from guillemet.budget import BudgetExceededError, WorkBudget, quote_budget
from guillemet.config import parse_config
from guillemet.quotes.extractor import QuoteExtractor
from pipeline.run import run
from tests.test_run_safety import PAGE, _corpus, _lines, _page, _profile


def _one_sentence_of_quotes(n: int) -> str:
    # n quotes in one sentence that never ends: each attribution reads the whole sentence, so the
    # step's work grows as n × its length.
    return " ".join(f"« nous ne céderons sur rien cette fois {i} », a dit le maire," for i in range(n)) + " et voilà"


def test_the_budget_stops_the_quote_step_on_a_costly_article_only():
    nlp = spacy.blank("fr")
    extractor = QuoteExtractor()
    costly = _one_sentence_of_quotes(2000)
    limit = f"{20 * len(costly):,}"  # 20 tokens read a character, the default
    with pytest.raises(BudgetExceededError, match=f"budget exceeded: ExtractQuotes spent more than {limit} tokens"):
        extractor.extract(nlp(costly), costly, budget=quote_budget(costly, 20))
    normal = "« Nous ne céderons pas », a dit Paul. " * 40
    budget = quote_budget(normal, 20)
    assert len(extractor.extract(nlp(normal), normal, budget=budget)) == 40
    assert 0 < budget.spent <= 0.5 * len(normal)  # real articles read 0.14 to 0.23 tokens a character


def test_a_budget_counts_what_is_spent():
    budget = WorkBudget("Step", 10, "units")
    budget.spend(10)
    with pytest.raises(BudgetExceededError, match="Step spent more than 10 units"):
        budget.spend(1)
    unlimited = WorkBudget.per_char("Step", "abc", None, 5, "units")
    unlimited.spend(10**9)
    assert WorkBudget.per_char("Step", "abc", 2, 7, "units").limit == 7
    assert WorkBudget.per_char("Step", "abcd", 2, 7, "units").limit == 8


@pytest.mark.slow
def test_an_article_over_its_budget_is_a_dead_letter_and_the_run_goes_on(tmp_path):
    costly = PAGE.format(title="Séance", canonical="couteuse", paragraphs=f"<p>{_one_sentence_of_quotes(1000)}.</p>")
    pages = {"couteuse": costly, "normale": _page("Déclaration", "normale", "Jeanne Lefort")}
    root = _corpus(tmp_path / "corpus", pages)
    config = parse_config(_profile(root, "{model: sm, entities: false}"), "budget.yaml")
    summary = run(config, ["--runner=FnApiRunner"], output=str(tmp_path / "out"))
    assert summary.state == "DONE"
    dead = _lines(summary.outputs["dead"])
    assert [(d["stage"], d["url"].rsplit("/", 1)[-1], d["error_class"]) for d in dead] == [
        ("ExtractQuotes", "couteuse.html", "BudgetExceededError")
    ]
    assert dead[0]["error"].startswith("budget exceeded: ExtractQuotes spent more than 1,")
    (written,) = _lines(summary.outputs["articles"])
    assert written["url"].endswith("normale.html")
    assert written["quotes"] and {q["speaker"]["name"] for q in written["quotes"]} == {"Jeanne Lefort"}
