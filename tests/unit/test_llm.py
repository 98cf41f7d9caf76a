"""The model door: JSON parsing and repair, retries, Retry-After, timeouts, fallbacks, Ollama.

Every call goes through litellm's real HTTP path to the loopback replay server; the scripted
faults make it misbehave.
"""

import re
import time

import pytest
from prometheus_client import REGISTRY
from pydantic import BaseModel

from service.errors import InvalidBundle, ModelOutputInvalid, ModelUnavailable
from service.llm import LLMClient, parse_json_reply
from tests.conftest import make_settings
from tests.support.llm_server import Fault, ReplayServer
from tests.support.pages import Page, PageServer


class Answer(BaseModel):
    value: int


MESSAGES = [{"role": "user", "content": "Give me a value as JSON."}]


@pytest.mark.parametrize(
    "reply",
    [
        '{"value": 3}',
        '```json\n{"value": 3}\n```',
        'Here you go:\n{"value": 3}\nHope this helps.',
    ],
)
def test_parse_json_reply_tolerates_fences_and_prose(reply: str) -> None:
    assert parse_json_reply(reply) == {"value": 3}


def test_parse_json_reply_rejects_text_without_json() -> None:
    with pytest.raises(ValueError):
        parse_json_reply("I cannot do that.")


def _session(server: ReplayServer, **overrides: object):  # type: ignore[no-untyped-def]
    return LLMClient(make_settings(server, **overrides)).session()


async def test_fenced_json_is_parsed_and_usage_counted(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("content", content='```json\n{"value": 7}\n```'))
    session = _session(llm_server)
    assert (await session.complete_json(MESSAGES, Answer, max_tokens=50)).value == 7
    assert session.usage.llm_calls == 1
    body = llm_server.requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["value"]


