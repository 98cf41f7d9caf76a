"""A burst of async jobs through a real uvicorn server: none lost, none run twice, and repeated
Idempotency-Keys sent at the same moment get one job. Correctness only; the timed version of
this is `python bench/load.py`."""

import asyncio
import time
from collections import Counter
from typing import Any

import httpx

from service.api.app import create_app
from service.llm import LLMClient
from tests.conftest import load_bundle, make_settings
from tests.support.live import live_server
from tests.support.llm_server import ReplayServer

JOBS = 50
REPEATS = 10  # the first REPEATS keys are sent twice, both requests in flight together
# Recorded: two map calls, one question whether a sentence restates another, one title call.
BODY = {**load_bundle("small.json"), "async": True}
FINAL = ("done", "failed", "cancelled")
FINISH_WITHIN_S = 180  # 50 jobs finish in seconds on an idle machine; a loaded one is slower


def _kind(body: dict[str, Any]) -> str:
    if body.get("logprobs"):
        return "question"
    schema = body.get("response_format", {}).get("json_schema", {}).get("schema", {})
    return "title" if "title" in schema.get("properties", {}) else "map"


async def _burst(base_url: str) -> tuple[dict[str, set[str]], dict[str, dict[str, Any]]]:
    keys = [f"burst-{i}" for i in range(JOBS)] + [f"burst-{i}" for i in range(REPEATS)]
    ids: dict[str, set[str]] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:

        async def submit(key: str) -> None:
            response = await client.post("/v1/briefs", json=BODY, headers={"Idempotency-Key": key})
            assert response.status_code == 202, response.text
            ids.setdefault(key, set()).add(response.json()["id"])

        await asyncio.gather(*(submit(k) for k in keys))
        final: dict[str, dict[str, Any]] = {}
        # A bound for a hang, not a speed test: the loop ends when every job has finished.
        deadline = time.monotonic() + FINISH_WITHIN_S
        while len(final) < len(ids) and time.monotonic() < deadline:
            for job_id in {i for group in ids.values() for i in group} - final.keys():
                job = (await client.get(f"/v1/jobs/{job_id}")).json()
                if job["status"] in FINAL:
                    final[job_id] = job
            await asyncio.sleep(0.1)
    return ids, final


def test_a_burst_of_async_jobs_loses_none_and_runs_none_twice(llm_server: ReplayServer) -> None:
    settings = make_settings(llm_server, cache="off", rate_limit_per_minute=0, job_workers=4)
    with live_server(create_app(settings, LLMClient(settings))) as base_url:
        ids, final = asyncio.run(_burst(base_url))

    assert all(len(group) == 1 for group in ids.values()), "a repeated key got a second job"
    job_ids = {i for group in ids.values() for i in group}
    assert len(job_ids) == JOBS
    assert final.keys() == job_ids, f"lost: {job_ids - final.keys()}"
    assert Counter(job["status"] for job in final.values()) == {"done": JOBS}
    assert all(job["attempts"] == 1 and job["brief"]["sentences"] for job in final.values())
    # The cache is off, so each job made its own calls: exactly one brief's worth per job.
    calls = Counter(_kind(r.body) for r in llm_server.requests)
    assert calls == {"map": 2 * JOBS, "question": JOBS, "title": JOBS}
    assert llm_server.misses == []
