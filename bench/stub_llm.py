"""A loopback OpenAI-compatible stub model with scripted latency, for timing runs.

`POST /v1/chat/completions` answers after `per_call_s + per_output_token_s × completion tokens`
(slept, not computed: many requests wait at once, one thread each), so wall-time figures do not
depend on how busy the machine is. Replies are deterministic and shaped like a model's:

- a `json_schema` with properties `A1`, `A2`, … (fusebrief's map step, one per article of the
  call): under each id a report whose facts are sentences of the text inside that
  `<article id="…">`, spread over the article, at most the schema's `maxItems`;
- a `json_schema` with a `title` (the title step): the first words of the first sentence listed
  inside `<brief>`;
- a `json_schema` with `sentences` (the translate step): the numbered sentences inside
  `<sentences>`, unchanged (a stub does not translate; the writer then refuses them);
- anything else (free text: the LangChain baseline): a few sentences of the prompt's article
  text, each ending with the `[S#]` marker of the article it came from.

Usage reports prompt tokens (cl100k over every message, `service.chunk.count_tokens`) and the
reply's completion tokens. Every call is logged (`StubLLM.take()`): its kind, tokens, scripted
latency, start and end, and the `tag` (the first match of `tag_pattern` in the prompt), which
lets a load test attribute calls to jobs.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from service.chunk import count_tokens

MAP_FACTS = 8  # facts a map reply carries (when the schema allows that many)
TEXT_SENTENCES = 4  # sentences of a free-text summary of one article
_ARTICLE = re.compile(r"<article\b(?P<attrs>[^>]*)>\s*(?P<body>.*?)\s*</article>", re.S)
_ID_ATTR = re.compile(r'\bid="([^"]*)"')
_BRIEF = re.compile(r"<brief>\s*(?P<body>.*?)\s*</brief>", re.S)
_SENTENCES = re.compile(r"<sentences>\s*(?P<body>.*?)\s*</sentences>", re.S)
_NUMBERED = re.compile(r"^\d+\.\s+(.*)$", re.M)
_ARTICLE_ID = re.compile(r"A\d+")
_SID_HEADER = re.compile(r"^\[(S\d+)\][^\n]*$", re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“‘(A-Z0-9])")
_MARKER = re.compile(r"\s*\[S\d+(?:,\s*S\d+)*\]")
_AT_MOST = re.compile(r"at most (\d+) sentences")


@dataclass(frozen=True)
class Latency:
    """The scripted cost of one call: fixed overhead plus time per generated token."""

    per_call_s: float = 0.5
    per_output_token_s: float = 0.01

    def of(self, completion_tokens: int) -> float:
        return self.per_call_s + self.per_output_token_s * completion_tokens


@dataclass(frozen=True)
class Call:
    """One chat request as the stub answered it."""

    kind: str  # "map", "title", "translate", "text-map", "text-reduce" (free text), "json"
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    started: float  # time.monotonic()
    ended: float
    tag: str = ""
    detail: dict[str, int] = field(default_factory=dict)  # token breakdown of the prompt


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        out.extend(s.strip() for s in _SENTENCE_END.split(line.strip()) if s.strip())
    return [s for s in out if len(s.split()) >= 4]


def _spread(items: list[Any], k: int) -> list[Any]:
    """k items evenly spread over the list, the first included, order kept."""
    if len(items) <= k:
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def _user_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")


def map_reply(prompt: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Under each article id, facts from that article's sentences (headline first), no quotes."""
    article = schema.get("$defs", {}).get("MapOutput", {})
    limit = int(article.get("properties", {}).get("facts", {}).get("maxItems") or MAP_FACTS)
    bodies = {}
    for match in _ARTICLE.finditer(prompt):
        aid = _ID_ATTR.search(match.group("attrs"))
        bodies[aid.group(1) if aid else ""] = match.group("body")
    reply = {}
    for aid in schema.get("properties", {}):
        headline, _, text = bodies.get(aid, "").partition("\n\n")
        facts = _spread(_sentences(text or headline), min(MAP_FACTS, limit))
        reply[aid] = {"kind": "report", "when": "", "facts": facts}
    return reply


