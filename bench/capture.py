"""A loopback OpenAI-compatible proxy that logs every prompt on its way to the real model.

Both systems under test (fusebrief through litellm, the LangChain baseline through
langchain-openai) are pointed at this proxy, so "which text reached a prompt" is read off the
wire for both in the same way, without patching either. The proxy forwards each chat request
to the upstream model with litellm (the embedded llama.cpp server, or any hosted model) and
returns litellm's OpenAI-shaped response.

With `Upstream(raw=True)` (an OpenAI-compatible server such as the embedded llama.cpp) the proxy
instead forwards each request body as it came, plus the proxy's `extra` fields (per-request
server options under test, e.g. llama.cpp's `cache_prompt`), and returns the server's own
response, so llama.cpp's `timings` (prefill and decode tokens and milliseconds, cache reuse)
are logged with each exchange; `rewrite` may then change each body (bench/speed.py uses it to
try per-request options on the real pipeline without touching the service).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx
import litellm

litellm.suppress_debug_info = True
litellm.telemetry = False

_FORWARDED = (
    "messages",
    "response_format",
    "temperature",
    "max_tokens",
    "stop",
    "seed",
    "logprobs",
    "top_logprobs",
)
_TIMEOUT_S = 900.0
STUB_MODEL = "stub"  # no model: canned answers, for checking what reaches the prompts


@dataclass(frozen=True)
class Upstream:
    """The real model: a litellm model string and where it lives."""

    model: str
    api_base: str | None = None
    api_key: str | None = None
    context_tokens: int = 8192
    raw: bool = False  # forward bodies as they come and keep the server's whole response


Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Exchange:
    """One request as the model saw it, and its reply."""

    messages: list[dict[str, Any]]
    response_format: Any
    reply: str
    error: str = ""
    request: dict[str, Any] = field(default_factory=dict)  # raw mode: the body as forwarded
    timings: dict[str, Any] = field(default_factory=dict)  # raw mode: llama.cpp's timings
    usage: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0  # time.monotonic() when the request arrived
    ended: float = 0.0  # time.monotonic() when the reply was back

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
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        upstream = self.server.upstream
        if upstream.raw:
            self._forward_raw(body, started)
            return
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

    def _forward_raw(self, body: dict[str, Any], started: float) -> None:
        """The body, rewritten and with the proxy's extra fields, to the server as it is."""
        server = self.server
        body = server.rewrite({**body, **server.extra})
        exchange = Exchange(
            body.get("messages", []), body.get("response_format"), "", request=body,
            started=started,
        )  # fmt: skip
        url = (server.upstream.api_base or "").rstrip("/") + "/chat/completions"
        try:
            response = server.http.post(url, json=body)
            payload = response.json()
        except (httpx.HTTPError, ValueError) as error:
            exchange.error = f"{type(error).__name__}: {error}"[:500]
            exchange.ended = time.monotonic()
            server.log.add(exchange)
            self._send(502, {"error": {"message": exchange.error, "type": "upstream_error"}})
            return
        exchange.ended = time.monotonic()
        if response.status_code == 200:
            choice = (payload.get("choices") or [{}])[0]
            exchange.reply = str((choice.get("message") or {}).get("content") or "")
            exchange.timings = payload.get("timings") or {}
            exchange.usage = payload.get("usage") or {}
        else:
            exchange.error = f"HTTP {response.status_code}: {response.text[:300]}"
        server.log.add(exchange)
        self._send(response.status_code, payload)


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

    def __init__(
        self, upstream: Upstream, log: _Log, extra: dict[str, Any], rewrite: Rewrite
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.log = log
        self.extra = extra
        self.rewrite = rewrite
        self.http = httpx.Client(timeout=_TIMEOUT_S)


class CaptureProxy:
    """`with CaptureProxy(upstream) as proxy:` serve on `proxy.url`; `proxy.take()` the log.
    In raw mode, `extra` is merged into every request body, then `rewrite` (default: none)
    may change it."""

    def __init__(
        self,
        upstream: Upstream,
        *,
        extra: dict[str, Any] | None = None,
        rewrite: Rewrite | None = None,
    ) -> None:
        self._log = _Log()
        self._server = _Server(upstream, self._log, extra or {}, rewrite or (lambda body: body))
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
        self._server.http.close()
