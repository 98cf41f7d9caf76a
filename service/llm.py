"""The only door to a language model: litellm calls, retries, timeouts, JSON parsing and repair.

Stages never import litellm; they receive a `JsonModel` (see the protocol below) and ask it for
JSON that validates against a pydantic type. `LLMClient` is the process-wide factory: it knows
the configured endpoints and hands each brief a `ModelSession` that sums the brief's usage.

Who does what on a call: a litellm `Router` picks the deployment (several `model@api_base`
entries of one model are load-balanced), falls back to the next model group when one fails, and
cools a failed deployment down (shared through Redis in scale-out mode); tenacity retries the
routed call with backoff, honouring Retry-After; the reply cache, the rpm/tpm budget and the
in-flight limit (`service.budget`) sit in front of both.
"""

import json
import logging
import math
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, TypeVar, cast

import httpx
import litellm
from litellm.exceptions import (
    APIConnectionError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ContextWindowExceededError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    ServiceUnavailableError,
    Timeout,
)
from litellm.router import Router
from litellm.types.router import RouterRateLimitError
from pydantic import BaseModel, StringConstraints, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from service.budget import Budget, Slots, open_budget, open_slots, wait_for_budget
from service.cache import NoCache, ReplyCache, open_cache, reply_key
from service.chunk import count_tokens
from service.config import Settings
from service.errors import InvalidBundle, ModelOutputInvalid, ModelUnavailable
from service.local_model import LocalModelServer
from service.metrics import CACHE_LOOKUPS, LLM_CALLS, LLM_DURATION, LLM_ERRORS, LLM_TOKENS
from service.prompts import reply_version
from service.tracing import model_call_span, record_reply
from service.types import Usage

log = logging.getLogger("fusebrief.llm")
T = TypeVar("T", bound=BaseModel)
# A string field of a model's JSON answer: generous limit (a grammar cut short emits junk).
ModelText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=600)]
Message = dict[str, str]

litellm.suppress_debug_info = True
litellm.telemetry = False

# Failures worth another try: the provider is busy, down or slow, or (RouterRateLimitError)
# every deployment of the model is cooling down.
_TRANSIENT = (
    RouterRateLimitError,
    RateLimitError,
    Timeout,
    APIConnectionError,
    InternalServerError,
    ServiceUnavailableError,
    BadGatewayError,
)
_MAX_RETRY_AFTER_S = 60.0
_DEFAULT_CONTEXT_TOKENS = 8192
TOP_TOKENS = 10  # the first token's alternatives a yes-or-no question reads (see yes_share)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class JsonModel(Protocol):
    """What a pipeline stage needs from a model."""

    @property
    def name(self) -> str: ...

    context_tokens: int
    self_hosted: bool  # tokens cost time (embedded, Ollama, an api_base), not money
    usage: Usage

    async def complete_json(
        self,
        messages: list[Message],
        output: type[T],
        *,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
        cache: bool = True,
    ) -> T:
        """Ask for JSON matching `schema` (default: `output`'s schema), return it validated.
        With `cache=False` the reply is neither looked up nor stored (the caller stores its
        parts with `remember`)."""
        ...

    async def yes_probability(self, messages: list[Message]) -> float:
        """How likely the model answers a yes-or-no question "yes", from 0 to 1: the share of
        "yes" among its first token's "yes" and "no" where the provider returns token
        probabilities, else 1.0 or 0.0 by its answer."""
        ...

    async def recall(self, part: dict[str, Any], output: type[T]) -> T | None:
        """The stored reply for one part of a batched request (`part` describes it), if any."""
        ...

    async def remember(self, part: dict[str, Any], value: BaseModel) -> None:
        """Store one part's reply, so a later request holding that part reuses it."""
        ...


@dataclass(frozen=True)
class Endpoint:
    """One litellm model string and where it lives."""

    model: str
    api_base: str | None = None
    api_key: str | None = None

    @property
    def litellm_model(self) -> str:
        # Ollama's chat endpoint (/api/chat) is litellm's "ollama_chat" provider.
        if self.model.startswith("ollama/"):
            return "ollama_chat/" + self.model.removeprefix("ollama/")
        return self.model

    @property
    def is_self_hosted(self) -> bool:
        return self.api_base is not None or self.litellm_model.startswith("ollama_chat/")


