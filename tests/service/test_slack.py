"""The Slack routes through HTTP: signatures, acknowledgements, and the brief posted back.

Slack is played by `CaptureServer` on loopback (the response_url and the Web API), the linked
articles by `PageServer`, the model by the replay server; the app's own links to loopback are
allowed by FUSEBRIEF_SLACK_ALLOW_PRIVATE_LINKS, except in the test of the default.
"""

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from slack_sdk.signature import SignatureVerifier

from service.api.app import create_app
from service.api.slack import router
from service.config import Settings
from service.llm import LLMClient
from tests.conftest import FIXTURES, ROOT, make_settings
from tests.support.capture import CaptureServer, Post
from tests.support.links import MALFORMED_LINKS
from tests.support.live import live_server
from tests.support.llm_server import Fault, ReplayServer
from tests.support.pages import Page, PageServer

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
GAZETTE_TITLE = "Quillmoor footbridge reopens after flood repairs"
COURIER_TITLE = "Walkers return as Millrace bridge opens again"


@pytest.fixture
def site() -> Iterator[PageServer]:
    pages = {
        f"/{name}": Page((FIXTURES / "slack" / f"footbridge_{name}.html").read_text("utf-8"))
        for name in ("gazette", "courier")
    }
    with PageServer(pages) as server:
        yield server


@pytest.fixture
def slack() -> Iterator[CaptureServer]:
    with CaptureServer() as server:
        yield server


def slack_client(llm_server: ReplayServer, slack: CaptureServer, **overrides: Any) -> TestClient:
    values: dict[str, Any] = {
        "slack_signing_secret": SECRET,
        "slack_bot_token": BOT_TOKEN,
        "slack_api_url": slack.url + "/api/",
        "slack_allow_private_links": True,
    }
    settings = make_settings(llm_server, **(values | overrides))
    return TestClient(create_app(settings, LLMClient(settings)))


@pytest.fixture
def client(llm_server: ReplayServer, slack: CaptureServer) -> Iterator[TestClient]:
    with slack_client(llm_server, slack) as test_client:
        yield test_client


def signed(body: str, timestamp: float | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time() if timestamp is None else timestamp))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or ""}


def command(text: str, slack: CaptureServer) -> str:
    form = {
        "command": "/brief",
        "text": text,
        "response_url": slack.url + "/respond",
        "user_id": "U1",
        "channel_id": "C1",
    }
    return urlencode(form)


def settle(client: TestClient) -> None:
    """Wait until the app has run every queued job (the Slack briefs run as jobs)."""
    deadline = time.monotonic() + 30
    while (counts := client.portal.call(client.app.state.jobs.counts)).keys() & {  # type: ignore[attr-defined]
        "queued",
        "running",
    }:
        assert time.monotonic() < deadline, counts
        time.sleep(0.02)


def post_command(client: TestClient, body: str, headers: dict[str, str]) -> Response:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/slack/commands", content=body, headers=form | headers)
    settle(client)
    return response


def links(site: PageServer, *paths: str) -> str:
    return " ".join(f"<{site.url}{path}>" for path in paths)


