"""The account page's wording and deleting data: say exactly what goes, then what went."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from core.bootstrap import Core
from core.domain.model import UserRef
from tests.web.helpers import csrf_from, link_chat_identity, register_api
from tests.web.seeding import play_session

SLACK = UserRef("slack", "T5", "U-mia")
DISCORD = UserRef("discord", "G5", "D-mia")
TERMINAL = UserRef("terminal", "local", "mia")


def _text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_export_sentence_counts_identities_correctly(client: TestClient, core: Core) -> None:
    headers = register_api(client)
    alone = _text(client.get("/account", headers=headers).text)
    assert "all 1 linked identity" not in alone and "1 linked identities" not in alone
    assert "from this account." in alone

    link_chat_identity(client, core, headers, SLACK)
    one = _text(client.get("/account", headers=headers).text)
    assert "from this account and its 1 linked chat identity." in one
    link_chat_identity(client, core, headers, TERMINAL)
    two = _text(client.get("/account", headers=headers).text)
    assert "from this account and its 2 linked chat identities." in two


def test_deleting_names_every_identity_it_removes_and_unlinks(
    client: TestClient, core: Core
) -> None:
    for who in (SLACK, DISCORD, TERMINAL):
        play_session(core.deps, who, questions=1)
    headers = register_api(client)
    for who in (SLACK, DISCORD, TERMINAL):
        link_chat_identity(client, core, headers, who)
    labels = [i["label"] for i in client.get("/api/identities", headers=headers).json()]
    assert len(labels) == 3 and any(label.startswith("Terminal") for label in labels)

    confirm = client.get("/account/delete", headers=headers).text
    words = _text(confirm)
    for label in labels:
        assert str(escape(label)) in confirm, label
    assert "3 sessions" in words
    assert "removed and unlinked" in words

    token = csrf_from(client, "/account/delete", headers=headers)
    done = client.post(
        "/account/delete", data={"confirm": "DELETE", "csrf_token": token}, headers=headers
    )
    assert done.status_code == 200, done.text
    result = _text(done.text)
    assert "Deleted 3 sessions" in result
    for label in labels:
        assert str(escape(label)) in done.text, label
    assert "no longer linked" in result
    assert client.get("/api/identities", headers=headers).json() == []
    assert client.get("/api/sessions", headers=headers).json()["total"] == 0


def test_the_api_says_what_it_deleted(client: TestClient, core: Core) -> None:
    play_session(core.deps, TERMINAL, questions=1)
    headers = register_api(client)
    link_chat_identity(client, core, headers, TERMINAL)
    deleted = client.delete("/api/history?confirm=true", headers=headers).json()
    assert deleted["sessions"] == 1 and deleted["deleted_identities"] == 2  # + the browser's
    assert [(i["platform"], i["user"]) for i in deleted["unlinked"]] == [("terminal", "mia")]


def test_nothing_linked_says_so(client: TestClient) -> None:
    headers = register_api(client)
    words = _text(client.get("/account/delete", headers=headers).text)
    assert "No chat identities are linked" in words and "0 sessions" in words
