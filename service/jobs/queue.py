"""The job queue as the API sees it: submit (idempotent), look up, cancel."""

import asyncio
import hashlib
import json

from service.config import Settings
from service.errors import IdempotencyConflict, InvalidBundle, JobNotFound
from service.fetch import check_url
from service.jobs.store import Job, JobStore, NewJob
from service.jobs.worker import Workers
from service.llm import LLMClient
from service.schemas import BriefRequest


class JobQueue:
    """SQLite store + in-process workers; everything lives in FUSEBRIEF_DATA_DIR/jobs.sqlite3."""

    def __init__(self, settings: Settings, llm: LLMClient) -> None:
        self.settings = settings
        self.store = JobStore(
            settings.data_dir / "jobs.sqlite3", max_attempts=settings.job_max_attempts
        )
        self.workers = Workers(self.store, llm, settings)

    async def submit(self, request: BriefRequest, idempotency_key: str | None) -> tuple[Job, bool]:
        """Queue a brief; the same Idempotency-Key and body return the first job, not a new one."""
        request.to_bundle(self.settings)  # size limits answer now, not when the job runs
        if request.callback_url is not None:
            await self._check_callback(request.callback_url)
        bundle = request.bundle_json()
        signature = json.dumps([bundle, request.callback_url], sort_keys=True, ensure_ascii=False)
        new = NewJob(
            request=bundle,
            request_hash=hashlib.sha256(signature.encode()).hexdigest(),
            idempotency_key=idempotency_key,
            callback_url=request.callback_url,
        )
        job, created = await asyncio.to_thread(self.store.submit, new)
        if not created and job.request_hash != new.request_hash:
            raise IdempotencyConflict(
                f"the Idempotency-Key {idempotency_key!r} was already used for a different "
                "request; send a new key for a new request"
            )
        if created:
            self.workers.wake()
        return job, created

    async def get(self, job_id: str) -> Job:
        job = await asyncio.to_thread(self.store.get, job_id)
        if job is None:
            raise JobNotFound(f"no job {job_id!r} here; check the id from the Location header")
        return job

    async def cancel(self, job_id: str) -> Job:
        job = await asyncio.to_thread(self.store.cancel, job_id)
        if job is None:
            raise JobNotFound(f"no job {job_id!r} here; check the id from the Location header")
        self.workers.cancel_local(job_id)
        return job

    async def _check_callback(self, url: str) -> None:
        if self.settings.webhook_secret is None:
            raise InvalidBundle(
                "callback_url needs a signing secret on the server: the operator must set "
                "FUSEBRIEF_WEBHOOK_SECRET; or leave callback_url out and poll the job"
            )
        await check_url(url, self.settings.webhook_allow_private)
