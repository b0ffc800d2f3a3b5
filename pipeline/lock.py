"""One run at a time per output: a lock taken before the committed state is read, given back after
the commit.

Two runs that read the same committed state would write the same articles and both commit them.
The lock is a small JSON record at ``<output>/run.lock`` naming its holder (run token, host, pid,
time taken, and whether the driver or the pipeline gives it back):

- on a local folder it is created with ``O_CREAT | O_EXCL``; looking at a held lock, judging it
  stale and replacing it happen under an ``fcntl.flock`` on ``run.lock.guard``, which the kernel
  releases when its process dies, so two runs never both break the same stale lock;
- on ``gs://`` it is an object created with ``if_generation_match=0`` (GCS creates it only if no
  live object has that name) and a stale one is deleted with ``if_generation_match`` set to the
  generation judged stale, so a lock taken in between is never deleted.

A lock is stale when its holder is a driver on this host whose process is gone (a crashed run), or
when it is older than ``lock.stale_after_s`` (a holder on another host, or a pipeline that was to
commit and never did); a driver that holds it longer (a stream) renews it meanwhile (``renew``). A run that finds a live lock waits up to ``lock.wait_s`` for it, then gives
up with ``OutputLockedError`` (``guillemet run`` exits 75, ``docs/scheduling.md``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guillemet.errors import GuillemetError

_LOGGER = logging.getLogger(__name__)

LOCK_NAME = "run.lock"

# The exit code of a command refused for a held lock: EX_TEMPFAIL, as ``flock -n -E 75`` (docs/scheduling.md).
EXIT_LOCKED = 75


class OutputLockedError(GuillemetError):
    """Another run holds the output's lock (and did not give it back within the wait)."""


@dataclass(frozen=True)
class LockRecord:
    """Who holds a lock: what the lock file or object holds."""

    token: str
    host: str
    pid: int
    taken_at: float
    holder: str = "driver"  # or "pipeline": the job's last step gives it back (CommitRun)
    run_id: str | None = None
    kind: str = "run"  # the command that holds it: run, stream or reannotate
    renewed_at: float | None = None  # a job that holds it longer than stale_after_s renews it (``renew``)

    @property
    def alive_at(self) -> float:
        """When the holder last said it was working: taken or renewed."""
        return max(self.taken_at, self.renewed_at or 0.0)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LockRecord | None:
        try:
            data = json.loads(text)
            return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})
        except (ValueError, TypeError, KeyError):
            return None  # unreadable: a lock written half by a process that died

    def describe(self, now: float) -> str:
        job = f"{self.kind} {self.run_id}, " if self.run_id else ""
        return f"{job}{self.holder} pid {self.pid} on {self.host}, taken {max(now - self.taken_at, 0):.0f} s ago"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def stale_reason(record: LockRecord | None, now: float, stale_after_s: float) -> str | None:
    """Why a lock may be taken over, or None while its holder may still be working."""
    if record is None:
        return "unreadable lock"
    if now - record.alive_at > stale_after_s:
        return f"older than {stale_after_s:.0f} s"
    if record.holder == "driver" and record.host == socket.gethostname() and not _process_alive(record.pid):
        return f"its process {record.pid} is gone"
    return None


