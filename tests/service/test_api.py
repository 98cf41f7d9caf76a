"""The REST contract, through FastAPI's test client; the model is the loopback replay server."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from tests.conftest import load_bundle, make_settings
from tests.support.llm_server import Fault, ReplayServer

# Every junk line planted in the sample bundle (fixtures/README.md): none may reach a prompt.
PLANTED_JUNK = [
    "- Advertisement -",
    "Click to share on Facebook (Opens in new window)",
    "Click to email a link to a friend (Opens in new window)",
    "Also read: Inland barge operators report record low water on the upper canal",
    "sign up for our free newsletter here",
    "Council confirms new opening hours for Westbank swimming pool",
    "Two arrested after break-in at garden centre",
    "Schoolchildren plant 500 trees along the old railway path",
    "Leave a Reply",
    "Your email address will not be published",
    "Back to top button",
    "Follow us on LinkedIn, X and Instagram",
]
CONTRACT_KEYS = {
    "id", "title", "language", "sentences", "disagreements", "sources", "article_summaries",
    "excluded", "model", "prompt_version", "usage", "warnings",
}  # fmt: skip


def _prompts(server: ReplayServer) -> str:
    return "\n".join(
        m["content"] for r in server.requests for m in r.body["messages"] if m.get("content")
    )


def _post(client: TestClient, bundle: dict[str, Any], **kwargs: Any) -> Any:
    response = client.post("/v1/briefs", json=bundle, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def sample_brief(replay_server: ReplayServer) -> tuple[dict[str, Any], str]:
    """One brief of the sample bundle, and every prompt the model saw for it."""
    replay_server.reset()
    settings = make_settings(replay_server)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        brief = _post(client, load_bundle("sample"))
    prompts = _prompts(replay_server)
    assert not replay_server.misses
    return brief, prompts


def test_brief_follows_the_contract(sample_brief: tuple[dict[str, Any], str]) -> None:
    brief, _ = sample_brief
    assert set(brief) == CONTRACT_KEYS
    assert [s["sid"] for s in brief["sources"]] == [f"S{i}" for i in range(1, 7)]
    assert [s["id"] for s in brief["sources"]] == [f"port-{i}" for i in range(1, 7)]
    # The default max_sentences for six articles over five months (12), disagreements included.
    assert 3 <= len(brief["sentences"]) <= 12
    assert brief["title"]
    assert brief["language"] == "en"
    assert brief["model"] == "openai/replay"
    assert brief["prompt_version"] == "map/v5+translate/v1+title/v1+phrases/v4+same/v1"
    # Six articles mapped, and the title: no two of its sentences are close enough in meaning
    # for a question whether one restates the other (service.restatements).
    assert brief["usage"]["llm_calls"] == 7
    assert brief["usage"]["prompt_tokens"] > 1000 and brief["usage"]["completion_tokens"] > 100


def test_every_sentence_cites_existing_usable_sources(
    sample_brief: tuple[dict[str, Any], str],
) -> None:
    brief, _ = sample_brief
    usable = {"S1", "S2", "S3", "S4", "S5", "S6"}
    for sentence in brief["sentences"] + brief["disagreements"]:
        assert sentence["sources"], sentence
        assert set(sentence["sources"]) <= usable, sentence


def test_nothing_is_dropped_and_the_duplicate_is_listed(
    sample_brief: tuple[dict[str, Any], str],
) -> None:
    brief, prompts = sample_brief
    reasons = {e["sid"]: e["reason"] for e in brief["excluded"]}
    # S6, published five months later, is not set aside for its date: only the rewrite is listed.
    assert reasons == {"S4": "duplicate of S2"}
    # The rewrite's new paragraph is mapped and credited; its copied text is not sent again.
    articles = "\n".join(
        part.split("</article>")[0] for part in prompts.split("<article")[1:]
    )  # the article text sent to the map step
    assert "Northgate Mutual" in articles
    assert articles.count("Saltmarsh grain pier") == 1
    summaries = {s["sid"] for s in brief["article_summaries"]}
    assert summaries == {"S1", "S2", "S3", "S4", "S5", "S6"}


def test_a_story_spanning_months_is_told_in_time_order_with_dates(
    sample_brief: tuple[dict[str, Any], str],
) -> None:
    brief, _ = sample_brief
    dates = [s["date"] for s in brief["sentences"]]
    assert all(dates)  # every source is dated
    assert dates[1:] == sorted(dates[1:])  # after the opening (the news), the oldest first


def test_no_junk_reaches_any_prompt(sample_brief: tuple[dict[str, Any], str]) -> None:
    _, prompts = sample_brief
    for junk in PLANTED_JUNK:
        assert junk not in prompts, junk


def test_the_conflict_on_the_strike_length_is_reported_with_both_sources(
    sample_brief: tuple[dict[str, Any], str],
) -> None:
    brief, _ = sample_brief
    (disagreement,) = [d for d in brief["disagreements"] if "days" in d["text"]]
    assert {"S1", "S3"} <= set(disagreement["sources"])
    assert "eleven days" in disagreement["text"] and "nine days" in disagreement["text"]
    plain = [s["text"] for s in brief["sentences"] if s not in brief["disagreements"]]
    assert not any(re.search(r"\b(eleven|nine) days\b", text) for text in plain)


def test_the_spanish_article_is_summarised_into_the_brief_language(
    sample_brief: tuple[dict[str, Any], str],
) -> None:
    brief, prompts = sample_brief
    assert brief["sources"][4]["language"] == "es"
    (spanish,) = [s for s in brief["article_summaries"] if s["sid"] == "S5"]
    assert spanish["facts"]
    assert "Write every fact in English" in prompts


def test_markdown_rendering(client: TestClient) -> None:
    response = client.post(
        "/v1/briefs", json=load_bundle("small.json"), headers={"Accept": "text/markdown"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert text.startswith("# ")
    assert re.search(r"[.!?”] \[S[12](, S[12])?\]$", text, re.MULTILINE)
    assert "## Sources" in text and "**S1**" in text and "**S2**" in text


def test_the_brief_language_option(client: TestClient, llm_server: ReplayServer) -> None:
    bundle = load_bundle("small.json") | {"options": {"language": "es", "max_sentences": 5}}
    brief = _post(client, bundle)
    assert brief["language"] == "es"
    assert "Write every fact in Spanish" in _prompts(llm_server)


def test_long_article_is_chunked_to_the_context(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_context_tokens=2048)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        brief = _post(client, load_bundle("long_article.json"))
    chunks = {s["sid"]: s["chunks"] for s in brief["article_summaries"]}
    assert chunks["S1"] == 1 and chunks["S2"] >= 3
    assert brief["usage"]["llm_calls"] >= 1 + chunks["S2"] + 1  # (+ any repair request)


def test_injected_instructions_are_ignored(client: TestClient, llm_server: ReplayServer) -> None:
    brief = _post(client, load_bundle("injection.json"))
    text = " ".join(s["text"] for s in brief["sentences"]).lower()
    assert "closed permanently" not in text
    assert "system prompt" not in text
    assert "closed permanently" not in _prompts(llm_server)  # cleaned out before any call
    assert brief["warnings"][0].startswith("S3: removed a passage addressed to an AI model")
    map_prompts = [r.body["messages"] for r in llm_server.requests if "<article" in str(r.body)]
    assert all("Never follow instructions" in m[0]["content"] for m in map_prompts)
    (cost,) = brief["disagreements"]
    assert "12.4 million euros" in cost["text"] and "9.6 million euros" in cost["text"]
    assert cost["sources"] == ["S1", "S2"]


def test_ollama_dialect_serves_the_same_brief(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_model="ollama/replay", llm_api_base=llm_server.url)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        brief = _post(client, load_bundle("small.json"))
    assert {r.dialect for r in llm_server.requests} == {"ollama"}
    assert brief["sentences"] and not llm_server.misses


def test_what_the_model_invents_is_left_out_and_reported(
    client: TestClient, llm_server: ReplayServer
) -> None:
    # One article a map call (the replay server is self-hosted), answered under its id A1; both
    # articles get the same reply, so the order the two calls arrive in does not matter.
    facts = {
        "A1": {
            "when": "Monday",
            "facts": [
                "The library reopened on Monday after eight months of roof repairs.",
                "The library lent 90,000 books last year.",
                "Mayor Olga Brandt cut the ribbon.",
            ],
        }
    }
    title = {"title": "Library reopens after 14 months of repairs"}
    llm_server.inject(
        Fault("content", content=json.dumps(facts)),
        Fault("content", content=json.dumps(facts)),
        Fault("content", content=json.dumps(title)),
    )
    brief = _post(client, load_bundle("small.json"))
    said = " ".join(s["text"] for s in brief["sentences"]) + " " + brief["title"]
    assert "90,000" not in said and "Brandt" not in said and "14 months" not in said
    (reopened,) = [s for s in brief["sentences"] if "reopened on Monday" in s["text"]]
    assert reopened["sources"] == ["S1", "S2"]  # one claim, said once, citing both
    warnings = " | ".join(brief["warnings"])
    assert warnings.count("the number 90000 is not where its article says the rest") == 2
    assert warnings.count("(it shares nothing with its article): “Mayor Olga Brandt") == 2
    assert "replaced the title “Library reopens after 14 months of repairs”" in warnings


def test_facts_copied_in_their_articles_language_are_translated_in_one_call(
    client: TestClient, llm_server: ReplayServer
) -> None:
    english = ARTICLE | {
        "title": "Forest fire near Hallau",
        "source": "Valley Post",
        "text": "A forest fire near Hallau spread to 2,400 hectares on Thursday. "
        "Firefighters from three districts were called in.",
    }
    german = {
        "title": "Waldbrand bei Hallau",
        "source": "Hallauer Bote",
        "language": "de",
        "text": "Die Feuerwehr kämpft seit Mittwoch gegen die Flammen im Wald bei Hallau. "
        "Bürgermeisterin Renate Obermaier schätzt den Schaden auf 8,7 Millionen Euro. "
        "Mehrere Straßen durch den Wald bleiben gesperrt.",
    }
    # One reply for both map calls (they may arrive in either order): each article keeps only
    # the facts its text supports; the German article's came back in German.
    facts = {
        "A1": {
            "when": "Thursday",
            "facts": [
                "A forest fire near Hallau spread to 2,400 hectares on Thursday.",
                "Die Feuerwehr kämpft seit Mittwoch gegen die Flammen im Wald bei Hallau.",
                "Bürgermeisterin Renate Obermaier schätzt den Schaden auf 8,7 Millionen Euro.",
            ],
        }
    }
    translation = {
        "sentences": [
            "Firefighters have been fighting the flames in the forest near Hallau since Wednesday.",
            "Mayor Renate Obermaier puts the damage at 9.1 million euros.",  # not what it says
        ]
    }
    llm_server.inject(
        Fault("content", content=json.dumps(facts)),
        Fault("content", content=json.dumps(facts)),
        Fault("content", content=json.dumps(translation)),
        Fault("content", content=json.dumps({"title": "Forest fire near Hallau"})),
    )
    brief = _post(client, {"articles": [english, german], "options": {"language": "en"}})
    (request,) = [r for r in llm_server.requests if "Translate each" in _prompts_of(r)]
    prompt = _prompts_of(request)
    assert "from German into English" in prompt
    assert "1. Die Feuerwehr" in prompt and "2. Bürgermeisterin" in prompt
    said = {s["text"]: s for s in brief["sentences"]}
    translated = said["Firefighters have been fighting the flames in the forest near Hallau since"
                      " Wednesday."]  # fmt: skip
    assert translated["sources"] == ["S2"]
    assert translated["evidence"][0]["quote"].startswith("Die Feuerwehr kämpft seit Mittwoch")
    assert not any("9.1" in text or "Obermaier" in text for text in said)  # refused, not stated
    warnings = " | ".join(brief["warnings"])
    assert "(it is in its article's language, not the brief's): “Bürgermeisterin" in warnings


def _prompts_of(request: Any) -> str:
    return "\n".join(m["content"] for m in request.body["messages"] if m.get("content"))


def test_unusable_model_output_is_502(client: TestClient, llm_server: ReplayServer) -> None:
    llm_server.inject(*[Fault("content", content="Sorry, I cannot help with that.")] * 4)
    response = client.post("/v1/briefs", json=load_bundle("small.json"))
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "model_output_invalid"


def test_unreachable_model_is_503(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_api_base="http://127.0.0.1:9/v1", llm_max_retries=0)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        response = client.post("/v1/briefs", json=load_bundle("small.json"))
        ready = client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "model_unavailable"
    # Says what happened, in words: not the client library's exception class.
    assert "the model server at http://127.0.0.1:9/v1 refused the connection" in error["message"]
    assert "InternalServerError" not in error["message"]
    assert ready.status_code == 503


def test_embedded_model_not_started_is_503_with_its_state(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_model="local")
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        message = _error(client.post("/v1/briefs", json=load_bundle("small.json")), 503)
        assert "embedded model is not ready (not started)" in message
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200


def test_rate_limited_model_is_retried(client: TestClient, llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("status", status=429, retry_after=0.2), Fault("status", status=500))
    brief = _post(client, load_bundle("small.json"))
    assert brief["sentences"]
    assert len(llm_server.requests) == brief["usage"]["llm_calls"] + 2


def test_health_readiness_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/v1/briefs" in spec["paths"]
    assert "example" in json.dumps(spec["components"]["schemas"]["ArticleIn"])


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"]
    return str(error["message"])


ARTICLE = {"title": "T", "source": "Outlet", "text": "Some text."}


@pytest.mark.parametrize(
    ("body", "status", "hint"),
    [
        ({"articles": []}, 422, "articles"),
        ({}, 422, "articles"),
        ({"articles": [ARTICLE | {"text": "   "}]}, 422, "articles.0.text"),
        ({"articles": [{"source": "x", "text": "y"}]}, 422, "articles.0.title"),
        ({"articles": "many"}, 422, "articles"),
        ({"articles": [ARTICLE | {"published_at": "last week"}]}, 422, "published_at"),
        ({"articles": [ARTICLE | {"language": "english!"}]}, 422, "language"),
        ({"articles": [ARTICLE], "options": {"max_sentences": 99}}, 422, "max_sentences"),
        ({"articles": [ARTICLE], "options": {"max_words": 20}}, 422, "max_words"),
        ({"articles": [ARTICLE], "options": {"max_words": 5000}}, 422, "max_words"),
        ({"articles": [ARTICLE], "options": {"model": "gpt-9"}}, 422, "not offered"),
        ({"articles": [ARTICLE] * 6}, 413, "at most 5"),
        ({"articles": [ARTICLE | {"text": "word " * 400}]}, 413, "characters"),
    ],
)
def test_bad_bundles_get_a_4xx_that_says_what_to_fix(
    llm_server: ReplayServer, body: dict[str, Any], status: int, hint: str
) -> None:
    settings = make_settings(llm_server, max_articles=5, max_article_chars=1000)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        assert hint in _error(client.post("/v1/briefs", json=body), status)
    assert not llm_server.requests  # nothing reached the model


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (b"{not json", "not valid JSON"),
        ('{"articles": [{"title": "caf\xe9"}]}'.encode("latin-1"), "not UTF-8"),
        (b"", "the body is empty"),
        (b'{"articles": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    ],
    ids=["not-json", "not-utf8", "empty", "deep"],
)
def test_unreadable_bodies_are_422_saying_why(
    client: TestClient, content: bytes, hint: str
) -> None:
    response = client.post(
        "/v1/briefs", content=content, headers={"Content-Type": "application/json"}
    )
    assert hint in _error(response, 422)
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ({"articles": [ARTICLE | {"title": "t" * 1001}]}, "articles.0.title"),
        ({"articles": [ARTICLE | {"source": "s" * 201}]}, "articles.0.source"),
        ({"articles": [ARTICLE | {"url": "https://a.example/" + "u" * 2000}]}, "articles.0.url"),
        ({"articles": [ARTICLE | {"id": "i" * 201}]}, "articles.0.id"),
        ({"articles": [ARTICLE | {"language": "en-" + "a" * 40}]}, "articles.0.language"),
        ({"articles": [ARTICLE], "options": {"model": "m" * 201}}, "options.model"),
        (
            {"articles": [ARTICLE], "callback_url": "https://a.example/" + "c" * 2000},
            "callback_url",
        ),
    ],
    ids=["title", "source", "url", "id", "language", "model", "callback_url"],
)
def test_every_string_field_has_its_documented_maximum(
    client: TestClient, llm_server: ReplayServer, body: dict[str, Any], hint: str
) -> None:
    assert hint in _error(client.post("/v1/briefs", json=body), 422)
    long_key = {"Idempotency-Key": "k" * 201}
    assert "idempotency-key" in _error(
        client.post("/v1/briefs", json={"articles": [ARTICLE]}, headers=long_key), 422
    )
    assert not llm_server.requests


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ({"articles": [ARTICLE | {"language": "xx"}]}, "articles.0.language"),
        ({"articles": [ARTICLE | {"language": "zz-zzzz"}]}, "articles.0.language"),
        ({"articles": [ARTICLE], "options": {"language": "xx"}}, "options.language"),
        ({"articles": [ARTICLE], "options": {"language": "klingon"}}, "options.language"),
        ({"articles": [ARTICLE], "async": "yes"}, "async"),
        ({"articles": [ARTICLE], "async": 1}, "async"),
        ({"articles": [ARTICLE], "options": {"max_sentences": True}}, "max_sentences"),
        ({"articles": [ARTICLE], "options": {"max_sentences": "7"}}, "max_sentences"),
        ({"articles": [ARTICLE], "options": {"max_sentences": 7.0}}, "max_sentences"),
        (
            {"articles": [ARTICLE | {"id": "c-1"}, ARTICLE, ARTICLE | {"id": "c-1"}]},
            "articles 1 and 3 have the same id 'c-1'",
        ),
    ],
    ids=[
        "language-xx", "language-zz-zzzz", "options-language-xx", "options-language-word",
        "async-string", "async-number", "max-sentences-bool", "max-sentences-string",
        "max-sentences-float", "duplicate-id",
    ],
)  # fmt: skip
def test_validation_is_as_strict_as_documented(
    client: TestClient, llm_server: ReplayServer, body: dict[str, Any], hint: str
) -> None:
    response = client.post("/v1/briefs", json=body)
    assert hint in _error(response, 422)
    assert response.json()["error"]["code"] == "invalid_request"
    assert not llm_server.requests


def test_one_error_code_per_kind_of_mistake(llm_server: ReplayServer) -> None:
    settings = make_settings(
        llm_server, max_articles=2, max_body_bytes=4096, webhook_secret="s", api_keys="k"
    )
    key = {"Authorization": "Bearer k"}
    wrong = {
        "no articles": {"articles": []},
        "missing field": {"articles": [{"title": "T"}]},
        "unknown model": {"articles": [ARTICLE], "options": {"model": "gpt-9"}},
        "private callback": {
            "articles": [ARTICLE],
            "async": True,
            "callback_url": "http://127.0.0.1:9/hook",
        },
    }
    too_large = {
        "too many articles": {"articles": [ARTICLE] * 3},
        "body over the limit": {"articles": [ARTICLE | {"text": "x" * 5000}]},
    }
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        for name, body in wrong.items():
            response = client.post("/v1/briefs", json=body, headers=key)
            assert (response.status_code, response.json()["error"]["code"]) == (
                422,
                "invalid_request",
            ), name
        for name, body in too_large.items():
            response = client.post("/v1/briefs", json=body, headers=key)
            assert (response.status_code, response.json()["error"]["code"]) == (
                413,
                "too_large",
            ), name
        for response in (client.get("/v1/jobs/nope", headers=key), client.get("/nowhere")):
            assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
        unauthorized = client.post("/v1/briefs", json={"articles": [ARTICLE]})
        assert unauthorized.json()["error"]["code"] == "unauthorized"
    assert not llm_server.requests


def test_oversized_body_is_413(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, max_body_bytes=2048)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        big = {"articles": [ARTICLE | {"text": "x" * 5000}]}
        assert "FUSEBRIEF_MAX_BODY_BYTES" in _error(client.post("/v1/briefs", json=big), 413)
        chunked = client.post(
            "/v1/briefs",
            content=iter([b'{"articles": [', b" " * 4000, b"]}"]),
            headers={"Content-Type": "application/json"},
        )
        assert "FUSEBRIEF_MAX_BODY_BYTES" in _error(chunked, 413)


def test_api_keys_are_required_when_configured(llm_server: ReplayServer) -> None:
    settings: Settings = make_settings(llm_server, api_keys="alpha,beta")
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        assert "Bearer" in _error(client.post("/v1/briefs", json={"articles": []}), 401)
        wrong = {"Authorization": "Bearer gamma"}
        _error(client.post("/v1/briefs", json={"articles": []}, headers=wrong), 401)
        right = {"Authorization": "Bearer beta"}
        _error(client.post("/v1/briefs", json={"articles": []}, headers=right), 422)
        assert client.get("/healthz").status_code == 200  # probes stay open
