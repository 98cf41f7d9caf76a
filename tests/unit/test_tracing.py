"""OpenTelemetry traces: one span per brief, a child span per model call with the GenAI semantic
conventions' attributes, no article text; off unless configured. The spans go to the SDK's
in-memory exporter; the model is the replay server."""

import asyncio
import contextvars
import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from redis.asyncio import Redis

from service import tracing
from service.api.app import create_app
from service.briefs import BRIEF_JOB, BriefService
from service.config import Settings
from service.errors import ModelUnavailable
from service.jobs.model import ANONYMOUS, NewJob
from service.jobs.queue import JobQueue
from service.jobs.redis_store import RedisJobStore
from service.jobs.worker import JobRunner
from service.llm import LLMClient
from service.loaders import load_articles
from service.wiring import job_handlers
from tests.conftest import FIXTURES, make_settings
from tests.support.llm_server import Fault, ReplayServer

SMALL = FIXTURES / "bundles" / "small.json"  # two articles: two map calls and one fuse call


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    yield exporter
    tracing.use_provider(None)


async def _brief(settings: Settings) -> None:
    service = BriefService(settings, LLMClient(settings))
    await service.brief(service.request(load_articles([SMALL])))


def _named(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.name == name]


async def test_a_brief_is_a_span_with_a_genai_child_span_per_model_call(
    settings: Settings, spans: InMemorySpanExporter
) -> None:
    await _brief(settings)
    [brief] = _named(spans, "fusebrief.brief")
    calls = _named(spans, "chat openai/replay")
    assert len(calls) == 4  # two map calls, a question (service.restatements), the title
    for call in calls:
        assert call.parent is not None and call.parent.span_id == brief.context.span_id
        assert call.kind == SpanKind.CLIENT
        attributes = dict(call.attributes or {})
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.provider.name"] == "openai"
        assert attributes["gen_ai.request.model"] == "openai/replay"
        assert attributes["gen_ai.request.temperature"] == 0
        asked = attributes["gen_ai.request.max_tokens"] == 1  # a yes-or-no question
        assert attributes["gen_ai.output.type"] == ("text" if asked else "json")
        assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
        assert attributes["gen_ai.usage.input_tokens"] > 0
        assert attributes["gen_ai.usage.output_tokens"] > 0
        assert attributes["server.address"] == "127.0.0.1"
    totals = dict(brief.attributes or {})
    assert totals["fusebrief.articles"] == 2 and totals["fusebrief.llm_calls"] == 4
    assert totals["gen_ai.usage.input_tokens"] == sum(
        dict(c.attributes or {})["gen_ai.usage.input_tokens"] for c in calls
    )
    stages = [event.attributes["fusebrief.stage"] for event in brief.events if event.attributes]
    assert stages[:3] == ["clean", "identify", "map"] and "title" in stages


async def test_spans_carry_no_article_text(settings: Settings, spans: InMemorySpanExporter) -> None:
    await _brief(settings)
    recorded = [
        str(value)
        for span in spans.get_finished_spans()
        for value in [*(span.attributes or {}).values(), span.name]
        + [v for e in span.events for v in (e.attributes or {}).values()]
    ]
    assert recorded and not [v for v in recorded if "Brackenford" in v or "library" in v]


async def test_a_failed_model_call_marks_its_span_and_the_briefs(
    llm_server: ReplayServer, spans: InMemorySpanExporter
) -> None:
    llm_server.inject(Fault("status", status=503))
    settings = make_settings(llm_server, llm_max_retries=0, llm_max_parallel=1)
    with pytest.raises(ModelUnavailable):
        await _brief(settings)
    failed = [
        c for c in _named(spans, "chat openai/replay") if c.status.status_code == StatusCode.ERROR
    ]
    assert failed and dict(failed[0].attributes or {})["error.type"] == "ServiceUnavailableError"
    [brief] = _named(spans, "fusebrief.brief")
    assert brief.status.status_code == StatusCode.ERROR
    assert dict(brief.attributes or {})["error.type"] == "model_unavailable"


