"""The scale-out job store: one Redis hash per job, changed only by atomic Lua scripts.

arq delivers job ids to worker processes; this store holds what clients see (status, progress,
result) and decides who may complete a job. Renewing a lease also extends arq's in-progress
key, so a job whose worker died is delivered again once the lease runs out, not after arq's
whole job timeout. The script that ends a job (done, failed, abandoned, cancelled) gives its
keys (the hash, its live events, its idempotency key) the result's time to live, so they go
together.
"""

import json
import time
import uuid
from collections.abc import Awaitable, Sequence
from typing import Any, cast

from arq.constants import in_progress_key_prefix
from redis.asyncio import Redis

from service.jobs.model import Job, NewJob, abandoned_message

Arg = str | int | float
PREFIX = "fusebrief:job:"
EVENTS_SUFFIX = ":events"  # a job's live events: a list next to its hash, numbered from 1
IDEMPOTENCY_PREFIX = "fusebrief:idempotency:"
FIELDS = (
    "id kind owner status request request_hash idempotency_key callback_url progress_done "
    "progress_total result error_code error_message attempts lease_owner created_at started_at "
    "finished_at traceparent"
).split()

# Every script that ends a job: KEYS are the job's keys (`_ending_keys`), ARGV[1] the result's
# time to live in ms.
_EXPIRE_ALL = "for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end"
# KEYS: the job's keys; ARGV: ttl ms, owner, now, max_attempts, abandoned message. 1 = start it,
# 0 = don't.
_START = f"""
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' and status ~= 'running' then return 0 end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts'))
if attempts >= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'status', 'failed', 'error_code', 'job_abandoned',
             'error_message', ARGV[5], 'lease_owner', '', 'finished_at', ARGV[3])
  {_EXPIRE_ALL}
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'running', 'lease_owner', ARGV[2],
           'attempts', attempts + 1)
if redis.call('HGET', KEYS[1], 'started_at') == '' then
  redis.call('HSET', KEYS[1], 'started_at', ARGV[3])
end
return 1
"""
# KEYS[1] job, KEYS[2] arq's in-progress key; ARGV: owner, lease in ms.
_RENEW = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'lease_owner') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""
# KEYS[1] job; ARGV: owner, then field/value pairs to set if owner holds the running job.
_IF_OWNER = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'lease_owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""
# KEYS: the job's keys; ARGV: ttl ms, owner, then field/value pairs (status, result…) to set if
# owner holds the running job.
_FINISH = f"""
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'lease_owner') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
{_EXPIRE_ALL}
return 1
"""
# KEYS[1] job, KEYS[2] its event list; ARGV: owner, then the events (JSON) to append if owner
# holds the running job.
_ADD_EVENTS = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'lease_owner') ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 2))
return 1
"""
# KEYS[1] job; ARGV: owner. Hand the running job back to the queue without using an attempt.
_RELEASE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
if redis.call('HGET', KEYS[1], 'lease_owner') ~= ARGV[1] then return 0 end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts'))
redis.call('HSET', KEYS[1], 'status', 'queued', 'lease_owner', '',
           'attempts', math.max(attempts - 1, 0))
return 1
"""
# KEYS: the job's keys; ARGV: ttl ms, now.
_CANCEL = f"""
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'queued' or status == 'running' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'lease_owner', '', 'finished_at', ARGV[2])
  {_EXPIRE_ALL}
end
return 1
"""


