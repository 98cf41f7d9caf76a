"""Optional OpenTelemetry traces: one span per brief (service.briefs) with each stage as a span
event, and one child span per model call (service.llm) following the GenAI semantic conventions
(`gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.usage.input_tokens`, …).

One trace from the request to the last model call: a request continues the W3C trace context
its headers carry (`traceparent`, `tracestate`); a job keeps the context it was queued in (its
`traceparent`), and the worker that runs it, in this process or another (scale-out), opens the
job's span inside that trace.

Off unless configured: FUSEBRIEF_OTEL=console prints finished spans on stderr (stdout carries
briefs and the MCP protocol), FUSEBRIEF_OTEL=otlp sends them to the OTLP/HTTP endpoint of the
standard OTEL_EXPORTER_OTLP_* variables (`pip install 'fusebrief[otlp]'`), and with FUSEBRIEF_OTEL
unset, a set OTEL_EXPORTER_OTLP_ENDPOINT means otlp. Unconfigured, the spans are OpenTelemetry's
no-op spans (or go to whatever tracer provider the process was given, e.g. by
`opentelemetry-instrument`). Spans never carry article text, prompts or replies.
"""

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import context, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from service import __version__
from service.config import Settings
from service.errors import ConfigError, FusebriefError

_provider: trace.TracerProvider | None = None  # set by tests; otherwise the global provider
_configured = False
_W3C = TraceContextTextMapPropagator()  # traceparent / tracestate, whatever else is configured
TRACE_HEADERS = tuple(sorted(_W3C.fields))  # the request headers that carry a trace


def tracer() -> trace.Tracer:
    return trace.get_tracer("fusebrief", __version__, tracer_provider=_provider)


def use_provider(provider: trace.TracerProvider | None) -> None:
    """Send fusebrief's spans to `provider` instead of the global one (tests); None undoes it."""
    global _provider
    _provider = provider


def otel_mode(settings: Settings) -> str:
    """ "off", "console" or "otlp": FUSEBRIEF_OTEL, else otlp when an OTLP endpoint is set."""
    if settings.otel is not None:
        return settings.otel
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return "otlp" if any(os.environ.get(name) for name in endpoints) else "off"


def configure_tracing(settings: Settings) -> None:
    """Install the process's tracer provider and exporter as configured (once)."""
    global _configured
    mode = otel_mode(settings)
    if mode == "off" or _configured:
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SpanExporter,
    )

    exporter: SpanExporter
    if mode == "console":
        exporter = ConsoleSpanExporter(out=sys.stderr)
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as error:
            raise ConfigError(
                "FUSEBRIEF_OTEL=otlp (or OTEL_EXPORTER_OTLP_ENDPOINT) needs the OTLP exporter: "
                "pip install 'fusebrief[otlp]', or set FUSEBRIEF_OTEL=console or off"
            ) from error
        exporter = OTLPSpanExporter()  # endpoint, headers, timeout: the OTEL_EXPORTER_OTLP_* env
    attributes = {"service.version": __version__}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = "fusebrief"
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True


def provider_name(litellm_model: str) -> str:
    """`gen_ai.provider.name` from a litellm model string ("anthropic/claude-…" → anthropic)."""
    prefix = litellm_model.partition("/")[0] if "/" in litellm_model else "openai"
    return {"ollama_chat": "ollama", "gemini": "gcp.gemini", "bedrock": "aws.bedrock"}.get(
        prefix, prefix
    )


@contextmanager
def model_call_span(
    model: str,
    litellm_model: str,
    api_base: str | None,
    *,
    max_tokens: int,
    temperature: float,
    output_type: str = "json",
) -> Iterator[Span]:
    """The span of one model call (a retry is a call of its own): `chat <model>`, a client span
    with the request's GenAI attributes; `record_reply` adds the answer's."""
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider_name(litellm_model),
        "gen_ai.request.model": model,
        "gen_ai.request.max_tokens": max_tokens,
        "gen_ai.request.temperature": temperature,
        "gen_ai.output.type": output_type,
    }
    if api_base:
        parts = urlsplit(api_base)
        if parts.hostname:
            attributes["server.address"] = parts.hostname
            attributes["server.port"] = parts.port or (443 if parts.scheme == "https" else 80)
    with _span(f"chat {model}", SpanKind.CLIENT, attributes) as span:
        yield span


def record_reply(
    span: Span, response: Any, answered_by: str, input_tokens: int, output_tokens: int
) -> None:
    """The model's answer on its call's span: which model answered, tokens, finish reasons."""
    if not span.is_recording():
        return
    span.set_attribute("gen_ai.response.model", str(getattr(response, "model", "") or answered_by))
    if response_id := getattr(response, "id", None):
        span.set_attribute("gen_ai.response.id", str(response_id))
    reasons = [str(c.finish_reason) for c in getattr(response, "choices", []) if c.finish_reason]
    if reasons:
        span.set_attribute("gen_ai.response.finish_reasons", reasons)
    span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
    span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
    span.set_attribute("fusebrief.model_group", answered_by)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span (what a job keeps), or None outside a trace."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def continued(carrier: Mapping[str, str]) -> Iterator[None]:
    """Inside the trace that `carrier` (W3C `traceparent` and `tracestate`) names, unless a span
    is current already (an instrumentation's request span, say) or `carrier` names none."""
    if trace.get_current_span().get_span_context().is_valid:
        yield
        return
    token = context.attach(_W3C.extract(carrier))
    try:
        yield
    finally:
        context.detach(token)


@contextmanager
def job_span(kind: str, attempt: int, traceparent: str | None) -> Iterator[Span]:
    """The span of one run of a job, in the trace it was queued in: the brief is its child."""
    attributes = {"fusebrief.job.kind": kind, "fusebrief.job.attempt": attempt}
    with (
        continued({"traceparent": traceparent} if traceparent else {}),
        _span(f"fusebrief.job {kind}", SpanKind.CONSUMER, attributes) as span,
    ):
        yield span


@contextmanager
def brief_span(attributes: dict[str, Any]) -> Iterator[Span]:
    """The span of one brief; model calls made while it is open are its children."""
    with _span("fusebrief.brief", SpanKind.INTERNAL, attributes) as span:
        yield span


@contextmanager
def _span(name: str, kind: SpanKind, attributes: dict[str, Any]) -> Iterator[Span]:
    with tracer().start_as_current_span(
        name,
        kind=kind,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as error:
            if span.is_recording():
                code = error.code if isinstance(error, FusebriefError) else type(error).__name__
                span.set_attribute("error.type", code)
                # The type only: messages may quote a title, and spans carry no article text.
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
