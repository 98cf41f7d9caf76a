"""The deterministic check of what the brief says against the passages it cites."""

import pytest

from service.actors import clause, other_actor
from service.citations import check_sentence, check_title
from service.conflicts import Disputed, disputed_values, disputes
from service.types import Article, Conflict, Fact, Passage, Sentence, Source


def _passage(sid: str, quote: str) -> Passage:
    return Passage(sid, 0, len(quote), quote)


DOCKS = _passage("S1", "Dockers at Port Halden accepted a 6% pay rise on Friday.")
SHIPS = _passage("S2", "The deal ends a strike that left 40 ships waiting, said Mara Quist.")
SPANISH = _passage("S3", "Los estibadores aceptaron una subida del 6% el viernes.")


def test_a_sentence_its_passages_state_stands() -> None:
    assert (
        check_sentence(
            "Dockers accepted a 6% pay rise on Friday.", [DOCKS], Disputed(), {}, "en", frozenset()
        )
        is None
    )
    both = "The deal, a 6% pay rise, ends a strike that left 40 ships waiting."
    assert check_sentence(both, [DOCKS, SHIPS], Disputed(), {}, "en", frozenset()) is None


def test_a_number_or_name_its_passages_lack_makes_it_unsupported() -> None:
    assert check_sentence(
        "Dockers accepted a 7% rise.", [DOCKS], Disputed(), {}, "en", frozenset()
    ) == ("the number 7 is in none of its passages")
    problem = check_sentence(
        "Dockers accepted a 6% rise, said Governor Brandt.",
        [DOCKS],
        Disputed(),
        {},
        "en",
        frozenset(),
    )
    assert problem == "the name Brandt is in none of its passages"


def test_the_whole_article_does_not_vouch_for_a_sentence_only_its_passages_do() -> None:
    # Mara Quist is in S2's passage, not in the one this sentence cites.
    assert (
        check_sentence(
            "Mara Quist welcomed the 6% pay rise.", [DOCKS], Disputed(), {}, "en", frozenset()
        )
        is not None
    )


def test_a_sentence_mostly_made_of_words_its_passages_lack_is_unsupported() -> None:
    problem = check_sentence(
        "Dockers celebrated with fireworks and brass bands downtown.",
        [DOCKS],
        Disputed(),
        {},
        "en",
        frozenset(),
    )
    assert problem == "most of its words are in none of its passages"


def test_stating_one_side_of_a_disagreement_is_not_allowed() -> None:
    disputed = Disputed(figures=frozenset({(40.0, "ship")}))
    problem = check_sentence(
        "The strike left 40 ships waiting.", [SHIPS], disputed, {}, "en", frozenset()
    )
    assert problem == "it states one side of a disagreement as fact"


def test_naming_a_disputed_actor_doing_the_disputed_thing_is_not_allowed() -> None:
    """Sources dispute who signed the order closing the hall: a sentence that has one of them
    close it states that side as fact; one that has them do something else does not."""
    signed = Fact("S1.F1", "S1", "Mayor Kerr signed the order closing the Corn Exchange hall.")
    other = Fact("S2.F1", "S2", "Deputy mayor Hebden signed the order closing the Corn Exchange.")
    disputed = disputed_values([Conflict("who", (signed, other), ("Kerr", "Hebden"))], "en")
    assert disputes("Mayor Kerr signed the closure order on Tuesday.", disputed, "en")
    # The rival's action in other words: alike in meaning to "Hebden signed an order closing…".
    assert disputes("Mayor Kerr of Pellworth shut the Corn Exchange market.", disputed, "en")
    assert not disputes("Mayor Kerr said the traders would be paid.", disputed, "en")
    assert not disputes("The order closing the Corn Exchange was signed.", disputed, "en")


def test_a_translated_sources_sentence_is_checked_on_its_numbers_only() -> None:
    translated = {"S3": "es"}
    assert (
        check_sentence(
            "Dockers accepted a 6% rise on Friday.",
            [SPANISH],
            Disputed(),
            translated,
            "en",
            frozenset(),
        )
        is None
    )
    assert (
        check_sentence(
            "Dockers accepted a 9% rise.", [SPANISH], Disputed(), translated, "en", frozenset()
        )
        is not None
    )


