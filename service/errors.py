"""The one exception tree of fusebrief. Errors carry no presentation: each entry point maps them
in one table (HTTP statuses in service.api.errors, exit codes in service.cli).

    FusebriefError                 base; `code` is a stable machine-readable string
    ├── InvalidBundle              the client's bundle cannot be summarised
    │   ├── BundleTooLarge         too many articles / characters / bytes
    │   ├── FetchFailed            a linked page could not be fetched or read
    │   └── IdempotencyConflict    an Idempotency-Key reused with another body
    ├── JobNotFound                no job has that id
    ├── RateLimited                too many briefs a minute for one key
    ├── ModelError                 something went wrong on the model's side
    │   ├── ModelUnavailable       unreachable, refused, timed out, rate-limited
    │   └── ModelOutputInvalid     replies unusable even after a repair retry
    ├── SlackRequestRefused        not signed with the Slack signing secret,
    │                              stale, or a replay of an earlier request
    ├── DigestBusy                 another digest run holds the lock
    ├── SendFailed                 the SMTP server could not be reached or refused
    └── ConfigError                the server's own settings are wrong
        ├── WeightsMissing         embedded model weights absent or corrupt
        ├── SlackNotConfigured     a Slack route called without its secret set
        └── DigestConfigInvalid    the digest's TOML file is missing or invalid

Every message says what to do about it. A `code` names the kind of mistake, one code per kind
(README, "Error codes"): every request the client must correct is `invalid_request`, every limit
exceeded is `too_large`, whatever part of the service noticed it.
"""

# Codes earlier releases used (stored in jobs that failed then), and the code of that kind now.
RENAMED_CODES = {
    "invalid_bundle": "invalid_request",
    "fetch_failed": "invalid_request",
    "bundle_too_large": "too_large",
    "job_not_found": "not_found",
}


def current_code(code: str) -> str:
    """A code as this release names it (a job stored by an earlier release may hold an old one)."""
    return RENAMED_CODES.get(code, code)


class FusebriefError(Exception):
    """Base of every error fusebrief raises on purpose."""

    code = "fusebrief_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @classmethod
    def from_code(cls, code: str, message: str) -> "FusebriefError":
        """The error a code names (e.g. one recorded by a job that ran elsewhere)."""
        code = current_code(code)
        pending: list[type[FusebriefError]] = [cls]
        while pending:
            kind = pending.pop()
            if kind.code == code:
                return kind(message)
            pending += kind.__subclasses__()
        error = cls(message)
        error.code = code
        return error


class InvalidBundle(FusebriefError):
    """The submitted articles cannot be summarised as sent; the message says what to fix."""

    code = "invalid_request"


class BundleTooLarge(InvalidBundle):
    """The bundle exceeds a configured limit (articles, characters or bytes)."""

    code = "too_large"


class FetchFailed(InvalidBundle):
    """A URL could not be fetched: refused, unreachable, too large, or not an article page."""


class IdempotencyConflict(InvalidBundle):
    """An Idempotency-Key that was already used for a different request body."""

    code = "idempotency_key_reused"


class JobNotFound(FusebriefError):
    """No job with that id exists (or it was never stored here)."""

    code = "not_found"


class RateLimited(FusebriefError):
    """The caller sent more briefs this minute than FUSEBRIEF_RATE_LIMIT_PER_MINUTE allows."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int = 60) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ModelError(FusebriefError):
    """The language model failed us."""

    code = "model_error"


class ModelUnavailable(ModelError):
    """The model could not be reached or kept refusing (after retries)."""

    code = "model_unavailable"


class ModelOutputInvalid(ModelError):
    """The model answered, but not with usable JSON, even after a repair retry."""

    code = "model_output_invalid"


class SlackRequestRefused(FusebriefError):
    """A request to a Slack route that Slack did not sign just now with our signing secret."""

    code = "slack_request_refused"


class ConfigError(FusebriefError):
    """The server's own configuration is wrong; the operator must fix a setting."""

    code = "config_error"


class WeightsMissing(ConfigError):
    """The embedded model's weights are missing or corrupt."""

    code = "weights_missing"


class SlackNotConfigured(ConfigError):
    """A Slack route was called, but FUSEBRIEF_SLACK_SIGNING_SECRET is not set."""

    code = "slack_not_configured"


class DigestConfigInvalid(ConfigError):
    """The digest's TOML configuration file is missing, unreadable or invalid."""

    code = "digest_config_invalid"


class DigestBusy(FusebriefError):
    """Another run of the same digest holds its lock; this run did nothing."""

    code = "digest_busy"


class SendFailed(FusebriefError):
    """The digest email could not be handed to the SMTP server."""

    code = "send_failed"
