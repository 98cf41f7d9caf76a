"""A loopback OpenAI-compatible proxy that logs every prompt on its way to the real model.

Both systems under test (fusebrief through litellm, the LangChain baseline through
langchain-openai) are pointed at this proxy, so "which text reached a prompt" is read off the
wire for both in the same way, without patching either. The proxy forwards each chat request
to the upstream model with litellm (the embedded llama.cpp server, or any hosted model) and
returns litellm's OpenAI-shaped response.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import litellm

litellm.suppress_debug_info = True
litellm.telemetry = False

_FORWARDED = ("messages", "response_format", "temperature", "max_tokens", "stop", "seed")
_TIMEOUT_S = 900.0
STUB_MODEL = "stub"  # no model: canned answers, for checking what reaches the prompts


@dataclass(frozen=True)
class Upstream:
    """The real model: a litellm model string and where it lives."""

    model: str
    api_base: str | None = None
    api_key: str | None = None
    context_tokens: int = 8192


@dataclass
class Exchange:
    """One request as the model saw it, and its reply."""

    messages: list[dict[str, Any]]
    response_format: Any
    reply: str
    error: str = ""

    def prompt_text(self) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.messages)

    def to_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "response_format": self.response_format,
            "reply": self.reply,
            "error": self.error,
        }


@dataclass
class _Log:
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    def take(self) -> list[Exchange]:
        with self.lock:
            taken, self.exchanges = self.exchanges, []
        return taken


def _supports_schema(upstream: Upstream) -> bool:
    if upstream.api_base:
        return True  # self-hosted OpenAI-compatible servers (llama.cpp) enforce json_schema
    try:
        return bool(litellm.supports_response_schema(model=upstream.model))
    except Exception:  # litellm raises bare Exception for unknown models
        return False


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: progress goes to the benchmark's own stderr lines."""

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(200, {"object": "list", "data": [{"id": "bench", "object": "model"}]})

    def do_POST(self) -> None:
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        upstream = self.server.upstream
        params = {k: body[k] for k in _FORWARDED if body.get(k) is not None}
        if body.get("max_completion_tokens") and "max_tokens" not in params:
            params["max_tokens"] = body["max_completion_tokens"]  # langchain-openai's name
        fmt = params.get("response_format")
        is_schema = isinstance(fmt, dict) and fmt.get("type") == "json_schema"
        if is_schema and upstream.model != STUB_MODEL and not _supports_schema(upstream):
            params["response_format"] = {"type": "json_object"}
        exchange = Exchange(body.get("messages", []), params.get("response_format"), "")
        if upstream.model == STUB_MODEL:
            exchange.reply = stub_reply(params.get("response_format"))
            self.server.log.add(exchange)
            self._send(200, _completion(exchange.reply))
            return
        try:
            response = litellm.completion(
                model=upstream.model,
                api_base=upstream.api_base,
                api_key=upstream.api_key,
                timeout=_TIMEOUT_S,
                num_retries=2,
                **params,
            )
        except Exception as error:  # report any upstream failure to the client as a 502
            exchange.error = f"{type(error).__name__}: {error}"[:500]
            self.server.log.add(exchange)
            self._send(502, {"error": {"message": exchange.error, "type": "upstream_error"}})
            return
        exchange.reply = str(response.choices[0].message.content or "")
        self.server.log.add(exchange)
        self._send(200, response.model_dump(mode="json"))


def stub_reply(response_format: Any) -> str:
    """A minimal valid answer, so every system runs up to its last prompt without a model."""
    schema = (response_format or {}).get("json_schema", {}).get("schema", {})
    if not schema:
        return "Stub sentence. [S1]"
    if "title" in schema.get("properties", {}):  # fusebrief's title step
        return json.dumps({"title": "Stub"})
    article = {"kind": "report", "when": "", "facts": ["Stub fact."]}
    return json.dumps({aid: article for aid in schema.get("properties", {})})  # map: A1, A2, …


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "stub",
        "object": "chat.completion",
        "created": 0,
        "model": STUB_MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: Upstream, log: _Log) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.log = log


class CaptureProxy:
    """`with CaptureProxy(upstream) as proxy:` serve on `proxy.url`; `proxy.take()` the log."""

    def __init__(self, upstream: Upstream) -> None:
        self._log = _Log()
        self._server = _Server(upstream, self._log)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def take(self) -> list[Exchange]:
        """Every exchange since the last call, in completion order."""
        return self._log.take()

    def __enter__(self) -> CaptureProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
