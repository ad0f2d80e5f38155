"""The one place where Settings become wired services. Nothing is built at import time."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from core.config import ConfigError, Settings, load_settings
from core.domain.errors import ServiceUnavailable

if TYPE_CHECKING:  # imported where a core is wired: a health check only needs the backends
    from core.ports import Evaluator, Notifier, QuestionDrafter, QuestionWriter
    from core.ports_qotd import EvaluationQueue, LlmTurns
    from core.services.deps import Deps, Rules

log = logging.getLogger(__name__)


@dataclass
class Core:
    """A wired core: what every adapter (Slack, Discord, web, terminal) is handed."""

    settings: Settings
    deps: Deps
    engine: Engine
    redis: Any
    session_factory: Any
    _notifiers: dict[str, Notifier] | None = field(default=None, repr=False)

    @property
    def notifiers(self) -> dict[str, Notifier]:
        """A Notifier per configured platform (found through entry points on first use)."""
        if self._notifiers is None:
            from core.jobs import notifiers_for

            self._notifiers = notifiers_for(self.settings)
        return self._notifiers

    def use_notifiers(self, notifiers: Mapping[str, Notifier]) -> None:
        """Send the core's own messages through these (tests, a bot with its own clients)."""
        self._notifiers = dict(notifiers)

    def close(self) -> None:
        stop = getattr(self.deps.evaluations, "stop", None)
        if stop is not None:
            stop()
        self.engine.dispose()
        self.redis.close()


@dataclass
class Backends:
    """What a core is wired on: the database engine (its schema checked) and the Redis client.

    Connecting needs neither the ORM's models nor the services: a health check asks these
    alone (web.health), and the core is wired on the same ones when a request needs it."""

    settings: Settings
    engine: Engine
    redis: Any


def connect(
    settings: Settings | None = None,
    *,
    auto_migrate: bool | None = None,
    serve_embedded_redis: bool = False,
) -> Backends:
    """The engine and the Redis client from settings. SQLite (the embedded default) is migrated
    automatically; other databases must have been migrated (`interviewbot migrate`, a deploy
    step). `serve_embedded_redis`: a long-running process (the web companion) shares the
    `memory://` stand-in with the other local processes (see core.adapters.redis_client)."""
    from core.adapters.redis_client import make_redis
    from core.adapters.sql.database import make_engine

    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    ensure_schema(engine, auto_migrate=auto_migrate)
    client = make_redis(
        settings.redis_url,
        serve_embedded=serve_embedded_redis,
        embedded_port=settings.embedded_redis_port,
        owner=database_identity(engine),
    )
    return Backends(settings=settings, engine=engine, redis=client)


def build_core(
    settings: Settings | None = None,
    *,
    auto_migrate: bool | None = None,
    llm: tuple[Evaluator, QuestionWriter] | None = None,
    serve_embedded_redis: bool = False,
    backends: Backends | None = None,
) -> Core:
    """Wire the core from settings, on `backends` if given, else on new ones (`connect`, whose
    arguments these are). `llm` replaces the configured evaluator and writer (tests,
    benchmarks)."""
    from core.adapters.offline.bank import ShippedQuestionBank
    from core.adapters.redis_guards import RedisEvaluationCache, RedisLocks, RedisQuotaStore
    from core.adapters.sql.database import make_session_factory
    from core.adapters.sql.history import SqlReadModel
    from core.adapters.sql.unit_of_work import SqlUnitOfWork
    from core.adapters.system_clock import SystemClock
    from core.services.deps import Deps

    if backends is None:
        backends = connect(
            settings, auto_migrate=auto_migrate, serve_embedded_redis=serve_embedded_redis
        )
    settings, engine, client = backends.settings, backends.engine, backends.redis
    factory = make_session_factory(engine)
    reader = make_session_factory(engine, read_only=True)  # SQLite: never waits for a writer
    prefix = settings.redis_prefix
    evaluator, writer = llm or build_llm(settings)
    deps = Deps(
        uow=lambda read_only=False: SqlUnitOfWork(
            reader if read_only else factory, read_only=read_only
        ),
        quota=RedisQuotaStore(client, prefix=prefix),
        cache=RedisEvaluationCache(
            client, prefix=prefix, ttl_seconds=settings.evaluation_cache_ttl_seconds
        ),
        locks=RedisLocks(client, prefix=prefix),
        bank=ShippedQuestionBank(),
        evaluator=evaluator,
        writer=writer,
        clock=SystemClock(),
        rules=rules_from(settings),
        history=SqlReadModel(reader),
        throttle=None if llm else throttle_for(settings, client),
    )
    core = Core(settings=settings, deps=deps, engine=engine, redis=client, session_factory=factory)
    deps.evaluations = evaluation_queue(core)
    return core


