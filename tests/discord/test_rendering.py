"""Custom ids and rendering: Discord's limits, shared score bands, safe mentions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bots.discord import errors, ids, notices, render
from bots.discord.ids import Action
from bots.discord.model import Ack, AckKind, Reply, modal_text
from core.domain.errors import NoActiveSession, QuotaExceeded
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    ConversationRef,
    Evaluation,
    PointVerdict,
    Question,
    QuestionKind,
    Session,
    SessionStatus,
    Verdict,
)
from core.domain.presentation import score_band
from core.domain.results import AnswerOutcome, AnswerStatus, QuestionAsked
from core.domain.roles import Difficulty, Role

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OWNER = "200000000000000001"


def test_custom_ids_round_trip_and_refuse_strangers() -> None:
    value = ids.custom_id(Action.NEXT, 123456789012, 14, OWNER)
    assert value == f"ib:next:123456789012:14:{OWNER}" and len(value) <= 100
    assert ids.parse(value) == ids.CustomId(Action.NEXT, 123456789012, 14, OWNER)
    for stranger in ("", "ib:next:1:2", "ib:launch:1:2:3", "other:next:1:2:3", value + "x"):
        assert ids.parse(stranger) is None


def outcome(score: float, *, long: bool = False, has_next: bool = True) -> AnswerOutcome:
    text = "x" * 5000 if long else "An answer."
    question = Question(Role.BACKEND, Difficulty.HARD, "Q?" * (3000 if long else 1), text, ("a",))
    session = Session(
        7, 1, ConversationRef("discord", "g", "c", OWNER), Role.BACKEND, Difficulty.HARD, 3,
        SessionStatus.ACTIVE, NOW,
    )  # fmt: skip
    asked = AskedQuestion(7, 2, QuestionKind.MAIN, 2, question, NOW)
    evaluation = Evaluation(
        score, text, text, ("depth", "trade-offs"), {"correctness": score, "depth": 4.0}
    )
    attempt = Attempt(1, 7, 2, "d", text, AttemptStatus.EVALUATED, NOW, evaluation)
    return AnswerOutcome(
        AnswerStatus.EVALUATED, session, asked, attempt, has_next=has_next, can_go_deeper=True
    )


@pytest.mark.parametrize("score", [9.0, 6.5, 4.0, 1.0])
def test_evaluation_colour_and_title_follow_the_shared_bands(score: float) -> None:
    embed = render.evaluation(outcome(score), owner=OWNER, answer_excerpt=False).embeds[0]  # type: ignore[index]
    band = score_band(score)
    assert embed["color"] == band.colour
    assert embed["title"] == f"{band.emoji} {score:.1f}/10 · {band.label}"
    assert embed["author"]["name"] == "Evaluation · Question 2 of 3"


def embed_size(embed: dict) -> int:
    """Discord's count for the 6,000-character limit: every text an embed shows."""
    texts = [embed.get("title", ""), embed.get("description", "")]
    texts += [embed.get("author", {}).get("name", ""), embed.get("footer", {}).get("text", "")]
    texts += [text for f in embed.get("fields", []) for text in (f["name"], f["value"])]
    return sum(map(len, texts))


def assert_within_limits(embed: dict) -> None:
    assert len(embed.get("title", "")) <= 256 and len(embed.get("description", "")) <= 4096
    assert len(embed.get("fields", [])) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
    assert embed_size(embed) <= 6000


def test_evaluations_stay_within_discords_limits() -> None:
    long = outcome(5.0, long=True)
    reply = render.evaluation(long, owner=OWNER, answer_excerpt=True)
    (embed,) = reply.embeds  # type: ignore[misc]
    assert_within_limits(embed)
    # Every part at its own maximum at once (many criteria, many tags): the total still fits.
    evaluation = replace(
        long.attempt.evaluation,  # type: ignore[arg-type]
        tags=tuple(f"tag-{n}-" + "y" * 40 for n in range(40)),
        criteria={f"criterion {n} " + "z" * 40: 5.0 for n in range(30)},
    )
    crowded = replace(long, attempt=replace(long.attempt, evaluation=evaluation))
    embed = render.evaluation(crowded, owner=OWNER, answer_excerpt=True).embeds[0]  # type: ignore[index]
    assert embed_size(embed) > 5900 and [f["name"] for f in embed["fields"]] == [
        "Your answer",
        "Criteria",
        "Work on",
        "Ideal answer",
    ]
    assert_within_limits(embed)
    labels = [b["label"] for b in reply.components[0]["components"]]  # type: ignore[index]
    assert labels == ["Next question", "Go deeper", "End"]
    last = render.evaluation(outcome(5.0, has_next=False), owner=OWNER, answer_excerpt=False)
    assert last.components[0]["components"][0]["label"] == "Finish"  # type: ignore[index]
    asked = QuestionAsked(outcome(1).session, outcome(1, long=True).question)
    question = render.question(asked, owner=OWNER, reads_replies=True).embeds[0]  # type: ignore[index]
    assert len(question["description"]) <= 4096 and question["description"].endswith("…")


