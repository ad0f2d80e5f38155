"""History, filters, pagination, session detail, analytics, export and deletion."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import text

from core.bootstrap import Core
from core.domain.model import UserRef
from tests.web.helpers import (
    browser_register,
    csrf_from,
    link_chat_identity,
    login_api,
    new_email,
    register_api,
)
from tests.web.seeding import past, play_session
from web.routes.export import csv_lines

SLACK = UserRef("slack", "T1", "U-grace")
DISCORD = UserRef("discord", "G1", "D-grace")


def _seeded(client: TestClient, core: Core) -> tuple[dict[str, str], dict[str, int]]:
    """Five sessions over three weeks on two platforms, linked to one new account."""
    ids = {
        "backend-easy-old": play_session(
            core.deps, SLACK, role="backend", difficulty="easy", at=past(20)
        ),
        "backend-hard": play_session(
            core.deps, SLACK, role="backend", difficulty="hard", at=past(9)
        ),
        "frontend-medium": play_session(core.deps, DISCORD, role="frontend", at=past(5)),
        "sre-medium": play_session(core.deps, DISCORD, role="devops-sre", at=past(2)),
        "backend-medium-today": play_session(core.deps, SLACK, role="backend", quality=0.3),
    }
    headers = register_api(client)
    link_chat_identity(client, core, headers, SLACK)
    link_chat_identity(client, core, headers, DISCORD)
    return headers, ids


def _ids(client: TestClient, headers: dict[str, str], query: str = "") -> list[int]:
    response = client.get(f"/api/sessions{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filters_and_pagination(client: TestClient, core: Core) -> None:
    headers, ids = _seeded(client, core)
    newest_first = [
        ids[k]
        for k in (
            "backend-medium-today",
            "sre-medium",
            "frontend-medium",
            "backend-hard",
            "backend-easy-old",
        )
    ]
    assert _ids(client, headers) == newest_first
    assert set(_ids(client, headers, "?role=backend")) == {
        ids["backend-easy-old"],
        ids["backend-hard"],
        ids["backend-medium-today"],
    }
    assert _ids(client, headers, "?role=backend&difficulty=hard") == [ids["backend-hard"]]
    assert set(_ids(client, headers, "?platform=discord")) == {
        ids["frontend-medium"],
        ids["sre-medium"],
    }
    since, until = past(10).date().isoformat(), past(4).date().isoformat()
    assert _ids(client, headers, f"?since={since}&until={until}") == [
        ids["frontend-medium"],
        ids["backend-hard"],
    ]

    first = client.get("/api/sessions?per_page=2", headers=headers).json()
    assert (first["total"], first["pages"], first["page"]) == (5, 3, 1)
    pages = [_ids(client, headers, f"?per_page=2&page={n}") for n in (1, 2, 3, 4)]
    assert pages[0] + pages[1] + pages[2] == newest_first and pages[3] == []
    assert client.get("/api/sessions?role=astrologer", headers=headers).status_code == 422

    page = client.get("/sessions?role=backend&difficulty=hard", headers=headers)
    assert page.status_code == 200 and "1 session" in page.text
    paged = client.get("/sessions?page=1", headers=headers)
    assert "5 sessions" in paged.text


def test_session_detail_shows_every_question_answer_and_evaluation(
    client: TestClient, core: Core
) -> None:
    headers, ids = _seeded(client, core)
    detail = client.get(f"/api/sessions/{ids['backend-hard']}", headers=headers).json()
    assert detail["session"]["role"] == "backend" and detail["session"]["difficulty"] == "hard"
    assert len(detail["entries"]) == 2
    for entry in detail["entries"]:
        evaluation = entry["attempt"]["evaluation"]
        assert entry["question"]["text"] and entry["attempt"]["answer"]
        assert 0 <= evaluation["score"] <= 10
        assert evaluation["feedback"] and evaluation["ideal_answer"]
        assert isinstance(evaluation["tags"], list)

    page = client.get(f"/sessions/{ids['backend-hard']}", headers=headers)
    assert page.status_code == 200
    first = detail["entries"][0]
    # Escaped as the templates escape it (markupsafe writes ' as &#39;, html.escape as &#x27;).
    assert str(escape(first["question"]["text"][:40])) in page.text
    assert "Ideal answer" in page.text and "Feedback" in page.text


def test_dashboard_and_analytics_figures(client: TestClient, core: Core) -> None:
    headers, _ = _seeded(client, core)
    board = client.get("/api/dashboard", headers=headers).json()
    assert board["total_sessions"] == 5 and 1 <= board["sessions_this_week"] <= 3
    assert board["quota"]["limit"] == 20 and board["average_score"] is not None
    assert board["streak_days"] >= 1 and len(board["linked"]) == 2

    figures = client.get("/api/analytics?days=30", headers=headers).json()
    assert figures["sessions"] == 5 and figures["attempts"] == 10
    assert {row["key"] for row in figures["by_role"]} == {"backend", "frontend", "devops-sre"}
    assert figures["by_workspace"] == []  # team-wide only
    page = client.get("/analytics", headers=headers)
    assert page.status_code == 200 and 'data-chart="scoreTrend"' in page.text
    assert '"byRole"' in page.text  # the chart data is embedded as JSON


def test_team_figures_are_for_superusers_only(client: TestClient, core: Core) -> None:
    headers, _ = _seeded(client, core)
    assert client.get("/api/team/analytics", headers=headers).status_code == 403
    assert client.get("/team", headers=headers).status_code == 403

    admin_email = new_email("admin")
    register_api(client, admin_email)
    with core.engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET is_superuser = :yes WHERE email = :email"),
            {"yes": True, "email": admin_email},
        )
    admin = login_api(client, admin_email)
    team = client.get("/api/team/analytics", headers=admin).json()
    assert team["sessions"] == 5
    assert {row["key"] for row in team["by_workspace"]} == {"slack:T1", "discord:G1"}
    one = client.get("/api/team/analytics?workspace=discord:G1", headers=admin).json()
    assert one["sessions"] == 2
    page = client.get("/team?workspace=slack:T1", headers=admin)
    assert page.status_code == 200 and "Cache hit rate" in page.text and "LLM latency" in page.text
    assert 'data-chart="byRole"' in page.text and 'data-chart="byDifficulty"' in page.text


def test_export_as_csv_and_json(client: TestClient, core: Core) -> None:
    headers, ids = _seeded(client, core)
    as_json = client.get("/api/export?format=json", headers=headers)
    assert as_json.headers["content-type"].startswith("application/json")
    rows = json.loads(as_json.text)
    assert len(rows) == 10 and {r["session_id"] for r in rows} == set(ids.values())
    assert all(r["score"] is not None and r["feedback"] for r in rows)

    as_csv = client.get("/export.csv", headers=headers)
    assert "attachment" in as_csv.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(table) == 10 and table[0]["question"] and table[0]["ideal_answer"]


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    rows = [
        {"answer": '=HYPERLINK("x")', "tags": ["depth", "examples"], "criteria": {"depth": 5.0}}
    ]
    table = list(csv.DictReader(io.StringIO("".join(csv_lines(rows)))))
    assert table[0]["answer"] == '\'=HYPERLINK("x")'
    assert table[0]["tags"] == "depth; examples" and table[0]["criteria"] == "depth=5.0"


def test_delete_my_data_needs_confirmation(client: TestClient, core: Core) -> None:
    headers, _ = _seeded(client, core)
    assert client.delete("/api/history", headers=headers).status_code == 400
    deleted = client.delete("/api/history?confirm=true", headers=headers).json()
    assert deleted["deleted_identities"] == 3  # Slack, Discord and the browser identity
    assert {i["platform"] for i in deleted["unlinked"]} == {"slack", "discord"}
    assert deleted["sessions"] == 5
    assert client.get("/api/sessions", headers=headers).json()["total"] == 0
    assert client.get("/api/identities", headers=headers).json() == []


def test_delete_page_removes_history_and_optionally_the_account(
    client: TestClient, core: Core
) -> None:
    play_session(core.deps, SLACK)
    email = new_email()
    headers = register_api(client, email)
    link_chat_identity(client, core, headers, SLACK)
    token = csrf_from(client, "/account/delete", headers=headers)

    wrong = client.post(
        "/account/delete", data={"confirm": "yes", "csrf_token": token}, headers=headers
    )
    assert (
        wrong.status_code == 400
        and client.get("/api/sessions", headers=headers).json()["total"] == 1
    )

    kept = client.post(
        "/account/delete",
        data={"confirm": "delete", "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    assert kept.status_code == 200 and "Deleted 1 session " in kept.text
    assert client.get("/api/sessions", headers=headers).json()["total"] == 0

    gone = client.post(
        "/account/delete",
        data={"confirm": "DELETE", "delete_account": "1", "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    assert gone.status_code == 200 and "Your account is deleted" in gone.text
    assert "Log out" not in gone.text  # shown signed out
    refused = client.post("/api/auth/jwt/login", data={"username": email, "password": "x" * 12})
    assert refused.status_code == 400
    assert client.get("/api/dashboard", headers=headers).status_code == 401


def test_each_page_item_carries_its_own_answer_count_and_average(
    client: TestClient, core: Core
) -> None:
    """The page is chosen before the answers are aggregated: figures must still be per session."""
    made = [
        play_session(core.deps, SLACK, questions=n, quality=q, at=past(10 - n))
        for n, q in ((1, 0.05), (2, 0.3), (3, 0.6))
    ]
    headers = register_api(client)
    link_chat_identity(client, core, headers, SLACK)
    started = client.post("/api/practice", json={"role": "backend"}, headers=headers).json()
    items = [
        item
        for page in (1, 2)
        for item in client.get(f"/api/sessions?per_page=2&page={page}", headers=headers).json()[
            "items"
        ]
    ]
    assert [i["id"] for i in items] == [started["session"]["id"], *reversed(made)]
    assert [i["answered"] for i in items] == [0, 3, 2, 1]
    assert items[0]["average_score"] is None
    for item in items[1:]:
        detail = client.get(f"/api/sessions/{item['id']}", headers=headers).json()
        # SQL's AVG and Python's mean may round the last digit differently (8.45 -> 8.4 or 8.5).
        assert abs(item["average_score"] - detail["average_score"]) <= 0.1 + 1e-9


def test_pages_past_the_end_and_unknown_urls_keep_their_bearings(
    client: TestClient, core: Core
) -> None:
    headers, _ = _seeded(client, core)
    past_the_end = client.get("/sessions?page=9&role=backend", headers=headers)
    assert past_the_end.status_code == 200 and "No sessions yet" not in past_the_end.text
    assert "only 1 page" in past_the_end.text and "role=backend&amp;page=1" in past_the_end.text

    client.cookies.clear()
    email = browser_register(client)  # a cookie session, as in a browser
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert email in missing.text and "Log out" in missing.text  # still shown as signed in


def test_answers_per_session_follow_the_chosen_period(client: TestClient, core: Core) -> None:
    headers, ids = _seeded(client, core)
    week = client.get("/analytics?days=7", headers=headers)
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', week.text).group(1))  # type: ignore[union-attr]
    assert len(charts["answersPerSession"]["values"]) == 3  # the sessions 5, 2 and 0 days ago
    assert f'href="/sessions/{ids["backend-easy-old"]}"' not in week.text
    assert f'href="/sessions/{ids["sre-medium"]}"' in week.text  # the chart's table links them
