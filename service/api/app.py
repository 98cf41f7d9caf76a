"""The FastAPI application: lifespan (embedded model), body-size limit, and one error mapping."""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service import __version__
from service.api.docs_assets import install_offline_docs
from service.api.errors import error_body, http_status
from service.api.page import install_page
from service.api.ratelimit import AuthFailures, RateLimiter
from service.api.routes import router
from service.api.slack import router as slack_router
from service.briefs import BriefService
from service.config import Settings, get_settings
from service.errors import BundleTooLarge, FusebriefError, InvalidBundle, RateLimited
from service.jobs.queue import JobQueue
from service.llm import LLMClient
from service.local_model import LocalModelServer
from service.logs import REQUEST_ID
from service.metrics import HTTP_LATENCY, HTTP_REQUESTS
from service.slack.verify import SlackVerifier
from service.tracing import TRACE_HEADERS, continued
from service.wiring import job_handlers

log = logging.getLogger("fusebrief")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
INVALID_REQUEST = InvalidBundle.code  # one code for every request the client must correct


class BodySizeLimit:
    """Refuse bodies over the configured size with 413, before anyone parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # FastAPI turns errors while reading the body into a 400; the flag lets the
                # error handler answer 413 instead.
                scope.setdefault("state", {})["body_too_large"] = self.max_bytes
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await _too_large(self.max_bytes)({"type": "http"}, _no_receive, send)


def _too_large(max_bytes: int) -> JSONResponse:
    return JSONResponse(
        error_body(
            BundleTooLarge.code,
            f"the request body is over {max_bytes} bytes "
            "(FUSEBRIEF_MAX_BODY_BYTES): send fewer or shorter articles",
        ),
        status_code=413,
    )


class _BodyTooLarge(Exception):
    pass


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """The Host names the server answers, or None for any.

    Without API keys the server listens on loopback for its one user, and a web page that got
    that user's browser to resolve its own name to 127.0.0.1 (DNS rebinding) could drive it:
    only loopback's names, the bound host and FUSEBRIEF_ALLOWED_HOSTS are answered. With keys,
    a page in a browser has no key; the names are checked only if FUSEBRIEF_ALLOWED_HOSTS is
    set. "*" in it allows any."""
    extra = frozenset(settings.allowed_hosts)
    if "*" in extra or (settings.api_keys and not extra):
        return None
    bound = settings.bind_host.lower().strip("[]")
    return LOOPBACK_NAMES | extra | ({bound} - {"0.0.0.0", "::"})


def _host_name(header: str) -> str | None:
    """The name in a Host header ("[::1]:8000" → "::1"), or None when it is malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        name, bracket, port = value[1:].partition("]")
        if not bracket:
            return None
    else:
        name, _, port = value.partition(":")
        port = f":{port}" if _ else ""
    if port and not (port.startswith(":") and port[1:].isdigit()):
        return None
    return name.rstrip(".") or None


class TrustedHosts:
    """Answer only requests whose Host header is an allowed name (see `allowed_hosts`); any
    other gets 400 with the JSON error envelope before anything else happens.

    Starlette's TrustedHostMiddleware does the same check, but answers in plain text and does
    not match an IPv6 literal ("[::1]:8000") against "::1"."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = _host_name(header)
            if name not in self.allowed:
                response = JSONResponse(
                    error_body(
                        "invalid_host",
                        f"this server does not answer to the host name {header[:100]!r}; "
                        "use http://127.0.0.1 or http://localhost, or the operator adds the "
                        "name to FUSEBRIEF_ALLOWED_HOSTS",
                    ),
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequestContext:
    """A request id for every request (the client's X-Request-ID, or a new one) in the logs and
    the response headers; the W3C trace its `traceparent` header names, continued (its briefs
    and jobs join it); one log line and the metrics per request. Never bodies or keys."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        trace_headers = {
            name: headers[name.encode()].decode("latin-1")
            for name in TRACE_HEADERS
            if name.encode() in headers
        }
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            with continued(trace_headers):
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info("%s %s %d %.0f ms", scope["method"], route, status, elapsed * 1000)
            REQUEST_ID.reset(token)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


_SEND_JSON = 'send a JSON object {"articles": [...]}'


