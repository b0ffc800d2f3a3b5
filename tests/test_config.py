import pytest

from guillemet.config import load_config, parse_config
from guillemet.errors import ConfigError
from tests.conftest import ROOT

MINIMAL = "name: t\noutput: out\nfeeds:\n  - url: https://example.fr/rss.xml\n"


@pytest.mark.parametrize("name", ["demo.yaml", "fr-news.yaml"])
def test_shipped_profiles_load(name):
    config = load_config(ROOT / "configs" / name)
    assert config.feeds
    assert config.beam.runner == "FnApiRunner"


def test_fr_news_covers_the_francophonie():
    urls = [feed.url for feed in load_config(ROOT / "configs" / "fr-news.yaml").feeds]
    assert len(urls) >= 30
    for domain in ("lemonde.fr", "ouest-france.fr", "lesoir.be", "rts.ch", "ledevoir.com", "radio-canada.ca"):
        assert any(domain in url for url in urls), domain


def test_defaults_and_frozen():
    config = parse_config(MINIMAL)
    assert config.fetch.retries == 2
    assert config.feeds[0].language == "fr"
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        config.name = "other"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (MINIMAL + "fetch:\n  timeout: 3\n", "fetch.timeout: unknown key"),
        (MINIMAL + "fecth: {}\n", "fecth: unknown key"),
        (MINIMAL + "fetch:\n  retries: -1\n", "fetch.retries: must be greater than or equal to 0"),
        (MINIMAL + "fetch:\n  max_bytes: lots\n", "fetch.max_bytes"),
        ("name: t\noutput: out\nfeeds: []\n", "feeds: at least one feed is needed"),
        ("name: t\noutput: out\nfeeds:\n  - url: ftp://x\n", "feeds.0.url"),
        ("name: t\noutput: out\nfeeds:\n  - url: /feeds/a.xml\n", "no 'serve' corpus"),
        ("name: t\nfeeds:\n  - url: https://e.fr/\n", "output: Field required"),
        ("- just\n- a list\n", "expected a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_configs_name_the_file_and_key(text, fragment):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="profiles/bad.yaml")
    message = str(caught.value)
    assert message.startswith("profiles/bad.yaml")
    assert fragment in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml")


def test_digest_changes_with_content():
    assert parse_config(MINIMAL).digest() != parse_config(MINIMAL + "extract: {min_text_chars: 10}\n").digest()
    assert parse_config(MINIMAL).digest() == parse_config(MINIMAL).digest()


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        ("fetch: {read_timeout_s: .inf}", "fetch.read_timeout_s", "finite number"),
        ("fetch: {backoff_s: .nan}", "fetch.backoff_s", "finite number"),
        ("fetch: {read_timeout_s: -1}", "fetch.read_timeout_s", "greater than 0"),
        ('fetch: {user_agent: "bot\\r\\nX-Evil: 1"}', "fetch.user_agent", "one line"),
        ("max_dead_letter_share: .nan", "max_dead_letter_share", "finite number"),
    ],
)
def test_values_that_make_no_sense_are_refused(extra, key, message):
    with pytest.raises(ConfigError) as refused:
        parse_config(MINIMAL + extra + "\n", "configs/x.yaml")
    assert f"{key}: " in str(refused.value) and message in str(refused.value)


def test_a_feed_that_is_not_a_mapping_is_said_plainly():
    with pytest.raises(ConfigError) as refused:
        parse_config("name: t\noutput: out\nfeeds: [https://e.fr/a.xml, {url: https://e.fr/b.xml}, 3]\n", "x.yaml")
    text = str(refused.value)
    assert "feeds.0: expected a mapping of keys, got str" in text and "feeds.2: expected a mapping" in text
    assert "valid dictionary or instance" not in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("fetch: {total_timeout_s: 86400}", "fetch.total_timeout_s: must be less than or equal to 3600"),
        ("fetch: {max_bytes: 50000000000}", "fetch.max_bytes: must be less than or equal to 1000000000"),
        ("fetch: {allow_private_hosts: ['http://127.0.0.1/']}", "is not a host name"),
        ("nlp: {max_chars: 5000000}", "nlp.max_chars: must be less than or equal to 1000000"),
        ("nlp: {languages: [French]}", "'French' is not a language code"),
        ("lock: {wait_s: -1}", "lock.wait_s: must be greater than or equal to 0"),
    ],
)
def test_ranges_that_make_no_sense_are_refused_in_one_line(extra, message):
    with pytest.raises(ConfigError) as refused:
        parse_config(MINIMAL + extra + "\n", "configs/x.yaml")
    assert message in str(refused.value) and len(str(refused.value).splitlines()) == 1, str(refused.value)


def test_folders_and_files_that_must_exist_are_checked_at_start(tmp_path):
    (tmp_path / "a-file").write_text("x")
    cases = {
        "serve: {root: corpus-absent}\n": f"serve.root: the folder {tmp_path / 'corpus-absent'} does not exist",
        f"incremental: {{state: {tmp_path}/a-file/state}}\n": f"incremental.state: {tmp_path / 'a-file'} is a file, not a folder",
    }
    for extra, message in cases.items():
        path = tmp_path / "p.yaml"
        path.write_text(MINIMAL + extra, encoding="utf-8")
        with pytest.raises(ConfigError) as refused:
            load_config(path)
        assert message in str(refused.value) and len(str(refused.value).splitlines()) == 1, str(refused.value)
    path.write_text(MINIMAL.replace("output: ", f"output: {tmp_path}/a-file/"), encoding="utf-8")
    with pytest.raises(ConfigError, match="output: .*a-file is a file, not a folder"):
        load_config(path)


def test_a_profile_that_is_not_utf8_is_refused_in_one_line(tmp_path, capsys):
    from pipeline.cli import main

    path = tmp_path / "latin1.yaml"
    path.write_bytes((MINIMAL + "# réglages de démonstration\n").encode("latin-1"))
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not UTF-8 text (byte 0xe9 at offset" in err and len(err.strip().splitlines()) == 1
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))  # a BOM, as some editors write
    assert load_config(path).name


def test_the_demo_does_not_wait_on_its_own_server_and_real_profiles_stay_polite():
    demo = load_config(ROOT / "configs" / "demo.yaml")
    assert demo.serve is not None and demo.fetch.per_host_delay_s == 0
    assert not [feed.url for feed in demo.feeds if not feed.url.startswith("/")]  # only its own server
    news = load_config(ROOT / "configs" / "fr-news.yaml")
    assert news.serve is None and news.fetch.per_host_delay_s >= 1 and news.fetch.robots_txt
