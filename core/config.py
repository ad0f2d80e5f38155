"""All configuration in one pydantic class, read from environment variables and `.env`.

The class reads its own variables (`_environment`) instead of deriving from pydantic-settings'
BaseSettings: that package costs about as much to import as pydantic itself (its CLI, cloud and
file sources, asyncio), which every Lambda cold start paid to read plain strings. The rules are
BaseSettings' own for our fields: keyword arguments win over the environment, the environment
over `.env` (in the working directory, read with python-dotenv as BaseSettings did), names in
any case, unknown names ignored, and the defaults validated too.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_DATABASE_URL = "sqlite:///.data/interviewbot.db"


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


ENV_FILE = ".env"


class Settings(BaseModel):
    """Every knob, one place. Variable names are the field names in upper case (DATABASE_URL, ...).

    `Settings(_env_file=None, ...)` reads no `.env` (tests); the environment is still read."""

    model_config = ConfigDict(extra="ignore", validate_default=True)

    def __init__(self, _env_file: str | os.PathLike[str] | None = ENV_FILE, **values: Any) -> None:
        super().__init__(**(_environment(type(self), _env_file) | values))

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
    # How often the long-running bots run the scheduled jobs (reminders) themselves
    due_check_seconds: float = Field(60.0, ge=1, le=3600)
    # LLM (docs/providers.md)
    llm_provider: Literal["offline", "gemini", "openai"] = "offline"
    llm_fallback: str = ""  # "gemini,openai,offline": providers asked in order (the first grades)
    llm_fallback_cooldown_seconds: float = Field(300.0, ge=0, le=86_400)
    prompt_version: str = "v1"
    gemini_api_key: SecretStr | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None  # tests point the real SDK at a stub on 127.0.0.1
    gemini_timeout_seconds: float = Field(30.0, gt=0, le=300)
    gemini_max_retries: int = Field(2, ge=0, le=5)
    openai_base_url: str | None = None  # None: OpenAI's API; Ollama: http://127.0.0.1:11434/v1
    openai_api_key: SecretStr | None = None  # optional for local servers
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(30.0, gt=0, le=600)
    openai_max_retries: int = Field(2, ge=0, le=5)
    openai_max_output_tokens: int = Field(4096, ge=256, le=32_768)
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
    web_secret: SecretStr | None = (
        None  # reset/verify links and CSRF; at least 32 bytes in production
    )
    web_host: str = "127.0.0.1"
    web_port: int = Field(8000, ge=1, le=65535)
    web_static_url: str = "/static"  # production: the S3/CloudFront URL the assets are uploaded to
    # Behind a CDN the web sees the CDN's address: the header holding the viewer's (per-network
    # log-in and registration limits), e.g. CloudFront-Viewer-Address. Unset: the peer address.
    web_client_ip_header: str | None = None

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
        return check_database_url(value)

    @field_validator("redis_url")
    @classmethod
    def _supported_redis(cls, value: str) -> str:
        return check_redis_url(value)

    @field_validator("redis_prefix")
    @classmethod
    def _prefix_without_hash_tag(cls, value: str) -> str:
        # Keys carry their own {hash tags} (Redis Cluster): a brace in the prefix would put every
        # key of the deployment in one slot, or split one person's keys across slots.
        if "{" in value or "}" in value:
            raise ValueError("must not contain { or } (keys carry their own hash tags)")
        return value

    @field_validator("web_base_url", "discord_api_base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("gemini_base_url", "openai_base_url")
    @classmethod
    def _optional_web_address(cls, value: str | None) -> str | None:
        return check_http_url(value) if value else None

    @field_validator("llm_fallback")
    @classmethod
    def _known_providers_once_each(cls, value: str) -> str:
        return ",".join(parse_provider_chain(value))

    @field_validator("openai_model", "gemini_model")
    @classmethod
    def _model_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name the model")
        return value.strip()

    @field_validator("web_static_url")
    @classmethod
    def _static_address(cls, value: str) -> str:
        if value.startswith("/") and not value.startswith("//"):
            return value  # served by the web companion itself
        return check_http_url(value)

    @model_validator(mode="after")
    def _provider_has_key(self) -> Settings:
        self._agree_on_the_first_provider()
        for provider in self.llm_chain:
            self._check_configured(provider)
        self._check_lock_outlasts_the_llm()
        if self.questions_per_session > self.max_questions_per_session:
            raise ValueError("QUESTIONS_PER_SESSION exceeds MAX_QUESTIONS_PER_SESSION")
        return self

    def _agree_on_the_first_provider(self) -> None:
        chain = parse_provider_chain(self.llm_fallback)
        if not chain:
            return
        if "llm_provider" in self.model_fields_set and self.llm_provider != chain[0]:
            raise ValueError(
                f"LLM_PROVIDER={self.llm_provider} but LLM_FALLBACK starts with {chain[0]}: the "
                "chain's first provider is the one that grades; make them agree or drop one"
            )
        self.llm_provider = chain[0]  # type: ignore[assignment]

    def _check_configured(self, provider: str) -> None:
        if provider == "gemini" and not self.gemini_api_key:
            raise ValueError(f"{_named(provider, self.llm_fallback)} needs GEMINI_API_KEY")
        if provider == "openai" and not self.openai_api_key and not self.openai_base_url:
            raise ValueError(
                f"{_named(provider, self.llm_fallback)} on OpenAI's API needs OPENAI_API_KEY "
                "(a local server such as Ollama or vLLM needs OPENAI_BASE_URL instead)"
            )

    def _check_lock_outlasts_the_llm(self) -> None:
        """A lock shorter than an evaluation lets a Retry start a second, paid, evaluation."""
        tries = {
            "gemini": (self.gemini_timeout_seconds, self.gemini_max_retries),
            "openai": (self.openai_timeout_seconds, self.openai_max_retries),
        }
        remote = [p for p in self.llm_chain if p in tries]
        if not remote:  # the offline scorer has no timeout: nothing to import or compare
            return
        from core.adapters.llm_retry import worst_case_seconds

        used = [(p, worst_case_seconds(*tries[p])) for p in remote]
        total = sum(seconds for _, seconds in used)
        if total >= self.evaluation_lock_seconds:
            parts = " + ".join(f"{p} {seconds:.0f} s" for p, seconds in used)
            raise ValueError(
                f"EVALUATION_LOCK_SECONDS={self.evaluation_lock_seconds:g} is not longer than "
                f"the longest evaluation these LLM settings allow (about {total:.0f} s: {parts}, "
                "each try at its full timeout); raise it, or lower the timeouts or retries"
            )

    @property
    def llm_chain(self) -> tuple[str, ...]:
        """The providers asked in order: LLM_FALLBACK, else LLM_PROVIDER alone."""
        return parse_provider_chain(self.llm_fallback) or (self.llm_provider,)

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.quota_timezone)


def _environment(cls: type[Settings], env_file: str | os.PathLike[str] | None) -> dict[str, str]:
    """The fields' values found in `env_file` (if it exists), then in the environment, which
    wins. Names match in any case; a `.env` line without `=` sets nothing."""
    fields = cls.model_fields
    found: dict[str, str] = {}
    path = Path(env_file).expanduser() if env_file is not None else None
    if path is not None and (path.is_file() or path.is_fifo()):
        from dotenv import dotenv_values  # only when there is a file: never on Lambda

        for name, value in dotenv_values(path, encoding="utf-8").items():
            if value is not None and name.lower() in fields:
                found[name.lower()] = value
    for name, value in os.environ.items():
        if name.lower() in fields:
            found[name.lower()] = value
    return found


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one message that names each variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper() or "configuration"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise ConfigError("Invalid configuration — " + "; ".join(problems)) from None


LLM_PROVIDERS = ("offline", "gemini", "openai")


def parse_provider_chain(value: str) -> tuple[str, ...]:
    """ "gemini, openai,offline" -> ("gemini", "openai", "offline"); each known, each once."""
    names = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    for name in names:
        if name not in LLM_PROVIDERS:
            raise ValueError(f"unknown provider {name!r} (use {', '.join(LLM_PROVIDERS)})")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"names {', '.join(repeated)} more than once")
    return names


def _named(provider: str, fallback: str) -> str:
    return f"LLM_FALLBACK's {provider}" if fallback else f"LLM_PROVIDER={provider}"


# ---------------------------------------------------------------- URL checks (by scheme)

SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
MYSQL_SCHEMES = ("mysql", "mysql+pymysql")
REDIS_SCHEMES = ("redis", "rediss")
REDIS_CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")


def check_database_url(value: str) -> str:
    """sqlite:///path.db (or sqlite:// in memory), or mysql+pymysql://user:pass@host:port/db."""
    parts = _split(value)
    if parts.scheme in SQLITE_SCHEMES:
        if parts.netloc:
            raise ValueError(
                "a SQLite URL has no host: use sqlite:///relative.db or sqlite:////abs.db"
            )
        return value
    if parts.scheme in MYSQL_SCHEMES:
        _host_and_port(parts, "mysql+pymysql://user:pass@host:3306/db")
        if not parts.path.strip("/"):
            raise ValueError("name the database: mysql+pymysql://user:pass@host:3306/db")
        return value
    raise ValueError("use sqlite:///path.db or mysql+pymysql://user:pass@host:3306/db")


