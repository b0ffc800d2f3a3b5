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
    ("pages", "direct", "F30"): 0.875,  # 0.896 (rec-a)
    ("pages", "direct", "P30"): 0.92,  # 0.941 (rec-a)
    ("pages", "direct", "F80"): 0.87,  # 0.892 (rec-a)
    ("pages", "direct", "F30_spk"): 0.71,  # 0.738 (q-df, q-spk, spk-a)
    ("pages", "direct", "speaker_acc"): 0.81,  # 0.835 (q-df, q-spk, spk-a)
    ("pages", "indirect", "F30"): 0.78,  # 0.80
    ("pages", "indirect", "P30"): 0.91,  # 0.938
    ("pages", "non_quotes", "rejected"): 0.935,  # 0.958 (rec-a)
    ("dispatches", "direct", "F30"): 0.955,  # 0.979 (rec-a)
    ("dispatches", "direct", "P30"): 0.97,  # 1.0 (q-df)
    ("dispatches", "direct", "F80"): 0.955,  # 0.979 (rec-a)
    ("dispatches", "direct", "F30_spk"): 0.82,  # 0.849 (q-df, spk-b)
    ("dispatches", "direct", "speaker_acc"): 0.86,  # 0.894 (spk-b; one quote of 66 is 0.015)
    ("dispatches", "indirect", "F30"): 0.86,  # 0.886 (ind-c)
    ("dispatches", "non_quotes", "rejected"): 0.93,  # 1.0 (q-df; one non-quote of 30 is 0.033)
    ("pages", "gender", "acc"): 0.92,  # 0.946
    ("dispatches", "gender", "acc"): 0.95,  # 0.984 (one quote of 64 is 0.016)
    ("all", "gender", "acc"): 0.935,  # 0.955 (gen-d)
    ("all", "gender", "coverage"): 0.94,  # 0.962 (gen-d)
}
# The share of women among gendered predictions may stray this far from the gold's: 0.173 for 0.141
# on 2026-12-02 after the evening's merges (gender, q-df, q-spk, spk-a, spk-b; bench/gender_errors.py all: +0.013
# from gold quotes still missed, mostly men's — nine fragments of one essay's author —, +0.008 from
# spurious or unmatched predictions, +0.007 from wrong speakers who are women, +0.005 from men
# matched with no gender). It was 0.172 (allowed 0.035) before them; q-df found more quotes, rightly
# given to women (three of Ana Sofia Cardenal's, Dominique Parent-Massin's). Issue 13 asks for
# 0.02, not met: what is left is the speakers' and the missed quotes'.
WOMEN_SHARE_GAP = 0.037


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
