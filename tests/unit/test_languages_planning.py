"""One bundle and its German, French, Spanish and Italian translations: the planning stages read
the same numbers, dates and names in each, find the same disagreement and mark no source an
opinion piece (issue 24: a language is read as itself, never as English)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from service.claims import plan_brief
from service.conflicts import find_conflicts
from service.language import profile
from service.textutil import features
from service.timeline import event_date, source_dates
from service.types import Article, ArticleSummary, Fact, Source
from service.voice import opinion_piece


@dataclass(frozen=True)
class Story:
    """One source of the bundle in one language: its headline, its facts, its "when"."""

    title: str
    facts: tuple[str, ...]
    when: str


# Three reports of one flood: S1 and S2 disagree on the homes damaged (120 / 150); each names
# people (Anna Berger, Tomas Kerr) and a place (Dunmore), and gives a day ("Tuesday",
# "yesterday"), a sum, counts and measures in digits and in words.
BUNDLES: dict[str, tuple[Story, Story, Story]] = {
    "en": (
        Story(
            "Floods in Dunmore",
            (
                "Floods damaged 120 homes in Dunmore on Tuesday, the mayor, Anna Berger, said.",
                "The council will spend 2.5 million euros on repairs.",
                "The bridge will stay closed for nine days, the engineer Tomas Kerr said.",
            ),
            "Tuesday",
        ),
        Story(
            "Dunmore counts the damage",
            (
                "Floods damaged 150 homes in Dunmore on Tuesday, the council said.",
                "The engineer Tomas Kerr said the bridge would stay closed for nine days.",
                "About 300 residents spent the night in the sports hall.",
            ),
            "Tuesday",
        ),
        Story(
            "Volunteers fill sandbags",
            (
                "The mayor, Anna Berger, thanked 40 volunteers who filled sandbags yesterday.",
                "The river rose by three metres within six hours.",
            ),
            "yesterday",
        ),
    ),
    "de": (
        Story(
            "Hochwasser in Dunmore",
            (
                "Das Hochwasser beschädigte am Dienstag 120 Häuser in Dunmore, sagte die "
                "Bürgermeisterin Anna Berger.",
                "Die Stadt will 2,5 Millionen Euro für Reparaturen ausgeben.",
                "Die Brücke bleibt neun Tage gesperrt, sagte der Ingenieur Tomas Kerr.",
            ),
            "Dienstag",
        ),
        Story(
            "Dunmore zählt die Schäden",
            (
                "Das Hochwasser beschädigte am Dienstag 150 Häuser in Dunmore, teilte der "
                "Stadtrat mit.",
                "Der Ingenieur Tomas Kerr sagte, die Brücke bleibe neun Tage gesperrt.",
                "Rund 300 Einwohner verbrachten die Nacht in der Sporthalle.",
            ),
            "Dienstag",
        ),
        Story(
            "Freiwillige füllen Sandsäcke",
            (
                "Bürgermeisterin Anna Berger dankte gestern den 40 Freiwilligen, die Sandsäcke "
                "füllten.",
                "Der Fluss stieg innerhalb von sechs Stunden um drei Meter.",
            ),
            "gestern",
        ),
    ),
    "fr": (
        Story(
            "Inondations à Dunmore",
            (
                "Les inondations ont endommagé 120 maisons à Dunmore mardi, a déclaré la maire, "
                "Anna Berger.",
                "La commune dépensera 2,5 millions d'euros pour les réparations.",
                "Le pont restera fermé pendant neuf jours, a déclaré l'ingénieur Tomas Kerr.",
            ),
            "mardi",
        ),
        Story(
            "Dunmore fait le bilan",
            (
                "Les inondations ont endommagé 150 maisons à Dunmore mardi, a indiqué le conseil "
                "municipal.",
                "L'ingénieur Tomas Kerr a déclaré que le pont resterait fermé pendant neuf jours.",
                "Environ 300 habitants ont passé la nuit dans la salle de sport.",
            ),
            "mardi",
        ),
        Story(
            "Des bénévoles remplissent des sacs de sable",
            (
                "La maire, Anna Berger, a remercié hier les 40 bénévoles qui ont rempli des sacs "
                "de sable.",
                "La rivière est montée de trois mètres en six heures.",
            ),
            "hier",
        ),
    ),
    "es": (
        Story(
            "Inundaciones en Dunmore",
            (
                "Las inundaciones dañaron 120 viviendas en Dunmore el martes, según la "
                "alcaldesa, Anna Berger.",
                "El ayuntamiento gastará 2,5 millones de euros en reparaciones.",
                "El puente seguirá cerrado durante nueve días, dijo el ingeniero Tomas Kerr.",
            ),
            "martes",
        ),
        Story(
            "Dunmore hace balance de los daños",
            (
                "Las inundaciones dañaron 150 viviendas en Dunmore el martes, informó el "
                "ayuntamiento.",
                "El ingeniero Tomas Kerr dijo que el puente seguirá cerrado durante nueve días.",
                "Unos 300 vecinos pasaron la noche en el polideportivo.",
            ),
            "martes",
        ),
        Story(
            "Voluntarios llenan sacos de arena",
            (
                "La alcaldesa, Anna Berger, agradeció ayer a los 40 voluntarios que llenaron "
                "sacos de arena.",
                "El río subió tres metros en seis horas.",
            ),
            "ayer",
        ),
    ),
    "it": (
        Story(
            "Alluvione a Dunmore",
            (
                "L'alluvione ha danneggiato 120 abitazioni a Dunmore martedì, ha detto la "
                "sindaca, Anna Berger.",
                "Il comune spenderà 2,5 milioni di euro per le riparazioni.",
                "Il ponte resterà chiuso per nove giorni, ha detto l'ingegnere Tomas Kerr.",
            ),
            "martedì",
        ),
        Story(
            "Dunmore fa la conta dei danni",
            (
                "L'alluvione ha danneggiato 150 abitazioni a Dunmore martedì, ha reso noto il "
                "consiglio comunale.",
                "L'ingegnere Tomas Kerr ha detto che il ponte resterà chiuso per nove giorni.",
                "Circa 300 residenti hanno trascorso la notte nel palazzetto dello sport.",
            ),
            "martedì",
        ),
        Story(
            "Volontari riempiono sacchi di sabbia",
            (
                "La sindaca, Anna Berger, ha ringraziato ieri i 40 volontari che hanno riempito "
                "sacchi di sabbia.",
                "Il fiume è salito di tre metri in sei ore.",
            ),
            "ieri",
        ),
    ),
}
LANGUAGES = sorted(BUNDLES)

PUBLISHED = datetime(2026, 3, 5, 9, tzinfo=UTC)  # a Thursday
# What every translation must read as the English does.
NUMBERS = {
    "S1.F1": {120.0},
    "S1.F2": {2.5},
    "S1.F3": {9.0},
    "S2.F1": {150.0},
    "S2.F2": {9.0},
    "S2.F3": {300.0},
    "S3.F1": {40.0},
    "S3.F2": {3.0, 6.0},
}
NAMES = {
    "S1.F1": {"Dunmore", "Anna", "Berger"},
    "S1.F2": set(),
    "S1.F3": {"Tomas", "Kerr"},
    "S2.F1": {"Dunmore"},
    "S2.F2": {"Tomas", "Kerr"},
    "S2.F3": set(),
    "S3.F1": {"Anna", "Berger"},
    "S3.F2": set(),
}
DATES = {"S1": date(2026, 3, 3), "S2": date(2026, 3, 3), "S3": date(2026, 3, 4)}


def _bundle(language: str) -> tuple[list[Source], list[ArticleSummary]]:
    sources, summaries = [], []
    for n, story in enumerate(BUNDLES[language], start=1):
        sid = f"S{n}"
        text = " ".join(story.facts)
        article = Article(
            title=story.title, source=f"Outlet {n}", text=text, published_at=PUBLISHED
        )
        sources.append(Source(sid=sid, article=article, text=text, language=language))
        facts = tuple(Fact(f"{sid}.F{i}", sid, t) for i, t in enumerate(story.facts, start=1))
        summaries.append(ArticleSummary(sid=sid, facts=facts, when=story.when))
    return sources, summaries


def _facts(language: str) -> dict[str, str]:
    _, summaries = _bundle(language)
    return {f.fid: f.text for s in summaries for f in s.facts}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_numbers_are_read_in_every_language(language: str) -> None:
    for fid, text in _facts(language).items():
        found = features(text, language)
        assert set(found.numbers) == NUMBERS[fid], (fid, text)
        assert {value for value, _ in found.figures} == NUMBERS[fid], (fid, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_sum_is_read_in_every_language(language: str) -> None:
    (money,) = features(_facts(language)["S1.F2"], language).figures
    assert money == (2.5, "million euro")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_names_are_found_in_every_language(language: str) -> None:
    for fid, text in _facts(language).items():
        found = features(text, language)
        names = {n for n in found.names if not profile(language).calendar(n)}
        assert names == NAMES[fid], (fid, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_dates_are_read_in_every_language(language: str) -> None:
    sources, summaries = _bundle(language)
    for source, summary in zip(sources, summaries, strict=True):
        said = event_date(summary.when, PUBLISHED, language, source.document)
        assert said == DATES[source.sid], (source.sid, summary.when)
    assert source_dates(sources, summaries) == DATES
    weekday = features(BUNDLES[language][0].facts[0], language).calendar
    assert {profile(language).calendar(w) for w in weekday} == {frozenset({"day:1"})}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_disagreement_is_found_in_every_language(language: str) -> None:
    sources, summaries = _bundle(language)
    found = find_conflicts(summaries, sources, language)
    assert [sorted(f.fid for f in c.facts) for c in found] == [["S1.F1", "S2.F1"]]
    plan = plan_brief(summaries, sources, 6, language)
    assert [sorted(f.fid for f in c.facts) for c in plan.conflicts] == [["S1.F1", "S2.F1"]]
    (conflict,) = plan.conflicts
    assert {features(v, language).numbers for v in conflict.values} == {
        frozenset({120.0}),
        frozenset({150.0}),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_source_is_taken_for_an_opinion_piece(language: str) -> None:
    sources, _ = _bundle(language)
    assert not any(opinion_piece(s.text, language) for s in sources)