def test_a_sentence_citing_no_passage_cannot_stand() -> None:
    assert (
        check_sentence("Anything.", [], Disputed(), {}, "en", frozenset()) == "it cites no passage"
    )


def _source(sid: str, title: str, language: str = "en") -> Source:
    return Source(sid, Article(title, f"Outlet {sid}", "…"), "…", language)


SOURCES = [_source("S1", "Dockers accept pay deal"), _source("S2", "Ships wait as strike ends")]
SENTENCES = [Sentence("The strike left 40 ships waiting.", ("S2",), (SHIPS,))]


def test_a_supported_title_is_kept() -> None:
    title, warning = check_title(
        "Dockers accept 6% rise", SENTENCES, SOURCES, [DOCKS], Disputed(), "en"
    )
    assert (title, warning) == ("Dockers accept 6% rise", None)


def test_a_title_stating_what_the_evidence_lacks_gives_way_to_the_most_cited_headline() -> None:
    title, warning = check_title(
        "Dockers win 9% rise", SENTENCES, SOURCES, [DOCKS, SHIPS], Disputed(), "en"
    )
    assert title == "Ships wait as strike ends"
    assert warning is not None and "the number 9" in warning


def test_the_fallback_headline_is_a_reports_not_an_opinion_pieces() -> None:
    """The model's title gives a figure no passage gives. The most cited source (S2) is a
    column: its headline is its writer's view, so the report's headline (S1) is used."""
    sources = [
        _source("S1", "Port Halden dockers accept pay deal"),
        _source("S2", "The dockers were right to take this deal"),
    ]
    sentences = [
        Sentence("Dockers at Port Halden accepted a 6% pay rise on Friday.", ("S1",), (DOCKS,)),
        Sentence("The deal ends a strike that left 40 ships waiting.", ("S2",), (SHIPS,)),
        Sentence("The strike left 40 ships waiting, said Mara Quist.", ("S2",), (SHIPS,)),
    ]
    title, _ = check_title("Dockers win 9% rise", sentences, sources, [DOCKS], Disputed(), "en")
    assert title == "The dockers were right to take this deal"  # no column known: most cited
    title, warning = check_title(
        "Dockers win 9% rise", sentences, sources, [DOCKS], Disputed(), "en", frozenset({"S2"})
    )
    assert title == "Port Halden dockers accept pay deal"
    assert warning is not None and "S1's headline" in warning


def test_a_title_stating_one_side_of_a_disagreement_is_replaced() -> None:
    disputed = Disputed(figures=frozenset({(40.0, "ship")}))
    title, _ = check_title("40 ships wait", SENTENCES, SOURCES, [SHIPS], disputed, "en")
    assert title == "Ships wait as strike ends"


def test_a_headline_stating_one_side_of_a_disagreement_is_no_fallback_title() -> None:
    """The most-cited source's headline gives a disputed figure: the next headline is used,
    and when every headline does, the brief's first sentence."""
    disputed = Disputed(figures=frozenset({(40.0, "ship")}))
    sources = [_source("S1", "Dockers accept pay deal"), _source("S2", "40 ships wait")]
    sentences = [Sentence("The strike left 40 ships waiting.", ("S2",), (SHIPS,))]
    title, _ = check_title("40 ships wait", sentences, sources, [SHIPS], disputed, "en")
    assert title == "Dockers accept pay deal"
    sources = [_source("S1", "40 ships in port"), _source("S2", "40 ships wait")]
    opening = [Sentence("Dockers at Port Halden accepted a pay rise.", ("S1",), (DOCKS,))]
    title, warning = check_title("40 ships wait", opening, sources, [DOCKS], disputed, "en")
    assert title == "Dockers at Port Halden accepted a pay rise."
    assert warning is not None and "first sentence" in warning


