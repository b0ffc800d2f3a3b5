"""Throughput of the whole pipeline against raw spaCy on the same texts (a benchmark, not a test).

Generates N article pages from our own gold texts (with variations so that no two are identical),
serves them with feeds from a local server, runs the full pipeline on the local runner with both
cores (multi-processing), then, in the same run, parses the same normalised texts with
``nlp.pipe(n_process=2)`` and the same model and components. Prints articles/s, tokens/s, the
pipeline/raw ratio, where the time goes in each stage (measured by a single-process pass over the
same core functions) and peak RSS.

    .venv/bin/python bench/throughput.py --sizes 200,800 [--model md|sm] [--workers 2]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import resource
import tempfile
import time
from pathlib import Path

from guillemet.article import build_article
from guillemet.config import parse_config
from guillemet.extract import extract_article
from guillemet.fetch import FetchSettings, fetch
from guillemet.localserver import CorpusServer
from guillemet.nlp import MODELS, extract_entities, extract_quotes, read_doc
from guillemet.quotes.gold import load_gold
from transforms.write import to_json_line

ROOT = Path(__file__).resolve().parent.parent

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{{{{BASE_URL}}}}/a/{n}.html"><meta property="og:site_name" content="Banc d'essai"></head>
<body><nav><a href="/">Accueil</a> <a href="/politique">Politique</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1><p class="byline">Par la rédaction</p>{body}</article>
<footer>© Banc d'essai – mentions légales</footer></body></html>"""


def generate(root: Path, size: int, seed: int = 7) -> None:
    """Writes ``size`` pages and feeds of 100 items under ``root``."""
    rng = random.Random(seed)
    texts = [a.text for a in load_gold(ROOT / "gold" / "quotes" / "dev")]
    (root / "a").mkdir(parents=True)
    (root / "f").mkdir()
    items = []
    for n in range(size):
        lines = texts[n % len(texts)].split("\n")
        title, paragraphs = lines[0], lines[1:]
        if n >= len(texts):
            rng.shuffle(paragraphs)  # a variation, so that pages differ
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())
        page = PAGE.format(title=html.escape(f"{title} ({n})"), body=body, n=n)
        (root / "a" / f"{n}.html").write_text(page, encoding="utf-8")
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{{{{BASE_URL}}}}/a/{n}.html</link><guid>{n}</guid></item>"
        )
    for feed, start in enumerate(range(0, size, 100)):
        channel = "".join(items[start : start + 100])
        (root / "f" / f"{feed}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Banc {feed}</title>{channel}</channel></rss>',
            encoding="utf-8",
        )


def stage_shares(server: CorpusServer, size: int, model: str, sample: int = 60) -> dict[str, float]:
    """Seconds per stage over ``sample`` articles, by one process calling the same core functions."""
    import spacy

    nlp = spacy.load(model)
    spent = dict.fromkeys(("fetch", "extract", "normalize", "parse", "quotes", "entities", "write"), 0.0)
    settings = FetchSettings(allow_private_hosts=("127.0.0.1",))
    for n in range(min(sample, size)):
        clock = time.perf_counter()
        page = fetch(server.url(f"/a/{n}.html"), settings)
        spent["fetch"] += time.perf_counter() - clock
        clock = time.perf_counter()
        extracted = extract_article(page.content, page.final_url, fetched_at=page.fetched_at)
        spent["extract"] += time.perf_counter() - clock
        clock = time.perf_counter()
        article = build_article(extracted)
        spent["normalize"] += time.perf_counter() - clock
        clock = time.perf_counter()
        doc_bytes = nlp(article.text).to_bytes(exclude=["tensor", "user_data"])
        spent["parse"] += time.perf_counter() - clock
        clock = time.perf_counter()
        extract_quotes(read_doc(doc_bytes))
        spent["quotes"] += time.perf_counter() - clock
        clock = time.perf_counter()
        extract_entities(read_doc(doc_bytes))
        spent["entities"] += time.perf_counter() - clock
        clock = time.perf_counter()
        to_json_line(article)
        spent["write"] += time.perf_counter() - clock
    return spent


def run_size(size: int, model: str, workers: int) -> dict:
    import spacy

    from pipeline.run import run

    with tempfile.TemporaryDirectory() as temp:
        corpus = Path(temp) / "corpus"
        generate(corpus, size)
        feeds = "\n".join(f"  - url: /f/{i}.xml" for i in range((size + 99) // 100))
        profile = (
            f"name: bench\noutput: {temp}/out\nserve:\n  root: {corpus}\nfeeds:\n{feeds}\nnlp:\n  model: {model}\n"
            "fetch:\n  allow_private_hosts: [127.0.0.1]\n"
        )
        config = parse_config(profile, "bench.yaml")
        started = time.perf_counter()
        summary = run(
            config, [f"--direct_num_workers={workers}", "--direct_running_mode=multi_processing"], output=f"{temp}/out"
        )
        pipeline_s = time.perf_counter() - started
        written = [
            json.loads(line)
            for path in Path(summary.outputs["articles"]).glob("*.jsonl")
            for line in path.read_text().splitlines()
        ]
        texts = [record["text"] for record in written]
        nlp = spacy.load(MODELS.get(model, model))
        started = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe(texts, n_process=workers, batch_size=16))
        raw_s = time.perf_counter() - started
        with CorpusServer(corpus) as server:
            shares = stage_shares(server, size, MODELS.get(model, model))
    return {
        "size": size,
        "written": summary.articles_written,
        "pipeline_s": pipeline_s,
        "raw_s": raw_s,
        "tokens": tokens,
        "shares": shares,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,800")
    parser.add_argument("--model", default="md")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results = [run_size(int(size), args.model, args.workers) for size in args.sizes.split(",")]
    print(f"model {MODELS.get(args.model, args.model)}, {args.workers} worker processes")
    print(
        f"{'articles':>9}{'written':>9}{'pipeline s':>12}{'art/s':>8}{'tok/s':>9}{'raw s':>8}{'raw art/s':>10}{'ratio':>7}{'s/article':>11}"
    )
    for r in results:
        print(
            f"{r['size']:>9}{r['written']:>9}{r['pipeline_s']:>12.1f}{r['written'] / r['pipeline_s']:>8.2f}"
            f"{r['tokens'] / r['pipeline_s']:>9,.0f}{r['raw_s']:>8.1f}{r['written'] / r['raw_s']:>10.2f}"
            f"{r['raw_s'] / r['pipeline_s']:>7.2f}{r['pipeline_s'] / r['written']:>11.3f}"
        )
    shares = results[-1]["shares"]
    total = sum(shares.values())
    print(
        "time by stage (one process, same core functions): "
        + ", ".join(f"{k} {100 * v / total:.1f}%" for k, v in shares.items())
    )
    print(f"quotes + entities / parse = {(shares['quotes'] + shares['entities']) / shares['parse']:.1%}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {rss:.0f} MiB, largest worker process {children:.0f} MiB")


if __name__ == "__main__":
    main()