def texts(post: Post) -> list[str]:
    """Every text in a posted message's blocks, in order."""
    found = []
    for block in post.body["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [element["text"] for element in block.get("elements", [])]
    return found


def assert_no_work(site: PageServer, llm_server: ReplayServer, slack: CaptureServer) -> None:
    assert site.requests == []
    assert llm_server.requests == []
    assert slack.posts == []


def test_a_slash_command_is_acknowledged_and_the_brief_posted_as_block_kit(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    body = command(f"{links(site, '/gazette')} and {site.url}/courier", slack)
    response = post_command(client, body, signed(body))

    assert response.status_code == 200, response.text
    assert response.json()["response_type"] == "ephemeral"
    assert response.json()["text"].startswith("Working on it: 2 links.")
    assert sorted(site.requests) == ["/courier", "/gazette"]
    assert not llm_server.misses and llm_server.requests
    (post,) = slack.posts
    assert post.path == "/respond"
    assert post.body["response_type"] == "in_channel"
    blocks = post.body["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == post.body["text"]
    assert blocks[-1]["type"] == "context" and "LLM calls" in texts(post)[-1]
    sentences = texts(post)[1].splitlines()
    assert sentences and all(re.search(r"\[S[12](, S[12])?\]$", s) for s in sentences)
    sources = next(text for text in texts(post) if text.startswith("*Sources*"))
    assert f"*S1* Tarrow Valley Gazette: <{site.url}/gazette|{GAZETTE_TITLE}>" in sources
    assert f"*S2* Quillmoor Courier: <{site.url}/courier|{COURIER_TITLE}>" in sources


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (lambda body: signed(body, secret="someone-elses-secret"), "signature does not match"),
        (lambda body: signed(body, timestamp=time.time() - 6 * 60), "more than 5 minutes"),
        (lambda body: signed(body, timestamp=time.time() + 6 * 60), "more than 5 minutes"),
        (lambda body: {}, "missing X-Slack-Signature"),
        (lambda body: {**signed(body), "X-Slack-Request-Timestamp": "soon"}, "missing"),
        (lambda body: signed(body.replace("courier", "gazette")), "signature does not match"),
    ],
    ids=["wrong-secret", "stale", "future", "unsigned", "bad-timestamp", "tampered-body"],
)
def test_requests_slack_did_not_sign_just_now_are_refused_without_any_work(
    client: TestClient,
    site: PageServer,
    slack: CaptureServer,
    llm_server: ReplayServer,
    headers: Any,
    message: str,
) -> None:
    body = command(links(site, "/gazette", "/courier"), slack)
    response = post_command(client, body, headers(body))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack_request_refused"
    assert message in response.json()["error"]["message"]
    assert_no_work(site, llm_server, slack)


def test_a_replayed_request_is_refused_without_a_second_run(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    body = command(links(site, "/gazette", "/courier"), slack)
    headers = signed(body)
    assert post_command(client, body, headers).status_code == 200
    work = (len(site.requests), len(llm_server.requests), len(slack.posts))
    assert work[0] == 2 and work[1] > 0 and work[2] == 1

    replay = post_command(client, body, headers)
    assert replay.status_code == 401
    assert "already received" in replay.json()["error"]["message"]
    assert (len(site.requests), len(llm_server.requests), len(slack.posts)) == work


SLACK_ROUTES = ["/slack/commands", "/slack/events", "/slack/interactions"]


@pytest.mark.parametrize("path", SLACK_ROUTES)
def test_every_slack_route_refuses_an_unsigned_request(
    client: TestClient, slack: CaptureServer, path: str
) -> None:
    response = client.post(path, content=b"{}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack_request_refused"
    assert slack.posts == []


NOT_UTF8 = b"text=\xff\xfe\xc3(&response_url=x"


@pytest.mark.parametrize("path", SLACK_ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},  # a made-up signature, a fresh timestamp
        {"X-Slack-Signature": "v0=\xe9t\xe9"},  # not even ASCII
        {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": "9" * 5000},
    ],
    ids=["forged", "non-ascii-signature", "huge-timestamp"],
)
def test_a_request_slack_did_not_sign_is_a_401_whatever_its_body_and_headers(
    client: TestClient, slack: CaptureServer, path: str, headers: dict[str, str]
) -> None:
    sent = {"X-Slack-Request-Timestamp": str(int(time.time()))} | headers
    raw = {name: value.encode("latin-1") for name, value in sent.items()}
    response = client.post(path, content=NOT_UTF8, headers=raw)  # type: ignore[arg-type]
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "slack_request_refused"
    assert slack.posts == []


@pytest.mark.parametrize("path", SLACK_ROUTES)
def test_a_signed_body_that_is_not_utf8_is_a_422(
    client: TestClient, slack: CaptureServer, path: str
) -> None:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + NOT_UTF8, hashlib.sha256)
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}
    response = client.post(path, content=NOT_UTF8, headers=headers)
    assert response.status_code == 422, response.text
    assert slack.posts == []


