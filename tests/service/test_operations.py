"""Guard rails and operations: the per-caller rate limit (429 + Retry-After), the bundle token
limit, request ids, JSON logs without article text or keys, and Prometheus metrics."""

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from service.logs import JsonFormatter
from tests.conftest import load_bundle, make_settings
from tests.support.llm_server import ReplayServer

SMALL = load_bundle("small.json")


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, LLMClient(settings)))


def test_a_caller_over_the_rate_limit_gets_429_with_retry_after(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, rate_limit_per_minute=2, api_keys=["k1", "k2"])
    with _client(settings) as client:
        one = {"Authorization": "Bearer k1"}
        answers = [client.post("/v1/briefs", json=SMALL, headers=one) for _ in range(3)]
        other_key = client.post("/v1/briefs", json=SMALL, headers={"Authorization": "Bearer k2"})
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert 1 <= int(refused.headers["retry-after"]) <= 61
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "FUSEBRIEF_RATE_LIMIT_PER_MINUTE" in refused.json()["error"]["message"]
    assert other_key.status_code == 200  # the limit is per key


def test_the_rate_limit_is_shared_through_redis(llm_server: ReplayServer, redis_url: str) -> None:
    settings = make_settings(llm_server, rate_limit_per_minute=1, queue_url=redis_url)
    queued = {**SMALL, "async": True}  # answered 202 at once: no worker is needed
    with _client(settings) as first, _client(settings) as second:
        assert first.post("/v1/briefs", json=queued).status_code == 202
        assert second.post("/v1/briefs", json=queued).status_code == 429


def test_a_bundle_over_the_token_limit_is_413(llm_server: ReplayServer) -> None:
    with _client(make_settings(llm_server, max_bundle_tokens=1000)) as client:
        articles = [
            article | {"id": f"{article['id']}-copy-{n}"}
            for n in range(4)
            for article in SMALL["articles"]
        ]
        response = client.post("/v1/briefs", json={"articles": articles})
    assert response.status_code == 413
    assert "FUSEBRIEF_MAX_BUNDLE_TOKENS" in response.json()["error"]["message"]
    assert llm_server.requests == []


@pytest.fixture
def client(llm_server: ReplayServer) -> Iterator[TestClient]:
    with _client(make_settings(llm_server)) as test_client:
        yield test_client


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    new = client.get("/healthz").headers["x-request-id"]
    assert len(new) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\nwith newline"


def test_logs_are_json_with_the_request_id_and_no_article_text_or_key(
    llm_server: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(llm_server, api_keys=["secret-key-123"])
    with caplog.at_level(logging.INFO), _client(settings) as client:
        client.post(
            "/v1/briefs",
            json=SMALL,
            headers={"Authorization": "Bearer secret-key-123", "X-Request-ID": "req-7"},
        )
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    access = [line for line in lines if line["message"].startswith("POST /v1/briefs")]
    assert access and access[0]["request_id"] == "req-7"
    assert access[0]["message"].startswith("POST /v1/briefs 200")
    text = "\n".join(json.dumps(line) for line in lines)
    assert "secret-key-123" not in text
    assert "Brackenford" not in text  # a word of every article in the bundle


def test_metrics_count_requests_model_calls_cache_and_jobs(client: TestClient) -> None:
    client.post("/v1/briefs", json=SMALL)
    client.post("/v1/briefs", json=SMALL)  # served from the reply cache
    metrics = client.get("/metrics").text
    assert 'fusebrief_http_requests_total{method="POST",route="/v1/briefs",status="200"}' in metrics
    assert 'fusebrief_llm_calls_total{model="openai/replay"}' in metrics
    assert 'fusebrief_llm_tokens_total{kind="prompt",model="openai/replay"}' in metrics
    assert 'fusebrief_cache_lookups_total{result="hit"}' in metrics
    assert "fusebrief_http_request_duration_seconds_bucket" in metrics
    assert 'fusebrief_llm_request_duration_seconds_count{model="openai/replay"}' in metrics
    assert "fusebrief_jobs" in metrics