def title_reply(prompt: str) -> dict[str, Any]:
    """The first words of the brief's first sentence."""
    brief = _BRIEF.search(prompt)
    first = (brief.group("body") if brief else "The story").lstrip("- ").split("\n")[0]
    return {"title": " ".join(first.split()[:12]).rstrip(".,;:")}


def translate_reply(prompt: str) -> dict[str, Any]:
    """The numbered sentences, as they are."""
    found = _SENTENCES.search(prompt)
    return {"sentences": _NUMBERED.findall(found.group("body")) if found else []}


def text_reply(prompt: str) -> tuple[str, str]:
    """(kind, reply) for free text: a map prompt (articles headed "[S2] Outlet: Title") gets a
    few sentences of each article ending with its marker; a combine prompt (summaries already
    marked) gets up to "at most N" of its sentences."""
    headers = list(_SID_HEADER.finditer(prompt))
    if not headers:
        most = _AT_MOST.search(prompt)
        marked = [s for s in _sentences(prompt) if _MARKER.search(s)]
        return "text-reduce", "\n".join(_spread(marked, int(most.group(1)) if most else 10))
    lines = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(prompt)
        body = [s for s in _sentences(prompt[header.end() : end]) if not s.endswith(":")]
        sid = header.group(1)
        lines += [f"{_MARKER.sub('', s).rstrip()} [{sid}]" for s in _spread(body, TEXT_SENTENCES)]
    return "text-map", "\n".join(lines)


def _schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else {}
    return None


def _breakdown(kind: str, prompt: str, total: int) -> dict[str, int]:
    """Prompt tokens that are article text (map) or the brief (title), and the rest
    (instructions)."""
    pattern = {"map": _ARTICLE, "title": _BRIEF}.get(kind)
    found = pattern.finditer(prompt) if pattern else ()
    data = sum(count_tokens(match.group("body")) for match in found)
    return {"data": data, "overhead": total - data}


def answer(body: dict[str, Any]) -> tuple[str, str]:
    """(kind, reply content) for one chat request body."""
    messages = body.get("messages") or []
    prompt = _user_text(messages)
    schema = _schema_of(body)
    if schema is None:
        return text_reply(prompt)
    properties = schema.get("properties", {})
    if properties and all(_ARTICLE_ID.fullmatch(name) for name in properties):
        return "map", json.dumps(map_reply(prompt, schema), ensure_ascii=False)
    if "title" in properties:
        return "title", json.dumps(title_reply(prompt), ensure_ascii=False)
    if "sentences" in properties:
        return "translate", json.dumps(translate_reply(prompt), ensure_ascii=False)
    return "json", "{}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})

    def do_POST(self) -> None:
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        stub = self.server.stub
        kind, content = answer(body)
        prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages") or [])
        prompt_tokens = count_tokens(prompt)
        completion_tokens = count_tokens(content)
        latency = stub.latency.of(completion_tokens)
        time.sleep(max(0.0, latency - (time.monotonic() - started)))
        tag = stub.tag_of(prompt)
        detail = _breakdown(kind, _user_text(body.get("messages") or []), prompt_tokens)
        stub.log(
            Call(
                kind,
                prompt_tokens,
                completion_tokens,
                latency,
                started,
                time.monotonic(),
                tag,
                detail,
            )
        )
        self._send(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": str(body.get("model") or "stub"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # a burst of hundreds of connections at once

    def __init__(self, stub: StubLLM) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stub = stub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that drop a kept-alive connection are expected; stay quiet."""


class StubLLM:
    """`with StubLLM(Latency(0.5, 0.01)) as stub:` serve on `stub.url` (OpenAI base URL)."""

    def __init__(self, latency: Latency | None = None, tag_pattern: str | None = None) -> None:
        self.latency = latency or Latency()
        self._tag = re.compile(tag_pattern) if tag_pattern else None
        self._calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def tag_of(self, prompt: str) -> str:
        found = self._tag.search(prompt) if self._tag else None
        return found.group(0) if found else ""

    def log(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def take(self) -> list[Call]:
        """Every call answered since the last `take`, in completion order."""
        with self._lock:
            taken, self._calls = self._calls, []
        return taken

    def __enter__(self) -> StubLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
