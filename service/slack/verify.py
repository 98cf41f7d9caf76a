"""Accept only requests Slack signed just now with our secret, and each of them only once."""

import hashlib
import hmac
import re
from collections import OrderedDict
from collections.abc import Mapping

from slack_sdk.signature import Clock

from service.config import Settings
from service.errors import SlackRequestRefused

REPLAY_WINDOW_S = 5 * 60  # Slack's own advice; older timestamps are refused outright
MAX_REMEMBERED = 10_000  # signatures kept to spot replays inside the window
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # unix seconds, ASCII digits only
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # Slack's version 0: HMAC-SHA256 in lower-case hex


class SlackVerifier:
    """Checks `X-Slack-Signature` and `X-Slack-Request-Timestamp`; refuses replays."""

    def __init__(
        self, signing_secret: str, clock: Clock | None = None, remember: int = MAX_REMEMBERED
    ) -> None:
        self._clock = clock or Clock()
        self._remember_at_most = remember
        self._secret = signing_secret.encode()
        self._seen: OrderedDict[str, int] = OrderedDict()  # signature -> request timestamp

    @classmethod
    def from_settings(cls, settings: Settings) -> "SlackVerifier | None":
        """None when FUSEBRIEF_SLACK_SIGNING_SECRET is not set."""
        secret = settings.slack_signing_secret
        return cls(secret.get_secret_value()) if secret else None

    def check_headers(self, headers: Mapping[str, str]) -> tuple[str, str]:
        """The request's timestamp and signature, if they are well-formed and recent.

        Needs no body: an unsigned request is refused before anything is read or parsed."""
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            raise SlackRequestRefused(
                "missing X-Slack-Signature or X-Slack-Request-Timestamp, or one is malformed: "
                "only Slack may call this endpoint"
            )
        now = self._clock.now()
        if abs(now - int(timestamp)) > REPLAY_WINDOW_S:
            raise SlackRequestRefused(
                "the request timestamp is more than 5 minutes from the server's clock: "
                "a stale or replayed request (check the server's clock if Slack itself is refused)"
            )
        return timestamp, signature

    def check(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise SlackRequestRefused unless Slack signed this body recently and only once.

        The HMAC is taken over the raw bytes: the body is not decoded, whatever it holds."""
        timestamp, signature = self.check_headers(headers)
        signed = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise SlackRequestRefused(
                "the signature does not match: set FUSEBRIEF_SLACK_SIGNING_SECRET to the app's "
                "Signing Secret (Slack app settings, Basic Information)"
            )
        self._remember(signature, int(timestamp), self._clock.now())

    def _remember(self, signature: str, timestamp: int, now: float) -> None:
        if signature in self._seen:
            raise SlackRequestRefused("this signed request was already received: a replay")
        while self._seen and (
            len(self._seen) >= self._remember_at_most
            or next(iter(self._seen.values())) < now - REPLAY_WINDOW_S
        ):
            self._seen.popitem(last=False)
        self._seen[signature] = timestamp
