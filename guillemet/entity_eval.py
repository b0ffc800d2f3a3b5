"""``eval-entities``: spaCy's raw mentions and our consolidated entities scored against NER gold.

Reads WebAnno TSV gold folders (guillemet/ner_gold.py), runs one model over each document and
scores both views, per document and micro-averaged over all of them. ``evaluate_ner_gold`` returns
a plain dict (the ``--json`` report); ``render`` gives the table the command prints.
"""

from __future__ import annotations

from collections.abc import Iterable

from guillemet.entities import consolidate, mention_labels, raw_mentions
from guillemet.ner_gold import NerDocument, load_ner_gold, score, without_elision

# Micro totals: each document's offsets are moved by this much so they stay unique.
_DOCUMENT_STRIDE = 10_000_000


class NerGoldError(ValueError):
    """No *.webanno.tsv file in the folders given."""


def load_documents(folders: Iterable[str]) -> list[NerDocument]:
    folders = list(folders)
    documents = [document for folder in folders for document in load_ner_gold(folder)]
    if not documents:
        raise NerGoldError(f"no *.webanno.tsv file in {' '.join(folders)}")
    return documents


def evaluate_ner_gold(folders: Iterable[str], model: str = "md") -> dict:
    """Scores raw and consolidated mentions of ``model`` on the gold in ``folders``."""
    from guillemet.nlp import ArticleAnalyzer

    documents = load_documents(folders)
    nlp = ArticleAnalyzer(model).load().nlp
    report = {"model": nlp.meta["name"], "corpora": {}}
    totals = {"raw": ([], []), "consolidated": ([], [])}
    for offset, document in enumerate(documents):
        doc = nlp(document.text)
        raw = [(m.start, m.end, m.label) for m in raw_mentions(doc)]
        consolidated = mention_labels(consolidate(doc))
        report["corpora"][document.id] = {
            "raw": score(list(document.mentions), raw, document.text),
            "consolidated": score(list(document.mentions), consolidated, document.text),
        }
        key = offset * _DOCUMENT_STRIDE
        for name, predicted in (("raw", raw), ("consolidated", consolidated)):
            gold = [without_elision(document.text, m) for m in document.mentions]
            found = [without_elision(document.text, m) for m in predicted]
            totals[name][0].extend((s + key, e + key, label) for s, e, label in gold)
            totals[name][1].extend((s + key, e + key, label) for s, e, label in found)
    report["all"] = {name: score(gold, predicted) for name, (gold, predicted) in totals.items()}
    return report


def render(report: dict) -> str:
    """The report as the table ``guillemet eval-entities`` prints."""
    lines = [
        f"eval-entities ({report['model']}): mentions, exact span and label, PER/ORG/LOC",
        f"{'corpus':<28}{'gold':>6}{'raw P':>8}{'raw R':>8}{'raw F1':>8}{'cons P':>8}{'cons R':>8}{'cons F1':>9}{'delta':>8}",
    ]
    for name, scores in [*report["corpora"].items(), ("ALL (micro)", report["all"])]:
        raw, cons = scores["raw"], scores["consolidated"]
        lines.append(
            f"{name:<28}{raw['gold']:>6}{raw['precision']:>8.3f}{raw['recall']:>8.3f}{raw['f1']:>8.3f}"
            f"{cons['precision']:>8.3f}{cons['recall']:>8.3f}{cons['f1']:>9.3f}{100 * (cons['f1'] - raw['f1']):>+8.1f}"
        )
    return "\n".join(lines)
