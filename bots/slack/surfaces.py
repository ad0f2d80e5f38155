"""Block Kit for everything around an interview: help, history, quota, link code, modal, App Home."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bots.slack.blocks import (
    Block,
    Rendered,
    actions,
    button,
    context,
    escape,
    header,
    section,
    slack_date,
)
from bots.slack.ids import (
    COUNT_BLOCK,
    COUNT_INPUT,
    DIFFICULTY_BLOCK,
    DIFFICULTY_INPUT,
    HOME_START,
    OPEN_DASHBOARD,
    REVIEW_START,
    ROLE_BLOCK,
    ROLE_INPUT,
    START_MODAL,
)
from core.domain.banks import BankInfo
from core.domain.history import Analytics, Page, SessionListItem
from core.domain.presentation import format_score, score_bar, session_url, tag_label
from core.domain.results import QuotaStatus
from core.domain.roles import Difficulty, Role

HISTORY_SIZE = 5
HOME_TAGS = 6

HELP_TEXT = (
    "*Mock interviews in Slack*\n"
    "• `/interview backend medium` starts an interview; add a number for its length, "
    "e.g. `/interview frontend hard 3`.\n"
    "• `/interview` opens a form to pick the role, difficulty and number of questions.\n"
    "• Answer by replying in the question's thread. Only the candidate's first reply counts; "
    "the buttons give a hint, skip, a follow-up, the next question or the end.\n"
    "• `/interview history` your recent sessions · `/interview quota` sessions left today\n"
    "• `/interview link` a one-time code to see your history on the web dashboard\n"
    "• Add `adaptive` (e.g. `/interview backend medium adaptive`): the level follows your answers.\n"
    "• `/interview review` asks what is due for review: questions you answered weakly, and "
    "fresh ones on your weak topics. `/interview remind daily 09:00 Europe/Paris` sends a DM "
    "when reviews are due (`/interview remind off` stops it).\n"
    "• `/interview end` ends your current interview and shows its summary.\n"
    "• `/interview bank` shows the question bank in use; an admin picks the workspace's bank "
    "with `/interview bank use NAME`.\n"
    "Roles: " + ", ".join(f"`{r.value}`" for r in Role) + ". "
    "Difficulties: " + ", ".join(f"`{d.value}`" for d in Difficulty) + "."
)


def help_card() -> Rendered:
    return "How to use /interview", [section(HELP_TEXT)]


def quota_text(quota: QuotaStatus) -> str:
    left = quota.remaining
    sessions = "session" if left == 1 else "sessions"
    return (
        f"You have *{left} of {quota.limit}* interview {sessions} left today. "
        f"Your quota resets {slack_date(quota.resets_at)}."
    )


def link_text(code: str, expires_at: datetime, web_base_url: str) -> str:
    return (
        f"Your one-time link code is *{code}* (valid until {slack_date(expires_at)}, single use).\n"
        f"Enter it at {web_base_url.rstrip('/')}/link to see your Slack interviews on the web "
        "dashboard. Only you can see this message."
    )


def history_card(page: Page[SessionListItem], *, web_base_url: str) -> Rendered:
    if not page.items:
        return "No interviews yet.", [
            section("You have no interviews yet. Start one with `/interview backend medium`.")
        ]
    blocks: list[Block] = [section(f"*Your recent interviews* ({page.total} in total)")]
    blocks += [section(_session_line(item, web_base_url)) for item in page.items]
    blocks.append(
        context(f"Everything, with charts: <{web_base_url.rstrip('/')}|the web dashboard>")
    )
    return f"Your recent interviews ({page.total} in total)", blocks


def _session_line(item: SessionListItem, web_base_url: str) -> str:
    session = item.session
    url = session_url(web_base_url, session.id)
    score = format_score(item.average_score)
    # `answered` counts follow-up answers too, so it is no fraction of the question count.
    questions = f"{session.question_count} question{'s' * (session.question_count != 1)}"
    return (
        f"<{url}|*{session.role.label} · {session.difficulty.label}*> — "
        f"{slack_date(session.created_at)} · {questions} · {item.answered} scored"
        f" · average {score} · {session.status.label}"
    )


# ------------------------------------------------------------------ the start modal


def start_modal(
    *,
    max_questions: int,
    default_questions: int,
    channel: str | None,
    external_id: str | None = None,
    bank: BankInfo | None = None,
) -> dict:
    """Role, difficulty and length; `channel` (where /interview was typed) rides along.

    With `bank` (the workspace's chosen bank), only its roles and levels are offered, and a line
    says what it has; `external_id` lets the lazy listener that reads the bank update the form."""
    roles = bank.roles if bank else tuple(Role)
    levels = bank.difficulties if bank else tuple(Difficulty)
    role_options = [_option(r.label, r.value) for r in roles]
    difficulty_options = [_option(d.label, d.value) for d in levels]
    level = Difficulty.DEFAULT if Difficulty.DEFAULT in levels else levels[0]
    count_options = [_option(str(n), str(n)) for n in range(1, max_questions + 1)]
    blocks = [
        _select(ROLE_BLOCK, ROLE_INPUT, "Role", role_options, role_options[0]),
        _select(
            DIFFICULTY_BLOCK,
            DIFFICULTY_INPUT,
            "Difficulty",
            difficulty_options,
            _option(level.label, level.value),
        ),
        _select(
            COUNT_BLOCK,
            COUNT_INPUT,
            "Number of questions",
            count_options,
            count_options[min(default_questions, max_questions) - 1],
        ),
    ]
    if bank is not None:
        offers = f"Questions from the bank *{escape(bank.name)}* (version {bank.version})"
        blocks.append(context(f"{offers}: {escape(bank.offers())}."))
    modal = {
        "type": "modal",
        "callback_id": START_MODAL,
        "private_metadata": json.dumps({"channel": channel}),
        "title": {"type": "plain_text", "text": "Mock interview"},
        "submit": {"type": "plain_text", "text": "Start"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
    return modal | ({"external_id": external_id} if external_id else {})


@dataclass(frozen=True, slots=True)
class ModalChoice:
    role: str
    difficulty: str
    questions: int
    channel: str | None  # None when opened from App Home: the interview runs in a DM


def read_modal(view: dict) -> ModalChoice:
    values = view["state"]["values"]

    def chosen(block: str, action: str) -> str:
        return str(values[block][action]["selected_option"]["value"])

    meta = json.loads(view.get("private_metadata") or "{}")
    return ModalChoice(
        role=chosen(ROLE_BLOCK, ROLE_INPUT),
        difficulty=chosen(DIFFICULTY_BLOCK, DIFFICULTY_INPUT),
        questions=int(chosen(COUNT_BLOCK, COUNT_INPUT)),
        channel=meta.get("channel"),
    )


def _option(label: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def _select(block_id: str, action_id: str, label: str, options: list, initial: Block) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {
            "type": "static_select",
            "action_id": action_id,
            "options": options,
            "initial_option": initial,
        },
    }


# ------------------------------------------------------------------ App Home


def home_view(
    *,
    quota: QuotaStatus,
    recent: Page[SessionListItem],
    figures: Analytics | None,
    web_base_url: str,
    due_line: str = "",
    due_today: int = 0,
) -> dict:
    buttons = [button("▶️ Start an interview", HOME_START, style="primary")]
    if due_today:
        buttons.append(button(f"🔁 Review {due_today} due", REVIEW_START))
    blocks: list[Block] = [
        header("🎙️ Mock interviews"),
        section(quota_text(quota)),
        *([section(due_line)] if due_line else []),
        actions(*buttons, button("📊 Web dashboard", OPEN_DASHBOARD, url=web_base_url)),
        {"type": "divider"},
        section("*Recent sessions*"),
    ]
    if recent.items:
        blocks += [section(_session_line(item, web_base_url)) for item in recent.items]
    else:
        blocks.append(
            context("No interviews yet — press Start, or type `/interview backend medium`.")
        )
    tags = [b for b in (figures.by_tag if figures else []) if b.average_score is not None]
    if tags:
        lines = [
            f"`{score_bar(b.average_score or 0, width=8)}` {format_score(b.average_score)} "
            f"{escape(tag_label(b.key))} ({b.count}×)"
            for b in tags[:HOME_TAGS]
        ]
        blocks += [{"type": "divider"}, section("*Average score by tag* (last 90 days)")]
        blocks.append(section("\n".join(lines)))
    return {"type": "home", "blocks": blocks}


def home_unavailable_view(message: str) -> dict:
    return {
        "type": "home",
        "blocks": [
            header("🎙️ Mock interviews"),
            section(f"⚠️ {escape(message)}"),
            actions(button("▶️ Start an interview", HOME_START, style="primary")),
        ],
    }
