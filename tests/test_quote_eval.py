"""The gold sets, the evaluator, and the seed acceptance case."""

import json
import subprocess
import sys
from collections import Counter

import pytest

from guillemet.quotes import realgold
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


# -- the real-text gold's scorer (guillemet/quotes/realgold.py) on gold written here --------------


def _doc(quotes, non_quotes=(), borderline=(), doc_id="d1"):
    return realgold.RealDocument(doc_id, "dispatches", b"", list(quotes), list(non_quotes), list(borderline))


def test_real_gold_fragment_inside_clause_is_one_event():
    clause = {
        "id": "q1",
        "quote": "le budget serait voté avant la fin du mois de juin",
        "kind": "indirect",
        "speaker": "Anne Leroy",
    }
    fragment = {
        "id": "q2",
        "inside": "q1",
        "quote": "avant la fin du mois",
        "kind": "fragment",
        "speaker": "Anne Leroy",
    }
    doc = _doc([clause, fragment])
    only_fragment = realgold.evaluate([doc], {"d1": [realgold.Prediction("avant la fin du mois", "Mme Leroy")]})
    assert only_fragment["direct"]["gold"] == 1 and only_fragment["direct"]["R30"] == 1.0
    assert only_fragment["indirect"]["gold"] == 0  # the clause is excused, not missed
    assert only_fragment["direct"]["speaker_acc"] == 1.0
    only_clause = realgold.evaluate([doc], {"d1": [realgold.Prediction(clause["quote"], "Leroy", kind="indirect")]})
    assert only_clause["direct"]["gold"] == 0 and only_clause["indirect"]["R30"] == 1.0
    nothing = realgold.evaluate([doc], {})
    assert nothing["direct"]["gold"] == 1 and nothing["indirect"]["gold"] == 1


def test_real_gold_borderline_and_non_quotes():
    quote = {"quote": "Nous ne lâcherons rien sur les salaires", "kind": "direct", "speaker": "Marc Petit"}
    doc = _doc([quote], non_quotes=["Le Petit Prince"], borderline=["une formule un peu creuse à mon avis"])
    preds = [
        realgold.Prediction("Nous ne lâcherons rien sur les salaires", "Anne Leroy"),
        realgold.Prediction("une formule un peu creuse à mon avis"),  # unscored: neither hit nor spurious
        realgold.Prediction("Le Petit Prince"),  # a non-quote taken, and spurious
        realgold.Prediction("J'ai relu Le Petit Prince hier soir avec mes deux enfants, le soir"),  # mentions it only
    ]
    report = realgold.evaluate([doc], {"d1": preds})
    assert report["direct"]["pred"] == 3 and report["direct"]["P30"] == round(1 / 3, 3)
    assert report["direct"]["speaker_acc"] == 0.0 and report["direct"]["F30_spk"] == 0.0
    assert report["non_quotes"] == {"total": 1, "rejected": 0.0}
    kinds = Counter(e["error"] for e in report["errors"])
    assert kinds == {"spurious": 2, "speaker": 1, "non-quote taken": 1}


@pytest.mark.parametrize(
    ("gold", "predicted", "same"),
    [
        ("Vladimir Poutine", "Poutine", True),
        ("Vladimir Poutine", "Vladimir", False),
        ("Mme Claire Dumas", "la ministre Claire Dumas", True),
        ("un proche du maire", "proche du maire", True),
        ("Commission européenne", "la Commission", False),
        (None, None, True),
        (None, "Paul", False),
        ("Paul Martin", None, False),
    ],
)
def test_real_gold_speaker_matching(gold, predicted, same):
    assert realgold.same_speaker(gold, predicted) is same


def test_real_gold_gender():
    quotes = [
        {
            "quote": "Il faut agir maintenant sur les loyers",
            "kind": "direct",
            "speaker": "Anne Leroy",
            "speaker_gender": "F",
        },
        {"quote": "Rien ne presse, croyez-moi bien", "kind": "direct", "speaker": "Marc Petit", "speaker_gender": "M"},
    ]
    preds = [
        realgold.Prediction("Il faut agir maintenant sur les loyers", "Anne Leroy", "F"),
        realgold.Prediction("Rien ne presse, croyez-moi bien", "Marc Petit", None),
    ]
    gender = realgold.evaluate([_doc(quotes)], {"d1": preds})["gender"]
    assert (gender["matched_FM"], gender["acc"], gender["coverage"]) == (2, 0.5, 0.5)
    assert (gender["gold_women_share"], gender["pred_women_share"]) == (0.5, 1.0)


def test_real_gold_loads_pages_and_dispatches(tmp_path):
    realworld = tmp_path / "realworld"
    (realworld / "quotes").mkdir(parents=True)
    (realworld / "pages").mkdir()
    (realworld / "pages" / "p1.html").write_bytes(b"<html><body><p>x</p></body></html>")
    (realworld / "quotes" / "sae_depeches_2008_categorized.txt").write_text(
        ".N 7\n.D 2008-01-02\n.T Un titre\nUne ligne.\n.N 8\n.T Autre\nFin.\n", encoding="utf-8"
    )
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "pages_gold.json").write_text(
        json.dumps({"documents": [{"id": "p1", "source": "pages/p1.html", "quotes": []}]})
    )
    (gold / "dispatches_gold.json").write_text(
        json.dumps({"documents": [{"id": "7", "locator": "sae 7", "quotes": [], "non_quotes": ["x"]}]})
    )
    assert realgold.is_real_gold(gold) and realgold.is_real_gold(gold / "pages_gold.json")
    assert not realgold.is_real_gold(DEV)
    docs = realgold.load_real_gold([gold])
    assert [(d.id, d.part) for d in docs] == [("p1", "pages"), ("7", "dispatches")]
    assert docs[1].input == b"Un titre\nUne ligne."
    with pytest.raises(realgold.RealGoldError, match="input not found"):
        realgold.load_real_gold([gold], realworld=tmp_path / "elsewhere")


def test_real_gold_rules_come_from_the_trace_when_offered():
    from collections import namedtuple

    Decision = namedtuple("Decision", "start end kept rule kind")
    quotes = [Quote("Un deux", 2, 9, "direct", "dire", None), Quote("trois", 20, 25, "fragment", None, None)]

    class Tracing:
        def trace(self, doc, text=None, blocks=None):
            assert text == "le texte"
            return [Decision(2, 9, True, "cue-after", "direct"), Decision(20, 25, False, "title-of-work", "fragment")]

    assert realgold._kept_rules(Tracing(), None, "le texte", quotes) == ["cue-after", None]
    assert realgold._kept_rules(object(), None, "le texte", quotes) == []
    record = {"text": "", "quotes": [{"text": "Un deux", "kind": "direct", "speaker": {"name": "Paul", "gender": "M"}}]}
    (prediction,) = realgold.record_predictions(record, ["cue-after"])
    assert prediction == realgold.Prediction("Un deux", "Paul", "M", "direct", "cue-after")
