"""The HTTP side of errors: one table from the exception tree to status codes, and the JSON error
envelope `{"error": {"code", "message"}}` every error answer uses."""

from typing import Any

from service.errors import (
    BundleTooLarge,
    DigestBusy,
    FusebriefError,
    InvalidBundle,
    JobNotFound,
    ModelError,
    ModelUnavailable,
    RateLimited,
    SendFailed,
    SlackNotConfigured,
    SlackRequestRefused,
)

# The most specific class in an error's MRO decides.
HTTP_STATUS: dict[type[FusebriefError], int] = {
    FusebriefError: 500,
    InvalidBundle: 422,
    BundleTooLarge: 413,
    JobNotFound: 404,
    RateLimited: 429,
    ModelError: 502,
    ModelUnavailable: 503,
    SlackRequestRefused: 401,
    SlackNotConfigured: 503,
    DigestBusy: 409,
    SendFailed: 502,
}


def http_status(error: FusebriefError) -> int:
    return next(HTTP_STATUS[kind] for kind in type(error).__mro__ if kind in HTTP_STATUS)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
