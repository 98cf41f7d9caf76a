"""A story told over months through the REST API: no article is set aside for its date, the
brief's sentences come oldest first, each with its date, and max_words is honoured. The model's
replies are injected on the replay server (one batched map call, then the title)."""

from typing import Any

from tests.support import canned
from tests.support.llm_server import ReplayServer

QUAKE = {
    "title": "Strong earthquake strikes the Varnholm coast",
    "source": "Varnholm Courier",
    "published_at": "2026-02-27T20:00:00Z",
    "text": (
        "A strong earthquake of magnitude 7.1 struck the Varnholm coast on Friday, destroying "
        "houses in the harbour towns of the coast.\n\n"
        "Mayor Ilse Brandvik said 40 people had died in the earthquake."
    ),
}
RAINS = {
    "title": "Rains flood families left homeless by the Varnholm earthquake",
    "source": "Coastal Post",
    "published_at": "2026-05-06T09:00:00Z",
    "text": (
        "Heavy rains flooded the camps of families left homeless by the February earthquake on "
        "the Varnholm coast on Tuesday.\n\n"
        "The coast's relief office said 300 families had moved to the harbour towns' schools."
    ),
}
AFTERSHOCK = {
    "title": "Aftershock shakes the Varnholm coast",
    "source": "Varnholm Courier",
    "published_at": "2026-10-22T07:00:00Z",
    "text": (
        "An aftershock of magnitude 5.8 of the February earthquake shook the Varnholm coast on "
        "Wednesday night.\n\n"
        "The harbour towns of the coast reported no new damage to houses, Mayor Ilse Brandvik "
        "said."
    ),
}
# Given in the planner's mind in no time order: the latest article first.
ARTICLES = [AFTERSHOCK, QUAKE, RAINS]
MAP_REPLY = {
    "A1": {
        "when": "Wednesday",
        "facts": [
            "An aftershock of magnitude 5.8 shook the Varnholm coast on Wednesday night.",
            "The harbour towns reported no new damage to houses, Mayor Ilse Brandvik said.",
        ],
    },
    "A2": {
        "when": "Friday",
        "facts": [
            "A strong earthquake of magnitude 7.1 struck the Varnholm coast on Friday.",
            "Mayor Ilse Brandvik said 40 people had died in the earthquake.",
        ],
    },
    "A3": {
        "when": "Tuesday",
        "facts": [
            "Heavy rains flooded the camps of families left homeless by the earthquake.",
            "The relief office said 300 families had moved to the harbour towns' schools.",
        ],
    },
}


def _brief(llm_server: ReplayServer, options: dict[str, Any]) -> dict[str, Any]:
    title = "Earthquake strikes the Varnholm coast"
    return canned.brief_through_api(llm_server, ARTICLES, MAP_REPLY, title, options)


def test_a_story_over_months_keeps_every_article_opens_with_the_news_then_oldest_first(
    llm_server: ReplayServer,
) -> None:
    brief = _brief(llm_server, {})
    assert brief["excluded"] == []
    assert brief["disagreements"] == []  # the quake and its aftershock are two happenings
    assert {s["sid"] for s in brief["article_summaries"]} == {"S1", "S2", "S3"}
    told = [(s["date"], s["sources"]) for s in brief["sentences"]]
    # Each source dated by its own words: Friday 27 February, Tuesday 5 May, Wednesday
    # 21 October. After the opening (the news, as the planner chose it), the quake first, the
    # aftershock, the latest state last.
    rest = [date for date, _ in told[1:]]
    assert rest == sorted(rest)
    assert rest[0] == "2026-02-27" and rest[-1] == "2026-10-21"
    assert {date for date, _ in told} == {"2026-02-27", "2026-05-05", "2026-10-21"}


def test_max_words_is_honoured(llm_server: ReplayServer) -> None:
    brief = _brief(llm_server, {"max_words": 50})
    said = brief["sentences"] + brief["disagreements"]
    assert 0 < sum(len(s["text"].split()) for s in said) <= 50
