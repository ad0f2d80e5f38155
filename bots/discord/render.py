"""The core's results as Discord API JSON (embeds, buttons, the answer modal), rendered once.

Both transports send exactly these payloads: the HTTP endpoint as they are, the gateway bot
through discord.Embed.from_dict and a view built from the same component dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any

from bots.discord.ids import Action, custom_id
from bots.discord.model import ANSWER_INPUT_ID, Reply
from core.domain.banks import BankInfo
from core.domain.errors import InterviewError
from core.domain.model import PointVerdict
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
from core.domain.roles import Role

QUESTION_COLOUR = 0x5865F2  # Discord's blurple: a question, not yet a score
NEUTRAL_COLOUR = 0x99AAB5
MODAL_MAX_CHARS = 4000  # Discord's own ceiling for a paragraph input

# Discord's limits (characters) for the parts of an embed and a button, and an embed in all.
TITLE, DESCRIPTION, FIELD, FOOTER, LABEL = 256, 4096, 1024, 2048, 80
EMBED_TOTAL = 6000

Json = dict[str, Any]


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit(embed: Json) -> Json:
    """Trim the longest text (the description or a field) until the embed is within Discord's
    6,000-character total; each part on its own already respects its own limit."""
    while (excess := _embed_size(embed) - EMBED_TOTAL) > 0:
        texts = [(embed, "description")] if embed.get("description") else []
        texts += [(field, "value") for field in embed.get("fields", [])]
        holder, key = max(texts, key=lambda text: len(text[0][text[1]]))
        before = holder[key]
        holder[key] = clip(before, max(1, len(before) - excess))
        if holder[key] == before:  # nothing left to trim
            break
    return embed


def _embed_size(embed: Json) -> int:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [embed.get("author", {}).get("name", ""), embed.get("footer", {}).get("text", "")]
    parts += [text for field in embed.get("fields", []) for text in (field["name"], field["value"])]
    return sum(len(part) for part in parts)


def line_fields(name: str, lines: Sequence[str]) -> list[Json]:
    """Lines as fields of at most 1,024 characters each, never cutting a line in two."""
    chunks: list[str] = []
    for line in (clip(line, FIELD) for line in lines):
        if chunks and len(chunks[-1]) + 1 + len(line) <= FIELD:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return [
        {"name": name if n == 0 else f"{name} (continued)", "value": chunk}
        for n, chunk in enumerate(chunks)
    ]


def when(moment: datetime, style: str = "f") -> str:
    """A Discord timestamp: every reader sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def button(label: str, *, style: int, cid: str | None = None, url: str | None = None) -> Json:
    data: Json = {"type": 2, "style": style, "label": clip(label, LABEL)}
    if url is not None:
        data["url"] = url
    else:
        data["custom_id"] = cid
    return data


def row(*buttons: Json) -> Json:
    return {"type": 1, "components": list(buttons)}


PRIMARY, SECONDARY, SUCCESS, DANGER, LINK = 1, 2, 3, 4, 5


def _ids(asked: QuestionAsked | AnswerOutcome, owner: str) -> dict[Action, str]:
    session_id, position = asked.session.id, asked.question.position
    return {a: custom_id(a, session_id, position, owner) for a in Action}


def question(
    asked: QuestionAsked, *, owner: str, reads_replies: bool, greeting: str | None = None
) -> Reply:
    """A question with Answer / Hint / Skip / End; the first one greets (and pings) the candidate."""
    session = asked.session
    how = "Reply here or press Answer." if reads_replies else "Press Answer to reply."
    own = asked.question.question  # its own role and level (adaptive and review sessions move)
    kind = "Review · " if session.plan else ""
    embed: Json = {
        "author": {"name": f"{kind}{own.role.label} · {own.difficulty.label}"},
        "title": clip(asked.label, TITLE),
        "description": clip(asked.question.question.text, DESCRIPTION),
        "color": QUESTION_COLOUR,
        "footer": {"text": f"{how} Only the candidate's answers count."},
    }
    ids = _ids(asked, owner)
    buttons = row(
        button("Answer", style=PRIMARY, cid=ids[Action.ANSWER]),
        button("Hint", style=SECONDARY, cid=ids[Action.HINT]),
        button("Skip", style=SECONDARY, cid=ids[Action.SKIP]),
        button("End", style=DANGER, cid=ids[Action.END]),
    )
    content = f"<@{owner}> {greeting}" if greeting else None
    return Reply(content=content, embeds=(embed,), components=(buttons,), ping=owner)


