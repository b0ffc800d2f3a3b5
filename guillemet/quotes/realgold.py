"""Scoring on the real-text gold (``quotes-gold-real``: ``pages_gold.json``, ``dispatches_gold.json``).

The rules are those of the gold's ``CONVENTIONS.md`` and of its reference scorer ``score.py``,
reimplemented here so that the product does not depend on the shared folder (a test checks that
both give the same figures on the same predictions):

- texts are compared after typographic normalisation (:func:`norm`); a gold item and a prediction
  match at threshold t when the characters they share in contiguous runs (of 10 characters, or the
  whole shorter string) cover at least t of both; pairs are taken one to one, best first;
- direct and fragment quotes are scored together, indirect quotes apart;
- a fragment marked ``inside`` an indirect clause and that clause are one event: finding either
  one excuses the other (neither a hit nor a miss);
- predictions that match no gold quote but match an unscored ``borderline`` item are left out;
- a non-quote counts as output only when a prediction essentially is that span (:func:`covers`);
- speakers match by name tokens (titles and articles dropped; a surname is enough);
- gender: over the matched gold quotes whose speaker is F or M, the share whose predicted gender
  agrees, the share that carries one, and the women's share of gold and predicted quotes.

Pages are read as HTML and dispatches as plain text, through the same path as ``guillemet
annotate -`` (:func:`guillemet.article.annotate`, then :class:`guillemet.nlp.ArticleAnalyzer`),
parsed in batches with one model load (:func:`analyzer_predictions`).
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

GOLD_FILES = ("pages_gold.json", "dispatches_gold.json")
DISPATCHES = Path("quotes") / "sae_depeches_2008_categorized.txt"
GENDERS = ("F", "M")
THRESHOLDS = (0.3, 0.8)
_TITLES = frozenset("m mme mlle me dr pr monsieur madame president presidente le la les l de du des d".split())
_KINDS = (("direct", frozenset({"direct", "fragment"})), ("indirect", frozenset({"indirect"})))


class RealGoldError(ValueError):
    """A real-text gold file or its inputs cannot be read."""


@dataclass(frozen=True)
class Prediction:
    """One predicted quote as the scorer sees it (what ``score.py`` reads from a record)."""

    quote: str
    speaker: str | None = None
    gender: str | None = None
    kind: str = "direct"
    rule: str | None = None  # the extractor's rule that kept it, when it offers a trace


@dataclass
class RealDocument:
    """One gold document: ``input`` is what the pipeline reads (HTML bytes or plain text)."""

    id: str
    part: str  # "pages" or "dispatches"
    input: bytes
    quotes: list[dict]
    non_quotes: list[str]
    borderline: list[str]


# -- matching -------------------------------------------------------------------------------------


def norm(text: str) -> str:
    """Typographic normalisation before comparing texts: NFKC, apostrophes, marks and spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"[«»“”„\"]", " ", text)
    text = re.sub(r"[\u00a0\u202f\u2009]", " ", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.strip(" .,;:!?-—–")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def name_tokens(name: str | None) -> list[str]:
    """The words of a speaker's name that identify it (titles and articles dropped)."""
    if not name:
        return []
    tokens = [t for t in re.split(r"[^a-z0-9]+", _strip_accents(norm(name))) if t]
    return [t for t in tokens if t not in _TITLES]


def same_speaker(gold: str | None, predicted: str | None) -> bool:
    """Whether a predicted speaker names the gold one (a surname is enough, a first name is not)."""
    g, p = name_tokens(gold), name_tokens(predicted)
    if not g:
        return not p
    if not p:
        return False
    if g == p or g[-1] in p:
        return True
    # Organisations and multi-word descriptors: most of the gold words present.
    return len(g) >= 2 and len(set(g) & set(p)) / len(set(g)) >= 0.6


def overlap(a: str, b: str) -> int:
    """Characters shared in contiguous runs of at least 10 (or the whole shorter string)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    least = min(10, len(a), len(b))
    return sum(m.size for m in matcher.get_matching_blocks() if m.size >= least)


def covers(predicted: str, target: str) -> bool:
    """Whether a (normalised) predicted quote essentially is the (normalised) target span."""
    if not target or not predicted:
        return False
    if predicted in target:
        return len(predicted) >= 0.5 * len(target)
    whole = re.search(r"(?<!\w)" + re.escape(target) + r"(?!\w)", predicted) is not None
    return whole and len(target) >= 0.5 * len(predicted)


def match(gold: Sequence[str], predicted: Sequence[str], threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index), best coverage first."""
    candidates = []
    gold_norm = [norm(g) for g in gold]
    pred_norm = [norm(p) for p in predicted]
    for i, g in enumerate(gold_norm):
        for j, p in enumerate(pred_norm):
            if not g or not p:
                continue
            shared = overlap(g, p)
            on_gold, on_pred = shared / len(g), shared / len(p)
            if on_gold >= threshold and on_pred >= threshold:
                candidates.append((min(on_gold, on_pred), i, j))
    candidates.sort(reverse=True)
    used_gold, used_pred, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return pairs


def _without_borderline(gold: list[dict], preds: list[Prediction], borderline: list[str]) -> list[Prediction]:
    """Predictions that match no gold quote but an unscored borderline item are left out."""
    if not borderline:
        return preds
    texts = [p.quote for p in preds]
    hit = {j for _, j in match([g["quote"] for g in gold], texts, 0.3)}
    on_border = {j for _, j in match(borderline, texts, 0.3)}
    return [p for j, p in enumerate(preds) if j in hit or j not in on_border]


def _excused(quotes: list[dict], matched: dict[str, set[int]]) -> set[int]:
    """Gold items found at the other granularity (a clause and the fragment ``inside`` it)."""
    by_id = {q.get("id"): i for i, q in enumerate(quotes) if q.get("id")}
    excused = set()
    for i, quote in enumerate(quotes):
        clause = by_id.get(quote.get("inside"))
        if clause is None:
            continue
        if i in matched["direct"] and clause not in matched["indirect"]:
            excused.add(clause)
        if clause in matched["indirect"] and i not in matched["direct"]:
            excused.add(i)
    return excused


# -- tallies --------------------------------------------------------------------------------------


@dataclass
class _KindTally:
    gold: int = 0
    gold80: int = 0
    predicted: int = 0
    hits: dict[float, int] = field(default_factory=lambda: dict.fromkeys(THRESHOLDS, 0))
    hits_with_speaker: int = 0  # found at 30 % and speaker right (no gold speaker wants none)
    speakers: int = 0
    speakers_right: int = 0

    def prf(self, threshold: float) -> tuple[float, float, float]:
        gold = self.gold80 if threshold == 0.8 else self.gold
        precision = self.hits[threshold] / self.predicted if self.predicted else 0.0
        recall = self.hits[threshold] / gold if gold else 0.0
        return precision, recall, _f1(precision, recall)

    def summary(self) -> dict:
        p30, r30, f30 = self.prf(0.3)
        ps = self.hits_with_speaker / self.predicted if self.predicted else 0.0
        rs = self.hits_with_speaker / self.gold if self.gold else 0.0
        return {
            "gold": self.gold,
            "pred": self.predicted,
            "P30": round(p30, 3),
            "R30": round(r30, 3),
            "F30": round(f30, 3),
            "F80": round(self.prf(0.8)[2], 3),
            "F30_spk": round(_f1(ps, rs), 3),
            "speaker_acc": round(self.speakers_right / self.speakers, 3) if self.speakers else None,
        }


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


@dataclass
class _GenderTally:
    matched: int = 0
    covered: int = 0
    right: int = 0
    gold_f: int = 0
    gold_fm: int = 0
    pred_f: int = 0
    pred_fm: int = 0

    def summary(self) -> dict:
        return {
            "matched_FM": self.matched,
            "acc": _ratio(self.right, self.matched),
            "coverage": _ratio(self.covered, self.matched),
            "gold_women_share": _ratio(self.gold_f, self.gold_fm),
            "gold_F": self.gold_f,
            "gold_FM": self.gold_fm,
            "pred_women_share": _ratio(self.pred_f, self.pred_fm),
            "pred_F": self.pred_f,
            "pred_FM": self.pred_fm,
        }


def evaluate(documents: Iterable[RealDocument], predictions: dict[str, list[Prediction]]) -> dict:
    """Scores predictions (by document id) against the gold documents.

    Returns:
        ``{"documents", "direct", "indirect", "non_quotes", "gender", "errors"}``: the figures
        under the same keys as ``score.py --json`` and, per document, the misses, spurious quotes,
        wrong speakers and non-quotes taken.
    """
    kinds = {kind: _KindTally() for kind, _ in _KINDS}
    gender = _GenderTally()
    non_quotes_total = non_quotes_rejected = 0
    errors: list[dict] = []
    count = 0
    for doc in documents:
        count += 1
        quotes = doc.quotes
        preds = _without_borderline(quotes, predictions.get(doc.id, []), doc.borderline)
        for quote in quotes:
            if quote.get("speaker_gender") in GENDERS:
                gender.gold_fm += 1
                gender.gold_f += quote["speaker_gender"] == "F"
        for pred in preds:
            if pred.gender in GENDERS:
                gender.pred_fm += 1
                gender.pred_f += pred.gender == "F"
        groups = {
            kind: ([i for i, q in enumerate(quotes) if q["kind"] in accepted], [p for p in preds if p.kind in accepted])
            for kind, accepted in _KINDS
        }
        excused = {}
        for threshold in THRESHOLDS:
            matched = {
                kind: {gi[i] for i, _ in match([quotes[k]["quote"] for k in gi], [p.quote for p in ps], threshold)}
                for kind, (gi, ps) in groups.items()
            }
            excused[threshold] = _excused(quotes, matched)
        for kind, tally in kinds.items():
            gold_index, preds_kind = groups[kind]
            tally.predicted += len(preds_kind)
            tally.gold += len([k for k in gold_index if k not in excused[0.3]])
            for threshold in THRESHOLDS:
                gold = [quotes[k] for k in gold_index if k not in excused[threshold]]
                pairs = match([g["quote"] for g in gold], [p.quote for p in preds_kind], threshold)
                tally.hits[threshold] += len(pairs)
                if threshold == 0.8:
                    tally.gold80 += len(gold)
                    continue
                hit_gold, hit_pred = {i for i, _ in pairs}, {j for _, j in pairs}
                errors += [
                    {"id": doc.id, "error": "missed", "kind": kind, "quote": g["quote"], "speaker": g.get("speaker")}
                    for i, g in enumerate(gold)
                    if i not in hit_gold
                ]
                errors += [
                    {
                        "id": doc.id,
                        "error": "spurious",
                        "kind": kind,
                        "quote": p.quote,
                        "speaker": p.speaker,
                        "rule": p.rule,
                    }
                    for j, p in enumerate(preds_kind)
                    if j not in hit_pred
                ]
                for i, j in pairs:
                    g, p = gold[i], preds_kind[j]
                    right = same_speaker(g.get("speaker"), p.speaker)
                    tally.hits_with_speaker += right
                    if g.get("speaker"):
                        tally.speakers += 1
                        tally.speakers_right += right
                        if not right:
                            errors.append(
                                {
                                    "id": doc.id,
                                    "error": "speaker",
                                    "kind": kind,
                                    "quote": g["quote"],
                                    "gold": g["speaker"],
                                    "predicted": p.speaker,
                                    "rule": p.rule,
                                }
                            )
                    gold_gender = g.get("speaker_gender")
                    if gold_gender in GENDERS:
                        gender.matched += 1
                        gender.covered += p.gender in GENDERS
                        gender.right += p.gender == gold_gender
        for span in doc.non_quotes:
            non_quotes_total += 1
            target = norm(span)
            taken = [p for p in preds if covers(norm(p.quote), target)]
            if taken:
                errors.append({"id": doc.id, "error": "non-quote taken", "quote": span, "rule": taken[0].rule})
            else:
                non_quotes_rejected += 1
    report = {"documents": count}
    report.update({kind: tally.summary() for kind, tally in kinds.items()})
    report["non_quotes"] = {"total": non_quotes_total, "rejected": _ratio(non_quotes_rejected, non_quotes_total)}
    report["gender"] = gender.summary()
    report["errors"] = errors
    return report


# -- loading --------------------------------------------------------------------------------------


def is_real_gold(path: Path) -> bool:
    """Whether ``path`` is a real-text gold file, or a folder holding one."""
    if path.is_dir():
        return any((path / name).is_file() for name in GOLD_FILES)
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("documents"), list)


