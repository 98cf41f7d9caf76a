"""The deterministic citation check."""

from service.citations import Evidence, check_citations, check_title
from service.types import Article, ArticleSummary, DraftSentence, Fact, Sentence, Source


def _source(sid: str, text: str, set_aside: bool = False) -> Source:
    article = Article(title=sid, source=f"outlet {sid}", text=text)
    return Source(sid=sid, article=article, text=text, language="en", set_aside=set_aside)


SOURCES = [
    _source("S1", "Dockers at Port Halden accepted a 6% pay rise on Friday."),
    _source("S2", "The deal ends a strike that left 40 ships waiting, said Mara Quist."),
    _source("S3", "An unrelated crane contract worth 80 million euros.", set_aside=True),
]
SUMMARIES = [
    ArticleSummary("S1", (Fact("S1.F1", "S1", "Dockers accepted a 6% pay rise on Friday."),), ""),
    ArticleSummary("S2", (Fact("S2.F1", "S2", "The strike left 40 ships waiting."),), ""),
]


def _check(*sentences: DraftSentence, disputed: set[tuple[float, str]] | None = None):  # type: ignore[no-untyped-def]
    return check_citations(
        list(sentences),
        SOURCES,
        SUMMARIES,
        Evidence.build(SOURCES, SUMMARIES, "en"),
        disputed or set(),
    )


def test_fact_ids_map_to_sources_in_source_order() -> None:
    result = _check(
        DraftSentence("The strike left 40 ships waiting before a 6% rise.", ("S2.F1", "S1.F1"))
    )
    assert [s.sources for s in result.sentences] == [("S1", "S2")]
    assert result.warnings == []


def test_unknown_ids_are_dropped_and_counted() -> None:
    result = _check(DraftSentence("Dockers accepted a 6% pay rise.", ("S1.F1", "S9.F4")))
    assert result.sentences[0].sources == ("S1",)
    assert result.invalid_ids == 1
    assert result.warnings == ["dropped 1 citation(s) to unknown fact IDs"]


def test_a_sentence_with_no_valid_source_is_removed_with_a_warning() -> None:
    result = _check(DraftSentence("Dockers accepted a pay rise.", ("S7.F1", "S3")))
    assert result.sentences == []
    assert any("cites no valid source" in w for w in result.warnings)


def test_a_number_from_another_source_adds_that_source() -> None:
    result = _check(DraftSentence("Dockers accepted a 6% rise after 40 ships waited.", ("S1.F1",)))
    assert result.sentences[0].sources == ("S1", "S2")


def test_a_name_or_number_no_source_holds_makes_the_sentence_unsupported() -> None:
    result = _check(
        DraftSentence("Dockers accepted a 6% rise, said Governor Brandt.", ("S1.F1",)),
        DraftSentence("Dockers accepted a 9% rise.", ("S1.F1",)),
    )
    assert result.sentences == []
    assert "the name Brandt appears in no source" in result.warnings[0]
    assert "the number 9 appears in no source" in result.warnings[1]


def test_an_off_topic_source_cannot_support_a_sentence() -> None:
    result = _check(DraftSentence("A crane contract was worth 80 million euros.", ("S3",)))
    assert result.sentences == []


def test_stating_one_side_of_a_disagreement_is_withdrawn() -> None:
    result = _check(
        DraftSentence("The strike left 40 ships waiting.", ("S2.F1",)),
        disputed={(40.0, "ship")},
    )
    assert result.sentences == []
    assert "one side of a disagreement" in result.warnings[0]


def test_a_sentence_mostly_made_of_words_no_source_has_is_unsupported() -> None:
    result = _check(
        DraftSentence("Dockers celebrated with fireworks and music downtown.", ("S1.F1",))
    )
    assert result.sentences == []
    assert "most of its words appear in none of its sources" in result.warnings[0]


def test_a_sentence_citing_the_wrong_source_is_credited_to_the_one_that_holds_it() -> None:
    result = _check(DraftSentence("The strike left ships waiting", ("S1.F1",)))
    assert [(s.text, s.sources) for s in result.sentences] == [
        ("The strike left ships waiting.", ("S2",))
    ]
    assert result.warnings == ["dropped 1 citation(s) to facts their sentence does not draw on"]


def test_cited_facts_the_sentence_does_not_use_are_dropped() -> None:
    # A model pads the list: S1.F1 shares no word or number with the sentence.
    padded = DraftSentence("The strike left 40 ships waiting.", ("S2.F1", "S1.F1"))
    assert [s.sources for s in _check(padded).sentences] == [("S2",)]
    # A fact the sentence draws on for less than the best one's words still counts.
    both = DraftSentence("The strike left 40 ships waiting before a 6% rise.", ("S2.F1", "S1.F1"))
    assert [s.sources for s in _check(both).sentences] == [("S1", "S2")]


def test_a_repeated_sentence_is_kept_once() -> None:
    sentence = DraftSentence("Dockers accepted a 6% pay rise on Friday.", ("S1.F1",))
    result = _check(sentence, sentence)
    assert len(result.sentences) == 1
    assert result.warnings == [
        "removed a repeated sentence: “Dockers accepted a 6% pay rise on Friday.”"
    ]


