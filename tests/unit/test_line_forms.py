"""Unit tests for service.line_forms: the forms that mark a page line as furniture, read in the
line's own language, and the lines of those languages that look alike but are article text."""

from __future__ import annotations

from datetime import datetime

import pytest

from service.line_forms import form, line_date, table_rows

FURNITURE = [
    # (language, line, form)
    ("en", "Sunday 18 May 2025 23:48 BST", "date_line"),
    ("en", "Thursday 13 March 2025 07:12 GMT · Last modified 09:40 GMT", "date_line"),
    ("de", "20.09.2025, 18:32 Uhr | Lesezeit: 4 Min.", "date_line"),
    ("fr", "Modifié le 05/11/2025 à 18:02", "date_line"),
    ("es", "Actualizado: 19/05/2025 00:41h.", "date_line"),
    ("it", "12 settembre 2025", "date_line"),
    ("pl", "Opublikowano: 20.10.2025, 08:15 · Aktualizacja: 20.10.2025, 11:02", "date_line"),
    ("en", "The new span at dawn. Photograph: Ian Corrie/The Courier", "picture_credit"),
    ("de", "Helfer füllen Sandsäcke am Bauhof. Foto: Tagblatt/Rainer Fuchs", "picture_credit"),
    ("fr", "Un bombardier d'eau au-dessus du massif. © Inès Sadoun", "picture_credit"),
    ("es", "La vitrina vacía de la sala. Foto: archivo", "picture_credit"),
    ("it", "I massi caduti sulla strada (foto Sandro Mureddu)", "picture_credit"),
    ("pl", "Strażacy na wale przy ul. Nadrzecznej. Fot. Kamil Szymanek", "picture_credit"),
    ("en", "By Amira Haddad, Business Reporter", "byline"),
    ("de", "Von Jana Wellbrock", "byline"),
    ("fr", "Par Claire Vidalenc (avec Francopresse)", "byline"),
    ("es", "Por Marta Ibarguren | Almenar", "byline"),
    ("it", "di Paolo Ferrandi", "byline"),
    ("pl", "Autor: Kamil Szymanek", "byline"),
    ("en", "Video: the manager's press conference (4:12)", "video_teaser"),
    ("de", "Video: Drohnenflug über das Tal (1:48)", "video_teaser"),
    ("en", "Hear this story read aloud (2 min)", "video_teaser"),
    ("fr", "Écouter · 2 min 40", "video_teaser"),
    ("en", "▶ Video 2:14 | Our reporter at the bus station", "video_teaser"),
    ("en", "Newsletter: The Grid — our weekly guide to the energy industry", "promotion"),
    ("es", "Recibe el boletín de la mañana en tu correo", "promotion"),
    ("nl", "Schrijf je in voor onze nieuwsbrief", "promotion"),
    ("en", "Photo: A nurse prepares a dose at one of the trial clinics", "picture_credit"),
    ("fr", "Temps de lecture : 3 min", "video_teaser"),  # a reading time after its label
    ("pl", "© Kurier Sp. z o.o. Wszelkie prawa zastrzeżone.", "notice"),
    ("pl", "Oceń artykuł: ★★★★★ (23 głosy)", "notice"),
    ("en", "News · Sport · Business · Opinion · Puzzles", "separated_items"),
    ("pl", "Strona główna » Region » Lipowiec Dolny", "separated_items"),
    ("it", "Condividi: Facebook · X · WhatsApp · Email", "separated_items"),
]

ARTICLE_LINES = [
    # (language, line): article text that shares a feature with furniture
    ("en", "By Friday, the river had fallen below the warning mark."),  # "By" opens a clause
    ("de", "Von Montag an gilt die Sperre für Lastwagen."),
    ("es", "Por la tarde, los bomberos dieron por controlado el fuego."),
    ("it", "Di Maio risponde alle critiche dei sindacati"),  # a name, then a clause
    ("en", "Updated 14:05: cyclists may cross again."),  # an update is news
    ("de", "14:05 Uhr: Die Brücke ist wieder für Radfahrer offen."),  # a live post
    ("fr", "Le feu a été fixé vers 18h30, mardi, après six heures de lutte."),
    ("en", "30 minutes before bed"),  # a duration, no date
    ("en", "16:40"),  # a live post's time stamp
    ("en", "Lohn | 9,5 % | 4,0 %"),  # a table's row, even alone
    ("pl", "Etap 1 | od marca do maja | 600 tys. euro"),
    ("en", "- 12 March 2025: the strike began"),  # a list item of a timeline
    ("en", "The photo shows the bridge before the flood."),
    ("fr", "MONTBRAC (AFP) –"),  # a dateline
    ("en", "The podcast's host said the council had not replied."),  # a sentence about one
    ("en", "The app crashed twice on Monday"),  # news is often about an app
    ("en", "Kick-off: 20:30"),  # a time after a label is no running time
    ("en", "The match lasted 90 min."),
    ("en", "Photographers waited outside the court: none was let in."),
]


@pytest.mark.parametrize(("language", "line", "expected"), FURNITURE)
def test_furniture_has_its_form(language: str, line: str, expected: str) -> None:
    assert form(line, language, outside_body=True) == expected


@pytest.mark.parametrize(("language", "line"), ARTICLE_LINES)
def test_article_lines_have_no_furniture_form(language: str, line: str) -> None:
    assert form(line, language, outside_body=True) == ""


def test_a_dated_line_inside_the_body_is_no_date_line() -> None:
    assert form("12 settembre 2025", "it", outside_body=False) == ""


@pytest.mark.parametrize(
    ("language", "line", "day"),
    [
        ("en", "Sunday 18 May 2025 23:48 BST", datetime(2025, 5, 18, 23, 48)),
        ("fr", "Modifié le 05/11/2025 à 18:02", datetime(2025, 11, 5, 18, 2)),  # day first
        ("de", "20.09.2025, 18:32 Uhr | Lesezeit: 4 Min.", datetime(2025, 9, 20, 18, 32)),
        ("es", "18 may. 2025 · 23:59", datetime(2025, 5, 18, 23, 59)),
        ("pl", "20 września 2025, 19:05 · Czas czytania: 3 min", datetime(2025, 9, 20, 19, 5)),
    ],
)
def test_a_date_line_gives_its_date(language: str, line: str, day: datetime) -> None:
    assert line_date(line, language) == day


def test_rows_in_a_run_are_a_table_and_a_lone_menu_is_not() -> None:
    lines = [
        "Home | News | Sport",
        "Prose of the article, long enough to be prose.",
        "Span | Length | Timber",
        "North span | 14 m | oak",
        "South span | 12 m | larch",
    ]
    assert table_rows(lines) == {2, 3, 4}
