"""Question banks on the web: administrators upload them (checked as the CLI checks them: a bad
file imports nothing and every problem names its line), and the practice form offers a bank's
own roles and levels and runs the interview on its questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core import services
from core.banks import read_bank_file
from core.bootstrap import Core
from core.domain.model import UserRef
from tests.web.helpers import browser_register, link_chat_identity, register_api

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples" / "banks"


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def make_admin(core: Core, email: str) -> None:
    with core.engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET is_superuser = :yes WHERE email = :email"),
            {"yes": True, "email": email},
        )


def upload(
    client: TestClient, filename: str, data: bytes, name: str = "team", scope: str = "global"
):  # type: ignore[no-untyped-def]
    token = hidden(client.get("/practice").text, "csrf_token")
    return client.post(
        "/banks",
        data={"name": name, "scope": scope, "csrf_token": token},
        files={"file": (filename, data)},
        follow_redirects=False,
    )


def test_banks_are_for_administrators_only(
    embedded_client: TestClient, embedded_core: Core
) -> None:
    browser_register(embedded_client)
    assert embedded_client.get("/banks").status_code == 403
    refused = upload(embedded_client, "team.yaml", (EXAMPLES / "platform-team.yaml").read_bytes())
    assert refused.status_code == 403
    assert services.list_banks(embedded_core.deps) == []


@pytest.mark.parametrize("extension", ["yaml", "csv", "md"])
def test_an_uploaded_bank_is_offered_on_the_practice_form_and_used(
    embedded_client: TestClient, embedded_core: Core, extension: str
) -> None:
    client = embedded_client
    make_admin(embedded_core, browser_register(client))
    data = (EXAMPLES / f"platform-team.{extension}").read_bytes()
    done = upload(client, f"platform-team.{extension}", data)
    assert done.status_code == 303 and done.headers["location"] == "/banks?imported=team"
    listed = client.get(done.headers["location"]).text
    assert "Imported the bank <strong>team</strong>" in listed
    assert "backend (medium), devops-sre (easy)" in listed

    form = client.get("/practice?bank=team")
    assert 'name="bank" value="team"' in form.text
    roles = re.findall(r'name="role" value="([^"]+)"', form.text)
    levels = re.findall(r'name="difficulty" value="([^"]+)"', form.text)
    assert roles == ["backend", "devops-sre"] and levels == ["easy", "medium"]
    fields = {
        "role": "backend",
        "difficulty": "medium",
        "questions": "1",
        "bank": "team",
        "request_id": hidden(form.text, "request_id"),
        "csrf_token": hidden(form.text, "csrf_token"),
    }
    started = client.post("/practice", data=fields, follow_redirects=False)
    assert started.status_code == 303, started.text
    page = client.get(started.headers["location"]).text
    assert "rate limiting" in page or "charged once" in page
    session_id = started.headers["location"].rsplit("/", 1)[1]
    history = client.get(f"/sessions/{session_id}").text
    assert "question bank team (version 1)" in history

    lacking = fields | {"role": "frontend", "request_id": "another-start-0001"}
    refused = client.post("/practice", data=lacking, follow_redirects=False)
    assert refused.status_code == 422 and "has no frontend medium questions" in refused.text


def test_a_bad_upload_imports_nothing_and_names_each_line(
    embedded_client: TestClient, embedded_core: Core
) -> None:
    client = embedded_client
    make_admin(embedded_core, browser_register(client))
    source = (EXAMPLES / "platform-team.yaml").read_text()
    broken = source.replace("difficulty: easy", "difficulty: brutal").replace(
        "role: backend", "role: chef", 1
    )
    lines = source.splitlines()
    role_line = lines.index("    role: backend") + 1
    level_line = lines.index("    difficulty: easy") + 1
    refused = upload(client, "questions.yaml", broken.encode())
    assert refused.status_code == 422
    assert "Nothing was imported: the file has 2 problems." in refused.text
    assert f"questions.yaml line {role_line}: role &#39;chef&#39; is not one" in refused.text
    assert f"questions.yaml line {level_line}: difficulty &#39;brutal&#39; must be" in refused.text
    assert services.list_banks(embedded_core.deps) == []
    bad_name = upload(client, "questions.yaml", source.encode(), name="Team X")
    assert bad_name.status_code == 422 and "cannot name a bank" in bad_name.text


def test_a_bank_for_one_workspace_is_not_offered_in_the_browser(
    embedded_client: TestClient, embedded_core: Core
) -> None:
    client = embedded_client
    make_admin(embedded_core, browser_register(client))
    data = (EXAMPLES / "platform-team.yaml").read_bytes()
    assert upload(client, "team.yaml", data, name="slack-team", scope="workspace:T1").status_code == 303  # fmt: skip
    assert 'data-testid="bank-choice"' not in client.get("/practice").text
    told = client.get("/practice?bank=slack-team").text
    assert "There is no question bank named &#39;slack-team&#39;. Banks: builtin." in told
    token = hidden(client.get("/banks").text, "csrf_token")
    removed = client.post("/banks/slack-team/remove", data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303 and services.list_banks(embedded_core.deps) == []


def import_team_banks(core: Core) -> None:
    """`ours` for Slack workspace T-ours, `theirs` for Discord server G-theirs, `other` for a
    workspace nobody here belongs to, and `open` for everyone."""
    document = read_bank_file(EXAMPLES / "platform-team.yaml")
    for name, scope in (
        ("ours", "workspace:T-ours"),
        ("theirs", "guild:G-theirs"),
        ("other", "workspace:T-other"),
        ("open", "global"),
    ):
        services.import_bank(core.deps, document=document, name=name, scope=scope)


def link(core: Core, email: str, user: UserRef) -> None:
    """Link a chat identity to the account with that email, as /interview link + the web do."""
    with core.engine.connect() as connection:
        account = connection.execute(
            text("SELECT id FROM users WHERE email = :email"), {"email": email}
        ).scalar_one()
    code = services.issue_link_code(core.deps, user=user).code
    services.redeem_link_code(core.deps, code=code, web_user_id=str(account))


def test_the_practice_form_offers_the_banks_of_the_persons_workspaces_only(
    embedded_client: TestClient, embedded_core: Core
) -> None:
    client, core = embedded_client, embedded_core
    import_team_banks(core)
    email = browser_register(client)
    offered = re.compile(r'<option value="([a-z-]+)"')
    assert offered.findall(client.get("/practice").text) == ["open"]  # nothing linked yet

    link(core, email, UserRef("slack", "T-ours", "U-alice"))
    assert offered.findall(client.get("/practice").text) == ["open", "ours"]
    form = client.get("/practice?bank=ours").text
    assert re.findall(r'name="role" value="([^"]+)"', form) == ["backend", "devops-sre"]
    fields = {
        "role": "backend",
        "difficulty": "medium",
        "questions": "1",
        "request_id": hidden(form, "request_id"),
        "csrf_token": hidden(form, "csrf_token"),
    }
    started = client.post("/practice", data=fields | {"bank": "ours"}, follow_redirects=False)
    assert started.status_code == 303, started.text
    session_id = started.headers["location"].rsplit("/", 1)[1]
    assert "question bank ours (version 1)" in client.get(f"/sessions/{session_id}").text

    for name in ("theirs", "other"):  # never offered, never said to exist, never used
        told = client.get(f"/practice?bank={name}").text
        assert (
            f"There is no question bank named &#39;{name}&#39;. Banks: builtin, open, ours." in told
        )
        assert "theirs" not in told.replace(f"&#39;{name}&#39;", "")
        again = fields | {"bank": name, "request_id": f"start-{name}-0001"}
        refused = client.post("/practice", data=again, follow_redirects=False)
        assert refused.status_code == 404 and "There is no question bank" in refused.text


def test_the_api_lists_and_starts_only_the_banks_of_the_persons_workspaces(
    embedded_client: TestClient, embedded_core: Core
) -> None:
    client, core = embedded_client, embedded_core
    import_team_banks(core)
    alice, bea = register_api(client), register_api(client)
    link_chat_identity(client, core, alice, UserRef("slack", "T-ours", "U-alice"))
    link_chat_identity(client, core, bea, UserRef("discord", "G-theirs", "D-bea"))

    def banks(headers: dict[str, str]) -> dict[str, dict[str, list[str]]]:
        listed = client.get("/api/practice/banks", headers=headers)
        assert listed.status_code == 200, listed.text
        return {b["name"]: b["levels"] for b in listed.json()}

    assert banks(alice) == {
        "open": {"backend": ["medium"], "devops-sre": ["easy"]},
        "ours": {"backend": ["medium"], "devops-sre": ["easy"]},
    }
    assert sorted(banks(bea)) == ["open", "theirs"]

    def start(headers: dict[str, str], bank: str, request_id: str):  # type: ignore[no-untyped-def]
        body = {"role": "devops-sre", "difficulty": "easy", "bank": bank, "request_id": request_id}
        return client.post("/api/practice", json=body, headers=headers)

    mine = start(alice, "ours", "alice-ours-01")
    assert mine.status_code == 201, mine.text
    assert mine.json()["question"]["text"].startswith("A deploy")
    refused = start(alice, "theirs", "alice-theirs-01")
    told = refused.json()
    assert refused.status_code == 404 and told["code"] == "unknown_bank"
    assert told["message"].endswith("Banks: builtin, open, ours.")
    assert start(bea, "ours", "bea-ours-01").status_code == 404
    assert start(bea, "theirs", "bea-theirs-01").status_code == 201
