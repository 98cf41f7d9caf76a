"""service.language: sentence splitter, stop words, stemmer and number words per language."""

import pytest

from service.language import base_language, profile, worded_languages
from service.textutil import (
    content_words,
    names,
    number_values,
    quantities,
    split_sentences,
    stopwords,
    whole_sentences,
)

SENTENCES = [
    (
        "en",
        "Dr. Smith arrived at 5 p.m. on Monday. He left at 6. Then the U.S. team won.",
        ["Dr. Smith arrived at 5 p.m. on Monday.", "He left at 6.", "Then the U.S. team won."],
    ),
    (
        "de",
        "Dr. Müller kam am 3. Oktober an. Er blieb bis 12 Uhr. Danach fuhr er z. B. nach Bonn.",
        [
            "Dr. Müller kam am 3. Oktober an.",
            "Er blieb bis 12 Uhr.",
            "Danach fuhr er z. B. nach Bonn.",
        ],
    ),
    (
        "fr",
        "M. Dupont est arrivé à 17 h. Il est reparti le lendemain. Le prix a baissé de 2,5 %.",
        [
            "M. Dupont est arrivé à 17 h.",
            "Il est reparti le lendemain.",
            "Le prix a baissé de 2,5 %.",
        ],
    ),
    (
        "es",
        "La Dra. García llegó a las 5. Vive en EE. UU., p. ej. en Ohio. ¿Volverá el martes?",
        [
            "La Dra. García llegó a las 5.",
            "Vive en EE. UU., p. ej. en Ohio.",
            "¿Volverá el martes?",
        ],
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), SENTENCES)
def test_sentences(language: str, text: str, expected: list[str]) -> None:
    assert profile(language).split_sentences(text) == expected
    assert split_sentences(text, language=language) == expected


# Abbreviations of real news that end no sentence: initials, dotted acronyms before a
# lower-case or a capitalised word, titles, "z. B.", "M.", "EE. UU.", "Sra.".
ABBREVIATIONS = [
    (
        "en",
        "President George W. Bush met the press on Monday. He left at noon.",
        ["President George W. Bush met the press on Monday.", "He left at noon."],
    ),
    (
        "en",
        "The fund holds 322 million U.S. dollars. It was set up in 2009.",
        ["The fund holds 322 million U.S. dollars.", "It was set up in 2009."],
    ),
    (
        "en",
        "Talks resumed after the U.N. vote on Friday. They failed again.",
        ["Talks resumed after the U.N. vote on Friday.", "They failed again."],
    ),
    (
        "en",
        "Former U.S. Vice President Al Gore spoke first. He praised the plan.",
        ["Former U.S. Vice President Al Gore spoke first.", "He praised the plan."],
    ),
    (
        "de",
        "Er nannte z. B. Berlin als Ziel. Dann reiste er ab.",
        ["Er nannte z. B. Berlin als Ziel.", "Dann reiste er ab."],
    ),
    (
        "fr",
        "M. Dupont a signé le contrat hier. Il repart lundi.",
        ["M. Dupont a signé le contrat hier.", "Il repart lundi."],
    ),
    (
        "es",
        "El ministro viajó a EE. UU. la semana pasada. Volvió el martes.",
        ["El ministro viajó a EE. UU. la semana pasada.", "Volvió el martes."],
    ),
    (
        "es",
        "La Sra. López habló ayer con la prensa. Luego se fue.",
        ["La Sra. López habló ayer con la prensa.", "Luego se fue."],
    ),
    (
        "en",
        "Dr. Alan Reyes led the U.S. team. It found nothing.",
        ["Dr. Alan Reyes led the U.S. team.", "It found nothing."],
    ),
    (  # a month's abbreviation before its day
        "en",
        "The law took effect on Jan. 5 in the capital. It was repealed in 2012.",
        ["The law took effect on Jan. 5 in the capital.", "It was repealed in 2012."],
    ),
    (
        "de",
        "Dr. Weber leitete die Sitzung. Sie dauerte zwei Stunden.",
        ["Dr. Weber leitete die Sitzung.", "Sie dauerte zwei Stunden."],
    ),
    (  # a number's abbreviation before its figure
        "de",
        "Der Zug Nr. 112 blieb im Tunnel stehen. Niemand wurde verletzt.",
        ["Der Zug Nr. 112 blieb im Tunnel stehen.", "Niemand wurde verletzt."],
    ),
    (
        "fr",
        "Mme Lefèvre a quitté la réunion avec M. Dupont. Elle est rentrée à Lyon.",
        ["Mme Lefèvre a quitté la réunion avec M. Dupont.", "Elle est rentrée à Lyon."],
    ),
    (
        "es",
        "El Sr. Pérez viajó a EE. UU. el lunes. Volvió ayer.",
        ["El Sr. Pérez viajó a EE. UU. el lunes.", "Volvió ayer."],
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), ABBREVIATIONS)
def test_abbreviations_end_no_sentence(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language=language) == expected
    # The map step's facts and verbatim sentences, split without a language: the pieces an
    # abbreviation cut off are joined back.
    assert whole_sentences(text) == expected


