"""A small bundle and the model's replies to it, injected on the replay server with
`Fault("content", ...)`, for tests that need a whole brief without depending on recordings (the
web page in a browser, the MCP tool, the screenshots).

Two outlets report a footbridge reopening and disagree on how long it was closed; a third
article, about another matter (a harbour contract), is set aside as off-topic without a model
call: it shares too little with the other two.
With SETTINGS the two on-topic articles are mapped in one call (A1, A2), the model is asked
whether one sentence restates another, then one call writes the title: `replies()` answers
exactly those three calls. When the map or title prompts change the
shape of their replies, this is the one place to update.
"""

import json
from typing import Any

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.llm import LLMClient
from tests.conftest import make_settings
from tests.support.llm_server import Fault, ReplayServer

# One map call for both articles (batched), and no reply cache: the replies are used every time.
SETTINGS: dict[str, Any] = {"map_batch_tokens": 2000, "cache": "off", "llm_max_parallel": 1}

COURIER = {
    "title": "Walkers return as Millrace footbridge reopens",
    "source": "Quillmoor Courier",
    "url": "https://quillmoorcourier.example/news/millrace-footbridge-reopens",
    "published_at": "2026-09-21T15:30:00Z",
    "text": (
        "The Millrace footbridge in Quillmoor reopened on Saturday morning.\n\n"
        "The footbridge had been closed for seven months after the River Tarrow burst its "
        "banks in February.\n\n"
        "Engineer Tobias Venn said the new ramp stands on concrete piles driven eight metres "
        "into the riverbed.\n\n"
        "The repairs cost the council 1.2 million euros."
    ),
}
GAZETTE = {
    "title": "Millrace footbridge open again after flood repairs",
    "source": "Tarrow Valley Gazette",
    "url": "https://tarrowvalleygazette.example/2026/09/22/millrace-open-again",
    "published_at": "2026-09-22T08:00:00Z",
    "text": (
        "Quillmoor's Millrace footbridge is open again.\n\n"
        "The footbridge had been closed for eight months after the February flood on the River "
        "Tarrow.\n\n"
        "The council said the repairs cost 1.2 million euros, and that solar-powered lights will "
        "be added to the footbridge before the winter.\n\n"
        "Residents crossed the bridge within an hour of its reopening."
    ),
}
HARBOUR = {
    "title": "Quillmoor harbour dredging contract awarded",
    "source": "Harbour Gazette",
    "url": "https://harbourgazette.example/quillmoor-dredging-contract",
    "published_at": "2026-02-10T09:00:00Z",
    "text": (
        "The harbour board has awarded the contract to dredge Quillmoor's inner basin to a firm "
        "from Carrow.\n\nWork on the basin is to begin in the spring and last six weeks."
    ),
}
ARTICLES = [COURIER, GAZETTE, HARBOUR]

MAP_REPLY = {
    "A1": {
        "when": "Saturday",
        "facts": [
            "The Millrace footbridge in Quillmoor reopened on Saturday morning.",
            "The footbridge had been closed for seven months after the River Tarrow burst its "
            "banks in February.",
            "Engineer Tobias Venn said the new ramp stands on concrete piles driven eight metres "
            "into the riverbed.",
            "The repairs cost the council 1.2 million euros.",
        ],
    },
    "A2": {
        "when": "",
        "facts": [
            "Quillmoor's Millrace footbridge is open again.",
            "The footbridge had been closed for eight months after the February flood on the "
            "River Tarrow.",
            "The council said the repairs cost 1.2 million euros.",
            "Solar-powered lights will be added to the footbridge before the winter.",
        ],
    },
}
TITLE_REPLY = {"title": "Millrace footbridge in Quillmoor reopens after repairs"}


def replies() -> list[Fault]:
    """The model's answers to one brief of ARTICLES with SETTINGS, in the order of the calls:
    the map call, the question whether "is open again" makes the point of "reopened on
    Saturday" (service.restatements; "yes": it is left out), the title call."""
    return [
        Fault("content", content=json.dumps(MAP_REPLY)),
        Fault("content", content="yes", first_token={"yes": 0.9, "no": 0.1}),
        Fault("content", content=json.dumps(TITLE_REPLY)),
    ]


def brief_through_api(
    llm_server: ReplayServer,
    articles: list[dict[str, Any]],
    map_reply: dict[str, Any],
    title: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """POST /v1/briefs for `articles` with `options` on an app with SETTINGS, the model answering
    the one batched map call with `map_reply` and the title call with `title`; the brief's JSON."""
    llm_server.inject(
        Fault("content", content=json.dumps(map_reply)),
        Fault("content", content=json.dumps({"title": title})),
    )
    calls_before = len(llm_server.requests)
    settings = make_settings(llm_server, **SETTINGS)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        response = client.post("/v1/briefs", json={"articles": articles, "options": options})
    assert response.status_code == 200, response.text
    assert len(llm_server.requests) - calls_before == 2  # one map call for all, the title
    brief: dict[str, Any] = response.json()
    return brief


def with_evidence(brief: dict[str, Any]) -> dict[str, Any]:
    """`brief` as a client asking for `options.source_text` gets it: each source with its `text`
    (headline, a blank line, the cleaned text) and each sentence and disagreement with
    `evidence` passages ({"sid", "start", "end", "quote"}, offsets into that text); for a stored
    job's brief made without it. A passage here is the longest run of the sentence's words
    found in the cited text."""
    given = {a["title"]: a for a in ARTICLES}
    extended = json.loads(json.dumps(brief))
    for source in extended["sources"]:
        article = given.get(source["title"])
        source["text"] = f"{article['title']}\n\n{article['text']}" if article else None
    texts = {s["sid"]: s["text"] for s in extended["sources"]}
    for item in extended["sentences"] + extended["disagreements"]:
        item["evidence"] = [
            passage for sid in item["sources"] if (passage := _passage(sid, texts[sid], item))
        ]
    return extended


def _passage(sid: str, text: str | None, item: dict[str, Any]) -> dict[str, Any] | None:
    if not text:
        return None
    words = item["text"].rstrip(".").split()
    for size in range(len(words), 2, -1):
        for start in range(len(words) - size + 1):
            run = " ".join(words[start : start + size])
            at = text.find(run)
            if at != -1:
                return {"sid": sid, "start": at, "end": at + len(run), "quote": run}
    return None
