"""The deterministic check of what the brief says against the passages it cites."""

from service.citations import check_sentence, check_title
from service.types import Article, Passage, Sentence, Source


def _passage(sid: str, quote: str) -> Passage:
    return Passage(sid, 0, len(quote), quote)


DOCKS = _passage("S1", "Dockers at Port Halden accepted a 6% pay rise on Friday.")
SHIPS = _passage("S2", "The deal ends a strike that left 40 ships waiting, said Mara Quist.")
SPANISH = _passage("S3", "Los estibadores aceptaron una subida del 6% el viernes.")


def test_a_sentence_its_passages_state_stands() -> None:
    assert (
        check_sentence("Dockers accepted a 6% pay rise on Friday.", [DOCKS], set(), set()) is None
    )
    both = "The deal, a 6% pay rise, ends a strike that left 40 ships waiting."
    assert check_sentence(both, [DOCKS, SHIPS], set(), set()) is None


def test_a_number_or_name_its_passages_lack_makes_it_unsupported() -> None:
    assert check_sentence("Dockers accepted a 7% rise.", [DOCKS], set(), set()) == (
        "the number 7 is in none of its passages"
    )
    problem = check_sentence(
        "Dockers accepted a 6% rise, said Governor Brandt.", [DOCKS], set(), set()
    )
    assert problem == "the name Brandt is in none of its passages"


def test_the_whole_article_does_not_vouch_for_a_sentence_only_its_passages_do() -> None:
    # Mara Quist is in S2's passage, not in the one this sentence cites.
    assert check_sentence("Mara Quist welcomed the 6% pay rise.", [DOCKS], set(), set()) is not None


def test_a_sentence_mostly_made_of_words_its_passages_lack_is_unsupported() -> None:
    problem = check_sentence(
        "Dockers celebrated with fireworks and brass bands downtown.", [DOCKS], set(), set()
    )
    assert problem == "most of its words are in none of its passages"


def test_stating_one_side_of_a_disagreement_is_not_allowed() -> None:
    problem = check_sentence("The strike left 40 ships waiting.", [SHIPS], {(40.0, "ship")}, set())
    assert problem == "it states one side of a disagreement as fact"


def test_a_translated_sources_sentence_is_checked_on_its_numbers_only() -> None:
    translated = {"S3"}
    assert (
        check_sentence("Dockers accepted a 6% rise on Friday.", [SPANISH], set(), translated)
        is None
    )
    assert check_sentence("Dockers accepted a 9% rise.", [SPANISH], set(), translated) is not None


def test_a_sentence_citing_no_passage_cannot_stand() -> None:
    assert check_sentence("Anything.", [], set(), set()) == "it cites no passage"


def _source(sid: str, title: str, language: str = "en") -> Source:
    return Source(sid, Article(title, f"Outlet {sid}", "…"), "…", language)


SOURCES = [_source("S1", "Dockers accept pay deal"), _source("S2", "Ships wait as strike ends")]
SENTENCES = [Sentence("The strike left 40 ships waiting.", ("S2",), (SHIPS,))]


def test_a_supported_title_is_kept() -> None:
    title, warning = check_title("Dockers accept 6% rise", SENTENCES, SOURCES, [DOCKS], set(), "en")
    assert (title, warning) == ("Dockers accept 6% rise", None)


def test_a_title_stating_what_the_evidence_lacks_gives_way_to_the_most_cited_headline() -> None:
    title, warning = check_title(
        "Dockers win 9% rise", SENTENCES, SOURCES, [DOCKS, SHIPS], set(), "en"
    )
    assert title == "Ships wait as strike ends"
    assert warning is not None and "the number 9" in warning


def test_a_title_stating_one_side_of_a_disagreement_is_replaced() -> None:
    title, _ = check_title("40 ships wait", SENTENCES, SOURCES, [SHIPS], {(40.0, "ship")}, "en")
    assert title == "Ships wait as strike ends"


def test_a_title_case_title_is_checked_on_its_numbers_and_words_not_as_names() -> None:
    title, warning = check_title(
        "Dockers Accept Pay Rise On Friday", SENTENCES, SOURCES, [DOCKS], set(), "en"
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
        set(),
        "en",
    )
    assert title == "Ships wait as strike ends"
    assert warning is not None and "“John Kerry” is in none of its sources" in warning
    paraphrased = "Dockers Accept Pay Rise On Friday, Ending Dispute"  # one new word: a paraphrase
    assert check_title(paraphrased, SENTENCES, sources, [DOCKS], set(), "en")[1] is None
