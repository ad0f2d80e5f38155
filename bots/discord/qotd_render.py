"""Discord embeds for the question of the day: the channel card with its Answer button (and the
same card once closed), the reveal, the private evaluation, leaderboards and settings. Registered
with the Discord notifier (`@renders`) for the messages the core sends on its own."""

from __future__ import annotations

from contextlib import suppress

from bots.discord.ids import QotdId
from bots.discord.model import DeliveryFailed as RestRefused
from bots.discord.model import Reply
from bots.discord.notifier import DiscordNotifier, renders, sends
from bots.discord.render import (
    DESCRIPTION,
    FIELD,
    NEUTRAL_COLOUR,
    PRIMARY,
    QUESTION_COLOUR,
    Json,
    answer_modal,
    button,
    clip,
    fit,
    key_point_fields,
    row,
    when,
)
from core.domain.presentation import format_score, score_band, score_bar, tag_label
from core.domain.qotd import QotdPost
from core.domain.qotd_figures import Leaderboard, MyQotd
from core.domain.qotd_notices import (
    QotdEvaluationNotice,
    QotdLeaderboardNotice,
    QotdQuestionNotice,
    QotdRevealNotice,
)
from core.domain.qotd_parsing import weekdays_label
from core.services.qotd_settings import QotdStatus

GOLD = 0xF1C40F
MEDALS = ("🥇", "🥈", "🥉")


@renders(QotdQuestionNotice)
def question_card(notice: QotdQuestionNotice) -> Reply:
    post = notice.post
    embed: Json = {
        "author": {"name": post.title},
        "description": clip(post.question.text, DESCRIPTION),
        "color": QUESTION_COLOUR,
    }
    if notice.closed:
        people = "person" if notice.answered == 1 else "people"
        embed["footer"] = {
            "text": f"🔒 Closed · {notice.answered} {people} answered · the ideal answer is in the thread"
        }
        embed["color"] = NEUTRAL_COLOUR
        return Reply(embeds=(embed,), components=())
    embed["fields"] = [
        {
            "name": "How to answer",
            "value": f"Press **Answer**: your answer and its evaluation stay private. Closes {when(post.closes_at, 'R')}.",
        }
    ]
    answer = button("Answer", style=PRIMARY, cid=str(QotdId("answer", post.id)))
    return Reply(embeds=(embed,), components=(row(answer),))


def modal(post_id: int, *, max_chars: int) -> Json:
    """The private answer form behind the Answer button."""
    form = answer_modal(str(QotdId("submit", post_id)), max_chars=max_chars)
    return form | {"title": "Question of the day"}


@renders(QotdRevealNotice)
def reveal(notice: QotdRevealNotice) -> Reply:
    s = notice.summary
    people = "person" if s.answered == 1 else "people"
    spread = "\n".join(f"{b.band.emoji} {b.band.label}: **{b.count}**" for b in s.distribution)
    fields: list[Json] = [
        {
            "name": "Scores",
            "value": clip(f"average {format_score(s.average_score)}\n{spread}", FIELD),
        },
        {"name": "Ideal answer", "value": clip(s.post.question.reference_answer, FIELD)},
    ]
    if s.post.question.key_points:
        points = "\n".join(f"• {p}" for p in s.post.question.key_points)
        fields.append({"name": "Key points", "value": clip(points, FIELD)})
    if s.top:
        top = "\n".join(
            f"{MEDALS[i]} {a.name} — {format_score(a.score)}" for i, a in enumerate(s.top)
        )
        fields.append({"name": "Top answers (leaderboard members)", "value": clip(top, FIELD)})
    embed: Json = {
        "title": f"🔓 The answer is in — {s.answered} {people} answered",
        "color": GOLD,
        "fields": fields,
        "footer": {"text": "Join the leaderboard with /interview leaderboard join"},
    }
    if s.pending:
        embed["description"] = f"{s.pending} answer(s) were still being evaluated."
    return Reply(embeds=(fit(embed),))


@renders(QotdEvaluationNotice)
def evaluation(notice: QotdEvaluationNotice) -> Reply:
    post, result = notice.post, notice.answer.evaluation
    author = {"name": clip(f"Question of the day · {post.question.text}", 256)}
    if notice.failed or result is None:
        embed = {
            "author": author,
            "description": clip(notice.failed, DESCRIPTION),
            "color": NEUTRAL_COLOUR,
        }
        return Reply(embeds=(embed,), ephemeral=True)
    band = score_band(result.score)
    fields: list[Json] = [{"name": "Your answer", "value": clip(notice.answer.answer, FIELD)}]
    fields += key_point_fields(result.points)
    if result.tags:
        fields.append(
            {"name": "Work on", "value": clip(", ".join(tag_label(t) for t in result.tags), FIELD)}
        )
    embed = {
        "author": author,
        "title": f"{band.emoji} {format_score(result.score)} · {band.label}",
        "description": f"`{score_bar(result.score)}`\n\n{clip(result.feedback, 2000)}",
        "color": band.colour,
        "fields": fields,
        "footer": {
            "text": f"Graded by: {result.graded_by} · the ideal answer is revealed when the question closes"
        },
    }
    return Reply(embeds=(fit(embed),), ephemeral=True)