def with_points(points: tuple[PointVerdict, ...], graded_by: str) -> AnswerOutcome:
    base = outcome(6.0)
    assert base.attempt.evaluation is not None
    evaluation = replace(base.attempt.evaluation, points=points, graded_by=graded_by)
    return replace(base, attempt=replace(base.attempt, evaluation=evaluation))


def test_evaluations_say_who_graded_and_quote_the_answer_per_key_point() -> None:
    points = (
        PointVerdict("Uses an index", Verdict.COVERED, quote="add an index\non user_id"),
        PointVerdict("Explains trade-offs", Verdict.PARTIAL, quote="writes get slower"),
        PointVerdict("Caches hot reads", Verdict.MISSING),
        PointVerdict("Keeps data consistent", Verdict.CONTRADICTED, quote="skip transactions"),
    )
    reply = render.evaluation(
        with_points(points, "offline heuristic scorer"), owner=OWNER, answer_excerpt=False
    )
    (embed,) = reply.embeds  # type: ignore[misc]
    assert embed["footer"] == {"text": "Graded by: offline heuristic scorer"}
    [key_points] = [f["value"] for f in embed["fields"] if f["name"] == "Key points"]
    assert key_points.split("\n") == [
        "✅ Uses an index — You said: “add an index on user_id”",
        "🔶 Partly: Explains trade-offs — You said: “writes get slower”",
        "❌ Missing: Caches hot reads",
        "⛔ Contradicted: Keeps data consistent — You said: “skip transactions”",
    ]
    plain = render.evaluation(outcome(6.0), owner=OWNER, answer_excerpt=False).embeds[0]  # type: ignore[index]
    assert "footer" not in plain and "Key points" not in [f["name"] for f in plain["fields"]]


def test_many_long_key_points_stay_within_discords_limits() -> None:
    points = tuple(
        PointVerdict(f"Point {n} " + "p" * 500, Verdict.PARTIAL, quote="q" * 900) for n in range(40)
    )
    long = with_points(points, "Gemini 2.5 Flash " + "g" * 3000)
    long = replace(long, attempt=replace(long.attempt, answer="a" * 5000))
    embed = render.evaluation(long, owner=OWNER, answer_excerpt=True).embeds[0]  # type: ignore[index]
    assert_within_limits(embed)
    shown = [f for f in embed["fields"] if f["name"].startswith("Key points")]
    assert len(shown) == 3 and shown[1]["name"] == "Key points (continued)"
    lines = [line for f in shown for line in f["value"].split("\n")]
    assert lines[-1] == f"… and {40 - (len(lines) - 1)} more"
    assert all(line.startswith("🔶 Partly: Point ") for line in lines[:-1])
    assert embed["footer"]["text"].startswith("Graded by: Gemini 2.5 Flash")


def test_replies_never_ping_more_than_the_candidate() -> None:
    assert Reply(content="@everyone hi").payload()["allowed_mentions"] == {"parse": [], "users": []}
    pinged = Reply(content="hi", ping=OWNER, ephemeral=True).payload()
    assert pinged["allowed_mentions"] == {"parse": [], "users": [OWNER]} and pinged["flags"] == 64
    assert Reply(components=()).payload() == {
        "components": [],
        "allowed_mentions": {"parse": [], "users": []},
    }


def test_acknowledgement_payloads() -> None:
    assert Ack(AckKind.DEFER, ephemeral=True).payload() == {"type": 5, "data": {"flags": 64}}
    assert Ack(AckKind.DEFER_UPDATE).payload() == {"type": 6}
    assert Ack(AckKind.CHOICES, choices=({"name": "A", "value": "a"},)).payload() == {
        "type": 8,
        "data": {"choices": [{"name": "A", "value": "a"}]},
    }
    modal = render.answer_modal("ib:submit:1:1:2", max_chars=1500)
    assert (
        Ack(AckKind.MODAL, modal=modal).payload()["data"]["components"][0]["components"][0][
            "max_length"
        ]
        == 1500
    )


