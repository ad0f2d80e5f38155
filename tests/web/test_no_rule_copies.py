"""The web renders the core's rules and wording; it keeps no copy of them (issue 10).

A copy survives every behaviour test as long as it agrees with the core, and drifts the day the
core changes; these checks keep the copies out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
PYTHON = sorted(p for p in WEB.rglob("*.py") if "node_modules" not in p.parts)
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
SCRIPT = WEB / "static" / "app.js"

# Each pattern is a rule or wording the core owns, and where it lives there.
FORBIDDEN_IN_PYTHON = {
    r"max_follow_ups_per_question": "Interview.follow_ups_left / can_go_deeper",
    r"main_index\s*<": "Interview.has_next",
    r"QuestionAsked\(": "Interview.label / the core's results",
    r"AttemptStatus\.\w+\s*:": "Interview.step_at",
    r"\"medium\"": "Difficulty.DEFAULT",
    r"\"In progress\"|\"Ended early\"": "SessionStatus.label",
    r"\"Slack\"|\"Discord\"": "Platform.label",
}
FORBIDDEN_IN_TEMPLATES = {
    r"\"In progress\"|Ended early": "SessionStatus.label",
    r"Try a harder level": "Interview.practice_next",
    r"or \"medium\"": "Difficulty.DEFAULT",
    r"\blow=\"\d|\bhigh=\"\d": "score_band (meter thresholds)",
    r"Question \{\{|Follow-up on question \{\{": "question_label",
    r"\b10 minutes\b": "Rules.link_code_minutes",
}


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(WEB)))
def test_web_python_has_no_copy_of_a_core_rule(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = {owner for pattern, owner in FORBIDDEN_IN_PYTHON.items() if re.search(pattern, text)}
    assert not found, f"{path.name} copies what the core owns: {sorted(found)}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_templates_have_no_copy_of_a_core_rule(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = {owner for pattern, owner in FORBIDDEN_IN_TEMPLATES.items() if re.search(pattern, text)}
    assert not found, f"{path.name} copies what the core owns: {sorted(found)}"


def test_the_chart_script_has_no_score_thresholds() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"score\s*[<>]=?\s*\d", script), "score bands come with the chart data"
    assert "band" in script  # it does colour bars by the band the server sends


def test_the_checks_are_not_vacuous() -> None:
    assert len(PYTHON) > 15 and len(TEMPLATES) > 15 and SCRIPT.is_file()
