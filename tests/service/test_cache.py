"""The reply cache: a repeated bundle costs no model call, a repeated article no map call wherever
it stands; a change of model, prompt or request misses; the cache outlives the process;
FUSEBRIEF_CACHE=off turns it off."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import BaseModel

from service.api.app import create_app
from service.cache import SQLiteCache, reply_key
from service.config import Settings
from service.llm import LLMClient
from service.local_model import LocalModelServer
from tests.conftest import fresh_data_dir, load_bundle, make_settings
from tests.support.llm_server import Fault, ReplayServer

# Two articles: two map calls, one question whether a sentence restates another (its
# pair of sentences is close in meaning: service.restatements) and one title call.
SMALL = load_bundle("small.json")
SMALL_CALLS = 4


def _brief(settings: Settings, bundle: dict[str, Any] = SMALL) -> dict[str, Any]:
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        response = client.post("/v1/briefs", json=bundle)
    assert response.status_code == 200, response.text
    brief: dict[str, Any] = response.json()
    return brief


def test_a_repeated_bundle_is_served_from_the_cache_without_model_calls(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server)
    first = _brief(settings)
    assert first["usage"]["llm_calls"] == SMALL_CALLS and first["usage"]["cache_hits"] == 0
    calls = len(llm_server.requests)

    again = _brief(settings)  # a new app and client: the cache lives on disk, not in memory
    assert len(llm_server.requests) == calls
    assert again["usage"] == {
        "llm_calls": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cache_hits": SMALL_CALLS,
    }  # fmt: skip  (each article's summary, each answer, and the title reply)
    assert again["sentences"] == first["sentences"]
    assert again["title"] == first["title"]


def test_an_article_summary_is_reused_at_another_position_in_another_bundle(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server)
    _brief(settings)
    swapped = {**SMALL, "articles": SMALL["articles"][::-1]}  # S1 is now S2 and S2 is S1
    brief = _brief(settings, swapped)
    # Both articles' summaries, the answers and the title: the brief opens with its most central
    # claim and orders the rest by what they say, not by the articles' positions, so its
    # sentences (and the questions and title request over them) are the first bundle's.
    assert brief["usage"]["cache_hits"] == SMALL_CALLS
    assert brief["usage"]["llm_calls"] == 0
    assert [s["title"] for s in brief["sources"]] == [a["title"] for a in swapped["articles"]]


def test_an_article_mapped_with_another_is_reused_beside_a_new_one(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server, map_batch_tokens=2000)  # a hosted model's default
    _brief(settings)  # SMALL's two articles share one map call
    third = {
        "title": "Brackenford library back in business",
        "source": "Brackenford Weekly",
        "text": (
            "Brackenford library welcomed its first visitors in eight months on Monday, after "
            "builders finished replacing the leaking roof.\n\nCouncillor Maud Ferris said the "
            "repairs had cost the council 310,000 pounds and had come in under budget."
        ),
    }
    mixed = {**SMALL, "articles": [SMALL["articles"][1], third]}
    before = len(llm_server.requests)
    brief = _brief(settings, mixed)
    assert brief["usage"]["cache_hits"] == 1  # the summary stored from the shared call
    made = llm_server.requests[before:]
    assert brief["usage"]["llm_calls"] == len(made)
    # The new article's map call (it alone), and the brief's new questions and title.
    (map_call,) = [r for r in made if "<article" in str(r.body["messages"])]
    assert str(map_call.body["messages"]).count("<article ") == 1


def test_another_model_does_not_get_this_models_replies(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server)
    _brief(settings)
    other = _brief(settings.model_copy(update={"llm_model": "openai/another-model"}))
    assert other["usage"]["llm_calls"] == SMALL_CALLS and other["usage"]["cache_hits"] == 0


async def test_the_embedded_models_weights_are_part_of_the_key(llm_server: ReplayServer) -> None:
    # Both sizes of the embedded model answer as "openai/local"; the 1.5B must not be served
    # the 0.5B's cached replies. The replay server stands in for llama.cpp's server.
    class Answer(BaseModel):
        value: int

    messages = [{"role": "user", "content": "Give me a value as JSON."}]
    data_dir = fresh_data_dir()
    values = []
    for size in ("0.5b", "1.5b", "0.5b"):
        settings = make_settings(llm_server, llm_model="local", local_model=size, data_dir=data_dir)
        local = LocalModelServer(settings)
        local.api_base = llm_server.url + "/v1"
        llm_server.inject(Fault("content", content=f'{{"value": {len(values)}}}'))
        session = LLMClient(settings, local=local).session()
        values.append((await session.complete_json(messages, Answer, max_tokens=20)).value)
    assert values == [0, 1, 0]  # the 1.5B asked its own model; the 0.5B's reply came back cached
    assert len(llm_server.requests) == 2


def test_cache_off_calls_the_model_every_time(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, cache="off")
    _brief(settings)
    assert _brief(settings)["usage"]["llm_calls"] == SMALL_CALLS
    assert not (settings.data_dir / "cache.sqlite3").exists()


def test_the_key_covers_model_prompt_version_and_request() -> None:
    request = {"messages": [{"role": "user", "content": "facts please"}], "schema": {}}
    key = reply_key("openai/a", "map/v5+title/v1", request)
    assert key == reply_key("openai/a", "map/v5+title/v1", dict(request))
    assert key != reply_key("openai/b", "map/v5+title/v1", request)
    assert key != reply_key("openai/a", "map/v6+title/v1", request)
    assert key != reply_key(
        "openai/a", "map/v5+title/v1", {**request, "messages": [{"role": "user", "content": "x"}]}
    )


async def test_sqlite_cache_keeps_entries_across_instances(tmp_path: Path) -> None:
    await SQLiteCache(tmp_path / "c.sqlite3").put("k", '{"a": 1}')
    reopened = SQLiteCache(tmp_path / "c.sqlite3")
    assert await reopened.get("k") == '{"a": 1}'
    assert await reopened.get("missing") is None
