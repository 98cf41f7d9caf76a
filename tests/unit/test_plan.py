"""Planning the brief in code: claims across sources, disagreements, ranking, event identity,
evidence passages, and the sentences written from the plan."""

from datetime import UTC, datetime

import pytest

from service.align import align_summaries
from service.claims import group_claims, plan_brief
from service.conflicts import Disputed, differing
from service.events import different_events, office_holders
from service.types import Article, ArticleSummary, Fact, Sentence, Source
from service.write import in_reading_order, state_claims


def _source(
    sid: str,
    text: str,
    *,
    published: datetime | None = None,
    language: str = "en",
    title: str | None = None,
) -> Source:
    article = Article(
        title=title or f"Headline {sid}", source=f"Outlet {sid}", text=text, published_at=published
    )
    return Source(sid=sid, article=article, text=text, language=language)


def _summary(sid: str, *facts: str, kind: str = "report", when: str = "") -> ArticleSummary:
    return ArticleSummary(
        sid, tuple(Fact(f"{sid}.F{i}", sid, t) for i, t in enumerate(facts, 1)), kind, when
    )


def _written(
    summaries: list[ArticleSummary], sources: list[Source]
) -> tuple[list[Sentence], list[str]]:
    """An English brief of at most five sentences from these facts: aligned, planned and
    written; its sentences and the writer's warnings."""
    aligned, _ = align_summaries(summaries, sources, "en")
    plan = plan_brief(aligned, sources, max_sentences=5, language="en")
    stated, warnings = state_claims(
        plan.ranked, plan.room, sources, aligned, "en", Disputed(), plan.lead
    )
    return in_reading_order(stated, "en"), warnings


def test_two_sources_wording_one_claim_differently_make_one_claim_citing_both() -> None:
    sources = [_source("S1", "x"), _source("S2", "x"), _source("S3", "x")]
    summaries = [
        _summary(
            "S1",
            "The council closed the Calder footbridge on Thursday after inspectors found rust.",
        ),
        _summary("S2", "Inspectors found rust, and the council closed the Calder footbridge."),
        _summary("S3", "Traders in Calder Street reported fewer customers."),
    ]
    claims = group_claims(summaries, sources, "en")
    assert [c.sources for c in claims] == [("S1", "S2"), ("S3",)]


def test_facts_of_one_source_never_make_one_claim() -> None:
    sources = [_source("S1", "x")]
    summaries = [
        _summary("S1", "The bridge closed on Thursday.", "The bridge closed on Thursday evening.")
    ]
    assert len(group_claims(summaries, sources, "en")) == 2


def test_facts_of_one_claim_that_differ_on_a_value_are_a_disagreement() -> None:
    def fact(sid: str, text: str) -> Fact:
        return Fact(f"{sid}.F1", sid, text)

    assert differing(
        fact("S1", "The strike lasted nine days."),
        fact("S2", "The strike lasted eleven days."),
        "en",
    ) == ("day", "nine days", "eleven days")
    assert differing(
        fact("S1", "The order was signed on Tuesday."),
        fact("S2", "The order was signed on Wednesday."),
        "en",
    ) == ("when", "Tuesday", "Wednesday")
    assert differing(
        fact("S1", "Mayor Kerr signed the closure order."),
        fact("S2", "Deputy mayor Hebden signed the closure order."),
        "en",
    ) == ("who", "Kerr", "Hebden")
    assert (
        differing(
            fact("S1", "The order was signed on Tuesday."),
            fact("S2", "The order was signed on Tuesday."),
            "en",
        )
        is None
    )