def test_a_headline_giving_a_disputed_count_without_its_noun_is_no_fallback_title() -> None:
    """A headline writes "injures 17" where the sources dispute 17 workers against 19."""
    disputed = Disputed(figures=frozenset({(17.0, "worker"), (19.0, "worker")}))
    sources = [_source("S1", "Blast at Corvin plant injures 17"), _source("S2", "Dockers vote")]
    sentences = [Sentence("The strike left 40 ships waiting.", ("S1",), (SHIPS,))]
    title, _ = check_title("17 hurt", sentences, sources, [SHIPS], disputed, "en")
    assert title == "Dockers vote"


def test_a_title_case_title_is_checked_on_its_numbers_and_words_not_as_names() -> None:
    title, warning = check_title(
        "Dockers Accept Pay Rise On Friday", SENTENCES, SOURCES, [DOCKS], Disputed(), "en"
    )
    assert warning is None and title == "Dockers Accept Pay Rise On Friday"


def test_a_title_case_title_naming_someone_no_source_names_is_replaced() -> None:
    sources = [
        Source("S1", Article("Dockers accept pay deal", "Outlet S1", "…"), DOCKS.quote, "en"),
        Source("S2", Article("Ships wait as strike ends", "Outlet S2", "…"), SHIPS.quote, "en"),
    ]
    title, warning = check_title(
        "Dockers Accept Pay Rise On Friday, John Kerry Says",
        SENTENCES,
        sources,
        [DOCKS],
        Disputed(),
        "en",
    )
    assert title == "Ships wait as strike ends"
    assert warning is not None and "“John Kerry” is in none of its sources" in warning
    paraphrased = "Dockers Accept Pay Rise On Friday, Ending Dispute"  # one new word: a paraphrase
    assert check_title(paraphrased, SENTENCES, sources, [DOCKS], Disputed(), "en")[1] is None


# Who does what: a sentence stands on its passage only when the passage's sentence stating the
# same action names the same actor (and, when both name one, the same one acted on).
ACTORS = [
    (  # the real-news case: the passage gives the jersey to someone else
        "Contador won the green jersey points classification over Robert Hunter and Erik Zabel.",
        "Tom Boonen of Belgium wins the green jersey points classification ahead of Robert "
        "Hunter and Erik Zabel. Alberto Contador of Spain finished the stage safely.",
        "its passage names Tom Boonen of Belgium as the actor, not Contador",
    ),
    (  # subject and object swapped
        "Aldous defeated Brandt in the runoff for the council seat.",
        "Brandt defeated Aldous in the runoff for the council seat.",
        "its passage names Brandt as the actor, not Aldous",
    ),
    (  # the right actor, acting on someone else
        "Minister Quist appointed Halvorsen as head of the harbour authority.",
        "Minister Quist appointed Tamsin Reeve as head of the harbour authority. "
        "Halvorsen had held the post since 2019.",
        "its passage has Minister Quist act on Tamsin Reeve, not on Halvorsen",
    ),
    (  # the same actor, worded with a title, a first name or an opening phrase
        "President Bachelet declared a state of catastrophe in the Maule region.",
        "On Sunday, Chilean President Michelle Bachelet declared a state of catastrophe in the "
        "Maule region.",
        None,
    ),
    (  # a passive passage names no actor before its verb: nothing to contradict
        "Tom Boonen won the green jersey points classification.",
        "The green jersey points classification was won by Tom Boonen of Belgium.",
        None,
    ),
    (  # a first word the text also writes in lower case is a word, not an actor
        "Heavy rains flooded the camps of families left homeless.",
        "On Wednesday, heavy rains flooded the camps of families left homeless by Rain Corp.",
        None,
    ),
]


@pytest.mark.parametrize(("sentence", "passage", "problem"), ACTORS)
def test_a_sentence_whose_actor_differs_from_its_passages_is_rejected(
    sentence: str, passage: str, problem: str | None
) -> None:
    assert (
        check_sentence(sentence, [_passage("S4", passage)], Disputed(), {}, "en", frozenset())
        == problem
    )


