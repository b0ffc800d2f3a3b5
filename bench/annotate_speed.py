"""``guillemet annotate`` over real pages against a plain trafilatura + ``nlp.pipe`` script on the
same pages (a benchmark, not a test).

    .venv/bin/python bench/annotate_speed.py [--pages DIR] [--rounds 3] [--workers 1] [--model md]

Both run as commands, as a user would run them, start-up and model load included: ``guillemet
annotate PAGE...`` (extraction, normalisation, language check, parse, quotes, entities, genders,
one JSON line a page) and this file with ``--plain PAGE...`` (``trafilatura.extract`` on each page,
``nlp.pipe`` with all the model's components on the texts, one JSON line a text with its
entities), with the same model, batch size and number of spaCy processes. The pages are the
article pages of ``../shared/realworld/html`` (38: every ``*.html`` but readability's expected
outputs). The two commands alternate (the order swapped every round, so that a change in the
machine's load falls on both); the benchmark prints each round's wall and CPU seconds, the
medians, and the ratio annotate / plain (the target: within 1.5). A third command, ``plain+idx``
(off with ``--no-indexed``), is the plain script with the lemmatizer's tables indexed as
``ArticleParser`` loads them: annotate / plain+idx is what annotate's own steps cost beyond the
same parse.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = next(
    (base / "shared" / "realworld" / "html" for base in (ROOT.parent, Path("/work")) if (base / "shared").is_dir()),
    ROOT.parent / "shared" / "realworld" / "html",
)


def article_pages(folder: Path) -> list[Path]:
    """The article pages of a folder: its ``*.html`` files but the expected outputs stored beside them."""
    return sorted(path for path in folder.glob("*.html") if "expected" not in path.name)


def plain(paths: list[str], model: str, workers: int, batch_size: int, indexed: bool = False) -> None:
    """The plain script: trafilatura, then nlp.pipe over the texts, one JSON line each (``indexed``:
    with the lemmatizer's tables indexed as ``ArticleParser`` does)."""
    import spacy
    import trafilatura

    from guillemet.nlp import MODELS, index_lemma_tables

    nlp = spacy.load(MODELS.get(model, model))
    if indexed:
        index_lemma_tables(nlp)

    def texts():
        for path in paths:
            text = trafilatura.extract(Path(path).read_bytes())
            if text:
                yield text

    for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=workers):
        entities = [[ent.start_char, ent.end_char, ent.label_] for ent in doc.ents]
        print(json.dumps({"text": doc.text, "entities": entities}, ensure_ascii=False))


def _timed(command: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # annotate exits 1 when some page gives no record
        raise SystemExit(f"{command[:4]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return {
        "wall_s": wall,
        "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "records": sum("text" in line for line in lines),
        "failed": sum("error_class" in line for line in lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--model", default="md")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--no-indexed", action="store_true", help="skip the third command (the plain script, tables indexed)"
    )
    parser.add_argument("--plain", nargs="+", metavar="PAGE", help=argparse.SUPPRESS)
    parser.add_argument("--indexed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        sys.path.insert(0, str(ROOT))
        plain(args.plain, args.model, args.workers, args.batch_size, args.indexed)
        return
    pages = [str(path) for path in article_pages(args.pages)]
    if not pages:
        raise SystemExit(f"no article page in {args.pages}")
    common = ["--model", args.model, "--workers", str(args.workers), "--batch-size", str(args.batch_size)]
    commands = {
        "annotate": [sys.executable, "-m", "pipeline.cli", "annotate", "-q", *pages, *common],
        "plain": [sys.executable, str(Path(__file__).resolve()), *common, "--plain", *pages],
    }
    if not args.no_indexed:
        commands["plain+idx"] = [*commands["plain"][:2], *common, "--indexed", "--plain", *pages]
    results: dict[str, list[dict]] = {name: [] for name in commands}
    print(f"{len(pages)} pages from {args.pages}, model {args.model}, {args.workers} spaCy process(es)")
    print(f"{'round':>5}  {'command':<9}{'wall s':>8}{'cpu s':>8}{'records':>8}{'failed':>7}")
    for round_no in range(args.rounds):
        # The order rotates, so that each command runs first, in the middle and last in turn.
        shift = round_no % len(commands)
        order = list(commands)[shift:] + list(commands)[:shift]
        for name in order:
            result = _timed(commands[name])
            results[name].append(result)
            print(
                f"{round_no + 1:>5}  {name:<9}{result['wall_s']:>8.1f}{result['cpu_s']:>8.1f}"
                f"{result['records']:>8}{result['failed']:>7}",
                flush=True,
            )
    medians = {
        name: {key: statistics.median(r[key] for r in runs) for key in ("wall_s", "cpu_s")}
        for name, runs in results.items()
    }
    for name, median in medians.items():
        print(f"median {name:<9} wall {median['wall_s']:.1f} s, cpu {median['cpu_s']:.1f} s")
    wall = medians["annotate"]["wall_s"] / medians["plain"]["wall_s"]
    cpu = medians["annotate"]["cpu_s"] / medians["plain"]["cpu_s"]
    print(f"annotate / plain: wall {wall:.2f}, cpu {cpu:.2f} (target: within 1.5)")
    if "plain+idx" in medians:
        wall = medians["annotate"]["wall_s"] / medians["plain+idx"]["wall_s"]
        cpu = medians["annotate"]["cpu_s"] / medians["plain+idx"]["cpu_s"]
        print(f"annotate / plain+idx (the same lemmatizer tables): wall {wall:.2f}, cpu {cpu:.2f}")


if __name__ == "__main__":
    main()
