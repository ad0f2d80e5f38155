"""The learning loop in Slack: `/interview review`, `/interview remind …`, the reminder DM and
its Start review button (a review session in the DM; listeners/review.py)."""

from __future__ import annotations

from bots.slack import ids
from bots.slack.blocks import Rendered, actions, button, context, escape, section, slack_date
from bots.slack.interview import StartRequest
from bots.slack.messaging import Reply
from bots.slack.notifier import renders
from bots.slack.runtime import SlackRuntime
from core import services
from core.domain.model import UserRef
from core.domain.reminders import ReviewReminder
from core.services import ReviewStatus


def review_request(
    user: UserRef, *, channel: str | None, name: str | None, identity: str
) -> StartRequest:
    """A review session for `user`, in `channel` (None: in a DM)."""
    return StartRequest(
        tenant=user.tenant,
        user=user.user,
        channel=channel,
        role="",
        difficulty=None,
        questions=None,
        display_name=name,
        identity=identity,
        review=True,
    )


def set_reminder(
    rt: SlackRuntime, reply: Reply, user: UserRef, setting: str, name: str | None
) -> None:
    """`/interview remind daily 09:00 Europe/Paris` or `/interview remind off`."""
    choice = services.set_reminder(rt.deps, user=user, text=setting, display_name=name)
    reply(f"⏰ {choice.describe}" if choice.at else "🔕 Review reminders are off.")


@renders(ReviewReminder)
def reminder_card(notice: ReviewReminder) -> Rendered:
    """ "🔁 3 due: caching ×2, SQL joins — start review" with a Start review button."""
    text = f"🔁 {escape(notice.summary)} — start review"
    return text, [
        section(f"🔁 *{escape(notice.summary)}* — start review"),
        actions(button("▶️ Start review", ids.REVIEW_START, style="primary")),
        context("`/interview remind off` stops these reminders."),
    ]


def due_line(status: ReviewStatus) -> str:
    """App Home: what is due for review today, or when the next item is."""
    if status.due_today:
        week = f" · {status.due_this_week} this week"
        return f"🔁 *{escape(status.summary)}* for review today{week}."
    if status.next_due:
        return f"🔁 Nothing due for review today — next item {slack_date(status.next_due)}."
    return "🔁 Nothing to review yet: weak answers come back here when they are due."