async def test_malformed_json_gets_one_repair_request(llm_server: ReplayServer) -> None:
    llm_server.inject(
        Fault("content", content='{"value": '), Fault("content", content='{"value": 2}')
    )
    session = _session(llm_server)
    assert (await session.complete_json(MESSAGES, Answer, max_tokens=50)).value == 2
    repair = llm_server.requests[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"value": '}
    assert "could not be used" in repair[-1]["content"]


async def test_invalid_twice_is_model_output_invalid(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("content", content="truncated {"), Fault("content", content='{"v": 1}'))
    with pytest.raises(ModelOutputInvalid, match="did not return valid JSON"):
        await _session(llm_server).complete_json(MESSAGES, Answer, max_tokens=50)


async def test_429_waits_for_retry_after_then_succeeds(llm_server: ReplayServer) -> None:
    llm_server.inject(
        Fault("status", status=429, retry_after=1), Fault("content", content='{"value": 1}')
    )
    started = time.monotonic()
    assert (await _session(llm_server).complete_json(MESSAGES, Answer, max_tokens=50)).value == 1
    assert time.monotonic() - started >= 1.0
    assert len(llm_server.requests) == 2


async def test_500s_are_retried_then_reported_unavailable(llm_server: ReplayServer) -> None:
    llm_server.inject(*[Fault("status", status=500)] * 3)
    with pytest.raises(ModelUnavailable, match="unavailable after 2 attempts"):
        await _session(llm_server, llm_max_retries=1).complete_json(MESSAGES, Answer, max_tokens=50)
    assert len(llm_server.requests) == 2


async def test_a_timeout_is_retried(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("delay", seconds=3), Fault("content", content='{"value": 5}'))
    session = _session(llm_server, llm_timeout_s=1.0)
    assert (await session.complete_json(MESSAGES, Answer, max_tokens=50)).value == 5


async def test_connection_refused_is_unavailable_with_the_address(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_api_base="http://127.0.0.1:9/v1", llm_max_retries=0)
    with pytest.raises(ModelUnavailable, match=re.escape("127.0.0.1:9")):
        await LLMClient(settings).session().complete_json(MESSAGES, Answer, max_tokens=50)


async def test_fallback_model_answers_when_the_primary_is_down(llm_server: ReplayServer) -> None:
    # The primary is a dead port; the fallback is the replay server in Ollama's dialect.
    settings = make_settings(
        llm_server,
        llm_api_base="http://127.0.0.1:9/v1",
        llm_max_retries=0,
        llm_fallback_models=f"ollama/replay@{llm_server.url}",
    )
    llm_server.inject(Fault("content", content='{"value": 9}'))
    session = LLMClient(settings).session()
    answered = {"model": "ollama/replay"}
    before = REGISTRY.get_sample_value("fusebrief_llm_calls_total", answered) or 0.0
    assert (await session.complete_json(MESSAGES, Answer, max_tokens=50)).value == 9
    assert [r.dialect for r in llm_server.requests] == ["ollama"]
    # The call is counted for the model that answered, not the one asked.
    assert REGISTRY.get_sample_value("fusebrief_llm_calls_total", answered) == before + 1


async def test_ollama_models_use_the_chat_endpoint(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("content", content='{"value": 4}'))
    session = _session(llm_server, llm_model="ollama/llama3.1", llm_api_base=llm_server.url)
    assert (await session.complete_json(MESSAGES, Answer, max_tokens=50)).value == 4
    request = llm_server.requests[0]
    assert (request.dialect, request.path) == ("ollama", "/api/chat")
    assert request.body["format"]["required"] == ["value"]


def test_only_configured_models_may_be_chosen(llm_server: ReplayServer) -> None:
    client = LLMClient(make_settings(llm_server, llm_fallback_models="openai/other"))
    assert client.session("openai/other").name == "openai/other"
    with pytest.raises(InvalidBundle, match="not offered here"):
        client.session("anthropic/claude-x")


async def test_readiness_probes_the_model_server(llm_server: ReplayServer) -> None:
    assert (await LLMClient(make_settings(llm_server)).ready())[0]
    down = make_settings(llm_server, llm_api_base="http://127.0.0.1:9/v1")
    ready, detail = await LLMClient(down).ready()
    assert not ready and "unreachable" in detail


OVERLOADED = Page(
    '{"error": {"message": "overloaded"}}', status=503, content_type="application/json"
)


async def _ask_each(clients: list[LLMClient], value: int) -> None:
    """One call through each client; every answer must be `value`."""
    for client in clients:
        answer = await client.session().complete_json(MESSAGES, Answer, max_tokens=50)
        assert answer.value == value


@pytest.mark.parametrize("scale_out", [False, True])
async def test_a_failed_primary_cools_down_for_every_later_call(
    llm_server: ReplayServer, request: pytest.FixtureRequest, scale_out: bool
) -> None:
    """One process: later briefs skip the primary. Scale-out: other processes skip it too."""
    shared = {"queue_url": request.getfixturevalue("redis_url")} if scale_out else {}
    with PageServer({"/v1/chat/completions": OVERLOADED}) as primary:
        settings = make_settings(
            llm_server,
            llm_api_base=primary.url + "/v1",
            llm_max_retries=1,
            llm_fallback_models=f"ollama/replay@{llm_server.url}",
            cache="off",  # every call must reach a model
            **shared,
        )
        llm_server.inject(*[Fault("content", content='{"value": 5}')] * 3)
        # Three briefs' calls: through one client (one process), or (scale-out) through three
        # clients with their own routers, standing for three processes on FUSEBRIEF_QUEUE_URL.
        one = LLMClient(settings)
        clients = [LLMClient(settings) for _ in range(3)] if scale_out else [one, one, one]
        await _ask_each(clients, 5)
    # The router fell back on the first failure and cooled the primary down: one request only.
    assert len(primary.requests) == 1
    assert len(llm_server.requests) == 3


async def test_deployments_of_one_model_share_its_calls_and_a_dead_one_cools_down(
    llm_server: ReplayServer,
) -> None:
    # Two `model@api_base` entries of one model are one group of two deployments, not a fallback.
    with PageServer({"/v1/chat/completions": OVERLOADED}) as dead:
        settings = make_settings(
            llm_server,
            llm_max_retries=1,
            llm_fallback_models=f"openai/replay@{dead.url}/v1",
            cache="off",
        )
        client = LLMClient(settings)
        assert client.allowed_models == ["openai/replay"]
        llm_server.inject(*[Fault("content", content='{"value": 8}')] * 20)
        # A random pick misses the dead deployment 20 times in a row once in a million runs.
        await _ask_each([client] * 20, 8)
    assert len(dead.requests) == 1  # picked once (its call retried on the other), then cooled
    assert len(llm_server.requests) == 20


async def test_without_a_fallback_the_primary_is_always_tried(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_max_retries=0)
    llm_server.inject(Fault("status", status=503), Fault("content", content='{"value": 6}'))
    client = LLMClient(settings)
    with pytest.raises(ModelUnavailable):
        await client.session().complete_json(MESSAGES, Answer, max_tokens=50)
    assert (await client.session().complete_json(MESSAGES, Answer, max_tokens=50)).value == 6


def test_a_session_knows_whether_its_model_is_self_hosted(llm_server: ReplayServer) -> None:
    assert not _session(llm_server, llm_model="openai/gpt-4o-mini", llm_api_base=None).self_hosted
    assert _session(llm_server).self_hosted  # the replay server: an api_base
    assert _session(llm_server, llm_model="ollama/qwen2.5", llm_api_base=None).self_hosted