def test_traces_are_off_unless_configured(
    llm_server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing.otel_mode(make_settings(llm_server)) == "off"
    assert tracing.otel_mode(make_settings(llm_server, otel="console")) == "console"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing.otel_mode(make_settings(llm_server)) == "otlp"
    assert tracing.otel_mode(make_settings(llm_server, otel="off")) == "off"


def test_gen_ai_provider_names() -> None:
    assert tracing.provider_name("anthropic/claude-3-5-haiku-latest") == "anthropic"
    assert tracing.provider_name("ollama/llama3.1") == "ollama"
    assert tracing.provider_name("gpt-4o-mini") == "openai"


def _one_trace(spans: InMemorySpanExporter, trace_id: int, parent_id: int) -> None:
    """The job's span is the child of `parent_id`, the brief the job's child, each model call
    the brief's child: all in the trace `trace_id`."""
    [job] = _named(spans, "fusebrief.job brief")
    [brief] = _named(spans, "fusebrief.brief")
    calls = _named(spans, "chat openai/replay")
    assert job.kind == SpanKind.CONSUMER and len(calls) == 4
    assert {s.context.trace_id for s in [job, brief, *calls]} == {trace_id}
    assert job.parent is not None and job.parent.span_id == parent_id
    assert brief.parent is not None and brief.parent.span_id == job.context.span_id
    assert all(c.parent is not None and c.parent.span_id == brief.context.span_id for c in calls)


async def test_a_scale_out_worker_continues_the_trace_the_job_was_queued_in(
    llm_server: ReplayServer, redis_url: str, spans: InMemorySpanExporter
) -> None:
    queue = JobQueue(make_settings(llm_server, queue_url=redis_url))
    await queue.start({})  # an API process of scale-out mode: it queues, runs nothing
    settings = make_settings(llm_server)  # the worker's model calls need no Redis of their own
    service = BriefService(settings, LLMClient(settings))
    body = service.request(load_articles([SMALL])).to_json()
    with tracing.tracer().start_as_current_span("POST /v1/briefs") as request:
        job, _ = await queue.submit(NewJob.of(BRIEF_JOB, body, owner=ANONYMOUS))
    await queue.stop()
    assert job.traceparent is not None and f"{request.get_span_context().trace_id:032x}" in (
        job.traceparent
    )

    async def worker() -> None:  # another process: its own store and runner, no trace of its own
        redis = Redis.from_url(redis_url)
        store = RedisJobStore(redis, max_attempts=1, result_ttl_s=60)
        taken = await store.start(job.id, "worker-1")
        assert taken is not None
        await JobRunner(store, job_handlers(service), settings, "worker-1").run(taken)
        done = await store.get(job.id)
        assert done is not None and done.status == "done", done
        await redis.aclose()

    await asyncio.create_task(worker(), context=contextvars.Context())
    context = request.get_span_context()
    _one_trace(spans, context.trace_id, context.span_id)


def test_an_async_brief_joins_the_trace_its_request_carries(
    llm_server: ReplayServer, spans: InMemorySpanExporter
) -> None:
    """A client's (or a proxy's) W3C traceparent: the job run by the in-process workers of
    embedded mode, out of SQLite, is in that trace, the job's span a child of the caller's."""
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    settings = make_settings(llm_server)
    body = {**json.loads(SMALL.read_text(encoding="utf-8")), "async": True}
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        headers = {"traceparent": f"00-{trace_id}-{parent_id}-01"}
        location = client.post("/v1/briefs", json=body, headers=headers).headers["location"]
        deadline = time.monotonic() + 30
        while client.get(location).json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert client.get(location).json()["status"] == "done"
    _one_trace(spans, int(trace_id, 16), int(parent_id, 16))
