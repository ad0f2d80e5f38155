"""The core CLI: `evaluate` (used to score held-out sets), `migrate`, `maintenance`, bad config."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from core.adapters.offline.evaluator import OfflineEvaluator
from core.cli import evaluate_lines

QUESTION = "What is the role of a prototype program in problem solving?"
REFERENCE = "To simulate the behaviour of portions of the desired software product."


def record(answer: str, **extra: object) -> str:
    return json.dumps({"question": QUESTION, "reference": REFERENCE, "answer": answer, **extra})


def test_evaluate_prints_one_json_result_per_line_in_order() -> None:
    lines = [
        record("It simulates the behaviour of parts of the software product before it is built."),
        "",  # blank lines are skipped, not answered
        record("fine", id="1.1", grade=0.5),  # extra fields are ignored
        "{not json",
        json.dumps({"question": QUESTION, "answer": "no reference given"}),
    ]
    out = io.StringIO()
    status = evaluate_lines(OfflineEvaluator(), lines, out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 1  # some lines failed; the others were still scored
    assert len(results) == 4
    good, trivial, broken, missing = results
    assert good["score"] > trivial["score"] and trivial["score"] <= 1.5
    assert good["provider"] == "offline" and good["feedback"] and good["ideal_answer"] == REFERENCE
    assert broken["score"] is None and "line 4" in broken["error"]
    assert missing["score"] is None and "reference" in missing["error"]


def run_cli(
    *args: str,
    stdin: str = "",
    stdin_bytes: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path,
) -> subprocess.CompletedProcess[str]:
    """The real `interviewbot` command in a fresh process (bytes on stdin when given)."""
    environment = {**os.environ, "REDIS_URL": "memory://cli-test", **(env or {})}
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        input=stdin.encode() if stdin_bytes is None else stdin_bytes,
        capture_output=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def test_evaluate_from_stdin_through_the_real_command(tmp_path: Path) -> None:
    stdin = "\n".join(record(a) for a in ["It simulates parts of the product.", ""]) + "\n"
    result = run_cli("evaluate", stdin=stdin, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    scores = [json.loads(line)["score"] for line in result.stdout.splitlines()]
    assert len(scores) == 2 and scores[0] > scores[1] == 0


def test_a_bad_setting_stops_the_program_naming_the_variable(tmp_path: Path) -> None:
    result = run_cli("evaluate", env={"QUOTA_PER_DAY": "lots"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "QUOTA_PER_DAY" in result.stderr and "Traceback" not in result.stderr


def test_migrate_and_maintenance_on_a_fresh_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    migrated = run_cli("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0 and "database at revision" in migrated.stdout
    maintained = run_cli("maintenance", env=env, cwd=tmp_path)
    assert maintained.returncode == 0, maintained.stderr
    assert json.loads(maintained.stdout) == {
        "expired_sessions": 0,
        "retried_evaluations": {"evaluated": 0, "failed": 0, "busy": 0, "deferred": 0},
        "qotd_evaluations": {
            "evaluated": 0,
            "failed": 0,
            "busy": 0,
            "deferred": 0,
            "delivered": 0,
        },
    }


def test_an_unreachable_database_is_a_clear_message(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "mysql+pymysql://nobody@127.0.0.1:1/nothing"}
    for command in ("migrate", "stats"):
        result = run_cli(command, env=env, cwd=tmp_path)
        assert result.returncode == 1, (command, result.stderr)
        assert "database unreachable" in result.stderr and "Traceback" not in result.stderr
