"""Async briefs as jobs: 202 + Location, polling, progress, idempotency, cancel, failure,
signed webhooks, and jobs that survive a shutdown (through the API, model on the replay server)."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from tests.conftest import load_bundle, make_settings
from tests.support.links import MALFORMED_LINKS
from tests.support.llm_server import Fault, ReplayServer
from tests.support.pages import Page, PageServer

# Two articles: two map calls, one question whether a sentence restates another, a title call.
SMALL = load_bundle("small.json")
BRIEF_CALLS = 4
ASYNC = {**SMALL, "async": True}
FINAL = ("done", "failed", "cancelled")


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, LLMClient(settings)))


def _wait(
    client: TestClient,
    location: str,
    statuses: tuple[str, ...] = FINAL,
    headers: dict[str, str] | None = None,
) -> Any:
    deadline = time.monotonic() + 30
    while True:
        job = client.get(location, headers=headers).json()
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


@pytest.fixture
def client(llm_server: ReplayServer) -> Iterator[TestClient]:
    with _client(make_settings(llm_server)) as test_client:
        yield test_client


def test_an_async_brief_answers_202_at_once_and_the_job_ends_done(client: TestClient) -> None:
    response = client.post("/v1/briefs", json=ASYNC)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location == f"/v1/jobs/{response.json()['id']}"
    assert response.json()["status"] in ("queued", "running")

    job = _wait(client, location)
    assert job["status"] == "done" and job["error"] is None
    assert job["progress"] == {"articles_summarised": 2, "articles_total": 2}
    assert job["attempts"] == 1
    assert job["started_at"] and job["finished_at"] >= job["started_at"]
    assert [s["sid"] for s in job["brief"]["sources"]] == ["S1", "S2"]
    assert job["brief"]["sentences"] and all(s["sources"] for s in job["brief"]["sentences"])


def test_prefer_respond_async_also_makes_a_job(client: TestClient) -> None:
    response = client.post("/v1/briefs", json=SMALL, headers={"Prefer": "respond-async"})
    assert response.status_code == 202
    assert _wait(client, response.headers["location"])["status"] == "done"


def test_the_same_idempotency_key_and_body_return_the_same_job_and_run_once(
    client: TestClient, llm_server: ReplayServer
) -> None:
    headers = {"Idempotency-Key": "order-7"}
    first = client.post("/v1/briefs", json=ASYNC, headers=headers)
    again = client.post("/v1/briefs", json=ASYNC, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    _wait(client, first.headers["location"])
    assert len(llm_server.requests) == BRIEF_CALLS  # one brief's calls, not two

    other = client.post(
        "/v1/briefs", json={**ASYNC, "options": {"max_sentences": 5}}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_an_unknown_job_is_a_404_with_a_message(client: TestClient) -> None:
    for response in (client.get("/v1/jobs/nope"), client.delete("/v1/jobs/nope")):
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "not_found",
            "message": "no job 'nope' here; check the id from the Location header",
        }


def _not_found(job_id: str) -> dict[str, Any]:
    return {
        "error": {
            "code": "not_found",
            "message": f"no job {job_id!r} here; check the id from the Location header",
        }
    }


def test_a_job_belongs_to_the_api_key_that_made_it(
    llm_server: ReplayServer,
) -> None:
    k1, k2 = {"Authorization": "Bearer k1"}, {"Authorization": "Bearer k2"}
    other_body = {**ASYNC, "options": {"max_sentences": 5}}
    with _client(make_settings(llm_server, api_keys="k1,k2")) as client:
        made = client.post("/v1/briefs", json=ASYNC, headers=k1 | {"Idempotency-Key": "order-1"})
        second = client.post("/v1/briefs", json=ASYNC, headers=k1 | {"Idempotency-Key": "order-2"})
        assert made.status_code == second.status_code == 202
        job_id, location = made.json()["id"], made.headers["location"]
        # Another key sees the job exactly as a job that does not exist, and cannot cancel it.
        for response in (client.get(location, headers=k2), client.delete(location, headers=k2)):
            assert response.status_code == 404
            assert response.json() == _not_found(job_id)
        # Reusing k1's Idempotency-Key as k2 makes a job of k2's own, with the same body...
        same = client.post("/v1/briefs", json=ASYNC, headers=k2 | {"Idempotency-Key": "order-1"})
        assert same.status_code == 202 and same.json()["id"] != job_id
        # ... or with another body (no 422 that would tell k2 the key is taken).
        other = client.post(
            "/v1/briefs", json=other_body, headers=k2 | {"Idempotency-Key": "order-2"}
        )
        assert other.status_code == 202 and other.json()["id"] != second.json()["id"]
        # k2's own key is idempotent for k2.
        again = client.post("/v1/briefs", json=ASYNC, headers=k2 | {"Idempotency-Key": "order-1"})
        assert again.json()["id"] == same.json()["id"]
        finished = _wait(client, location, headers=k1)
        assert finished["status"] == "done" and finished["brief"]
        assert client.get(location, headers=k2).status_code == 404  # not even once done


def test_bundle_limits_are_checked_when_the_job_is_submitted(llm_server: ReplayServer) -> None:
    with _client(make_settings(llm_server, max_articles=1)) as client:
        response = client.post("/v1/briefs", json=ASYNC)
    assert response.status_code == 413
    assert "FUSEBRIEF_MAX_ARTICLES" in response.json()["error"]["message"]


def test_a_model_failure_ends_the_job_failed_with_the_reason(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, llm_api_base="http://127.0.0.1:9/v1", llm_max_retries=1)
    with _client(settings) as client:
        job = _wait(client, client.post("/v1/briefs", json=ASYNC).headers["location"])
    assert job["status"] == "failed" and job["brief"] is None
    assert job["error"]["code"] == "model_unavailable"
    assert "unavailable after 2 attempts" in job["error"]["message"]
    assert "127.0.0.1:9" in job["error"]["message"]


def test_cancelling_a_running_job_stops_it_and_it_stays_cancelled(
    llm_server: ReplayServer,
) -> None:
    llm_server.inject(Fault("delay", seconds=2.0))
    with _client(make_settings(llm_server, llm_max_parallel=1)) as client:
        location = client.post("/v1/briefs", json=ASYNC).headers["location"]
        _wait(client, location, ("running",))
        cancelled = client.delete(location)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        time.sleep(2.5)  # past the slow call: the job must not come back as done
        job = client.get(location).json()
    assert job["status"] == "cancelled" and job["brief"] is None


def test_a_queued_job_cancelled_never_runs(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("delay", seconds=1.0))
    with _client(make_settings(llm_server, job_workers=1, llm_max_parallel=1)) as client:
        busy = client.post("/v1/briefs", json=ASYNC).headers["location"]
        waiting = client.post(
            "/v1/briefs", json={**ASYNC, "options": {"max_sentences": 6}}
        ).headers["location"]
        assert client.delete(waiting).json()["status"] == "cancelled"
        assert _wait(client, busy)["status"] == "done"
        assert client.get(waiting).json()["status"] == "cancelled"
    assert len(llm_server.requests) == BRIEF_CALLS  # only the first job's calls


def _signature_ok(secret: str, header: str, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(parts["v1"], expected.hexdigest())


def test_a_callback_gets_the_finished_job_signed_and_is_retried(
    llm_server: ReplayServer,
) -> None:
    receiver = {"/hook": [Page("busy", status=503), Page("ok")]}
    settings = make_settings(
        llm_server, webhook_secret="s3cret", webhook_allow_private=True, webhook_backoff_s=0.05
    )
    with PageServer(receiver) as site, _client(settings) as client:
        response = client.post("/v1/briefs", json={**ASYNC, "callback_url": site.url + "/hook"})
        job = _wait(client, response.headers["location"])
        deadline = time.monotonic() + 10
        while len(site.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [r.path for r in site.received] == ["/hook", "/hook"]  # failed once, then delivered
    delivered = site.received[-1]
    assert _signature_ok("s3cret", delivered.headers["x-fusebrief-signature"], delivered.body)
    assert not _signature_ok("other", delivered.headers["x-fusebrief-signature"], delivered.body)
    assert json.loads(delivered.body) == job


def test_a_callback_needs_a_server_secret_and_a_public_address(llm_server: ReplayServer) -> None:
    with _client(make_settings(llm_server)) as client:
        no_secret = client.post("/v1/briefs", json={**ASYNC, "callback_url": "https://a.example/h"})
    assert no_secret.status_code == 422
    assert "FUSEBRIEF_WEBHOOK_SECRET" in no_secret.json()["error"]["message"]

    with _client(make_settings(llm_server, webhook_secret="s")) as client:
        private = client.post("/v1/briefs", json={**ASYNC, "callback_url": "http://127.0.0.1:9/h"})
    assert private.status_code == 422
    assert "private or local address; refused" in private.json()["error"]["message"]
    assert llm_server.requests == []


@pytest.mark.parametrize("url", MALFORMED_LINKS)
def test_a_malformed_callback_url_is_a_422_saying_so(llm_server: ReplayServer, url: str) -> None:
    with _client(make_settings(llm_server, webhook_secret="s")) as client:
        response = client.post("/v1/briefs", json={**ASYNC, "callback_url": url})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"{url}: not a valid link (")
    assert llm_server.requests == []


def test_a_job_running_at_shutdown_is_handed_back_and_finishes_after_restart(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server, llm_max_parallel=1)
    llm_server.inject(Fault("delay", seconds=1.0))
    with _client(settings) as client:
        location = client.post("/v1/briefs", json=ASYNC).headers["location"]
        _wait(client, location, ("running",))
    # The app stopped mid-job; a new one on the same data dir picks the job up.
    with _client(settings) as client:
        job = _wait(client, location)
    assert job["status"] == "done"
    assert job["attempts"] == 1  # handed back, not counted as a failed attempt
