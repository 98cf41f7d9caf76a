"""The fault matrix: each misbehaviour of the model endpoint, injected on the loopback replay
server, through an async job. Every case ends in a definite state — the brief succeeds, or the
job is `failed` with an error a client can act on — and no job is left `running`."""

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.llm import LLMClient
from tests.conftest import load_bundle, make_settings
from tests.support.llm_server import Fault, ReplayServer

ASYNC = {**load_bundle("small.json"), "async": True}  # two map calls, then one fuse call
# A map call's reply: the facts of its one article (the replay server is self-hosted, so
# articles are mapped one a call), under the article's id in the call.
FACTS = json.dumps(
    {"A1": {"facts": ["The library reopened on Monday after eight months of repairs."]}}
)
FUSED = json.dumps(
    {
        "title": "Library reopens",
        "sentences": [{"text": "The library reopened after repairs.", "facts": ["S1.F1", "S2.F1"]}],
    }
)
# After a repair request the prompts differ from the recordings: these faults answer them all.
REPAIRED = [Fault("content", content=FACTS)] * 2 + [Fault("content", content=FUSED)]
BAD_CITATIONS = json.dumps(
    {
        "title": "Library reopens",
        "sentences": [
            {"text": "The library reopened on Monday.", "facts": ["S1.F1"]},
            {"text": "Readers queued at the door.", "facts": ["S7.F1"]},
        ],
    }
)


@dataclass(frozen=True)
class Case:
    faults: list[Fault]
    status: str
    error: str | None = None  # the job's error code when it failed
    message: str = ""  # a phrase the error message must contain
    settings: dict[str, Any] = field(default_factory=dict)


CASES = {
    "429 storm with Retry-After": Case(
        [Fault("status", status=429, retry_after=0.05)] * 6, "done", settings={"llm_max_retries": 6}
    ),
    "500s, then recovery": Case([Fault("status", status=500)] * 2, "done"),
    "500s beyond every retry": Case(
        [Fault("status", status=500)] * 12,
        "failed",
        "model_unavailable",
        "unavailable after 2 attempts: the model server at http://127.0.0.1:",
        {"llm_max_retries": 1},
    ),
    "a call times out once": Case(
        [Fault("delay", seconds=1.5)], "done", settings={"llm_timeout_s": 0.5}
    ),
    "every call times out": Case(
        [Fault("delay", seconds=1.0)] * 8,
        "failed",
        "model_unavailable",
        "did not answer within 0.3 s (FUSEBRIEF_LLM_TIMEOUT_S)",
        {"llm_timeout_s": 0.3, "llm_max_retries": 1},
    ),
    "connection refused": Case(
        [],
        "failed",
        "model_unavailable",
        "the model server at http://127.0.0.1:9/v1 refused the connection",
        {"llm_api_base": "http://127.0.0.1:9/v1", "llm_max_retries": 1},
    ),
    "malformed JSON once, repaired": Case(
        [Fault("content", content="Sure! Here are the facts"), *REPAIRED], "done"
    ),
    "truncated JSON once, repaired": Case(
        [Fault("content", content='{"A1": {"facts": ["The lib'), *REPAIRED], "done"
    ),
    "malformed JSON every time": Case(
        [Fault("content", content="I cannot do that.")] * 6,
        "failed",
        "model_output_invalid",
        "even after a repair request",
    ),
    "invalid citations": Case(
        [Fault("content", content=FACTS)] * 2 + [Fault("content", content=BAD_CITATIONS)], "done"
    ),
    "slow replies within the timeout": Case([Fault("delay", seconds=0.4)] * 3, "done"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_fault_ends_the_job_done_or_failed_with_a_clear_error(
    llm_server: ReplayServer, case: Case
) -> None:
    settings = make_settings(llm_server, **({"llm_max_parallel": 1} | case.settings))
    llm_server.inject(*case.faults)
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        location = client.post("/v1/briefs", json=ASYNC).headers["location"]
        deadline = time.monotonic() + 60
        while (job := client.get(location).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
        assert "running" not in _statuses(settings.data_dir / "jobs.sqlite3")
    assert job["status"] == case.status, job["error"]
    if case.status == "done":
        assert job["brief"]["sentences"] and job["error"] is None
        for sentence in job["brief"]["sentences"]:
            assert set(sentence["sources"]) <= {"S1", "S2"}
    else:
        assert job["brief"] is None
        assert job["error"]["code"] == case.error
        assert case.message in job["error"]["message"], job["error"]["message"]


def _statuses(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        return {row[0] for row in db.execute("SELECT status FROM jobs")}
