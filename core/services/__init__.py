"""The use cases. Adapters call these with neutral values and render the plain results.

The package loads each use case's module on first use (PEP 562): a surface that imports
`core.services` to answer an ack or a health check does not pay for every use case's
module (and the domain, ports and grading tables behind them) at cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.services.answers import (
        accept_answer,
        answer_in_conversation,
        requeue_for_retry,
        retry_evaluation,
        submit_answer,
    )
    from core.services.banks import (
        bank_in_use,
        export_bank,
        import_bank,
        list_banks,
        remove_bank,
        use_bank,
    )
    from core.services.claims import first_delivery
    from core.services.deps import Deps, Rules
    from core.services.flow import give_hint, go_deeper, interview_of, next_question, skip_question
    from core.services.grading import evaluation_cache_key
    from core.services.history import (
        analytics,
        delete_history,
        export_history,
        interview_for,
        list_sessions,
        scope_for_user,
        scope_for_web_user,
        session_detail,
        web_user_ref,
    )
    from core.services.learning import ReviewStatus, review_history, review_queue, review_status
    from core.services.linking import (
        LinkCode,
        is_linked,
        issue_link_code,
        linked_identities,
        redeem_link_code,
        unlink_identity,
    )
    from core.services.maintenance import retry_failed_evaluations
    from core.services.reminders import reminder_of, send_review_reminders, set_reminder
    from core.services.review import start_review
    from core.services.sessions import (
        active_session_elsewhere,
        bind_thread,
        cancel_start,
        clean_display_name,
        end_interview,
        end_session,
        expire_idle_sessions,
        find_session,
        latest_active_session,
        quota_status,
        start_session,
    )
    from core.services.summary import summarize

# Where each public name lives; __getattr__ imports its module the first time it is asked for.
_HOMES: dict[str, str] = {
    "accept_answer": "core.services.answers",
    "active_session_elsewhere": "core.services.sessions",
    "analytics": "core.services.history",
    "answer_in_conversation": "core.services.answers",
    "bank_in_use": "core.services.banks",
    "bind_thread": "core.services.sessions",
    "cancel_start": "core.services.sessions",
    "clean_display_name": "core.services.sessions",
    "delete_history": "core.services.history",
    "Deps": "core.services.deps",
    "end_interview": "core.services.sessions",
    "end_session": "core.services.sessions",
    "evaluation_cache_key": "core.services.grading",
    "expire_idle_sessions": "core.services.sessions",
    "export_bank": "core.services.banks",
    "export_history": "core.services.history",
    "find_session": "core.services.sessions",
    "first_delivery": "core.services.claims",
    "give_hint": "core.services.flow",
    "go_deeper": "core.services.flow",
    "import_bank": "core.services.banks",
    "interview_for": "core.services.history",
    "interview_of": "core.services.flow",
    "is_linked": "core.services.linking",
    "issue_link_code": "core.services.linking",
    "latest_active_session": "core.services.sessions",
    "LinkCode": "core.services.linking",
    "linked_identities": "core.services.linking",
    "list_banks": "core.services.banks",
    "list_sessions": "core.services.history",
    "next_question": "core.services.flow",
    "quota_status": "core.services.sessions",
    "redeem_link_code": "core.services.linking",
    "reminder_of": "core.services.reminders",
    "remove_bank": "core.services.banks",
    "requeue_for_retry": "core.services.answers",
    "retry_evaluation": "core.services.answers",
    "retry_failed_evaluations": "core.services.maintenance",
    "review_history": "core.services.learning",
    "review_queue": "core.services.learning",
    "review_status": "core.services.learning",
    "ReviewStatus": "core.services.learning",
    "Rules": "core.services.deps",
    "scope_for_user": "core.services.history",
    "scope_for_web_user": "core.services.history",
    "send_review_reminders": "core.services.reminders",
    "session_detail": "core.services.history",
    "set_reminder": "core.services.reminders",
    "skip_question": "core.services.flow",
    "start_review": "core.services.review",
    "start_session": "core.services.sessions",
    "submit_answer": "core.services.answers",
    "summarize": "core.services.summary",
    "unlink_identity": "core.services.linking",
    "use_bank": "core.services.banks",
    "web_user_ref": "core.services.history",
}

__all__ = [
    "Deps",
    "LinkCode",
    "ReviewStatus",
    "Rules",
    "accept_answer",
    "active_session_elsewhere",
    "analytics",
    "answer_in_conversation",
    "bank_in_use",
    "bind_thread",
    "cancel_start",
    "clean_display_name",
    "delete_history",
    "end_interview",
    "end_session",
    "evaluation_cache_key",
    "expire_idle_sessions",
    "export_bank",
    "export_history",
    "find_session",
    "first_delivery",
    "give_hint",
    "go_deeper",
    "import_bank",
    "interview_for",
    "interview_of",
    "is_linked",
    "issue_link_code",
    "latest_active_session",
    "linked_identities",
    "list_banks",
    "list_sessions",
    "next_question",
    "quota_status",
    "redeem_link_code",
    "reminder_of",
    "remove_bank",
    "requeue_for_retry",
    "retry_evaluation",
    "retry_failed_evaluations",
    "review_history",
    "review_queue",
    "review_status",
    "scope_for_user",
    "scope_for_web_user",
    "send_review_reminders",
    "session_detail",
    "set_reminder",
    "skip_question",
    "start_review",
    "start_session",
    "submit_answer",
    "summarize",
    "unlink_identity",
    "use_bank",
    "web_user_ref",
]


# Under TYPE_CHECKING mypy sees the imports above; were __getattr__ visible to it, a misspelt
# name (services.submit_answr) would type as Any instead of being an error.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(_HOMES))
