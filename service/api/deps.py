"""FastAPI dependencies: settings, the brief service, the job queue, API-key auth, rate limit."""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.ratelimit import RateLimiter
from service.briefs import BriefService
from service.config import Settings
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


def require_api_key(settings: SettingsDep, credentials: CredentialsDep) -> None:
    """With FUSEBRIEF_API_KEYS set, every brief request needs `Authorization: Bearer <key>`."""
    if not settings.api_keys:
        return
    given = credentials.credentials.encode() if credentials else b""
    if not any(hmac.compare_digest(given, key.encode()) for key in settings.api_keys):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


async def limit_rate(request: Request, credentials: CredentialsDep) -> None:
    """FUSEBRIEF_RATE_LIMIT_PER_MINUTE briefs per API key (per client address without keys)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    await limiter.check(credentials.credentials if credentials else client)