def test_a_piece_with_no_lower_case_word_is_no_sentence_of_its_own() -> None:
    text = "The relay began at 1:00 p.m. PDT (UTC-7). It was the only stop.\nBackground\nMore."
    assert split_sentences(text)[:2] == ["The relay began at 1:00 p.m.", "PDT (UTC-7)."]
    assert whole_sentences(text) == [
        "The relay began at 1:00 p.m. PDT (UTC-7).",
        "It was the only stop.",
        "Background",
        "More.",
    ]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_a_line_break_ends_a_sentence(language: str) -> None:
    assert profile(language).split_sentences("Erste Zeile\nSecond line.\n\n") == [
        "Erste Zeile",
        "Second line.",
    ]


STOPWORDS = [
    ("en", ["the", "and", "which", "The"], ["harbour", "strike"]),
    ("de", ["der", "und", "nicht", "Die"], ["hafen", "streik"]),
    ("fr", ["le", "et", "dans", "Les"], ["port", "grève"]),
    ("es", ["el", "y", "para", "Los"], ["puerto", "huelga"]),
]


@pytest.mark.parametrize(("language", "stop", "content"), STOPWORDS)
def test_stopwords(language: str, stop: list[str], content: list[str]) -> None:
    lang = profile(language)
    assert all(lang.is_stopword(word) for word in stop)
    assert not any(lang.is_stopword(word) for word in content)
    assert {word.casefold() for word in stop} <= stopwords(language)


STEMS = [
    ("en", ["strikes", "striking", "strike"], "strike"),
    ("de", ["Häfen", "Hafens", "hafen"], "haf"),
    ("fr", ["grèves", "grève"], "grev"),
    ("es", ["huelgas", "huelga"], "huelg"),
]


@pytest.mark.parametrize(("language", "forms", "stem"), STEMS)
def test_stems(language: str, forms: list[str], stem: str) -> None:
    assert {profile(language).stem(word) for word in forms} == {stem}


NUMBERS = [
    ("en", {"three": 3, "twenty-three": 23, "one hundred": 100, "thousand": 1000}, "strike"),
    ("de", {"drei": 3, "dreiundzwanzig": 23, "hundert": 100, "zwölf": 12}, "Streik"),
    ("fr", {"trois": 3, "vingt-trois": 23, "cent": 100, "douze": 12}, "grève"),
    ("es", {"tres": 3, "veintitrés": 23, "cien": 100, "doce": 12}, "huelga"),
]


@pytest.mark.parametrize(("language", "values", "word"), NUMBERS)
def test_number_words(language: str, values: dict[str, int], word: str) -> None:
    lang = profile(language)
    assert {text: lang.number_value(text) for text in values} == values
    assert lang.number_value(word) is None
    assert lang.number_value("12") is None  # digits are not words


