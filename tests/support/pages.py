"""A loopback web server for tests: fixed pages by path (articles, feeds, redirects), and a
record of every request, POST bodies included (webhooks)."""

import ssl
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.support.loopback import LoopbackServer


@dataclass
class Page:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


class PageServer(LoopbackServer):
    """`with PageServer({"/a": Page("<html>…")}) as site: site.url + "/a"`.

    A path may map to a list of pages, answered in turn (the last one repeats): e.g. a 500 and
    then a 200 for a receiver that fails once. Unknown paths answer 404.
    """

    def __init__(
        self,
        pages: dict[str, Page | list[Page]],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.pages = pages
        self.received: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server._answer(self, self.rfile.read(length))

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler, host=host, port=port, tls=tls)

    @property
    def requests(self) -> list[str]:
        """The paths requested, in order."""
        return [r.path for r in self.received]

    def _next_page(self, path: str) -> Page:
        with self._lock:
            page = self.pages.get(path, Page("not found", status=404))
            if isinstance(page, list):
                return page.pop(0) if len(page) > 1 else page[0]
            return page

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        self.received.append(Received(handler.command, handler.path, headers, body))
        page = self._next_page(handler.path)
        if page.delay_s:
            threading.Event().wait(page.delay_s)
        content = page.body.encode() if isinstance(page.body, str) else page.body
        handler.send_response(page.status)
        handler.send_header("Content-Type", page.content_type)
        handler.send_header("Content-Length", str(len(content)))
        for name, value in page.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            handler.wfile.write(content)
