"""Shared test fixtures: the loopback-only network guard, the LLM replay server, settings, app.

LLM traffic goes through litellm's real HTTP path to `ReplayServer` on 127.0.0.1, which answers
from `fixtures/llm/`. To refresh recordings from a real model, run the tests with
FUSEBRIEF_RECORD=1: misses are then forwarded to the embedded model (FUSEBRIEF_RECORD_MODEL,
default 0.5b) and saved; with FUSEBRIEF_PRUNE_RECORDINGS=1 as well, a run of the whole suite
then deletes the recordings no test asked for.
"""

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from tests.support.llm_server import ReplayServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
RECORDINGS = FIXTURES / "llm"
RECORDING = os.environ.get("FUSEBRIEF_RECORD") == "1"
_DATA_ROOT = Path(tempfile.mkdtemp(prefix="fusebrief-tests-"))


def fresh_data_dir() -> Path:
    """An empty FUSEBRIEF_DATA_DIR (cache, jobs) for one test; removed when the session ends."""
    return Path(tempfile.mkdtemp(dir=_DATA_ROOT))


@pytest.fixture(autouse=True, scope="session")
def remove_test_data() -> Iterator[None]:
    yield
    shutil.rmtree(_DATA_ROOT, ignore_errors=True)


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, str | bytes)  # unix sockets are local


_VIOLATIONS: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    """Any test that tries to reach a host other than loopback fails loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: Any) -> None:
        if not _is_loopback(address):
            _VIOLATIONS.append(repr(address))
            raise RuntimeError(f"tests may only reach 127.0.0.1; tried {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def no_network_escape(loopback_only: None) -> Iterator[None]:
    """Fail the test even when a library swallowed the guard's error."""
    _VIOLATIONS.clear()
    yield
    assert not _VIOLATIONS, f"test tried to reach non-loopback hosts: {_VIOLATIONS}"


@pytest.fixture(scope="session")
def record_upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """In recording mode, the embedded model that answers what the recordings lack."""
    if not RECORDING:
        yield None
        return
    from service.local_model import LocalModelServer

    settings = Settings(local_model=os.environ.get("FUSEBRIEF_RECORD_MODEL", "0.5b"))
    server = LocalModelServer(settings)
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def replay_server(record_upstream: str | None) -> Iterator[ReplayServer]:
    with ReplayServer(RECORDINGS, upstream=record_upstream) as server:
        yield server
        if RECORDING and os.environ.get("FUSEBRIEF_PRUNE_RECORDINGS") == "1":
            for path in server.stale():  # only after the whole suite ran: see the module doc
                path.unlink()


@pytest.fixture
def llm_server(replay_server: ReplayServer) -> Iterator[ReplayServer]:
    """The session's replay server, with a clean request log and no pending faults."""
    replay_server.reset()
    yield replay_server
    replay_server.reset()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A real redis-server on loopback for the scale-out tests (Debian: apt-get install
    redis-server; .ci/run installs it and sets FUSEBRIEF_REQUIRE_REDIS=1 so none is skipped)."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed: apt-get install redis-server"
        if os.environ.get("FUSEBRIEF_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The Redis server, emptied for this test."""
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    return redis_server


def make_settings(server: ReplayServer, **overrides: Any) -> Settings:
    """Settings that point the model at the replay server (OpenAI dialect by default)."""
    values: dict[str, Any] = {
        "llm_model": "openai/replay",
        "llm_api_base": server.url + "/v1",
        "llm_api_key": "test-key",
        "llm_context_tokens": 8192,
        "llm_max_retries": 2,
        "llm_timeout_s": 900.0 if RECORDING else 30.0,
        "local_slot_context": 8192,
        "data_dir": fresh_data_dir(),
        # FastAPI's TestClient calls itself "testserver": a name the loopback server does not
        # answer by default (test_edge.py tests that with allowed_hosts=[]).
        "allowed_hosts": ["testserver"],
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(llm_server: ReplayServer) -> Settings:
    return make_settings(llm_server)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, LLMClient(settings))
    with TestClient(app) as test_client:
        yield test_client


def load_bundle(name: str) -> dict[str, Any]:
    path = FIXTURES / "sample_bundle.json" if name == "sample" else FIXTURES / "bundles" / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
