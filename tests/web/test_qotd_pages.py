"""The question of the day on the web: the team page shows each channel's question history,
answers per day (a chart and its table) and the opt-in leaderboard; a person sees their own
answers in their history, and nobody else's."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from core.bootstrap import Core
from core.domain.qotd_notices import QotdQuestionNotice
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_leaderboard import join_leaderboard
from core.services.schedule import run_due
from tests.fakes import FakeClock
from tests.qotd.support import ANSWER, MORNING, RecordingNotifier, person, set_up
from tests.web.helpers import link_chat_identity, login_api, new_email, register_api


def _a_question_answered(core: Core) -> RecordingNotifier:
    notifier = RecordingNotifier()
    core.use_notifiers({"slack": notifier})
    core.deps.clock = FakeClock(MORNING + timedelta(hours=1))
    core.deps.evaluations = None  # evaluated below, in this thread
    set_up(core)
    run_due(core.deps, core.notifiers)
    post = notifier.of(QotdQuestionNotice)[0].post
    join_leaderboard(core.deps, user=person(2), display_name="Bea")
    from core.services.qotd_evaluation import evaluate_qotd_answer

    for n in (1, 2):
        received = submit_qotd_answer(
            core.deps, post_id=post.id, actor=person(n), text=ANSWER, delivery_id=f"d{n}"
        )
        evaluate_qotd_answer(core.deps, core.notifiers, answer_id=received.answer.id)
    return notifier


def test_the_team_page_shows_history_participation_and_the_opt_in_board(
    client: TestClient, core: Core
) -> None:
    _a_question_answered(core)
    email = new_email("admin")
    register_api(client, email)
    with core.engine.begin() as connection:
        connection.execute(text("UPDATE users SET is_superuser = 1 WHERE email = :e"), {"e": email})
    admin = login_api(client, email)
    page = client.get("/team?workspace=slack:T1", headers=admin)
    assert page.status_code == 200
    assert 'data-testid="qotd-history"' in page.text and "Slack T1 · #C-team" in page.text
    assert 'data-chart="participation' in page.text and '"participation' in page.text
    board = page.text.split('data-testid="qotd-leaderboard"')[1].split("</ol>")[0]
    assert "Bea" in board and "U0001" not in board  # only the person who joined is named
    assert '<option value="slack:T1" selected>' in page.text  # its workspace is listed
    elsewhere = client.get("/team?workspace=discord:G9", headers=admin)
    assert 'data-testid="qotd-channel"' not in elsewhere.text


def test_a_person_sees_their_own_answers_in_their_history(client: TestClient, core: Core) -> None:
    _a_question_answered(core)
    headers = register_api(client)
    link_chat_identity(client, core, headers, person(1))
    mine = client.get("/sessions", headers=headers)
    section = mine.text.split('data-testid="qotd-answers"')[1]
    assert "Your question-of-the-day answers" in mine.text and ANSWER[:40] in section
    stranger = register_api(client)
    assert 'data-testid="qotd-answers"' not in client.get("/sessions", headers=stranger).text