class _LocalStore:
    """The lock file of a local output folder."""

    def __init__(self, output: str):
        self.path = Path(output) / LOCK_NAME
        self.guard = Path(output) / (LOCK_NAME + ".guard")

    @contextlib.contextmanager
    def _guarded(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.guard, "a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(guard, fcntl.LOCK_UN)

    def _read(self) -> LockRecord | None:
        return LockRecord.from_json(self.path.read_text(encoding="utf-8"))

    def try_take(self, record: LockRecord, now: float, stale_after_s: float) -> LockRecord | None:
        """Takes the lock and returns None, or returns the live record that holds it."""
        with self._guarded():
            try:
                held = self._read()
            except FileNotFoundError:
                held = None
            else:
                reason = stale_reason(held, now, stale_after_s)
                if reason is None:
                    return held
                _LOGGER.warning("output lock %s is stale (%s): taken over", self.path, reason)
                self.path.unlink()
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(record.to_json())
            return None

    def replace(self, record: LockRecord) -> None:
        with self._guarded():
            if self._holds(record.token):
                temporary = self.path.with_name(LOCK_NAME + ".tmp")
                temporary.write_text(record.to_json(), encoding="utf-8")
                os.replace(temporary, self.path)

    def release(self, token: str) -> bool:
        with self._guarded():
            if not self._holds(token):
                return False
            self.path.unlink()
            return True

    def _holds(self, token: str) -> bool:
        try:
            held = self._read()
        except FileNotFoundError:
            return False
        return held is not None and held.token == token


class _GcsStore:
    """The lock object of a ``gs://`` output, created only where none exists (``if_generation_match=0``)."""

    def __init__(self, output: str, client_factory: Callable[[], Any] | None = None):
        from apache_beam.io.gcp.gcsio import parse_gcs_path

        bucket, prefix = parse_gcs_path(output.rstrip("/") + "/" + LOCK_NAME)
        self.url = f"gs://{bucket}/{prefix}"
        self._bucket_name, self._name = bucket, prefix
        self._client_factory = client_factory or _beam_gcs_client

    def _blob(self):
        return self._client_factory().bucket(self._bucket_name).blob(self._name)

    def _current(self) -> tuple[bool, LockRecord | None, int | None]:
        """Whether the lock object exists, its record (None if unreadable) and its generation."""
        from google.api_core.exceptions import NotFound

        blob = self._client_factory().bucket(self._bucket_name).get_blob(self._name)
        if blob is None:
            return False, None, None
        try:
            text = blob.download_as_bytes().decode("utf-8", "replace")
        except NotFound:
            return False, None, None
        return True, LockRecord.from_json(text), blob.generation

    def _create(self, record: LockRecord) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        try:
            self._blob().upload_from_string(record.to_json(), content_type="application/json", if_generation_match=0)
        except PreconditionFailed:
            return False
        # Read back: what is there is ours (and a store that ignored the precondition is caught
        # when the lock was there before).
        _, held, _ = self._current()
        return held is not None and held.token == record.token

    def try_take(self, record: LockRecord, now: float, stale_after_s: float) -> LockRecord | None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        exists, held, generation = self._current()
        if exists:
            reason = stale_reason(held, now, stale_after_s)
            if reason is None:
                return held
            try:
                self._blob().delete(if_generation_match=generation)
                _LOGGER.warning("output lock %s is stale (%s): taken over", self.url, reason)
            except (NotFound, PreconditionFailed):
                pass  # another run took it over first: look again
        if self._create(record):
            return None
        _, held, _ = self._current()
        return held or LockRecord("?", "?", 0, now)

    def replace(self, record: LockRecord) -> None:
        _, held, generation = self._current()
        if held is not None and held.token == record.token:
            self._blob().upload_from_string(
                record.to_json(), content_type="application/json", if_generation_match=generation
            )

    def release(self, token: str) -> bool:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        _, held, generation = self._current()
        if held is None or held.token != token:
            return False
        try:
            self._blob().delete(if_generation_match=generation)
        except (NotFound, PreconditionFailed):
            return False
        return True


def _store(output: str):
    output = output.rstrip("/") or "/"
    return _GcsStore(output) if output.startswith("gs://") else _LocalStore(os.path.abspath(output))


def _beam_gcs_client():
    """The storage client Beam's GCS filesystem builds (same credentials, same emulator host)."""
    from apache_beam.io.gcp.gcsio import GcsIO

    return GcsIO().client


@dataclass(frozen=True)
class LockSettings:
    """How long to wait for a held lock, and when a holder is taken for dead (``lock`` in the profile)."""

    wait_s: float = 0.0
    stale_after_s: float = 24 * 3600.0
    poll_s: float = 1.0


class OutputLock:
    """The lock of one output, held by this run (``acquire``) until ``release`` or ``hand_to_pipeline``."""

    def __init__(self, store, record: LockRecord, output: str):
        self._store = store
        self.record = record
        self.output = output
        self._updating = threading.Lock()  # the session's renewal thread updates the record too

    def _update(self, **changes) -> None:
        with self._updating:
            self.record = LockRecord(**{**self.record.__dict__, **changes})
            self._store.replace(self.record)

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def handle(self) -> LockHandle:
        """What the pipeline's commit step carries to give the lock back."""
        return LockHandle(self.output, self.token)

    @classmethod
    def acquire(
        cls,
        output: str,
        settings: LockSettings = LockSettings(),
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        kind: str = "run",
    ) -> OutputLock:
        """Takes the lock of ``output`` (a folder or ``gs://`` prefix), waiting up to ``settings.wait_s``;
        ``kind`` names the command that takes it (in the message another job prints).

        Raises:
            OutputLockedError: another run still holds it; the message names the holder.
        """
        store = _store(output)
        record = LockRecord(secrets.token_hex(8), socket.gethostname(), os.getpid(), clock(), kind=kind)
        deadline = clock() + settings.wait_s
        said = False
        while True:
            held = store.try_take(record, clock(), settings.stale_after_s)
            if held is None:
                return cls(store, record, output)
            now = clock()
            if now >= deadline:
                raise OutputLockedError(
                    f"another run holds the lock of {output} ({held.describe(now)}); this run did not start"
                    + (f" (waited {settings.wait_s:.0f} s)" if settings.wait_s else "")
                )
            if not said:
                _LOGGER.info("waiting for the lock of %s, held by %s", output, held.describe(now))
                said = True
            sleep(min(settings.poll_s, max(deadline - now, 0.01)))

    def name_run(self, run_id: str) -> None:
        """Writes the run id into the lock (for the message another run prints)."""
        self._update(run_id=run_id)

    def renew(self, clock: Callable[[], float] = time.time) -> None:
        """Says the holder is still working, so that a job longer than ``stale_after_s`` (a stream)
        keeps its lock; ``JobSession`` renews it while it is open."""
        self._update(renewed_at=clock())

    def hand_to_pipeline(self) -> None:
        """The job's last step gives the lock back (``CommitRun``): the driver may exit first."""
        self._update(holder="pipeline")

    def release(self) -> bool:
        """Gives the lock back if it is still ours; True if it was."""
        released = self._store.release(self.token)
        if released:
            _LOGGER.debug("output lock released (%s)", self.token)
        return released


@dataclass(frozen=True)
class LockHandle:
    """What a pipeline's commit step needs to give the lock back: picklable (a path and a token)."""

    output: str
    token: str

    def release(self) -> bool:
        return _store(self.output).release(self.token)
