"""The Dataflow deployment: the job DataflowRunner would submit, the Flex Template, multi-process runs.

The Dataflow tests build the whole graph for ``DataflowRunner`` with ``--dry_run=True``: Beam 2.77
applies its Dataflow overrides, translates the graph to the portable proto, stages nothing and
returns before it creates an API client (``DataflowRunner.run_pipeline``). ``--no_auth`` keeps any
credential lookup away, and a tripwire on ``socket.connect`` fails the test if anything tries to
reach a host other than 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import socket
from contextlib import contextmanager
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.internal import pickler
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.runners.dataflow.internal import apiclient
from google.cloud import dataflow as dataflow_api

from guillemet.config import load_config, parse_config
from guillemet.errors import ConfigError
from guillemet.localserver import CorpusServer, resolve_root
from pipeline import flex
from pipeline.graph import RunLayout, build_graph, feed_sources
from pipeline.lock import EXIT_LOCKED, LOCK_NAME, OutputLock
from pipeline.options import pipeline_options
from pipeline.run import run
from tests.conftest import ROOT

PROFILE = ROOT / "configs" / "dataflow.yaml"
METADATA = ROOT / "deploy" / "flex-template" / "metadata.json"
DRY_RUN = ["--dry_run=True", "--no_auth"]

# The graph's top-level steps. Dataflow matches steps by label when a running job is updated
# (--update): renaming one needs --transform_name_mapping, so a change here must be deliberate.
TOP_LEVEL_STEPS = [
    "CollectDeadLetters",
    "DedupArticles",
    "DedupEntries",
    "ExtractEntities",
    "ExtractQuotes",
    "ExtractText",
    "FeedSources",
    "FetchArticles",
    "JoinAnnotations",
    "KeyArticles",
    "MarkVersions",
    "NormalizeText",
    "ParseArticles",
    "ParseEntries",
    "ReadFeeds",
    "ReadSeen",
    "UpdateSeen",
    "WarmUpNlp",
    "WriteArticles",
    "WriteDeadLetters",
    "WriteFeedReports",
]
OUR_MODULES = {
    path.name for package in ("guillemet", "transforms", "pipeline") for path in (ROOT / package).rglob("*.py")
}


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@contextmanager
def _no_network():
    """Refuses any name lookup or connection beyond loopback, and lists the attempts."""
    attempts = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if sock.family != socket.AF_UNIX and host not in LOOPBACK:
            attempts.append(address)
            raise OSError(f"test_dataflow: no network, refused a connection to {address}")
        return connect(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK and host is not None:
            attempts.append(host)
            raise socket.gaierror(f"test_dataflow: no network, refused to look up {host}")
        return getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded_connect)
        patch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
        yield attempts


def _dry_run(config, extra: list[str] | None = None):
    pipeline = beam.Pipeline(options=pipeline_options(config, DRY_RUN + list(extra or [])))
    build_graph(pipeline, config, feed_sources(config), RunLayout.new(config.output))
    return pipeline.run()


@pytest.fixture(scope="module")
def profile():
    return load_config(PROFILE)


@pytest.fixture(scope="module")
def dry_run(profile):
    """The profile's job, translated for Dataflow; with the connection attempts made meanwhile."""
    with _no_network() as attempts:
        result = _dry_run(profile)
    return result, attempts


def _labels(job) -> list[str]:
    # "ref_AppliedPTransform_…" is the pipeline's unnamed root, not a step.
    transforms = job.proto_pipeline.components.transforms
    return sorted(t.unique_name for t in transforms.values() if not t.unique_name.startswith("ref_"))


def test_the_profile_is_a_dataflow_profile(profile):
    assert profile.beam.runner == "DataflowRunner"
    assert profile.serve is None
    assert profile.output.startswith("gs://")
    assert all(feed.url.startswith("https://") for feed in profile.feeds)
    # The relative setup_file is resolved against the profile's folder, whatever the cwd.
    flags = pipeline_options(profile).get_all_options()
    assert flags["setup_file"] == str(ROOT / "setup.py")


