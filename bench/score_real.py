"""Scores the quote extractor on the shared real-text gold, in one process, with a parse cache.

    .venv/bin/python bench/score_real.py [pages|dispatches|all] [--details] [--json] [--model md|sm]
                                         [--no-cache] [--only ID,ID]

It imports ``../shared/quotes-gold-real/score.py`` and gives its ``evaluate`` a predictor that runs
the same per-article path as ``guillemet annotate -`` (``guillemet.article.annotate`` then
``ArticleAnalyzer``), so its figures are the ones ``score.py --cmd "guillemet annotate -"`` prints,
at a fraction of the cost: one model load instead of one a document, and the spaCy parses kept in
``/tmp/guillemet-parse-cache`` (keyed by model and text; ``GUILLEMET_PARSE_CACHE`` names another folder), so that a change to the quote or entity
rules is measured in seconds. A change to extraction or normalisation changes the text, hence the
key: nothing stale is read. A development tool; ``guillemet eval-quotes`` is the product's scorer.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shared folder sits beside the checkout (/work/main), or beside a worktrees' folder.
GOLD = next(
    (base / "shared" / "quotes-gold-real" for base in (ROOT.parent, ROOT.parent.parent) if (base / "shared").is_dir()),
    ROOT.parent / "shared" / "quotes-gold-real",
)
# GUILLEMET_PARSE_CACHE: another folder, e.g. an empty one to parse afresh with the code at hand
# (bench/quote_snapshot.py before and after a change to the parse itself).
CACHE = Path(os.environ.get("GUILLEMET_PARSE_CACHE", "/tmp/guillemet-parse-cache"))


def load_scorer(folder: Path = GOLD):
    spec = importlib.util.spec_from_file_location("real_gold_score", folder / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_predictions(record: dict, score) -> list[dict]:
    """The predictions score.py's command predictor reads from a record."""
    body = record.get("text") or ""
    preds = []
    for q in record.get("quotes", []):
        text = q.get("text")
        if text is None and "start" in q and "end" in q:
            text = body[q["start"] : q["end"]]
        preds.append(
            {
                "quote": text or "",
                "speaker": score._speaker_name(q.get("speaker")),
                "gender": score._speaker_gender(q.get("speaker")),
                "kind": q.get("kind") or "direct",
            }
        )
    return preds


class CachedAnalyzer:
    """``ArticleAnalyzer`` whose parses are read from / written to a folder of Doc bytes."""

    def __init__(self, model: str, use_cache: bool = True):
        from guillemet.nlp import ArticleAnalyzer

        self.analyzer = ArticleAnalyzer(model)
        self.model = model
        self.use_cache = use_cache

    def _parse(self, text: str):
        from guillemet.nlp import read_doc

        key = hashlib.sha256(f"{self.model}\n{text}".encode()).hexdigest()
        path = CACHE / f"{key}.spacy"
        if self.use_cache and path.exists():
            return read_doc(path.read_bytes())
        self.analyzer.load()
        doc = self.analyzer.nlp(text)
        if self.use_cache:
            CACHE.mkdir(parents=True, exist_ok=True)
            path.write_bytes(doc.to_bytes(exclude=["tensor", "user_data"]))
        return doc

    def annotate(self, article):
        self.analyzer.parser.check(article)
        return self.analyzer.annotate_parsed(article, self._parse(article.text))


def make_predictor(score, model: str = "md", use_cache: bool = True):
    from guillemet.article import annotate

    analyzer = CachedAnalyzer(model, use_cache)

    def predict(content) -> list[dict]:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        # A failure raises, as score.py's command predictor does when the command exits non-zero.
        article = analyzer.annotate(annotate(data))
        return record_predictions(json.loads(json.dumps(article.to_dict(), ensure_ascii=False)), score)

    return predict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", choices=["pages", "dispatches", "all"], default="all")
    parser.add_argument("--model", default="md")
    parser.add_argument("--details", action="store_true", help="misses, spurious quotes, wrong speakers")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--only", help="comma-separated document ids")
    args = parser.parse_args(argv)
    if not (GOLD / "score.py").exists():
        print(f"no real-text gold at {GOLD}", file=sys.stderr)
        return 2
    score = load_scorer()
    predict = make_predictor(score, args.model, not args.no_cache)
    memo: dict[bytes, list[dict]] = {}

    def cached(content):
        key = content if isinstance(content, bytes) else content.encode("utf-8")
        if key not in memo:
            memo[key] = predict(content)
        return memo[key]

    parts = ["pages", "dispatches", "all"] if args.which == "all" else [args.which]
    results = {}
    for part in parts:
        docs = score.load(part)
        if args.only:
            wanted = set(args.only.split(","))
            docs = [d for d in docs if str(d["id"]) in wanted]
        res = score.evaluate(docs, cached)
        results[part] = res
        if args.json:
            continue
        print(f"== {part}: {len(docs)} documents")
        for kind in ("direct", "indirect"):
            r = res[kind]
            if args.details and part != "all":
                for label in ("misses", "spurious", "wrong_speaker"):
                    for row in r[label]:
                        print(f"  {kind} {label}: {row}")
            print(
                f"{kind}: gold={r['gold']} pred={r['pred']} P30={r['P30']} R30={r['R30']} F30={r['F30']} "
                f"F80={r['F80']} F30+speaker={r['F30_spk']} speaker_acc={r['speaker_acc']}"
            )
        print(f"non_quotes rejected: {res['non_quotes']}")
        g = res["gender"]
        print("gender: " + " ".join(f"{k}={v}" for k, v in g.items() if not isinstance(v, list)))
    if args.json:
        print(json.dumps({k: score._summary(v) for k, v in results.items()}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
