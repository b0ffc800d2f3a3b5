"""The subcommands over committed runs: ``export``, ``report`` and ``reannotate``."""

from __future__ import annotations

import argparse
import os
from datetime import date

from guillemet.errors import ConfigError

COMMANDS = ("export", "report", "reannotate")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from error


def add_commands(commands, logging_flags: argparse.ArgumentParser) -> None:
    """Adds ``export``, ``report`` and ``reannotate`` to the ``guillemet`` parser."""
    dates = argparse.ArgumentParser(add_help=False)
    dates.add_argument("--since", type=_day, metavar="DATE", help="articles published on or after DATE")
    dates.add_argument("--until", type=_day, metavar="DATE", help="articles published on or before DATE")
    export = commands.add_parser(
        "export",
        parents=[logging_flags, dates],
        help="write quote and entity tables (Parquet, or CSV by extension) from committed runs",
        description="Read the committed runs under OUTPUT (a folder or gs:// prefix), keep the latest "
        "version of each article, and write one row per quote and one per entity per article "
        "(docs/analysis.md). FILE ending in .csv is written as CSV, anything else as Parquet.",
    )
    export.add_argument("output", metavar="OUTPUT", help="a run output folder or gs:// prefix")
    export.add_argument("--quotes", metavar="FILE", help="the quote table")
    export.add_argument("--entities", metavar="FILE", help="the entity table")
    report = commands.add_parser(
        "report",
        parents=[logging_flags, dates],
        help="write a static HTML report of committed runs",
        description="One self-contained HTML page (inline SVG charts, no script, no network): quotes per "
        "outlet and day, share of women quoted, most quoted people and quotes, feeds' health.",
    )
    report.add_argument("output", metavar="OUTPUT", help="a run output folder or gs:// prefix")
    report.add_argument("--html", metavar="FILE", required=True, help="the page to write")
    reannotate = commands.add_parser(
        "reannotate",
        parents=[logging_flags],
        help="run the current quote and entity steps on stored articles, committed as a new run",
        description="Read the latest version of every committed article under OUTPUT, annotate it again "
        "with the profile's NLP settings (no fetching) and commit the result as a new run whose records "
        "and manifest name the annotator. Flags not listed here are passed to Beam.",
    )
    reannotate.add_argument("output", metavar="OUTPUT", help="a run output folder or gs:// prefix")
    reannotate.add_argument("--config", required=True, help="the profile whose nlp and beam sections apply")


def _check_output(command: str, output: str) -> None:
    # A mistyped local folder would read as "0 runs": refused at start instead (gs:// is read as given).
    if "://" not in output and not os.path.isdir(output):
        raise ConfigError(f"{command}: {output} is not a folder (give a run output folder or gs:// prefix)")


def run_command(args: argparse.Namespace, beam_args: list[str] | None = None) -> int:
    """Runs ``export``, ``report`` or ``reannotate``; 0 on success, 1 on a failed job, 2 on bad usage.

    Raises:
        ConfigError: OUTPUT is no folder; (reannotate) its model is not installed, or OUTPUT holds no
            committed run.
    """
    from pipeline.cli import _print

    _check_output(args.command, args.output)
    if args.command == "reannotate":
        from guillemet.analysis.runs import LocalStorage, committed_manifests
        from guillemet.config import load_config
        from pipeline.analysis import BeamStorage
        from pipeline.reannotate import reannotate
        from pipeline.run import check_can_run

        config = load_config(args.config)
        check_can_run(config, beam_args)
        if not committed_manifests(BeamStorage() if "://" in args.output else LocalStorage(), args.output):
            raise ConfigError(f"reannotate: no committed run under {args.output}")
        summary = reannotate(config, args.output, beam_args)
        _print(f"guillemet reannotate {summary.run_id}: {summary.state}, {summary.articles_written} articles")
        return 0 if summary.state == "DONE" else 1
    if args.command == "export":
        from pipeline.analysis import export

        if not (args.quotes or args.entities):
            raise ConfigError("export: give --quotes FILE and/or --entities FILE")
        counts = export(args.output, args.quotes, args.entities, args.since, args.until)
        _print(", ".join(f"{n} {name}" for name, n in counts.items()))
        return 0
    from pipeline.analysis import report

    counts = report(args.output, args.html, args.since, args.until)
    _print(f"{args.html}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0