def parse_json_reply(text: str) -> Any:
    """Parse a model reply that should be JSON, tolerating code fences and prose around it."""
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start = candidate.find("{")
    end = candidate.rfind("}")
    if start == -1 or end < start:
        raise ValueError("no JSON object in the reply")
    return json.loads(candidate[start : end + 1])


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After), wherever litellm put the header."""
    candidates: list[Any] = [
        getattr(exc, "headers", None),
        getattr(exc, "litellm_response_headers", None),  # Ollama errors carry it only here
        getattr(getattr(exc, "response", None), "headers", None),
    ]
    for headers in candidates:
        value = headers.get("retry-after") if headers else None
        if value is not None:
            try:
                return min(float(value), _MAX_RETRY_AFTER_S)
            except ValueError:
                return None
    return None


class _WaitHonouringRetryAfter:
    """Exponential backoff with jitter, unless the server said how long to wait."""

    def __init__(self) -> None:
        self._backoff = wait_exponential_jitter(initial=1, max=30)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        told = _retry_after(exc) if exc else None
        return told if told is not None else self._backoff(state)


@dataclass
class ModelSession:
    """A model as seen by one brief: the router and model group it calls, and its usage."""

    router: Router
    group: str  # the model asked for; the router falls back to the other groups
    cache_as: str  # the model's name in reply-cache keys: names the embedded model's weights
    api_bases: str  # where the group's deployments live, for error messages ("" if hosted)
    supports_schema: bool  # every deployment can enforce a JSON schema
    context_tokens: int
    self_hosted: bool
    timeout_s: float
    max_retries: int
    slots: Slots
    cache: ReplyCache = field(default_factory=NoCache)
    budget: Budget | None = None
    usage: Usage = field(default_factory=Usage)

    @property
    def name(self) -> str:
        return self.group

    async def complete_json(
        self,
        messages: list[Message],
        output: type[T],
        *,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
        cache: bool = True,
    ) -> T:
        schema = schema or output.model_json_schema()
        request = {"messages": messages, "schema": schema}
        if cache and (cached := await self._lookup(request, output)) is not None:
            return cached
        result = await self._complete_valid(messages, output, schema, max_tokens)
        if cache:
            await self._store(request, result)
        return result

    async def yes_probability(self, messages: list[Message]) -> float:
        request = {"messages": messages, "answer": "yes or no"}
        if (cached := await self._lookup(request, YesShare)) is not None:
            return cached.yes
        # drop_params: a provider without token probabilities answers in words (see yes_share)
        params = {
            "max_tokens": 1,
            "logprobs": True,
            "top_logprobs": TOP_TOKENS,
            "drop_params": True,
        }
        result = YesShare(yes=yes_share(await self._complete(messages, params)))
        await self._store(request, result)
        return result.yes

    async def recall(self, part: dict[str, Any], output: type[T]) -> T | None:
        return await self._lookup({"part": part, "schema": output.model_json_schema()}, output)

    async def remember(self, part: dict[str, Any], value: BaseModel) -> None:
        await self._store({"part": part, "schema": type(value).model_json_schema()}, value)

    async def _lookup(self, request: dict[str, Any], output: type[T]) -> T | None:
        cached = await self.cache.get(reply_key(self.cache_as, reply_version(), request))
        CACHE_LOOKUPS.labels("miss" if cached is None else "hit").inc()
        if cached is None:
            return None
        self.usage.cache_hits += 1
        return output.model_validate_json(cached)

    async def _store(self, request: dict[str, Any], value: BaseModel) -> None:
        await self.cache.put(
            reply_key(self.cache_as, reply_version(), request), value.model_dump_json()
        )

    async def _complete_valid(
        self, messages: list[Message], output: type[T], schema: dict[str, Any], max_tokens: int
    ) -> T:
        params = {"max_tokens": max_tokens, "response_format": self._json_format(schema, output)}
        reply = _content(await self._complete(messages, params))
        try:
            return output.model_validate(parse_json_reply(reply))
        except (ValueError, ValidationError) as first_error:
            repair = [
                *messages,
                {"role": "assistant", "content": reply},
                {"role": "user", "content": _repair_request(first_error)},
            ]
            reply = _content(await self._complete(repair, params))
            try:
                return output.model_validate(parse_json_reply(reply))
            except (ValueError, ValidationError) as error:
                raise ModelOutputInvalid(
                    f"the model {self.name} did not return valid JSON for {output.__name__} "
                    f"even after a repair request ({_short(error)}); try a larger model"
                ) from error

    def _json_format(self, schema: dict[str, Any], output: type[BaseModel]) -> dict[str, Any]:
        if not self.supports_schema:
            return {"type": "json_object"}
        return {"type": "json_schema", "json_schema": {"name": output.__name__, "schema": schema}}

    async def _complete(self, messages: list[Message], params: dict[str, Any]) -> Any:
        """The routed call (`params`: max_tokens and what else the call asks for), retried
        while the failure is transient; the provider's response."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_TRANSIENT),
            wait=_WaitHonouringRetryAfter(),
            stop=stop_after_attempt(self.max_retries + 1),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._call(messages, params)
        except _TRANSIENT as error:
            where = f"the model server at {self.api_bases}" if self.api_bases else "its provider"
            raise ModelUnavailable(
                f"the model {self.group} is unavailable after {self.max_retries + 1} "
                f"attempts: {where} {_what_happened(error, self.timeout_s)}; check that it is "
                "running and reachable"
            ) from error
        except ContextWindowExceededError as error:
            raise InvalidBundle(
                f"the request does not fit the context window of {self.group}; "
                "send fewer or shorter articles, or set FUSEBRIEF_LLM_CONTEXT_TOKENS lower"
            ) from error
        except (AuthenticationError, NotFoundError, BadRequestError) as e:
            raise ModelUnavailable(
                f"the model {self.group} refused the request (HTTP {e.status_code}: "
                f"{_short(e)}); "
                "check FUSEBRIEF_LLM_MODEL, FUSEBRIEF_LLM_API_BASE and FUSEBRIEF_LLM_API_KEY"
            ) from e
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call(self, messages: list[Message], params: dict[str, Any]) -> Any:
        max_tokens = int(params["max_tokens"])
        if self.budget is not None:
            tokens = sum(count_tokens(str(m.get("content") or "")) for m in messages) + max_tokens
            await wait_for_budget(self.budget, self.group, tokens)
        api_base = self.api_bases.split(", ")[0] or None
        output_type = "json" if "response_format" in params else "text"
        span = model_call_span(
            self.group,
            self.group,
            api_base,
            max_tokens=max_tokens,
            temperature=0,
            output_type=output_type,
        )
        async with self.slots.hold():
            with span as current:
                started = time.perf_counter()
                try:
                    response = await self.router.acompletion(
                        model=self.group,
                        messages=messages,  # type: ignore[arg-type]
                        temperature=0,
                        timeout=self.timeout_s,
                        **params,
                    )
                except Exception as error:
                    LLM_ERRORS.labels(self.group, type(error).__name__).inc()
                    raise
                model = self._answered_by(response)
                LLM_DURATION.labels(model).observe(time.perf_counter() - started)
                usage = getattr(response, "usage", None)
                prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
                completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
                record_reply(current, response, model, prompt_tokens, completion_tokens)
        draft = draft_counts(response)
        self.usage.add(prompt_tokens, completion_tokens, draft)
        if draft is not None:
            log.debug("speculative decoding: %d of %d drafted tokens accepted", draft[1], draft[0])
        LLM_CALLS.labels(model).inc()
        LLM_TOKENS.labels(model, "prompt").inc(prompt_tokens)
        LLM_TOKENS.labels(model, "completion").inc(completion_tokens)
        return response

    def _answered_by(self, response: Any) -> str:
        """The model group whose deployment answered (a fallback, perhaps), for the metrics:
        the part of the deployment's id (`<group>#<n>`, set by LLMClient) before the "#"."""
        model_id = (getattr(response, "_hidden_params", None) or {}).get("model_id") or ""
        return str(model_id).rpartition("#")[0] or self.group


