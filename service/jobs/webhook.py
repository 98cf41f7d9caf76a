"""Signed webhook deliveries: a finished job is POSTed to its callback_url, retried with backoff.

The signature header is `X-Fusebrief-Signature: t=<unix time>,v1=<hex HMAC-SHA256>` over
`"<t>." + body` with FUSEBRIEF_WEBHOOK_SECRET, so a receiver can check origin and freshness.
Each attempt is signed afresh. Attempts (FUSEBRIEF_WEBHOOK_MAX_ATTEMPTS) are spaced by
FUSEBRIEF_WEBHOOK_BACKOFF_S doubled each time, or by the receiver's Retry-After when longer
(at most MAX_RETRY_AFTER_S). A 2xx ends them, and so does a 4xx other than 408, 425 and 429.
"""

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from service.config import Settings
from service.errors import FetchFailed
from service.fetch import check_link
from service.outbound import AddressRefused, http_client

log = logging.getLogger("fusebrief.webhook")
SIGNATURE_HEADER = "X-Fusebrief-Signature"
MAX_RETRY_AFTER_S = 60.0  # a receiver's Retry-After is honoured up to this


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _gives_up(status: int) -> bool:
    """A 4xx other than timeout/rate-limit will not get better by retrying."""
    return 400 <= status < 500 and status not in (408, 425, 429)


def _worth_retrying(response: httpx.Response) -> bool:
    return not response.is_success and not _gives_up(response.status_code)


def _retry_after(response: httpx.Response) -> float:
    """The seconds the receiver asked us to wait (Retry-After: seconds or an HTTP date)."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return (when - datetime.now(UTC)).total_seconds() if when.tzinfo else 0.0


class _Backoff:
    """FUSEBRIEF_WEBHOOK_BACKOFF_S · 2^(attempt-1), or the receiver's Retry-After if longer."""

    def __init__(self, backoff_s: float) -> None:
        self._exponential = wait_exponential(multiplier=backoff_s, exp_base=2)

    def __call__(self, state: RetryCallState) -> float:
        wait = float(self._exponential(state))
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            asked = _retry_after(outcome.result())
            wait = max(wait, min(asked, MAX_RETRY_AFTER_S))
        return wait


def _log_attempt(url: str) -> Callable[[RetryCallState], None]:
    def log_failure(state: RetryCallState) -> None:
        outcome = state.outcome
        if outcome is None:
            return
        if outcome.failed:
            problem = str(outcome.exception())
        else:
            problem = f"HTTP {outcome.result().status_code}"
        log.warning("webhook %s attempt %d failed: %s", url, state.attempt_number, problem)

    return log_failure


async def deliver(url: str, payload: dict[str, Any], settings: Settings) -> bool:
    """POST `payload` to `url` until a 2xx, a definite refusal, or the attempts run out."""
    assert settings.webhook_secret is not None  # checked when the job was submitted
    secret = settings.webhook_secret.get_secret_value()
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        check_link(url)
    except FetchFailed as error:
        log.warning("webhook %s refused: %s", url, error.message)
        return False

    async with http_client(settings, allow_private=settings.webhook_allow_private) as client:

        async def attempt() -> httpx.Response:
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(secret, timestamp, body),
            }
            return await client.post(url, content=body, headers=headers)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(settings.webhook_max_attempts),
            wait=_Backoff(settings.webhook_backoff_s),
            retry=retry_if_exception_type(httpx.TransportError) | retry_if_result(_worth_retrying),
            after=_log_attempt(url),
            retry_error_callback=lambda state: None,  # the attempts ran out
        )
        try:
            response: httpx.Response | None = await retrying(attempt)
        except AddressRefused as error:
            log.warning("webhook %s refused: %s", url, error)
            return False
        except httpx.HTTPError as error:  # not a passing failure (e.g. a malformed URL)
            log.warning("webhook %s failed: %s", url, error)
            return False
    if response is None:
        log.warning("webhook %s: gave up after %d attempts", url, settings.webhook_max_attempts)
        return False
    if not response.is_success:
        log.warning("webhook %s refused: HTTP %d, not retried", url, response.status_code)
    return response.is_success