def answer_modal(cid: str, *, max_chars: int) -> Json:
    """The modal behind Answer: one paragraph input (works without privileged intents)."""
    limit = min(MODAL_MAX_CHARS, max_chars)
    text_input = {
        "type": 4,
        "custom_id": ANSWER_INPUT_ID,
        "style": 2,
        "label": f"Your answer (up to {limit:,} characters)",
        "min_length": 1,
        "max_length": limit,
        "required": True,
        "placeholder": "Explain it as you would to an interviewer.",
    }
    return {"custom_id": cid, "title": "Answer the question", "components": [row(text_input)]}


def next_step_label(outcome: AnswerOutcome) -> str:
    """What the evaluation's first button says: the next question, or Finish after the last."""
    return "Next question" if outcome.has_next else "Finish"


def evaluation(outcome: AnswerOutcome, *, owner: str, answer_excerpt: bool) -> Reply:
    """Score (colour by band), feedback, each key point with the words that earned it, ideal
    answer, tags, who graded it; Next / Go deeper / End."""
    result = outcome.evaluation
    assert result is not None, "only evaluated outcomes are rendered as an evaluation"
    band = score_band(result.score)
    criteria = "\n".join(
        f"`{score_bar(value, width=5)}` {criterion_label(name)} {format_score(value)}"
        for name, value in result.criteria.items()
    )
    fields: list[Json] = []
    if answer_excerpt:  # a modal answer is not visible in the thread otherwise
        fields.append({"name": "Your answer", "value": clip(outcome.attempt.answer, FIELD)})
    if criteria:
        fields.append({"name": "Criteria", "value": clip(criteria, FIELD)})
    fields += key_point_fields(result.points)
    if result.tags:
        tags = ", ".join(tag_label(t) for t in result.tags)
        fields.append({"name": "Work on", "value": clip(tags, FIELD)})
    fields.append({"name": "Ideal answer", "value": clip(result.ideal_answer, FIELD)})
    embed: Json = {
        "author": {"name": f"Evaluation · {outcome.label}"},
        "title": f"{band.emoji} {format_score(result.score)} · {band.label}",
        "description": f"`{score_bar(result.score)}`\n\n{clip(result.feedback, 2000)}",
        "color": band.colour,
        "fields": fields,
    }
    if result.graded_by:
        embed["footer"] = {"text": clip(f"Graded by: {result.graded_by}", FOOTER)}
    fit(embed)
    ids = _ids(outcome, owner)
    buttons = [button(next_step_label(outcome), style=PRIMARY, cid=ids[Action.NEXT])]
    if outcome.can_go_deeper:
        buttons.append(button("Go deeper", style=SECONDARY, cid=ids[Action.DEEPER]))
    buttons.append(button("End", style=DANGER, cid=ids[Action.END]))
    return Reply(embeds=(embed,), components=(row(*buttons),))


POINT_LIMIT = 300  # characters of a key point or of a quote: a long one must not crowd the rest
KEY_POINT_FIELDS = 3  # at most; the rest is counted, so the embed keeps room for the others


def key_point_fields(points: Sequence[PointVerdict]) -> list[Json]:
    """ "✅ <point> — You said: “…”" per key point (partial, missing, contradicted marked), in
    fields of at most 1,024 characters; points beyond three fields are counted, not shown."""
    lines = [_key_point(verdict) for verdict in points]
    fields = line_fields("Key points", lines)
    if len(fields) <= KEY_POINT_FIELDS:
        return fields
    kept = fields[:KEY_POINT_FIELDS]
    shown = sum(field["value"].count("\n") + 1 for field in kept)
    last = kept[-1]["value"].split("\n")
    while True:  # lines make way for the note until it fits
        last.pop()
        shown -= 1
        value = "\n".join([*last, f"… and {len(lines) - shown} more"])
        if len(value) <= FIELD:
            kept[-1]["value"] = value
            return kept


def _key_point(verdict: PointVerdict) -> str:
    # One line each: a newline inside a point or a quote would break the list apart.
    line = f"{VERDICT_MARKS[verdict.verdict]} {clip(' '.join(verdict.point.split()), POINT_LIMIT)}"
    if verdict.quote:
        line += f" — You said: “{clip(' '.join(verdict.quote.split()), POINT_LIMIT)}”"
    return line