class YesShare(BaseModel):
    """A yes-or-no answer as stored in the reply cache: the probability of "yes"."""

    yes: float


def _content(response: Any) -> str:
    content = response.choices[0].message.content
    return content if isinstance(content, str) else ""


def yes_share(response: Any) -> float:
    """P("yes") ÷ (P("yes") + P("no")) over the first token's most likely alternatives
    (case and surrounding spaces ignored); without token probabilities, or when neither word is
    among them, 1.0 if the answer starts with "yes", else 0.0."""
    choice = response.choices[0]
    tokens = getattr(getattr(choice, "logprobs", None), "content", None) or [None]
    shares = {"yes": 0.0, "no": 0.0}
    for candidate in getattr(tokens[0], "top_logprobs", None) or []:
        word = str(candidate.token).strip().lower()
        if word in shares:
            shares[word] += math.exp(candidate.logprob)
    if shares["yes"] + shares["no"] > 0:
        return shares["yes"] / (shares["yes"] + shares["no"])
    return 1.0 if _content(response).strip().lower().startswith("yes") else 0.0


def draft_counts(response: Any) -> tuple[int, int] | None:
    """(drafted, accepted) tokens of one call's speculative decoding, from llama.cpp's
    `timings` (`draft_n`, `draft_n_accepted`; litellm keeps unknown top-level fields as
    attributes); None when the server reports none (no speculative decoding, another server)."""
    timings = getattr(response, "timings", None)
    if not isinstance(timings, dict) or "draft_n" not in timings:
        return None
    try:
        drafted = int(timings.get("draft_n") or 0)
        accepted = int(timings.get("draft_n_accepted") or 0)
    except (TypeError, ValueError):
        return None
    return drafted, min(accepted, drafted)


