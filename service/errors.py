"""The one exception tree of fusebrief; the API maps it to HTTP in one place.

    FusebriefError                 base; `code` is a stable machine-readable string
    ├── InvalidBundle              the client's bundle cannot be summarised      → 422
    │   ├── BundleTooLarge         too many articles / characters / bytes       → 413
    │   └── FetchFailed            a linked page could not be fetched or read    → 422
    ├── ModelError                 something went wrong on the model's side
    │   ├── ModelUnavailable       unreachable, refused, timed out, rate-limited → 503
    │   └── ModelOutputInvalid     replies unusable even after a repair retry   → 502
    ├── ConfigError                the server's own settings are wrong           → 500
    │   ├── WeightsMissing         embedded model weights absent or corrupt
    │   └── DigestConfigInvalid    the digest's TOML file is missing or invalid
    ├── DigestBusy                 another digest run holds the lock (CLI exit 3)
    └── SendFailed                 the SMTP server could not be reached or refused (CLI exit 4)

Every message says what to do about it.
"""


class FusebriefError(Exception):
    """Base of every error fusebrief raises on purpose."""

    code = "fusebrief_error"
    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidBundle(FusebriefError):
    """The submitted articles cannot be summarised as sent; the message says what to fix."""

    code = "invalid_bundle"
    status_code = 422


class BundleTooLarge(InvalidBundle):
    """The bundle exceeds a configured limit (articles, characters or bytes)."""

    code = "bundle_too_large"
    status_code = 413


class FetchFailed(InvalidBundle):
    """A URL could not be fetched: refused, unreachable, too large, or not an article page."""

    code = "fetch_failed"


class ModelError(FusebriefError):
    """The language model failed us."""

    code = "model_error"
    status_code = 502


class ModelUnavailable(ModelError):
    """The model could not be reached or kept refusing (after retries)."""

    code = "model_unavailable"
    status_code = 503


class ModelOutputInvalid(ModelError):
    """The model answered, but not with usable JSON, even after a repair retry."""

    code = "model_output_invalid"
    status_code = 502


class ConfigError(FusebriefError):
    """The server's own configuration is wrong; the operator must fix a setting."""

    code = "config_error"
    status_code = 500


class WeightsMissing(ConfigError):
    """The embedded model's weights are missing or corrupt."""

    code = "weights_missing"


class DigestConfigInvalid(ConfigError):
    """The digest's TOML configuration file is missing, unreadable or invalid."""

    code = "digest_config_invalid"


class DigestBusy(FusebriefError):
    """Another run of the same digest holds its lock; this run did nothing."""

    code = "digest_busy"
    status_code = 409


class SendFailed(FusebriefError):
    """The digest email could not be handed to the SMTP server."""

    code = "send_failed"
    status_code = 502
