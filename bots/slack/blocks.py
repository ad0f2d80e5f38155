"""Block Kit rendering of the core's results: question cards, evaluations, hints and summaries.

Every function returns `(text, blocks)`: `text` is the notification and screen-reader fallback
Slack asks for alongside blocks. Text that comes from people or the model is escaped, so an
answer quoting `<!channel>` can never ping a channel through the bot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bots.slack.ids import DEEPER, END, HINT, NEXT, OPEN_DASHBOARD, RETRY, SKIP, QuestionRef
from core.domain.interview import question_label
from core.domain.model import AskedQuestion, PointVerdict, Session, SessionStatus
from core.domain.presentation import (
    VERDICT_MARKS,
    criterion_label,
    difficulty_path_text,
    format_score,
    score_band,
    score_bar,
    session_url,
    summary_counts,
    tag_label,
)
from core.domain.results import AnswerOutcome, HintGiven, QuestionAsked, SessionSummary

Block = dict[str, Any]
Rendered = tuple[str, list[Block]]

SECTION_LIMIT = 3000  # Slack refuses a section whose text is longer
HEADER_LIMIT = 150
HOW_TO_ANSWER = "how_to_answer"  # block_id of a question card's "Reply in this thread" line


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def context(*parts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(p)} for p in parts]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT)}}


def button(
    label: str, action_id: str, value: str = "", *, style: str | None = None, url: str | None = None
) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def slack_date(moment: datetime, fallback_format: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A date Slack shows in each reader's own time zone (the fallback keeps the core's zone)."""
    fallback = moment.strftime(fallback_format).strip()
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


# ------------------------------------------------------------------ interview cards


def question_card(asked: QuestionAsked, *, remaining_today: int | None = None) -> Rendered:
    """The question, who it is for, how to answer, and Hint / Skip / End."""
    return _question(asked.session, asked.question, asked.label, remaining_today=remaining_today)


def _question(
    session: Session,
    question: AskedQuestion,
    label: str,
    *,
    remaining_today: int | None = None,
    closed: str | None = None,
) -> Rendered:
    """A question card; `closed` replaces the how-to-answer line and the buttons once the
    interview is over."""
    owner = session.conversation.user
    ref = QuestionRef(session.id, question.position).encode()
    asked = question.question  # its own role and level (adaptive and review sessions move)
    title = f"{asked.role.label} · {asked.difficulty.label}"
    notes = [f"{label} · for <@{owner}>"]
    if remaining_today is not None:
        notes.append(f"{remaining_today} session{'s' * (remaining_today != 1)} left today")
    blocks = [
        header(f"🎙️ {session.kind.label} — {title}"),
        context(" · ".join(notes)),
        section(f"*{escape(question.question.text)}*"),
    ]
    if closed is not None:
        blocks.append(context(closed))
    else:
        how_to = context(f"Reply in this thread to answer. Only <@{owner}>'s first reply counts.")
        blocks += [
            how_to | {"block_id": HOW_TO_ANSWER},
            actions(
                button("💡 Hint", HINT, ref),
                button("⏭️ Skip", SKIP, ref),
                button("⏹️ End interview", END, ref, style="danger"),
            ),
        ]
    return f"{label}: {escape(question.question.text)}", blocks


def evaluating_card() -> Rendered:
    return "Evaluating your answer…", [section("⏳ *Evaluating your answer…*")]


def next_step_label(outcome: AnswerOutcome) -> str:
    """What the evaluation's first button says: the next question, or the summary after the last."""
    return "Next question" if outcome.has_next else "See summary"


def evaluation_card(outcome: AnswerOutcome) -> Rendered:
    """Score with a bar and band, per-criterion scores, feedback, each key point with the words
    that earned it, ideal answer, tags, who graded it, buttons."""
    evaluation = outcome.evaluation
    if evaluation is None:
        return failure_card(outcome)
    band = score_band(evaluation.score)
    criteria = " · ".join(
        f"{criterion_label(name)} {format_score(value)}"
        for name, value in evaluation.criteria.items()
    )
    ref = QuestionRef(outcome.session.id, outcome.question.position).encode()
    first = "➡️ " if outcome.has_next else "🏁 "
    buttons = [button(first + next_step_label(outcome), NEXT, ref, style="primary")]
    if outcome.can_go_deeper:
        buttons.append(button("🔎 Go deeper", DEEPER, ref))
    buttons.append(button("⏹️ End interview", END, ref, style="danger"))
    blocks = [
        section(
            f"{band.emoji} *{format_score(evaluation.score)} — {band.label}*\n"
            f"`{score_bar(evaluation.score)}`"
        ),
        context(f"{outcome.label}" + (f" · {criteria}" if criteria else "")),
        section(f"*Feedback*\n{escape(evaluation.feedback)}"),
    ]
    if evaluation.points:
        blocks.append(section(_within("*Key points*", [_point(p) for p in evaluation.points])))
    blocks.append(section(f"*Ideal answer*\n{escape(evaluation.ideal_answer)}"))
    if evaluation.tags:
        blocks.append(context("*Work on:* " + " · ".join(_tags(evaluation.tags))))
    if evaluation.graded_by:
        blocks.append(context(f"Graded by: {escape(evaluation.graded_by)}"))
    blocks.append(actions(*buttons))
    text = f"{outcome.label}: {format_score(evaluation.score)} — {band.label}"
    return text, blocks


