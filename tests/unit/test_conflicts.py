"""Quantities and deterministic conflict detection."""

from service.conflicts import describe, disputed_values, find_conflicts
from service.textutil import quantities
from service.types import Article, ArticleSummary, Fact, Source


def _source(sid: str, outlet: str, duplicate_of: str | None = None) -> Source:
    article = Article(title=f"title {sid}", source=outlet, text="text")
    return Source(sid=sid, article=article, text="text", language="en", duplicate_of=duplicate_of)


def _summary(sid: str, *texts: str) -> ArticleSummary:
    facts = tuple(Fact(f"{sid}.F{i}", sid, t) for i, t in enumerate(texts, start=1))
    return ArticleSummary(sid=sid, facts=facts, angle="")


def test_quantities_read_digits_words_and_percentages() -> None:
    found = {
        (q.value, q.unit) for q in quantities("It lasted nine days, cost 4.5% and 1,200 jobs.")
    }
    assert found == {(9.0, "day"), (4.5, "percent"), (1200.0, "job")}
    (money,) = quantities("The repairs cost 12.4 million euros.")
    assert (money.value, money.unit, money.text) == (12.4, "million euro", "12.4 million euros")
    assert quantities("Signed at 11:40 pm.") == []  # a clock time is not a quantity


def test_amounts_written_with_a_currency_symbol_match_amounts_written_out() -> None:
    written_out = {(q.value, q.unit) for q in quantities("a bill of 3.1 million pounds")}
    for text in ("a bill of £3.1m", "a bill of £3.1 million", "a bill of £ 3.1m."):
        assert {(q.value, q.unit) for q in quantities(text)} == written_out, text
    assert [(q.value, q.unit) for q in quantities("$2bn for 3 ships, then €450")] == [
        (2.0, "billion dollar"),
        (3.0, "ship"),
        (450.0, "euro"),
    ]


def test_a_currency_symbol_amount_conflicts_with_the_written_out_one() -> None:
    sources = [_source("S1", "Courier"), _source("S2", "Wire")]
    summaries = [
        _summary("S1", "The footbridge repair bill is put at 2.4 million pounds by the council."),
        _summary("S2", "The footbridge repair bill is put at £3.1m by the council."),
    ]
    (conflict,) = find_conflicts(summaries, sources)
    assert disputed_values([conflict]) == {(2.4, "million pound"), (3.1, "million pound")}


def test_same_quantity_in_different_sources_is_a_conflict() -> None:
    sources = [_source("S1", "Ledger"), _source("S2", "Post")]
    summaries = [
        _summary("S1", "The strike by the Harbour Union lasted eleven days."),
        _summary("S2", "The strike by the Harbour Union lasted nine days, the union said."),
    ]
    conflicts = find_conflicts(summaries, sources)
    assert len(conflicts) == 1
    assert conflicts[0].unit == "day"
    assert disputed_values(conflicts) == {(11.0, "day"), (9.0, "day")}
    text = describe(conflicts[0], "en", {"S1": "Ledger", "S2": "Post"})
    assert text.sources == ("S1", "S2")
    assert text.text == (
        "Sources disagree: S1 (Ledger) reports eleven days (“The strike by the Harbour Union "
        "lasted eleven days”), while S2 (Post) reports nine days (“The strike by the Harbour "
        "Union lasted nine days, the union said”)."
    )


def test_different_people_or_context_is_not_a_conflict() -> None:
    sources = [_source("S1", "A"), _source("S2", "B")]
    summaries = [
        _summary("S1", "Minister Qadir met Mayor Lund for three hours on Monday."),
        _summary("S2", "Minister Qadir met Governor Pell for six hours on Tuesday."),
        _summary("S1", "The ferry carried 300 passengers across the bay."),
    ]
    assert find_conflicts(summaries[:2], sources) == []


def test_a_duplicate_does_not_disagree_with_its_original_or_itself() -> None:
    sources = [_source("S1", "A"), _source("S2", "B", duplicate_of="S1")]
    summaries = [
        _summary("S1", "The strike by the Harbour Union lasted eleven days."),
        _summary("S2", "The strike by the Harbour Union lasted ten days."),
    ]
    assert find_conflicts(summaries, sources) == []


def test_disagreement_sentence_follows_the_brief_language() -> None:
    sources = [_source("S1", "A"), _source("S2", "B")]
    summaries = [
        _summary("S1", "La huelga del sindicato portuario duró 11 días."),
        _summary("S2", "La huelga del sindicato portuario duró 9 días."),
    ]
    (conflict,) = find_conflicts(summaries, sources)
    text = describe(conflict, "es", {"S1": "A", "S2": "B"}).text
    assert text.startswith("Las fuentes discrepan: S1 (A) indica 11 días («La huelga")
