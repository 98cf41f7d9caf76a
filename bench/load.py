"""Load benchmark: a bounded burst of async jobs against a real `fusebrief serve`.

    python bench/load.py                      # 200 jobs, SQLite jobs, in-process workers
    python bench/load.py --redis              # Redis queue, 2 `fusebrief worker` processes
    python bench/load.py --jobs 500 --job-workers 8

The model is `bench/stub_llm.py` on loopback (scripted latency); the service runs as a child
process on a fresh FUSEBRIEF_DATA_DIR with the reply cache off, so every job really runs. Each
job briefs its own small synthetic bundle (2 articles) carrying a reference (`LD-00017`) that
the stub finds in every prompt, so calls are counted per job. Some submissions repeat an
earlier Idempotency-Key with the same body, at the same moment as the first.

Reported: submitted, distinct jobs, completed, failed, lost (not final by the deadline),
duplicated (a repeated key that got a second job, or a job whose title step ran more than once:
exactly one title call per job is expected), throughput and submit→done latency
(the job's own created_at → finished_at).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stub_llm import Latency, StubLLM
from bench.synthetic import bundle

TAG = r"LD-\d{5}"
FINAL = ("done", "failed", "cancelled")
FUSEBRIEF = str(Path(sys.executable).with_name("fusebrief"))


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
        time.sleep(0.05)


@contextmanager
def child(args: list[str], env: dict[str, str], port: int | None = None) -> Iterator[None]:
    """A child process for the block; terminated (then killed) at the end."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    try:
        if port is not None:
            wait_for_port(port, process)
        yield
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def service(args: argparse.Namespace, stub_url: str) -> Iterator[str]:
    """`fusebrief serve` (and, with --redis, redis-server and `fusebrief worker`s)."""
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="fusebrief-load-"))
        port = free_port()
        env = {
            **os.environ,
            "FUSEBRIEF_LLM_MODEL": "openai/stub",
            "FUSEBRIEF_LLM_API_BASE": stub_url,
            "FUSEBRIEF_LLM_API_KEY": "stub",
            "FUSEBRIEF_LLM_CONTEXT_TOKENS": "8192",
            "FUSEBRIEF_LLM_MAX_PARALLEL": str(args.max_parallel),
            "FUSEBRIEF_DATA_DIR": data_dir,
            "FUSEBRIEF_CACHE": "off",
            "FUSEBRIEF_RATE_LIMIT_PER_MINUTE": "0",
            "FUSEBRIEF_JOB_WORKERS": str(args.job_workers),
            "FUSEBRIEF_LOG_LEVEL": "warning",
        }
        if args.redis:
            binary = shutil.which("redis-server")
            if binary is None:
                raise SystemExit("--redis needs redis-server (apt-get install redis-server)")
            redis_port = free_port()
            stack.enter_context(
                child(
                    [
                        binary,
                        "--port",
                        str(redis_port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    env,
                    redis_port,
                )
            )
            env["FUSEBRIEF_QUEUE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            for _ in range(args.worker_processes):
                stack.enter_context(child([FUSEBRIEF, "worker"], env))
        stack.enter_context(child([FUSEBRIEF, "serve", "--port", str(port)], env, port))
        yield f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------------------------------------
# The burst


@dataclass
class Burst:
    ids_by_key: dict[str, set[str]] = field(default_factory=dict)
    tag_by_id: dict[str, str] = field(default_factory=dict)
    final: dict[str, dict[str, Any]] = field(default_factory=dict)
    submit_errors: list[str] = field(default_factory=list)
    submitted: int = 0


def plan(jobs: int, duplicates: int) -> list[tuple[str, dict[str, Any], str]]:
    """(Idempotency-Key, body, tag) per submission; a repeat right after its first, so both
    are in flight together."""
    every = max(1, jobs // duplicates) if duplicates else 0
    submissions = []
    for i in range(jobs):
        tag = f"LD-{i:05d}"
        first = (f"load-{i}", {**bundle(2, seed=i, tag=tag), "async": True}, tag)
        submissions.append(first)
        if every and i % every == 0 and len(submissions) - (i + 1) < duplicates:
            submissions.append(first)
    return submissions


async def submit_all(
    client: Any,
    submissions: Sequence[tuple[str, dict[str, Any], str]],
    burst: Burst,
    concurrency: int,
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(key: str, body: dict[str, Any], tag: str) -> None:
        async with gate:
            response = await client.post("/v1/briefs", json=body, headers={"Idempotency-Key": key})
        burst.submitted += 1
        if response.status_code != 202:
            burst.submit_errors.append(f"{key}: HTTP {response.status_code} {response.text[:200]}")
            return
        job_id = response.json()["id"]
        burst.ids_by_key.setdefault(key, set()).add(job_id)
        burst.tag_by_id[job_id] = tag

    await asyncio.gather(*(one(*s) for s in submissions))


async def poll_all(client: Any, burst: Burst, deadline: float, concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(job_id: str) -> None:
        async with gate:
            response = await client.get(f"/v1/jobs/{job_id}")
        job = response.json()
        if response.status_code == 200 and job["status"] in FINAL:
            burst.final[job_id] = job

    while time.monotonic() < deadline:
        pending = [j for j in burst.tag_by_id if j not in burst.final]
        if not pending:
            return
        await asyncio.gather(*(one(j) for j in pending))
        await asyncio.sleep(0.25)


async def run_burst(base_url: str, args: argparse.Namespace) -> tuple[Burst, float]:
    import httpx

    submissions = plan(args.jobs, args.duplicates)
    burst = Burst()
    limits = httpx.Limits(max_connections=args.client_concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        started = time.monotonic()
        await submit_all(client, submissions, burst, args.client_concurrency)
        log(f"submitted {burst.submitted} in {time.monotonic() - started:.1f} s; polling")
        await poll_all(client, burst, started + args.timeout, args.client_concurrency)
    return burst, time.monotonic() - started


# ---------------------------------------------------------------------------------------------
# The report


def _stamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(burst: Burst, calls: Sequence[Any], args: argparse.Namespace, wall: float) -> str:
    title_calls = Counter(c.tag for c in calls if c.kind == "title")
    map_calls = Counter(c.tag for c in calls if c.kind == "map")
    statuses = Counter(job["status"] for job in burst.final.values())
    done = [j for j in burst.final.values() if j["status"] == "done"]
    lost = [j for j in burst.tag_by_id if j not in burst.final]
    two_jobs_one_key = [k for k, ids in burst.ids_by_key.items() if len(ids) > 1]
    ran_twice = [j for j, tag in burst.tag_by_id.items() if title_calls[tag] > 1]
    done_without_title = [j["id"] for j in done if title_calls[burst.tag_by_id[j["id"]]] != 1]
    retried = [j for j in burst.final.values() if j.get("attempts", 1) > 1]
    latencies = [_stamp(j["finished_at"]) - _stamp(j["created_at"]) for j in done]
    first = min((_stamp(j["created_at"]) for j in done), default=0.0)
    last = max((_stamp(j["finished_at"]) for j in done), default=0.0)
    span = last - first
    mode = (
        f"Redis queue, {args.worker_processes} `fusebrief worker` processes × "
        f"{args.job_workers} jobs each"
        if args.redis
        else f"SQLite jobs, {args.job_workers} in-process workers"
    )
    rows = [
        ("submissions (incl. repeated keys)", str(burst.submitted)),
        ("submit errors", str(len(burst.submit_errors))),
        ("distinct jobs", str(len(burst.tag_by_id))),
        ("completed (done)", str(statuses["done"])),
        ("failed", str(statuses["failed"])),
        ("cancelled", str(statuses["cancelled"])),
        (f"lost (not final after {args.timeout:g} s)", str(len(lost))),
        ("duplicated: a repeated key got a second job", str(len(two_jobs_one_key))),
        ("duplicated: a job's title step ran twice", str(len(ran_twice))),
        ("done without exactly one title call", str(len(done_without_title))),
        ("jobs with attempts > 1", str(len(retried))),
        ("LLM calls (map / title)", f"{sum(map_calls.values())} / {sum(title_calls.values())}"),
        (
            "throughput, jobs/s (first created → last finished)",
            f"{len(done) / span:.2f}" if span else "–",
        ),
        (
            "latency p50 / p95 / max s (created_at → finished_at)",
            " / ".join(
                f"{v:.2f}"
                for v in (statistics.median(latencies), _pct(latencies, 0.95), max(latencies))
            )
            if latencies
            else "–",
        ),
        ("bench wall s (first submit → all final)", f"{wall:.1f}"),
    ]
    lines = [
        f"# fusebrief load: {args.jobs} async jobs (+{args.duplicates} repeated keys), {mode}",
        "",
        f"Stub model {args.per_call:g} s per call + {args.per_token:g} s per output token; "
        f"FUSEBRIEF_LLM_MAX_PARALLEL={args.max_parallel}, FUSEBRIEF_CACHE=off, rate limit off; "
        f"2-article bundles; client: {args.client_concurrency} requests at once.",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
    ]
    if burst.submit_errors:
        lines += ["", "First submit errors:", *(f"- {e}" for e in burst.submit_errors[:5])]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/load.py",
        description="A bounded burst of async jobs against a real `fusebrief serve` and a stub "
        "model: zero lost or duplicated jobs, throughput, p50/p95 latency.",
    )
    parser.add_argument("--jobs", type=int, default=200, help="distinct jobs (default 200)")
    parser.add_argument(
        "--duplicates",
        type=int,
        default=20,
        help="extra submissions repeating an earlier Idempotency-Key (default 20)",
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="Redis queue (redis-server on a free port) and worker processes",
    )
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=2,
        help="`fusebrief worker` processes with --redis (default 2)",
    )
    parser.add_argument(
        "--job-workers",
        type=int,
        default=4,
        help="FUSEBRIEF_JOB_WORKERS: jobs at once per process (default 4)",
    )
    parser.add_argument(
        "--max-parallel",
        type=int,
        default=16,
        help="FUSEBRIEF_LLM_MAX_PARALLEL per process (default 16)",
    )
    parser.add_argument(
        "--per-call", type=float, default=0.05, help="stub latency per call, s (default 0.05)"
    )
    parser.add_argument(
        "--per-token",
        type=float,
        default=0.0005,
        help="stub latency per output token, s (default 0.0005)",
    )
    parser.add_argument(
        "--client-concurrency",
        type=int,
        default=32,
        help="HTTP requests the bench keeps in flight (default 32)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="seconds until a job not yet final counts as lost (default 600)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with StubLLM(Latency(args.per_call, args.per_token), tag_pattern=TAG) as stub:
        with service(args, stub.url) as base_url:
            log(f"service at {base_url}; submitting {args.jobs} jobs")
            burst, wall = asyncio.run(run_burst(base_url, args))
        calls = stub.take()
    print(report(burst, calls, args, wall))
    lost = len(burst.tag_by_id) - len(burst.final)
    duplicated = any(len(ids) > 1 for ids in burst.ids_by_key.values())
    return 1 if lost or duplicated or burst.submit_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
