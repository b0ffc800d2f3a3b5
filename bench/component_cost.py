"""What each spaCy component and each of our steps costs on our texts (a benchmark, not a test).

    .venv/bin/python bench/component_cost.py [--model md|sm] [--rounds 4] [--batch-size 16]

Parses the quote gold texts (dev and test) component by component, as ``nlp.pipe`` does (each
component's ``pipe`` over the whole list in batches), and times each one in CPU seconds of this
process (``time.process_time``: less sensitive than the wall clock to other processes on a loaded
machine; spaCy's layers run on one thread). Then it times our steps on the parses: entities,
quotes, speaker links and genders. The lemmatizer is measured twice in every round on the same
docs, in alternating order: as shipped and with its tables indexed as ``ArticleParser`` loads it
(``guillemet.nlp.index_lemma_tables``), each from an empty cache ("cold": a fresh process, as ``guillemet annotate`` on one article) and again
with the caches it filled ("warm": a worker that has parsed a few hundred articles); the lemmas
of the two are compared token by token. Last, a count that does not depend on the load: the
known-form questions the shipped lemmatizer asks in one cold pass, and the list elements they
compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    from guillemet.normalize import normalize_text
    from guillemet.quotes.gold import load_gold

    return [
        normalize_text(a.text).text for folder in ("dev", "test") for a in load_gold(ROOT / "gold" / "quotes" / folder)
    ]


def _clock(spent: dict[str, list[float]], name: str, fn, *args):
    started = time.process_time()
    result = fn(*args)
    spent.setdefault(name, []).append(time.process_time() - started)
    return result


def _make_docs(nlp, texts):
    return [nlp.make_doc(text) for text in texts]


def _run_component(component, docs, batch_size: int):
    return list(component.pipe(docs, batch_size=batch_size))


def _each(fn, *columns):
    return [fn(*row) for row in zip(*columns, strict=True)]


def _quotes(extractor, doc, text):
    from guillemet.nlp import extract_quotes

    return extract_quotes(doc, extractor, text)


class _CountingForms(list):
    """A list of known forms that counts the ``in`` questions asked and the elements compared."""

    questions = 0
    compared = 0

    def __contains__(self, form) -> bool:
        _CountingForms.questions += 1
        try:
            _CountingForms.compared += self.index(form) + 1
        except ValueError:
            _CountingForms.compared += len(self)
            return False
        return True


def _count_scans(nlp, docs) -> tuple[int, int]:
    """One untimed cold pass of the shipped lemmatizer over ``docs`` with counting lists: how many
    known-form questions it asks, and how many list elements they compare (the indexed tables
    answer each question with one dict lookup)."""
    import numpy

    stock = nlp.get_pipe("lemmatizer")
    table = stock.lookups.get_table("lemma_index")
    shipped = {key: table[key] for key in table}
    try:
        for key, forms in shipped.items():
            table[key] = _CountingForms(forms)
        stock.cache.clear()
        for doc in docs:
            if len(doc):
                doc.from_array(["LEMMA"], numpy.zeros(len(doc), dtype="uint64"))
            stock(doc)
    finally:
        for key, forms in shipped.items():
            table[key] = forms
    return _CountingForms.questions, _CountingForms.compared


def _lemmatize_variants(nlp, docs, spent, round_no: int) -> None:
    """The lemmatizer as shipped and with its tables indexed, on the same docs, each cold then warm,
    in an order that alternates from round to round."""
    import numpy

    stock = nlp.get_pipe("lemmatizer")
    table = stock.lookups.get_table("lemma_index")
    shipped = {key: table[key] for key in table}
    indexed = {key: dict.fromkeys(forms) for key, forms in shipped.items()}
    zeros = [numpy.zeros(len(doc), dtype="uint64") for doc in docs]

    def run(name, component, tables):
        for key, forms in tables.items():
            table[key] = forms
        stock.cache.clear()  # cold: an empty cache
        for state in ("cold", "warm"):
            for doc, zero in zip(docs, zeros, strict=True):
                if len(doc):
                    doc.from_array(["LEMMA"], zero)
            _clock(spent, f"lemmatizer {name} {state}", _run_component, component, docs, 16)
        return [doc.to_array("LEMMA") for doc in docs]

    variants = [("shipped", shipped), ("indexed", indexed)]
    results = {name: run(name, stock, tables) for name, tables in (variants[::-1] if round_no % 2 else variants)}
    if not all(numpy.array_equal(a, b) for a, b in zip(results["shipped"], results["indexed"], strict=True)):
        raise SystemExit("the indexed lemmatizer's lemmas differ from the shipped lemmatizer's")
    for key, forms in shipped.items():
        table[key] = forms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="md")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    import spacy

    from guillemet.gender import assign_genders
    from guillemet.nlp import MODELS, extract_entities, link_speakers
    from guillemet.quotes.extractor import QuoteExtractor

    nlp = spacy.load(MODELS.get(args.model, args.model))  # as shipped: the benchmark indexes its tables itself
    stock = nlp.get_pipe("lemmatizer")
    extractor = QuoteExtractor()
    texts = _texts()
    list(nlp.pipe(texts[:2]))  # warm-up: first-call allocations, not part of any round
    spent: dict[str, list[float]] = {}
    tokens = 0
    for round_no in range(args.rounds):
        docs = _clock(spent, "tokenizer", _make_docs, nlp, texts)
        tokens = sum(len(d) for d in docs)
        for name, component in nlp.pipeline:
            if name == "lemmatizer":
                _lemmatize_variants(nlp, docs, spent, round_no)
                continue
            docs = _clock(spent, name, _run_component, component, docs, args.batch_size)
        entities = _clock(spent, "ours: entities", _each, extract_entities, docs, texts)
        quotes = _clock(spent, "ours: quotes", _each, partial(_quotes, extractor), docs, texts)
        linked = _clock(spent, "ours: speaker links", _each, link_speakers, quotes, entities)
        _clock(spent, "ours: genders", _each, assign_genders, linked, docs, texts, entities)
    parse = ["tokenizer", *(n for n in nlp.pipe_names if n != "lemmatizer")]
    parse_s = sum(statistics.median(spent[n]) for n in parse) + statistics.median(spent["lemmatizer shipped cold"])
    print(
        f"model {nlp.meta['name']} {nlp.meta['version']}: {len(texts)} gold articles, {tokens:,} tokens, "
        f"{args.rounds} rounds; CPU seconds per round (median, min-max)"
    )
    print(f"{'step':<26}{'median s':>9}{'min':>7}{'max':>7}{'% parse':>9}{'µs/token':>10}")
    for name, values in spent.items():
        median = statistics.median(values)
        print(
            f"{name:<26}{median:>9.3f}{min(values):>7.3f}{max(values):>7.3f}"
            f"{100 * median / parse_s:>8.1f}%{1e6 * median / tokens:>10.1f}"
        )
    print(
        f"parse = tokenizer + components, lemmatizer as shipped and cold (a fresh process): {parse_s:.3f} s"
        f" = {tokens / parse_s:,.0f} tokens/s"
    )
    for state in ("cold", "warm"):
        shipped = statistics.median(spent[f"lemmatizer shipped {state}"])
        ours = statistics.median(spent[f"lemmatizer indexed {state}"])
        print(
            f"lemmatizer {state}: indexed / shipped = {ours / shipped:.3f} ({shipped - ours:.3f} s a round saved,"
            f" {100 * (shipped - ours) / parse_s:.1f} % of the parse)"
        )
    print(f"lemmas identical in every round; {len(stock.cache):,} distinct (form, POS) met by the lemmatizer")
    questions, compared = _count_scans(nlp, docs)
    print(
        f"counted, cold, as shipped: {questions:,} known-form questions comparing {compared:,} list elements"
        f" ({compared / max(questions, 1):,.0f} each); indexed: {questions:,} dict lookups"
    )


if __name__ == "__main__":
    main()