def test_the_dry_run_translates_without_network(profile, dry_run):
    result, attempts = dry_run
    assert attempts == []
    assert str(result.state) == "DONE"
    assert result.job.proto.name == "guillemet-fr-news"
    assert result.job.proto.type == dataflow_api.JobType.JOB_TYPE_BATCH
    # Every step runs in the one Docker environment of our image.
    environments = result.job.proto_pipeline.components.environments
    images = {
        beam_runner_api_pb2.DockerPayload.FromString(env.payload).container_image
        for env in environments.values()
        if env.urn == common_urns.environments.DOCKER.urn
    }
    assert images == {profile.beam.options["sdk_container_image"]}


def test_step_labels_are_stable_unique_and_deterministic(profile, dry_run):
    labels = _labels(dry_run[0].job)
    assert len(labels) == len(set(labels))
    assert sorted({label.split("/", 1)[0] for label in labels}) == TOP_LEVEL_STEPS
    for label in labels:
        # A lambda's label carries its file and line: an edit elsewhere in the file would rename it.
        for module in re.findall(r"<lambda at ([\w.]+)\.py:\d+>", label):
            assert f"{module}.py" not in OUR_MODULES, label
        assert " at 0x" not in label, label
    with _no_network():
        assert _labels(_dry_run(profile).job) == labels


def test_every_dofn_is_picklable(dry_run):
    """Each DoFn of the translated job loads back with Beam's pickler.

    Loading in other processes, with nothing of the launching process, is what
    test_multi_process_run_equals_the_in_process_run proves.
    """
    payloads = {}
    for transform in dry_run[0].job.proto_pipeline.components.transforms.values():
        if transform.spec.urn == common_urns.primitives.PAR_DO.urn:
            payload = beam_runner_api_pb2.ParDoPayload.FromString(transform.spec.payload)
            payloads[transform.unique_name] = payload.do_fn.payload
    ours = [name for name in payloads if name.split("/", 1)[0] in TOP_LEVEL_STEPS]
    assert any("FetchArticles" in name for name in ours) and any("ParseArticles" in name for name in ours)
    for name, payload in payloads.items():
        assert pickler.loads(payload) is not None, name


def test_the_job_environment_is_the_profile(profile, dry_run):
    """The environment Dataflow would receive, built by Beam's own client code, offline."""
    options = profile.beam.options
    job = dry_run[0].job
    environment = apiclient.Environment(
        packages=[],
        options=job.options,
        environment_version="8",
        proto_pipeline_staged_url=options["staging_location"] + "/pipeline.pb",
        proto_pipeline=job.proto_pipeline,
    ).proto
    (pool,) = environment.worker_pools
    assert pool.machine_type == options["worker_machine_type"]
    assert pool.num_workers == options["num_workers"]
    assert pool.autoscaling_settings.max_num_workers == options["max_num_workers"]
    assert pool.autoscaling_settings.algorithm == dataflow_api.AutoscalingAlgorithm.AUTOSCALING_ALGORITHM_BASIC
    assert pool.disk_size_gb == options["disk_size_gb"]
    assert pool.subnetwork == options["subnetwork"]
    assert pool.ip_configuration == dataflow_api.WorkerIPAddressConfiguration.WORKER_IP_PRIVATE
    assert pool.worker_harness_container_image == options["sdk_container_image"]
    assert environment.service_account_email == options["service_account_email"]
    # Beam puts each job's temporary files in a folder of its own under temp_location.
    assert environment.temp_storage_prefix.startswith(
        options["temp_location"].replace("gs:/", "storage.googleapis.com")
    )
    sdk_options = dict(environment.sdk_pipeline_options["options"])
    for key in ("project", "region", "job_name", "sdk_container_image"):
        assert sdk_options[key] == options[key], key
    for key in ("temp_location", "staging_location"):
        assert sdk_options[key].startswith(options[key] + "/"), key
    assert sdk_options["setup_file"] == str(ROOT / "setup.py")
    assert dict(job.proto.labels) == {"app": "guillemet"}


