"""Quantities and deterministic conflict detection."""

from service.claims import disagreements, group_claims
from service.conflicts import describe, disputed_values, find_conflicts
from service.language import worded_languages
from service.prompts import phrases
from service.textutil import quantities
from service.types import Article, ArticleSummary, Conflict, Fact, Source


def _source(sid: str, outlet: str, duplicate_of: str | None = None) -> Source:
    article = Article(title=f"title {sid}", source=outlet, text="text")
    return Source(sid=sid, article=article, text="text", language="en", duplicate_of=duplicate_of)


def _summary(sid: str, *texts: str) -> ArticleSummary:
    facts = tuple(Fact(f"{sid}.F{i}", sid, t) for i, t in enumerate(texts, start=1))
    return ArticleSummary(sid=sid, facts=facts)


def test_quantities_read_digits_words_and_percentages() -> None:
    found = {
        (q.value, q.unit)
        for q in quantities("It lasted nine days, cost 4.5% and 1,200 jobs.", "en")
    }
    assert found == {(9.0, "day"), (4.5, "percent"), (1200.0, "job")}
    (money,) = quantities("The repairs cost 12.4 million euros.", "en")
    assert (money.value, money.unit, money.text) == (12.4, "million euro", "12.4 million euros")
    assert quantities("Signed at 11:40 pm.", "en") == []  # a clock time is not a quantity


