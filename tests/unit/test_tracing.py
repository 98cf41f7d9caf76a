"""OpenTelemetry traces: one span per brief, a child span per model call with the GenAI semantic
conventions' attributes, no article text; off unless configured. The spans go to the SDK's
in-memory exporter; the model is the replay server."""

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from service import tracing
from service.briefs import BriefService
from service.config import Settings
from service.errors import ModelUnavailable
from service.llm import LLMClient
from service.loaders import load_articles
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
    assert len(calls) == 3
    for call in calls:
        assert call.parent is not None and call.parent.span_id == brief.context.span_id
        assert call.kind == SpanKind.CLIENT
        attributes = dict(call.attributes or {})
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.provider.name"] == "openai"
        assert attributes["gen_ai.request.model"] == "openai/replay"
        assert attributes["gen_ai.request.temperature"] == 0
        assert attributes["gen_ai.output.type"] == "json"
        assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
        assert attributes["gen_ai.usage.input_tokens"] > 0
        assert attributes["gen_ai.usage.output_tokens"] > 0
        assert attributes["server.address"] == "127.0.0.1"
    totals = dict(brief.attributes or {})
    assert totals["fusebrief.articles"] == 2 and totals["fusebrief.llm_calls"] == 3
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
