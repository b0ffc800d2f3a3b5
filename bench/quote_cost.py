"""How much the quote extractor costs next to the spaCy parse it needs (a benchmark, not a test).

Parses the dev gold articles (and the demo corpus texts) with the chosen model, then times the
extractor on the parsed docs, and prints both and their ratio. The target: the extractor under
10 % of the parse time.

    .venv/bin/python bench/quote_cost.py [--model md|sm] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from guillemet.nlp import MODELS
from guillemet.normalize import normalize_text
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.quotes.gold import load_gold

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="md")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import spacy

    nlp = spacy.load(MODELS.get(args.model, args.model))
    texts = [normalize_text(article.text).text for article in load_gold(ROOT / "gold" / "quotes" / "dev")]
    extractor = QuoteExtractor()
    nlp(texts[0])  # warm-up
    parse_s, extract_s, quotes, tokens = 0.0, 0.0, 0, 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=16))
        parse_s += time.perf_counter() - started
        started = time.perf_counter()
        for doc, text in zip(docs, texts, strict=True):
            quotes += len(extractor.extract(doc, text))  # the parsed string, as the pipeline passes it
        extract_s += time.perf_counter() - started
        tokens += sum(len(doc) for doc in docs)
    print(f"model {nlp.meta['name']} {nlp.meta['version']}, {len(texts)} articles x {args.repeat}, {tokens} tokens")
    print(f"parse     {parse_s:8.2f} s  ({tokens / parse_s:,.0f} tokens/s)")
    print(f"extract   {extract_s:8.2f} s  ({quotes} quotes)")
    print(f"extractor / parse = {extract_s / parse_s:.1%}  (target: under 10 %)")


if __name__ == "__main__":
    main()
