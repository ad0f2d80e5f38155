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
from core.bootstrap import Core
from tests.web.helpers import browser_register

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
    assert "belongs to another Slack workspace" in told
    token = hidden(client.get("/banks").text, "csrf_token")
    removed = client.post("/banks/slack-team/remove", data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303 and services.list_banks(embedded_core.deps) == []
