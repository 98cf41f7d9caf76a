"""Which facts the map step copied in their article's language instead of the brief's: read
from the fact's words other than its names, which a translation keeps."""

import pytest

from service.translate import untranslated
from service.types import Article, Fact, Source

CASES = [
    # (article's language, article, the brief's language, fact, copied?)
    (
        "en",
        "Tomás Ibarguren of Equipo Cordillera won the Vuelta a Montearda on Sunday.",
        "es",
        "Tomás Ibarguren de Equipo Cordillera ganó la Vuelta a Montearda.",
        False,  # names and one Spanish verb: a translation
    ),
    (
        "en",
        "Tomás Ibarguren of Equipo Cordillera won the Vuelta a Montearda on Sunday.",
        "es",
        "Tomás Ibarguren of Equipo Cordillera won the Vuelta a Montearda.",
        True,
    ),
    (
        "de",
        "Bürgermeisterin Renate Obermaier schätzt den Schaden auf 8,7 Millionen Euro.",
        "en",
        "Bürgermeisterin Renate Obermaier schätzt den Schaden auf 8,7 Millionen Euro.",
        True,  # German nouns are capitalised, not names: the copy is seen
    ),
    (
        "de",
        "Bürgermeisterin Renate Obermaier schätzt den Schaden auf 8,7 Millionen Euro.",
        "en",
        "Mayor Renate Obermaier estimates the damage at 8.7 million euros.",
        False,
    ),
    (
        "fr",
        "Le maire de Felsbrunnen, Aurélien Morand, a parlé d'un choc pour toute la vallée.",
        "en",
        "Le maire de Felsbrunnen, Aurélien Morand, a parlé d'un choc pour toute la vallée.",
        True,
    ),
    (
        "fr",
        "Le maire de Felsbrunnen, Aurélien Morand, a parlé d'un choc pour toute la vallée.",
        "en",
        "Felsbrunnen's mayor, Aurélien Morand, spoke of a shock for the whole valley.",
        False,
    ),
]


@pytest.mark.parametrize(("article_language", "text", "language", "fact", "copied"), CASES)
def test_a_fact_is_a_copy_by_its_words_not_its_names(
    article_language: str, text: str, language: str, fact: str, copied: bool
) -> None:
    source = Source("S1", Article("Headline", "Outlet", text), text, article_language)
    assert untranslated(Fact("S1.F1", "S1", fact), source, language) is copied
