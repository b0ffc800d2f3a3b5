"""Where a pipeline run's CPU goes beyond the parse (a benchmark, not a test).

    .venv/bin/python bench/run_profile.py [--size 300] [--model md]            # timers
    .venv/bin/python bench/run_profile.py --profile [--size 200] [--top 25]    # cProfile

Writes ``bench/throughput.py``'s corpus of ``--size`` pages and runs the whole pipeline over it on
the local runner in this one process (``FnApiRunner``, one worker: every stage and Beam's own
per-element work run on the main thread; the fetch on its thread pool).

By default, without a profiler: each step of ours (the entry points in ``STEPS``) is wrapped in a
timer of the calling thread's CPU (``time.thread_time``), and the table gives CPU milliseconds
per article of each, against the main thread's CPU for the whole run; what no step holds is
Beam's own work (its runner, coders, the pickling of elements between stages) and the sinks'
file writing. The one-off loads that a long run pays once (py3langid's model, gender-guesser's
dictionary, the quote lexicon) are paid before the clock starts, so the rows are per-article
costs. A step called inside another is counted in both; its row says "of which".

With ``--profile``: the same run under ``cProfile``, the cumulative time of each step and, for
what is left, the profiler's own time by library. The profiler slows Python calls more than C
calls (the quote and gender rules more than spaCy), so its shares are indicative only.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# Our steps: (row, file suffix, function name). The first matching entry point's cumulative time.
STEPS = (
    ("extract: extract_article", "guillemet.extract", "extract_article"),
    ("  of which trafilatura.bare_extraction", "trafilatura.core", "bare_extraction"),
    ("  of which body_blocks", "guillemet.structure", "body_blocks"),
    ("normalize: build_article", "guillemet.article", "build_article"),
    ("  of which language check (record)", "guillemet.article", "text_language"),
    ("parse: ArticleParser.parse_batch", "guillemet.nlp", "ArticleParser.parse_batch"),
    ("  of which nlp.pipe (spaCy)", "spacy.language", "Language.pipe"),
    ("  of which language check (parse)", "guillemet.nlp", "ArticleParser.check"),
    ("quotes: extract_quotes", "guillemet.nlp", "extract_quotes"),
    ("genders: assign_genders", "guillemet.gender", "assign_genders"),
    ("PeopleIndex built (quotes, genders)", "guillemet.quotes.people", "PeopleIndex.__init__"),
    ("entities: extract_entities", "guillemet.nlp", "extract_entities"),
    ("join: clear_non_persons", "guillemet.gender", "clear_non_persons"),
    ("text_key (blake2b of the text)", "transforms.nlp", "text_key"),
    ("write: to_json_line", "transforms.write", "to_json_line"),
    ("once a run: model load", "guillemet.nlp", "ArticleParser.load"),
)

# The profiler's own time (tottime) of what no step above holds, by where the function lives.
LIBRARIES = (
    ("Beam coders (pickling elements)", ("apache_beam/coders",)),
    ("Beam runner and worker", ("apache_beam/",)),
    ("pickle / dill", ("pickle", "dill/")),
    ("spaCy, thinc, numpy (outside parse_batch)", ("spacy/", "thinc/", "numpy/", "srsly/")),
    ("trafilatura, htmldate, lxml (outside extract)", ("trafilatura/", "htmldate/", "justext/", "lxml", "courlan/")),
    ("json", ("json/", "_json")),
    ("guillemet, transforms, pipeline", ("guillemet/", "transforms/", "pipeline/")),
)


def _suffix(module: str) -> str:
    return module.replace(".", "/") + ".py"


def _find(stats: dict, module: str, qualname: str):
    name = qualname.rsplit(".", 1)[-1]
    for func, row in stats.items():
        filename, _, funcname = func
        if funcname == name and filename.endswith(_suffix(module)):
            return row
    return None


class _Timers:
    """Wraps each step's function, wherever it is imported, in a timer of the thread's CPU."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def install(self) -> None:
        import importlib

        for label, module, qualname in STEPS:
            owner = importlib.import_module(module)
            *path, name = qualname.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name)
            wrapped = self._wrap(label, original)
            setattr(owner, name, wrapped)
            if not path:  # a module function: also where it was imported by name
                for other in list(sys.modules.values()):
                    namespace = getattr(other, "__dict__", None)
                    if namespace is not None and namespace.get(name) is original:
                        namespace[name] = wrapped

    def _wrap(self, label: str, fn):
        import functools
        import inspect

        spent, calls, clock = self.spent, self.calls, time.thread_time
        spent[label], calls[label] = 0.0, 0
        if inspect.isgeneratorfunction(fn):  # nlp.pipe: its work is done as it is iterated

            @functools.wraps(fn)
            def timed_generator(*args, **kwargs):
                calls[label] += 1
                iterator = fn(*args, **kwargs)
                while True:
                    started = clock()
                    try:
                        item = next(iterator)
                    except StopIteration:
                        return
                    finally:
                        spent[label] += clock() - started
                    yield item

            return timed_generator

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            started = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += clock() - started
                calls[label] += 1

        return timed


def _warm_up() -> None:
    """The one-off loads a long run pays once, paid before the clock."""
    from guillemet.gender import name_gender
    from guillemet.nlp import detect_language
    from guillemet.quotes.extractor import QuoteExtractor

    detect_language("Le président a déclaré que la réforme serait votée avant l'été.")
    name_gender("Marie Dupont")
    QuoteExtractor()


