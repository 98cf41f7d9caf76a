"""A brief cut to max_words keeps what the planner ranks first, whatever the reading order: the
second source's lead, a reported statement, is read after the facts but kept before the first
source's second fact. The model's replies are injected on the replay server (one batched map
call, then the title)."""

from typing import Any

from tests.support import canned
from tests.support.llm_server import ReplayServer

BRIDGE = {
    "title": "Harlow footbridge reopens after repairs",
    "source": "Harlow Courier",
    "published_at": "2026-03-02T09:00:00Z",
    "text": (
        "The Harlow footbridge over the river Seld reopened to pedestrians and cyclists on "
        "Monday after four months of repairs.\n\nThe council's engineers replaced 46 rusted "
        "steel plates under the deck and repainted the railings along both ramps of the bridge."
    ),
}
MAYOR = {
    "title": "Mayor Quell says the footbridge will stay toll-free",
    "source": "Seld Valley News",
    "published_at": "2026-03-02T11:00:00Z",
    "text": (
        "Mayor Dana Quell said the footbridge would stay free to cross for pedestrians and "
        "cyclists, and that no toll would ever be charged."
    ),
}
MAP_REPLY = {
    "A1": {
        "when": "Monday",
        "facts": [
            "The Harlow footbridge over the river Seld reopened to pedestrians and cyclists on "
            "Monday after four months of repairs.",
            "The council's engineers replaced 46 rusted steel plates under the deck and "
            "repainted the railings along both ramps of the bridge.",
        ],
    },
    "A2": {
        "when": "",
        "facts": [
            "Mayor Dana Quell said the footbridge would stay free to cross for pedestrians and "
            "cyclists, and that no toll would ever be charged."
        ],
    },
}


def _brief(llm_server: ReplayServer, options: dict[str, Any]) -> dict[str, Any]:
    title = "Harlow footbridge reopens"
    return canned.brief_through_api(llm_server, [BRIDGE, MAYOR], MAP_REPLY, title, options)


def test_a_length_limit_keeps_the_planners_first_sentences_then_orders_them_for_reading(
    llm_server: ReplayServer,
) -> None:
    opening, works, mayor = (fact for reply in MAP_REPLY.values() for fact in reply["facts"])
    whole = [s["text"] for s in _brief(llm_server, {})["sentences"]]
    assert whole == [opening, works, mayor]  # what was done, then what was said
    # 50 words hold two of the three: the planner ranks the second source's lead (the mayor)
    # before the first source's second fact (the works), though it is read after them.
    cut = [s["text"] for s in _brief(llm_server, {"max_words": 50})["sentences"]]
    assert cut == [opening, mayor]
