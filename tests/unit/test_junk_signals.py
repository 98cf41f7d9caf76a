"""Unit tests for service.junk_signals (a line's signals) and service.junk_model (its score)."""

from __future__ import annotations

import pytest

from service import clean, junk_signals
from service.junk_model import _SAY, JunkModel, default_model, load_model
from service.junk_signals import FEATURES, PageLine, line_key, page_signals
from service.thresholds import thresholds

PROSE = {
    "en": "The council said the repairs to the bridge would be finished before the winter.",
    "de": "Der Stadtrat sagte, dass die Reparatur der Brücke vor dem Winter fertig sein werde.",
    "fr": "Le conseil a dit que les travaux du pont seraient terminés avant la fin de l'hiver.",
    "es": "El ayuntamiento dijo que las obras del puente estarían terminadas antes del invierno.",
    "it": "Il consiglio ha detto che i lavori del ponte saranno finiti prima dell'inverno.",
    "pl": "Rada miasta podała, że remont mostu zostanie zakończony jeszcze przed zimą tego roku.",
}
MENU = {  # a site's section menu
    "en": "Politics Business Sport Culture",
    "de": "Politik Wirtschaft Sport Kultur",
    "fr": "Politique Économie Sport Culture",
    "es": "Política Economía Deportes Cultura",
    "it": "Politica Economia Sport Cultura",
    "pl": "Polityka Gospodarka Sport Kultura",
}


@pytest.mark.parametrize("language", sorted(PROSE))
def test_stop_word_density_is_measured_against_the_pages_own_prose(language: str) -> None:
    lines = [PageLine(PROSE[language]), PageLine(MENU[language]), PageLine(PROSE[language])]
    prose, menu, _ = page_signals(lines, language)
    assert prose.stopword_density > 0.2  # the language's stop words are known
    assert prose.relative_density == 1.0  # the page's prose is the yardstick
    assert menu.relative_density == 0.0
    assert prose.clause and prose.sentence_end and not menu.clause and not menu.sentence_end
    assert menu.capital_share == 1.0 and prose.lower_share > 0.5


def test_a_language_without_stop_words_leaves_density_unknown() -> None:
    [signals] = page_signals([PageLine("Ein kurzer Satz ohne Bedeutung hier.")], "xx")
    assert signals.relative_density == 1.0


def test_shape_signals() -> None:
    lines = [
        PageLine("Share | Tweet | Email"),
        PageLine(PROSE["en"]),
        PageLine(PROSE["en"]),
        PageLine("Span | 14 m | 1952", kind="row", link_share=0.0),
        PageLine("Share | Tweet | Email", link_share=0.9),
    ]
    bar, prose, _, row, again = page_signals(lines, "en")
    assert (bar.before_body, bar.after_body, bar.page_repeats) == (True, False, 1)
    assert not prose.before_body and not prose.after_body
    assert row.after_body and row.digit_share > 0.4 and row.kind == "row"
    assert bar.symbol_share > 0.1 and bar.capital_share == 1.0
    assert again.link_share == 0.9 and bar.link_share == 0.0
    assert (bar.position, again.position) == (0.0, 1.0)


def test_a_page_without_prose_has_no_edges() -> None:
    lines = [PageLine("Menu"), PageLine("Home"), PageLine("News")]
    assert not any(s.before_body or s.after_body for s in page_signals(lines, "en"))


def test_line_key_ignores_case_and_punctuation() -> None:
    assert line_key("AROUND the Coast:") == line_key("Around the coast") == "around the coast"


def test_every_feature_reads_in_an_explanation() -> None:
    assert set(_SAY) == set(FEATURES)
    for stage in default_model().stages.values():
        assert set(stage.features) <= set(FEATURES)


def _model(threshold: float) -> JunkModel:
    """One feature: no stop words at all means junk; neighbours count."""
    return load_model(
        {
            "stages": {
                "plain": {
                    "features": ["no_stopwords"],
                    "mean": [0.5],
                    "scale": [0.5],
                    "weights": [3.0],
                    "bias": 0.0,
                    "context": [1.0, 0.5, 0.0],
                    "context_bias": 0.0,
                    "wide": 2,
                    "threshold": threshold,
                }
            }
        }
    )


def test_the_model_scores_lines_from_its_data_and_says_why() -> None:
    lines = [PageLine(PROSE["en"]), PageLine("Facebook Twitter"), PageLine(PROSE["en"])]
    signals = page_signals(lines, "en")
    model = _model(0.5)
    scores = model.score(signals, "plain")
    assert [s.removed for s in scores] == [False, True, False]
    assert scores[1].own == pytest.approx(3.0) and scores[1].context == pytest.approx(-1.5)
    assert model.why(signals[1], scores[1], "plain") == "no stop words"
    assert not any(s.removed for s in _model(0.99).score(signals, "plain"))


def test_the_shipped_model_loads_for_both_kinds_of_input() -> None:
    model = default_model()
    assert set(model.stages) == {"html", "plain"}
    for stage in model.stages.values():
        assert len(stage.features) == len(stage.weights) == len(stage.mean) == len(stage.scale)
        assert 0.0 < stage.threshold < 1.0


def test_every_threshold_in_the_data_file_is_a_constant_of_its_module() -> None:
    for section, module in (("clean", clean), ("junk_signals", junk_signals)):
        for name, value in thresholds(section).items():
            assert getattr(module, name) == value, name


TOPIC = {  # a line of the story's words, and a headline of another story
    "en": ("Bridge repairs before winter", "Pop singer announces farewell tour"),
    "de": ("Reparatur der Brücke im Winter", "Popsängerin kündigt Abschiedstournee an"),
    "fr": ("Travaux du pont avant l'hiver", "Une chanteuse annonce sa tournée d'adieu"),
    "es": ("Obras del puente en invierno", "Una cantante anuncia su gira de despedida"),
    "it": ("Lavori del ponte prima dell'inverno", "Una cantante annuncia il tour d'addio"),
    "pl": ("Remont mostu przed zimą", "Piosenkarka zapowiada pożegnalną trasę koncertową"),
}


@pytest.mark.parametrize("language", sorted(TOPIC))
def test_topic_share_counts_the_content_words_the_pages_prose_uses(language: str) -> None:
    story, other = TOPIC[language]
    lines = [PageLine(PROSE[language]), PageLine(story), PageLine(other), PageLine("1952")]
    prose, subhead, teaser, figure = page_signals(lines, language)
    assert subhead.topic_share >= 0.5 and subhead.content_words >= 2
    assert teaser.topic_share == 0.0 and teaser.content_words >= 3
    assert FEATURES["off_topic"](teaser) == 1.0 and FEATURES["off_topic"](subhead) == 0.0
    assert prose.topic_share == 0.0  # the only prose line: no other prose to share with
    assert figure.content_words == 0 and FEATURES["off_topic"](figure) == 0.0