# --- The Flex Template -----------------------------------------------------------------------------

PARAMETER_EXAMPLES = {
    "config": (["gs://my-bucket/profiles/fr-news.yaml", "/template/configs/dataflow.yaml"], ["profile.yaml", "gs://b"]),
    "output": (["gs://my-bucket/guillemet", "gs://my-bucket"], ["/tmp/out", "gs://B/x", "s3://bucket/x"]),
    "feeds": (["https://a.fr/rss.xml", "https://a.fr/rss,http://b.be/feed"], ["a.fr/rss", "https://a.fr/rss, x"]),
    "model": (["md", "sm"], ["lg", "fr_core_news_md"]),
    "quotes": (["true", "false"], ["yes", "True"]),
    "entities": (["true", "false"], ["1", ""]),
    "full": (["true", "false"], ["yes", ""]),
}


def test_metadata_documents_every_parameter_of_the_entry_point():
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    parameters = {p["name"]: p for p in metadata["parameters"]}
    assert tuple(parameters) == flex.FLEX_PARAMETERS
    accepted = {
        action.dest: action for action in flex.build_parser()._actions if action.option_strings != ["-h", "--help"]
    }
    assert set(accepted) == set(parameters)
    for name, parameter in parameters.items():
        assert parameter["label"] and len(parameter["helpText"]) > 20, name
        assert parameter["isOptional"] is not accepted[name].required, name
        assert parameter["regexes"], name
        good, bad = PARAMETER_EXAMPLES[name]
        for value in good:
            assert all(re.fullmatch(regex, value) for regex in parameter["regexes"]), (name, value)
        for value in bad:
            assert not all(re.fullmatch(regex, value) for regex in parameter["regexes"]), (name, value)


def test_values_the_metadata_accepts_are_accepted_by_the_entry_point(tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE.read_text(encoding="utf-8"), encoding="utf-8")
    for feeds in PARAMETER_EXAMPLES["feeds"][0]:
        for model in ("md", "sm"):
            args = flex.build_parser().parse_args(
                [f"--config={profile}", "--output=gs://b/x", f"--feeds={feeds}", f"--model={model}", "--quotes=false"]
            )
            config = flex.template_config(args)
            assert [feed.url for feed in config.feeds] == feeds.split(",")
            assert (config.nlp.model, config.nlp.quotes, config.nlp.entities) == (model, False, True)


def test_the_flex_entry_point_builds_the_job_from_template_parameters(dry_run, tmp_path):
    # A folder for output: the launch takes its lock (offline, it could not take a gs:// one).
    output = tmp_path / "news"
    with _no_network() as attempts:
        config, result = flex.launch(
            [
                f"--config={PROFILE}",
                f"--output={output}",
                "--feeds=https://www.rfi.fr/fr/rss,https://www.ledevoir.com/rss/manchettes.xml",
                "--model=sm",
                "--entities=false",
                # Offline, the launch cannot read the committed state under gs://.
                "--full=true",
                # What the launcher appends: the job environment.
                "--project=launch-project",
                "--region=europe-west9",
                "--temp_location=gs://launch-bucket/tmp",
                "--sdk_container_image=europe-west9-docker.pkg.dev/launch-project/guillemet/guillemet:0.1.0",
                *DRY_RUN,
            ]
        )
    assert str(result.state) == "DONE" and attempts == []
    assert config.output == str(output)
    # A dry run is over when the launch returns: no CommitRun will give the lock back, the launch did.
    assert not (output / LOCK_NAME).exists()
    assert [feed.url for feed in config.feeds] == [
        "https://www.rfi.fr/fr/rss",
        "https://www.ledevoir.com/rss/manchettes.xml",
    ]
    assert (config.nlp.model, config.nlp.entities) == ("sm", False)
    options = result.job.options.get_all_options()
    # The job environment is the launch's; the profile's beam section is not used.
    assert (options["runner"], options["project"], options["region"]) == (
        "DataflowRunner",
        "launch-project",
        "europe-west9",
    )
    assert options["machine_type"] is None and options["setup_file"] is None
    labels = _labels(result.job)
    # The template's job commits itself: CommitRun, a step the driver-committed job does not have.
    assert "CommitRun" in {label.split("/", 1)[0] for label in labels}
    assert not any(label.startswith("CommitRun") for label in _labels(dry_run[0].job))
    assert not any(label.startswith("ExtractEntities") for label in labels)
    assert any(label.startswith("ExtractQuotes") for label in labels)