POINT_LIMIT = 300  # characters of a key point or of a quote: a long one must not crowd the rest


def _point(verdict: PointVerdict) -> str:
    """ "✅ <point> — You said: “…”", or the point marked partial / missing / contradicted."""
    line = f"{VERDICT_MARKS[verdict.verdict]} {_one_line(verdict.point)}"
    if verdict.quote:
        line += f" — You said: “{_one_line(verdict.quote)}”"
    return line


def _one_line(text: str) -> str:
    # A newline inside a point or a quote would break the list apart.
    return escape(clip(" ".join(text.split()), POINT_LIMIT))


def _within(title: str, lines: list[str], limit: int = SECTION_LIMIT) -> str:
    """A titled list that fits one section: whole lines, then how many were left out."""
    text = title
    for n, line in enumerate(lines):
        after = len(lines) - n - 1  # room is kept for "… and N more" should the next not fit
        reserve = len(f"\n… and {after} more") if after else 0
        if len(text) + 1 + len(line) + reserve > limit:
            return f"{text}\n… and {len(lines) - n} more"
        text += "\n" + line
    return text


def failure_card(outcome: AnswerOutcome) -> Rendered:
    """The answer is saved but not scored: say so plainly and offer Retry."""
    ref = QuestionRef(outcome.session.id, outcome.question.position)
    message = outcome.message or "The evaluation did not finish. Your answer is saved."
    return retry_card(ref, message)


def retry_card(ref: QuestionRef, message: str) -> Rendered:
    value = ref.encode()
    blocks = [
        section(f"⚠️ {escape(message)}"),
        actions(
            button("🔁 Retry", RETRY, value, style="primary"),
            button("⏹️ End interview", END, value, style="danger"),
        ),
    ]
    return escape(message), blocks


def hint_card(hint: HintGiven) -> Rendered:
    return f"Hint: {escape(hint.hint)}", [
        section(f"💡 *Hint {hint.hints_used}:* {escape(hint.hint)}")
    ]


def summary_card(summary: SessionSummary, *, web_base_url: str) -> Rendered:
    """After the last question (or End): average, criteria, strengths, what to practise, link."""
    session = summary.session
    title = _summary_title(summary)
    average = summary.average_score
    score_line = "No answers were scored."
    if average is not None:
        band = score_band(average)
        score_line = (
            f"{band.emoji} *Average {format_score(average)} — {band.label}*\n`{score_bar(average)}`"
        )
    counts = summary_counts(summary)
    blocks = [
        header(f"🏁 {title} — {session.role.label} · {session.difficulty.label}"),
        section(score_line),
        context(f"<@{session.conversation.user}> · {counts}"),
    ]
    if summary.adaptive_path:
        blocks.append(context(f"*Levels:* {difficulty_path_text(summary.adaptive_path)}"))
    if summary.criteria:
        blocks.append(
            context(
                " · ".join(
                    f"{criterion_label(k)} {format_score(v)}" for k, v in summary.criteria.items()
                )
            )
        )
    blocks.extend(_bullets("*Strongest topics*", (escape(t) for t in summary.strongest)))
    blocks.extend(_bullets("*Work on*", _tags(summary.weakest)))
    blocks.extend(_bullets("*Practise next*", (escape(p) for p in summary.practice_next)))
    url = session_url(web_base_url, session.id)
    blocks.append(
        actions(button("📊 View on the web dashboard", OPEN_DASHBOARD, url=url, style="primary"))
    )
    text = f"{title}: {format_score(average)} average, {counts}"
    return text, blocks


def finished_card(summary: SessionSummary, first: AskedQuestion) -> Rendered:
    """The thread's first message once the interview is over: its question, without buttons,
    and how the interview went — what the channel sees without opening the thread."""
    outcome = f"average {format_score(summary.average_score)}"
    counts = summary_counts(summary)
    status = f"🏁 {_summary_title(summary)} · {outcome} · {counts} — the summary is in the thread."
    label = question_label(first, summary.session.question_count)
    return _question(summary.session, first, label, closed=status)


def _summary_title(summary: SessionSummary) -> str:
    completed = summary.session.status is SessionStatus.COMPLETED
    return "Interview complete" if completed else "Interview ended"


def _tags(slugs: Iterable[str]) -> list[str]:
    # Tags come from the model too: an unknown slug is shown as text, so escape it.
    return [escape(tag_label(slug)) for slug in slugs]


def _bullets(title: str, items: Iterable[str]) -> list[Block]:
    lines = [f"• {item}" for item in items]
    return [section(title + "\n" + "\n".join(lines))] if lines else []


def closed_card(blocks: list[Block], note: str) -> list[Block]:
    """The same card without its buttons or how to answer, plus a note of what happened."""
    kept = [b for b in blocks if b.get("type") != "actions" and b.get("block_id") != HOW_TO_ANSWER]
    return [*kept, context(note)]
