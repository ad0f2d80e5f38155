"""Analytics figures and chart data: what counts as an answer, bar labels, score bands."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from core.bootstrap import Core
from core.domain.model import UserRef
from core.domain.presentation import score_band
from tests.web.conftest import EmbeddedSettings, wired_core
from tests.web.helpers import answer_and_wait, link_chat_identity, register_api
from tests.web.seeding import play_session
from web.app import create_app

ANSWER = (
    "An index is a separate B-tree structure kept sorted by the indexed columns, so lookups "
    "and range scans avoid reading the whole table; every write must also update the index."
)
SLACK = UserRef("slack", "T1", "U-lin")
AUCKLAND = ZoneInfo("Pacific/Auckland")  # far from UTC: a day there is not the UTC day


def _charts(html: str) -> dict[str, Any]:
    found = re.search(r'id="chart-data">(.*?)</script>', html)
    assert found, "no chart data on the page"
    return dict(json.loads(found.group(1)))


def test_skipped_questions_are_not_answers(client: TestClient) -> None:
    headers = register_api(client)
    body = {"role": "backend", "difficulty": "easy", "questions": 2}
    sid = client.post("/api/practice", json=body, headers=headers).json()["session"]["id"]
    base = f"/api/practice/{sid}"
    client.post(f"{base}/skip", json={"position": 1, "delivery_id": "skip-0001"}, headers=headers)
    answer = {"text": ANSWER, "position": 2, "delivery_id": "answer-0002"}
    answer_and_wait(client, sid, answer, headers)

    figures = client.get("/api/analytics", headers=headers).json()
    assert figures["sessions"] == 1
    assert figures["attempts"] == 1  # the skipped question is not an answer
    assert figures["attempts_per_session"] == 1.0
    page = client.get("/analytics", headers=headers).text
    answers = re.search(r'Answers</span><span class="stat-value">(\d+)<', page)
    assert answers and answers.group(1) == "1"
    assert _charts(page)["answersPerSession"]["values"] == [1]


@pytest.fixture
def auckland_client(embedded_settings: EmbeddedSettings) -> Iterator[tuple[TestClient, Core]]:
    core = wired_core(embedded_settings(quota_timezone="Pacific/Auckland"))
    # An app of its own: its templates show times in the app's zone (web.app.FIXED_AT_CREATION).
    with TestClient(create_app(core=core), base_url="http://127.0.0.1") as client:
        yield client, core
    core.close()


def _local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    today = datetime.now(AUCKLAND).date()
    moment = datetime.combine(today - timedelta(days=day_offset), time(hour, minute), AUCKLAND)
    return moment.astimezone(UTC)


def test_each_bar_is_labelled_with_its_own_day_in_the_quota_zone(
    auckland_client: tuple[TestClient, Core],
) -> None:
    """Three sessions on two local days: no two bars may carry the same label, and each label is
    the session's day in the quota zone (23:30 in Auckland is 10:30 UTC the same day)."""
    client, core = auckland_client
    moments = [_local(3, 23, 30), _local(2, 9), _local(2, 18, 5)]
    for moment in moments:
        play_session(core.deps, SLACK, questions=1, at=moment)
    headers = register_api(client)
    link_chat_identity(client, core, headers, SLACK)

    charts = _charts(client.get("/analytics?days=30", headers=headers).text)
    bars = charts["answersPerSession"]
    local = [m.astimezone(AUCKLAND) for m in moments]
    assert bars["days"] == [m.date().isoformat() for m in local]
    assert bars["labels"] == [
        f"{local[0].day} {local[0]:%b}",
        f"{local[1].day} {local[1]:%b} 09:00",
        f"{local[2].day} {local[2]:%b} 18:05",
    ]
    trend = charts["scoreTrend"]
    assert trend["days"] == sorted({m.date().isoformat() for m in local})
    assert trend["labels"] == [f"{d.day} {d:%b}" for d in sorted({m.date() for m in local})]


def test_chart_bars_carry_their_score_band(client: TestClient, core: Core) -> None:
    play_session(core.deps, SLACK, role="backend", quality=0.9)
    play_session(core.deps, SLACK, role="frontend", quality=0.1)
    headers = register_api(client)
    link_chat_identity(client, core, headers, SLACK)
    charts = _charts(client.get("/analytics", headers=headers).text)
    for key in ("byRole", "byDifficulty"):
        series = charts[key]
        assert len(series["bands"]) == len(series["averages"]) > 0
        for average, band in zip(series["averages"], series["bands"], strict=True):
            expected = score_band(average)
            assert band == {
                "name": expected.name,
                "label": expected.label,
                "colour": f"#{expected.colour:06x}",
            }