def retry_button(session_id: int, position: int, owner: str) -> Json:
    """Evaluate a saved answer again (its evaluation failed, or could not start)."""
    return button("Retry", style=PRIMARY, cid=custom_id(Action.RETRY, session_id, position, owner))


def evaluation_failed(outcome: AnswerOutcome, *, owner: str) -> Reply:
    """The answer is saved but not evaluated: say so and offer Retry."""
    embed: Json = {
        "author": {"name": f"Evaluation · {outcome.label}"},
        "title": "Your answer is saved",
        "description": clip(outcome.message or "The evaluation did not finish.", DESCRIPTION),
        "color": NEUTRAL_COLOUR,
    }
    ids = _ids(outcome, owner)
    buttons = row(
        button("Retry", style=PRIMARY, cid=ids[Action.RETRY]),
        button("End", style=DANGER, cid=ids[Action.END]),
    )
    return Reply(embeds=(embed,), components=(buttons,))


def hint(given: HintGiven) -> Reply:
    embed = {
        "author": {"name": f"Hint for {given.label.lower()}"},
        "title": f"💡 Hint {given.hints_used}",
        "description": clip(given.hint, DESCRIPTION),
        "color": QUESTION_COLOUR,
    }
    return Reply(embeds=(embed,))


def summary(result: SessionSummary, *, web_base_url: str) -> Reply:
    """The end of an interview, with a link to it on the web dashboard."""
    session = result.session
    url = session_url(web_base_url, session.id)
    colour = (
        NEUTRAL_COLOUR if result.average_score is None else score_band(result.average_score).colour
    )
    lines = []
    for entry in result.transcript:
        attempt = entry.attempt
        if attempt and attempt.evaluation:
            score = format_score(attempt.evaluation.score)
        else:
            score = attempt.status.value if attempt else "not answered"
        marker = "↳" if entry.question.follow_up_of else f"{entry.question.main_index}."
        lines.append(f"{marker} {clip(entry.question.question.text, 70)} — **{score}**")
    fields = line_fields("Questions", lines)
    if result.strongest:
        fields.append({"name": "Strongest", "value": clip(", ".join(result.strongest), FIELD)})
    if result.weakest:
        weakest = ", ".join(tag_label(t) for t in result.weakest)
        fields.append({"name": "Work on", "value": clip(weakest, FIELD)})
    if result.practice_next:
        practice = "\n".join(f"• {advice}" for advice in result.practice_next)
        fields.append({"name": "Practise next", "value": clip(practice, FIELD)})
    if result.adaptive_path:
        path = difficulty_path_text(result.adaptive_path)
        fields.append({"name": "Levels", "value": clip(path, FIELD)})
    embed: Json = {
        "author": {"name": f"{session.role.label} · {session.difficulty.label}"},
        "title": "Interview summary",
        "url": url,
        "description": f"Average score **{format_score(result.average_score)}** · {summary_counts(result)}",
        "color": colour,
        "fields": fields,
    }
    fit(embed)
    link = row(button("Open in the web dashboard", style=LINK, url=url))
    return Reply(embeds=(embed,), components=(link,))


def role_choices(
    typed: str, roles: Iterable[Role], bank: BankInfo | None = None
) -> tuple[dict[str, str], ...]:
    """Autocomplete: roles whose name, value or alias matches what was typed so far. With a
    chosen `bank`, only its roles, each named with the levels it has ("Backend — easy, medium")."""
    offered = [r for r in roles if bank is None or r in bank.roles]
    key = "".join(ch for ch in typed.lower() if ch.isalnum())
    matches: list[Role] = []
    for role in offered:
        names = (role.value, role.label)
        if not key or any(key in "".join(c for c in n.lower() if c.isalnum()) for n in names):
            matches.append(role)
    if key and not matches:
        with suppress(InterviewError):
            matches += [r for r in (Role.parse(typed),) if r in offered]  # "sre", "ml"
    return tuple({"name": _role_choice_name(r, bank), "value": r.value} for r in matches[:25])


def _role_choice_name(role: Role, bank: BankInfo | None) -> str:
    if bank is None:
        return role.label
    return f"{role.label} — {', '.join(d.value for d in bank.levels_of(role))}"