def test_a_disputed_claim_is_reported_not_stated_and_the_rest_ranked() -> None:
    sources = [_source(f"S{i}", "x") for i in range(1, 4)]
    summaries = [
        _summary(
            "S1",
            "The strike by the dockers' union lasted nine days.",
            "Dockers won a 7.5% pay rise.",
        ),
        _summary(
            "S2",
            "The strike by the dockers' union lasted eleven days.",
            "Dockers won a 7.5% pay rise over two years.",
        ),
        _summary(
            "S3",
            "The crane operator Tomas Reyes said the picket was calm.",
            "Dockers won a 7.5% rise.",
        ),
    ]
    plan = plan_brief(summaries, sources, max_sentences=6, language="en")
    assert [(c.unit, c.values) for c in plan.conflicts] == [("day", ("nine days", "eleven days"))]
    assert plan.ranked[0].sources == ("S1", "S2", "S3")  # what all agree on comes first
    assert not any("strike" in c.text for c in plan.ranked)  # the disputed claim is not stated
    assert plan.ranked[1].sources == ("S3",)  # then each source's own, most distinctive first


def test_an_office_held_by_someone_else_marks_another_event() -> None:
    texts = {
        "S1": "Foreign Minister Qin Gang met the visitor.",
        "S2": "The visitor later met Chinese Foreign Minister Qin Gang.",
        "S3": "Foreign Minister Wang Yi hosted the visitor.",
        "S4": "Former Foreign Minister Li Ming was not there.",
    }
    sources = [_source(sid, text) for sid, text in texts.items()]
    assert office_holders(texts["S4"], "en") == {}  # a former holder binds nobody
    reasons = different_events(sources)
    assert list(reasons) == ["S3"]
    assert "Yi as foreign minister" in reasons["S3"] and "S1, S2 name Gang" in reasons["S3"]


def test_an_office_in_parentheses_names_its_organisation_not_its_holder() -> None:
    # A transcript's speaker line: "NAME (office, organisation)".
    line = "MIRA OSTLUND (chief executive, Northgate Buses):\n\nWe ran fewer buses."
    assert office_holders(line, "en") == {}
    assert office_holders("Northgate Buses' chief executive, Mira Ostlund, spoke.", "en") == {
        "chief executive": "Ostlund"
    }


def test_a_story_dated_over_weeks_and_months_is_one_story_not_other_events() -> None:
    # Each article dates its own event (a weekday, a day and month) far from the others': a
    # developing story, not another event. Only what the articles say sets one aside.
    sources = [
        _source("S1", "He came on Monday.", published=datetime(2026, 3, 9, 18, tzinfo=UTC)),
        _source("S2", "He came on Monday.", published=datetime(2026, 3, 10, tzinfo=UTC)),
        _source("S3", "He spoke on Tuesday.", published=datetime(2026, 3, 11, tzinfo=UTC)),
        _source("S4", "He came back on Monday.", published=datetime(2026, 3, 16, 18, tzinfo=UTC)),
        _source("S5", "He left on 27 July.", published=datetime(2026, 7, 28, tzinfo=UTC)),
    ]
    assert different_events(sources) == {}


def test_every_fact_gets_the_passage_that_states_it_and_an_invented_number_is_left_out() -> None:
    text = (
        "The port reopened on Monday. Mayor Elspeth Carrow welcomed the deal.\n\n"
        "Carrow said 46 ships had waited at anchor."
    )
    source = _source("S1", text)
    summary = _summary(
        "S1", "Mayor Elspeth Carrow said 46 ships had waited.", "Carrow said 51 ships waited."
    )
    (aligned,), warnings = align_summaries([summary], [source], "en")
    (fact,) = aligned.facts
    document = source.document
    assert [document[p.start : p.end] for p in fact.passages] == [
        "Carrow said 46 ships had waited at anchor.",
        "Mayor Elspeth Carrow welcomed the deal.",  # where the name "Elspeth" is
    ]
    assert len(warnings) == 1 and "the number 51" in warnings[0]


def test_an_opinion_is_attributed_and_a_first_person_fact_is_not_stated() -> None:
    text = "The case for the charge was never really in doubt. I have long argued for it."
    sources = [_source("S1", text)]
    summary = _summary(
        "S1",
        "The case for the charge was never really in doubt.",
        "I have long argued for the charge.",
        kind="opinion",
    )
    sentences, warnings = _written([summary], sources)
    assert [s.text for s in sentences] == [
        "According to an opinion piece in Outlet S1, the case for the charge was never really "
        "in doubt."
    ]
    assert sentences[0].evidence[0].quote == "The case for the charge was never really in doubt."
    assert any("first person" in w for w in warnings)


