"""Tests for the loopback LLM replay fixture server (tests/support/llm_server.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import httpx
import litellm
import pytest
from litellm.exceptions import NotFoundError, ServiceUnavailableError, Timeout

from tests.support.llm_server import Fault, ReplayServer, request_key

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"headline": {"type": "string"}, "sources": {"type": "array"}},
    "required": ["headline", "sources"],
    "additionalProperties": False,
}
RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "brief", "schema": SCHEMA, "strict": True},
}
# The user turn is sent as content parts to exercise normalisation: litellm forwards the
# list as-is to OpenAI but flattens it to "Summarise: A. B." for Ollama.
MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You write neutral news briefs."},
    {
        "role": "user",
        "content": [{"type": "text", "text": "Summarise: "}, {"type": "text", "text": "A. B."}],
    },
]
FLAT_MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You write neutral news briefs."},
    {"role": "user", "content": "Summarise: A. B."},
]
CONTENT = '{"headline": "Ünïcode brief", "sources": [1, 2]}'


def write_recording(
    directory: Path,
    messages: list[dict[str, Any]],
    schema: dict[str, Any] | None,
    content: str,
    prompt_tokens: int = 42,
    completion_tokens: int = 17,
) -> str:
    key = request_key(messages, schema)
    directory.mkdir(parents=True, exist_ok=True)
    recording = {
        "key": key,
        "request": {"messages": messages, "schema": schema},
        "response": {
            "content": content,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
        },
    }
    (directory / f"{key}.json").write_text(
        json.dumps(recording, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return key


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def server(recordings: Path) -> Iterator[ReplayServer]:
    recordings.mkdir()
    with ReplayServer(recordings) as replay:
        yield replay


async def test_openai_dialect_replays_content_and_usage(
    server: ReplayServer, recordings: Path
) -> None:
    key = write_recording(recordings, FLAT_MESSAGES, SCHEMA, CONTENT)

    response: Any = await litellm.acompletion(
        model="openai/anything",
        api_base=server.url + "/v1",
        api_key="test",
        messages=MESSAGES,
        response_format=RESPONSE_FORMAT,
        temperature=0.7,
        max_tokens=300,
        num_retries=0,
    )

    assert response.choices[0].message.content == CONTENT
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.prompt_tokens == 42
    assert response.usage.completion_tokens == 17
    assert response.usage.total_tokens == 59
    [seen] = server.requests
    assert seen.dialect == "openai"
    assert seen.path == "/v1/chat/completions"
    assert seen.key == key
    assert seen.body["model"] == "anything"
    assert seen.headers["authorization"] == "Bearer test"
    assert server.misses == []


async def test_ollama_dialect_replays_the_same_recording(
    server: ReplayServer, recordings: Path
) -> None:
    key = write_recording(recordings, FLAT_MESSAGES, SCHEMA, CONTENT)

    response: Any = await litellm.acompletion(
        model="ollama_chat/some-other-model",
        api_base=server.url,
        api_key="test",
        messages=MESSAGES,
        response_format=RESPONSE_FORMAT,
        max_tokens=300,
        num_retries=0,
    )

    assert response.choices[0].message.content == CONTENT
    assert response.usage.prompt_tokens == 42
    assert response.usage.completion_tokens == 17
    [seen] = server.requests
    assert seen.dialect == "ollama"
    assert seen.path == "/api/chat"
    assert seen.key == key
    # litellm sends the inner JSON schema as Ollama's `format` and flattens content parts.
    assert seen.body["format"] == SCHEMA
    assert seen.body["messages"][1]["content"] == "Summarise: A. B."
    assert seen.body["options"]["num_predict"] == 300
    assert seen.body["stream"] is False


@pytest.mark.parametrize(
    ("model", "suffix"), [("openai/anything", "/v1"), ("ollama_chat/anything", "")]
)
async def test_streaming_replays_content_and_usage(
    server: ReplayServer, recordings: Path, model: str, suffix: str
) -> None:
    write_recording(recordings, FLAT_MESSAGES, {"type": "object"}, CONTENT)

    stream: Any = await litellm.acompletion(
        model=model,
        api_base=server.url + suffix,
        api_key="test",
        messages=MESSAGES,
        response_format={"type": "json_object"},
        stream=True,
        stream_options={"include_usage": True},
        num_retries=0,
    )
    text = ""
    usage: Any = None
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if getattr(chunk, "usage", None):
            usage = chunk.usage

    assert text == CONTENT
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (42, 17)
    assert server.requests[0].body["stream"] is True


async def test_status_fault_with_retry_after_reaches_raw_client(
    server: ReplayServer, recordings: Path
) -> None:
    write_recording(recordings, FLAT_MESSAGES, None, "plain answer")
    server.inject(Fault("status", status=429, retry_after=2))
    body = {"model": "m", "messages": FLAT_MESSAGES}

    async with httpx.AsyncClient(base_url=server.url) as client:
        limited = await client.post("/v1/chat/completions", json=body)
        recovered = await client.post("/v1/chat/completions", json=body)

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert limited.json()["error"]["type"] == "rate_limit_error"
    assert recovered.status_code == 200
    assert recovered.json()["choices"][0]["message"]["content"] == "plain answer"
    assert [r.key for r in server.requests] == [request_key(FLAT_MESSAGES, None)] * 2


async def test_faults_are_consumed_in_order_through_litellm(
    server: ReplayServer, recordings: Path
) -> None:
    write_recording(recordings, FLAT_MESSAGES, None, "plain answer")
    server.inject(
        Fault("status", status=503),
        Fault("content", content="```json\n{not json\n```"),
        Fault("delay", seconds=5.0),
    )
    kwargs: dict[str, Any] = {
        "model": "openai/anything",
        "api_base": server.url + "/v1",
        "api_key": "test",
        "messages": FLAT_MESSAGES,
        "num_retries": 0,
    }

    with pytest.raises(ServiceUnavailableError):
        await litellm.acompletion(**kwargs)
    scripted: Any = await litellm.acompletion(**kwargs)
    with pytest.raises(Timeout):
        await litellm.acompletion(**kwargs, timeout=0.3)
    normal: Any = await litellm.acompletion(**kwargs)

    assert scripted.choices[0].message.content == "```json\n{not json\n```"
    assert normal.choices[0].message.content == "plain answer"
    assert len(server.requests) == 4  # num_retries=0: no hidden client retries

    server.inject(Fault("status", status=500))
    server.reset()
    again: Any = await litellm.acompletion(**kwargs)
    assert again.choices[0].message.content == "plain answer"
    assert len(server.requests) == 1


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/chat/completions", "/api/chat"])
async def test_miss_returns_404_and_is_listed(
    server: ReplayServer, recordings: Path, path: str
) -> None:
    messages = [{"role": "user", "content": "never recorded"}]
    key = request_key(messages, None)

    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(path, json={"model": "m", "messages": messages})

    assert response.status_code == 404
    assert f"no recording for request {key} in {recordings}" in response.text
    assert "re-record with FUSEBRIEF_RECORD=1" in response.text
    assert server.misses == [key]


async def test_miss_through_litellm_is_not_found(server: ReplayServer) -> None:
    with pytest.raises(NotFoundError, match="no recording for request"):
        await litellm.acompletion(
            model="openai/anything",
            api_base=server.url + "/v1",
            api_key="test",
            messages=[{"role": "user", "content": "never recorded"}],
            num_retries=0,
        )
    assert len(server.misses) == 1


async def test_recorder_forwards_misses_upstream_and_saves_them(tmp_path: Path) -> None:
    upstream_dir = tmp_path / "upstream"
    local_dir = tmp_path / "local"
    key = write_recording(upstream_dir, FLAT_MESSAGES, SCHEMA, CONTENT, 100, 20)

    with (
        ReplayServer(upstream_dir) as upstream,
        ReplayServer(local_dir, upstream=upstream.url + "/v1", upstream_model="qwen") as recorder,
    ):
        first: Any = await litellm.acompletion(
            model="ollama_chat/anything",
            api_base=recorder.url,
            messages=MESSAGES,
            response_format=RESPONSE_FORMAT,
            max_tokens=256,
            num_retries=0,
        )
        second: Any = await litellm.acompletion(
            model="openai/anything",
            api_base=recorder.url + "/v1",
            api_key="test",
            messages=MESSAGES,
            response_format=RESPONSE_FORMAT,
            num_retries=0,
        )

        assert first.choices[0].message.content == CONTENT
        assert second.choices[0].message.content == CONTENT
        assert (second.usage.prompt_tokens, second.usage.completion_tokens) == (100, 20)
        [forwarded] = upstream.requests  # the second call was served from the new file
        assert forwarded.key == key
        assert forwarded.body["model"] == "qwen"
        assert forwarded.body["temperature"] == 0
        assert forwarded.body["max_tokens"] == 256
        assert forwarded.body["response_format"]["json_schema"]["schema"] == SCHEMA
        assert recorder.misses == []

    saved_path = local_dir / f"{key}.json"
    text = saved_path.read_text(encoding="utf-8")
    assert "Ünïcode" in text  # ensure_ascii=False
    assert text.startswith('{\n  "key"')  # indent=2
    saved = json.loads(text)
    assert saved == {
        "key": key,
        "request": {"messages": FLAT_MESSAGES, "schema": SCHEMA},
        "response": {"content": CONTENT, "prompt_tokens": 100, "completion_tokens": 20},
    }


async def test_discovery_endpoints(server: ReplayServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        models = (await client.get("/v1/models")).json()
        tags = (await client.get("/api/tags")).json()
        health = (await client.get("/health")).json()

    assert models == {"object": "list", "data": [{"id": "local", "object": "model"}]}
    assert tags == {"models": [{"name": "local"}]}
    assert health == {"status": "ok"}
    assert server.requests == []


def test_request_key_ignores_everything_but_roles_contents_and_schema() -> None:
    key = request_key(FLAT_MESSAGES, SCHEMA)
    assert len(key) == 20
    assert all(c in "0123456789abcdef" for c in key)
    with_extras = [{**m, "name": "x"} for m in FLAT_MESSAGES]
    assert request_key(with_extras, SCHEMA) == key
    reordered_schema = dict(reversed(list(SCHEMA.items())))
    assert request_key(FLAT_MESSAGES, reordered_schema) == key
    assert request_key(FLAT_MESSAGES, None) != key
    assert request_key(FLAT_MESSAGES[1:], SCHEMA) != key


def test_stop_is_idempotent_and_server_restarts_on_a_new_port(recordings: Path) -> None:
    replay = ReplayServer(recordings).start()
    first_url = replay.url
    replay.stop()
    replay.stop()
    with replay:
        assert replay.url.startswith("http://127.0.0.1:")
        assert httpx.get(replay.url + "/health").json() == {"status": "ok"}
    assert first_url.startswith("http://127.0.0.1:")
