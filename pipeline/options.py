"""Beam pipeline options from a run profile and the command line.

The default runner is ``FnApiRunner``: Beam's local runner, named explicitly because Beam 2.77's
``DirectRunner`` first tries to download the Prism runner binary from the internet (and, offline,
waits for that to fail before falling back). Flags given on the command line win over the profile.
"""

from __future__ import annotations

import difflib
import os

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions, _BeamArgumentParser

from guillemet.config import GuillemetConfig

LOCAL_RUNNERS = frozenset(
    {"FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner", "PrismRunner"}
)


# Options naming a local file: a relative path in a profile is relative to the profile's folder,
# so that `setup_file: ../setup.py` works whatever the current directory.
PATH_OPTIONS = frozenset({"setup_file", "requirements_file"})


def _flags(name: str, value) -> list[str]:
    # Beam's boolean options are presence flags (--no_auth): true adds it, false leaves it out.
    if isinstance(value, bool):
        return [f"--{name}"] if value else []
    return [f"--{name}={value}"]


def beam_flags(config: GuillemetConfig, extra: list[str] | None = None) -> list[str]:
    """The Beam flags of a run: the profile's runner and options, then ``extra`` (which win)."""
    flags = [f"--runner={config.beam.runner}"]
    for name, value in config.beam.options.items():
        if name in PATH_OPTIONS and isinstance(value, str) and config.base_dir and not os.path.isabs(value):
            value = os.path.normpath(os.path.join(config.base_dir, value))
        flags += _flags(name, value)
    return flags + list(extra or [])


def pipeline_options(config: GuillemetConfig, extra: list[str] | None = None) -> PipelineOptions:
    """The ``PipelineOptions`` of a run (see ``beam_flags``)."""
    return PipelineOptions(beam_flags(config, extra))


def runner_name(options: PipelineOptions) -> str:
    runner = options.view_as(StandardOptions).runner
    return runner if isinstance(runner, str) else type(runner).__name__


def is_local(options: PipelineOptions) -> bool:
    """Whether the pipeline runs on this machine (and can reach a corpus served on 127.0.0.1)."""
    return runner_name(options).rsplit(".", 1)[-1] in LOCAL_RUNNERS


def beam_option_strings() -> list[str]:
    """Every flag Beam's options know (``--runner``, ``--project``, …), as ``PipelineOptions``
    collects them: the arguments of each of its subclasses, on Beam's own parser."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    classes = {}
    for cls in PipelineOptions.__subclasses__():
        classes.setdefault(str(cls), cls)
    for cls in classes.values():
        cls._add_argparse_args(parser)  # noqa: SLF001 - how Beam itself lists its options
    return [option for action in parser._actions for option in action.option_strings]  # noqa: SLF001


def unknown_flags(flags: list[str], ours: list[str]) -> list[str]:
    """The flags of ``flags`` that neither we (``ours``) nor Beam know, each with a suggestion.

    Beam only logs a warning for a flag it does not know and runs on without it: a mistyped
    ``--ouput`` would write to the profile's output. Values (what does not start with ``-``) are
    left alone.

    Returns:
        One message per unknown flag, such as ``unknown flag --ouput (did you mean --output?)``.
    """
    known = set(beam_option_strings())
    candidates = sorted(known | set(ours))
    problems = []
    for flag in flags:
        if not flag.startswith("-") or flag == "--":
            continue
        name = flag.split("=", 1)[0]
        if name in known:
            continue
        message = f"unknown flag {name}"
        close = difflib.get_close_matches(name, candidates, n=1)
        if close:
            message += f" (did you mean {close[0]}?)"
        problems.append(message)
    return problems