def database_identity(engine: Any) -> str:
    """Which database this is, the same from any working directory: a SQLite file by its
    absolute path (two checkouts' `.data/interviewbot.db` differ), a server by its URL."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        url = url.set(database=os.path.abspath(url.database))
    return str(url.render_as_string(hide_password=True))


def throttle_for(settings: Settings, client: Any) -> LlmTurns | None:
    """The global rate limit of model calls, one bucket per model of the chain (a model's
    per-minute limit is shared by every process); the offline scorer is never limited."""
    models = {"gemini": settings.gemini_model, "openai": settings.openai_model}
    chain = [p for p in settings.llm_chain if p in models]
    if not chain or settings.llm_requests_per_minute <= 0:
        return None
    from core.adapters.redis_rate_limit import RedisRateLimiter
    from core.services.throttle import LlmThrottle, ProviderThrottles

    limiter = RedisRateLimiter(client, prefix=settings.redis_prefix)
    return ProviderThrottles(
        {
            provider: LlmThrottle(
                limiter,
                bucket=f"{provider}:{models[provider]}",
                per_minute=settings.llm_requests_per_minute,
                burst=settings.llm_burst,
                max_wait=settings.llm_max_wait_seconds,
            )
            for provider in chain
        }
    )


def evaluation_queue(core: Core) -> EvaluationQueue:
    """SQS on AWS (EVALUATION_QUEUE_URL), else a local worker pool (or inline with 0 workers)."""
    settings = core.settings
    if settings.evaluation_queue_url:
        from core.adapters.sqs_queue import SqsEvaluationQueue

        return SqsEvaluationQueue(settings.evaluation_queue_url)
    from core.services.qotd_evaluation import evaluate_qotd_answer
    from core.services.qotd_queue import InlineEvaluations

    def run(answer_id: int) -> Any:
        return evaluate_qotd_answer(core.deps, core.notifiers, answer_id=answer_id)

    # On Lambda without a queue, threads would freeze with the function: evaluate in the request
    # (a lazy invocation has the time); the database keeps anything unfinished for maintenance.
    if settings.qotd_evaluation_workers == 0 or os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return InlineEvaluations(run)
    return LazyPool(run, settings.qotd_evaluation_workers)


class LazyPool:
    """A worker pool whose threads start with the first answer (most processes take none)."""

    def __init__(self, run: Any, workers: int) -> None:
        self._run, self._workers = run, workers
        self._lock = threading.Lock()
        self.pool: Any = None

    def submit(self, answer_id: int) -> None:
        with self._lock:  # two first answers at once must not start two pools
            if self.pool is None:
                from core.services.qotd_queue import WorkerPool

                self.pool = WorkerPool(self._run, workers=self._workers)
        self.pool.submit(answer_id)

    def drain(self, timeout: float) -> bool:
        return self.pool.drain(timeout) if self.pool is not None else True

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.stop()


def rules_from(settings: Settings) -> Rules:
    from core.services.deps import Rules

    return Rules(
        quota_per_day=settings.quota_per_day,
        timezone=settings.timezone,
        questions_per_session=settings.questions_per_session,
        max_questions_per_session=settings.max_questions_per_session,
        max_answer_chars=settings.max_answer_chars,
        max_follow_ups_per_question=settings.max_follow_ups_per_question,
        evaluation_lock_seconds=settings.evaluation_lock_seconds,
        session_idle_hours=settings.session_idle_hours,
        qotd_answers_per_day=settings.qotd_answers_per_day,
    )


def build_llm(settings: Settings) -> tuple[Evaluator, QuestionWriter]:
    """The configured evaluator and follow-up writer: one provider, or LLM_FALLBACK's chain.

    An SDK is imported only for a provider in use (google-genai for gemini, openai for openai),
    and only by its first request (core.adapters.llm_client): building the core imports none."""
    pairs = [_build_provider(name, settings) for name in settings.llm_chain]
    if len(pairs) == 1:
        return pairs[0]
    from core.adapters.llm_chain import Breaker, FallbackEvaluator, FallbackQuestionWriter

    # One breaker: a provider out of quota is out for follow-ups as well as for grading.
    breaker = Breaker(settings.llm_fallback_cooldown_seconds)
    return (
        FallbackEvaluator([evaluator for evaluator, _ in pairs], breaker),
        FallbackQuestionWriter([writer for _, writer in pairs], breaker),
    )


def build_drafter(settings: Settings) -> QuestionDrafter | None:
    """What drafts bank questions: the configured LLM providers in order; None when offline."""
    from core.adapters.llm_chain import Breaker, FallbackQuestionDrafter

    drafters = [_build_drafter(name, settings) for name in settings.llm_chain if name != "offline"]
    if len(drafters) > 1:
        return FallbackQuestionDrafter(drafters, Breaker(settings.llm_fallback_cooldown_seconds))
    return drafters[0] if drafters else None


def _build_drafter(name: str, settings: Settings) -> QuestionDrafter:
    if name == "gemini":
        from core.adapters.gemini import GeminiQuestionDrafter

        return GeminiQuestionDrafter(_gemini_client(settings), **_gemini_options(settings))
    client, options = _openai_client(settings)
    from core.adapters.openai_llm import OpenAIQuestionDrafter

    return OpenAIQuestionDrafter(client, **options)


def _build_provider(name: str, settings: Settings) -> tuple[Evaluator, QuestionWriter]:
    if name == "gemini":
        from core.adapters.gemini import GeminiEvaluator, GeminiQuestionWriter

        client, common = _gemini_client(settings), _gemini_options(settings)
        return GeminiEvaluator(client, **common), GeminiQuestionWriter(client, **common)
    if name == "openai":
        client, options = _openai_client(settings)  # first: a missing extra is told clearly
        from core.adapters.openai_llm import OpenAIEvaluator, OpenAIQuestionWriter

        return OpenAIEvaluator(client, **options), OpenAIQuestionWriter(client, **options)
    from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter

    return OfflineEvaluator(prompt_version=settings.prompt_version), OfflineQuestionWriter()


def _gemini_client(settings: Settings) -> Any:
    """Gemini's client, built (google-genai imported) by the first request that needs it."""
    from core.adapters.gemini import build_gemini_client
    from core.adapters.llm_client import OnDemand

    assert settings.gemini_api_key is not None  # enforced by Settings validation
    api_key = settings.gemini_api_key.get_secret_value()
    return OnDemand(
        lambda: build_gemini_client(
            api_key=api_key,
            base_url=settings.gemini_base_url,
            timeout_seconds=settings.gemini_timeout_seconds,
        )
    )