def test_a_reordered_repeat_is_dropped_too() -> None:
    result = _check(
        DraftSentence("Dockers accepted a 6% pay rise on Friday.", ("S1.F1",)),
        DraftSentence("On Friday, a 6% pay rise was accepted by dockers.", ("S1.F1",)),
    )
    assert len(result.sentences) == 1
    assert result.warnings[0].startswith("removed a repeated sentence")


def _title(title: str, disputed: set[tuple[float, str]] | None = None) -> tuple[str, str | None]:
    cited = [Sentence("The strike left 40 ships waiting.", ("S2",))]
    return check_title(
        title, cited, SOURCES, Evidence.build(SOURCES, SUMMARIES, "en"), disputed or set(), "en"
    )


def test_a_supported_title_is_kept() -> None:
    assert _title("Dockers accept 6% pay rise") == ("Dockers accept 6% pay rise", None)


def test_a_title_naming_what_no_source_says_gives_way_to_the_most_cited_headline() -> None:
    title, warning = _title("Governor Brandt ends 9-week strike")
    assert title == "S2"  # the headline (the test sources' titles are their IDs) of S2
    assert warning is not None and "appears in no source" in warning and "S2" in warning


def test_a_title_stating_one_side_of_a_disagreement_is_replaced() -> None:
    title, warning = _title("Strike left 40 ships waiting", disputed={(40.0, "ship")})
    assert title == "S2" and warning is not None and "disagreement" in warning


def test_a_title_case_title_is_checked_on_its_numbers_and_words_not_as_names() -> None:
    # "Accept", "Pay" and "Rise" are capitalised as in any Title Case headline, not names.
    assert _title("Halden Dockers Accept 6% Pay Rise On Friday")[1] is None
    title, warning = _title("Dockers Accept 9% Pay Rise")  # a figure no source gives
    assert title == "S2" and warning is not None and "9" in warning


def test_a_figure_the_cited_source_lacks_is_credited_to_the_source_holding_the_sentence() -> None:
    sources = [
        _source("S1", "Ferries stopped for the strike, and 40 crew went home."),
        _source("S2", "At the worst point, 40 ships were waiting at anchor outside the port."),
        _source("S3", "Shipping lines said the backlog at the port would take weeks to clear."),
    ]
    summaries = [ArticleSummary(s.sid, (Fact(f"{s.sid}.F1", s.sid, s.text),), "") for s in sources]
    # S3 holds the backlog but not the 40; S1 and S2 hold the 40, S2 the ships at anchor too.
    sentence = DraftSentence(
        "The backlog will take weeks to clear, with 40 ships waiting at anchor.",
        ("S3.F1",),
    )
    result = check_citations(
        [sentence], sources, summaries, Evidence.build(sources, summaries, "en"), set()
    )
    assert [s.sources for s in result.sentences] == [("S2", "S3")]


def test_a_wrongly_numbered_fact_id_is_read_as_the_fact_the_sentence_states() -> None:
    sources = [
        _source("S1", "46 dockers went home while ships were waiting at anchor."),
        _source("S2", "Port faces weeks of backlog. 46 ships were waiting at anchor."),
    ]
    summaries = [
        ArticleSummary("S1", (Fact("S1.F1", "S1", "46 dockers went home."),), ""),
        ArticleSummary(
            "S2",
            (
                Fact("S2.F1", "S2", "Port faces weeks of backlog"),
                Fact("S2.F2", "S2", "46 ships were waiting at anchor."),
            ),
            "",
        ),
    ]
    # S2.F1 for S2.F2: the cited fact shares nothing with the sentence; S2.F2 states it.
    sentence = DraftSentence("46 ships were waiting at anchor.", ("S2.F1",))
    result = check_citations(
        [sentence], sources, summaries, Evidence.build(sources, summaries, "en"), set()
    )
    assert [s.sources for s in result.sentences] == [("S2",)]


def test_only_a_translated_sources_facts_vouch_for_a_sentence() -> None:
    english = _source("S1", "Storm Idris hit the Westfold coast overnight.")
    spanish = Source(
        sid="S2",
        article=Article(title="S2", source="outlet S2", text=""),
        text="La tormenta Idris dejó sin luz a 38.000 hogares en Westfold.",
        language="es",
    )
    summaries = [
        # The model's own words for an English article: it invented the county.
        ArticleSummary(
            "S1", (Fact("S1.F1", "S1", "Storm Idris hit Westfold in West Yorkshire."),), ""
        ),
        # The model's translation of a Spanish article.
        ArticleSummary(
            "S2",
            (Fact("S2.F1", "S2", "Storm Idris left 38,000 homes in Westfold without power."),),
            "",
        ),
    ]
    invented = DraftSentence("Storm Idris hit Westfold in West Yorkshire.", ("S1.F1",))
    translated = DraftSentence("Storm Idris left 38,000 homes without power.", ("S2.F1",))
    result = check_citations(
        [invented, translated],
        [english, spanish],
        summaries,
        Evidence.build([english, spanish], summaries, "en"),
        set(),
    )
    assert [s.sources for s in result.sentences] == [("S2",)]
    assert "the name Yorkshire appears in no source" in result.warnings[0]
