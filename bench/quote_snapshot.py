"""Dumps every quote the extractor gives on the dev/test gold, the seed and the real-text gold.

    .venv/bin/python bench/quote_snapshot.py OUT.jsonl

One JSON line per quote (document, text, start, end, kind, cue, speaker with its gender as
``guillemet.gender.assign_genders`` gives it), in a stable order, so
that two snapshots taken before and after a refactoring of ``guillemet/quotes/`` or
``guillemet/gender.py`` can be compared
with ``cmp``/``diff``. Parses are cached as in ``bench/score_real.py`` (same cache, same keys).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout, else /work/shared (a worktree sits one level deeper).
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.exists()), ROOT.parent / "shared")
SEED = SHARED / "seeds" / "article-poutine-kim.txt"


def _texts():
    from guillemet.quotes.gold import load_gold

    for folder in ("dev", "test"):
        for article in load_gold(ROOT / "gold" / "quotes" / folder):
            yield f"{folder}/{article.id}", article.text
    if SEED.exists():
        yield "seed", SEED.read_text(encoding="utf-8")
    sys.path.insert(0, str(ROOT / "bench"))
    import score_real

    score_real.GOLD = SHARED / "quotes-gold-real"
    if (score_real.GOLD / "score.py").exists():
        from guillemet.article import annotate

        score = score_real.load_scorer(score_real.GOLD)
        for doc in score.load("all"):
            data = doc["input"] if isinstance(doc["input"], bytes) else doc["input"].encode("utf-8")
            yield f"real/{doc['id']}", annotate(data).text


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        # The snapshot holds the real gold's text: it goes to a file of the caller's, never to a
        # file named after a mistyped option.
        print(__doc__, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    sys.path.insert(0, str(ROOT / "bench"))
    import score_real

    from guillemet.gender import assign_genders
    from guillemet.quotes.extractor import QuoteExtractor

    analyzer = score_real.CachedAnalyzer("md")
    extractor = QuoteExtractor()
    with open(argv[0], "w", encoding="utf-8") as out:
        for name, text in _texts():
            if not text:
                continue
            doc = analyzer._parse(text)
            for quote in assign_genders(extractor.extract(doc, text), doc, text):
                row = {
                    "doc": name,
                    "start": quote.start,
                    "end": quote.end,
                    "kind": quote.kind,
                    "cue": quote.cue,
                    "speaker": quote.speaker,
                    "text": quote.text,
                }
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