@pytest.mark.parametrize("path", SLACK_ROUTES)
def test_a_request_without_a_signature_is_refused_before_its_body_is_read(
    client: TestClient, path: str
) -> None:
    read: list[bytes] = []

    def body() -> Iterator[bytes]:
        read.append(NOT_UTF8)
        yield NOT_UTF8

    response = client.post(path, content=body())
    assert response.status_code == 401
    assert read == []


@pytest.mark.parametrize("path", SLACK_ROUTES)
def test_without_a_signing_secret_the_routes_say_which_setting_to_set(
    llm_server: ReplayServer, slack: CaptureServer, path: str
) -> None:
    with slack_client(llm_server, slack, slack_signing_secret=None) as client:
        response = client.post(path, content=b"{}", headers=signed("{}"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "slack_not_configured"
    assert "FUSEBRIEF_SLACK_SIGNING_SECRET" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/slack/commands", "text=no+response_url", "response_url: Field required"),
        ("/slack/events", "{not json", "Invalid JSON"),
    ],
)
def test_a_signed_but_malformed_payload_is_a_422_with_the_reason(
    client: TestClient, slack: CaptureServer, path: str, body: str, reason: str
) -> None:
    response = client.post(path, content=body, headers=signed(body))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert reason in response.json()["error"]["message"]
    assert slack.posts == []


@pytest.mark.parametrize("text", ["", "please brief this", "<https://one.example/only-link>"])
def test_fewer_than_two_links_get_the_usage_at_once(
    client: TestClient,
    site: PageServer,
    slack: CaptureServer,
    llm_server: ReplayServer,
    text: str,
) -> None:
    body = command(text, slack)
    response = post_command(client, body, signed(body))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert response.json()["text"].startswith("*Usage:* `/brief &lt;link&gt; &lt;link&gt; …`")
    assert_no_work(site, llm_server, slack)


def test_more_links_than_the_article_limit_are_refused_at_once(
    llm_server: ReplayServer, site: PageServer, slack: CaptureServer
) -> None:
    body = command(links(site, "/a", "/b", "/c"), slack)
    with slack_client(llm_server, slack, max_articles=2) as client:
        response = post_command(client, body, signed(body))
    assert "That is 3 links; this server briefs at most 2" in response.json()["text"]
    assert_no_work(site, llm_server, slack)