def test_promotions_for_the_outlet_and_quotes_without_a_named_speaker_are_not_stated() -> None:
    text = (
        "The market hall closed on Tuesday after plaster fell. Subscribe to Outlet S1 from "
        '£3 a month. "Nobody can sell fish from a car park," one said. This is part of our '
        'series on old buildings. "We will reopen," the mayor said.'
    )
    sources = [_source("S1", text)]
    summary = _summary(
        "S1",
        "The market hall closed on Tuesday after plaster fell.",
        "Subscribe to Outlet S1 from £3 a month.",
        '"Nobody can sell fish from a car park," one said.',
        "This is part of our series on old buildings.",
        '"We will reopen," the mayor said.',
    )
    sentences, warnings = _written([summary], sources)
    assert [s.text for s in sentences] == [
        "The market hall closed on Tuesday after plaster fell.",
        '"We will reopen," the mayor said.',
    ]
    reasons = " | ".join(warnings)
    assert len(warnings) == 3
    assert "own outlet" in reasons and "first person plural" in reasons
    assert "quotation and names no speaker" in reasons


def test_a_weekday_is_a_date_not_a_rival_name() -> None:
    a = Fact("S1.F1", "S1", "Plaster fell from the ceiling of the Victorian hall.")
    b = Fact("S2.F1", "S2", "The order was signed on Wednesday, a day after plaster fell.")
    assert differing(a, b, "en") is None


def test_a_year_no_other_source_gives_makes_a_claim_distinctive() -> None:
    sources = [_source("S1", "x"), _source("S2", "x")]
    summaries = [
        _summary("S1", "The hall has 64 stalls.", "The market has traded in the hall since 1881."),
        _summary("S2", "The hall has 64 stalls.", "Traders met in the square."),
    ]
    plan = plan_brief(summaries, sources, max_sentences=5, language="en")
    texts = [c.text for c in plan.ranked]
    assert texts.index("The market has traded in the hall since 1881.") < texts.index(
        "Traders met in the square."
    )


def test_a_telling_figure_stated_again_in_other_words_is_said_once() -> None:
    first = "The agreement gives dockers a 7.5% wage rise over two years and caps shifts."
    again = "The union reached a 7.5% salary increase over two years."
    other = "The strike cost shipowners 14.2 million euros over two years."
    sources = [_source("S1", first), _source("S2", again), _source("S3", other)]
    summaries = [_summary("S1", first), _summary("S2", again), _summary("S3", other)]
    sentences, _ = _written(summaries, sources)
    texts = [s.text for s in sentences]
    assert sum("7.5%" in t for t in texts) == 1  # "two years" alone is no restatement
    assert other in texts


def test_a_fact_copied_untranslated_from_an_article_in_another_language_is_not_stated() -> None:
    text = (
        "El pacto prevé una subida salarial del 7,5 % repartida en dos años. "
        "La huelga paralizó el puerto de Halvermouth."
    )
    sources = [_source("S1", text, language="es")]
    summary = _summary(
        "S1",
        "El pacto prevé una subida salarial del 7,5 % repartida en dos años.",
        "The strike paralysed the port of Halvermouth.",
    )
    sentences, warnings = _written([summary], sources)
    assert [s.text for s in sentences] == ["The strike paralysed the port of Halvermouth."]
    assert any("in its article's language" in w for w in warnings)


def test_a_fact_cut_where_its_quotation_begins_is_not_stated() -> None:
    text = 'The White House described the meeting as "candid and constructive". Talks ended.'
    sources = [_source("S1", text)]
    summary = _summary("S1", "The White House described the meeting as.", "Talks ended.")
    sentences, warnings = _written([summary], sources)
    assert [s.text for s in sentences] == ["Talks ended."]
    assert any("quotation it introduces" in w for w in warnings)


