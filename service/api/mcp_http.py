"""The MCP server over streamable HTTP (`fusebrief mcp --http`): the SDK's ASGI app at /mcp,
behind the API keys when there are any."""

import hmac
import json
from collections.abc import Sequence
from typing import Any

from mcp.server.mcpserver import MCPServer
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.errors import error_body

MCP_PATH = "/mcp"


class BearerKeys:
    """With FUSEBRIEF_API_KEYS set, every HTTP request needs `Authorization: Bearer <key>`."""

    def __init__(self, app: ASGIApp, keys: Sequence[str]) -> None:
        self.app = app
        self.keys = [key.encode() for key in keys]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.keys:
            given = dict(scope["headers"]).get(b"authorization", b"")
            token = given[7:] if given[:7].lower() == b"bearer " else b""
            if not any(hmac.compare_digest(token, key) for key in self.keys):
                await _refuse(send)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send) -> None:
    body = json.dumps(
        error_body("unauthorized", "missing or wrong API key: send 'Authorization: Bearer <key>'")
    ).encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"www-authenticate", b"Bearer"),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def http_app(server: MCPServer, host: str, keys: Sequence[str]) -> Any:
    """The streamable HTTP app at MCP_PATH, behind the API keys when there are any."""
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    return BearerKeys(app, keys) if keys else app
