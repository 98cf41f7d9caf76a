"""`fusebrief mcp`: the brief as a Model Context Protocol tool, on the official MCP SDK.

One tool, `brief`: articles (title, outlet, text…) and/or links in; the brief's Markdown (the
text an assistant reads) and its JSON (the structured content, the REST API's shape) out. Each
stage of the brief is sent as an MCP progress notification when the client asks for progress.
The tool calls the one brief service (service.briefs), like every other entry point; links are
fetched with the guard of POST /v1/articles/fetch (FUSEBRIEF_FETCH_ALLOW_PRIVATE_LINKS).

Transports: stdio (default: an MCP client starts `fusebrief mcp` itself), or streamable HTTP
(`--http`, path /mcp; the HTTP side is service.api.mcp_http), which like `fusebrief serve`
listens beyond loopback only with FUSEBRIEF_API_KEYS set, and then wants
`Authorization: Bearer <key>`.
"""

import asyncio
import json
from collections.abc import Sequence
from contextlib import suppress
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from service import __version__
from service.api.schemas import BriefOut
from service.articles import ArticleFields
from service.brief_json import brief_document
from service.briefs import MAX_SENTENCES, MAX_WORDS, MIN_SENTENCES, MIN_WORDS, BriefService
from service.errors import FusebriefError, InvalidBundle
from service.fetch import fetch_articles
from service.progress import StageClock, describe
from service.render import to_markdown
from service.types import ProgressEvent

INSTRUCTIONS = (
    "fusebrief writes one neutral brief from several news articles about one story. Every "
    "sentence cites the articles it rests on as [S1, S3]; where outlets disagree, the brief says "
    "so with both sides; articles about another event are left out and named. Give it two or "
    "more articles (their text) or links to them."
)
DESCRIPTION = (
    "Write one cited brief from several articles about the same story. Pass `articles` (each "
    "with title, source = the outlet, and text, plain or HTML; url and published_at help) "
    "and/or `urls` (public http(s) links the server fetches). Returns the brief as Markdown "
    "(sentences with [S1, S2] source markers, disagreements, sources, warnings) and as JSON "
    "(structured content: sentences with their sources, sources, excluded articles and why). "
    "Takes seconds to minutes: the model extracts facts from every article, then writes."
)


def build_server(service: BriefService) -> MCPServer:
    """The MCP server whose `brief` tool runs on `service`."""
    server: MCPServer = MCPServer(
        "fusebrief", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    @server.tool(name="brief", title="Brief several articles", description=DESCRIPTION)
    async def brief(
        ctx: Context,
        articles: Annotated[
            list[ArticleFields] | None,
            Field(
                description="The articles: title, source (the outlet), text; url, "
                "published_at (ISO 8601), language optional."
            ),
        ] = None,
        urls: Annotated[
            list[str] | None, Field(description="Links to article pages, fetched by the server.")
        ] = None,
        language: Annotated[
            str | None,
            Field(
                description="Language of the brief, e.g. 'en' (default: the "
                "articles' main language)."
            ),
        ] = None,
        max_sentences: Annotated[
            int | None,
            Field(
                ge=MIN_SENTENCES,
                le=MAX_SENTENCES,
                description="At most this many sentences, disagreements included (default: "
                "more for more articles or a longer story).",
            ),
        ] = None,
        max_words: Annotated[
            int | None,
            Field(
                ge=MIN_WORDS,
                le=MAX_WORDS,
                description="At most this many words, disagreements included.",
            ),
        ] = None,
    ) -> Annotated[CallToolResult, BriefOut]:
        try:
            return await _brief(
                service, ctx, articles or [], urls or [], language, max_sentences, max_words
            )
        except FusebriefError as error:
            return _error(error.code, error.message)

    return server


async def _brief(
    service: BriefService,
    ctx: Context,
    given: Sequence[ArticleFields],
    urls: Sequence[str],
    language: str | None,
    max_sentences: int | None,
    max_words: int | None,
) -> CallToolResult:
    if not given and not urls:
        raise InvalidBundle("give the articles (title, source, text) or links to them (urls)")
    articles = [a.to_article() for a in given]
    if urls:
        articles += await fetch_articles(urls, service.settings)
    request = service.request(
        articles, language=language, max_sentences=max_sentences, max_words=max_words
    )
    updates: asyncio.Queue[str | None] = asyncio.Queue()
    clock = StageClock()

    def progress(event: ProgressEvent) -> None:
        updates.put_nowait(describe(clock.stage(event)))

    async def report() -> None:  # in order, one at a time: the sink itself cannot await
        sent = 0
        while (line := await updates.get()) is not None:
            sent += 1
            with suppress(Exception):  # a client that asked for no progress, or went away
                await ctx.report_progress(sent, None, line)

    reporter = asyncio.create_task(report())
    try:
        result = await service.brief(request, progress)
    finally:
        updates.put_nowait(None)
        await reporter
    document = brief_document(result)
    return CallToolResult(
        content=[TextContent(type="text", text=to_markdown(result))],
        structured_content=document,
    )


def _error(code: str, message: str) -> CallToolResult:
    """A failed brief as the tool's answer: the REST API's error envelope and code."""
    envelope = {"error": {"code": code, "message": message}}
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(envelope, ensure_ascii=False))],
        structured_content=envelope,
        is_error=True,
    )
