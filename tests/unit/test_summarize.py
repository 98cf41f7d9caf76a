"""Grouping articles into map calls, and putting a misfiled fact back under its own article."""

from service.summarize import (
    MAX_ARTICLES_PER_CALL,
    MapOutput,
    _calls,
    _Piece,
    _pieces,
    _regroup,
)
from service.types import Article, Source


def _source(sid: str, text: str = "Some text.", language: str = "en") -> Source:
    article = Article(title=f"Title {sid}", source=f"Outlet {sid}", text=text)
    return Source(sid=sid, article=article, text=text, language=language)


def _piece(sid: str, tokens: int, language: str = "en") -> _Piece:
    source = _source(sid, language=language)
    return _Piece(source, "1 of 1", source.text, tokens)


def _sids(calls: list[list[_Piece]]) -> list[list[str]]:
    return [[p.source.sid for p in call] for call in calls]


def test_short_articles_share_a_call_up_to_the_token_budget_in_reading_order() -> None:
    pieces = [_piece(f"S{i}", 600) for i in range(1, 6)]
    assert _sids(_calls(pieces, 2000, 32_000)) == [["S1", "S2", "S3"], ["S4", "S5"]]


def test_a_call_holds_at_most_four_articles() -> None:
    pieces = [_piece(f"S{i}", 10) for i in range(1, 7)]
    calls = _calls(pieces, 2000, 32_000)
    assert [len(c) for c in calls] == [MAX_ARTICLES_PER_CALL, 2]


def test_budget_zero_maps_one_article_a_call_and_a_long_article_goes_alone() -> None:
    pieces = [_piece("S1", 300), _piece("S2", 300)]
    assert _sids(_calls(pieces, 0, 32_000)) == [["S1"], ["S2"]]
    pieces = [_piece("S1", 300), _piece("S2", 5000), _piece("S3", 300)]
    assert _sids(_calls(pieces, 2000, 32_000)) == [["S1", "S3"], ["S2"]]


def test_one_language_a_call_so_one_translation_instruction_fits_all() -> None:
    pieces = [
        _piece("S1", 300),
        _piece("S2", 300, "es"),
        _piece("S3", 300),
        _piece("S4", 300, "es"),
    ]
    assert _sids(_calls(pieces, 2000, 32_000)) == [["S1", "S3"], ["S2", "S4"]]


def test_a_call_leaves_room_in_the_context_for_every_articles_answer() -> None:
    pieces = [_piece(f"S{i}", 300) for i in range(1, 5)]
    context = 3000  # room for the answers of two articles, not three
    calls = _calls(pieces, 2000, context)
    assert [len(c) for c in calls] == [2, 2]


def test_a_long_article_is_split_into_pieces_each_mapped_like_an_article() -> None:
    text = "\n\n".join(f"Paragraph {i} says something about the harbour works." for i in range(400))
    pieces = _pieces(_source("S1", text), 2048)
    assert len(pieces) > 1
    assert [p.part for p in pieces][:2] == [f"1 of {len(pieces)}", f"2 of {len(pieces)}"]
    assert all(p.tokens <= 2048 for p in pieces)


def test_a_fact_filed_under_the_wrong_article_goes_back_to_the_one_that_states_it() -> None:
    call = [
        _Piece(
            _source("S1"), "1 of 1", "The council in Marrow approved 14 new buses on Monday.", 0
        ),
        _Piece(_source("S2"), "1 of 1", "Ferry fares in Tollan rise by 9 percent in May.", 0),
    ]
    answers = [
        MapOutput(facts=["Marrow approved 14 new buses.", "Fares in Tollan rise by 9 percent."]),
        MapOutput(facts=["A fare rise was announced.", "The buses arrive in 2027 in Marrow."]),
    ]
    first, second = _regroup(call, answers, "en")
    # The fact naming no number or name stays put; a fact whose number or name only the other
    # article states (2027 is in neither, Marrow only in S1) moves there.
    assert first.facts == ["Marrow approved 14 new buses.", "The buses arrive in 2027 in Marrow."]
    assert second.facts == ["Fares in Tollan rise by 9 percent.", "A fare rise was announced."]


def test_a_fact_both_articles_support_equally_stays_where_the_model_put_it() -> None:
    call = [
        _Piece(_source("S1"), "1 of 1", "Tollan opened the bridge. It cost 3 million euros.", 0),
        _Piece(_source("S2"), "1 of 1", "The Tollan bridge opened, costing 3 million euros.", 0),
    ]
    answers = [MapOutput(facts=[]), MapOutput(facts=["Tollan's bridge cost 3 million euros."])]
    assert [a.facts for a in _regroup(call, answers, "en")] == [
        [],
        ["Tollan's bridge cost 3 million euros."],
    ]


def test_a_person_the_article_quotes_and_no_fact_names_is_brought_in_verbatim() -> None:
    from service.summarize import MAX_RECOVERED_SPEAKERS, _recover_speakers
    from service.types import ArticleSummary, Fact

    text = (
        "The Halden Group will close its Brantwell factory.\n\n"
        "Dafydd Prosser, the regional officer of the union, said members were angry.\n\n"
        "Mr Prosser said the union would seek talks.\n\n"
        "The plant manager, Irena Vostrikova, said the decision was taken at head office.\n\n"
        "Council leader Priya Anand-Shaw said a fund would help workers.\n\n"
        "The Halden Group said it would meet the union."
    )
    source = _source("S1", text)
    summary = ArticleSummary(
        "S1", (Fact("S1.F1", "S1", "The Halden Group will close its Brantwell factory."),)
    )
    recovered = [f.text for f in _recover_speakers(summary, source, "en").facts[1:]]
    assert recovered == [  # "Mr Prosser" is already named; the group is in a fact
        "Dafydd Prosser, the regional officer of the union, said members were angry.",
        "The plant manager, Irena Vostrikova, said the decision was taken at head office.",
    ]
    assert len(recovered) == MAX_RECOVERED_SPEAKERS
    foreign = _source("S1", text, language="de")
    assert _recover_speakers(summary, foreign, "en") == summary  # verbatim would be German
