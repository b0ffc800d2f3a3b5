"""One run at a time per output (``pipeline/lock.py``): two runs at once on one folder commit each
article once (the second gives up with exit 75, or waits and then finds nothing new), and the lock
of a run that crashed is taken over. The gs:// lock is tested on the emulator in ``test_gcs.py``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from guillemet.config import parse_config
from guillemet.localserver import CorpusServer
from pipeline.cli import EXIT_LOCKED, main
from pipeline.lock import LOCK_NAME, LockRecord, LockSettings, OutputLock, OutputLockedError
from pipeline.reannotate import reannotate
from pipeline.run import run
from tests.conftest import ROOT
from tests.test_incremental import DEMO_ARTICLES, assert_exactly_once, committed_articles, copy_demo_corpus, profile

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path):
    with CorpusServer(copy_demo_corpus(tmp_path / "corpus")) as server:
        yield server


def _profile_file(tmp_path, base_url: str, output: str, wait_s: float) -> tuple[str, object]:
    text, _ = profile(base_url)
    text = text.replace("output: unused", f"output: {output}") + f"lock:\n  wait_s: {wait_s}\n"
    path = tmp_path / f"profile-wait-{wait_s:g}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path), parse_config(text, source=str(path))


def _cli(profile_path: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--config", profile_path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_runs_at_once_on_one_folder_commit_each_article_once(served, tmp_path):
    server = served
    output = str(tmp_path / "out")
    impatient, _ = _profile_file(tmp_path, server.base_url, output, 0)
    patient, config = _profile_file(tmp_path, server.base_url, output, 3600)
    outcome = {}

    def start_others_before_commit(summary):
        # Run A has written its records and state and not yet its manifest: the worst moment.
        refused = _cli(impatient)
        outcome["refused"] = (refused.wait(), *refused.communicate())
        waiting = _cli(patient)
        for line in waiting.stderr:  # returns once the second run says it waits for this one
            if "waiting for the lock" in line:
                outcome["waiting_line"] = line
                break
        outcome["waiting"] = waiting

    first = run(config, before_commit=start_others_before_commit)
    assert (first.state, first.articles_written) == ("DONE", DEMO_ARTICLES)

    code, out, err = outcome["refused"]
    assert code == 75, (out, err)
    assert f"another run holds the lock of {output} (run {first.run_id}, driver pid {os.getpid()}" in err
    assert len(err.strip().splitlines()) == 1 and out == ""
    assert first.run_id in outcome["waiting_line"]

    waiting = outcome["waiting"]
    out, err = waiting.communicate()
    assert waiting.returncode == 0, err
    assert "articles   0 written" in out  # it started from the first run's committed state
    assert_exactly_once(output, {r["id"] for r in committed_articles(output)})
    assert len(committed_articles(output)) == DEMO_ARTICLES
    assert not (tmp_path / "out" / LOCK_NAME).exists()


def test_a_run_holding_the_lock_refuses_a_stream_and_a_reannotation(served, tmp_path, capsys):
    server = served
    output = tmp_path / "out"
    path, config = _profile_file(tmp_path, server.base_url, str(output), 0)
    outcome = {}

    def others_before_commit(summary):
        outcome["stream"] = main(["stream", "--config", path, "--max-polls", "1", "-q"])
        outcome["said"] = capsys.readouterr().err
        with pytest.raises(OutputLockedError, match=rf"\(run {summary.run_id}, driver pid {os.getpid()} on "):
            reannotate(config, str(output))
        outcome["lock"] = json.loads((output / LOCK_NAME).read_text(encoding="utf-8"))

    first = run(config, before_commit=others_before_commit)
    assert (first.state, first.articles_written) == ("DONE", DEMO_ARTICLES)
    assert outcome["stream"] == EXIT_LOCKED
    said = outcome["said"]
    assert said.count("\n") == 1 and said.endswith("; this run did not start\n"), said
    holder = f"(run {first.run_id}, driver pid {os.getpid()} on {socket.gethostname()}, taken "
    assert said.startswith(f"guillemet stream: another run holds the lock of {output} {holder}"), said
    assert outcome["lock"]["run_id"] == first.run_id and outcome["lock"]["kind"] == "run"
    assert not (output / "stream").exists()  # the refused stream wrote nothing
    assert not (output / LOCK_NAME).exists()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_lock_of_a_run_that_crashed_is_taken_over(served, tmp_path):
    server = served
    output = tmp_path / "out"
    output.mkdir()
    crashed = LockRecord("crashed", socket.gethostname(), _dead_pid(), time.time(), run_id="20261202T000000Z-dead00")
    (output / LOCK_NAME).write_text(crashed.to_json(), encoding="utf-8")
    _, config = _profile_file(tmp_path, server.base_url, str(output), 0)
    summary = run(config)
    assert (summary.state, summary.articles_written) == ("DONE", DEMO_ARTICLES)
    assert not (output / LOCK_NAME).exists()


def test_a_live_lock_is_refused_and_an_old_one_taken_over(tmp_path):
    output = str(tmp_path / "out")
    now = 1_000_000.0
    elsewhere = LockRecord("other", "another-host", 1, now - 60, run_id="r1")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / LOCK_NAME).write_text(elsewhere.to_json(), encoding="utf-8")
    settings = LockSettings(wait_s=5, stale_after_s=3600, poll_s=1)
    clock = iter(now + step for step in range(100)).__next__
    sleeps = []
    with pytest.raises(OutputLockedError, match=r"run r1, driver pid 1 on another-host, taken 6\d s ago.*waited 5 s"):
        OutputLock.acquire(output, settings, clock=clock, sleep=sleeps.append)
    assert sleeps and sum(sleeps) <= 5
    # A live process of this host holds it: refused; the same lock an hour later is taken over.
    mine = LockRecord("mine", socket.gethostname(), os.getpid(), now, holder="pipeline")
    (tmp_path / "out" / LOCK_NAME).write_text(mine.to_json(), encoding="utf-8")
    with pytest.raises(OutputLockedError):
        OutputLock.acquire(output, LockSettings(), clock=lambda: now + 10)
    lock = OutputLock.acquire(output, LockSettings(stale_after_s=3600), clock=lambda: now + 3601)
    assert json.loads((tmp_path / "out" / LOCK_NAME).read_text())["token"] == lock.token
    assert lock.release() and not (tmp_path / "out" / LOCK_NAME).exists()
    assert not lock.release()  # given back once
    # Half a lock file (a process died writing it) is taken over.
    (tmp_path / "out" / LOCK_NAME).write_text('{"tok', encoding="utf-8")
    assert OutputLock.acquire(output).release()


def test_a_renewed_lock_is_not_taken_for_dead(tmp_path):
    # A stream holds its lock for days: renewed, it stays live past stale_after_s from its taking.
    output = str(tmp_path / "out")
    now = 1_000_000.0
    settings = LockSettings(stale_after_s=3600)
    lock = OutputLock.acquire(output, settings, clock=lambda: now, kind="stream")
    lock.renew(clock=lambda: now + 3000)
    with pytest.raises(OutputLockedError, match=r"\(driver pid \d+ on "):
        OutputLock.acquire(output, settings, clock=lambda: now + 3601)
    # Not renewed again, it is stale an hour after its renewal.
    taker = OutputLock.acquire(output, settings, clock=lambda: now + 6601)
    assert not lock.release() and taker.release()


def test_a_session_that_fails_gives_its_lock_back(tmp_path):
    # The demo serves its corpus on 127.0.0.1, which a Dataflow worker cannot reach: refused, and the
    # lock, taken first, is not left behind.
    from guillemet.config import load_config
    from pipeline.session import JobSession

    demo = load_config(ROOT / "configs" / "demo.yaml")
    output = tmp_path / "out"
    with pytest.raises(ValueError, match="serves a local corpus, which runner DataflowRunner cannot reach"):
        with JobSession(demo, ["--runner=DataflowRunner"], str(output), kind="stream") as session:
            assert json.loads((output / LOCK_NAME).read_text(encoding="utf-8"))["kind"] == "stream"
            session.hand_lock_to_pipeline()
            session.sources()
    assert not (output / LOCK_NAME).exists()
