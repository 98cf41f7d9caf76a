"""Live briefs over Server-Sent Events: `POST /v1/briefs` with `Accept: text/event-stream` and
`GET /v1/jobs/{id}/events` (resumable with Last-Event-ID); the model is the replay server."""

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from service.progress import STAGE_LABELS
from tests.conftest import load_bundle, make_settings
from tests.support.live import live_server
from tests.support.llm_server import Fault, ReplayServer
from tests.support.processes import poll
from tests.support.sse import Event, parse

SMALL = load_bundle("small.json")  # two articles: two map calls and one fuse call
STREAM = {"Accept": "text/event-stream"}


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, LLMClient(settings)))


@pytest.fixture
def client(llm_server: ReplayServer) -> Iterator[TestClient]:
    with _client(make_settings(llm_server)) as test_client:
        yield test_client


def _stream(client: TestClient, method: str, url: str, **kwargs: Any) -> list[Event]:
    response = client.request(method, url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events, _ = parse(response.text)
    return events


def _same_brief(one: dict[str, Any], other: dict[str, Any]) -> None:
    """The same brief, but for its id and what the reply cache saved the second time."""
    skip = {"id", "usage"}
    assert {k: v for k, v in one.items() if k not in skip} == {
        k: v for k, v in other.items() if k not in skip
    }


def _wait(client: TestClient, location: str) -> Any:
    deadline = time.monotonic() + 30
    while (job := client.get(location).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def test_a_streamed_brief_sends_each_stage_then_the_brief_of_the_synchronous_call(
    client: TestClient,
) -> None:
    events = _stream(client, "POST", "/v1/briefs", json=SMALL, headers=STREAM)
    stages = [e.data for e in events if e.type == "stage"]
    assert [e.type for e in events[: len(stages)]] == ["stage"] * len(stages)
    assert events[-1].type == "brief"
    assert [int(e.id or 0) for e in events] == list(range(1, len(events) + 1))

    assert [s["stage"] for s in stages[:2]] == ["clean", "identify"]
    maps = [(s["done"], s["total"]) for s in stages if s["stage"] == "map"]
    assert maps[0] == (0, 2) and maps[-1] == (2, 2) and len(maps) == 3
    assert {s["detail"] for s in stages if s["stage"] == "map" and s["done"]} == {"S1", "S2"}
    assert all(s["label"] == STAGE_LABELS[s["stage"]] for s in stages)
    elapsed = [s["elapsed_s"] for s in stages]
    assert elapsed == sorted(elapsed)

    brief = events[-1].data
    warnings = [e.data["message"] for e in events if e.type == "warning"]
    assert warnings == brief["warnings"]
    synchronous = client.post("/v1/briefs", json=SMALL).json()
    _same_brief(brief, synchronous)


def test_a_failed_streamed_brief_ends_with_the_error_of_the_synchronous_call(
    client: TestClient, llm_server: ReplayServer
) -> None:
    llm_server.inject(*[Fault("content", content="Sorry, I cannot help with that.")] * 4)
    events = _stream(client, "POST", "/v1/briefs", json=SMALL, headers=STREAM)
    assert events[-1].type == "error"
    assert events[-1].data["error"]["code"] == "model_output_invalid"
    assert "even after a repair request" in events[-1].data["error"]["message"]
    assert not [e for e in events if e.type == "brief"]


def test_errors_before_the_brief_starts_are_plain_http_errors(client: TestClient) -> None:
    response = client.post("/v1/briefs", json={"articles": []}, headers=STREAM)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    too_many = client.post("/v1/briefs", json={"articles": SMALL["articles"] * 30}, headers=STREAM)
    assert too_many.status_code == 413
    assert too_many.json()["error"]["code"] == "too_large"


def test_keep_alive_comments_flow_while_the_model_works(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("delay", seconds=1.0))
    with _client(make_settings(llm_server, sse_ping_s=0.2, llm_max_parallel=1)) as client:
        response = client.post("/v1/briefs", json=SMALL, headers=STREAM)
    events, comments = parse(response.text)
    assert events[-1].type == "brief"
    assert len([c for c in comments if c.startswith("ping")]) >= 2


def test_a_client_that_disconnects_cancels_the_brief(llm_server: ReplayServer) -> None:
    # Both map calls hang for a while; left alone, the brief would then make its fuse call.
    llm_server.inject(Fault("delay", seconds=2.0), Fault("delay", seconds=2.0))
    settings = make_settings(llm_server)
    with live_server(create_app(settings, LLMClient(settings))) as url:
        with httpx.stream(
            "POST", url + "/v1/briefs", json=SMALL, headers=STREAM, timeout=10
        ) as response:
            lines = response.iter_lines()  # kept: a dropped iterator closes the connection
            while not next(lines).startswith('data: {"stage": "map"'):
                pass
            poll(lambda: len(llm_server.requests) == 2, timeout=30)  # both calls hang: hang up
        time.sleep(3.0)  # past the slow calls
    assert len(llm_server.requests) == 2, [r.path for r in llm_server.requests]


def test_a_jobs_events_stream_its_stages_then_its_brief_and_resume_after_last_event_id(
    client: TestClient,
) -> None:
    location = client.post("/v1/briefs", json={**SMALL, "async": True}).headers["location"]
    events = _stream(client, "GET", location + "/events")  # follows the job while it runs
    assert events[0].type == "stage" and events[0].data["stage"] == "clean"
    assert events[-1].type == "brief"
    assert [int(e.id or 0) for e in events] == list(range(1, len(events) + 1))
    job = client.get(location).json()
    assert events[-1].data == job["brief"]
    assert [e.data["message"] for e in events if e.type == "warning"] == job["brief"]["warnings"]

    again = _stream(client, "GET", location + "/events")  # a finished job: the same events
    assert [(e.type, e.id) for e in again] == [(e.type, e.id) for e in events]
    resumed = _stream(client, "GET", location + "/events", headers={"Last-Event-ID": "3"})
    assert [e.id for e in resumed] == [e.id for e in events[3:]]
    seen_all = {"Last-Event-ID": str(events[-1].id)}
    assert _stream(client, "GET", location + "/events", headers=seen_all) == []


def test_a_failed_or_cancelled_jobs_events_end_with_its_error(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server, llm_api_base="http://127.0.0.1:9/v1", llm_max_retries=0)
    with _client(settings) as client:
        failed = client.post("/v1/briefs", json={**SMALL, "async": True}).headers["location"]
        job = _wait(client, failed)
        events = _stream(client, "GET", failed + "/events")
    assert events[-1].type == "error"
    assert events[-1].data == {"error": job["error"]}
    assert job["error"]["code"] == "model_unavailable"

    llm_server.inject(Fault("delay", seconds=2.0))
    with _client(make_settings(llm_server, llm_max_parallel=1)) as client:
        location = client.post("/v1/briefs", json={**SMALL, "async": True}).headers["location"]
        client.delete(location)
        events = _stream(client, "GET", location + "/events")
        missing = client.get("/v1/jobs/nope/events")
    assert events[-1].type == "error" and events[-1].data["error"]["code"] == "job_cancelled"
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_job_event_log_is_what_the_stream_sends(client: TestClient) -> None:
    location = client.post("/v1/briefs", json={**SMALL, "async": True}).headers["location"]
    _wait(client, location)
    queue = client.app.state.jobs  # type: ignore[attr-defined]
    total, stored = client.portal.call(queue.events, location.rsplit("/", 1)[1], 0)  # type: ignore[union-attr]
    assert total == len(stored) and [n for n, _ in stored] == list(range(1, total + 1))
    assert {e["type"] for _, e in stored} == {"stage"}
    assert json.dumps(stored[0][1]["data"]["stage"]) == '"clean"'