def test_one_fact_can_be_disputed_on_who_did_it_and_on_when_but_a_figure_fact_only_once() -> None:
    sources = [_source(s, "x") for s in ("S1", "S2", "S3")]
    summaries = [
        _summary("S1", "Mayor Sunniva Kerr, who signed the closure order on Tuesday, spoke."),
        _summary("S2", "Deputy mayor Tomasz Hebden signed the closure order for the hall."),
        _summary("S3", "The closure order was signed on Wednesday morning by the council."),
    ]
    plan = plan_brief(summaries, sources, max_sentences=6, language="en")
    kinds = sorted((c.unit, tuple(f.sid for f in c.facts)) for c in plan.conflicts)
    assert kinds == [("when", ("S1", "S3")), ("who", ("S1", "S2"))]

    summaries = [
        _summary("S1", "The fire had burned 2,400 hectares by Wednesday evening."),
        _summary("S2", "The fire continued to burn on Thursday as residents slept in halls."),
        _summary("S3", "The fire had burned 3,100 hectares by Wednesday evening."),
    ]
    plan = plan_brief(summaries, sources, max_sentences=6, language="en")
    assert [c.unit for c in plan.conflicts] == ["hectare"]  # no "when" beside the figure


def test_two_dates_of_different_things_are_no_disagreement() -> None:
    def fact(sid: str, text: str) -> Fact:
        return Fact(f"{sid}.F1", sid, text)

    for a, b in [
        (
            "The Kellan Valley line reopened on Monday.",
            "The Kellan Valley line closed in November.",
        ),
        ("The fire continued to burn on Thursday.", "The fire burned 3,100 hectares by Wednesday."),
        ("The line reopened on Monday.", "The line reopened in March."),  # a day and a month
    ]:
        assert differing(fact("S1", a), fact("S2", b), "en") is None, (a, b)
    assert differing(
        fact("S1", "Mayor Kerr, who signed the closure order on Tuesday, spoke."),
        fact("S2", "The closure order was signed on Wednesday morning."),
        "en",
    ) == ("when", "Tuesday", "Wednesday")


def test_a_fact_copying_its_title_case_headline_is_not_stated() -> None:
    text = (
        "Secretary of State Alma Reyes met President Tomas Ilves in Varna on Monday. "
        "The two pledged to stabilise relations between their countries."
    )
    article = Article(
        title="Reyes and Ilves Meet in Varna, Pledge to Stabilise Relations",
        source="Outlet S1",
        text=text,
    )
    sources = [Source(sid="S1", article=article, text=text, language="en")]
    summary = _summary(
        "S1",
        "Reyes and Ilves held talks on Monday in Varna, Pledge to Stabilise Relations.",
        "Secretary of State Alma Reyes met President Tomas Ilves in Varna on Monday.",
    )
    sentences, warnings = _written([summary], sources)
    assert [s.text for s in sentences] == [
        "Secretary of State Alma Reyes met President Tomas Ilves in Varna on Monday."
    ]
    assert any("copies part of its article's Title Case headline" in w for w in warnings)


def test_a_sources_own_words_are_stated_before_a_translation_of_the_same_claim() -> None:
    english = "Renata Vasko, the union's leader, said the workers had won a fair deal."
    spanish = (
        "Renata Vasko, líder del sindicato, dijo que los trabajadores lograron «un acuerdo justo»."
    )
    sources = [_source("S1", english), _source("S2", spanish, language="es")]
    summaries = [
        _summary("S1", english),
        _summary("S2", "Renata Vasko said the workers had won."),  # the map step's translation
    ]
    sentences, _ = _written(summaries, sources)
    assert [(s.text, s.sources) for s in sentences] == [(english, ("S1", "S2"))]


def test_the_brief_opens_with_the_claim_every_source_bears_on() -> None:
    """Each source's first fact is a detail of its own; the news is what all of them report
    in their own words, and it is the first sentence, wherever the map step listed it."""
    news = [
        "The Halden Group will close its ceramics factory in Brantwell by the end of the year.",
        "Production at Halden's works in Brantwell ends in December.",
        "Brantwell's pottery plant is to shut, its owner Halden announced.",
    ]
    details = [
        "The factory opened in 1957 and once made tableware and tiles.",
        "A clay merchant, Tollman Minerals, supplies the plant from a quarry near Ashby.",
        "The council leader, Priya Anand-Shaw, spoke at a meeting in the town hall on Monday.",
    ]
    sids = ["S1", "S2", "S3"]
    sources = [_source(sid, f"{d} {n}") for sid, d, n in zip(sids, details, news, strict=True)]
    summaries = [_summary(sid, d, n) for sid, d, n in zip(sids, details, news, strict=True)]
    sentences, _ = _written(summaries, sources)
    assert sentences[0].text in news


