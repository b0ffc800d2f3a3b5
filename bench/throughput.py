"""Throughput of the whole pipeline against raw spaCy on the same texts (a benchmark, not a test).

For each size N, generates N article pages from our own gold texts (with variations so that no two
are identical) on disk, serves them with feeds from the local server, and runs the full pipeline on
the local runner with ``--workers`` worker processes (multi-processing). Then, in the same run,
parses the same normalised texts, streamed from the pipeline's output files, with
``nlp.pipe(n_process=workers)`` and the same model and components. Each measurement runs in a child
process of its own, so that its peak RSS is its own and the driver never holds the whole corpus.

Prints, per size: articles/s, tokens/s, the ratio raw/pipeline time, seconds per article and its
deviation from the 500-article run (the flatness check, or from the smallest size when 500 is not
run), the marginal cost of the articles added since the previous size, CPU seconds used (on a shared
machine they vary less than wall time), peak RSS of the driver and of the largest worker, and the
model copies loaded (log lines, one per process, and the ``ParseArticles.model_loads`` counter).
Then the plain script the issue compares us with (``measure_script``: feedparser, urllib,
trafilatura and ``nlp.pipe``, imports and model load inside its clock) and its ratio to the pipeline.
Then the share of time in each stage, from one process calling the same core functions.

    .venv/bin/python bench/throughput.py --sizes 120,500 [--model md|sm] [--workers 2] [--batch-size 16]
    .venv/bin/python bench/throughput.py --memory --sizes 1000,2000,4000 [--feeds-per-run 10]

``--memory`` runs the pipeline alone (no raw spaCy, no stage shares) and prints its peak RSS;
``--feeds-per-run N`` runs it as committed slices of N feeds (100 entries each here).
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import logging
import multiprocessing
import random
import re
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("fetch", "extract", "normalize", "parse", "quotes", "entities", "write")

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{{{{BASE_URL}}}}/a/{n}.html"><meta property="og:site_name" content="Banc d'essai"></head>
<body><nav><a href="/">Accueil</a> <a href="/politique">Politique</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1><p class="byline">Par la rédaction</p>{body}</article>
<footer>© Banc d'essai – mentions légales</footer></body></html>"""


def generate(root: Path, size: int, seed: int = 7) -> None:
    """Writes ``size`` pages and feeds of 100 items under ``root``, one file at a time."""
    from guillemet.quotes.gold import load_gold

    rng = random.Random(seed)
    texts = [a.text for a in load_gold(ROOT / "gold" / "quotes" / "dev")]
    (root / "a").mkdir(parents=True)
    (root / "f").mkdir()
    items = []
    published = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    for n in range(size):
        lines = texts[n % len(texts)].split("\n")
        title, paragraphs = lines[0], lines[1:]
        if n >= len(texts):
            rng.shuffle(paragraphs)  # a variation, so that pages differ
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())
        page = PAGE.format(title=html.escape(f"{title} ({n})"), body=body, n=n)
        (root / "a" / f"{n}.html").write_text(page, encoding="utf-8")
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{{{{BASE_URL}}}}/a/{n}.html</link><guid>{n}</guid>"
            # Real feeds date their items (all but one of the 30 feeds in ../shared/realworld).
            f"<pubDate>{format_datetime(published - timedelta(minutes=n))}</pubDate></item>"
        )
    for feed, start in enumerate(range(0, size, 100)):
        channel = "".join(items[start : start + 100])
        (root / "f" / f"{feed}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Banc {feed}</title>{channel}</channel></rss>',
            encoding="utf-8",
        )


def _usage() -> dict[str, float]:
    """CPU seconds and peak RSS (MiB) of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_s": own.ru_utime + own.ru_stime,
        "children_cpu_s": children.ru_utime + children.ru_stime,
        "rss_mib": own.ru_maxrss / 1024,
        "children_rss_mib": children.ru_maxrss / 1024,
    }


def _cpu_between(before: dict[str, float], after: dict[str, float]) -> float:
    """CPU seconds of this process and its ended children between two ``_usage()`` readings."""
    return after["cpu_s"] - before["cpu_s"] + after["children_cpu_s"] - before["children_cpu_s"]


class _ModelLoads(logging.Handler):
    """Collects the "loaded <model> in process <pid>" lines the workers log (relayed by the runner)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.pids: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = re.search(r"loaded fr_core_news_\w+ in process (\d+)", record.getMessage())
        if match:
            self.pids.append(int(match.group(1)))


