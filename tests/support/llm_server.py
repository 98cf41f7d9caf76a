"""Loopback LLM replay server: serves recorded chat completions to litellm in tests.

Tests point litellm at ``ReplayServer.url`` so LLM calls travel litellm's real HTTP path
(request building, response parsing, error mapping) but are answered from files on disk.
Only the standard library is used for serving (``ThreadingHTTPServer`` in a daemon
thread, port 0 so the OS picks a free port); ``httpx`` is used by the recorder only.

Dialects
--------
* OpenAI (litellm ``openai/<model>`` with ``api_base=<url>/v1``):
  ``POST /v1/chat/completions`` (or ``/chat/completions``), JSON or SSE (``"stream": true``).
* Ollama (litellm ``ollama_chat/<model>`` with ``api_base=<url>``):
  ``POST /api/chat``, JSON or NDJSON (``"stream": true``).
* ``GET /v1/models``, ``GET /api/tags`` and ``GET /health`` for readiness probes.

Recordings and keys
-------------------
A recording lives in ``<recordings>/<key>.json``::

    {"key": ..., "request": {"messages": [...], "schema": ...},
     "response": {"content": "...", "prompt_tokens": 12, "completion_tokens": 34}}

``key = request_key(messages, schema)``: the first 20 hex chars of the sha256 of the
sorted-key JSON of the messages (role and content only) and the response JSON schema.
The model name, temperature, max_tokens, options and the stream flag are deliberately
*not* part of the key, so one recording serves both dialects and any model name.

How the two dialects are normalised to the same key:

* Message content: litellm's ``openai/`` provider sends content as given (a string or a
  list of ``{"type": "text", "text": ...}`` parts); its ``ollama_chat/`` provider always
  flattens it to a string by concatenating the text parts with no separator
  (``convert_content_list_to_str``) and omits ``content`` when it would be empty. The
  server applies the same rule to both dialects: a list becomes the concatenation of its
  parts' ``text``, and a missing/``None`` content becomes ``""``. Extra message fields
  (``name``, ``tool_calls``, ``images``, ``thinking``...) are ignored.
* Schema: OpenAI ``response_format={"type": "json_schema", "json_schema": {"schema": S}}``
  and Ollama ``format=S`` (litellm copies the inner schema verbatim) both give ``S``;
  OpenAI ``{"type": "json_object"}`` and Ollama ``format="json"`` both give
  ``{"type": "object"}``; no response format gives ``None``. A ``json_schema`` response
  format without an inner schema gives ``None`` (litellm then sends no ``format`` to Ollama).

Misses, faults and recording
----------------------------
An unknown key answers 404 with a message naming the key and the recordings directory and
is appended to ``ReplayServer.misses``. ``ReplayServer.inject`` queues ``Fault`` objects;
each chat request consumes the oldest one (HTTP error status, delay, or replacement
content). With ``upstream`` set (an OpenAI-compatible base URL such as
``http://127.0.0.1:8080/v1``) a missing key is forwarded there, saved, and then replayed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

__all__ = ["Fault", "RecordedRequest", "ReplayServer", "request_key"]

Dialect = Literal["openai", "ollama"]

_OPENAI_CHAT_PATHS = frozenset({"/v1/chat/completions", "/chat/completions"})
_OLLAMA_CHAT_PATHS = frozenset({"/api/chat"})
_UPSTREAM_TIMEOUT_S = 600.0


@dataclass
class Fault:
    """One scripted misbehaviour, consumed by exactly one request, in the order injected."""

    kind: Literal["status", "delay", "content"]
    status: int = 500
    """For ``kind="status"``: HTTP status returned with an OpenAI/Ollama-style JSON error."""
    retry_after: float | None = None
    """For ``kind="status"``: value of the ``Retry-After`` header, in seconds."""
    seconds: float = 0.0
    """For ``kind="delay"``: sleep this long before answering normally."""
    content: str = ""
    """For ``kind="content"``: reply 200 with exactly this assistant message content."""
    first_token: dict[str, float] | None = None
    """For ``kind="content"``, OpenAI dialect: the first token's most likely alternatives and
    their probabilities, returned as ``logprobs`` (what a yes-or-no question reads)."""


@dataclass
class RecordedRequest:
    """A chat request as received by the server (header names are lower-cased)."""

    dialect: Dialect
    path: str
    body: dict[str, Any]
    key: str
    headers: dict[str, str]


@dataclass
class _Reply:
    content: str
    prompt_tokens: int
    completion_tokens: int
    first_token: dict[str, float] | None = None


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _content_text(content: Any) -> str:
    """Flatten message content exactly like litellm's ollama_chat provider does."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts: list[str] = []
        for part in content:
            if isinstance(part, dict):
                text = part.get("text")
                if isinstance(text, str):
                    texts.append(text)
        return "".join(texts)
    return str(content)


