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
        (MINIMAL + "fetch:\n  retries: -1\n", "fetch.retries: Input should be greater than or equal to 0"),
        (MINIMAL + "fetch:\n  max_bytes: lots\n", "fetch.max_bytes"),
        ("name: t\noutput: out\nfeeds: []\n", "feeds: Value error, at least one feed is needed"),
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
