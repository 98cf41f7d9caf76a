"""Webhook deliveries: signed, retried with backoff, given up on a definite refusal, and never
sent anywhere but the address that was checked."""

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.config import Settings
from service.jobs.webhook import SIGNATURE_HEADER, deliver, sign
from tests.support.dns import PUBLIC_ADDRESS, FakeDNS, fake_network, internal_and_public
from tests.support.pages import Page, PageServer

JOB = {"id": "job-1", "status": "done"}


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "webhook_secret": "s3cret",
        "webhook_backoff_s": 0.01,
        "webhook_max_attempts": 3,
        "webhook_allow_private": True,
        "fetch_timeout_s": 2.0,
        "_env_file": None,
    }
    return Settings(**(values | overrides))


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDNS]:
    with fake_network(monkeypatch) as fake:
        yield fake


async def test_a_webhook_host_that_rebinds_to_loopback_is_not_posted_to(dns: FakeDNS) -> None:
    with internal_and_public({"/hook": Page("ok")}, {"/hook": Page("ok")}) as (internal, public):
        dns.answer("hooks.test", PUBLIC_ADDRESS, "127.0.0.1")
        url = f"http://hooks.test:{internal.port}/hook"
        assert await deliver(url, JOB, settings(webhook_allow_private=False))
    assert internal.received == []
    assert [r.path for r in public.received] == ["/hook"]
    assert dns.lookups["hooks.test"] == 1


async def test_a_webhook_to_a_private_address_is_refused_without_a_request() -> None:
    with PageServer({"/hook": Page("ok")}) as site:
        assert not await deliver(site.url + "/hook", JOB, settings(webhook_allow_private=False))
    assert site.received == []


async def test_a_delivery_is_signed_and_retried_until_it_is_accepted() -> None:
    pages: dict[str, Page | list[Page]] = {
        "/hook": [Page("busy", status=503), Page("slow", status=429), Page("ok")]
    }
    with PageServer(pages) as site:
        assert await deliver(site.url + "/hook", JOB, settings())
    assert [r.path for r in site.received] == ["/hook"] * 3
    delivered = site.received[-1]
    assert json.loads(delivered.body) == JOB
    timestamp = int(delivered.headers[SIGNATURE_HEADER.lower()].split(",")[0].removeprefix("t="))
    assert delivered.headers[SIGNATURE_HEADER.lower()] == sign("s3cret", timestamp, delivered.body)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
async def test_a_definite_refusal_is_not_retried(status: int) -> None:
    with PageServer({"/hook": Page("no", status=status)}) as site:
        assert not await deliver(site.url + "/hook", JOB, settings())
    assert len(site.received) == 1


@pytest.mark.parametrize("status", [408, 425, 429, 500, 503])
async def test_a_passing_failure_is_retried_until_the_attempts_run_out(status: int) -> None:
    with PageServer({"/hook": Page("later", status=status)}) as site:
        assert not await deliver(site.url + "/hook", JOB, settings())
    assert len(site.received) == 3


async def test_an_unreachable_receiver_is_retried(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="fusebrief.webhook")  # whatever set the root's
    with PageServer({}) as site:
        url = site.url + "/hook"
    assert not await deliver(url, JOB, settings(webhook_max_attempts=2))  # the port is closed
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert [f.split(" failed")[0].rsplit(" ", 1)[1] for f in failures] == ["1", "2"]


async def test_a_receiver_that_asks_for_time_gets_it() -> None:
    pages: dict[str, Page | list[Page]] = {
        "/hook": [Page("slow down", status=429, headers={"Retry-After": "1"}), Page("ok")]
    }
    with PageServer(pages) as site:
        started = time.monotonic()
        assert await deliver(site.url + "/hook", JOB, settings())
        waited = time.monotonic() - started
    assert len(site.received) == 2
    assert waited >= 0.9  # Retry-After: 1, not the 0.01 s backoff


async def test_a_link_that_is_not_http_is_refused_at_once() -> None:
    assert not await deliver("file:///etc/passwd", JOB, settings())