# Two facts dispute who did something only when they state one action on one object.
ONE_ACTION = [
    # Two different stages won by two different riders: no disagreement.
    ("Alberto Contador won stage 15 of the race.", "Andy Schleck won stage 17 of the race.", None),
    ("Contador won the 15th stage.", "Schleck won the 17th stage.", None),
    ("Contador won the fifteenth stage.", "Schleck won the seventeenth stage.", None),
    ("Contador won the Tour de France.", "Schleck won the Tour de Suisse.", None),
    (
        "Race leader Alberto Contador won the fifth stage on Tuesday.",
        "Race leader Andy Schleck won the seventh stage on Thursday.",
        None,
    ),
    # A developing story's happenings on different days: no disagreement on when.
    (
        "The aftershock struck central Chile on Wednesday.",
        "The earthquake struck central Chile on Saturday.",
        None,
    ),
    # One stage, two winners: the sources disagree on who won it.
    ("Rider Contador won the 15th stage.", "Rider Schleck won the fifteenth stage.", "who"),
    ("Mayor Kerr signed the closure order.", "Deputy Hebden signed the closure order.", "who"),
    # One order, two days: the sources disagree on when.
    (
        "The council signed the closure order on Tuesday.",
        "The closure order was signed on Friday.",
        "when",
    ),
    ("The closure order was signed by Kerr.", "The closure order was signed by Hebden.", "who"),
]


@pytest.mark.parametrize(("a", "b", "unit"), ONE_ACTION)
def test_two_facts_are_one_disputed_claim_only_for_one_action_on_one_object(
    a: str, b: str, unit: str | None
) -> None:
    differs = differing(Fact("S1.F1", "S1", a), Fact("S2.F1", "S2", b), "en")
    assert (differs[0] if differs else None) == unit
    sources = [_source("S1", a), _source("S2", b), _source("S3", "The race went on.")]
    summaries = [_summary("S1", a), _summary("S2", b), _summary("S3", "The race went on.")]
    plan = plan_brief(summaries, sources, max_sentences=6, language="en")
    assert [c.unit for c in plan.conflicts] == ([unit] if unit else [])


# The same in other languages: ordinals by their suffixes and words (prompts/words.json).
ONE_ACTION_ELSEWHERE = [
    (
        "fr",
        "Le coureur Contador a remporté la 5e étape.",
        "Le coureur Schleck a remporté la 7e étape.",
        None,
    ),
    (
        "fr",
        "Le coureur Contador a remporté la 5e étape.",
        "Le coureur Schleck a remporté la cinquième étape.",
        "who",
    ),
    ("es", "El ciclista Contador ganó la 5ª etapa.", "El ciclista Schleck ganó la 7ª etapa.", None),
    (
        "es",
        "El ciclista Contador ganó la 5ª etapa.",
        "El ciclista Schleck ganó la quinta etapa.",
        "who",
    ),
    (
        "it",
        "Il ciclista Contador ha vinto la 5ª tappa.",
        "Il ciclista Schleck ha vinto la 7ª tappa.",
        None,
    ),
    (
        "it",
        "Il ciclista Contador ha vinto la 5ª tappa.",
        "Il ciclista Schleck ha vinto la quinta tappa.",
        "who",
    ),
]


@pytest.mark.parametrize(("language", "a", "b", "unit"), ONE_ACTION_ELSEWHERE)
def test_ordinals_are_read_in_the_facts_language(
    language: str, a: str, b: str, unit: str | None
) -> None:
    differs = differing(Fact("S1.F1", "S1", a), Fact("S2.F1", "S2", b), language)
    assert (differs[0] if differs else None) == unit