def _describe_validation(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        loc = tuple(error.get("loc", ()))
        where = ".".join(str(p) for p in loc if p != "body") or "body"
        if error.get("type") == "json_invalid":
            return f"the body is not valid JSON: {_SEND_JSON}"
        if loc == ("body",) and error.get("type") == "missing":
            return f"the body is empty: {_SEND_JSON}"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(problems)


def _unreadable_body(cause: BaseException | None) -> str:
    """Why FastAPI could not parse a body it read (it answers such a body with a bare 400)."""
    if isinstance(cause, UnicodeDecodeError):
        return (
            f"the body is not UTF-8 (byte {cause.start} cannot be decoded): "
            f"send UTF-8 encoded JSON, {_SEND_JSON}"
        )
    if isinstance(cause, RecursionError):
        return (
            "the body's JSON is nested too deeply to read (arrays or objects inside one "
            f"another hundreds of levels deep): {_SEND_JSON}"
        )
    return f"the body could not be read as JSON: {_SEND_JSON}"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FusebriefError)
    async def fusebrief_error(_: Request, exc: FusebriefError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
        return JSONResponse(
            error_body(exc.code, exc.message), status_code=http_status(exc), headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(INVALID_REQUEST, _describe_validation(exc)), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        limit = getattr(request.state, "body_too_large", None)
        if limit is not None:
            return _too_large(limit)
        if exc.status_code == 400:
            # FastAPI's answer to a body it could not parse: not UTF-8, or nested past
            # Python's recursion limit. A body the client must correct, like any other: 422.
            return JSONResponse(error_body(INVALID_REQUEST, _unreadable_body(exc.__cause__)), 422)
        code = {
            401: "unauthorized",
            404: "not_found",
            405: "method_not_allowed",
        }.get(exc.status_code, "http_error")
        headers = exc.headers
        if exc.status_code == 405:
            # Starlette's Allow names only the first route on the path (GET /v1/jobs/{id} and
            # DELETE /v1/jobs/{id} are two routes): name every method the path takes.
            headers = {"Allow": ", ".join(_methods_on_path(request))}
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(Exception)
    async def unexpected_error(_: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback by the server; the client gets the envelope, not the text.
        return JSONResponse(
            error_body("internal_error", "the server failed unexpectedly; see its log"), 500
        )


def _methods_on_path(request: Request) -> list[str]:
    """Every method some route of the app takes on the request's path."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def create_app(settings: Settings | None = None, llm: LLMClient | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and model client."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        local: LocalModelServer | None = None
        starting: asyncio.Task[str] | None = None
        models = llm
        if models is None and settings.uses_local_model and not settings.queue_url:
            # Start the embedded model in the background: /healthz answers at once, /readyz
            # and briefs answer 503 with the model's state until it is up. In scale-out mode
            # (FUSEBRIEF_QUEUE_URL) the workers hold the model, not the API.
            local = LocalModelServer(settings)
            log.info("starting the embedded model (%s)", local.weights.label)
            models = LLMClient(settings, local=local)
            starting = asyncio.create_task(asyncio.to_thread(local.start, _log_progress))
            starting.add_done_callback(_report_start)
        jobs = app.state.jobs = JobQueue(settings)
        app.state.briefs = briefs = BriefService(
            settings, models or LLMClient(settings), remote=jobs if settings.queue_url else None
        )
        await jobs.start(job_handlers(briefs))
        app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.queue_url)
        app.state.auth_failures = AuthFailures(
            settings.auth_failures_per_minute, settings.queue_url
        )
        try:
            yield
        finally:
            await jobs.stop()
            if starting is not None:
                with suppress(Exception):
                    await starting
            if local:
                local.stop()

    app = FastAPI(
        title="fusebrief",
        version=__version__,
        summary="A bundle of news articles in, one neutral brief out, every sentence cited.",
        lifespan=lifespan,
        docs_url=None,  # served with local assets by install_offline_docs: no CDN
        redoc_url=None,
    )
    install_offline_docs(app)
    install_page(app)
    app.state.settings = settings
    app.state.slack_verifier = SlackVerifier.from_settings(settings)
    app.include_router(router)
    app.include_router(slack_router)
    _install_error_handlers(app)
    # Outermost last: request id and log line, Host check, proxy headers, body size, the app.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.trusted_proxies:
        # X-Forwarded-For (and -Proto) are believed only from these addresses; `fusebrief
        # serve` turns off uvicorn's own proxy headers, which trust 127.0.0.1 by default.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    if (hosts := allowed_hosts(settings)) is not None:
        app.add_middleware(TrustedHosts, allowed=hosts)
    app.add_middleware(RequestContext)
    return app


def _report_start(task: "asyncio.Task[str]") -> None:
    if task.cancelled():
        log.info("the embedded model's start was cancelled")
    elif (error := task.exception()) is not None:
        log.error("the embedded model failed to start: %s", error)
    else:
        log.info("the embedded model is ready")


def _log_progress(done: int, total: int) -> None:
    if done == total or done % (64 << 20) < (1 << 20):
        log.info("assembling model weights: %d / %d MB", done >> 20, total >> 20)