def test_the_flex_entry_point_refuses_a_served_corpus_and_bad_values():
    demo = flex.build_parser().parse_args([f"--config={ROOT / 'configs' / 'demo.yaml'}", "--output=gs://b/x"])
    with pytest.raises(ConfigError, match="served locally"):
        flex.template_config(demo)
    with pytest.raises(SystemExit):
        flex.build_parser().parse_args(["--output=gs://b/x", "--quotes=yes"])
    assert flex.main([f"--config={ROOT / 'configs' / 'demo.yaml'}", "--output=gs://b/x"]) == 2


def test_a_flex_launch_on_a_locked_output_is_refused(tmp_path, capsys):
    output = tmp_path / "news"
    held = OutputLock.acquire(str(output), kind="stream")
    held.name_run("20261202T090000Z-held00")
    with _no_network() as attempts:
        code = flex.main([f"--config={PROFILE}", f"--output={output}", *DRY_RUN])
    assert code == EXIT_LOCKED and attempts == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"guillemet flex template: another run holds the lock of {output} (stream 20261202T090000Z-held00, driver pid"
    )
    # Nothing read, nothing written, and the holder's lock is still the holder's.
    assert sorted(path.name for path in output.iterdir()) == [LOCK_NAME, LOCK_NAME + ".guard"]
    assert json.loads((output / LOCK_NAME).read_text("utf-8"))["token"] == held.token
    assert held.release()


# --- Several worker processes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_server():
    """One server for both runs, so that URLs (and so article ids) are the same in both."""
    with CorpusServer(resolve_root("bundled:demo")) as server:
        yield server


def _demo_profile(server) -> str:
    demo = load_config(ROOT / "configs" / "demo.yaml")
    feeds = "\n".join(f"  - {{url: '{server.base_url}{feed.url}'}}" for feed in demo.feeds)
    # The small model: this is about shared state, not accuracy, and each worker loads its own copy.
    return f"""
name: multi-process
output: unused
feeds:
{feeds}
fetch: {{allow_private_hosts: [127.0.0.1], read_timeout_s: 10, retries: 1, backoff_s: 0.2}}
nlp: {{model: sm}}
"""


def _records(directory: str) -> dict[str, dict]:
    records = {}
    for path in Path(directory).glob("part-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record.pop("fetched_at")
            record.pop("first_seen")  # the time of the run that first wrote the article
            records[record["id"]] = record
    return records


@pytest.mark.slow
def test_multi_process_run_equals_the_in_process_run(demo_server, tmp_path):
    config = parse_config(_demo_profile(demo_server), "multi-process.yaml")
    single = run(config, ["--direct_num_workers=1"], output=str(tmp_path / "single"))
    multi = run(
        config,
        ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
        output=str(tmp_path / "multi"),
    )
    assert single.state == multi.state == "DONE"
    # One model copy per worker process: one in process, at most one in each of the two workers.
    assert single.count("ParseArticles.model_loads") == 1
    assert 1 <= multi.count("ParseArticles.model_loads") <= 2
    in_process, two_processes = _records(single.outputs["articles"]), _records(multi.outputs["articles"])
    assert len(in_process) >= 5
    assert sum(len(record["quotes"]) for record in in_process.values()) >= 5
    assert sorted(two_processes) == sorted(in_process)
    for article_id, record in in_process.items():
        assert two_processes[article_id]["quotes"] == record["quotes"], article_id
        assert two_processes[article_id] == record, article_id
    assert multi.articles_written == single.articles_written == len(in_process)
    assert multi.count("dead_letters.written") == single.count("dead_letters.written")