def test_a_fact_stopped_at_a_comma_ends_with_a_full_stop() -> None:
    text = "The quake was felt 70 km from Curicó, 95 km from San Antonio, and in Santiago."
    sentences, _ = _written(
        [_summary("S1", "The quake was felt 70 km from Curicó, 95 km from San Antonio,")],
        [_source("S1", text)],
    )
    assert [s.text for s in sentences] == [
        "The quake was felt 70 km from Curicó, 95 km from San Antonio."
    ]


def test_each_sources_lead_comes_before_its_details_when_both_are_distinctive() -> None:
    lead = "A strong earthquake struck the coast of Maule on Saturday morning."
    detail = "The quake was felt 102 km from Talca, 165 km from Santiago and 167 km from Lota."
    sources = [_source("S1", f"{lead} {detail}"), _source("S2", "Rain fell on Lebu.")]
    summaries = [_summary("S1", lead, detail), _summary("S2", "Rain fell on Lebu.")]
    ranked = plan_brief(summaries, sources, max_sentences=5, language="en").ranked
    assert [c.text for c in ranked][:2] == [lead, "Rain fell on Lebu."]


@pytest.mark.parametrize(
    ("language", "opening", "said", "fact"),
    [
        (
            "en",
            "The council closed the Calder bridge on Monday.",
            "The mayor said the closure was regrettable.",
            "The bridge carries 12,000 vehicles a day.",
        ),
        (
            "de",
            "Der Stadtrat sperrte am Montag die Calder-Brücke.",
            "Die Bürgermeisterin sagte, die Sperrung sei bedauerlich.",
            "Über die Brücke fahren täglich 12.000 Fahrzeuge.",
        ),
        (
            "fr",
            "Le conseil a fermé le pont de Calder lundi.",
            "La maire a déclaré que la fermeture était regrettable.",
            "Le pont voit passer 12 000 véhicules par jour.",
        ),
    ],
)
def test_what_happened_is_told_before_what_people_said_about_it(
    language: str, opening: str, said: str, fact: str
) -> None:
    sentences = [Sentence(opening, ("S1",)), Sentence(said, ("S2",)), Sentence(fact, ("S3",))]
    assert [s.text for s in in_reading_order(sentences, language)] == [opening, fact, said]


def test_a_sentence_made_of_an_earlier_ones_words_adds_nothing_and_is_said_once() -> None:
    said = (
        "Dafydd Prosser, the regional officer of the General Makers' Union, said members were "
        "angry that production would move to the group's plant in Kelmsford."
    )
    again = "The union is angry that production will move to the Halden Group's plant in Kelmsford."
    other = "The Halden Group will close its ceramics factory in Brantwell by December."
    sources = [_source("S1", f"{said} {again}"), _source("S2", other)]  # one source's two facts
    summaries = [_summary("S1", said, again), _summary("S2", other)]
    texts = [s.text for s in _written(summaries, sources)[0]]
    assert said in texts and other in texts
    assert again not in texts
    # The other way round, the long wording (holding nearly all of the short one) takes the
    # short one's place: the claim is stated once, with nothing of either left out.
    summaries = [_summary("S1", again, said), _summary("S2", other)]
    texts = [s.text for s in _written(summaries, sources)[0]]
    assert said in texts and again not in texts


def test_facts_sharing_the_storys_words_but_not_saying_the_same_thing_are_two_claims() -> None:
    union = (
        "The General Makers' Union is a union representing workers at the Halden Group's "
        "Brantwell ceramics factory."
    )
    closing = "The Halden Group is closing its ceramics factory in Brantwell."
    sources = [_source("S1", closing), _source("S2", union)]
    claims = plan_brief([_summary("S1", closing), _summary("S2", union)], sources, 5, "en").ranked
    assert sorted(c.text for c in claims) == sorted([closing, union])


