"""A YAML, a CSV and a Markdown bank, each imported and chosen by a workspace admin with
`/interview bank use`, then a whole interview from `/interview` to the summary in Slack — on
SQLite + the Redis stand-in and on MariaDB + Redis (the `backend` fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_bolt import App

from bots.slack import ids
from core import services
from core.banks import read_bank_file
from core.bootstrap import Core
from core.config import Settings
from core.domain.model import BankRef, SessionStatus, UserRef
from core.domain.roles import Role
from tests.slack import support as s
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack
from tests.slack.support import LambdaHarness, buttons


@pytest.fixture
def settings(backend) -> Settings:  # type: ignore[no-untyped-def]
    return slack_settings(backend.database_url, backend.redis_url, backend.redis_prefix)


EXAMPLES = Path(__file__).parents[3] / "docs" / "examples" / "banks"
ADMIN = "U0ADMIN"
ALICE = UserRef("slack", s.TEAM, s.ALICE)
ANSWER = (
    "Keep a counter per API key in Redis with a token bucket, increment it atomically, and "
    "answer 429 with Retry-After; for retries send an idempotency key stored with the payment."
)


def command(app: App, mock: MockSlack, text: str, user: str = s.ALICE) -> str:
    """Run `/interview <text>`; what the person was told (the ack or the response_url)."""
    mock.clear()
    response = app.dispatch(
        s.bolt_request(s.command(text, response_url=mock.response_url(), user=user))
    )
    assert response.status == 200, response.body
    return "\n".join([response.body or "", *(c.text() for c in mock.to("response_url"))])


@pytest.mark.parametrize("extension", ["yaml", "csv", "md"])
def test_a_bank_file_chosen_by_an_admin_runs_a_whole_interview(
    app: App, core: Core, mock_slack: MockSlack, extension: str
) -> None:
    document = read_bank_file(EXAMPLES / f"platform-team.{extension}")
    services.import_bank(
        core.deps, document=document, name="platform-team", scope=f"workspace:{s.TEAM}"
    )

    assert "Only workspace admins" in command(app, mock_slack, "bank use platform-team")
    assert "built-in question bank" in command(app, mock_slack, "bank")
    mock_slack.users[ADMIN] = {"is_admin": True}
    chosen = command(app, mock_slack, "bank use platform-team", user=ADMIN)
    assert "now use the question bank *platform-team* (version 1)" in chosen
    assert "backend (medium), devops-sre (easy)" in chosen
    refused = command(app, mock_slack, "frontend medium 2")
    assert "has no frontend medium questions" in refused and "devops-sre (easy)" in refused

    command(app, mock_slack, "backend medium 2")
    [placeholder] = mock_slack.to("chat.postMessage")
    thread = placeholder.ts
    [card] = mock_slack.to("chat.update")
    asked = [card.text()]
    for n in (1, 2):
        mock_slack.clear()
        send(app, s.event(s.reply(ANSWER, thread=thread, ts=f"1700002000.00000{n}")))
        [evaluating] = mock_slack.to("chat.postMessage")
        [evaluation] = mock_slack.to("chat.update")
        assert "/10" in evaluation.text() and "Ideal answer" in evaluation.text()
        mock_slack.clear()
        clicked = {"ts": evaluating.ts, "blocks": evaluation.params["blocks"]}
        value = buttons(evaluation)[ids.NEXT]
        send(
            app, s.action(ids.NEXT, value, message=clicked, response_url=mock_slack.response_url())
        )
        [posted] = mock_slack.to("chat.postMessage")
        asked.append(posted.text())
    assert "rate limiting" in " ".join(asked) and "charged once" in " ".join(asked)
    assert "Interview complete" in posted.text() and "Answered 2 of 2" in posted.text()

    [session] = [i.session for i in services.list_sessions(
        core.deps,
        scope=services.scope_for_user(core.deps, user=ALICE),
        page=1,
        per_page=5,
    ).items]  # fmt: skip
    assert session.bank == BankRef("platform-team", 1) and session.status is SessionStatus.COMPLETED


def send(app: App, body: str) -> None:
    response = app.dispatch(s.bolt_request(body))
    assert response.status == 200, response.body


def test_a_bank_of_another_workspace_cannot_be_chosen(
    app: App, core: Core, mock_slack: MockSlack
) -> None:
    document = read_bank_file(EXAMPLES / "platform-team.yaml")
    services.import_bank(core.deps, document=document, name="theirs", scope="workspace:T0OTHER")
    mock_slack.users[ADMIN] = {"is_admin": True}
    told = command(app, mock_slack, "bank use theirs", user=ADMIN)
    assert "belongs to another Slack workspace" in told
    assert "Banks this workspace can use: `builtin`." in command(app, mock_slack, "bank")
    assert "Use `/interview bank`" in command(app, mock_slack, "bank use")


def choose_platform_team(core: Core) -> None:
    document = read_bank_file(EXAMPLES / "platform-team.md")
    services.import_bank(
        core.deps, document=document, name="platform-team", scope=f"workspace:{s.TEAM}"
    )
    services.use_bank(
        core.deps, platform="slack", tenant=s.TEAM, name="platform-team", by=ADMIN, is_admin=True
    )


def offered(view: dict) -> tuple[list[str], list[str]]:
    """The role and difficulty values a start form offers."""
    by_block = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    return tuple(  # type: ignore[return-value]
        [o["value"] for o in by_block[block]["element"]["options"]]
        for block in (ids.ROLE_BLOCK, ids.DIFFICULTY_BLOCK)
    )


def test_the_start_form_offers_the_chosen_banks_roles_and_levels(
    app: App, core: Core, mock_slack: MockSlack
) -> None:
    """The form opens at once with every role (the ack cannot wait for the database); the lazy
    step narrows it to the bank's roles and levels, even when it runs before Slack has it."""
    choose_platform_team(core)
    command(app, mock_slack, "")
    [opened] = mock_slack.wait_for("views.open")
    assert len(offered(opened.params["view"])[0]) == 10
    updates = mock_slack.wait_for("views.update")
    done = [u for u in updates if u.response.get("ok")]
    assert len(done) == 1, [u.response for u in updates]
    assert done[0].params["external_id"] == opened.params["view"]["external_id"]
    view = done[0].params["view"]
    assert offered(view) == (["backend", "devops-sre"], ["easy", "medium"])
    assert "bank *platform-team* (version 1): backend (medium), devops-sre (easy)" in str(view)
    assert json.loads(view["private_metadata"]) == {"channel": s.CHANNEL}


