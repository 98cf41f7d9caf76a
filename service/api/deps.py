"""FastAPI dependencies: settings, the brief service, the job queue, API-key auth, rate limit."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.ratelimit import AuthFailures, RateLimiter
from service.briefs import BriefService
from service.config import Settings
from service.errors import RateLimited
from service.jobs.model import ANONYMOUS
from service.jobs.queue import JobQueue

_bearer = HTTPBearer(auto_error=False, description="One of FUSEBRIEF_API_KEYS.")


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def brief_service(request: Request) -> BriefService:
    service: BriefService = request.app.state.briefs
    return service


def job_queue(request: Request) -> JobQueue:
    jobs: JobQueue = request.app.state.jobs
    return jobs


SettingsDep = Annotated[Settings, Depends(app_settings)]
BriefsDep = Annotated[BriefService, Depends(brief_service)]
JobsDep = Annotated[JobQueue, Depends(job_queue)]


CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class Caller:
    """Who is calling: the owner of the jobs it makes (see service.jobs.model), and whom its
    briefs count against in the rate limit."""

    owner: str
    rate_key: str  # the API key's owner, or without keys the client's address
    authenticated: bool = False  # presented one of FUSEBRIEF_API_KEYS


def key_owner(key: str) -> str:
    """The owner a key's jobs are stored under: a hash of the key, never the key itself."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()


def client_address(request: Request) -> str:
    """The client's address: the peer, or what a proxy in FUSEBRIEF_TRUSTED_PROXIES says it
    forwarded for (uvicorn's ProxyHeadersMiddleware, installed by create_app, rewrites it)."""
    return request.client.host if request.client else "unknown"


def _matching_key(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> str:
    """The configured key the caller presented, or "" (every key is compared, in constant
    time, so the answer's timing tells nothing)."""
    given = credentials.credentials.encode() if credentials else b""
    matched = ""
    for key in settings.api_keys:
        if hmac.compare_digest(given, key.encode()):
            matched = key
    return matched


async def _authenticate(
    request: Request, settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> Caller | None:
    """The caller a configured key names, or None; a failure counts against the address, and
    an address over FUSEBRIEF_AUTH_FAILURES_PER_MINUTE gets RateLimited before any key is
    compared."""
    failures: AuthFailures = request.app.state.auth_failures
    address = client_address(request)
    await failures.check(address)
    key = _matching_key(settings, credentials)
    if not key:
        await failures.failed(address)
        return None
    owner = key_owner(key)
    return Caller(owner, rate_key=owner, authenticated=True)


async def require_api_key(
    request: Request, settings: SettingsDep, credentials: CredentialsDep
) -> Caller:
    """With FUSEBRIEF_API_KEYS set, every brief request needs `Authorization: Bearer <key>`;
    without keys every caller is the one anonymous owner, counted by address (a bearer token
    sent anyway is ignored: it must not buy a fresh rate limit)."""
    if not settings.api_keys:
        return Caller(ANONYMOUS, rate_key="address:" + client_address(request))
    caller = await _authenticate(request, settings, credentials)
    if caller is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


CallerDep = Annotated[Caller, Depends(require_api_key)]


async def may_see_internals(
    request: Request, settings: SettingsDep, credentials: CredentialsDep
) -> bool:
    """Whether the caller may read the server's internal addresses (/readyz): without keys the
    loopback-only server's user; with keys a caller presenting one. Never a 401 or 429 (a
    probe without a key still learns ready or not); a wrong key counts as a failure."""
    if not settings.api_keys:
        return True
    if credentials is None:
        return False
    try:
        return await _authenticate(request, settings, credentials) is not None
    except RateLimited:
        return False


async def count_brief(request: Request, caller: Caller) -> None:
    """Count one brief against FUSEBRIEF_RATE_LIMIT_PER_MINUTE (per API key, per client address
    without keys); RateLimited once over it. Called once a request has passed validation."""
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.check(caller.rate_key)