def test_each_sources_lead_is_its_claim_nearest_its_headline_distinctive_or_not() -> None:
    """An article's headline says what its news is: the claim nearest it in meaning is the
    source's lead, though it names nothing no other source does and comes after a detail that
    does (a headline that says nothing, "Headline S1" above, leaves the map step's order)."""
    detail = "Wired magazine has called fuel-cell vehicles the next big thing in Beijing."
    news = "Private cars will be kept away from the Olympic venues in Beijing."
    other = "The Olympic torch was carried through Paris on Monday."
    headline = "Forget driving to the Olympics, says Beijing"
    sources = [_source("S1", f"{detail} {news}", title=headline), _source("S2", other)]
    summaries = [_summary("S1", detail, news), _summary("S2", other)]
    ranked = plan_brief(summaries, sources, max_sentences=5, language="en").ranked
    assert [c.text for c in ranked][:2] == [news, other]


def test_a_sources_lead_that_restates_the_news_waits_its_turn() -> None:
    """Each source's headline-nearest claim goes before its details, unless it is the bundle's
    news again in other words: then the source's distinctive claim comes first."""
    news = "The Harnby wind farm won a ballot in Lymbridge with 61% of the vote."
    again = "Voters in Lymbridge backed Harnby's turbines."
    detail = "Campaigners from Save Cold Harrow said they would fight on at the planning stage."
    sources = [
        _source("S1", news, title="Lymbridge backs Harnby wind farm"),
        _source("S2", f"{detail} {again}", title="Lymbridge says yes to Harnby wind farm"),
    ]
    summaries = [_summary("S1", news), _summary("S2", detail, again)]
    ranked = [c.text for c in plan_brief(summaries, sources, 5, "en").ranked]
    assert ranked.index(detail) < ranked.index(again)


def test_a_figure_of_last_year_never_opens_the_brief() -> None:
    """The most central claim (two sources state it) is about last year: the news is now."""
    rise = "Thessford's transit board voted to raise bus fares by 6.5% from April."
    before = "Thessford's bus fares went up by 4.9 per cent last year."
    sources = [_source("S1", before), _source("S2", before), _source("S3", rise)]
    summaries = [_summary("S1", before), _summary("S2", before), _summary("S3", rise)]
    lead = plan_brief(summaries, sources, 5, "en").lead
    assert [c.text for c in lead] == [rise, before]


def test_a_body_line_that_ends_no_sentence_is_not_stated() -> None:
    """A caption or a page's label in the body ("Photo gallery (9 images)") is no sentence; a
    headline's news without a full stop can be."""
    news = "Fire crews saved the Harlow mill on Sunday."
    body = f"{news}\nPhoto gallery (9 images)\nThe roof of the weaving shed collapsed."
    sources = [_source("S1", body, title="Crews save Harlow mill from blaze")]
    facts = (news, "Photo gallery (9 images)", "The roof of the weaving shed collapsed.")
    texts = [s.text for s in _written([_summary("S1", *facts)], sources)[0]]
    assert "Photo gallery (9 images)" not in texts
    assert news in texts


def _opening(summaries: list[ArticleSummary], sources: list[Source]) -> str:
    sentences, _ = _written(summaries, sources)
    return sentences[0].text


FIRE_NEWS = [
    "A wildfire spread through the Kesselwald forest on Wednesday.",
    "Villages at the edge of the Kesselwald were evacuated as the fire spread.",
    "The Kesselwald blaze has burned 2,400 hectares of pine.",
]


def test_the_opening_names_what_the_story_is_about() -> None:
    """A wording near every fact in meaning but naming nothing ("The fire went on burning")
    tells a reader nothing first: the opening names one of the names most sources give."""
    vague = "The fire continued to burn on Thursday."
    sids = ["S1", "S2", "S3"]
    sources = [_source(sid, f"{vague} {n}") for sid, n in zip(sids, FIRE_NEWS, strict=True)]
    summaries = [_summary(sid, vague, n) for sid, n in zip(sids, FIRE_NEWS, strict=True)]
    assert _opening(summaries, sources) in FIRE_NEWS


