"""The Dataflow Flex Template entry point: template parameters → a run profile → a submitted job.

The Flex Template launcher runs ``deploy/flex-template/main.py`` with each template parameter as
``--name=value``, followed by the job's Beam options (project, region, temp and staging locations,
container image, worker settings, ``--setup_file``). Our parameters (``FLEX_PARAMETERS``, documented
and validated in ``deploy/flex-template/metadata.json``) are mapped onto the run profile; every other
flag goes to Beam.

Two differences from ``guillemet run`` (``pipeline/run.py``):

- the job environment comes from the launch (``gcloud dataflow flex-template run`` flags and the
  template's defaults), not from the profile's ``beam`` section, which is ignored here;
- the launcher submits the job and exits without waiting for it: Google's Flex Template guide says
  the program must return after ``run()`` (a launch that waits for the job is killed). So the job
  commits itself: its last step (``CommitRun``) writes the feed state and the manifest once every
  write is done (``committed_by: pipeline``, ``docs/storage.md``). The launch reads the committed
  state (as ``guillemet run`` does), so template runs are incremental unless ``full`` is true.
  It takes the output's lock first, as ``guillemet run --no-wait`` does, and hands it to the job's
  ``CommitRun``; a launch on a locked output is refused (exit 75, one line naming the holder).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from apache_beam.io.filesystems import FileSystems
from apache_beam.runners.runner import PipelineResult
from pydantic import ValidationError

from guillemet.config import BeamConfig, GuillemetConfig, load_config, parse_config
from guillemet.errors import ConfigError
from pipeline.lock import EXIT_LOCKED, OutputLockedError
from pipeline.run import RunPlan, build_run
from pipeline.session import JobSession

_LOGGER = logging.getLogger(__name__)

# The profile baked into the image (Dockerfile); the `config` parameter names another.
DEFAULT_CONFIG = os.environ.get("GUILLEMET_FLEX_CONFIG", "/template/configs/dataflow.yaml")

# Every user-facing template parameter, in the order of metadata.json.
FLEX_PARAMETERS = ("config", "output", "feeds", "model", "quotes", "entities", "full")


def _boolean(value: str) -> bool:
    if value not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, not {value!r}")
    return value == "true"


def build_parser() -> argparse.ArgumentParser:
    """The template parameters; unknown flags are left for Beam."""
    parser = argparse.ArgumentParser(prog="guillemet-flex", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=DEFAULT_CONFIG, help="run profile: a path in the image or gs://")
    parser.add_argument("--output", required=True, help="gs:// prefix of the run's output")
    parser.add_argument("--feeds", help="comma-separated feed URLs replacing the profile's feeds")
    parser.add_argument("--model", choices=("md", "sm"), help="the spaCy model (default: the profile's)")
    parser.add_argument("--quotes", type=_boolean, help="true or false: run the quote branch")
    parser.add_argument("--entities", type=_boolean, help="true or false: run the entity branch")
    parser.add_argument("--full", type=_boolean, default=False, help="true: ignore the committed state (default false)")
    return parser


def _read_profile(path: str) -> GuillemetConfig:
    if not path.startswith("gs://"):
        return load_config(path)
    try:
        with FileSystems.open(path) as handle:
            text = handle.read().decode("utf-8")
    except Exception as error:  # noqa: BLE001 - any storage error means the profile is unreadable
        raise ConfigError(f"{path}: cannot read the configuration: {error}") from error
    return parse_config(text, source=path)


def template_config(args: argparse.Namespace) -> GuillemetConfig:
    """The profile named by ``--config`` with the template's parameters applied, validated again.

    Raises:
        ConfigError: the profile or a parameter is invalid, or the profile serves a local corpus.
    """
    profile = _read_profile(args.config)
    if profile.serve is not None:
        raise ConfigError(f"{args.config}: a Flex Template job cannot reach a corpus served locally ('serve')")
    data = profile.model_dump()
    data["output"] = args.output
    data["beam"] = BeamConfig(runner="DataflowRunner").model_dump()
    if args.feeds:
        data["feeds"] = [{"url": url.strip()} for url in args.feeds.split(",") if url.strip()]
    for key in ("model", "quotes", "entities"):
        if getattr(args, key) is not None:
            data["nlp"][key] = getattr(args, key)
    try:
        return GuillemetConfig(**data, source=profile.source, base_dir=profile.base_dir)
    except ValidationError as error:
        raise ConfigError(f"{args.config} with the template parameters: {error}") from None


def launch(argv: list[str]) -> tuple[GuillemetConfig, PipelineResult]:
    """Builds the graph from the template parameters and submits it, without waiting for the job.

    The launch takes the output's lock (refused while another job holds it), reads the committed
    state under it and hands the lock to the job, whose last step (``CommitRun``) commits the run
    and gives the lock back; a launch that fails, or a job already over when it returns (a dry
    run), gives it back at once.

    Raises:
        ConfigError: a template parameter or the profile is invalid.
        OutputLockedError: another job holds the output's lock past ``lock.wait_s``.
    """
    args, beam_args = build_parser().parse_known_args(argv)
    config = template_config(args)
    with JobSession(config, beam_args) as session:
        session.hand_lock_to_pipeline()
        plan = RunPlan.new(session, full=args.full)
        pipeline = session.pipeline()
        build_run(pipeline, config, plan, session.sources(), commit_in_pipeline=True)
        result = session.submit(pipeline)
    _LOGGER.info(
        "run %s submitted: %d feeds, output %s, %s",
        plan.layout.run_id,
        len(config.feeds),
        plan.layout.output,
        f"incremental from run {plan.committed.run_id}" if plan.committed else "full",
    )
    return config, result


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s %(message)s")
    try:
        launch(sys.argv[1:] if argv is None else argv)
    except ConfigError as error:
        print(f"guillemet flex template: {error}", file=sys.stderr)
        return 2
    except OutputLockedError as error:
        print(f"guillemet flex template: {error}", file=sys.stderr)
        return EXIT_LOCKED
    return 0


if __name__ == "__main__":
    sys.exit(main())