def _library(func) -> str:
    filename, _, name = func
    where = filename if filename != "~" else name
    for label, needles in LIBRARIES:
        if any(needle in where for needle in needles):
            return label
    return "other (builtins, stdlib)"


def _inside_steps(stats: dict) -> set:
    """The functions called (transitively) from one of the steps, found by walking callers."""
    roots = {func for func in stats if any(func[2] == n and func[0].endswith(s) for _, s, n in STEPS)}
    callers = {func: set(row[4]) for func, row in stats.items()}
    inside: set = set()
    for func in stats:
        seen, todo = set(), [func]
        while todo:
            current = todo.pop()
            if current in roots:
                inside.add(func)
                break
            for caller in callers.get(current, ()):
                if caller not in seen:
                    seen.add(caller)
                    todo.append(caller)
    return inside


def _report_timers(timers: _Timers, written: int, cpu: float, main_cpu: float, wall: float) -> None:
    per = 1000 / max(written, 1)
    print(f"{written} articles written; process CPU {cpu:.1f} s (main thread {main_cpu:.1f} s), wall {wall:.1f} s\n")
    print("| step | CPU ms an article | % of the main thread | calls |")
    print("|---|---|---|---|")
    for label, _, _ in STEPS:
        spent = timers.spent[label]
        print(f"| {label} | {spent * per:.2f} | {100 * spent / main_cpu:.1f} % | {timers.calls[label]:,} |")
    top = [label for label, _, _ in STEPS if not label.startswith((" ", "PeopleIndex"))]
    ours = sum(timers.spent[label] for label in top)
    rest = main_cpu - ours
    print(f"| Beam and the rest of the main thread | {rest * per:.2f} | {100 * rest / main_cpu:.1f} % | |")
    other = cpu - main_cpu
    print(f"| other threads (fetch pool, spaCy import) | {other * per:.2f} | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--model", default="md")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--top", type=int, default=20, help="the functions of most own time, outside the steps")
    parser.add_argument("--profile", action="store_true", help="under cProfile, not timers")
    parser.add_argument("--save", help="with --profile: write the raw profile here (pstats)")
    args = parser.parse_args()

    from throughput import generate

    from guillemet.config import parse_config
    from pipeline.run import run

    logging.basicConfig(level=logging.WARNING)
    import transforms.nlp  # noqa: F401 - every step's module imported, so that the timers reach them

    timers = None if args.profile else _Timers()
    if timers is not None:
        timers.install()
    _warm_up()
    with tempfile.TemporaryDirectory(prefix="guillemet-profile-") as temp:
        generate(Path(temp) / "corpus", args.size)
        feeds = "\n".join(f"  - url: /f/{i}.xml" for i in range((args.size + 99) // 100))
        profile = (
            f"name: bench\noutput: {temp}/out\nserve:\n  root: {temp}/corpus\nfeeds:\n{feeds}\n"
            f"nlp:\n  model: {args.model}\n  batch_size: {args.batch_size}\n"
            "fetch:\n  allow_private_hosts: [127.0.0.1]\n"
            "  per_host_delay_s: 0\n  per_host_concurrency: 8\n  robots_txt: false\n"
        )
        config = parse_config(profile, "bench.yaml")
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        cpu, main_cpu, wall = time.process_time(), time.thread_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        summary = run(config, ["--runner=FnApiRunner"], output=f"{temp}/out")
        if profiler is not None:
            profiler.disable()
        cpu, main_cpu = time.process_time() - cpu, time.thread_time() - main_cpu
        wall = time.perf_counter() - wall
    written = summary.articles_written
    if timers is not None:
        _report_timers(timers, written, cpu, main_cpu, wall)
        return
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler).stats
    total = sum(row[2] for row in stats.values())
    per = 1000 / max(written, 1)
    print(f"{written} articles written; process CPU {cpu:.1f} s, wall {wall:.1f} s, profiled thread {total:.1f} s")
    print(f"(other threads: fetch pool and spaCy's background import: {cpu - total:.1f} s)\n")
    print("| step | CPU ms an article | % of the profiled time | calls |")
    print("|---|---|---|---|")
    for label, suffix, name in STEPS:
        row = _find(stats, suffix, name)
        if row is None:
            print(f"| {label} | – | – | 0 |")
            continue
        print(f"| {label} | {row[3] * per:.2f} | {100 * row[3] / total:.1f} % | {row[1]:,} |")
    inside = _inside_steps(stats)
    outside: dict[str, float] = {}
    for func, row in stats.items():
        if func not in inside:
            outside[_library(func)] = outside.get(_library(func), 0.0) + row[2]
    print("\nOutside those steps, own time by library:\n")
    print("| library | CPU ms an article | % of the profiled time |")
    print("|---|---|---|")
    for label, spent in sorted(outside.items(), key=lambda item: -item[1]):
        print(f"| {label} | {spent * per:.2f} | {100 * spent / total:.1f} % |")
    print(f"\nThe {args.top} functions of most own time outside the steps (ms an article, calls):\n")
    ranked = sorted((row[2], func, row[1]) for func, row in stats.items() if func not in inside)[::-1]
    for spent, (filename, line, name), calls in ranked[: args.top]:
        print(f"  {spent * per:7.2f}  {calls:>9,}  {name}  {filename.split('site-packages/')[-1]}:{line}")


if __name__ == "__main__":
    main()