def test_the_start_form_stays_whole_on_the_builtin_bank(
    app: App, core: Core, mock_slack: MockSlack
) -> None:
    command(app, mock_slack, "")
    [opened] = mock_slack.wait_for("views.open")
    assert offered(opened.params["view"]) == (
        [r.value for r in Role],
        ["easy", "medium", "hard"],
    )
    assert "views.update" not in mock_slack.methods()  # the lazy step ran inline, changed nothing


def test_on_lambda_the_home_start_form_is_narrowed_after_the_ack(
    lam: LambdaHarness, core: Core, mock_slack: MockSlack
) -> None:
    choose_platform_team(core)
    home = s.action(
        ids.HOME_START,
        "",
        message={"ts": "1.1", "blocks": []},
        response_url=mock_slack.response_url(),
    )
    assert s.status(lam.send(home)) == 200
    [opened] = mock_slack.to("views.open")  # on the ack path, before the response
    assert "views.update" not in mock_slack.methods()
    assert opened.params["view"]["external_id"].startswith("start:")
    assert lam.replay() == 1
    [updated] = mock_slack.to("views.update")
    assert updated.response["ok"] and offered(updated.params["view"])[0] == [
        "backend",
        "devops-sre",
    ]
    assert json.loads(updated.params["view"]["private_metadata"]) == {"channel": None}

    submitted = s.view_submission(
        role="devops-sre", difficulty="easy", questions=1, channel=None, view_id="V2"
    )
    mock_slack.clear()
    lam.deliver(submitted)
    [card] = mock_slack.to("chat.update")
    assert "DevOps / SRE · Easy" in card.text()


def test_the_form_update_waits_for_slack_to_have_the_form_and_then_gives_up(
    core: Core, settings: Settings, web_client, mock_slack: MockSlack, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The lazy step can run before the ack's views.open lands: not_found is tried again a few
    times (then left: the form still works, and the start checks the bank)."""
    from bots.slack import banks
    from bots.slack.runtime import SlackRuntime

    monkeypatch.setattr(banks, "UPDATE_PAUSE_SECONDS", 0)
    choose_platform_team(core)
    rt = SlackRuntime(lambda: core, settings)
    offer = lambda form: banks.offer_bank_in_start_form(  # noqa: E731
        rt, web_client, tenant=s.TEAM, external_id=form, channel=None
    )
    offer("start:never-opened")
    assert [c.response["error"] for c in mock_slack.to("views.update")] == ["not_found"] * 5

    mock_slack.clear()
    web_client.views_open(trigger_id="t", view={"type": "modal", "external_id": "start:late"})
    first_call = iter([True])  # Slack has the form only from the second call on
    mock_slack.fail("views.update", "not_found", when=lambda params: next(first_call, False))
    offer("start:late")
    assert [c.response.get("error") for c in mock_slack.to("views.update")] == ["not_found", None]