DIGITS = [
    ("en", "twenty-three ships and one crew", "23 ships and one crew"),
    ("de", "dreiundzwanzig Schiffe", "23 Schiffe"),
    ("fr", "vingt-trois navires", "23 navires"),
    ("es", "veintitrés barcos", "23 barcos"),
]


@pytest.mark.parametrize(("language", "text", "expected"), DIGITS)
def test_digits(language: str, text: str, expected: str) -> None:
    assert profile(language).digits(text) == expected


# --------------------------------------------------------------------------------------------
# Codes and fallbacks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "base"), [("de-AT", "de"), ("PT_br", "pt"), (" EN ", "en"), (None, ""), ("", "")]
)
def test_base_language(tag: str | None, base: str) -> None:
    assert base_language(tag) == base
    assert profile(tag).code == base


def test_an_unknown_language_falls_back_gracefully() -> None:
    lang = profile("xx")
    assert lang.split_sentences("One here. Two there! Three?") == [
        "One here.",
        "Two there!",
        "Three?",
    ]
    assert not lang.is_stopword("the")
    assert lang.stem("Running") == "running"
    assert lang.number_value("three") is None
    assert lang.digits("three ships") == "three ships"


def test_a_language_with_some_libraries_gets_what_they_have() -> None:
    swedish = profile("sv")  # stop words and a stemmer; no pysbd, no text2num
    assert swedish.sentence_splitter == "generic" and swedish.stemmer == "swedish"
    assert swedish.is_stopword("och") and swedish.number_value("tre") is None


# --------------------------------------------------------------------------------------------
# textutil: the language is optional, and without it nothing changes
# --------------------------------------------------------------------------------------------


def test_textutil_without_a_language_is_unchanged() -> None:
    text = "Dr. Smith arrived. He left."
    assert split_sentences(text) == ["Dr.", "Smith arrived.", "He left."]  # the old splitter
    assert "said" in stopwords() and "der" in stopwords()  # the old mixed list
    assert content_words("The harbour strike ended, der Streik") == {
        "harbour",
        "strike",
        "ended",
        "streik",
    }


def test_textutil_with_a_language_uses_its_profile() -> None:
    assert content_words("Der Streik im Hafen ist vorbei", language="de") == {
        "streik",
        "hafen",
        "vorbei",
    }
    assert content_words("La huelga en el puerto terminó", language="es") == {
        "huelga",
        "puerto",
        "terminó",
    }


def test_a_decimal_comma_is_read_as_the_decimal_point_it_stands_for() -> None:
    assert [(q.value, q.unit) for q in quantities("una subida salarial del 7,5 %", "es")] == [
        (7.5, "percent")
    ]
    assert [q.value for q in quantities("rund 1,8 Millionen Euro", "de")] == [1.8]
    assert [q.value for q in quantities("1,800 jobs and 12,000 homes", "en")] == [1800, 12000]


@pytest.mark.parametrize(
    ("language", "text", "values"),
    [
        ("de", "1.650 Einwohner wurden evakuiert", [1650]),
        ("es", "12.500 personas y 2.400.000 euros", [12500, 2400000]),
        ("de", "1.234,5 Tonnen", [1234.5]),
        ("en", "a yield of 2.375% and 0.125 mm of rain", [2.375, 0.125]),
        ("en", "rose 1.5 percent to 3.14159", [1.5, 3.14159]),
    ],
)
def test_a_thousands_dot_is_read_as_the_separator_it_is(
    language: str, text: str, values: list[float]
) -> None:
    assert [q.value for q in quantities(text, language)] == values


