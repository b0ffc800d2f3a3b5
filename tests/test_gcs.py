"""gs:// output on a real GCS emulator (gcp-storage-emulator on 127.0.0.1): the demo job, read back
with google-cloud-storage and validated, then incremental runs and a crash before the commit.

How the clients find the emulator (Beam 2.77, google-cloud-storage 3): Beam's GCS filesystem builds
a ``google.cloud.storage.Client``, which sends every request to ``STORAGE_EMULATOR_HOST`` when it
is set. Beam's ``--no_auth`` is only read by the Dataflow runner's API client, not by the GCS
filesystem, which always looks up Application Default Credentials first and, finding none, retries
the lookup for about 26 s before going anonymous. The equivalent here is an ADC file of type
``authorized_user`` holding an unexpired dummy access token: google-auth loads it at once and never
needs to refresh it, and the emulator accepts any token, so nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest

from guillemet.config import load_config
from guillemet.localserver import CorpusServer
from guillemet.schema import schema_errors
from pipeline.run import run
from pipeline.store import committed_runs
from tests.conftest import ROOT
from tests.test_incremental import (
    CHANGED_PAGE,
    COURRIER_FEED,
    DEMO_ARTICLES,
    assert_exactly_once,
    committed_articles,
    copy_demo_corpus,
    edit_page,
    profile,
)

pytestmark = pytest.mark.slow

BUCKET = "guillemet-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """A GCS emulator in memory on 127.0.0.1 with one bucket, and the environment that reaches it."""
    from gcp_storage_emulator.server import create_server
    from google.cloud import storage

    logging.getLogger("gcp_storage_emulator").setLevel(logging.ERROR)
    port = _free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    adc = tmp_path_factory.mktemp("adc") / "application_default_credentials.json"
    expiry = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "emulator",
                "client_secret": "emulator",
                "refresh_token": "emulator",
                "token": "emulator-token",
                "expiry": expiry,
            }
        )
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
        patch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
        patch.setenv("GOOGLE_CLOUD_PROJECT", "guillemet-test")
        yield storage.Client.create_anonymous_client()
    server.stop()


def _lines(client, prefix: str) -> list[dict]:
    return [
        json.loads(line)
        for blob in client.list_blobs(BUCKET, prefix=prefix)
        for line in blob.download_as_bytes().decode("utf-8").splitlines()
        if line.strip()
    ]


def _prefix(gs_path: str) -> str:
    return gs_path.removeprefix(f"gs://{BUCKET}/") + "/"


def test_demo_job_writes_valid_records_to_gcs_then_nothing_twice(emulator, caplog):
    caplog.set_level(logging.WARNING, logger="apache_beam.internal.gcp.auth")
    output = f"gs://{BUCKET}/demo"
    config = load_config(ROOT / "configs" / "demo.yaml")
    summary = run(config, output=output)
    assert summary.state == "DONE"
    assert "Unable to find default credentials" not in caplog.text

    names = {blob.name for blob in emulator.list_blobs(BUCKET, prefix="demo/")}
    manifest = json.loads(emulator.bucket(BUCKET).blob(f"demo/manifests/run={summary.run_id}.json").download_as_bytes())
    assert manifest["outputs"]["articles"].startswith(f"{output}/articles/dt=")
    assert manifest["articles_written"] == DEMO_ARTICLES and manifest["state"] == "DONE"
    assert not [name for name in names if name.endswith(".tmp") or "beam-temp" in name]

    articles = _lines(emulator, _prefix(summary.outputs["articles"]))
    assert len(articles) == DEMO_ARTICLES == len({a["id"] for a in articles})
    for article in articles:
        assert schema_errors(article) == [], article["url"]
    assert sum(len(a["quotes"]) for a in articles) >= 60
    dead = _lines(emulator, _prefix(summary.outputs["dead"]))
    assert [(d["stage"], d["error"]) for d in dead] == [("FetchArticles", "HTTP 404 Not Found")]
    seen = _lines(emulator, _prefix(manifest["incremental"]["seen"]))
    assert sorted(s["id"] for s in seen) == sorted(a["id"] for a in articles)

    # The demo corpus is served again on another port, but its feeds keep their ETags. This run
    # is committed by its pipeline, as a Flex Template job is: the driver does not wait.
    again = run(config, output=output, commit_in_pipeline=True, wait=False)
    first, second = committed_runs(output)
    assert [first["run_id"], second["run_id"]] == [summary.run_id, again.run_id]
    assert (first["committed_by"], second["committed_by"]) == ("driver", "pipeline")
    assert (second["articles_written"], second["feeds"]["not_modified"]) == (0, 4)
    assert second["incremental"]["previous_run"] == summary.run_id
    assert second["incremental"]["feeds"] == f"{output}/state/feeds/run={again.run_id}.json"
    names = {blob.name for blob in emulator.list_blobs(BUCKET, prefix="demo/")}
    assert f"demo/state/feeds/run={again.run_id}.json" in names
    assert not [name for name in names if name.endswith(".tmp") or "beam-temp" in name]


class _ProcessDiedError(Exception):
    """Stands for the process dying between its last record and its manifest."""


def _die(summary) -> None:
    raise _ProcessDiedError(summary.run_id)


def test_changed_page_and_crash_before_commit_on_gcs(emulator, tmp_path):
    corpus = copy_demo_corpus(tmp_path / "corpus")
    output = f"gs://{BUCKET}/crash"
    with CorpusServer(corpus) as server:
        _, config = profile(server.base_url)
        first = run(config, output=output)
        ids = {r["id"] for r in committed_articles(output)}
        assert len(ids) == first.articles_written == DEMO_ARTICLES

        edit_page(corpus, CHANGED_PAGE, COURRIER_FEED, "Mise à jour : la grève est suspendue.")
        with pytest.raises(_ProcessDiedError):
            run(config, output=output, before_commit=_die)
        uncommitted = [
            b.name for b in emulator.list_blobs(BUCKET, prefix="crash/articles/") if first.run_id not in b.name
        ]
        assert len(uncommitted) == 1  # its records are there, but no manifest names them
        assert [m["run_id"] for m in committed_runs(output)] == [first.run_id]

        again = run(config, output=output)
    assert (again.articles_written, again.count("MarkVersions.changed"), again.unchanged_skipped) == (1, 1, 3)
    records = assert_exactly_once(output, ids)
    assert sorted(r["version"] for r in records if r["url"].endswith(CHANGED_PAGE)) == [1, 2]


def test_one_run_at_a_time_on_a_gcs_output(emulator, tmp_path):
    """The gs:// lock: a held lock refuses a run before it reads or writes anything; a run committed
    by its pipeline without waiting is given back by the pipeline; a crashed run's lock is taken over.

    The emulator (gcp-storage-emulator 2026.7.19, the newest) ignores ``ifGenerationMatch`` (a second
    ``if_generation_match=0`` creation overwrites the first), so two creations racing are not tested
    here; GCS makes such a creation fail when the object exists (docs/reliability.md).
    """
    import os
    import subprocess
    import sys

    from pipeline.lock import LOCK_NAME, LockRecord, OutputLock, OutputLockedError

    output = f"gs://{BUCKET}/locked"
    lock_blob = emulator.bucket(BUCKET).blob(f"locked/{LOCK_NAME}")
    corpus = copy_demo_corpus(tmp_path / "corpus")
    with CorpusServer(corpus) as server:
        _, config = profile(server.base_url)
        held = OutputLock.acquire(output)
        with pytest.raises(OutputLockedError, match=f"another run holds the lock of {output}"):
            run(config, output=output)
        assert [b.name for b in emulator.list_blobs(BUCKET, prefix="locked/")] == [f"locked/{LOCK_NAME}"]
        assert held.release() and not lock_blob.exists()

        submitted = run(config, output=output, commit_in_pipeline=True, wait=False)
        assert [m["run_id"] for m in committed_runs(output)] == [submitted.run_id]
        assert not lock_blob.exists()  # given back by CommitRun

        process = subprocess.Popen([sys.executable, "-c", "pass"])
        process.wait()
        crashed = LockRecord("crashed", socket.gethostname(), process.pid, datetime.now(UTC).timestamp())
        lock_blob.upload_from_string(crashed.to_json())
        again = run(config, output=output)
    assert again.state == "DONE" and again.incremental["previous_run"] == submitted.run_id
    assert not lock_blob.exists()
    assert os.getpid() != process.pid
