"""The brief service: one place for limits, defaults and the model choice, and the brief's JSON."""

import json
from datetime import UTC, datetime

import pytest

from service.api.schemas import BriefOut
from service.articles import parse_article
from service.brief_json import brief_document, brief_from_document
from service.briefs import (
    MAX_SENTENCES,
    MAX_WORDS,
    MIN_SENTENCES,
    MIN_WORDS,
    BriefRequest,
    BriefService,
    default_sentences,
)
from service.config import Settings
from service.errors import BundleTooLarge, InvalidBundle
from service.llm import LLMClient
from service.summarize import HOSTED_MAP_BATCH_TOKENS
from service.types import (
    Article,
    ArticleSummary,
    Brief,
    BriefOptions,
    Disagreement,
    Exclusion,
    Fact,
    Passage,
    Sentence,
    Source,
    Usage,
)


def _service(**overrides: object) -> BriefService:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_model="openai/main",
        llm_fallback_models=["openai/spare"],
        cache="off",
        **overrides,  # type: ignore[arg-type]
    )
    return BriefService(settings, LLMClient(settings))


ARTICLE = Article(title="Weir reopens", source="Mill Gazette", text="The weir reopened today.")


def test_defaults_come_from_the_settings_and_bounds_are_checked_once() -> None:
    service = _service(default_max_sentences=7)
    assert service.request([ARTICLE]).options == BriefOptions(max_sentences=7)
    assert service.request([ARTICLE], max_sentences=MAX_SENTENCES).options.max_sentences == 25
    for wrong in (MIN_SENTENCES - 1, MAX_SENTENCES + 1):
        with pytest.raises(InvalidBundle, match="max_sentences"):
            service.request([ARTICLE], max_sentences=wrong)
    for wrong in (MIN_WORDS - 1, MAX_WORDS + 1):
        with pytest.raises(InvalidBundle, match=f"max_words is {wrong}; choose 50 to 1000"):
            service.request([ARTICLE], max_words=wrong)


def _published(*days: tuple[int, int, int]) -> list[Article]:
    return [
        Article(title="t", source="o", text="x", published_at=datetime(*day, tzinfo=UTC))
        for day in days
    ]


@pytest.mark.parametrize(
    ("articles", "sentences"),
    [
        ([ARTICLE], 10),  # a few articles of one day: the configured default
        (_published(*[(2026, 3, 14)] * 8), 11),  # three articles beyond five: one more
        (_published((2026, 3, 14), (2026, 3, 22)), 11),  # a week
        (_published((2010, 2, 27), (2010, 11, 28)), 12),  # a week and a month
        (_published(*[(2006, 9, 22)] * 9, (2008, 8, 24)), 14),  # one more, and a year
        (_published(*[(2006, 9, 22)] * 49, (2008, 8, 24)), MAX_SENTENCES),  # at most the bound
    ],
)
def test_the_default_length_grows_with_the_bundle_and_its_span(
    articles: list[Article], sentences: int
) -> None:
    assert default_sentences(articles, 10) == sentences
    assert _service().request(articles).options.max_sentences == sentences


def test_max_words_leaves_the_length_to_the_words() -> None:
    options = _service().request([ARTICLE], max_words=250).options
    assert (options.max_words, options.max_sentences) == (250, MAX_SENTENCES)
    options = _service().request([ARTICLE], max_words=250, max_sentences=8).options
    assert (options.max_words, options.max_sentences) == (250, 8)
    request = BriefRequest.from_json(_service().request([ARTICLE], max_words=300).to_json())
    assert request.options.max_words == 300


def test_limits_are_the_services() -> None:
    service = _service(max_articles=2, max_html_bytes=1024, max_bundle_tokens=1000)
    with pytest.raises(InvalidBundle, match="no articles"):
        service.request([])
    with pytest.raises(BundleTooLarge, match="FUSEBRIEF_MAX_ARTICLES"):
        service.request([ARTICLE] * 3)
    page = Article(title="Page", source="Outlet", text="<html><body>" + "<p>x</p>" * 200)
    with pytest.raises(BundleTooLarge, match="FUSEBRIEF_MAX_HTML_BYTES"):
        service.request([page])
    with pytest.raises(BundleTooLarge, match="FUSEBRIEF_MAX_BUNDLE_TOKENS"):
        service.request([Article(title="Long", source="Outlet", text="word " * 1200)])


def test_titles_and_outlets_count_towards_the_bundle_token_limit() -> None:
    """Everything of an article that reaches a prompt is counted, not only its text."""
    service = _service(max_bundle_tokens=1000)
    short_text = Article(title="Weir", source="Gazette", text="The weir reopened today.")
    long_heads = Article(
        title="headline " * 110,  # 990 characters: under the title's own maximum
        source="outlet " * 28,  # 196 characters: under the outlet's own maximum
        text="The weir reopened today.",
    )
    assert service.request([short_text] * 10)  # a few tokens each
    with pytest.raises(BundleTooLarge, match="FUSEBRIEF_MAX_BUNDLE_TOKENS"):
        service.request([long_heads] * 10)


def test_the_brief_language_is_checked_for_every_entry_point() -> None:
    service = _service()
    assert service.request([ARTICLE], language="pt-BR").options.language == "pt-br"
    assert service.request([ARTICLE], language=" ES ").options.language == "es"
    for wrong in ("klingon", "xx", "zz-zzzz", "und", "qaa", "en_US!"):
        with pytest.raises(InvalidBundle, match="language"):
            service.request([ARTICLE], language=wrong)