def _supports_schema(endpoint: Endpoint) -> bool:
    """Whether the provider can enforce a JSON schema (llama.cpp, Ollama, modern APIs)."""
    return endpoint.is_self_hosted or litellm.supports_response_schema(model=endpoint.litellm_model)


def _repair_request(error: Exception) -> str:
    return (
        "Your previous reply could not be used: "
        f"{_short(error)}. Reply again with only the JSON object, complete and valid, "
        "following the requested schema exactly."
    )


# litellm's prefixes on an error's text ("litellm.NotFoundError: NotFoundError: OpenAIException -
# "): class names that say nothing to whoever reads the message.
_CLASS_PREFIXES = re.compile(r"^(?:(?:litellm\.)?\w+(?:Error|Exception)(?::| -) *)+")


def _short(error: BaseException) -> str:
    text = _CLASS_PREFIXES.sub("", " ".join(str(error).split()))
    return text[:300]


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what caused it, outermost first (litellm wraps the SDK's wrapping of the
    HTTP client's wrapping of the socket's error)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _what_happened(error: BaseException, timeout_s: float) -> str:
    """What a transient model failure was, in words ("refused the connection"), for a message
    that ends "the model server at <url> …"."""
    chain = _causes(error)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused the connection"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "could not be found (its host name does not resolve)"
    if isinstance(error, RouterRateLimitError):
        return "is cooling down after failed calls (FUSEBRIEF_LLM_COOLDOWN_S)"
    if isinstance(error, RateLimitError):
        return "kept answering 429 Too Many Requests"
    if isinstance(error, Timeout) or any(isinstance(e, TimeoutError) for e in chain):
        return f"did not answer within {timeout_s:g} s (FUSEBRIEF_LLM_TIMEOUT_S)"
    if any(isinstance(e, ConnectionError | httpx.TransportError) for e in chain):
        return "could not be reached (the connection failed)"
    status = getattr(error, "status_code", None)
    if isinstance(status, int) and status >= 400:
        return f"answered HTTP {status}"
    return f"failed ({_short(error)})"


