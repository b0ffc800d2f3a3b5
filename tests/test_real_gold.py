"""The real-text gold (../shared/quotes-gold-real): a floor under today's scores, and our scorer
agreeing with the gold's own score.py on the same predictions.

One parse of the 112 documents per test session (the module-scoped ``predicted`` fixture); the rest
is scoring, which takes seconds. Skipped when the shared folder is absent.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from guillemet.quotes import realgold
from tests.conftest import ROOT

pytestmark = pytest.mark.realworld

# The floors: a little under the figures measured when the test was written (docs/quotes.md has
# them). Raise them, in this one place, when the extractor improves.
FLOORS = {
    # Figures of 2026-12-03, after the merges of rec-a, spk-e, ind-c and gen-d (docs/quotes.md).
    ("pages", "direct", "F30"): 0.875,  # 0.898
    ("pages", "direct", "P30"): 0.92,  # 0.945
    ("pages", "direct", "F80"): 0.87,  # 0.894
    ("pages", "direct", "F30_spk"): 0.78,  # 0.802
    ("pages", "direct", "speaker_acc"): 0.87,  # 0.893
    ("pages", "indirect", "F30"): 0.87,  # 0.893
    ("pages", "indirect", "P30"): 0.92,  # 0.939
    ("pages", "non_quotes", "rejected"): 0.935,  # 0.958
    ("dispatches", "direct", "F30"): 0.955,  # 0.979
    ("dispatches", "direct", "P30"): 0.97,  # 1.0
    ("dispatches", "direct", "F80"): 0.955,  # 0.979
    ("dispatches", "direct", "F30_spk"): 0.86,  # 0.881
    ("dispatches", "direct", "speaker_acc"): 0.89,  # 0.913 (one quote of 69 is 0.015)
    ("dispatches", "indirect", "F30"): 0.88,  # 0.909
    ("dispatches", "non_quotes", "rejected"): 0.93,  # 1.0 (one non-quote of 30 is 0.033)
    # Issue 12's targets on all 112 documents: quote+speaker F1 0.80, speaker accuracy 0.88.
    ("all", "direct", "F30"): 0.90,  # 0.916
    ("all", "direct", "F80"): 0.89,  # 0.913
    ("all", "direct", "F30_spk"): 0.80,  # 0.820
    ("all", "direct", "speaker_acc"): 0.88,  # 0.898
    ("all", "indirect", "F30"): 0.87,  # 0.897
    ("all", "non_quotes", "rejected"): 0.94,  # 0.964
    ("pages", "gender", "acc"): 0.94,  # 0.964
    ("dispatches", "gender", "acc"): 0.95,  # 0.971 (one quote of 70 is 0.014)
    # Issue 13's targets: accuracy 0.95, coverage 0.90.
    ("all", "gender", "acc"): 0.95,  # 0.966
    ("all", "gender", "coverage"): 0.945,  # 0.966
}
# The share of women among gendered predictions may stray this far from the gold's (issue 13's
# target): 0.154 for 0.141 on 2026-12-03 (bench/gender_errors.py all: +0.011 from gold quotes
# still missed, mostly men's, +0.003 from spurious or unmatched predictions, -0.002 from matched
# quotes without a gender). It was 0.173 (allowed 0.037) before the day's speaker rounds: most of
# the gap was wrong speakers who are women and men's quotes we missed.
WOMEN_SHARE_GAP = 0.02


def _shared() -> Path | None:
    # The shared folder sits beside the checkout (/work/main) or beside the worktrees' folder.
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "quotes-gold-real" / "score.py").is_file():
            return base / "shared"
    return None


SHARED = _shared()
GOLD = SHARED / "quotes-gold-real" if SHARED else None


@pytest.fixture(scope="module")
def score():
    """The gold's own scorer, imported from the shared folder."""
    if GOLD is None:
        pytest.skip("../shared/quotes-gold-real is absent")
    spec = importlib.util.spec_from_file_location("real_gold_score", GOLD / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def documents():
    if GOLD is None:
        pytest.skip("../shared/quotes-gold-real is absent")
    return realgold.load_real_gold([GOLD])


@pytest.fixture(scope="module")
def predicted(documents):
    """The pipeline's predictions on every document: the one parse of the session."""
    predictions, failures = realgold.analyzer_predictions(documents, "md")
    assert not failures
    return predictions


def _as_score_predictor(documents, predictions):
    """score.py's ``predict(input)`` giving the same predictions as ours, keyed by input."""
    by_input = {doc.input: predictions.get(doc.id, []) for doc in documents}

    def predict(content):
        key = content if isinstance(content, bytes) else content.encode("utf-8")
        return [{"quote": p.quote, "speaker": p.speaker, "gender": p.gender, "kind": p.kind} for p in by_input[key]]

    return predict


def _compare(score, documents, predictions, parts=("pages", "dispatches", "all")):
    ours = realgold.score_parts(documents, predictions)
    predict = _as_score_predictor(documents, predictions)
    for part in parts:
        theirs = score._summary(score.evaluate(score.load(part, SHARED / "realworld"), predict))
        mine = {k: v for k, v in ours[part].items() if k not in ("documents", "errors")}
        assert mine == theirs, part
    return ours


def test_loads_every_document(documents, score):
    assert len(documents) == len(score.load("all", SHARED / "realworld")) == 112
    assert {d.part for d in documents} == {"pages", "dispatches"}


def test_agrees_with_score_py_on_perturbed_gold(score, documents):
    """No parse: predictions made from the gold itself, cut, mislabelled, with wrong speakers, the
    non-quotes and borderline items output as quotes: every figure equal to score.py's."""
    predictions = {}
    for n, doc in enumerate(documents):
        preds = []
        for i, quote in enumerate(doc.quotes):
            text = quote["quote"]
            if (n + i) % 5 == 0:
                continue  # a miss
            if (n + i) % 5 == 1:
                text = text[: max(1, len(text) // 2)]  # found at 30 %, not at 80 %
            speaker = quote.get("speaker") if (n + i) % 3 else "Quelqu'un d'autre"
            kind = quote["kind"] if (n + i) % 7 else "indirect"
            gender = quote.get("speaker_gender") if (n + i) % 4 else "F"
            preds.append(realgold.Prediction(text, speaker, gender, kind))
        preds += [realgold.Prediction(s, None, None, "fragment") for s in doc.non_quotes[::2]]
        preds += [realgold.Prediction(s, "X", "M", "direct") for s in doc.borderline]
        predictions[doc.id] = preds
    # "all" is the same scoring over both parts: compared once, on the pipeline's predictions.
    ours = _compare(score, documents, predictions, parts=("pages", "dispatches"))
    assert 0 < ours["pages"]["direct"]["F30"] < 1 and 0 < ours["dispatches"]["direct"]["F30"] < 1
    assert ours["pages"]["non_quotes"]["rejected"] < 1


def test_agrees_with_score_py_on_the_pipeline(score, documents, predicted):
    _compare(score, documents, predicted)


def test_floor_under_real_text_scores(documents, predicted):
    reports = realgold.score_parts(documents, predicted)
    below = {}
    for (part, group, key), floor in FLOORS.items():
        value = reports[part][group][key]
        if value is None or value < floor:
            below[(part, group, key)] = (value, floor)
    assert not below, below
    gender = reports["all"]["gender"]
    assert abs(gender["pred_women_share"] - gender["gold_women_share"]) <= WOMEN_SHARE_GAP, gender


def test_pages_without_a_quotation_give_none(documents, predicted):
    empty = [doc.id for doc in documents if doc.part == "pages" and not doc.quotes]
    assert len(empty) == 5
    assert {doc_id: predicted[doc_id] for doc_id in empty if predicted[doc_id]} == {}
