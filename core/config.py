"""All configuration in one pydantic-settings class, read from environment variables and `.env`."""

from __future__ import annotations

from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///.data/interviewbot.db"


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    """Every knob, one place. Variable names are the field names in upper case (DATABASE_URL, ...)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # Storage and guards
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = "memory://"  # in-process stand-in (fakeredis); redis://host:6379/0 for real
    redis_prefix: str = "ib:"
    embedded_redis_port: int = Field(6399, ge=1, le=65535)  # where memory:// is shared locally
    # Interview rules
    quota_per_day: int = Field(3, ge=1, le=1000)
    quota_timezone: str = "UTC"
    questions_per_session: int = Field(5, ge=1, le=20)
    max_questions_per_session: int = Field(10, ge=1, le=50)
    max_answer_chars: int = Field(4000, ge=50, le=100_000)
    max_follow_ups_per_question: int = Field(1, ge=0, le=5)
    session_idle_hours: int = Field(24, ge=1)
    # Team question of the day
    qotd_answers_per_day: int = Field(5, ge=1, le=1000)  # per person, apart from QUOTA_PER_DAY
    qotd_evaluation_workers: int = Field(4, ge=0, le=64)  # local pool; 0 = in the request
    evaluation_queue_url: str | None = None  # SQS queue of evaluations (AWS); else the pool
    # LLM
    llm_provider: Literal["offline", "gemini"] = "offline"
    prompt_version: str = "v1"
    gemini_api_key: SecretStr | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None  # tests point the real SDK at a stub on 127.0.0.1
    gemini_timeout_seconds: float = Field(30.0, gt=0, le=300)
    gemini_max_retries: int = Field(2, ge=0, le=5)
    evaluation_cache_ttl_seconds: int = Field(30 * 24 * 3600, ge=60)
    evaluation_lock_seconds: float = Field(150.0, gt=0)
    # The global LLM rate limit (a token bucket per provider/model in Redis); 0 turns it off.
    llm_requests_per_minute: float = Field(60.0, ge=0)
    llm_burst: int = Field(1, ge=1, le=1000)
    llm_max_wait_seconds: float = Field(20.0, ge=0, le=120)
    # Surfaces
    web_base_url: str = "http://127.0.0.1:8000"
    environment: Literal["development", "production"] = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None  # CLI default: WARNING
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None  # xapp-…: Socket Mode
    slack_client_id: str | None = None  # with the secret below: multi-workspace OAuth install
    slack_client_secret: SecretStr | None = None
    slack_sessions_in_dm: bool = False
    slack_port: int = Field(3000, ge=1, le=65535)
    slack_api_base_url: str | None = None  # tests: a mock Web API on 127.0.0.1
    discord_token: SecretStr | None = None
    discord_application_id: str | None = None
    discord_public_key: str | None = None
    discord_private_threads: bool = False
    discord_message_content: bool = True  # privileged intent: thread replies count as answers
    discord_api_base_url: str = "https://discord.com/api/v10"  # tests: a mock on 127.0.0.1
    web_secret: SecretStr | None = None  # JWT and CSRF secret, at least 32 bytes in production
    web_host: str = "127.0.0.1"
    web_port: int = Field(8000, ge=1, le=65535)
    web_static_url: str = "/static"  # production: the S3/CloudFront URL the assets are uploaded to

    @field_validator("quota_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as UTC)"
            ) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.strip().upper() or None if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "mysql+pymysql://", "mysql://")):
            raise ValueError("use sqlite:///path.db or mysql+pymysql://user:pass@host/db")
        return value

    @field_validator("redis_url")
    @classmethod
    def _supported_redis(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://", "unix://")):
            raise ValueError("use memory:// (in-process stand-in) or redis://host:port/db")
        return value

    @model_validator(mode="after")
    def _provider_has_key(self) -> Settings:
        if self.llm_provider == "gemini" and not self.gemini_api_key:
            raise ValueError("LLM_PROVIDER=gemini needs GEMINI_API_KEY")
        if self.questions_per_session > self.max_questions_per_session:
            raise ValueError("QUESTIONS_PER_SESSION exceeds MAX_QUESTIONS_PER_SESSION")
        return self

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.quota_timezone)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one message that names each variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper() or "configuration"
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("Invalid configuration — " + "; ".join(problems)) from None
