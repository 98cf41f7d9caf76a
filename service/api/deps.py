"""FastAPI dependencies: settings, the brief service, the job queue, API-key auth, rate limit."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.ratelimit import RateLimiter
from service.briefs import BriefService
from service.config import Settings
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
    """Who is calling: the owner of the jobs it makes (see service.jobs.model)."""

    owner: str


def key_owner(key: str) -> str:
    """The owner a key's jobs are stored under: a hash of the key, never the key itself."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()


def _matching_key(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> str:
    """The configured key the caller presented, or "" (every key is compared, in constant
    time, so the answer's timing tells nothing)."""
    given = credentials.credentials.encode() if credentials else b""
    matched = ""
    for key in settings.api_keys:
        if hmac.compare_digest(given, key.encode()):
            matched = key
    return matched


def require_api_key(settings: SettingsDep, credentials: CredentialsDep) -> Caller:
    """With FUSEBRIEF_API_KEYS set, every brief request needs `Authorization: Bearer <key>`;
    without keys every caller is the one anonymous owner."""
    if not settings.api_keys:
        return Caller(ANONYMOUS)
    key = _matching_key(settings, credentials)
    if not key:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(key_owner(key))


CallerDep = Annotated[Caller, Depends(require_api_key)]


async def limit_rate(request: Request, credentials: CredentialsDep) -> None:
    """FUSEBRIEF_RATE_LIMIT_PER_MINUTE briefs per API key (per client address without keys)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    await limiter.check(credentials.credentials if credentials else client)