def test_amounts_written_with_a_currency_symbol_match_amounts_written_out() -> None:
    written_out = {(q.value, q.unit) for q in quantities("a bill of 3.1 million pounds", "en")}
    for text in ("a bill of £3.1m", "a bill of £3.1 million", "a bill of £ 3.1m."):
        assert {(q.value, q.unit) for q in quantities(text, "en")} == written_out, text
    assert [(q.value, q.unit) for q in quantities("$2bn for 3 ships, then €450", "en")] == [
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
    (conflict,) = find_conflicts(summaries, sources, "en")
    assert disputed_values([conflict], "en").figures == {
        (2.4, "million pound"),
        (3.1, "million pound"),
    }


def test_same_quantity_in_different_sources_is_a_conflict() -> None:
    sources = [_source("S1", "Ledger"), _source("S2", "Post")]
    summaries = [
        _summary("S1", "The strike by the Harbour Union lasted eleven days."),
        _summary("S2", "The strike by the Harbour Union lasted nine days, the union said."),
    ]
    conflicts = find_conflicts(summaries, sources, "en")
    assert len(conflicts) == 1
    assert conflicts[0].unit == "day"
    assert disputed_values(conflicts, "en").figures == {(11.0, "day"), (9.0, "day")}
    text = describe(conflicts[0], "en", {"S1": "S1 (Ledger)", "S2": "S2 (Post)"})
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
    assert find_conflicts(summaries[:2], sources, "en") == []


def test_a_duplicate_does_not_disagree_with_its_original_or_itself() -> None:
    sources = [_source("S1", "A"), _source("S2", "B", duplicate_of="S1")]
    summaries = [
        _summary("S1", "The strike by the Harbour Union lasted eleven days."),
        _summary("S2", "The strike by the Harbour Union lasted ten days."),
    ]
    assert find_conflicts(summaries, sources, "en") == []


def test_disagreement_sentence_follows_the_brief_language() -> None:
    sources = [_source("S1", "A"), _source("S2", "B")]
    summaries = [
        _summary("S1", "La huelga del sindicato portuario duró 11 días."),
        _summary("S2", "La huelga del sindicato portuario duró 9 días."),
    ]
    (conflict,) = find_conflicts(summaries, sources, "en")
    text = describe(conflict, "es", {"S1": "S1 (A)", "S2": "S2 (B)"}).text
    assert text.startswith("Las fuentes discrepan: S1 (A) indica 11 días («La huelga")


def test_every_language_with_word_lists_writes_its_disagreements_in_its_own_words() -> None:
    # A brief in Italian, Portuguese, Dutch or Polish must not report a disagreement in English.
    english = phrases("en")
    for language in sorted(worded_languages()):
        template = phrases(language)
        assert set(template) == set(english), language
        if language != "en":
            assert template["sentence"] != english["sentence"], language
        facts = (
            Fact("S1.F1", "S1", "It lasted 11 days."),
            Fact("S2.F1", "S2", "It lasted 9 days."),
        )
        conflict = Conflict("day", facts, ("11 days", "9 days"))
        text = describe(conflict, language, {"S1": "S1 (A)", "S2": "S2 (B)"}).text
        assert "S1 (A)" in text and "S2 (B)" in text and "11 days" in text, language


def _pair(a: str, b: str) -> list[set[str]]:
    sources = [_source("S1", "A"), _source("S2", "B")]
    conflicts = find_conflicts([_summary("S1", a), _summary("S2", b)], sources, "en")
    return [{f.text for f in c.facts} for c in conflicts]


def test_one_measure_given_by_two_different_people_is_a_conflict() -> None:
    a = "Dr Amara Velt of Osric College said the drug was 64% effective at preventing relapse."
    b = (
        "Analyst Joss Perrin said after reading the trial data the drug was 59% effective at "
        "preventing relapse in adults."
    )
    assert _pair(a, b) == [{a, b}]


def test_a_possessive_or_another_word_form_is_the_same_context() -> None:
    a = "Mr Hensley won by 1,204 votes."
    b = "According to the returning officer, Mr Hensley's margin of victory was 1,150 votes."
    assert _pair(a, b) == [{a, b}]
    a = "The tribunal has fined Orrin Rail £2.6 million for safety breaches at Pell yard."
    b = "The tribunal heard that Orrin Rail must pay a fine of £1.9 million plus costs."
    assert _pair(a, b) == [{a, b}]


def test_a_name_opening_one_fact_is_not_a_name_the_other_lacks() -> None:
    a = "Orrin Rail was fined £2.6 million for safety breaches at the Pell yard."
    b = "The tribunal fined Orrin Rail £1.9 million and awarded costs."
    assert _pair(a, b) == [{a, b}]


def test_a_fact_stating_both_figures_agrees_on_the_one_they_share() -> None:
    a = "The tunnel cost 530 million euros, well above the estimate of 310 million euros."
    b = "The estimate given when the tunnel was approved was 310 million euros."
    c = "The final cost of 530 million euros is 220 million euros above the estimate."
    assert _pair(a, b) == [] and _pair(a, c) == []


def test_an_age_is_not_a_span_of_years() -> None:
    (age,) = quantities("a 31-year-old goalkeeper", "en")
    assert (age.value, age.unit, age.text) == (31.0, "year old", "31-year-old")
    assert quantities("she is 31 years old", "en")[0].unit == "year old"
    assert (
        _pair("Kerr, a 31-year-old goalkeeper, joined Ashby.", "Kerr signed a four-year deal.")
        == []
    )


def test_two_figures_in_one_fact_can_still_disagree_with_the_other_sources() -> None:
    a = "The bridge cost 30 million euros and the tunnel 50 million euros."
    b = "The bridge cost 30 million euros and the tunnel 45 million euros."
    assert _pair(a, b) == [{a, b}]


def test_a_source_giving_its_figure_in_two_facts_is_one_side() -> None:
    sources = [_source("S1", "Ledger"), _source("S2", "Post")]
    summaries = [
        _summary("S1", "The strike by the Harbour Union lasted eleven days."),
        _summary("S2", "The strike by the Harbour Union lasted nine days."),
        _summary("S2", "According to the union, the Harbour Union strike lasted nine days."),
    ]
    (conflict,) = find_conflicts(summaries, sources, "en")
    assert len(conflict.facts) == 3
    text = describe(conflict, "en", {"S1": "S1 (Ledger)", "S2": "S2 (Post)"}).text
    assert text.count("S2 (Post) reports nine days") == 1


def test_one_count_worded_with_other_verbs_and_nouns_is_one_disagreement() -> None:
    """ "450 staff lose their jobs" and "laying off 400 workers" share no unit and few words: the
    two counts are paired by meaning (each the other's nearest counting fact), so the brief
    reports a disagreement instead of stating two facts."""
    summaries = [
        _summary(
            "S1",
            "450 staff will lose their jobs at Harwick Mill when it closes.",
            "The mill opened in 1921 and employed 2,000 people at its peak.",
        ),
        _summary(
            "S2", "Harwick Mill is laying off 400 workers as it shuts.", "The town has 12 schools."
        ),
    ]
    conflicts = find_conflicts(summaries, [_source("S1", "A"), _source("S2", "B")], "en")
    assert [sorted(c.values) for c in conflicts] == [["400 workers", "450 staff"]]


def test_counts_of_different_things_are_not_paired_by_meaning() -> None:
    summaries = [
        _summary("S1", "Harwick Mill will close in March, with 450 staff losing their jobs."),
        _summary("S2", "The mill's new owner plans to build 400 homes on the site."),
    ]
    assert find_conflicts(summaries, [_source("S1", "A"), _source("S2", "B")], "en") == []


def test_a_count_with_no_unit_that_ends_its_sentence_is_paired_like_a_count() -> None:
    """ "The toll rose to nineteen." names what it counts before the number: a count; an age
    between commas is not."""
    fact_a = "Seventeen people were hurt when the roof of the Hallam depot collapsed."
    fact_b = "The number of people hurt in the Hallam depot collapse rose to nineteen."
    assert [
        c.values
        for c in find_conflicts(
            [_summary("S1", fact_a), _summary("S2", fact_b)],
            [_source("S1", "A"), _source("S2", "B")],
            "en",
        )
    ] == [("Seventeen people", "nineteen")]
    age = "Rinaldi, 24, joined the club from Valsierra."
    other_age = "Rinaldi, 21, is the youngest player in the squad."
    assert _pair(age, other_age) == []


def test_counts_of_one_value_agree_whatever_their_nouns() -> None:
    a = "23 people have fallen ill after eating at the Penmor bakery."
    b = "The outbreak at the Penmor bakery has sickened 23 customers."
    assert _pair(a, b) == []


def test_one_fact_pair_can_disagree_on_a_count_and_on_a_date() -> None:
    """Two disagreements on one pair of facts, one on each kind: how many, and when."""
    summaries = [
        _summary("S1", "A blast at the Corlan plant on 3 March injured 17 workers."),
        _summary("S2", "Nineteen workers were injured in the Corlan plant blast on 4 March."),
    ]
    sources = [_source("S1", "A"), _source("S2", "B")]
    claims = group_claims(summaries, sources, "en")
    _, conflicts = disagreements(claims, summaries, sources, "en")
    assert sorted(c.values for c in conflicts) == [
        ("17 workers", "Nineteen workers"),
        ("3 March", "4 March"),
    ]
    assert {c.unit for c in conflicts} >= {"when"}


def test_figures_of_different_periods_are_two_quantities() -> None:
    """Last year's rise and this year's, or two years' losses, are not one disputed figure; two
    facts that both speak of the past year can still disagree."""
    this_year = "Bus fares in Dunmore will rise by 6.5% from April."
    last_year = "The transit board raised bus fares in Dunmore by 4.9 per cent last year."
    assert _pair(this_year, last_year) == []
    loss = "Harlen Mills made a loss of £6.2 million in the year to June 2026."
    earlier = "Harlen Mills lost £5.8 million in the year to June 2025."
    assert _pair(loss, earlier) == []
    assert (
        _pair(
            "Some 412,000 cruise passengers came ashore at Port Amsel last year.",
            "In the past year, about 450,000 cruise passengers visited Port Amsel.",
        )
        != []
    )


def _italian(sid: str, text: str) -> Source:
    article = Article(title="La fusione", source="Corriere", text=text, language="it")
    return Source(sid=sid, article=article, text=text, language="it")


ITALIAN = (
    "Con la fusione saranno tagliati milleduecento posti di lavoro nei prossimi tre anni. "
    "L'accordo sarà firmato il 3 marzo."
)


def test_a_fact_left_in_its_articles_language_is_read_in_that_language() -> None:
    """The map step copied an Italian sentence instead of translating it: its figures are
    Italian words ("milleduecento" is 1,200), read in Italian, not in the brief's English."""
    sources = [_source("S1", "Wire"), _italian("S2", ITALIAN)]
    summaries = [
        _summary(
            "S1",
            "The combined group will cut 900 jobs over the next three years.",
            "The agreement will be signed on 3 March.",
        ),
        _summary("S2", *ITALIAN.replace(". ", ".|").split("|")),
    ]
    found = find_conflicts(summaries, sources, "en")
    assert [(c.values, tuple(f.sid for f in c.facts)) for c in found] == [
        (("900 jobs", "1,200 (milleduecento posti)"), ("S1", "S2"))
    ]  # and 3 March is il 3 marzo: one date
