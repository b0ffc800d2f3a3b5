"""The gold sets, the evaluator, and the seed acceptance case."""

import json
import subprocess
import sys
from collections import Counter

import pytest

from guillemet.quotes.evaluate import evaluate, same_speaker
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.quotes.gold import GoldArticle, GoldError, GoldQuote, GoldSpan, load_gold
from guillemet.records import Quote
from tests.conftest import ROOT

DEV = ROOT / "gold" / "quotes" / "dev"
CASES = {
    "guillemets-nbsp", "guillemets-nnbsp", "guillemets-tight", "curly-quotes", "straight-quotes",
    "mismatched-marks", "reversed-marks", "unclosed", "multi-paragraph", "interrupted", "nested",
    "colon-cue", "headline-colon", "headline-body-match", "inverted-cue", "pronoun", "descriptor",
    "title-surname", "organisation", "indirect-que", "indirect-selon", "indirect-dapres",
    "indirect-estime", "dialogue-dash", "rare-cue",
}  # fmt: skip


def test_dev_gold_set_is_complete():
    articles = load_gold(DEV)
    quotes = [q for a in articles for q in a.quotes]
    assert len(articles) >= 40
    assert len(quotes) >= 300
    kinds = Counter(q.kind for q in quotes)
    assert kinds["direct"] and kinds["fragment"] and kinds["indirect"]
    cases = Counter(case for q in quotes for case in q.cases)
    assert CASES <= set(cases), CASES - set(cases)
    assert sum(len(a.non_quotes) for a in articles) >= 100
    for article in articles:
        for quote in article.quotes:
            assert article.text[quote.start : quote.end] == quote.text


def test_seed_gold_loads(seed_path):
    (seed,) = load_gold(seed_path.with_name("article-poutine-kim.quotes.json"))
    assert len(seed.quotes) == 17
    assert seed.quotes[0].headline and seed.quotes[0].kind == "direct"


def test_gold_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"text": "abc", "quotes": [{"quote": "zzz", "kind": "direct", "speaker": None}]}))
    with pytest.raises(GoldError, match="not found in the text"):
        load_gold(bad)
    with pytest.raises(GoldError, match="no such file"):
        load_gold(tmp_path / "absent")


def test_evaluator_counts_exactly():
    text = "« Un deux trois quatre » dit-il. « Cinq six » ajoute-t-elle. Le « surnom » reste."
    gold = GoldArticle(
        "toy",
        text,
        (
            GoldQuote(2, 22, "Un deux trois quatre", "direct", "Paul"),
            GoldQuote(34, 43, "Cinq six", "direct", "Marie"),
        ),
        (GoldSpan(66, 72, "surnom", "nickname"),),
    )

    def fake(normalized: str):
        assert normalized == text
        return [
            Quote("deux trois quatre", 5, 22, "direct", "dire", {"name": "Paul"}),  # 85 % of the first
            Quote("surnom", 66, 72, "fragment", None, {"name": None}),  # a non-quote taken
        ]

    report = evaluate([gold], fake)
    at30, at80 = report["scores"]["direct+fragment"]["30%"], report["scores"]["direct+fragment"]["80%"]
    assert (at30["gold"], at30["predicted"], at30["recall"], at30["precision"]) == (2, 2, 0.5, 0.5)
    assert at80["recall"] == 0.5
    assert report["speaker_accuracy"] == 1.0
    assert report["non_quote_rejection"] == 0.0


def test_speaker_comparison():
    assert same_speaker("Hélène Marchetti", "helene  marchetti")
    assert same_speaker("groupe socialiste à l’Assemblée", "groupe socialiste à l'Assemblée")
    assert not same_speaker("Vladimir Poutine", "Poutine")
    assert same_speaker("Vladimir Poutine", "Poutine", lenient=True)
    assert same_speaker(None, None)


def test_seed_acceptance(seed_path, nlp_md):
    """The product owner's first acceptance case: all 17 quotes found, at least 15 speakers right."""
    (seed,) = load_gold(seed_path.with_name("article-poutine-kim.quotes.json"))
    extractor = QuoteExtractor()
    report = evaluate([seed], lambda text: extractor.extract(nlp_md(text)))
    assert report["scores"]["direct+fragment"]["30%"]["recall"] == 1.0
    assert report["speakers_scored"] == 17
    assert report["speaker_accuracy"] * 17 >= 15


def test_cli_eval_quotes_json(seed_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "eval-quotes",
            str(seed_path.with_name("article-poutine-kim.quotes.json")),
            "--json",
            "-q",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    report = json.loads(done.stdout)
    assert report["articles"] == 1
    assert set(report["scores"]) == {"direct", "fragment", "direct+fragment", "indirect"}
    assert "30%" in report["scores"]["direct"] and "80%" in report["scores"]["direct"]


def test_thresholds_differ_on_partial_overlap():
    text = "« Un deux trois quatre cinq six sept huit » dit-il."
    gold = GoldArticle("toy", text, (GoldQuote(2, 41, text[2:41], "direct", "Paul"),))
    half = Quote(text[2:22], 2, 22, "direct", "dire", {"name": "Paul"})  # about half of the gold quote
    report = evaluate([gold], lambda normalized: [half])
    assert report["scores"]["direct"]["30%"]["recall"] == 1.0
    assert report["scores"]["direct"]["80%"]["recall"] == 0.0
    assert report["scores"]["direct"]["80%"]["precision"] == 0.0


def test_held_out_gold_set_loads():
    articles = load_gold(ROOT / "gold" / "quotes" / "test")
    assert len(articles) >= 14
    assert sum(len(a.quotes) for a in articles) >= 110
    for article in articles:
        for quote in article.quotes:
            assert article.text[quote.start : quote.end] == quote.text