class LLMClient:
    """Process-wide: the configured endpoints and their router, the shared limits, readiness."""

    def __init__(self, settings: Settings, *, local: LocalModelServer | None = None) -> None:
        self._settings = settings
        self._local = local
        self._slots = open_slots(settings)
        self._cache = open_cache(settings)
        self._budget = open_budget(settings)
        self._router: tuple[tuple[Endpoint, ...], Router] | None = None

    @property
    def primary(self) -> Endpoint:
        settings = self._settings
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        if settings.uses_local_model:
            api_base = self._local.api_base if self._local else None
            return Endpoint("openai/local", api_base, key or "local")
        if key is None and settings.llm_api_base:
            key = "none"  # self-hosted OpenAI-compatible servers need no key; the SDK wants one
        return Endpoint(settings.llm_model, settings.llm_api_base, key)

    @property
    def fallbacks(self) -> list[Endpoint]:
        """FUSEBRIEF_LLM_FALLBACK_MODELS entries: "model" or "model@api_base". A hosted model
        finds its key where litellm looks (OPENAI_API_KEY, ...); a self-hosted one needs none."""
        endpoints = []
        for entry in self._settings.llm_fallback_models:
            model, _, api_base = entry.partition("@")
            endpoints.append(Endpoint(model, api_base or None, "none" if api_base else None))
        return endpoints

    @property
    def endpoints(self) -> list[Endpoint]:
        return [self.primary, *self.fallbacks]

    @property
    def allowed_models(self) -> list[str]:
        """The model groups, in fallback order (entries naming one model are one group)."""
        return list(dict.fromkeys(e.model for e in self.endpoints))

    def router(self) -> Router:
        """The litellm Router over every endpoint: one model group per model name (its
        `model@api_base` entries are load-balanced deployments), each group falling back to the
        others in configured order. It never retries by itself (tenacity does, in the session);
        it cools a failed deployment down for FUSEBRIEF_LLM_COOLDOWN_S when another deployment
        or group can take its calls, with the cooldowns in Redis in scale-out mode."""
        endpoints = tuple(self.endpoints)
        if self._router is None or self._router[0] != endpoints:
            self._router = (endpoints, self._build_router(endpoints))
        return self._router[1]

    def _build_router(self, endpoints: tuple[Endpoint, ...]) -> Router:
        groups = self.allowed_models
        model_list = [
            {
                "model_name": e.model,
                "litellm_params": {
                    "model": e.litellm_model,
                    "api_base": e.api_base,
                    "api_key": e.api_key,
                },
                "model_info": {"id": f"{e.model}#{n}"},  # read back by ModelSession._answered_by
            }
            for n, e in enumerate(endpoints)
        ]
        fallbacks = [{g: [other for other in groups if other != g]} for g in groups]
        lone = len(endpoints) == 1
        settings = self._settings
        router = Router(
            model_list=model_list,
            fallbacks=fallbacks if len(groups) > 1 else [],
            num_retries=0,
            allowed_fails=0,  # a deployment that failed a call cools down (if it is not alone)
            cooldown_time=settings.llm_cooldown_s,
            disable_cooldowns=lone or settings.llm_cooldown_s == 0,
            redis_url=settings.queue_url,
        )
        return cast(Router, router)  # litellm's Router.__new__ is untyped

    def context_tokens(self, endpoint: Endpoint) -> int:
        settings = self._settings
        if settings.llm_context_tokens:
            return settings.llm_context_tokens
        if settings.uses_local_model and endpoint == self.primary:
            return settings.local_slot_context
        try:
            info = litellm.get_model_info(endpoint.litellm_model)
        except Exception:  # litellm raises bare Exception for unknown models
            return _DEFAULT_CONTEXT_TOKENS
        return int(info.get("max_input_tokens") or _DEFAULT_CONTEXT_TOKENS)

    def session(self, model: str | None = None) -> ModelSession:
        """A fresh per-brief session; `model` picks one of the allowed models."""
        self._require_local_model()
        if model and model not in self.allowed_models:
            raise InvalidBundle(
                f"options.model {model!r} is not offered here; choose one of "
                f"{', '.join(self.allowed_models)} or leave it out"
            )
        endpoints = self.endpoints
        group = model or endpoints[0].model
        deployments = [e for e in endpoints if e.model == group]
        embedded = self._settings.uses_local_model and group == self.primary.model
        return ModelSession(
            router=self.router(),
            group=group,
            cache_as=f"{group}:{self._settings.local_model}" if embedded else group,
            api_bases=", ".join(e.api_base for e in deployments if e.api_base),
            supports_schema=all(_supports_schema(e) for e in endpoints),
            context_tokens=self.context_tokens(deployments[0]),
            self_hosted=any(e.is_self_hosted for e in deployments),
            timeout_s=self._settings.llm_timeout_s,
            max_retries=self._settings.llm_max_retries,
            slots=self._slots,
            cache=self._cache,
            budget=self._budget,
        )

    def _require_local_model(self) -> None:
        if self._settings.uses_local_model and self.primary.api_base is None:
            state = self._local.state if self._local else "not started"
            raise ModelUnavailable(
                f"the embedded model is not ready ({state}); retry in a minute, "
                "or see `fusebrief model info`"
            )

    async def ready(self) -> tuple[bool, str]:
        """Whether the primary model answers; hosted APIs are not probed (that costs money)."""
        try:
            self._require_local_model()
        except ModelUnavailable as error:
            return False, error.message
        endpoint = self.primary
        if not endpoint.is_self_hosted:
            return True, f"{endpoint.model} is a hosted model; not probed"
        if endpoint.litellm_model.startswith("ollama_chat/"):
            url = (endpoint.api_base or "http://localhost:11434").rstrip("/") + "/api/tags"
        else:
            url = (endpoint.api_base or "").rstrip("/") + "/models"
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(url)
        except httpx.HTTPError as error:
            return False, f"{endpoint.model} at {url} is unreachable: {_short(error)}"
        if response.status_code >= 400:
            return False, f"{endpoint.model} at {url} answered HTTP {response.status_code}"
        return True, f"{endpoint.model} is reachable"
