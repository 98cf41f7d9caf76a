"""The HTTP edge: which Host names the server answers, whose X-Forwarded-For it believes, what
counts against a caller's rate limit, failed authentication throttled, and what /readyz tells
a caller who has no key."""

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from tests.conftest import free_port, fresh_data_dir, load_bundle, make_settings
from tests.support.llm_server import ReplayServer
from tests.support.processes import FUSEBRIEF, poll

ASYNC = {**load_bundle("small.json"), "async": True}
INVALID = {"articles": []}


def _client(settings: Settings, base_url: str = "http://testserver") -> TestClient:
    return TestClient(create_app(settings, LLMClient(settings)), base_url=base_url)


def _code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# --- item 8: Host names -------------------------------------------------------------------


def test_the_loopback_server_answers_only_its_own_host_names(llm_server: ReplayServer) -> None:
    """Without API keys the server is on loopback for one user; a web page that made a browser
    resolve its own name to 127.0.0.1 (DNS rebinding) must not be able to drive it."""
    settings = make_settings(llm_server, allowed_hosts=[])
    with _client(settings, "http://127.0.0.1:8000") as client:
        for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "[::1]"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        for host in ("rebind.attacker.example", "rebind.attacker.example:8000", "127.0.0.1.nip.io"):
            response = client.get("/healthz", headers={"Host": host})
            assert _code(response) == (400, "invalid_host"), host
            assert "FUSEBRIEF_ALLOWED_HOSTS" in response.json()["error"]["message"]
        refused = client.post("/v1/briefs", json=ASYNC, headers={"Host": "attacker.example"})
        assert _code(refused) == (400, "invalid_host")
    assert not llm_server.requests


