"""The use cases. Adapters call these with neutral values and render the plain results."""

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
