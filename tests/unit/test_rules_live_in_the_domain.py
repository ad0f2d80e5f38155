"""The interview's rules are computed in core/domain only; everything else asks for them.

A surface that re-derives "is there a next question" or "how many follow-ups are left" drifts
from the core the day a rule changes (it happened: the web's copies survived every test). This
scans the surfaces, the services and the adapters for the shapes those computations take.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Each rule: the shape of code that computes it, and where it must live (proof that the shape
# really matches the rule's code, so this test cannot pass vacuously).
RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "has_next": (
        re.compile(
            r"main_index\s*[<>]=?\s*[\w.]*question_count|question_count\s*[<>]=?\s*[\w.]*main_index"
        ),
        "core/domain/interview.py",
    ),
    "follow-ups left": (
        re.compile(r"QuestionKind\.FOLLOW_UP\s+and\s+\w+\.main_index\s*=="),
        "core/domain/interview.py",
    ),
    "step from attempt status": (
        re.compile(r"AttemptStatus\.(?:EVALUATED|FAILED|PENDING)\s*:\s*Step\."),
        "core/domain/interview.py",
    ),
    "hints available": (
        re.compile(r"len\([\w.]*key_points\)\s*//\s*2"),
        "core/domain/interview.py",
    ),
    "score bands": (
        re.compile(r"\(\s*[468]\.0\s*,\s*ScoreBand\(|score\s*>=\s*[468](?:\.0)?\b"),
        "core/domain/presentation.py",
    ),
}
SCANNED = ("bots", "web", "core/services", "core/adapters")
SUFFIXES = {".py", ".html", ".js"}
SKIPPED_PARTS = {"node_modules", "vendor", "__pycache__", "migrations"}
# Score thresholds in JavaScript: `score >= 8`, `v < 6`… (the chart data carries each bar's band).
JS_THRESHOLD = re.compile(r"(?:>=|<=|>|<)\s*[468](?:\.0)?\b")


def scanned_files() -> list[Path]:
    files = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SUFFIXES and not SKIPPED_PARTS & set(path.parts):
                files.append(path)
    return files


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_shape_matches_its_home(rule: str) -> None:
    pattern, home = RULES[rule]
    assert pattern.search((ROOT / home).read_text(encoding="utf-8")), (rule, home)


@pytest.mark.parametrize("rule", RULES)
def test_no_rule_is_computed_outside_the_domain(rule: str) -> None:
    pattern, _ = RULES[rule]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in scanned_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], f"{rule} is computed outside core/domain"


def test_the_browser_script_has_no_score_thresholds() -> None:
    script = ROOT / "web" / "static" / "app.js"
    lines = script.read_text(encoding="utf-8").splitlines()
    offenders = [
        line.strip() for line in lines if "score" in line.lower() and JS_THRESHOLD.search(line)
    ]
    assert offenders == []


def test_the_scan_is_not_vacuous() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert "web/static/app.js" in names and "bots/slack/blocks.py" in names
    assert any(n.endswith(".html") for n in names) and len(names) > 60
