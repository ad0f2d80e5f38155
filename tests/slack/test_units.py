"""Pure parts of the Slack adapter: command parsing, button values, rendering, the manifest,
and what the Lambda ack path imports."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bots.slack import errors, ids
from bots.slack.blocks import escape, evaluation_card, question_card, summary_card
from bots.slack.command_text import Kind, parse_command
from bots.slack.installation import BOT_SCOPES, REDIRECT_PATH
from bots.slack.server import EVENTS_PATH
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
from core.domain.results import AnswerOutcome, AnswerStatus, QuestionAsked, SessionSummary
from core.domain.roles import Difficulty, Role

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "role", "difficulty", "questions"),
    [
        ("", Kind.MODAL, None, None, None),
        ("  HELP ", Kind.HELP, None, None, None),
        ("history", Kind.HISTORY, None, None, None),
        ("end", Kind.END, None, None, None),
        ("backend medium 5", Kind.START, Role.BACKEND, Difficulty.MEDIUM, 5),
        ("ml senior", Kind.START, Role.MACHINE_LEARNING, Difficulty.HARD, None),
        ("system design", Kind.START, Role.SYSTEM_DESIGN, Difficulty.MEDIUM, None),
        ("Data Engineering easy 2", Kind.START, Role.DATA_ENGINEERING, Difficulty.EASY, 2),
        ("sre", Kind.START, Role.DEVOPS_SRE, Difficulty.MEDIUM, None),
        ("backend medium 0", Kind.INVALID, None, None, None),
        ("backend extreme", Kind.INVALID, None, None, None),
        ("astrologer", Kind.INVALID, None, None, None),
        ("7", Kind.INVALID, None, None, None),
    ],
)
def test_command_text(text, kind, role, difficulty, questions) -> None:  # type: ignore[no-untyped-def]
    command = parse_command(text, max_questions=10)
    assert (command.kind, command.role, command.difficulty, command.questions) == (
        kind,
        role,
        difficulty,
        questions,
    )
    assert bool(command.error) == (kind is Kind.INVALID)


def test_button_values_round_trip_and_refuse_anything_else() -> None:
    ref = ids.QuestionRef(42, 3)
    assert ids.QuestionRef.decode(ref.encode()) == ref
    for bad in ("", "42", "a:b", "42:", "-1:2", "1:2:3"):
        with pytest.raises(ValueError):
            ids.QuestionRef.decode(bad)


def _session(status: SessionStatus = SessionStatus.ACTIVE) -> Session:
    conversation = ConversationRef("slack", "T1", "C1", "U1", "1.0")
    return Session(7, 1, conversation, Role.BACKEND, Difficulty.MEDIUM, 3, status, NOW)


def _asked(text: str = "What is an index? <!channel>") -> AskedQuestion:
    question = Question(Role.BACKEND, Difficulty.MEDIUM, text, "ref", ("a", "b"))
    return AskedQuestion(7, 2, QuestionKind.MAIN, 2, question, NOW)


def test_people_and_model_text_cannot_ping_a_channel() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    _, blocks = question_card(QuestionAsked(_session(), _asked()))
    assert "<!channel>" not in json.dumps(blocks) and "&lt;!channel&gt;" in json.dumps(blocks)


def test_evaluation_card_has_score_bar_feedback_ideal_tags_and_buttons() -> None:
    evaluation = Evaluation(
        score=7.0,
        feedback="Good <b>",
        ideal_answer="x" * 5000,
        tags=("indexing",),
        criteria={"correctness": 7.0, "depth": 6.0, "communication": 8.0},
    )
    attempt = Attempt(1, 7, 2, "d", "answer", AttemptStatus.EVALUATED, NOW, evaluation)
    outcome = AnswerOutcome(
        AnswerStatus.EVALUATED, _session(), _asked(), attempt, has_next=True, can_go_deeper=False
    )
    text, blocks = evaluation_card(outcome)
    dumped = json.dumps(blocks, ensure_ascii=False)
    assert text == "Question 2 of 3: 7.0/10 — Good answer"
    assert "███████░░░" in dumped and "Good &lt;b&gt;" in dumped and "Correctness 7.0/10" in dumped
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(ids.NEXT, "7:2"), (ids.END, "7:2")]


def evaluated(points: tuple[PointVerdict, ...], graded_by: str = "") -> AnswerOutcome:
    evaluation = Evaluation(7.0, "ok", "ideal", (), {}, points=points, graded_by=graded_by)
    attempt = Attempt(1, 7, 2, "d", "answer", AttemptStatus.EVALUATED, NOW, evaluation)
    return AnswerOutcome(AnswerStatus.EVALUATED, _session(), _asked(), attempt, has_next=True)


def test_evaluation_card_says_who_graded_and_quotes_the_answer_per_key_point() -> None:
    points = (
        PointVerdict("Uses an index", Verdict.COVERED, quote="add an index on <user_id>"),
        PointVerdict("Explains trade-offs", Verdict.PARTIAL, quote="writes get slower"),
        PointVerdict("Caches hot reads", Verdict.MISSING),
        PointVerdict("Keeps data consistent", Verdict.CONTRADICTED, quote="skip transactions"),
    )
    _, blocks = evaluation_card(evaluated(points, "offline heuristic scorer"))
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    [key_points] = [t for t in texts if t.startswith("*Key points*")]
    assert key_points.splitlines()[1:] == [
        "✅ Uses an index — You said: “add an index on &lt;user_id&gt;”",
        "🔶 Partly: Explains trade-offs — You said: “writes get slower”",
        "❌ Missing: Caches hot reads",
        "⛔ Contradicted: Keeps data consistent — You said: “skip transactions”",
    ]
    graded = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert "Graded by: offline heuristic scorer" in graded


def test_many_long_key_points_stay_within_slacks_limits() -> None:
    points = tuple(
        PointVerdict(f"Point {n} " + "p" * 500, Verdict.COVERED, quote="q" * 900) for n in range(60)
    )
    _, blocks = evaluation_card(evaluated(points, "Gemini 2.5 Flash"))
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    [key_points] = [text for text in sections if text.startswith("*Key points*")]
    lines = key_points.splitlines()
    assert lines[-1].startswith("… and ") and lines[-1].endswith(" more")
    shown = len(lines) - 2  # the title and the note
    assert lines[-1] == f"… and {60 - shown} more" and shown >= 1
    assert all(line.endswith("…”") for line in lines[1:-1])  # long quotes cut, not dropped


def test_an_evaluation_without_points_or_grader_shows_neither() -> None:
    _, blocks = evaluation_card(evaluated(()))
    assert "Key points" not in json.dumps(blocks) and "Graded by" not in json.dumps(blocks)


def test_summary_card_links_to_the_session_on_the_dashboard() -> None:
    summary = SessionSummary(
        session=_session(SessionStatus.COMPLETED),
        average_score=6.5,
        answered=2,
        skipped=1,
        follow_ups=0,
        strongest=("caching",),
        weakest=("indexing",),
        practice_next=("Practise explaining indexes.",),
        criteria={"correctness": 6.5},
    )
    text, blocks = summary_card(summary, web_base_url="https://dash.example.com/")
    assert text.startswith("Interview complete: 6.5/10 average, Answered 2 of 3, skipped 1")
    [link] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert link["url"] == "https://dash.example.com/sessions/7"


def test_the_manifest_matches_what_the_app_serves() -> None:
    manifest = yaml.safe_load((ROOT / "infra/slack/manifest.yaml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert manifest["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
    [command] = features["slash_commands"]
    assert command["command"] == ids.COMMAND and command["url"].endswith(EVENTS_PATH)
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "message.channels", "message.groups", "message.im"} <= events
    assert {"app_uninstalled", "tokens_revoked"} <= events  # multi-workspace clean-up
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert settings["interactivity"] == {"is_enabled": True, "request_url": command["url"]}
    assert features["app_home"]["home_tab_enabled"] and features["app_home"]["messages_tab_enabled"]
    assert features["bot_user"]["display_name"] in errors.NOT_IN_CHANNEL  # the /invite hint


ACK_PATH_PROBE = """
import sys, time
from tests.slack.mock_slack import running_mock
from tests.slack import support as s
from slack_sdk.web import WebClient
from core.config import Settings
import bots.slack.aws_lambda as entry