def dispatch_texts(path: Path) -> dict[str, str]:
    """The dispatches of an SAE file by number (``.N`` opens one, ``.D``/``.C`` lines are metadata)."""
    raw = path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    texts: dict[str, list[str]] = {}
    current = None
    for line in raw.split("\n"):
        found = re.match(r"^\.N (\d+)\s*$", line)
        if found:
            current = texts[found.group(1)] = []
            continue
        if current is None or line.startswith((".D ", ".C ")):
            continue
        current.append(line[3:] if line.startswith(".T ") else line)
    return {number: "\n".join(lines).strip() for number, lines in texts.items()}


def _texts(items) -> list[str]:
    out = []
    for item in items or []:
        text = (item.get("quote") or item.get("text")) if isinstance(item, dict) else item
        if text:
            out.append(text)
    return out


def load_real_gold(paths: Iterable[Path], realworld: Path | None = None) -> list[RealDocument]:
    """The documents of real-text gold files (or folders holding them), with their inputs.

    Args:
        paths: ``pages_gold.json``/``dispatches_gold.json`` files, or folders holding them.
        realworld: The folder of the inputs; by default the gold folder's sibling ``realworld``.

    Raises:
        RealGoldError: a file or an input is missing or malformed.
    """
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += [path / name for name in GOLD_FILES if (path / name).is_file()]
        else:
            files.append(path)
    documents = []
    dispatches: dict[str, str] | None = None
    for path in files:
        base = realworld or path.resolve().parent.parent / "realworld"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RealGoldError(f"cannot read {path}: {error}") from error
        for raw in data.get("documents", []):
            try:
                if "locator" in raw:
                    if dispatches is None:
                        dispatches = dispatch_texts(base / DISPATCHES)
                    content = dispatches[raw["locator"].split()[-1]].encode("utf-8")
                    part = "dispatches"
                else:
                    content = (base / raw["source"]).read_bytes()
                    part = "pages"
            except (OSError, KeyError) as error:
                raise RealGoldError(f"{path}: document {raw.get('id')}: input not found ({error})") from error
            documents.append(
                RealDocument(
                    id=str(raw["id"]),
                    part=part,
                    input=content,
                    quotes=list(raw.get("quotes", [])),
                    non_quotes=list(raw.get("non_quotes", [])),
                    borderline=_texts(raw.get("borderline")),
                )
            )
    return documents