# Start-up milestones, read from the run's log (the workers' lines relayed by the runner): name,
# what the line starts with (after Beam's relay prefix), and whether the first or the last one counts.
MILESTONES = (
    ("submit", "starting control server", "first"),
    ("workers up", "Python sdk harness starting", "last"),
    ("feeds read", "ParseEntries:", "last"),
    ("spaCy imported", "imported spaCy's French pipeline", "last"),
    ("model load start", "loading model ", "first"),
    ("model loaded", "loaded fr_core_news", "last"),
    ("first parse batch", "ParseArticles: first batch", "first"),
    ("parse done", "BatchElements statistics", "last"),
    ("sinks done", "Renamed ", "last"),
    ("workers exited", "Python sdk harness exiting", "last"),
)


class _Timeline(logging.Handler):
    """Seconds from the start of ``run()`` to each start-up milestone (``MILESTONES``), and how long
    each parse stage's first batch waited for its model."""

    def __init__(self, started: float) -> None:
        super().__init__(logging.INFO)
        self.started = started
        self.seen: dict[str, float] = {}
        self.waited: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        text = message.split('message: "', 1)[1] if 'message: "' in message else message
        for name, prefix, which in MILESTONES:
            if text.startswith(prefix) and (which == "last" or name not in self.seen):
                self.seen[name] = record.created - self.started
        waited = re.search(r"waited ([\d.]+) s for it", text)
        if waited:
            self.waited.append(float(waited.group(1)))