def test_errors_are_ephemeral_and_speak_discord() -> None:
    quota = errors.error(QuotaExceeded(3, NOW))
    stamp = int(NOW.timestamp())
    assert quota.ephemeral and quota.content == (
        f"⚠️ You have used all 3 interview sessions for today. Your quota resets <t:{stamp}:R> "
        f"(<t:{stamp}:t>)."
    )
    assert "/interview start" in (errors.error(NoActiveSession()).content or "")
    assert "<role>" not in (errors.error(NoActiveSession()).content or "")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("sre", ["devops-sre"]), ("front", ["frontend"]), ("design", ["system-design"])],
)
def test_role_autocomplete(typed: str, expected: list[str]) -> None:
    assert [c["value"] for c in render.role_choices(typed, Role)] == expected


def test_modal_text_reads_rows_and_labels() -> None:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "rows"}]}]
    labels = [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "label"}}]
    assert (modal_text(rows), modal_text(labels), modal_text([])) == ("rows", "label", "")


def test_summary_links_to_the_dashboard() -> None:
    from core.domain.results import SessionSummary, TranscriptEntry

    item = outcome(7.0)
    summary = SessionSummary(
        session=replace(item.session, status=SessionStatus.COMPLETED),
        average_score=7.0,
        answered=1,
        skipped=0,
        follow_ups=0,
        strongest=("indexes",),
        weakest=("depth",),
        practice_next=("Explain how it works underneath.",),
        transcript=(TranscriptEntry(item.question, item.attempt),),
    )
    reply = render.summary(summary, web_base_url="https://example.org/")
    assert reply.embeds[0]["url"] == "https://example.org/sessions/7"  # type: ignore[index]
    assert reply.embeds[0]["fields"][0] == {  # type: ignore[index]
        "name": "Questions",
        "value": "2. Q? — **7.0/10**",
    }
    assert reply.components[0]["components"][0] == {  # type: ignore[index]
        "type": 2,
        "style": 5,
        "label": "Open in the web dashboard",
        "url": "https://example.org/sessions/7",
    }


def test_a_long_summary_splits_its_questions_without_cutting_a_line() -> None:
    from core.domain.results import SessionSummary, TranscriptEntry

    item = outcome(6.0, long=True)
    entries = []
    for n in range(1, 31):  # the most questions a session allows, each with a long text
        asked = replace(item.question, position=n, main_index=n)
        entries.append(TranscriptEntry(asked, item.attempt))
    summary = SessionSummary(
        session=item.session,
        average_score=6.0,
        answered=30,
        skipped=0,
        follow_ups=0,
        strongest=("x" * 2000,),
        weakest=("y" * 2000,),
        practice_next=tuple("z" * 500 for _ in range(4)),
        transcript=tuple(entries),
    )
    embed = render.summary(summary, web_base_url="https://example.org").embeds[0]  # type: ignore[index]
    assert_within_limits(embed)
    names = [f["name"] for f in embed["fields"]]
    assert names[:3] == ["Questions", "Questions (continued)", "Questions (continued)"]
    lines = [line for f in embed["fields"] if f["name"].startswith("Questions")
             for line in f["value"].split("\n")]  # fmt: skip
    assert len(lines) == 30 and all(line.endswith("— **6.0/10**") for line in lines)


def test_a_second_answer_is_told_what_the_buttons_above_offer() -> None:
    def note(**changes: object) -> str:
        return notices.superseded(replace(outcome(5.0), superseded=True, **changes)).content or ""

    assert note().endswith("Press **Next question** to move on or **Go deeper** for a follow-up.")
    assert note(has_next=False, can_go_deeper=False).endswith("Press **Finish** to move on.")
    assert note(status=AnswerStatus.FAILED).endswith(
        "Press **Retry** under it to have it evaluated."
    )
    assert note(status=AnswerStatus.IN_PROGRESS).endswith(
        "It is being evaluated; the result will appear above."
    )
    assert notices.superseded(outcome(5.0)).ephemeral


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("web", "in the browser — continue or end it at <https://dash.example.com/practice/7>."),
        ("slack", "in Slack — continue or end it there."),
        ("terminal", "in a terminal — continue or end it there."),
    ],
)
def test_an_interview_elsewhere_is_named_with_a_way_to_reach_it(
    platform: str, expected: str
) -> None:
    base = outcome(5.0).session
    session = replace(base, conversation=ConversationRef(platform, "t", "c", "u", "x"))
    reply = errors.elsewhere(session, web_base_url="https://dash.example.com/")
    assert reply.ephemeral and reply.content == f"You have an interview in progress {expected}"
