"""FastAPI dependencies: settings, the model client, the job queue, and API-key auth."""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


def require_api_key(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
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
