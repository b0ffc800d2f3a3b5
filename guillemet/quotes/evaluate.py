"""Scoring predicted quotes against a gold set (``guillemet eval-quotes``).

A gold quote counts as found at threshold t when at least t of its characters are covered by one
predicted quote; a predicted quote is correct at t when it finds a gold quote that way. Direct and
fragment quotes (in marks) are scored together and apart; indirect quotes apart. Speaker accuracy
is measured over the gold quotes found at 30 %; non-quote rejection is the share of gold non-quotes
(titles, nicknames, scare quotes, negated cues) that no predicted quote takes: covers 30 % or more
of the non-quote, the non-quote being at least half of the predicted quote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from guillemet.normalize import normalize_text
from guillemet.quotes.gold import GoldArticle
from guillemet.quotes.lexicon import canonical_name
from guillemet.records import Quote

THRESHOLDS = (0.3, 0.8)
GROUPS = {
    "direct": ("direct",),
    "fragment": ("fragment",),
    "direct+fragment": ("direct", "fragment"),
    "indirect": ("indirect",),
}


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def same_speaker(gold: str | None, predicted: str | None, *, lenient: bool = False) -> bool:
    gold_name, predicted_name = canonical_name(gold), canonical_name(predicted)
    if gold_name == predicted_name:
        return True
    if not lenient or not gold_name or not predicted_name:
        return False
    gold_tokens, predicted_tokens = gold_name.split(), predicted_name.split()
    return gold_tokens[-1] == predicted_tokens[-1] and (
        set(gold_tokens) <= set(predicted_tokens) or set(predicted_tokens) <= set(gold_tokens)
    )


@dataclass
class _Tally:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    def scores(self) -> dict[str, float | int]:
        precision = self.correct / self.predicted if self.predicted else 0.0
        recall = self.found / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }


def evaluate(gold_set: Iterable[GoldArticle], extract: Callable[[str], list[Quote]]) -> dict:
    """Runs ``extract`` on each gold article's normalised text and scores it.

    Args:
        gold_set: The gold articles (offsets into their text as given).
        extract: The extractor: normalised text → quotes with offsets into it.

    Returns:
        A JSON-ready report: per group and threshold P/R/F1, speaker accuracy, non-quote rejection,
        and the errors per article for inspection.
    """
    tallies: dict[tuple[str, float], _Tally] = defaultdict(_Tally)
    speakers = {"found": 0, "correct": 0, "correct_lenient": 0}
    speaker_by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    non_quotes = {"total": 0, "rejected": 0}
    articles = []
    for article in gold_set:
        normalized = normalize_text(article.text)
        text = normalized.text
        predicted = extract(text)
        gold = []
        for quote in article.quotes:
            start, end = normalized.from_source(quote.start, quote.end)
            gold.append((start, end, quote))
        errors = []
        for group, kinds in GROUPS.items():
            group_gold = [g for g in gold if g[2].kind in kinds]
            group_pred = [p for p in predicted if p.kind in kinds]
            for threshold in THRESHOLDS:
                tally = tallies[(group, threshold)]
                tally.gold += len(group_gold)
                tally.predicted += len(group_pred)
                for g_start, g_end, _ in group_gold:
                    need = threshold * (g_end - g_start)
                    if any(_overlap(g_start, g_end, p.start, p.end) >= need for p in group_pred):
                        tally.found += 1
                for p in group_pred:
                    if any(
                        _overlap(g_start, g_end, p.start, p.end) >= threshold * (g_end - g_start)
                        for g_start, g_end, _ in group_gold
                    ):
                        tally.correct += 1
        for g_start, g_end, quote in gold:
            kinds = ("direct", "fragment") if quote.kind != "indirect" else ("indirect",)
            need = 0.3 * (g_end - g_start)
            matches = [p for p in predicted if p.kind in kinds and _overlap(g_start, g_end, p.start, p.end) >= need]
            if not matches:
                errors.append(
                    {
                        "error": "missed",
                        "kind": quote.kind,
                        "quote": text[g_start:g_end][:120],
                        "speaker": quote.speaker,
                    }
                )
                continue
            best = max(matches, key=lambda p: _overlap(g_start, g_end, p.start, p.end))
            name = (best.speaker or {}).get("name") if best.speaker else None
            speakers["found"] += 1
            speaker_by_kind[quote.kind][1] += 1
            if same_speaker(quote.speaker, name):
                speakers["correct"] += 1
                speaker_by_kind[quote.kind][0] += 1
            else:
                errors.append(
                    {
                        "error": "speaker",
                        "kind": quote.kind,
                        "quote": text[g_start:g_end][:80],
                        "gold": quote.speaker,
                        "predicted": name,
                        "resolution": (best.speaker or {}).get("resolution") if best.speaker else None,
                    }
                )
            if same_speaker(quote.speaker, name, lenient=True):
                speakers["correct_lenient"] += 1
        for p in predicted:
            if not any(
                _overlap(g_start, g_end, p.start, p.end) >= 0.3 * (g_end - g_start)
                for g_start, g_end, q in gold
                if (q.kind == "indirect") == (p.kind == "indirect")
            ):
                errors.append({"error": "spurious", "kind": p.kind, "quote": p.text[:120]})
        for span in article.non_quotes:
            start, end = normalized.from_source(span.start, span.end)
            non_quotes["total"] += 1
            # A predicted quote takes a non-quote when the non-quote is most of it; a title mentioned
            # inside a real quote ("Je relis « Le Vieil Homme et la mer »") is not taken.
            if not any(
                _overlap(start, end, p.start, p.end) >= 0.3 * max(1, end - start)
                and _overlap(start, end, p.start, p.end) >= 0.5 * max(1, p.end - p.start)
                for p in predicted
            ):
                non_quotes["rejected"] += 1
            else:
                errors.append({"error": "non-quote taken", "why": span.why, "text": text[start:end][:80]})
        articles.append({"id": article.id, "gold": len(gold), "predicted": len(predicted), "errors": errors})
    report = {
        "articles": len(articles),
        "scores": {
            group: {f"{int(threshold * 100)}%": tallies[(group, threshold)].scores() for threshold in THRESHOLDS}
            for group in GROUPS
        },
        "speaker_accuracy": round(speakers["correct"] / speakers["found"], 4) if speakers["found"] else 0.0,
        "speaker_accuracy_lenient": round(speakers["correct_lenient"] / speakers["found"], 4)
        if speakers["found"]
        else 0.0,
        "speaker_accuracy_by_kind": {k: round(c / n, 4) if n else 0.0 for k, (c, n) in sorted(speaker_by_kind.items())},
        "speakers_scored": speakers["found"],
        "non_quote_rejection": round(non_quotes["rejected"] / non_quotes["total"], 4) if non_quotes["total"] else None,
        "non_quotes": non_quotes["total"],
        "details": articles,
    }
    return report


def render(report: dict) -> str:
    """The human-readable table of a report."""
    lines = [
        f"eval-quotes: {report['articles']} articles",
        f"{'kind':<16}{'thr':>5}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}",
    ]
    for group, by_threshold in report["scores"].items():
        for threshold, score in by_threshold.items():
            lines.append(
                f"{group:<16}{threshold:>5}{score['gold']:>6}{score['predicted']:>6}"
                f"{score['precision']:>8.3f}{score['recall']:>8.3f}{score['f1']:>8.3f}"
            )
    lines.append(
        f"speaker accuracy {report['speaker_accuracy']:.3f} (lenient {report['speaker_accuracy_lenient']:.3f}) "
        f"over {report['speakers_scored']} found quotes; by kind {report['speaker_accuracy_by_kind']}"
    )
    if report["non_quote_rejection"] is not None:
        lines.append(f"non-quotes rejected {report['non_quote_rejection']:.3f} of {report['non_quotes']}")
    return "\n".join(lines)


def evaluate_gold(sources: Iterable[str], model: str = "md", *, errors: bool = False) -> dict:
    """Loads our own gold files or folders (``gold/quotes/``), runs the extractor and scores it.

    Args:
        sources: Gold folders or files (our format or the seed's).
        model: The spaCy model (``md``, ``sm`` or a package name).
        errors: Keep each article's errors in the report.

    Raises:
        GoldError: a gold file cannot be read.
    """
    from guillemet.nlp import ArticleAnalyzer
    from guillemet.quotes.gold import load_gold

    gold = [article for source in sources for article in load_gold(source)]
    analyzer = ArticleAnalyzer(model).load()
    report = evaluate(gold, lambda text: analyzer.extractor.extract(analyzer.nlp(text)))
    if not errors:
        for article in report["details"]:
            article.pop("errors")
    return report


def render_errors(report: dict) -> str:
    """One line per error of each article of a report made with ``errors=True``."""
    import json

    return "\n".join(
        f"{article['id']}: {json.dumps(error, ensure_ascii=False)}"
        for article in report["details"]
        for error in article.get("errors", [])
    )