def check_redis_url(value: str) -> str:
    """memory://, redis[s]://host:port/db, unix:///path.sock, or redis[s]+cluster://host:port."""
    parts = _split(value)
    if parts.scheme == "memory":
        return value
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError("unix:// needs the socket path: unix:///run/redis.sock")
        return value
    if parts.scheme in REDIS_SCHEMES:
        _host_and_port(parts, "redis://host:6379/0")
        _database_number(parts)
        return value
    if parts.scheme in REDIS_CLUSTER_SCHEMES:
        _host_and_port(parts, "redis+cluster://host:6379")
        if _database_number(parts) != 0:
            raise ValueError("a Redis Cluster has only database 0: redis+cluster://host:6379")
        return value
    raise ValueError(
        "use memory:// (embedded stand-in), redis://host:6379/0, rediss://…, unix:///path.sock "
        "or redis+cluster://host:6379 (Redis Cluster)"
    )


def check_http_url(value: str) -> str:
    """An http:// or https:// address with a host (never javascript:, data:, file:…)."""
    parts = _split(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http:// or https:// address")
    _host_and_port(parts, "https://host.example.com")
    return value


def _split(value: str) -> SplitResult:
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError("must not contain spaces or control characters")
    try:
        return urlsplit(value)
    except ValueError as exc:  # e.g. an unbalanced [ in the host
        raise ValueError(f"not a valid URL ({exc})") from None


def _host_and_port(parts: SplitResult, example: str) -> None:
    try:
        port = parts.port  # raises on a port that is not a number in 0..65535
    except ValueError:
        raise ValueError(f"the port is not a number in 1..65535 (expected {example})") from None
    if not parts.hostname or "@" in parts.netloc.rpartition("@")[0] or port == 0:
        raise ValueError(f"not a valid address (expected {example})")


def _database_number(parts: SplitResult) -> int:
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError(f"the database must be a number (/0), not {path!r}")
    return int(path or 0)