def measure_pipeline(
    temp: str, size: int, model: str, workers: int, batch_size: int, feeds_per_run: int | None = None
) -> dict:
    """Runs the whole pipeline over the corpus in ``temp`` (in a child process: this is the driver),
    in one run or, with ``feeds_per_run``, in committed slices of that many feeds (``pipeline/slices.py``)."""
    importing = time.perf_counter()
    from guillemet.config import parse_config
    from pipeline.run import run
    from pipeline.slices import run_in_slices

    driver_import_s = time.perf_counter() - importing
    loads = _ModelLoads()
    logging.getLogger().addHandler(loads)
    logging.getLogger().setLevel(logging.INFO)
    for noisy in ("apache_beam", "guillemet", "pipeline"):
        logging.getLogger(noisy).setLevel(logging.INFO)
    feeds = "\n".join(f"  - url: /f/{i}.xml" for i in range((size + 99) // 100))
    profile = (
        f"name: bench\noutput: {temp}/out\nserve:\n  root: {temp}/corpus\nfeeds:\n{feeds}\n"
        f"nlp:\n  model: {model}\n  batch_size: {batch_size}\nfetch:\n  allow_private_hosts: [127.0.0.1]\n"
        # Every page comes from one local host here, where a real crawl spreads over many sites:
        # the per-host politeness delay would measure the delay, not the pipeline.
        "  per_host_delay_s: 0\n  per_host_concurrency: 8\n  robots_txt: false\n"
    )
    config = parse_config(profile, "bench.yaml")
    before = _usage()
    started = time.perf_counter()
    timeline = _Timeline(time.time())
    logging.getLogger().addHandler(timeline)
    flags = [f"--direct_num_workers={workers}", "--direct_running_mode=multi_processing"]
    if feeds_per_run:
        summaries = run_in_slices(config, feeds_per_run, flags, output=f"{temp}/out")
    else:
        summaries = [run(config, flags, output=f"{temp}/out")]
    wall = time.perf_counter() - started
    after = _usage()
    return {
        "wall_s": wall,
        "written": sum(summary.articles_written for summary in summaries),
        "articles_dirs": [summary.outputs["articles"] for summary in summaries],
        "runs": len(summaries),
        "cpu_s": _cpu_between(before, after),
        "driver_rss_mib": after["rss_mib"],
        "worker_rss_mib": after["children_rss_mib"],
        "load_pids": loads.pids,
        "model_loads": sum(summary.count("ParseArticles.model_loads") for summary in summaries),
        "driver_import_s": driver_import_s,
        "timeline": timeline.seen,
        "waited_for_model_s": timeline.waited,
    }


def _texts(articles_dirs: list[str]) -> Iterator[str]:
    """The normalised texts the pipeline wrote, streamed from its output files."""
    for articles_dir in articles_dirs:
        for path in sorted(Path(articles_dir).glob("*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    yield json.loads(line)["text"]


def measure_raw(articles_dirs: list[str], model: str, workers: int, batch_size: int) -> dict:
    """Raw ``nlp.pipe(n_process=workers)`` over the same texts, the model loaded before the clock starts;
    ``load_s`` is what a script pays before that (``import spacy`` and ``spacy.load`` in this fresh process)."""
    loading = time.perf_counter()
    import spacy

    from guillemet.nlp import MODELS

    # This process was spawned, and a spawned process makes spawned children: spaCy's would load
    # the model again each. Forked, they share the loaded model, as when nlp.pipe runs in a script.
    multiprocessing.set_start_method("fork", force=True)
    nlp = spacy.load(MODELS.get(model, model))
    load_s = time.perf_counter() - loading
    before = _usage()
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(_texts(articles_dirs), n_process=workers, batch_size=batch_size))
    wall = time.perf_counter() - started
    after = _usage()
    return {
        "wall_s": wall,
        "load_s": load_s,
        "tokens": tokens,
        "cpu_s": _cpu_between(before, after),
    }


def measure_script(temp: str, size: int, model: str, workers: int, batch_size: int) -> dict:
    """The plain script issue 14 compares us with, in a fresh process, its clock started before its
    imports: feedparser reads the same feeds from the same local server, each page is fetched
    (urllib, one after the other) and extracted with ``trafilatura.extract``, and the texts stream
    into ``nlp.pipe(n_process=workers)`` (a generator: extraction in the main process overlaps the
    parse in the workers), one JSON line per article (text and entities) to a file. The server is
    started before the clock: it stands for the web."""
    from guillemet.localserver import CorpusServer

    with CorpusServer(Path(temp) / "corpus") as server:
        before = _usage()
        started = time.perf_counter()
        import urllib.request

        import feedparser
        import spacy
        import trafilatura

        from guillemet.nlp import MODELS

        multiprocessing.set_start_method("fork", force=True)  # a script's default on Linux
        nlp = spacy.load(MODELS.get(model, model))
        loaded = time.perf_counter() - started

        def texts() -> Iterator[str]:
            for feed in range((size + 99) // 100):
                with urllib.request.urlopen(server.url(f"/f/{feed}.xml")) as answer:
                    parsed = feedparser.parse(answer.read())
                for entry in parsed.entries:
                    with urllib.request.urlopen(entry.link) as answer:
                        text = trafilatura.extract(answer.read().decode("utf-8"))
                    if text:
                        yield text

        written = 0
        with open(Path(temp) / "script.jsonl", "w", encoding="utf-8") as out:
            for doc in nlp.pipe(texts(), n_process=workers, batch_size=batch_size):
                entities = [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
                out.write(json.dumps({"text": doc.text, "entities": entities}, ensure_ascii=False) + "\n")
                written += 1
        wall = time.perf_counter() - started
        after = _usage()
    return {
        "wall_s": wall,
        "load_s": loaded,
        "written": written,
        "cpu_s": _cpu_between(before, after),
    }


def measure_stages(temp: str, size: int, model: str, sample: int = 60) -> dict[str, float]:
    """Seconds per stage over ``sample`` articles, by one process calling the same core functions
    the pipeline's stages call (the parse step includes its language check, as in ParseArticles)."""
    from guillemet.article import build_article
    from guillemet.extract import extract_article
    from guillemet.feeds import parse_feed
    from guillemet.fetch import FetchSettings, fetch
    from guillemet.localserver import CorpusServer
    from guillemet.nlp import ArticleParser, extract_entities, extract_quotes
    from guillemet.quotes.extractor import QuoteExtractor
    from transforms.write import to_json_line

    parser = ArticleParser(model).load()
    extractor = QuoteExtractor()
    spent = dict.fromkeys(STAGES, 0.0)
    settings = FetchSettings(allow_private_hosts=("127.0.0.1",))

    def timed(stage, fn, *args, **kwargs):
        clock = time.perf_counter()
        result = fn(*args, **kwargs)
        spent[stage] += time.perf_counter() - clock
        return result

    with CorpusServer(Path(temp) / "corpus") as server:
        feed_url = server.url("/f/0.xml")
        entries = parse_feed(fetch(feed_url, settings).content, feed_url).entries
        for entry in entries[: min(sample, size)]:
            page = timed("fetch", fetch, entry.url, settings)
            extracted = timed(
                "extract", extract_article, page.content, page.final_url, entry, fetched_at=page.fetched_at
            )
            article = timed("normalize", build_article, extracted)
            ((_, parsed),) = timed("parse", parser.parse_batch, [article])
            quotes = timed("quotes", extract_quotes, parsed.doc, extractor, article.text)
            entities = timed("entities", extract_entities, parsed.doc, article.text)
            timed("write", to_json_line, dataclasses.replace(article, quotes=quotes, entities=entities))
    return spent


def _child(connection, fn, args) -> None:
    connection.send(fn(*args))
    connection.close()


def _in_child(fn, *args):
    """Runs ``fn(*args)`` in a fresh process (not a daemon: it may start processes) and returns its result."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, fn, args))
    process.start()
    sender.close()
    result = receiver.recv()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"{fn.__name__} failed in its process (exit code {process.exitcode})")
    return result


def run_size(
    size: int, model: str, workers: int, batch_size: int, stages: bool, raw: bool = True, feeds_per_run=None
) -> dict:
    with tempfile.TemporaryDirectory() as temp:
        generate(Path(temp) / "corpus", size)
        pipeline = _in_child(measure_pipeline, temp, size, model, workers, batch_size, feeds_per_run)
        spacy_alone = _in_child(measure_raw, pipeline["articles_dirs"], model, workers, batch_size) if raw else None
        script = _in_child(measure_script, temp, size, model, workers, batch_size) if raw else None
        shares = _in_child(measure_stages, temp, size, model) if stages else None
    return {"size": size, "pipeline": pipeline, "raw": spacy_alone, "script": script, "shares": shares}


def report_memory(results: list[dict], workers: int, feeds_per_run: int | None) -> None:
    """The ``--memory`` table: the pipeline alone, its driver's and largest worker's peak RSS."""
    slicing = f"slices of {feeds_per_run} feeds (100 entries each)" if feeds_per_run else "one run"
    print(f"{workers} worker processes, {slicing}")
    print(
        f"{'articles':>8}{'written':>8}{'runs':>5}{'pipe s':>8}{'art/s':>7}{'pipe cpu':>9}"
        f"{'driver MiB':>11}{'worker MiB':>11}{'models':>10}"
    )
    for r in results:
        p = r["pipeline"]
        loads = f"{len(p['load_pids'])}/{len(set(p['load_pids']))}/{p['model_loads']}"
        print(
            f"{r['size']:>8}{p['written']:>8}{p['runs']:>5}{p['wall_s']:>8.1f}{p['written'] / p['wall_s']:>7.2f}"
            f"{p['cpu_s']:>9.1f}{p['driver_rss_mib']:>11.0f}{p['worker_rss_mib']:>11.0f}{loads:>10}"
        )


def report_startup(results: list[dict]) -> None:
    """Per size: the driver's imports, then seconds from ``run()`` to each milestone of the run."""
    for r in results:
        p = r["pipeline"]
        if p["runs"] != 1:
            continue
        marks = ", ".join(f"{name} {p['timeline'][name]:.1f}" for name, _, _ in MILESTONES if name in p["timeline"])
        waited = "/".join(f"{w:.1f}" for w in p["waited_for_model_s"])
        print(
            f"start-up, {r['size']} articles: driver imports {p['driver_import_s']:.1f} s; from run(): {marks}, "
            f"returned {p['wall_s']:.1f}; the parse's first batches waited {waited or '-'} s for their model"
        )


def report(results: list[dict], model: str, workers: int, batch_size: int) -> None:
    from guillemet.nlp import MODELS

    print(f"model {MODELS.get(model, model)}, {workers} worker processes, batches of {batch_size}")
    reference = next((r for r in results if r["size"] == 500), results[0])
    ref_cost = reference["pipeline"]["wall_s"] / max(reference["pipeline"]["written"], 1)
    print(
        f"{'articles':>8}{'written':>8}{'pipe s':>8}{'art/s':>7}{'tok/s':>8}{'raw s':>7}{'raw a/s':>8}{'ratio':>6}"
        f"{'s/art':>7}{'vs ' + str(reference['size']):>8}{'marg s/art':>11}{'pipe cpu':>9}{'raw cpu':>8}"
        f"{'driver MiB':>11}{'worker MiB':>11}{'models':>7}"
    )
    previous = None
    for r in results:
        p, raw = r["pipeline"], r["raw"]
        written = max(p["written"], 1)
        cost = p["wall_s"] / written
        marginal = "-"
        if previous is not None and written > previous["pipeline"]["written"]:
            added = written - previous["pipeline"]["written"]
            marginal = f"{(p['wall_s'] - previous['pipeline']['wall_s']) / added:.3f}"
        loads = f"{len(p['load_pids'])}/{len(set(p['load_pids']))}/{p['model_loads']}"
        print(
            f"{r['size']:>8}{p['written']:>8}{p['wall_s']:>8.1f}{written / p['wall_s']:>7.2f}"
            f"{raw['tokens'] / p['wall_s']:>8,.0f}{raw['wall_s']:>7.1f}{written / raw['wall_s']:>8.2f}"
            f"{raw['wall_s'] / p['wall_s']:>6.2f}{cost:>7.3f}{100 * (cost / ref_cost - 1):>+7.1f}%{marginal:>11}"
            f"{p['cpu_s']:>9.1f}{raw['cpu_s']:>8.1f}{p['driver_rss_mib']:>11.0f}{p['worker_rss_mib']:>11.0f}{loads:>7}"
        )
        previous = r
    print(
        "models = model loads logged / distinct worker processes that logged one / ParseArticles.model_loads "
        f"counter; one copy per worker process means all three equal {workers}"
    )
    for r in results:
        p, raw = r["pipeline"], r["raw"]
        script_s = raw["load_s"] + raw["wall_s"]
        ours_s = p["driver_import_s"] + p["wall_s"]
        print(
            f"as a script, {r['size']} articles: import spacy + spacy.load + nlp.pipe {script_s:.1f} s "
            f"(load {raw['load_s']:.1f}); the pipeline with its driver's imports {ours_s:.1f} s; "
            f"ratio {script_s / ours_s:.2f} (the table's ratio leaves both start-ups out of raw, none out of ours)"
        )
        script = r.get("script")
        if script:
            print(
                f"the plain script, {r['size']} articles (feedparser + urllib + trafilatura.extract + nlp.pipe, "
                f"imports and load {script['load_s']:.1f} s included): {script['wall_s']:.1f} s, "
                f"{script['cpu_s']:.1f} CPU s, {script['written']} articles; the pipeline with its driver's "
                f"imports {ours_s:.1f} s; ratio script/pipeline {script['wall_s'] / ours_s:.2f}"
            )
    report_startup(results)
    shares = next((r["shares"] for r in reversed(results) if r["shares"]), None)
    if shares:
        total = sum(shares.values())
        print(
            "time by stage (one process, same core functions): "
            + ", ".join(f"{k} {100 * v / total:.1f}%" for k, v in shares.items())
        )
        print(f"quotes + entities / parse = {(shares['quotes'] + shares['entities']) / shares['parse']:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="120,500")
    parser.add_argument("--model", default="md")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage shares")
    parser.add_argument(
        "--memory", action="store_true", help="the pipeline alone (no raw spaCy, no stage shares): its peak RSS"
    )
    parser.add_argument("--feeds-per-run", type=int, help="run the pipeline in committed slices of N feeds")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = []
    for size in sizes:
        # The stage shares come from the smallest size: they are ratios, not totals.
        stages = not args.no_stages and not args.memory and size == sizes[0]
        results.append(
            run_size(size, args.model, args.workers, args.batch_size, stages, not args.memory, args.feeds_per_run)
        )
    if args.memory:
        report_memory(results, args.workers, args.feeds_per_run)
        report_startup(results)
    else:
        report(results, args.model, args.workers, args.batch_size)


if __name__ == "__main__":
    main()
