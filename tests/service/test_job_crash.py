"""Crash test: the service process is killed (SIGKILL) mid-job; a new one takes the jobs over and
every submitted job completes exactly once. Real `fusebrief serve` processes, real sockets."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_data_dir, load_bundle
from tests.support.llm_server import Fault, ReplayServer

JOBS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _poll(until: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := until()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


class Service:
    """`fusebrief serve` in a child process on a free loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("fusebrief")), "serve", "--port", port],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _poll(self._up, timeout=30)

    def _up(self) -> bool:
        try:
            return httpx.get(self.url + "/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def job(self, location: str) -> dict[str, Any]:
        job: dict[str, Any] = httpx.get(self.url + location).json()
        return job

    def stop(self, sig: int) -> None:
        self.process.send_signal(sig)
        self.process.wait(timeout=30)


@pytest.fixture
def env(llm_server: ReplayServer, tmp_path: Path) -> Iterator[dict[str, str]]:
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
    yield values


def _fuse_calls(server: ReplayServer) -> int:
    return sum(
        r.body.get("response_format", {}).get("json_schema", {}).get("name") == "FuseOutput"
        for r in server.requests
    )


def test_jobs_of_a_killed_worker_complete_exactly_once_after_restart(
    env: dict[str, str], llm_server: ReplayServer
) -> None:
    llm_server.inject(Fault("delay", seconds=2.0))  # the first model call hangs: kill then
    first = Service(env)
    try:
        locations = [
            httpx.post(first.url + "/v1/briefs", json={**load_bundle("small.json"), "async": True})
            .raise_for_status()
            .headers["location"]
            for _ in range(JOBS)
        ]
        _poll(lambda: first.job(locations[0])["status"] == "running" and llm_server.requests)
    finally:
        first.stop(signal.SIGKILL)

    second = Service(env)
    try:
        _poll(lambda: all(second.job(loc)["status"] == "done" for loc in locations))
        jobs = [second.job(loc) for loc in locations]
    finally:
        second.stop(signal.SIGTERM)

    assert [j["status"] for j in jobs] == ["done"] * JOBS
    assert jobs[0]["attempts"] == 2  # taken over after the killed worker's lease ran out
    assert [j["attempts"] for j in jobs[1:]] == [1] * (JOBS - 1)
    assert _fuse_calls(llm_server) == JOBS  # each job completed once, none twice
