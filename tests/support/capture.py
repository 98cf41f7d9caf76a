"""A loopback stand-in for Slack: records every POSTed JSON body, can answer 429 first.

`with CaptureServer() as slack:` then point a response_url at `slack.url + "/respond"` or the
Web API base at `slack.url + "/api/"`; `slack.posts` lists what arrived. `slack.rate_limit(n,
retry_after)` makes the next n POSTs answer 429 with Retry-After.
"""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.loopback import LoopbackServer


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int  # what the server answered


class CaptureServer(LoopbackServer):
    def __init__(self) -> None:
        self.posts: list[Post] = []
        self._limited: list[int] = []  # Retry-After seconds for the next 429 answers
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with server._lock:
                    retry_after = server._limited.pop(0) if server._limited else None
                status = 200 if retry_after is None else 429
                server.posts.append(
                    Post(self.path, dict(self.headers), json.loads(raw or b"{}"), status)
                )
                body = json.dumps({"ok": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if retry_after is not None:
                    self.send_header("Retry-After", str(retry_after))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)

    def rate_limit(self, times: int, retry_after: int) -> None:
        """Answer the next `times` POSTs with 429 and `Retry-After: retry_after`."""
        with self._lock:
            self._limited += [retry_after] * times

    def delivered(self) -> list[Post]:
        """The POSTs that were accepted (answered 200)."""
        return [post for post in self.posts if post.status == 200]
