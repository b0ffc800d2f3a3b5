"""The cache of very large compiled regular expressions (guillemet/regex_cache.py)."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from guillemet import regex_cache

ROOT = Path(__file__).resolve().parent.parent


def _large_pattern(seed: int = 3) -> str:
    """An alternation of made-up hyphenated words with character classes, over MIN_LENGTH characters."""
    rng = random.Random(seed)
    words = set()
    while sum(len(w) + 1 for w in words) < regex_cache.MIN_LENGTH + 1000:
        words.add(
            "-".join(
                "".join(rng.choice("abcdefghijklmnopqrstuvwxyzéèà") for _ in range(rng.randint(2, 7))) for _ in range(2)
            )
        )
    return "(?iu)^(?:" + "|".join(sorted(words)) + r")[\w’']*$"


PROBES = ["abc-def", "ABÉ-xy", "zz-top", "nothing", "", "ab-cd’s"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "regex"
    monkeypatch.setenv("GUILLEMET_REGEX_CACHE", str(folder))
    regex_cache._built.clear()
    yield folder
    regex_cache._built.clear()


def _matches(compiled, pattern):
    probes = PROBES + [w for w in pattern[9:2000].split("|")[:50]]
    return [bool(compiled.match(p)) for p in probes], [bool(re.match(pattern, p)) for p in probes]


def test_a_large_pattern_is_kept_then_read_back_and_matches_as_re_does(cache):
    pattern = _large_pattern()
    before = regex_cache.outcomes.copy()
    with regex_cache.cached_compiles():
        first = re.compile(pattern)
    assert regex_cache.outcomes["built"] == before["built"] + 1
    assert len(list(cache.glob("*.sre"))) == 1
    ours, standard = _matches(first, pattern)
    assert ours == standard and any(standard)

    regex_cache._built.clear()  # as a new process would start
    with regex_cache.cached_compiles():
        second = re.compile(pattern)
    assert regex_cache.outcomes["read"] == before["read"] + 1
    assert second.pattern == pattern and second.flags == re.compile(pattern).flags
    assert _matches(second, pattern)[0] == standard


def test_the_same_pattern_twice_in_a_process_is_built_once(cache):
    pattern = _large_pattern(5)
    with regex_cache.cached_compiles():
        assert re.compile(pattern) is re.compile(pattern)


def test_small_patterns_and_other_calls_are_the_standard_ones(cache):
    with regex_cache.cached_compiles():
        assert re.compile(r"\d+") is re.compile(r"\d+")  # re's own cache
        assert re.compile(b"x+").match(b"xx")
    assert not list(cache.glob("*"))
    assert re.compile is regex_cache._standard_compile


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-10] + b"0123456789",  # payload changed: the checksum no longer holds
        lambda data: b"not a cache file at all",
        lambda data: b"",
    ],
)
def test_a_damaged_file_is_compiled_afresh_and_replaced(cache, damage):
    pattern = _large_pattern(7)
    with regex_cache.cached_compiles():
        re.compile(pattern)
    (path,) = cache.glob("*.sre")
    path.write_bytes(damage(path.read_bytes()))
    regex_cache._built.clear()
    before = regex_cache.outcomes["built"]
    with regex_cache.cached_compiles():
        again = re.compile(pattern)
    assert regex_cache.outcomes["built"] == before + 1
    ours, standard = _matches(again, pattern)
    assert ours == standard
    regex_cache._built.clear()
    with regex_cache.cached_compiles():
        re.compile(pattern)
    assert regex_cache.outcomes["read"] >= 1  # the file was written again, whole


def test_an_unwritable_folder_or_no_cache_still_compiles(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    pattern = _large_pattern(9)
    for setting in (str(blocker / "regex"), ""):
        monkeypatch.setenv("GUILLEMET_REGEX_CACHE", setting)
        regex_cache._built.clear()
        with regex_cache.cached_compiles():
            compiled = re.compile(pattern)
        ours, standard = _matches(compiled, pattern)
        assert ours == standard
    assert regex_cache.cache_dir() is None
    regex_cache._built.clear()


def test_blocks_in_several_threads_restore_re_compile_once_all_are_closed(cache):
    inside, release = threading.Barrier(3), threading.Event()

    def block():
        with regex_cache.cached_compiles():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=block) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert re.compile is regex_cache._compile
    release.set()
    for thread in threads:
        thread.join()
    assert re.compile is regex_cache._standard_compile


def test_spacy_french_tokenizer_match_is_read_from_the_cache_in_a_new_process(tmp_path):
    """The expression the cache is for: a second process reads it, and its tokenizer splits the same."""
    script = (
        "from guillemet import regex_cache\n"
        "from guillemet.mentions import _common_words\n"
        "_common_words()\n"
        "from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH\n"
        "words = ['arc-en-ciel', 'Peut-être', 'grand-mère', 'porte-parole', 'vis-à-vis', 'xyz', 'Saint-Étienne']\n"
        "print(dict(regex_cache.outcomes), [bool(TOKEN_MATCH(w)) for w in words])\n"
    )
    env = dict(os.environ, GUILLEMET_REGEX_CACHE=str(tmp_path / "regex"), PYTHONPATH=str(ROOT))
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    standard = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(env, GUILLEMET_REGEX_CACHE=""),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert runs[0].startswith("{'built': 1}")
    assert runs[1].startswith("{'read': 1}")
    assert standard.startswith("{'built': 1}")  # no folder: built, not kept
    assert runs[0].split("} ")[1] == runs[1].split("} ")[1] == standard.split("} ")[1]
