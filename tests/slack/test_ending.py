"""`/interview end` when the person practises on a linked surface too (the browser, here)."""

from __future__ import annotations

import uuid

from slack_bolt import App

from core import services
from core.adapters.sql.models import WebUser
from core.bootstrap import Core
from core.domain.model import ConversationRef, Platform, Session, SessionStatus, UserRef
from tests.slack import support as s
from tests.slack.mock_slack import MockSlack
from tests.slack.test_commands import run, start

ALICE = UserRef(Platform.SLACK, s.TEAM, s.ALICE)


def browser_interview_linked_to(core: Core, user: UserRef) -> Session:
    """Link `user` to a web account (with a one-time code, as people do) and start an
    interview in that account's browser, through the core."""
    account, deps = uuid.uuid4(), core.deps
    with core.session_factory() as db, db.begin():  # signs up on the web
        db.add(WebUser(id=account, email=f"{account.hex}@example.com", hashed_password="x"))
    web_user_id = str(account)
    services.scope_for_web_user(deps, web_user_id=web_user_id)  # signs in: the browser identity
    code = services.issue_link_code(deps, user=user)
    services.redeem_link_code(deps, code=code.code, web_user_id=web_user_id)
    browser = ConversationRef(
        Platform.WEB, "web", "browser", web_user_id, thread=f"web-{uuid.uuid4().hex}"
    )
    return services.start_session(deps, conversation=browser, role="frontend").session


def end(app: App, mock: MockSlack) -> str:
    mock.clear()
    run(app, s.command("end", response_url=mock.response_url()))
    [told] = mock.to("response_url")
    assert told.params["response_type"] == "ephemeral"
    return told.text()


def status_of(core: Core, session: Session) -> SessionStatus:
    with core.deps.uow() as uow:
        found = uow.sessions.get(session.id)
    assert found is not None
    return found.status


def test_end_points_to_the_linked_browser_interview_and_leaves_it_running(
    app: App, mock_slack: MockSlack, core: Core
) -> None:
    browser = browser_interview_linked_to(core, ALICE)
    told = end(app, mock_slack)
    assert "You have an interview in progress in the browser" in told
    assert f"https://interviews.example.com/practice/{browser.id}" in told
    assert "belongs to someone else" not in told
    assert status_of(core, browser) is SessionStatus.ACTIVE  # only its own surface ends it
    assert "chat.postMessage" not in mock_slack.methods()


def test_end_ends_the_slack_interview_even_when_a_browser_one_is_newer(
    app: App, mock_slack: MockSlack, core: Core
) -> None:
    thread = start(app, mock_slack)
    browser = browser_interview_linked_to(core, ALICE)  # the person's newest interview
    assert "has ended" in end(app, mock_slack)
    [summary] = mock_slack.to("chat.postMessage")
    assert summary.params["thread_ts"] == thread and "Interview ended" in summary.text()
    assert status_of(core, browser) is SessionStatus.ACTIVE
    assert "in the browser" in end(app, mock_slack)  # then the browser one is pointed to


def test_end_without_any_interview_says_how_to_start_one(app: App, mock_slack: MockSlack) -> None:
    told = end(app, mock_slack)
    assert "There is no interview in progress" in told and "/interview backend medium" in told