# -- predictions ----------------------------------------------------------------------------------


def _speaker_name(speaker) -> str | None:
    if speaker is None or isinstance(speaker, str):
        return speaker
    return speaker.get("name") or speaker.get("text")


def _speaker_gender(speaker) -> str | None:
    if not isinstance(speaker, dict):
        return None
    value = str(speaker.get("gender") or speaker.get("speaker_gender") or "").strip().upper()
    return {"F": "F", "M": "M", "FEMALE": "F", "MALE": "M"}.get(value)


def record_predictions(record: dict, rules: Sequence[str | None] = ()) -> list[Prediction]:
    """The predictions of one JSON record (its ``quotes``), as ``score.py`` reads them."""
    body = record.get("text") or ""
    out = []
    for index, quote in enumerate(record.get("quotes", [])):
        text = quote.get("text")
        if text is None and "start" in quote and "end" in quote:
            text = body[quote["start"] : quote["end"]]
        out.append(
            Prediction(
                quote=text or "",
                speaker=_speaker_name(quote.get("speaker")),
                gender=_speaker_gender(quote.get("speaker")),
                kind=quote.get("kind") or "direct",
                rule=rules[index] if index < len(rules) else None,
            )
        )
    return out


def _kept_rules(extractor, doc, text: str, quotes) -> list[str | None]:
    """The rule that kept each quote, from the extractor's trace when it offers one."""
    if not hasattr(extractor, "trace"):
        return []
    try:
        decisions = extractor.trace(doc, text=text)
    except Exception as error:  # noqa: BLE001 - the trace is a diagnostic; the score stands without it
        _LOGGER.warning("trace failed: %s", error)
        return []
    kept = {(d.start, d.end): d.rule for d in decisions if getattr(d, "kept", False)}
    return [kept.get((q.start, q.end)) for q in quotes]


