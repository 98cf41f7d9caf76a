"""Settings: every knob of fusebrief, read once from the environment (FUSEBRIEF_*) and .env."""

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL_MODEL = "local"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fusebrief"


class Settings(BaseSettings):
    """All configuration; see .env.example for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix="FUSEBRIEF_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )

    # The model: any litellm model string, or "local" for the embedded llama.cpp server.
    llm_model: str = LOCAL_MODEL
    llm_api_base: str | None = None
    llm_api_key: SecretStr | None = None
    llm_fallback_models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    llm_timeout_s: float = Field(default=600.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0, le=10)
    llm_max_parallel: int = Field(default=4, ge=1, le=512)
    llm_context_tokens: int | None = Field(default=None, ge=1024)
    llm_cooldown_s: float = Field(default=30.0, ge=0)
    llm_rpm: int = Field(default=0, ge=0)
    llm_tpm: int = Field(default=0, ge=0)
    # Short articles are mapped several to a call, up to this many article tokens: fewer prompt
    # tokens (the instructions are sent once a call), a longer map round. 0: one article a call.
    # Unset: 2000 for a hosted model (tokens cost money), 0 for a self-hosted one (they cost
    # only time, and its parallel slots write one article each faster than one slot writes four).
    map_batch_tokens: int | None = Field(default=None, ge=0)

    # The embedded model (used when llm_model == "local").
    local_model: Literal["1.5b", "0.5b"] = "1.5b"
    local_slots: int = Field(default=4, ge=1, le=16)
    local_slot_context: int = Field(default=8192, ge=2048)
    local_threads: int | None = Field(default=None, ge=1)
    # Speculative decoding (service.local_model.speculative_params): "ngram" drafts, from the
    # slot's own context (the article is in the prompt), the tokens that followed the last
    # occurrence of the current n-gram, for the model to verify in one batch; "draft": the
    # 0.5B weights draft for the 1.5B; "off". Greedy decoding keeps the replies the same.
    local_speculative: Literal["off", "ngram", "draft"] = "off"
    local_draft_max: int = Field(default=8, ge=1, le=64)  # tokens drafted at most
    local_ngram_size: int = Field(default=4, ge=1, le=32)  # "ngram": the n-gram looked up

    # Where models, the reply cache, jobs and the digest's lock and sent days live.
    data_dir: Path = Field(default_factory=_default_data_dir)
    cache: Literal["sqlite", "redis", "off"] | None = None

    # The HTTP service.
    host: str | None = None
    port: int = Field(default=8000, ge=1, le=65535)
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Host names the server answers besides localhost, 127.0.0.1, ::1 and the one it is bound
    # to; checked when no API keys are set (DNS rebinding), or when this list is set. "*": any.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Proxies (IPs or CIDRs) whose X-Forwarded-For names the client, for the rate limits; from
    # anyone else the header is ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Failed authentications one client address may make a minute before it gets 429s.
    auth_failures_per_minute: int = Field(default=10, ge=1)
    max_body_bytes: int = Field(default=2_000_000, ge=1024)
    max_articles: int = Field(default=50, ge=1)
    max_article_chars: int = Field(default=200_000, ge=100)  # of the text after cleaning
    max_html_bytes: int = Field(default=3_000_000, ge=1024)  # of raw HTML, before parsing
    # Server-Sent Events (live briefs, a job's events): a keep-alive comment this often.
    sse_ping_s: float = Field(default=15.0, gt=0, le=300)

    # Jobs (POST /v1/briefs with "async": true): in-process workers over SQLite in data_dir.
    job_workers: int = Field(default=2, ge=1, le=64)
    job_lease_s: float = Field(default=30.0, ge=1)
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    job_timeout_s: float = Field(default=3600.0, gt=0)
    # A finished job (its brief or error, its live events, its Idempotency-Key) is kept this long.
    job_result_ttl_s: float = Field(default=7 * 24 * 3600.0, gt=0)
    queue_url: str | None = Field(default=None, pattern=r"^rediss?://")
    webhook_secret: SecretStr | None = None
    webhook_max_attempts: int = Field(default=5, ge=1, le=20)
    webhook_backoff_s: float = Field(default=2.0, ge=0)
    webhook_allow_private: bool = False

    # Fetching article pages (Slack links, digest feeds).
    fetch_timeout_s: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=3_000_000, ge=1024)
    fetch_user_agent: str = "fusebrief (+https://github.com/fusebrief/fusebrief)"
    # Links given to POST /v1/articles/fetch (the web page) and the MCP tool: private and
    # loopback addresses are refused unless this is true.
    fetch_allow_private_links: bool = False

    # Guard rails and operations.
    max_bundle_tokens: int = Field(default=250_000, ge=1000)
    rate_limit_per_minute: int = Field(default=60, ge=0)
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # OpenTelemetry traces (service.tracing): off, console (stderr) or otlp (OTEL_EXPORTER_OTLP_*);
    # unset: otlp when OTEL_EXPORTER_OTLP_ENDPOINT is set, else off.
    otel: Literal["off", "console", "otlp"] | None = None

    # Slack: the /brief slash command and @mentions (README, "Slack").
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_allow_private_links: bool = False

    # Sending the daily digest by email (`fusebrief digest`).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "fusebrief <fusebrief@localhost>"
    smtp_timeout_s: float = Field(default=60.0, gt=0)

    # The brief.
    # For a few articles of one day; a larger or longer story gets more (service.briefs).
    default_max_sentences: int = Field(default=10, ge=5, le=25)

    @field_validator(
        "llm_fallback_models", "api_keys", "allowed_hosts", "trusted_proxies", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: list[str]) -> list[str]:
        return [name.lower().rstrip(".").removeprefix("[").removesuffix("]") for name in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as error:
                raise ValueError(
                    f"FUSEBRIEF_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                    "(e.g. 10.0.0.5 or 10.0.0.0/8)"
                ) from error
        return value

    @model_validator(mode="after")
    def _draft_needs_a_larger_model(self) -> "Settings":
        if self.local_speculative == "draft" and self.local_model != "1.5b":
            raise ValueError(
                "FUSEBRIEF_LOCAL_SPECULATIVE=draft drafts with the 0.5B for the 1.5B: set "
                "FUSEBRIEF_LOCAL_MODEL=1.5b, or FUSEBRIEF_LOCAL_SPECULATIVE=ngram or off"
            )
        return self

    @model_validator(mode="after")
    def _redis_needs_a_url(self) -> "Settings":
        if self.cache == "redis" and not self.queue_url:
            raise ValueError("FUSEBRIEF_CACHE=redis needs FUSEBRIEF_QUEUE_URL=redis://host:6379")
        return self

    @property
    def cache_backend(self) -> str:
        """FUSEBRIEF_CACHE, or by default redis with FUSEBRIEF_QUEUE_URL and sqlite without."""
        return self.cache or ("redis" if self.queue_url else "sqlite")

    @property
    def uses_local_model(self) -> bool:
        return self.llm_model in ("", LOCAL_MODEL)

    @property
    def bind_host(self) -> str:
        """Without API keys the service only listens on loopback."""
        if self.host:
            return self.host
        return "0.0.0.0" if self.api_keys else "127.0.0.1"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