def _gemini_options(settings: Settings) -> dict[str, Any]:
    return dict(
        model=settings.gemini_model,
        prompt_version=settings.prompt_version,
        max_retries=settings.gemini_max_retries,
    )


def _openai_client(settings: Settings) -> tuple[Any, dict[str, Any]]:
    """The client (built, and openai imported, by the first request that needs it) and the
    adapters' options; a clear message now when the extra is missing."""
    from importlib.util import find_spec

    from core.adapters.llm_client import OnDemand

    try:
        from core.adapters.openai_llm import build_openai_client

        if find_spec("openai") is None:  # looked up, not imported
            raise ImportError("openai")
    except ImportError as exc:  # the optional extra is not installed
        raise ConfigError(
            "LLM_PROVIDER=openai needs the openai package: "
            "pip install 'interviewbot[openai]' (make setup installs it)"
        ) from exc
    key = settings.openai_api_key
    api_key = key.get_secret_value() if key else None
    client = OnDemand(
        lambda: build_openai_client(
            base_url=settings.openai_base_url,
            api_key=api_key,
            timeout_seconds=settings.openai_timeout_seconds,
        )
    )
    options = dict(
        model=settings.openai_model,
        prompt_version=settings.prompt_version,
        max_output_tokens=settings.openai_max_output_tokens,
        max_retries=settings.openai_max_retries,
    )
    return client, options


# What the surfaces need from the adapters, handed out here so that bots/ and web/ never import
# core.adapters themselves (tests/unit/test_architecture.py). Resolved lazily (PEP 562): the
# Slack ack path imports this module and must not pay for the ORM.
_ADAPTER_EXPORTS = {
    "WebUser": "core.adapters.sql.models",  # fastapi-users' user table
    "AccessTokenRow": "core.adapters.sql.models",  # the web's revocable sign-ins
    "make_engine": "core.adapters.sql.database",  # slack_sdk's installation store
}


def __getattr__(name: str) -> Any:
    module = _ADAPTER_EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.bootstrap' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def ensure_schema(engine: Engine, *, auto_migrate: bool | None = None) -> None:
    """Migrate (SQLite) or check the schema; an unreachable database is a clear error."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        _ensure_schema(engine, auto_migrate=auto_migrate)
    except (OperationalError, InterfaceError) as exc:
        log.warning("database unreachable: %s", exc.__class__.__name__)
        raise ServiceUnavailable("database") from exc


def _ensure_schema(engine: Engine, *, auto_migrate: bool | None) -> None:
    from core.adapters.sql import schema_version

    if schema_version.at_head(engine):
        # The usual case, told without importing Alembic (a cold start's 0.25 s): a server
        # database after the deploy's migration, or a SQLite file any earlier run migrated.
        return
    if auto_migrate is None:
        auto_migrate = engine.dialect.name == "sqlite"
    from core.adapters.sql import migrate

    if auto_migrate:
        migrate.upgrade(engine)
    elif not migrate.is_usable(engine):
        raise ConfigError(
            "The database schema is not up to date: run `interviewbot migrate` "
            f"(at {migrate.current_revision(engine)}, code expects {migrate.head_revision()})."
        )
