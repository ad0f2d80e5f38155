"""Custom ids and rendering: Discord's limits, shared score bands, safe mentions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bots.discord import ids, render
from bots.discord.ids import Action
from bots.discord.model import Ack, AckKind, Reply, modal_text
from core.domain.errors import NoActiveSession, QuotaExceeded
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    ConversationRef,
    Evaluation,
    Question,
    QuestionKind,
    Session,
    SessionStatus,
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


def test_evaluations_stay_within_discords_limits() -> None:
    reply = render.evaluation(outcome(5.0, long=True), owner=OWNER, answer_excerpt=True)
    (embed,) = reply.embeds  # type: ignore[misc]
    assert all(len(field["value"]) <= 1024 for field in embed["fields"])
    assert len(embed["description"]) <= 4096
    total = len(embed["title"]) + len(embed["description"]) + len(embed["author"]["name"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= 6000
    labels = [b["label"] for b in reply.components[0]["components"]]  # type: ignore[index]
    assert labels == ["Next question", "Go deeper", "End"]
    last = render.evaluation(outcome(5.0, has_next=False), owner=OWNER, answer_excerpt=False)
    assert last.components[0]["components"][0]["label"] == "Finish"  # type: ignore[index]
    asked = QuestionAsked(outcome(1).session, outcome(1, long=True).question)
    question = render.question(asked, owner=OWNER, reads_replies=True).embeds[0]  # type: ignore[index]
    assert len(question["description"]) <= 4096 and question["description"].endswith("…")


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
    quota = render.error(QuotaExceeded(3, NOW))
    assert quota.ephemeral and quota.content.endswith(f"(<t:{int(NOW.timestamp())}:R>)")  # type: ignore[union-attr]
    assert "/interview start" in (render.error(NoActiveSession()).content or "")


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
        strongest=("indexes",),
        weakest=("depth",),
        practice_next=("Explain how it works underneath.",),
        transcript=(TranscriptEntry(item.question, item.attempt),),
    )
    reply = render.summary(summary, web_base_url="https://example.org/")
    assert reply.embeds[0]["url"] == "https://example.org/sessions/7"  # type: ignore[index]
    assert reply.components[0]["components"][0] == {  # type: ignore[index]
        "type": 2,
        "style": 5,
        "label": "Open in the web dashboard",
        "url": "https://example.org/sessions/7",
    }