with running_mock() as mock:
    # Unreachable database and Redis: the ack path must not need them.
    settings = Settings(_env_file=None, database_url="mysql+pymysql://nobody@127.0.0.1:1/none",
                        redis_url="redis://127.0.0.1:1/0", slack_signing_secret=s.SECRET)
    fake = s.FakeLambdaClient()
    def no_core():
        raise AssertionError("the ack path built the core")
    entry._handler = entry.build_handler(
        settings, core_provider=no_core, client=WebClient(token="xoxb-t", base_url=mock.url),
        lambda_client=fake)
    lam = s.LambdaHarness(entry.handler, fake)
    assert lam.send(s.command("backend medium", response_url=mock.response_url()))["statusCode"] == 200
    assert lam.send(s.event(s.reply("an answer", thread="1.0", ts="2.0")))["statusCode"] == 200
    assert len(fake.payloads) == 2
heavy = sorted(m for m in ("fastapi", "google.genai", "openai", "sqlalchemy", "redis", "mangum",
                           "boto3", "botocore") if m in sys.modules)
print(",".join(heavy))
"""


def test_the_lambda_ack_path_needs_no_database_and_imports_no_web_llm_or_aws_client() -> None:
    """boto3 too: its Lambda client is the lazy listeners' business (bots.slack.lambda_adapter)."""
    probe = subprocess.run(
        [sys.executable, "-c", ACK_PATH_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == ""


COLD_START_PROBE = """
import sys
import bots.slack.aws_lambda as entry
entry._get_handler()  # what a cold start does before its first request
loaded = sorted(
    m for m in sys.modules
    if m.startswith(("core.services.", "core.domain", "core.ports", "pydantic_settings"))
    or m in ("bots.slack.interview", "bots.slack.blocks", "bots.slack.command_text")
)
print(",".join(loaded))
"""


def test_a_cold_start_builds_the_app_without_the_domain_the_use_cases_or_pydantic_settings(
    tmp_path: Path,
) -> None:
    """Listeners import their flows when they run (bots.slack.listeners): building the app loads
    neither the use cases nor the domain behind them, and the settings need no pydantic-settings.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LLM_"))}
    env |= {"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(
        [sys.executable, "-c", COLD_START_PROBE],
        cwd=tmp_path,  # no .env of the checkout
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == ""


def test_snapstart_warms_every_module_a_listener_imports_when_it_runs() -> None:
    """The listeners import their flows inside their functions; the SnapStart warm-up imports
    bots.slack.listeners.FLOWS, so each of those imports must be listed there."""
    from bots.slack.listeners import FLOWS

    imported = set()
    for path in (ROOT / "bots/slack/listeners").glob("*.py"):
        functions = [f for f in ast.parse(path.read_text()).body if isinstance(f, ast.FunctionDef)]
        for function in functions:  # register() and its nested listeners, and the helpers
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    if node.module == "bots.slack":  # from bots.slack import account, ...
                        imported |= {f"bots.slack.{alias.name}" for alias in node.names}
                    else:
                        imported.add(node.module)
    assert imported, "no imports found inside the listeners' functions"
    assert imported <= set(FLOWS), sorted(imported - set(FLOWS))


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("web", "in the browser — continue or end it at <https://dash.example.com/practice/7>."),
        ("discord", "in Discord — continue or end it there."),
        ("terminal", "in a terminal — continue or end it there."),
    ],
)
def test_an_interview_elsewhere_is_named_with_a_way_to_reach_it(
    platform: str, expected: str
) -> None:
    session = replace(_session(), conversation=ConversationRef(platform, "t", "c", "u", "x"))
    text = errors.elsewhere_text(session, web_base_url="https://dash.example.com/")
    assert text == f"You have an interview in progress {expected}"