def test_the_actor_check_needs_a_language_that_capitalises_names_only() -> None:
    # German capitalises every noun: its sentences are not read for actors.
    sentence = "Brandt besiegte Aldous in der Stichwahl."
    assert (
        check_sentence(
            sentence,
            [_passage("S1", "Aldous besiegte Brandt in der Stichwahl.")],
            Disputed(),
            {},
            "de",
            frozenset(),
        )
        is None
    )


FINE = _passage("S1", "Calder Council fined Brightloom Studios £40,000 for breaching noise limits.")
FINED = [Sentence(FINE.quote, ("S1",), (FINE,))]
FINE_SOURCES = [
    Source("S1", Article("Studio fined", "Outlet S1", "…"), FINE.quote, "en"),
    Source("S2", Article("Council fines Brightloom", "Outlet S2", "…"), FINE.quote, "en"),
]


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("Calder Council fines Brightloom Studios for breaching noise limits", True),
        ("Calder Council Fines Brightloom Studios For Breaching Noise Limits", True),
        ("Brightloom Studios fines Calder Council for breaching noise limits", False),  # swapped
        ("Brightloom Studios Fines Calder Council For Breaching Noise Limits", False),  # Title Case
    ],
)
def test_a_title_has_its_actors_in_the_roles_the_brief_gives_them(title: str, kept: bool) -> None:
    checked, warning = check_title(title, FINED, FINE_SOURCES, [FINE], Disputed(), "en")
    assert (checked == title) is kept
    assert (warning is None) is kept
    if not kept:
        assert warning is not None and "as the actor" in warning


def test_a_title_listing_several_events_is_replaced() -> None:
    listed = "Dockers accept 6% rise, ships wait, strike ends"
    title, warning = check_title(listed, SENTENCES, SOURCES, [DOCKS, SHIPS], Disputed(), "en")
    assert title == "Ships wait as strike ends"
    assert warning is not None and "lists several things" in warning
    one = "Dockers accept 6% rise, ending strike"  # one event and its consequence stands
    assert check_title(one, SENTENCES, SOURCES, [DOCKS, SHIPS], Disputed(), "en")[1] is None


def test_a_title_figure_its_passages_give_for_something_else_is_replaced() -> None:
    """ "Nine votes to four" holds a 9, not a 9% rise; a 46-year-old mayor is no 46 years."""
    votes = _passage("S1", "The board backed a rise in fares by nine votes to four.")
    sentences = [
        Sentence("The board backed a rise in fares by nine votes to four.", ("S1",), (votes,))
    ]
    sources = [_source("S1", "Board backs fare rise"), _source("S2", "Fares to go up")]
    title, warning = check_title(
        "Board raises fares by 9%", sentences, sources, [votes], Disputed(), "en"
    )
    assert title == "Board backs fare rise"
    assert warning is not None and "“9%”" in warning
    kept, _ = check_title(
        "Board backs rise by nine votes", sentences, sources, [votes], Disputed(), "en"
    )
    assert kept == "Board backs rise by nine votes"


@pytest.mark.parametrize(
    ("language", "dated"),
    [
        ("en", "Thursday's vote will raise bus fares by 9 per cent from April."),
        ("fr", "Mardi a vu le conseil relever les tarifs des bus de 9 %."),
        ("es", "Marzo trajo una subida de las tarifas de autobús del 9 %."),
    ],
)
def test_a_sentence_opening_with_a_date_names_no_actor(language: str, dated: str) -> None:
    assert clause(dated, language).subject == ()


def test_a_passage_opening_with_a_date_does_not_refuse_who_acted() -> None:
    """ "Thursday's vote …" is dated, not done by Thursday: a sentence naming who voted is not
    refused for naming someone else than its passage."""
    sentence = "Thessford Transit Board voted to raise bus fares by 9 per cent."
    passages = [
        "Thessford Transit Board met on Thursday.",
        "Thursday's vote will raise bus fares by 9 per cent from April.",
    ]
    assert other_actor(sentence, passages, frozenset({"Thessford"}), "en") is None