def test_the_opening_is_news_a_source_leads_with_not_a_scene_further_down() -> None:
    """What every source tells in its first sentences is the news; a scene their reporters
    describe further down, however alike, is not."""
    scene = [
        "Residents of the Kesselwald villages watched the fire from the road at night.",
        "In the Kesselwald villages people watched the glow of the fire from the road.",
        "Kesselwald villagers stood on the road and watched the fire glow at night.",
    ]
    filler = "Crews from four districts were called in. Roads were closed. Schools shut."
    sids = ["S1", "S2", "S3"]
    sources = [
        _source(sid, f"{n} {filler} {s}") for sid, n, s in zip(sids, FIRE_NEWS, scene, strict=True)
    ]
    summaries = [_summary(sid, s, n) for sid, n, s in zip(sids, FIRE_NEWS, scene, strict=True)]
    assert _opening(summaries, sources) in FIRE_NEWS


def test_a_longer_wording_holding_a_stated_one_takes_its_place() -> None:
    """A sentence that holds nearly all of an earlier one's words and every number it states,
    and adds a figure of its own, is not a second sentence: it replaces the earlier one."""
    short = "Edda Lorne, a former ferry pilot, was elected mayor of Tallowby."
    longer = (
        "Edda Lorne, a former ferry pilot who entered politics five years ago, was elected "
        "mayor of Tallowby on Sunday."
    )
    other = "Turnout in Tallowby rose to its highest level since the post was created."
    sources = [_source("S1", f"{short} {longer}"), _source("S2", other)]  # one source's facts
    summaries = [_summary("S1", short, longer), _summary("S2", other)]
    texts = [s.text for s in _written(summaries, sources)[0]]
    assert longer in texts and other in texts and short not in texts
    # Two of the earlier sentence's words missing, one of them its verb: a different point.
    praised = "Mayor Edda Lorne of Tallowby praised the harbour's ferry crews for a night rescue."
    first = "Edda Lorne, mayor of Tallowby and a former harbour ferry pilot, led the night rescue."
    sources = [_source("S1", f"{praised} {first}"), _source("S2", other)]
    summaries = [_summary("S1", praised, first), _summary("S2", other)]
    texts = [s.text for s in _written(summaries, sources)[0]]
    assert praised in texts and first in texts


@pytest.mark.parametrize(("day", "lead_first"), [(24, True), (9, False)])
def test_a_later_stage_of_a_developing_story_is_no_restatement_of_its_news(
    day: int, lead_first: bool
) -> None:
    """A source days away from the news's reports tells another stage of the story: its lead
    takes its turn though it reads like the news; the next day's report of it does not."""
    opened = datetime(2008, 8, 8, tzinfo=UTC)
    news = "The Olympic Games opened in Beijing on Friday."
    detail = "Fireworks lit the sky above the stadium for 20 minutes."
    closed = "The Olympic Games closed in Beijing on Sunday."
    sources = [
        _source("S1", news, published=opened, title="Olympic Games open in Beijing"),
        _source("S2", news, published=opened, title="Beijing opens the Games"),
        _source(
            "S3",
            f"{detail} {closed}",
            published=datetime(2008, 8, day, tzinfo=UTC),
            title="Beijing Olympics come to a close",
        ),
    ]
    summaries = [_summary("S1", news), _summary("S2", news), _summary("S3", detail, closed)]
    ranked = [c.text for c in plan_brief(summaries, sources, 5, "en").ranked]
    assert ranked[0] == news
    assert ranked[1] == (closed if lead_first else detail)


def test_a_headline_fragment_is_told_in_the_sentence_it_was_cut_from() -> None:
    text = (
        "The torch relay began at Wembley Stadium on Sunday. Around 25 arrests have been made "
        "by Metropolitan Police officers during the relay."
    )
    sentences, warnings = _written(
        [
            _summary(
                "S1",
                "The torch relay began at Wembley Stadium on Sunday.",
                "25 arrests made by Metropolitan Police officers",
            )
        ],
        [_source("S1", text)],
    )
    assert [s.text for s in sentences] == [
        "The torch relay began at Wembley Stadium on Sunday.",
        "Around 25 arrests have been made by Metropolitan Police officers during the relay.",
    ]
    assert warnings == []