def test_a_link_that_fails_is_named_with_its_reason_under_the_brief(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    body = command(links(site, "/gazette", "/courier", "/gone"), slack)
    assert post_command(client, body, signed(body)).json()["text"].startswith("Working on it: 3")
    (post,) = slack.posts
    assert post.body["response_type"] == "in_channel"
    left_out = next(text for text in texts(post) if text.startswith("*Links left out*"))
    assert left_out.splitlines()[1:] == [f"• {site.url}/gone: the server answered HTTP 404"]
    assert not llm_server.misses


def test_when_too_few_links_can_be_read_the_message_says_why(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    body = command(links(site, "/gazette", "/gone") + " ftp://files.example/a.txt", slack)
    post_command(client, body, signed(body))
    (post,) = slack.posts
    assert post.body["response_type"] == "ephemeral"
    assert texts(post)[0].splitlines() == [
        "A brief fuses several articles, and only 1 of the 3 links could be read: "
        "at least 2 readable articles are needed.",
        f"• {site.url}/gone: the server answered HTTP 404",
        "• ftp://files.example/a.txt: only http:// and https:// links can be fetched",
    ]
    assert llm_server.requests == []


def test_malformed_links_are_named_as_such_in_the_reply(
    client: TestClient, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    body = command(" ".join(f"<{link}>" for link in MALFORMED_LINKS), slack)
    assert post_command(client, body, signed(body)).status_code == 200
    (post,) = slack.posts
    lines = texts(post)[0].splitlines()
    assert lines[0].startswith("A brief fuses several articles, and only 0 of the 3 links")
    assert len(lines) == 4
    for line, link in zip(lines[1:], MALFORMED_LINKS, strict=True):
        assert line.startswith(f"• {link}: not a valid link (")
    assert llm_server.requests == []


def test_by_default_links_to_private_addresses_are_refused_and_the_refusal_explained(
    llm_server: ReplayServer, site: PageServer, slack: CaptureServer
) -> None:
    body = command(links(site, "/gazette", "/courier"), slack)
    assert Settings(_env_file=None).slack_allow_private_links is False  # type: ignore[call-arg]
    with slack_client(llm_server, slack, slack_allow_private_links=False) as client:
        post_command(client, body, signed(body))
    (post,) = slack.posts
    reasons = texts(post)[0].splitlines()[1:]
    assert reasons == [
        f"• {site.url}/{name}: the link points to a private or local address; refused"
        for name in ("gazette", "courier")
    ]
    assert site.requests == [] and llm_server.requests == []


def test_a_rate_limited_post_is_sent_again_after_retry_after(
    client: TestClient, site: PageServer, slack: CaptureServer
) -> None:
    slack.rate_limit(1, retry_after=1)
    body = command(links(site, "/gone", "/missing"), slack)
    started = time.monotonic()
    post_command(client, body, signed(body))
    assert time.monotonic() - started >= 1.0
    assert [post.status for post in slack.posts] == [429, 200]
    assert slack.posts[0].body == slack.posts[1].body


def test_a_pipeline_error_is_posted_with_its_message(
    llm_server: ReplayServer, site: PageServer, slack: CaptureServer
) -> None:
    llm_server.inject(*[Fault("status", status=500)] * 2)
    body = command(links(site, "/gazette", "/courier"), slack)
    with slack_client(llm_server, slack, llm_max_retries=0) as client:
        post_command(client, body, signed(body))
    (post,) = slack.posts
    assert post.body["response_type"] == "ephemeral"
    assert "openai/replay" in post.body["text"] and "unavailable" in post.body["text"]


def test_the_acknowledgement_does_not_wait_for_the_brief(
    llm_server: ReplayServer, site: PageServer, slack: CaptureServer
) -> None:
    llm_server.inject(Fault("delay", seconds=4.0))  # one map call takes 4 s
    body = command(links(site, "/gazette", "/courier"), slack)
    usage = command("", slack)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with (
        slack_client(llm_server, slack) as client,
        live_server(client.app) as url,
        httpx.Client(base_url=url, headers=form, timeout=10) as http,  # one kept-alive connection
    ):
        started = time.monotonic()
        ack = http.post("/slack/commands", content=body, headers=signed(body))
        acked = time.monotonic() - started
        assert ack.status_code == 200 and slack.posts == []
        # The next command on the same connection is not held up by the brief being written.
        second = http.post("/slack/commands", content=usage, headers=signed(usage))
        answered = time.monotonic() - started
        assert second.json()["text"].startswith("*Usage:*") and slack.posts == []
        while not slack.posts and time.monotonic() - started < 30:
            time.sleep(0.05)
    assert acked < 2.0, f"acknowledged after {acked:.1f} s; Slack gives up after 3 s"
    assert answered < 2.0, f"the second command was answered after {answered:.1f} s"
    assert time.monotonic() - started >= 4.0
    (post,) = slack.posts
    assert post.body["blocks"][0]["type"] == "header"


def post_event(client: TestClient, event: dict[str, Any], **headers: str) -> Response:
    body = json.dumps(event)
    extra = {"Content-Type": "application/json"} | headers
    response = client.post("/slack/events", content=body, headers=extra | signed(body))
    settle(client)
    return response


def mention(site: PageServer) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "event_id": "Ev1",
        "event": {
            "type": "app_mention",
            "text": f"<@U0BOT> brief these {links(site, '/gazette', '/courier')}",
            "channel": "C42",
            "ts": "1790000000.000100",
        },
    }


def test_the_url_verification_challenge_is_answered(client: TestClient) -> None:
    response = post_event(client, {"type": "url_verification", "challenge": "3eZbrw1a"})
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1a"}


def test_a_mention_is_answered_in_its_thread_with_the_bot_token(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    response = post_event(client, mention(site))
    assert response.status_code == 200
    (post,) = slack.posts
    assert post.path == "/api/chat.postMessage"
    assert post.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert (post.body["channel"], post.body["thread_ts"]) == ("C42", "1790000000.000100")
    assert post.body["blocks"][0]["type"] == "header"
    assert any(f"<{site.url}/courier|{COURIER_TITLE}>" in text for text in texts(post))
    assert not llm_server.misses


def test_slack_retries_are_acknowledged_without_a_second_run(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    response = post_event(client, mention(site), **{"X-Slack-Retry-Num": "1"})
    assert response.status_code == 200
    assert_no_work(site, llm_server, slack)


def test_an_event_sent_again_without_retry_num_is_briefed_once(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    """Slack may deliver one event twice (each delivery signed anew); its event_id says so."""
    body = json.dumps(mention(site))
    kinds = {"Content-Type": "application/json"}
    for stamp in (time.time() - 2, time.time() - 1):  # two deliveries, two signatures
        response = client.post("/slack/events", content=body, headers=kinds | signed(body, stamp))
        assert response.status_code == 200
        settle(client)
    assert [post.path for post in slack.posts] == ["/api/chat.postMessage"]
    # Another event (another event_id) with the same text is another brief.
    other = json.dumps(mention(site) | {"event_id": "Ev2"})
    assert client.post("/slack/events", content=other, headers=kinds | signed(other)).is_success
    settle(client)
    assert len(slack.posts) == 2


def test_without_a_bot_token_mentions_are_acknowledged_and_left(
    llm_server: ReplayServer, site: PageServer, slack: CaptureServer
) -> None:
    with slack_client(llm_server, slack, slack_bot_token=None) as client:
        assert post_event(client, mention(site)).status_code == 200
    assert_no_work(site, llm_server, slack)


def test_the_message_shortcut_briefs_the_links_in_the_message(
    client: TestClient, site: PageServer, slack: CaptureServer, llm_server: ReplayServer
) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "brief_links",
        "response_url": slack.url + "/respond",
        "message": {"text": f"Two takes on the bridge: {links(site, '/gazette', '/courier')}"},
    }
    body = urlencode({"payload": json.dumps(payload)})
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/slack/interactions", content=body, headers=form | signed(body))
    settle(client)
    assert response.status_code == 200 and response.content == b""
    (post,) = slack.posts
    assert post.path == "/respond" and post.body["response_type"] == "in_channel"
    assert any(f"<{site.url}/gazette|{GAZETTE_TITLE}>" in text for text in texts(post))
    assert not llm_server.misses


def test_the_readme_manifest_points_slack_at_every_slack_route() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    manifest = readme.split("```yaml", 1)[1].split("```", 1)[0]
    urls = set(re.findall(r"https://YOUR-HOST(/\S+)", manifest))
    assert urls == {getattr(route, "path", None) for route in router.routes}


def test_a_brief_under_way_when_the_service_stops_is_posted_after_the_restart(
    llm_server: ReplayServer, site: PageServer, slack: CaptureServer
) -> None:
    llm_server.inject(Fault("delay", seconds=1.0))
    body = command(links(site, "/gazette", "/courier"), slack)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with slack_client(llm_server, slack) as client:
        settings = client.app.state.settings  # type: ignore[attr-defined]
        client.post("/slack/commands", content=body, headers=form | signed(body))
        while not llm_server.requests:  # the brief is under way: stop the service now
            time.sleep(0.02)
    assert slack.posts == []
    with TestClient(create_app(settings, LLMClient(settings))) as restarted:
        settle(restarted)
    (post,) = slack.posts
    assert post.body["blocks"][0]["type"] == "header"
