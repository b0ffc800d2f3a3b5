"""The run configuration: YAML parsed once at start-up into typed, frozen objects.

Unknown keys and bad values fail at start-up with a message naming the file and the key, never an
hour into a job. The schema is documented in ``docs/config.md``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import ssl
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from guillemet.errors import ConfigError
from guillemet.fetch import DEFAULT_USER_AGENT, FetchSettings


class _Strict(BaseModel):
    # No NaN or infinity anywhere: ``read_timeout_s: .inf`` would wait forever, ``.nan`` compares
    # false with every bound and so would pass ``gt=0``.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _is_host(host: str) -> bool:
    """A host name or IP address as a URL names it: no scheme, path, user, port or spaces."""
    if not host or any(char.isspace() or char in "/@?#" for char in host):
        return False
    if ":" in host:  # only an IPv6 literal holds colons
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            return False
    return True


def _language_code(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise ValueError(f"{value!r} is not a language code (ISO 639: fr, de, fr-CA)")
    return value


class FeedConfig(_Strict):
    """One feed: its URL (absolute, or a path on the served corpus), a name and a default language."""

    url: str = Field(min_length=1)
    name: str | None = None
    language: str | None = "fr"

    @field_validator("language")
    @classmethod
    def _a_language(cls, value: str | None) -> str | None:
        return value if value is None else _language_code(value)

    @field_validator("url")
    @classmethod
    def _http_or_path(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "/")):
            raise ValueError("must be an http(s) URL, or a path starting with '/' on the served corpus")
        return value


class FetchConfig(_Strict):
    """Limits for every HTTP request and per-host politeness (see ``guillemet.fetch.FetchSettings``).

    Politeness is on by default: ``per_host_concurrency`` requests at once and ``per_host_delay_s``
    between starts, per host and per worker process, and robots.txt obeyed for articles.
    """

    connect_timeout_s: float = Field(10.0, gt=0, le=3600)
    read_timeout_s: float = Field(20.0, gt=0, le=3600)
    total_timeout_s: float = Field(60.0, gt=0, le=3600)
    retries: int = Field(2, ge=0, le=10)
    backoff_s: float = Field(1.0, ge=0, le=3600)
    max_backoff_s: float = Field(30.0, ge=0, le=3600)
    max_bytes: int = Field(5_000_000, gt=0, le=1_000_000_000)
    max_redirects: int = Field(5, ge=0, le=30)
    user_agent: str = Field(DEFAULT_USER_AGENT, min_length=1)
    allow_private_hosts: tuple[str, ...] = ()
    only_hosts: tuple[str, ...] = ()
    per_host_concurrency: int = Field(2, ge=1, le=64)
    per_host_delay_s: float = Field(1.0, ge=0, le=3600)
    robots_txt: bool = True
    concurrency: int = Field(8, ge=1, le=256)
    proxy: str | None = None
    ca_bundle: str | None = Field(None, min_length=1)

    @field_validator("ca_bundle")
    @classmethod
    def _a_pem_file(cls, value: str | None) -> str | None:
        # Read as the fetcher will (relative to the current folder, like ``output``): a missing file,
        # a folder or a file without a certificate would otherwise fail every https fetch.
        if value is None:
            return value
        path = Path(value)
        if not path.is_file():
            raise ValueError(f"{path} is not a file (a PEM file of CA certificates)")
        try:
            ssl.create_default_context(cafile=str(path))
        except (ssl.SSLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or error.__class__.__name__
            raise ValueError(f"{path} holds no usable PEM certificate ({reason})") from None
        return value

    @field_validator("proxy")
    @classmethod
    def _a_proxy_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query:
            raise ValueError("must be an http(s) URL of a proxy, as http://proxy.example:3128")
        if any(char.isspace() for char in value):
            raise ValueError("must be one URL, without spaces or line breaks")
        return value

    @field_validator("allow_private_hosts", "only_hosts")
    @classmethod
    def _host_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for host in value:
            if not _is_host(host):
                raise ValueError(f"{host!r} is not a host name (no scheme, path, port or spaces)")
        return value

    @field_validator("user_agent")
    @classmethod
    def _one_header_line(cls, value: str) -> str:
        # A line break in a header value would end the header (and could add others).
        if any(char in value for char in "\r\n\x00") or not value.isprintable():
            raise ValueError("must be one line of printable characters (it is sent as an HTTP header)")
        return value

    def settings(self) -> FetchSettings:
        return FetchSettings(**self.model_dump())


class ExtractConfig(_Strict):
    """Text extraction limits.

    Below ``min_text_chars`` the page text counts as missing and the feed's text is used when it is
    longer; below ``min_article_chars``, whatever the source, the entry is a dead letter.
    ``prefer_date``: ``feed`` (the entry's date-time, else the page's date) or ``page`` (the page's
    date, else the entry's); the record's ``published_at_source`` says which was used.
    """

    min_text_chars: int = Field(200, ge=0)
    min_article_chars: int = Field(40, ge=1)
    prefer_date: Literal["feed", "page"] = "feed"


class NlpConfig(_Strict):
    """The NLP stage: the spaCy French model and its limits.

    ``model`` is ``md`` (fr_core_news_md, the default) or ``sm`` (fr_core_news_sm, faster, less
    accurate), or a spaCy package name. ``enabled: false`` skips the stage; ``quotes`` and
    ``entities`` switch either branch off. Texts in other ``languages`` become dead letters.
    ``quote_work_per_char``: the quote step's work budget, in tokens read per character of the
    article (``guillemet.budget``); an article that needs more is an ``ExtractQuotes`` dead letter.
    """

    enabled: bool = True
    model: str = "md"
    quotes: bool = True
    entities: bool = True
    languages: tuple[str, ...] = ("fr",)
    max_chars: int = Field(200_000, gt=0, le=1_000_000)
    batch_size: int = Field(16, ge=1, le=1000)
    quote_work_per_char: int = Field(20, ge=1, le=100_000)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_language_code(code) for code in value)


class ServeConfig(_Strict):
    """A corpus served on a local HTTP server for the run (the demo, tests).

    ``root`` is ``bundled:demo`` for the corpus shipped with the package, or a folder (relative to
    the config file).
    """

    root: str
    host: Literal["127.0.0.1", "localhost", "::1"] = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)


class IncrementalConfig(_Strict):
    """Incremental runs: conditional feed requests, unchanged articles skipped, changed ones versioned.

    ``state`` is where the state snapshots go (a folder or ``gs://`` prefix), by default
    ``<output>/state``; the run's manifest, under ``<output>/manifests``, commits them.
    ``enabled: false`` makes every run a full one (as ``guillemet run --full`` does once).
    """

    enabled: bool = True
    state: str | None = Field(None, min_length=1)


class LockConfig(_Strict):
    """The output's lock (``pipeline/lock.py``): one run at a time per output.

    A run that finds the lock held waits up to ``wait_s`` (0: gives up at once, exit 75), and takes
    over a lock older than ``stale_after_s`` or held by a process of this host that is gone.
    """

    wait_s: float = Field(0.0, ge=0, le=7 * 24 * 3600)
    stale_after_s: float = Field(24 * 3600.0, gt=0)


class BeamConfig(_Strict):
    """The Beam runner and its options; flags given on the command line win."""

    runner: str = "FnApiRunner"
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)


class GuillemetConfig(_Strict):
    """A whole run profile."""

    name: str = Field(min_length=1)
    output: str = Field(min_length=1)
    feeds: tuple[FeedConfig, ...]
    fetch: FetchConfig = FetchConfig()
    extract: ExtractConfig = ExtractConfig()
    nlp: NlpConfig = NlpConfig()
    max_dead_letter_share: float | None = Field(None, ge=0, le=1)
    incremental: IncrementalConfig = IncrementalConfig()
    serve: ServeConfig | None = None
    lock: LockConfig = LockConfig()
    beam: BeamConfig = BeamConfig()
    source: str | None = Field(None, exclude=True)
    base_dir: str | None = Field(None, exclude=True)

    @field_validator("feeds")
    @classmethod
    def _at_least_one_feed(cls, value: tuple[FeedConfig, ...]) -> tuple[FeedConfig, ...]:
        if not value:
            raise ValueError("at least one feed is needed")
        return value

    @model_validator(mode="after")
    def _paths_need_a_server(self) -> GuillemetConfig:
        if self.serve is None:
            for position, feed in enumerate(self.feeds):
                if feed.url.startswith("/"):
                    raise ValueError(f"feeds.{position}.url is a path ({feed.url}) but no 'serve' corpus is configured")
        return self

    @model_validator(mode="after")
    def _paths_exist(self) -> GuillemetConfig:
        if self.serve is not None and self.base_dir is not None:
            root = _served_root(self.serve.root, self.base_dir)
            if not root.is_dir():
                raise ValueError(f"serve.root: the folder {root} does not exist")
        # Relative to the current folder, as the run reads them (pipeline/graph.py, RunLayout).
        for key, value in (("output", self.output), ("incremental.state", self.incremental.state)):
            if value and "://" not in value:
                _check_local_folder(key, Path(value))
        return self

    def digest(self) -> str:
        """A short hash of the effective configuration, for run manifests."""
        dumped = self.model_dump_json(exclude={"source", "base_dir"})
        return hashlib.sha256(dumped.encode("utf-8")).hexdigest()[:16]


def _served_root(root: str, base_dir: str) -> Path:
    from guillemet.localserver import resolve_root

    return resolve_root(root, base_dir)


def _check_local_folder(key: str, path: Path) -> None:
    """A local output folder is created by the run; what stands in its way is refused now."""
    for parent in (path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{key}: {parent} is a file, not a folder")
            return


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid configuration"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown key"
        elif problem["type"] in ("model_type", "dict_type"):
            # pydantic's "Input should be a valid dictionary or instance of FeedConfig".
            message = f"expected a mapping of keys, got {type(problem.get('input')).__name__}"
        elif problem["type"] == "finite_number":
            message = "must be a finite number (no .inf, no .nan)"
        elif problem["type"] in ("tuple_type", "list_type"):
            # pydantic's "Input should be a valid tuple" (a list in YAML).
            message = f"expected a list, got {type(problem.get('input')).__name__}"
        elif problem["type"] == "value_error":
            message = str(problem.get("ctx", {}).get("error") or message.removeprefix("Value error, "))
        message = message.replace("Input should be", "must be", 1)
        lines.append(f"  {key}: {message}")
    if len(lines) == 2:
        # One problem, one line (what cron mails and a terminal shows).
        return f"{lines[0]}: {lines[1].strip()}"
    return "\n".join(lines)


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (YAML says keys are unique;
    PyYAML keeps the last, so a second ``output:`` further down would silently win)."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool):
                continue  # an unhashable key: pydantic refuses it
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _one_line(error: yaml.YAMLError) -> str:
    """PyYAML's problem and where it is, on one line (its message quotes the text over several)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if problem is None or mark is None:
        return " ".join(str(error).split())
    context = getattr(error, "context", None)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" + (f" ({context})" if context else "")


def parse_config(text: str, source: str = "<config>", base_dir: str | None = None) -> GuillemetConfig:
    """Parses and validates a YAML configuration.

    Raises:
        ConfigError: naming the file and each bad key.
    """
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {_one_line(error)}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys at the top level")
    try:
        return GuillemetConfig(**data, source=source, base_dir=base_dir)
    except ValidationError as error:
        raise ConfigError(_describe(error, source)) from None
    except TypeError as error:
        raise ConfigError(f"{source}: {error}") from None


def load_config(path: str | Path) -> GuillemetConfig:
    """Reads, parses and validates a configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start});"
            " save the profile as UTF-8"
        ) from None
    return parse_config(text, source=str(path), base_dir=str(path.resolve().parent))
