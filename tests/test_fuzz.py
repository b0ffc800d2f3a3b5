"""Property tests: the parsers never raise on arbitrary input, and offsets stay inside their text."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guillemet.errors import FeedError
from guillemet.feeds import parse_feed
from guillemet.normalize import normalize_text
from guillemet.quotes.extractor import QuoteExtractor
from guillemet.quotes.marks import find_marked_spans

# French-looking text: letters, every kind of mark and space, and the words cues are made of.
_FRENCH = st.lists(
    st.sampled_from(
        list("abcdeéèàç EPMK,.;:!?'’-—\n«»“”\"‹›\u00a0\u202f")
        + [
            "a déclaré",
            "a-t-il ajouté",
            "selon",
            "Mme",
            "M. Dupont",
            "Marie Curie",
            " que ",
            " « ",
            " » ",
            "estime-t-elle",
            "Le maire",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_FRENCH)
def test_marked_spans_stay_inside(text):
    for span in find_marked_spans(text):
        assert 0 <= span.open_offset < span.start <= span.end <= len(text)
        assert span.close_offset is None or span.end <= span.close_offset < len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400)
    | _FRENCH.map(
        lambda s: (
            "<rss><channel><item><title>" + s + "</title><link>http://e.fr/" + s + "</link></item></channel></rss>"
        ).encode()
    )
)
def test_parse_feed_never_raises_anything_but_feed_error(body):
    try:
        parsed = parse_feed(body, "http://127.0.0.1/feed.xml")
    except FeedError:
        return
    for entry in parsed.entries:
        assert entry.url.startswith(("http://", "https://"))


@pytest.fixture(scope="module")
def extractor(nlp_md):
    return nlp_md, QuoteExtractor()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_FRENCH)
@example(raw="a:“a")  # the colon inside the last token: once an IndexError in _main_subject
def test_quote_extraction_never_raises_and_offsets_hold(extractor, raw):
    nlp, quote_extractor = extractor
    text = normalize_text(raw).text
    for quote in quote_extractor.extract(nlp(text)):
        assert 0 <= quote.start <= quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        assert quote.kind in ("direct", "fragment", "indirect")
        speaker = quote.speaker or {}
        if speaker.get("start") is not None:
            assert 0 <= speaker["start"] <= speaker["end"] <= len(text)