def test_more_host_names_can_be_allowed(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, allowed_hosts="fusebrief.lan, Other.Example")
    with _client(settings, "http://127.0.0.1") as client:
        for host in ("fusebrief.lan", "other.example:8000", "127.0.0.1"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        assert client.get("/healthz", headers={"Host": "third.example"}).status_code == 400


def test_with_api_keys_any_host_name_is_answered_unless_a_list_is_set(
    llm_server: ReplayServer,
) -> None:
    with _client(make_settings(llm_server, api_keys="k", allowed_hosts=[])) as client:
        assert client.get("/healthz", headers={"Host": "api.example.org"}).status_code == 200
    keyed = make_settings(llm_server, api_keys="k", allowed_hosts="api.example.org")
    with _client(keyed) as client:
        assert client.get("/healthz", headers={"Host": "api.example.org"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "other.example"}).status_code == 400


# --- item 7: what counts against the rate limit, failed authentication ---------------------


def test_only_requests_that_pass_validation_use_up_the_rate_limit(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server, rate_limit_per_minute=2, api_keys="k")
    key = {"Authorization": "Bearer k", "Idempotency-Key": "same-job"}
    with _client(settings) as client:
        for _ in range(5):
            assert client.post("/v1/briefs", json=INVALID, headers=key).status_code == 422
        counted = [client.post("/v1/briefs", json=ASYNC, headers=key) for _ in range(3)]
    assert [r.status_code for r in counted] == [202, 202, 429]


def test_without_keys_a_made_up_bearer_token_is_no_new_rate_limit(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server, rate_limit_per_minute=2)
    with _client(settings) as client:
        answers = [
            client.post(
                "/v1/briefs",
                json=ASYNC,
                headers={"Authorization": f"Bearer made-up-{n}", "Idempotency-Key": "same-job"},
            )
            for n in range(3)
        ]
    assert [r.status_code for r in answers] == [202, 202, 429]


def test_failed_authentication_is_throttled_per_client_address(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, api_keys="right-key", auth_failures_per_minute=3)
    with _client(settings) as client:
        guesses = [
            client.get("/v1/jobs/x", headers={"Authorization": f"Bearer guess-{n}"})
            for n in range(5)
        ]
        assert [r.status_code for r in guesses] == [401, 401, 401, 429, 429]
        refused = guesses[-1]
        assert refused.json()["error"]["code"] == "rate_limited"
        assert "FUSEBRIEF_AUTH_FAILURES_PER_MINUTE" in refused.json()["error"]["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 61
        # Once throttled, not even the right key is checked from that address this minute:
        # otherwise the throttle would still answer every guess.
        right = client.get("/v1/jobs/x", headers={"Authorization": "Bearer right-key"})
        assert right.status_code == 429
        assert client.post("/v1/briefs", json=INVALID).status_code == 429


def test_successful_authentication_is_not_throttled(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, api_keys="right-key", auth_failures_per_minute=2)
    with _client(settings) as client:
        for _ in range(6):
            response = client.get("/v1/jobs/x", headers={"Authorization": "Bearer right-key"})
            assert response.status_code == 404


# --- item 7: X-Forwarded-For, through `fusebrief serve` itself ------------------------------


@pytest.fixture
def serve(llm_server: ReplayServer) -> Iterator[Any]:
    """`fusebrief serve` as a child process, started with the given extra settings."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(**settings: str) -> str:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUSEBRIEF_")}
        env |= {
            "FUSEBRIEF_LLM_MODEL": "openai/replay",
            "FUSEBRIEF_LLM_API_BASE": llm_server.url + "/v1",
            "FUSEBRIEF_DATA_DIR": str(fresh_data_dir()),
            "FUSEBRIEF_PORT": str(port),
            "FUSEBRIEF_LOG_LEVEL": "warning",
        }
        env |= {"FUSEBRIEF_" + name.upper(): value for name, value in settings.items()}
        processes.append(
            subprocess.Popen(
                [FUSEBRIEF, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return httpx.get(url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        poll(up, timeout=90)
        return url

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def _rotating(url: str, count: int) -> list[int]:
    """`count` valid briefs (one job: the same Idempotency-Key), each claiming another client."""
    return [
        httpx.post(
            url + "/v1/briefs",
            json=ASYNC,
            headers={"X-Forwarded-For": f"203.0.113.{n}", "Idempotency-Key": "same-job"},
            timeout=30,
        ).status_code
        for n in range(count)
    ]


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(serve: Any) -> None:
    # Anyone may send the header: without FUSEBRIEF_TRUSTED_PROXIES it changes nothing.
    plain = serve(rate_limit_per_minute="2")
    assert _rotating(plain, 3) == [202, 202, 429]
    # From a configured proxy (here loopback itself) it names the client: three clients.
    proxied = serve(rate_limit_per_minute="2", trusted_proxies="127.0.0.0/8")
    assert _rotating(proxied, 3) == [202, 202, 202]


# --- item 9: /readyz ------------------------------------------------------------------------


def test_readyz_names_internal_addresses_only_to_an_authenticated_caller(
    llm_server: ReplayServer,
) -> None:
    down = make_settings(
        llm_server, llm_api_base="http://127.0.0.1:9/v1", api_keys="k", llm_max_retries=0
    )
    with _client(down) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            anonymous = client.get("/readyz", headers=headers)
            assert _code(anonymous) == (503, "model_unavailable")
            assert "127.0.0.1:9" not in anonymous.text and "not ready" in anonymous.text
        authenticated = client.get("/readyz", headers={"Authorization": "Bearer k"})
        assert _code(authenticated) == (503, "model_unavailable")
        assert "http://127.0.0.1:9/v1/models" in authenticated.json()["error"]["message"]
    with _client(make_settings(llm_server, api_keys="k")) as client:
        up = client.get("/readyz")
        assert up.status_code == 200 and up.json() == {"status": "ready"}
        detailed = client.get("/readyz", headers={"Authorization": "Bearer k"}).json()
        assert detailed["status"] == "ready" and detailed["model"] == "openai/replay"