def analyzer_predictions(
    documents: Sequence[RealDocument], model: str = "md", *, batch_size: int = 16, trace: bool = False
) -> tuple[dict[str, list[Prediction]], dict[str, str]]:
    """Runs ``guillemet annotate -``'s path on every document, parsing in batches with one model.

    Returns:
        The predictions by document id, and the error of each document that could not be read
        (it then has no predictions: score.py would stop there).
    """
    from guillemet.article import annotate
    from guillemet.errors import GuillemetError
    from guillemet.nlp import ArticleAnalyzer

    analyzer = ArticleAnalyzer(model, batch_size=batch_size).load()
    failures: dict[str, str] = {}
    articles, ids = [], []
    for doc in documents:
        try:
            articles.append(annotate(doc.input))
            ids.append(doc.id)
        except GuillemetError as error:
            failures[doc.id] = str(error)
    predictions: dict[str, list[Prediction]] = {}
    for doc_id, (article, result) in zip(ids, analyzer.annotate(articles), strict=True):
        if isinstance(result, Exception):
            failures[doc_id] = str(result)
            continue
        rules: list[str | None] = []
        if trace and hasattr(analyzer.extractor, "trace"):
            rules = _kept_rules(analyzer.extractor, analyzer.nlp(article.text), article.text, result.quotes)
        record = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
        predictions[doc_id] = record_predictions(record, rules)
    for doc_id, error in failures.items():
        _LOGGER.warning("document %s: %s", doc_id, error)
    return predictions, failures


