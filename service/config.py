"""Settings: every knob of fusebrief, read once from the environment (FUSEBRIEF_*) and .env."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
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
    llm_max_parallel: int = Field(default=4, ge=1, le=64)
    llm_context_tokens: int | None = Field(default=None, ge=1024)

    # The embedded model (used when llm_model == "local").
    local_model: Literal["1.5b", "0.5b"] = "1.5b"
    local_slots: int = Field(default=4, ge=1, le=16)
    local_slot_context: int = Field(default=8192, ge=2048)
    local_threads: int | None = Field(default=None, ge=1)

    # Where models, the digest's lock and sent-state (and later jobs and caches) live.
    data_dir: Path = Field(default_factory=_default_data_dir)

    # The HTTP service.
    host: str | None = None
    port: int = Field(default=8000, ge=1, le=65535)
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=2_000_000, ge=1024)
    max_articles: int = Field(default=50, ge=1)
    max_article_chars: int = Field(default=200_000, ge=100)

    # Fetching article pages (Slack links, digest feeds).
    fetch_timeout_s: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=3_000_000, ge=1024)
    fetch_user_agent: str = "fusebrief (+https://github.com/fusebrief/fusebrief)"

    # Sending the daily digest by email (`fusebrief digest`).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "fusebrief <fusebrief@localhost>"
    smtp_timeout_s: float = Field(default=60.0, gt=0)

    # The brief.
    default_max_sentences: int = Field(default=10, ge=5, le=15)

    @field_validator("llm_fallback_models", "api_keys", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

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
