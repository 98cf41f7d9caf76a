"""The one place fusebrief opens a Redis client of its own (the reply cache, the model-call slots).
The job queue's connection is arq's and the rate limits' is the `limits` library's; both are made
from the same FUSEBRIEF_QUEUE_URL."""

from redis.asyncio import Redis


def redis_client(url: str) -> Redis:
    """A client for FUSEBRIEF_QUEUE_URL (connections are opened on first use)."""
    client: Redis = Redis.from_url(url)
    return client