def _normalise_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list):
        raise _HTTPError(400, "'messages' must be a list")
    normalised: list[dict[str, Any]] = []
    for message in messages:
        if not isinstance(message, dict):
            raise _HTTPError(400, "each message must be an object")
        normalised.append(
            {"role": str(message.get("role", "")), "content": _content_text(message.get("content"))}
        )
    return normalised


def request_key(messages: list[dict[str, Any]], schema: dict[str, Any] | None) -> str:
    """Return the recording key for chat ``messages`` and a response JSON ``schema``.

    ``messages`` must already have string contents (the server normalises them first).
    """
    payload = {
        "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
        "schema": schema,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


def _openai_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    response_format = body.get("response_format")
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return {"type": "object"}
    if kind == "json_schema":
        json_schema = response_format.get("json_schema")
        if isinstance(json_schema, dict):
            schema = json_schema.get("schema")
            if isinstance(schema, dict) and schema:
                return schema
    return None


def _ollama_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("format")
    if fmt == "json":
        return {"type": "object"}
    if isinstance(fmt, dict) and fmt:
        return fmt
    return None


def _openai_schema_name(body: dict[str, Any]) -> str:
    response_format = body.get("response_format")
    if isinstance(response_format, dict):
        json_schema = response_format.get("json_schema")
        if isinstance(json_schema, dict) and isinstance(json_schema.get("name"), str):
            return str(json_schema["name"])
    return "response"


def _max_tokens(dialect: Dialect, body: dict[str, Any]) -> int | None:
    if dialect == "openai":
        value = body.get("max_tokens", body.get("max_completion_tokens"))
    else:
        options = body.get("options")
        value = options.get("num_predict") if isinstance(options, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rough_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _format_retry_after(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, replay: ReplayServer) -> None:
        self.replay = replay
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out (delay faults) or disconnect are expected; stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    server_version = "fusebrief-replay/1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    # -- plumbing -----------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, dialect: Dialect, error: _HTTPError) -> None:
        payload: dict[str, Any]
        if dialect == "ollama":
            payload = {"error": error.message}
        else:
            payload = {
                "error": {
                    "message": error.message,
                    "type": _error_type(error.status),
                    "param": None,
                    "code": error.status,
                }
            }
        self._send_json(error.status, payload, error.headers)

    def _path(self) -> str:
        path = self.path.split("?", 1)[0]
        return path.rstrip("/") or "/"

    # -- routes -------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self._path()
        if path in ("/v1/models", "/models"):
            self._send_json(200, {"object": "list", "data": [{"id": "local", "object": "model"}]})
        elif path == "/api/tags":
            self._send_json(200, {"models": [{"name": "local"}]})
        elif path == "/health":
            self._send_json(200, {"status": "ok"})
        else:
            self._send_error("openai", _HTTPError(404, f"no route for GET {path}"))

    def do_POST(self) -> None:
        path = self._path()
        dialect: Dialect
        if path in _OPENAI_CHAT_PATHS:
            dialect = "openai"
        elif path in _OLLAMA_CHAT_PATHS:
            dialect = "ollama"
        else:
            self._send_error("openai", _HTTPError(404, f"no route for POST {path}"))
            return
        try:
            self._chat(dialect, path)
        except _HTTPError as error:
            self._send_error(dialect, error)

    def _chat(self, dialect: Dialect, path: str) -> None:
        replay = self.server.replay
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except json.JSONDecodeError as exc:
            raise _HTTPError(400, f"request body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise _HTTPError(400, "request body must be a JSON object")

        messages = _normalise_messages(body.get("messages"))
        schema = _openai_schema(body) if dialect == "openai" else _ollama_schema(body)
        key = request_key(messages, schema)
        replay._record_request(
            RecordedRequest(
                dialect=dialect,
                path=path,
                body=body,
                key=key,
                headers={name.lower(): value for name, value in self.headers.items()},
            )
        )

        reply: _Reply | None = None
        fault = replay._next_fault()
        if fault is not None:
            if fault.kind == "status":
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = _format_retry_after(fault.retry_after)
                raise _HTTPError(fault.status, f"injected fault: HTTP {fault.status}", headers)
            if fault.kind == "delay":
                if replay._stopping.wait(fault.seconds):
                    return
            elif fault.kind == "content":
                prompt = "".join(m["content"] for m in messages)
                reply = _Reply(
                    fault.content,
                    _rough_tokens(prompt),
                    _rough_tokens(fault.content),
                    fault.first_token,
                )
        if reply is None:
            reply = replay._lookup(key, messages, schema, body, dialect)

        model = str(body.get("model", "local"))
        stream = body.get("stream") is True
        if dialect == "openai":
            if stream:
                self._openai_stream(model, reply)
            else:
                self._send_json(200, _openai_completion(model, reply))
        elif stream:
            self._ollama_stream(model, reply)
        else:
            self._send_json(200, _ollama_done(model, reply, reply.content))

    # -- streaming ----------------------------------------------------------------------

    def _start_stream(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

    def _openai_stream(self, model: str, reply: _Reply) -> None:
        self._start_stream("text/event-stream")
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())

        def chunk(choices: list[dict[str, Any]], usage: dict[str, int] | None) -> bytes:
            payload: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
            }
            if usage is not None:
                payload["usage"] = usage
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()

        delta = {"role": "assistant", "content": reply.content}
        self.wfile.write(chunk([{"index": 0, "delta": delta, "finish_reason": None}], None))
        self.wfile.write(chunk([{"index": 0, "delta": {}, "finish_reason": "stop"}], None))
        self.wfile.write(chunk([], _usage(reply)))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _ollama_stream(self, model: str, reply: _Reply) -> None:
        self._start_stream("application/x-ndjson")
        first = {
            "model": model,
            "created_at": _now_iso(),
            "message": {"role": "assistant", "content": reply.content},
            "done": False,
        }
        last = _ollama_done(model, reply, "")
        for line in (first, last):
            self.wfile.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
        self.wfile.flush()


def _error_type(status: int) -> str:
    if status == 429:
        return "rate_limit_error"
    if status in (401, 403):
        return "authentication_error"
    if status == 404:
        return "not_found_error"
    if 400 <= status < 500:
        return "invalid_request_error"
    return "server_error"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _usage(reply: _Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


def _first_token(data: dict[str, Any]) -> dict[str, float] | None:
    """An upstream reply's first-token alternatives and their probabilities, if it sent any."""
    try:
        top = data["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        return {str(t["token"]): math.exp(float(t["logprob"])) for t in top}
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _openai_completion(model: str, reply: _Reply) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": reply.content},
        "finish_reason": "stop",
    }
    if reply.first_token is not None:
        alternatives = [
            {"token": token, "logprob": math.log(p), "bytes": None}
            for token, p in reply.first_token.items()
        ]
        choice["logprobs"] = {
            "content": [{**alternatives[0], "top_logprobs": alternatives}] if alternatives else []
        }
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": _usage(reply),
    }


def _ollama_done(model: str, reply: _Reply, content: str) -> dict[str, Any]:
    return {
        "model": model,
        "created_at": _now_iso(),
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
        "total_duration": 1_000_000,
        "load_duration": 0,
        "prompt_eval_count": reply.prompt_tokens,
        "prompt_eval_duration": 500_000,
        "eval_count": reply.completion_tokens,
        "eval_duration": 500_000,
    }


class ReplayServer:
    """Replays recorded LLM answers over OpenAI- and Ollama-compatible HTTP on 127.0.0.1."""

    def __init__(
        self, recordings: Path, *, upstream: str | None = None, upstream_model: str = "local"
    ) -> None:
        self.recordings = Path(recordings)
        self.upstream = upstream.rstrip("/") if upstream else None
        self.upstream_model = upstream_model
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.misses: list[str] = []
        self.used: set[str] = set()  # recordings that answered a request (see `stale`)
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._record_locks: dict[str, threading.Lock] = {}  # one per key: upstream runs in parallel
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> ReplayServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(self)
        host, port = server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"replay-llm-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each chat request consumes the oldest pending one."""
        with self._lock:
            self._faults.extend(faults)

    def reset(self) -> None:
        """Forget received requests, misses and pending faults."""
        with self._lock:
            self.requests.clear()
            self.misses.clear()
            self._faults.clear()

    # -- used by the handler ------------------------------------------------------------

    def _record_request(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _path_for(self, key: str) -> Path:
        return self.recordings / f"{key}.json"

    def _load(self, key: str) -> _Reply | None:
        path = self._path_for(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise _HTTPError(500, f"unreadable recording {path}: {exc}") from exc
        response = data.get("response") if isinstance(data, dict) else None
        if not isinstance(response, dict) or not isinstance(response.get("content"), str):
            raise _HTTPError(500, f"recording {path} has no response.content string")
        first_token = response.get("first_token")
        return _Reply(
            content=response["content"],
            prompt_tokens=int(response.get("prompt_tokens") or 0),
            completion_tokens=int(response.get("completion_tokens") or 0),
            first_token=first_token if isinstance(first_token, dict) else None,
        )

    def _lookup(
        self,
        key: str,
        messages: list[dict[str, Any]],
        schema: dict[str, Any] | None,
        body: dict[str, Any],
        dialect: Dialect,
    ) -> _Reply:
        reply = self._load(key)
        if reply is not None:
            with self._lock:
                self.used.add(key)
            return reply
        if self.upstream is None:
            with self._lock:
                self.misses.append(key)
            raise _HTTPError(
                404,
                f"no recording for request {key} in {self.recordings}; "
                "re-record with FUSEBRIEF_RECORD=1",
            )
        with self._lock:
            key_lock = self._record_locks.setdefault(key, threading.Lock())
        with key_lock:
            reply = self._load(key)  # another thread may have recorded it meanwhile
            if reply is None:
                reply = self._record(key, messages, schema, body, dialect)
        with self._lock:
            self.used.add(key)
        return reply

    def stale(self) -> list[Path]:
        """Recordings no request of this run asked for (after a whole suite: safe to delete)."""
        return sorted(p for p in Path(self.recordings).glob("*.json") if p.stem not in self.used)

    def _record(
        self,
        key: str,
        messages: list[dict[str, Any]],
        schema: dict[str, Any] | None,
        body: dict[str, Any],
        dialect: Dialect,
    ) -> _Reply:
        assert self.upstream is not None
        payload: dict[str, Any] = {
            "model": self.upstream_model,
            "messages": messages,
            "temperature": 0,
        }
        if schema is not None:
            name = _openai_schema_name(body) if dialect == "openai" else "response"
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema},
            }
        max_tokens = _max_tokens(dialect, body)
        if max_tokens is not None:
            payload["max_tokens"] = max_tokens
        if body.get("logprobs"):  # a yes-or-no question: keep its first token's odds
            payload["logprobs"] = True
            payload["top_logprobs"] = body.get("top_logprobs", 10)
        url = f"{self.upstream}/chat/completions"
        try:
            response = httpx.post(url, json=payload, timeout=_UPSTREAM_TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise _HTTPError(502, f"upstream {url} failed: {exc!r}") from exc
        if response.status_code != 200:
            raise _HTTPError(
                502, f"upstream {url} answered {response.status_code}: {response.text[:500]}"
            )
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _HTTPError(502, f"upstream {url} sent an unexpected body: {exc!r}") from exc
        if not isinstance(content, str):
            raise _HTTPError(502, f"upstream {url} sent no message content")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        reply = _Reply(
            content=content,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            first_token=_first_token(data),
        )
        response_record: dict[str, Any] = {
            "content": reply.content,
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
        }
        if reply.first_token is not None:
            response_record["first_token"] = reply.first_token
        recording = {
            "key": key,
            "request": {"messages": messages, "schema": schema},
            "response": response_record,
        }
        self._write_atomic(self._path_for(key), recording)
        return reply

    @staticmethod
    def _write_atomic(path: Path, data: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