def test_client_ids_are_unique_within_a_bundle() -> None:
    service = _service()
    one = Article(title="A", source="X", text="Text one.", client_id="c-1")
    two = Article(title="B", source="Y", text="Text two.", client_id="c-2")
    unnamed = Article(title="C", source="Z", text="Text three.")
    assert service.request([one, two, unnamed, unnamed])  # no id is no clash
    with pytest.raises(InvalidBundle, match="articles 1 and 3 have the same id 'c-1'"):
        service.request([one, two, one])


def test_real_language_tags_pass_and_unknown_ones_are_refused() -> None:
    fields = {"title": "T", "source": "S", "text": "Text."}
    for tag, stored in [("en", "en"), ("EN", "en"), ("pt-BR", "pt-br"), ("zh-Hant", "zh-hant"),
                        ("iw", "he"), ("sr-Latn-RS", "sr-latn-rs"), ("fil", "fil")]:  # fmt: skip
        assert parse_article(fields | {"language": tag}, "a").language == stored
    for wrong in ("xx", "zz-zzzz", "english", "en-", "x-private", "qtz", "mul", "e" * 36):
        with pytest.raises(InvalidBundle, match="language"):
            parse_article(fields | {"language": wrong}, "a")


def test_a_model_must_be_one_the_server_offers() -> None:
    service = _service()
    assert service.request([ARTICLE], model="openai/spare").options.model == "openai/spare"
    with pytest.raises(InvalidBundle, match="openai/main, openai/spare"):
        service.request([ARTICLE], model="anthropic/other")


def test_map_batching_is_on_for_hosted_models_and_off_for_self_hosted_ones() -> None:
    assert _service().map_batch_tokens(self_hosted=False) == HOSTED_MAP_BATCH_TOKENS
    assert _service().map_batch_tokens(self_hosted=True) == 0
    chosen = _service(map_batch_tokens=900)
    assert chosen.map_batch_tokens(self_hosted=False) == 900
    assert chosen.map_batch_tokens(self_hosted=True) == 900


def test_a_request_survives_its_json_form() -> None:
    dated = Article(
        title="Weir reopens",
        source="Mill Gazette",
        text="The weir reopened today.",
        url="https://gazette.example/weir",
        published_at=datetime(2026, 9, 21, 8, 30, tzinfo=UTC),
        language="en",
        client_id="w-1",
    )
    request = _service().request([dated], language="de", max_sentences=8)
    stored = json.loads(json.dumps(request.to_json()))
    assert BriefRequest.from_json(stored) == request
    # A job stored by an earlier release holds the options as the client sent them.
    earlier = {"articles": stored["articles"], "options": {"max_sentences": None}}
    assert _service().request_from_json(earlier).options.max_sentences == 10


def test_a_bad_article_is_named_with_what_is_wrong() -> None:
    with pytest.raises(InvalidBundle, match=r"bundle\.json: title"):
        parse_article({"title": " ", "source": "Outlet", "text": "Text."}, "bundle.json")
    with pytest.raises(InvalidBundle, match="source"):
        parse_article({"title": "T", "source": "x" * 201, "text": "Text."}, "page")


EVIDENCE = Passage("S1", 14, 32, "It reopened.")


def _brief() -> Brief:
    second = Source("S2", Article("Weir", "Radio", "", language="en"), "", "en")
    source = Source(
        sid="S1",
        article=Article(
            title="Weir reopens",
            source="Mill Gazette",
            text="",
            url="https://gazette.example/weir",
            published_at=datetime(2026, 9, 21, 8, 30, tzinfo=UTC),
            language="en",
            client_id="w-1",
        ),
        text="",
        language="en",
    )
    return Brief(
        id="b1",
        title="Weir reopens",
        language="en",
        sentences=[Sentence("The weir reopened.", ("S1",), (EVIDENCE,))],
        disagreements=[Disagreement("Sources disagree: …", ("S1", "S2"))],
        sources=[source, second],
        summaries=[
            ArticleSummary(
                "S1",
                (Fact("S1.F1", "S1", "The weir reopened.", (EVIDENCE,)),),
                kind="report",
                when="Monday",
            )
        ],
        excluded=[Exclusion("S2", "duplicate of S1")],
        model="openai/main",
        prompt_version="map/v4",
        usage=Usage(2, 100, 50, 1),
        warnings=["a warning"],
    )


def test_the_brief_json_is_what_the_api_schema_describes_and_reads_back() -> None:
    document = brief_document(_brief())
    assert BriefOut.model_validate(document).model_dump(mode="json") == document
    assert brief_from_document(document) == _brief()
    assert document["sources"][0]["published_at"] == "2026-09-21T08:30:00Z"
    assert document["sources"][0]["text"] is None
    assert document["sentences"][0]["evidence"] == [
        {"sid": "S1", "start": 14, "end": 32, "quote": "It reopened."}
    ]
    with_text = brief_document(_brief(), source_text=True)
    assert with_text["sources"][0]["text"] == "Weir reopens\n\n"  # headline, blank line, text


def test_a_date_must_be_written_as_text_not_as_a_number() -> None:
    fields = {"title": "t", "source": "s", "text": "x"}
    when = parse_article({**fields, "published_at": "2026-03-14T09:30:00Z"}, "article 1")
    assert when.published_at is not None and when.published_at.year == 2026
    with pytest.raises(InvalidBundle, match=r"article 1: published_at: .*ISO 8601 string"):
        parse_article({**fields, "published_at": 0}, "article 1")
