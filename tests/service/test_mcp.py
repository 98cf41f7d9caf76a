"""`fusebrief mcp`: the official MCP SDK's own client starts the server as a child process (stdio)
with the replay model configured through the environment, lists the tools and calls `brief`;
and the same tool over streamable HTTP."""

import os
import time
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import free_port, fresh_data_dir
from tests.support import canned
from tests.support.links import MALFORMED_LINKS
from tests.support.llm_server import ReplayServer
from tests.support.processes import FUSEBRIEF, Child, poll


@pytest.fixture
def env(llm_server: ReplayServer) -> dict[str, str]:
    """The child's settings: the replay model, a fresh data dir, and canned.SETTINGS."""
    values = {k: v for k, v in os.environ.items() if not k.startswith("FUSEBRIEF_")}
    values.update(
        FUSEBRIEF_LLM_MODEL="openai/replay",
        FUSEBRIEF_LLM_API_BASE=llm_server.url + "/v1",
        FUSEBRIEF_LLM_API_KEY="test-key",
        FUSEBRIEF_LLM_CONTEXT_TOKENS="8192",
        FUSEBRIEF_LLM_TIMEOUT_S="30",
        FUSEBRIEF_DATA_DIR=str(fresh_data_dir()),
        FUSEBRIEF_LOG_LEVEL="warning",
    )
    values.update({"FUSEBRIEF_" + k.upper(): str(v) for k, v in canned.SETTINGS.items()})
    return values


def _check_brief(result: Any) -> None:
    assert not result.is_error, result.content
    markdown = result.content[0].text
    assert markdown.startswith("# " + canned.TITLE_REPLY["title"])
    assert "[S1, S2]" in markdown and "## Where the sources disagree" in markdown
    brief = result.structured_content
    assert brief["title"] == canned.TITLE_REPLY["title"]
    assert [s["sources"] for s in brief["sentences"]] == [["S1"], ["S1", "S2"], ["S1"], ["S2"]]
    assert all(s["evidence"] for s in brief["sentences"])
    assert brief["excluded"][0]["sid"] == "S3" and "off-topic" in brief["excluded"][0]["reason"]


async def test_an_mcp_client_lists_the_brief_tool_and_calls_it_over_stdio(
    env: dict[str, str], llm_server: ReplayServer
) -> None:
    started = time.monotonic()
    llm_server.inject(*canned.replies())
    messages: list[str] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        messages.append(message or "")

    server = StdioServerParameters(command=FUSEBRIEF, args=["mcp"], env=env)
    async with Client(server) as client:
        [tool] = (await client.list_tools()).tools
        result = await client.call_tool(
            "brief", {"articles": canned.ARTICLES}, progress_callback=progress
        )
        empty = await client.call_tool("brief", {})
        refused = await client.call_tool("brief", {"urls": ["http://127.0.0.1:9/story"]})
        malformed = [await client.call_tool("brief", {"urls": [u]}) for u in MALFORMED_LINKS]
    assert tool.name == "brief"
    assert {"articles", "urls", "language", "max_sentences"} <= set(tool.input_schema["properties"])
    assert tool.output_schema is not None and "sentences" in tool.output_schema["properties"]
    _check_brief(result)
    assert messages[0] == "cleaning the articles 3/3"
    assert any(m.startswith("extracting facts 2/2") for m in messages)
    assert empty.is_error and empty.structured_content["error"]["code"] == "invalid_request"
    error = refused.structured_content["error"]  # the link guard: loopback refused
    assert refused.is_error and error["code"] == "invalid_request" and "private" in error["message"]
    for link, answer in zip(MALFORMED_LINKS, malformed, strict=True):
        error = answer.structured_content["error"]
        assert answer.is_error and error["code"] == "invalid_request"
        assert error["message"].startswith(f"{link}: not a valid link (")
    print(f"MCP stdio test: {time.monotonic() - started:.1f} s")


async def test_the_brief_tool_over_streamable_http_behind_the_api_keys(
    env: dict[str, str], llm_server: ReplayServer
) -> None:
    port = free_port()
    child = Child(["mcp", "--http", "--port", str(port)], env | {"FUSEBRIEF_API_KEYS": "mk"})
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        # Up (answering), or dead: importing litellm and the SDK takes a while on a busy machine.
        refused = poll(lambda: child.process.poll() is not None or _get(url), timeout=120)
        assert child.process.poll() is None, "fusebrief mcp --http exited"
        llm_server.inject(*canned.replies())
        keyed = httpx2.AsyncClient(headers={"Authorization": "Bearer mk"}, timeout=60)
        async with keyed, Client(streamable_http_client(url, http_client=keyed)) as client:
            result = await client.call_tool("brief", {"articles": canned.ARTICLES})
    finally:
        child.stop(15)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    _check_brief(result)


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
