"""Signed webhook deliveries: a finished job is POSTed to its callback_url, retried with backoff.

The signature header is `X-Fusebrief-Signature: t=<unix time>,v1=<hex HMAC-SHA256>` over
`"<t>." + body` with FUSEBRIEF_WEBHOOK_SECRET, so a receiver can check origin and freshness.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx

from service.config import Settings
from service.errors import FetchFailed
from service.fetch import check_link
from service.outbound import AddressRefused, http_client

log = logging.getLogger("fusebrief.webhook")
SIGNATURE_HEADER = "X-Fusebrief-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _gives_up(status: int) -> bool:
    """A 4xx other than timeout/rate-limit will not get better by retrying."""
    return 400 <= status < 500 and status not in (408, 425, 429)


async def deliver(url: str, payload: dict[str, Any], settings: Settings) -> bool:
    """POST `payload` to `url` until a 2xx, a definite refusal, or the attempts run out."""
    assert settings.webhook_secret is not None  # checked when the job was submitted
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        check_link(url)
    except FetchFailed as error:
        log.warning("webhook %s refused: %s", url, error.message)
        return False
    async with http_client(settings, allow_private=settings.webhook_allow_private) as client:
        for attempt in range(1, settings.webhook_max_attempts + 1):
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(settings.webhook_secret.get_secret_value(), timestamp, body),
            }
            try:
                response = await client.post(url, content=body, headers=headers)
            except AddressRefused as error:
                log.warning("webhook %s refused: %s", url, error)
                return False
            except httpx.HTTPError as error:
                log.warning("webhook %s attempt %d failed: %s", url, attempt, error)
            else:
                if response.is_success:
                    return True
                log.warning("webhook %s attempt %d: HTTP %d", url, attempt, response.status_code)
                if _gives_up(response.status_code):
                    return False
            if attempt < settings.webhook_max_attempts:
                await asyncio.sleep(settings.webhook_backoff_s * 2 ** (attempt - 1))
    return False
