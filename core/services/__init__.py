"""The use cases. Adapters call these with neutral values and render the plain results."""

from core.services.answers import (
    answer_in_conversation,
    evaluation_cache_key,
    retry_evaluation,
    retry_failed_evaluations,
    submit_answer,
)
from core.services.deps import Deps, Rules
from core.services.flow import give_hint, go_deeper, next_question, skip_question
from core.services.sessions import (
    bind_thread,
    end_session,
    expire_idle_sessions,
    find_session,
    latest_active_session,
    quota_status,
    start_session,
)
from core.services.summary import summarize

__all__ = [
    "Deps",
    "Rules",
    "answer_in_conversation",
    "bind_thread",
    "end_session",
    "evaluation_cache_key",
    "expire_idle_sessions",
    "find_session",
    "give_hint",
    "go_deeper",
    "latest_active_session",
    "next_question",
    "quota_status",
    "retry_evaluation",
    "retry_failed_evaluations",
    "skip_question",
    "start_session",
    "submit_answer",
    "summarize",
]
