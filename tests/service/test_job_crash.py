"""Crash tests with real processes: a worker is killed (SIGKILL) or stopped (SIGTERM) mid-job,
another takes over, and every submitted job completes exactly once. Embedded mode (the service
process is the worker) and scale-out mode (Redis + `fusebrief worker` processes)."""

import os
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.llm import LLMClient
from tests.conftest import free_port, fresh_data_dir, load_bundle, make_settings
from tests.support.llm_server import Fault, ReplayServer
from tests.support.processes import Child, poll
from tests.support.sse import parse

JOBS = 3
ASYNC = {**load_bundle("small.json"), "async": True}


@pytest.fixture
def env(llm_server: ReplayServer) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("FUSEBRIEF_")}
    values.update(
        FUSEBRIEF_LLM_MODEL="openai/replay",
        FUSEBRIEF_LLM_API_BASE=llm_server.url + "/v1",
        FUSEBRIEF_LLM_CONTEXT_TOKENS="8192",
        FUSEBRIEF_LLM_TIMEOUT_S="30",
        FUSEBRIEF_DATA_DIR=str(fresh_data_dir()),
        FUSEBRIEF_CACHE="off",  # every completed brief then shows as one fuse call
        FUSEBRIEF_JOB_LEASE_S="2",
        FUSEBRIEF_JOB_WORKERS="1",
    )
    return values


def _title_calls(server: ReplayServer) -> int:
    """Title calls: one per brief, the last call a brief makes."""
    return sum(
        r.body.get("response_format", {}).get("json_schema", {}).get("name") == "TitleOutput"
        for r in server.requests
    )


class Service(Child):
    """`fusebrief serve` on a free loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        super().__init__(["serve", "--port", self.url.rsplit(":", 1)[1]], env)
        poll(self._up, timeout=30)

    def _up(self) -> bool:
        try:
            return httpx.get(self.url + "/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def job(self, location: str) -> dict[str, Any]:
        job: dict[str, Any] = httpx.get(self.url + location).json()
        return job


def test_embedded_jobs_of_a_killed_service_complete_exactly_once_after_restart(
    env: dict[str, str], llm_server: ReplayServer
) -> None:
    llm_server.inject(Fault("delay", seconds=2.0))  # the first model call hangs: kill then
    first = Service(env)
    try:
        locations = [
            httpx.post(first.url + "/v1/briefs", json=ASYNC).raise_for_status().headers["location"]
            for _ in range(JOBS)
        ]
        poll(lambda: first.job(locations[0])["status"] == "running" and llm_server.requests)
    finally:
        first.stop(signal.SIGKILL)

    second = Service(env)
    try:
        poll(lambda: all(second.job(loc)["status"] == "done" for loc in locations))
        jobs = [second.job(loc) for loc in locations]
    finally:
        second.stop(signal.SIGTERM)
    assert jobs[0]["attempts"] == 2  # taken over after the killed worker's lease ran out
    assert [j["attempts"] for j in jobs[1:]] == [1] * (JOBS - 1)
    assert _title_calls(llm_server) == JOBS  # each job completed once, none twice


@pytest.fixture
def api(llm_server: ReplayServer, redis_url: str, env: dict[str, str]) -> Iterator[TestClient]:
    """An API process in scale-out mode: it queues jobs in Redis and runs none itself."""
    env["FUSEBRIEF_QUEUE_URL"] = redis_url
    settings = make_settings(llm_server, queue_url=redis_url, cache="off")
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        yield client


def _submit(api: TestClient) -> list[str]:
    return [api.post("/v1/briefs", json=ASYNC).headers["location"] for _ in range(JOBS)]


def _all_done(api: TestClient, locations: list[str]) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        jobs = [api.get(loc).json() for loc in locations]
        return jobs if all(j["status"] == "done" for j in jobs) else None

    return poll(done)


def test_redis_jobs_wait_for_a_worker_and_two_workers_share_them(
    api: TestClient, env: dict[str, str], llm_server: ReplayServer
) -> None:
    locations = _submit(api)
    assert {api.get(loc).json()["status"] for loc in locations} == {"queued"}  # no worker yet
    settings = api.app.state.settings  # type: ignore[attr-defined]
    workers = [Child(["worker"], env) for _ in range(2)]
    try:  # another API process (or this one restarted) sees the same jobs
        with TestClient(create_app(settings, LLMClient(settings))) as restarted:
            jobs = _all_done(restarted, locations)
    finally:
        for worker in workers:
            worker.stop(signal.SIGTERM)
    assert [j["attempts"] for j in jobs] == [1] * JOBS
    assert all(j["brief"]["sentences"] for j in jobs)
    assert _title_calls(llm_server) == JOBS


@pytest.mark.parametrize(("sig", "attempts"), [(signal.SIGKILL, 2), (signal.SIGTERM, 1)])
def test_redis_jobs_of_a_stopped_worker_complete_exactly_once_on_another(
    api: TestClient, env: dict[str, str], llm_server: ReplayServer, sig: int, attempts: int
) -> None:
    llm_server.inject(Fault("delay", seconds=2.0))  # the first model call hangs: stop then
    locations = _submit(api)
    first = Child(["worker"], env)
    try:
        poll(lambda: api.get(locations[0]).json()["status"] == "running" and llm_server.requests)
    finally:
        first.stop(sig)  # SIGKILL: the lease runs out; SIGTERM: the job is handed back
    second = Child(["worker"], env)
    try:
        jobs = _all_done(api, locations)
    finally:
        second.stop(signal.SIGTERM)
    assert jobs[0]["attempts"] == attempts
    assert _title_calls(llm_server) == JOBS  # each job completed once, none twice
    events, _ = parse(api.get(locations[0] + "/events").text)
    restarted = [e for e in events if e.type == "warning" and "attempt 2" in e.data["message"]]
    assert len(restarted) == (attempts - 1)
    assert events[-1].type == "brief" and events[-1].data == jobs[0]["brief"]


def test_scale_out_api_runs_synchronous_briefs_on_workers_and_relays_their_errors(
    api: TestClient, env: dict[str, str]
) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200 and "job queue is reachable" in ready.json()["detail"]
    junk = {"articles": [{"title": "Ad", "source": "X", "text": "Advertisement"}]}
    worker = Child(["worker"], env)
    try:
        brief = api.post("/v1/briefs", json=load_bundle("small.json"))
        markdown = api.post(
            "/v1/briefs", json=load_bundle("small.json"), headers={"Accept": "text/markdown"}
        )
        refused = api.post("/v1/briefs", json=junk)
        streamed = api.post(
            "/v1/briefs", json=load_bundle("small.json"), headers={"Accept": "text/event-stream"}
        )
    finally:
        worker.stop(signal.SIGTERM)
    events, _ = parse(streamed.text)  # the worker's stages, relayed through the job store
    assert [e.data["stage"] for e in events if e.type == "stage"][:2] == ["clean", "identify"]
    assert events[-1].type == "brief" and events[-1].data["title"] == brief.json()["title"]
    assert brief.status_code == 200 and brief.json()["sentences"]
    assert markdown.text.startswith("# " + brief.json()["title"])
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_request"
    assert refused.json()["error"]["message"].startswith("no article has any text left")