def score_parts(documents: Sequence[RealDocument], predictions: dict[str, list[Prediction]]) -> dict[str, dict]:
    """One report per part present (``pages``, ``dispatches``) and ``all`` when both are."""
    parts = [p for p in ("pages", "dispatches") if any(d.part == p for d in documents)]
    reports = {part: evaluate([d for d in documents if d.part == part], predictions) for part in parts}
    if len(parts) > 1:
        reports["all"] = evaluate(documents, predictions)
    return reports


def render(reports: dict[str, dict], *, errors: bool = False) -> str:
    """The figures of each part as lines for people (score.py's, with a header per part)."""
    lines = []
    for part, report in reports.items():
        lines.append(f"== {part}: {report['documents']} documents")
        if errors and part != "all":
            with_rule = any(e.get("rule") for e in report["errors"])
            for error in report["errors"]:
                row = f"  {error['id']} {error['kind'] if 'kind' in error else '':<8} {error['error']:<15} {error['quote'][:70]!r}"
                if error["error"] == "speaker":
                    row += f" gold={error['gold']!r} predicted={error['predicted']!r}"
                elif error.get("speaker"):
                    row += f" speaker={error['speaker']!r}"
                if with_rule and error.get("rule"):
                    row += f" rule={error['rule']}"
                lines.append(row)
        for kind in ("direct", "indirect"):
            r = report[kind]
            label = "direct+fragment" if kind == "direct" else kind
            lines.append(
                f"{label:<16} gold={r['gold']} pred={r['pred']} P30={r['P30']} R30={r['R30']} F30={r['F30']} "
                f"F80={r['F80']} quote+speaker F1={r['F30_spk']} speaker acc={r['speaker_acc']}"
            )
        nq = report["non_quotes"]
        lines.append(f"non-quotes rejected {nq['rejected']} of {nq['total']}")
        g = report["gender"]
        lines.append(
            f"gender acc={g['acc']} coverage={g['coverage']} over {g['matched_FM']} matched F/M quotes; "
            f"women share gold={g['gold_women_share']} pred={g['pred_women_share']}"
        )
    return "\n".join(lines)


def run(
    paths: Iterable[Path], *, realworld: Path | None = None, model: str = "md", trace: bool = False
) -> tuple[dict[str, dict], dict[str, str]]:
    """Loads, predicts and scores: the reports by part and the documents that failed."""
    documents = load_real_gold(paths, realworld)
    predictions, failures = analyzer_predictions(documents, model, trace=trace)
    return score_parts(documents, predictions), failures