@renders(QotdLeaderboardNotice)
def leaderboard_card(notice: QotdLeaderboardNotice) -> Reply:
    return board(notice.board, weekly=notice.weekly, ephemeral=False)


def board(result: Leaderboard, *, weekly: bool = False, ephemeral: bool = True) -> Reply:
    title = f"🏆 {'Last week' if weekly else 'This week'}'s leaderboard · week of {result.first_day:%d %b}"
    if result.entries:
        lines = [
            f"**{e.rank}.** {e.name} — {e.points:g} points · {e.answered} answered · "
            f"average {format_score(e.average_score)}"
            + (f" · 🔥 {e.streak}" if e.streak > 1 else "")
            for e in result.entries
        ]
        text = "\n".join(lines)
    else:
        text = (
            "Nobody on the leaderboard answered."
            if result.members
            else "Nobody has joined the leaderboard yet."
        )
    embed = {
        "title": title,
        "description": clip(text, DESCRIPTION),
        "color": GOLD,
        "footer": {
            "text": "Points: the week's scores added up. Opt in or out: /interview leaderboard join | leave"
        },
    }
    return Reply(embeds=(embed,), ephemeral=ephemeral)


def settings(status: QotdStatus) -> Reply:
    s, schedule = status.schedule.settings, status.schedule
    if schedule.paused:
        next_one = "⏸️ Paused — `/interview qotd resume` starts it again."
    else:
        next_one = f"Next question {when(status.next_post, 'R')}." if status.next_post else ""
    head = (
        "✅ Question of the day updated."
        if status.changed
        else "**Question of the day in this channel**"
    )
    roles = ", ".join(r.label for r in s.roles)
    text = (
        f"{head}\n• {weekdays_label(s.weekdays)} at {s.post_at:%H:%M}, answers until {s.closes_at:%H:%M} "
        f"({s.timezone})\n• {roles} · {s.difficulty.label}\n{next_one}"
    )
    return Reply(content=text, ephemeral=True)


def received(post: QotdPost) -> Reply:
    return Reply(
        content=(
            "✅ Answer received — your evaluation will appear here privately in a moment (or by "
            f"direct message if it takes longer). The ideal answer is revealed {when(post.closes_at, 'R')}."
        ),
        ephemeral=True,
    )


def standing(mine: MyQotd | None, result: Leaderboard) -> Reply:
    """`/interview leaderboard`: the board, and the caller's own streak."""
    reply = board(result)
    if mine is None:
        return reply
    note = f"Your streak: 🔥 {mine.streak} · {mine.answered} answered this week"
    note += (
        "" if mine.joined else " · you are not on the leaderboard (`/interview leaderboard join`)"
    )
    return Reply(content=note, embeds=reply.embeds, ephemeral=True)


# ------------------------------------------------------------------ special routes


@sends(QotdEvaluationNotice)
def _as_follow_up(
    notifier: DiscordNotifier, notice: QotdEvaluationNotice, reply: Reply
) -> str | None:
    """Within the interaction's 15 minutes, an ephemeral follow-up where the person answered;
    later (None), the notifier falls back to a direct message."""
    if not notice.reply_handle:
        return None
    application_id, _, token = notice.reply_handle.partition(":")
    sent = notifier.rest.call(
        "POST", f"/webhooks/{application_id}/{token}", json=reply.payload(), what="send a follow-up"
    )
    return str(sent["id"]) if sent else ""


@sends(QotdRevealNotice)
def _in_thread(notifier: DiscordNotifier, notice: QotdRevealNotice, reply: Reply) -> str | None:
    """In the question's thread: started on the card (a thread started on a message has the
    message's id), or the one already there."""
    if not notice.thread or not notice.channel:
        return None
    path = f"/channels/{notice.channel}/messages/{notice.thread}/threads"
    name = clip(f"Answer · {notice.summary.post.title}", 100)
    body = {"name": name, "auto_archive_duration": 1440}
    # Refused: most likely it is there already; post in it below (a refusal there falls back).
    with suppress(RestRefused):
        notifier.rest.call("POST", path, json=body, auth=True, what="start the question's thread")
    payload = reply.payload()
    payload.pop("flags", None)
    sent = notifier.rest.call(
        "POST",
        f"/channels/{notice.thread}/messages",
        json=payload,
        auth=True,
        what="post the reveal",
    )
    return str(sent["id"]) if sent else ""