@pytest.mark.parametrize(
    ("language", "text", "keys"),
    [
        ("en", "since Wednesday, 3 March", {"day:2", "month:3"}),
        ("de", "seit Mittwoch, 3. März", {"day:2", "month:3"}),
        ("es", "desde el miércoles 3 de marzo", {"day:2", "month:3"}),
        ("fr", "depuis mercredi 3 mars", {"day:2", "month:3"}),
        ("en", "the fire may spread in May", {"month:5"}),  # a modal verb is no month
        ("xx", "Wednesday", set()),  # a language CLDR does not know names none
    ],
)
def test_weekdays_and_months_are_one_key_in_every_language(
    language: str, text: str, keys: set[str]
) -> None:
    assert profile(language).calendar(text) == keys


@pytest.mark.parametrize("language", sorted(worded_languages()))
def test_the_number_words_are_the_numbers_text2num_reads(language: str) -> None:
    lang = profile(language)
    values = lang.values("number_words")
    assert values, language
    if lang.numbers:  # text2num knows the language (not Polish)
        for word, value in values.items():
            assert value == 12 or lang.number_value(word) == value, word


def test_a_capital_in_german_marks_a_name_only_where_the_tagger_says_so() -> None:
    text = "Gestern sagte die Bürgermeisterin Anna Berger, die Brücke in Dunmore bleibe gesperrt."
    assert names(text, "de") == {"Anna", "Berger", "Dunmore"}
    assert names("The mayor, Anna Berger, said Dunmore would wait.", "en") == {
        "Anna",
        "Berger",
        "Dunmore",
    }


@pytest.mark.parametrize(
    ("language", "text", "figure"),
    [
        ("en", "Fifty-eight per cent of voters said yes.", (58, "percent")),
        ("en", "Twenty-three people were hurt.", (23, "people")),
        ("en", "Two hundred people were evacuated.", (200, "people")),
        ("en", "One hundred and twenty homes were flooded.", (120, "home")),
        ("fr", "Vingt-huit personnes ont été blessées.", (28, "personne")),
        ("fr", "Le chantier durera quatre-vingt jours.", (80, "jour")),
        ("de", "Dreiundzwanzig Menschen wurden verletzt.", (23, "menschen")),
        ("de", "Sechzig Häuser stehen unter Wasser.", (60, "häuser")),
        ("it", "Ventotto persone sono rimaste ferite.", (28, "persone")),
        ("es", "Treinta y dos personas resultaron heridas.", (32, "persona")),
        ("es", "Hubo veintitrés heridos.", (23, "herido")),
        ("pt", "Trinta e dois mortos foram confirmados.", (32, "morto")),
        ("pl", "Rannych zostało dwadzieścia trzy osoby.", (23, "osoby")),
        ("nl", "Drieëntwintig mensen raakten gewond.", (23, "mensen")),
    ],
)
def test_numbers_written_in_words_are_one_number(
    language: str, text: str, figure: tuple[float, str]
) -> None:
    """Joined by hyphens, by the language's joining word, by a space where text2num reads the
    whole, or in one word. Read as "fifty" with a unit "eight", the share was no share, and no
    other source's 61 per cent could be seen to differ from it; "two hundred people" was 2."""
    assert [(q.value, q.unit) for q in quantities(text, language)] == [figure]


@pytest.mark.parametrize(
    ("language", "text", "not_read"),
    [
        ("en", "The water rose between two and three metres.", 5),  # two numbers, not their sum
        ("pl", "Most zamknięto na dwa lub trzy dni.", 5),
        ("es", "Cientos de personas salieron a la calle.", 100),  # many, not a hundred
        ("en", "Thousands of people marched.", 1000),
    ],
)
def test_two_numbers_side_by_side_or_a_scales_plural_are_not_one_number(
    language: str, text: str, not_read: float
) -> None:
    assert not_read not in number_values(text, language)


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("en", 1200, "1,200"),
        ("de", 1200, "1.200"),
        ("it", 1.85, "1,85"),
        ("pl", 1200, "1\xa0200"),
        ("xx", 1200, "1200"),  # a language CLDR does not know: plain digits
    ],
)
def test_a_number_is_written_in_a_languages_digits(
    language: str, value: float, written: str
) -> None:
    assert profile(language).written(value) == written
