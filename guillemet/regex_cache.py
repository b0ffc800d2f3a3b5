"""Very large regular expressions compiled once per machine, not once per process.

``import spacy.lang.fr`` compiles one expression of 1.45 million characters (its tokenizer
exceptions, ``TOKEN_MATCH``), and loading a French model compiles it again (the process's ``re``
cache answers that one). Python's ``re`` takes about 3 CPU seconds for it, in every process that
imports spaCy's French pipeline: each Beam worker of each run, each ``guillemet annotate``. The
expression is the same every time, so ``cached_compiles`` keeps what the compilation produces (the
``_sre`` code, a list of integers) in a file and builds the pattern from it in a few
milliseconds.

Only patterns of at least ``MIN_LENGTH`` characters are cached; any other ``re.compile`` during
the block is the standard one. The file's name is a hash of the pattern, its flags, the Python
version and the regular expression engine's ``MAGIC`` and ``CODESIZE``, so another Python never
reads it; its content is checked against a hash it carries, and ``_sre.compile`` validates the code
it is given. A missing, unreadable or damaged file, an unwritable folder or a Python whose ``re``
internals differ only means the standard compilation. ``re`` has no public way to keep a compiled
pattern (pickling one stores its source and compiles again), so this module reads the
compiler's internals (``re._parser``, ``re._compiler``), guarded as above.

The folder: ``$GUILLEMET_REGEX_CACHE`` (set and empty: no cache), else
``$XDG_CACHE_HOME/guillemet/regex``, else ``~/.cache/guillemet/regex``.
"""

from __future__ import annotations

import _sre
import contextlib
import hashlib
import logging
import marshal
import os
import re
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

MIN_LENGTH = 100_000
_HEADER = b"guillemet-regex-1\n"

_lock = threading.Lock()
_depth = 0
_standard_compile = re.compile
# Patterns built in this process, by (pattern, flags): a model load compiles the one the import did.
_built: dict[tuple[str, int], re.Pattern] = {}
# How the large patterns of this process were made: "built" (and kept), "read", "standard".
outcomes: Counter = Counter()


def cache_dir() -> Path | None:
    """The folder of the cached patterns, or None when caching is switched off."""
    configured = os.environ.get("GUILLEMET_REGEX_CACHE")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guillemet" / "regex"


def _file_for(pattern: str, flags: int) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}|{flags}|".encode())
    digest.update(pattern.encode("utf-8", "surrogatepass"))
    return folder / f"{digest.hexdigest()}.sre"


def _internals(pattern: str, flags: int) -> tuple[int, list[int], int, dict, tuple]:
    """What ``re._compiler.compile`` gives ``_sre.compile`` (CPython 3.11-3.13)."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = [int(c) for c in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _read(path: Path, pattern: str) -> re.Pattern | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        if not data.startswith(_HEADER):
            return None
        checksum, payload = data[len(_HEADER) : len(_HEADER) + 32], data[len(_HEADER) + 32 :]
        if hashlib.sha256(payload).digest() != checksum:
            return None
        flags, code, groups, groupindex, indexgroup = marshal.loads(payload)
        return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
    except Exception:  # noqa: BLE001 - a damaged or foreign file only means compiling afresh
        return None


def _write(path: Path, internals: tuple) -> None:
    payload = marshal.dumps(internals)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(_HEADER + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        _LOGGER.debug("could not keep a compiled pattern in %s: %s", path.parent, error)


def _compile(pattern, flags=0):
    if not isinstance(pattern, str) or len(pattern) < MIN_LENGTH or flags & re.DEBUG:
        return _standard_compile(pattern, flags)
    key = (pattern, int(flags))
    if key in _built:
        return _built[key]
    path = _file_for(pattern, int(flags))
    compiled = _read(path, pattern) if path is not None else None
    outcome = "read"
    if compiled is None:
        try:
            internals = _internals(pattern, int(flags))
            compiled = _sre.compile(pattern, *internals)
        except Exception:  # noqa: BLE001 - another Python's internals: the standard way
            compiled, internals, outcome = _standard_compile(pattern, flags), None, "standard"
        else:
            outcome = "built"
            if path is not None:
                _write(path, internals)
    _built[key] = compiled
    outcomes[outcome] += 1
    return compiled


@contextlib.contextmanager
def cached_compiles() -> Iterator[None]:
    """Within the block, ``re.compile`` of a very large pattern reads it from the cache (or fills it).

    Re-entrant and safe across threads: ``re.compile`` is swapped while at least one block is open
    in any thread, and the swap only changes how patterns of ``MIN_LENGTH`` characters or more are
    built.
    """
    global _depth  # noqa: PLW0603 - one swap of re.compile per process, counted
    with _lock:
        if _depth == 0:
            re.compile = _compile
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                re.compile = _standard_compile
