"""FastAPI dependencies: settings, the model client, the job queue, API-key auth, rate limit."""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.ratelimit import RateLimiter
from service.config import Settings
from service.jobs.queue import JobQueue
from service.llm import LLMClient

_bearer = HTTPBearer(auto_error=False, description="One of FUSEBRIEF_API_KEYS.")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_llm(request: Request) -> LLMClient:
    llm: LLMClient = request.app.state.llm
    return llm


def get_jobs(request: Request) -> JobQueue:
    jobs: JobQueue = request.app.state.jobs
    return jobs


SettingsDep = Annotated[Settings, Depends(get_settings)]
LLMDep = Annotated[LLMClient, Depends(get_llm)]
JobsDep = Annotated[JobQueue, Depends(get_jobs)]


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