class RedisJobStore:
    def __init__(self, redis: Redis, *, max_attempts: int, result_ttl_s: float) -> None:
        self.redis = redis
        self.max_attempts = max_attempts
        self._ttl_ms = max(1, int(result_ttl_s * 1000))
        self._start = redis.register_script(_START)
        self._finish = redis.register_script(_FINISH)
        self._renew = redis.register_script(_RENEW)
        self._if_owner = redis.register_script(_IF_OWNER)
        self._release = redis.register_script(_RELEASE)
        self._add_events = redis.register_script(_ADD_EVENTS)
        self._cancel = redis.register_script(_CANCEL)

    async def _ending_keys(self, job_id: str) -> list[str]:
        """The keys that go when the job's result expires: its hash, its live events and, if it
        has one, its idempotency key."""
        keys = [PREFIX + job_id, PREFIX + job_id + EVENTS_SUFFIX]
        fields = ["owner", "idempotency_key"]
        owner, key = await cast(Awaitable[list[bytes | None]], self.redis.hmget(keys[0], fields))
        if owner and key:
            keys.append(_idempotency_key(owner.decode(), key.decode()))
        return keys

    async def submit(self, new: NewJob) -> tuple[Job, bool]:
        job_id = uuid.uuid4().hex
        fields = dict.fromkeys(FIELDS, "") | {
            "id": job_id,
            "kind": new.kind,
            "owner": new.owner,
            "status": "queued",
            "request": json.dumps(new.request, ensure_ascii=False),
            "request_hash": new.request_hash,
            "idempotency_key": new.idempotency_key or "",
            "callback_url": new.callback_url or "",
            "traceparent": new.traceparent or "",
            "progress_done": 0,
            "progress_total": 0,
            "attempts": 0,
            "created_at": time.time(),
        }
        await cast(Awaitable[int], self.redis.hset(PREFIX + job_id, mapping=fields))
        if new.idempotency_key is not None:
            key = _idempotency_key(new.owner, new.idempotency_key)
            if not await self.redis.set(key, job_id, nx=True):  # the key's first job wins
                first_id = await self.redis.get(key)
                first = await self.get(first_id.decode()) if first_id else None
                if first is not None:
                    await self.redis.delete(PREFIX + job_id)
                    return first, False
                await self.redis.set(key, job_id)  # the first job expired just now: a new one
        job = await self.get(job_id)
        assert job is not None
        return job, True

    async def get(self, job_id: str) -> Job | None:
        raw = await cast(Awaitable[dict[bytes, bytes]], self.redis.hgetall(PREFIX + job_id))
        if not raw:
            return None
        return Job.from_fields({k.decode(): v.decode() for k, v in raw.items()})

    async def start(self, job_id: str, owner: str) -> Job | None:
        """Take the job arq delivered; None when it is cancelled, finished or abandoned."""
        now = time.time()
        message = abandoned_message(self.max_attempts)
        args: list[Arg] = [self._ttl_ms, owner, now, self.max_attempts, message]
        if not await self._start(keys=await self._ending_keys(job_id), args=args):
            return None
        return await self.get(job_id)

    async def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        keys = [PREFIX + job_id, in_progress_key_prefix + job_id]
        return bool(await self._renew(keys=keys, args=[owner, int(lease_s * 1000)]))

    async def progress(self, job_id: str, owner: str, done: int, total: int) -> None:
        args: list[Arg] = [owner, "progress_done", done, "progress_total", total]
        await self._if_owner(keys=[PREFIX + job_id], args=args)

    async def add_events(self, job_id: str, owner: str, events: Sequence[dict[str, Any]]) -> None:
        if not events:
            return
        keys = [PREFIX + job_id, PREFIX + job_id + EVENTS_SUFFIX]
        args: list[Arg] = [owner, *(json.dumps(e, ensure_ascii=False) for e in events)]
        await self._add_events(keys=keys, args=args)

    async def events(
        self, job_id: str, after: int = 0
    ) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
        key = PREFIX + job_id + EVENTS_SUFFIX
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.llen(key)
            pipe.lrange(key, after, -1)
            total, raw = await pipe.execute()
        return int(total), [(after + n, json.loads(e)) for n, e in enumerate(raw, start=1)]

    async def finish(
        self,
        job_id: str,
        owner: str,
        *,
        result: dict[str, Any] | None = None,
        error: tuple[str, str] | None = None,
    ) -> bool:
        code, message = error or ("", "")
        args: list[Arg] = [
            self._ttl_ms,
            owner,
            "status", "failed" if error else "done",
            "result", json.dumps(result, ensure_ascii=False) if result is not None else "",
            "error_code", code,
            "error_message", message,
            "lease_owner", "",
            "finished_at", time.time(),
        ]  # fmt: skip
        return bool(await self._finish(keys=await self._ending_keys(job_id), args=args))

    async def release(self, job_id: str, owner: str) -> None:
        await self._release(keys=[PREFIX + job_id], args=[owner])

    async def cancel(self, job_id: str) -> Job | None:
        await self._cancel(keys=await self._ending_keys(job_id), args=[self._ttl_ms, time.time()])
        return await self.get(job_id)


def _idempotency_key(owner: str, key: str) -> str:
    """Where a job's Idempotency-Key points to it: unique per owner (another owner's use of the
    same key is another job)."""
    return IDEMPOTENCY_PREFIX + json.dumps([owner, key])
